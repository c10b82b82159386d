"""Realistic, deterministic demo content for seed_demo: enterprise-technology news, as
the interchange records (interchange/schema.py) an import would bring.

Everything comes from random.Random generators seeded with the seed, so the same
seed gives the same headlines, bodies, quotes and their speakers, tags, authors and
bylines. Publication times are spread
over the five years before today (UTC midnight), so most articles are live, a few
are scheduled and some are drafts.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.text import slugify

from interchange import schema
from newsroom import stand_ins

FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Isla", "Jonas",
    "Kavya", "Liam", "Maya", "Niall", "Olu", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Brennan", "Chen", "Dubois", "Evans", "Fischer", "Gupta", "Hughes", "Ito",
    "Jensen", "Kowalski", "Lopez", "Murphy", "Nakamura", "Okafor", "Patel", "Rossi", "Smith",
]  # fmt: skip
JOB_TITLES = ["Reporter", "Senior reporter", "News editor", "Analyst", "Contributing editor"]
ORGANISATIONS = [
    "Salesforce", "Microsoft", "Amazon", "Oracle", "SAP", "Workday", "ServiceNow", "Google",
    "IBM", "Snowflake", "Adobe", "Infor",
]  # fmt: skip
TOPICS = [
    "Cloud computing", "Artificial intelligence", "Data privacy", "Digital government",
    "Ethics", "Cybersecurity", "HR technology", "Supply chain", "Retail", "Financial services",
    "Customer experience", "Future of work",
]  # fmt: skip
VERBS = [
    "unveils", "expands", "rethinks", "bets on", "doubles down on", "delays", "opens up",
    "overhauls", "prices", "defends",
]  # fmt: skip
THINGS = [
    "its AI assistant", "a public-sector cloud", "its data platform", "the partner programme",
    "subscription pricing", "its security roadmap", "an industry cloud for retail",
    "the HR suite", "its developer tools", "a sovereign cloud region",
]  # fmt: skip
ENDINGS = [
    "", "", " as customers push back", " amid a spending slowdown", " in Europe",
    " after a difficult quarter", " to win over the CIO",
]  # fmt: skip
SENTENCES = [
    "Customers have been asking for this for some time, and the timing is not accidental.",
    "The announcement came at the company's annual user conference, to a packed keynote hall.",
    "Analysts were quick to point out that the detail matters more than the headline.",
    "Pricing was not disclosed, which left several CIOs in the audience unconvinced.",
    "Rivals have made similar promises before, with mixed results.",
    "The move follows eighteen months of pressure from large public-sector buyers.",
    "Early adopters report shorter implementation times, though the sample is small.",
    "Regulators on both sides of the Atlantic are watching closely.",
    "Partners will need to retrain staff, and few have budgeted for it.",
    "The company says the change will be rolled out region by region over the next year.",
    "Employees raised concerns internally before the plan was made public.",
    "Investors welcomed the news, sending the shares up in early trading.",
]  # fmt: skip
QUOTE_TEXTS = [
    "We built this because our customers told us, very clearly, what was missing.",
    "Nobody should have to choose between moving fast and staying in control of their data.",
    "The real test is whether it works on a wet Tuesday in a mid-sized council, not on stage.",
    "We are not going to chase every trend; we are going to finish what we started.",
    "Trust is earned in small increments and lost in large ones.",
    "This is the most significant change to the platform in a decade.",
]  # fmt: skip
ROLES = ["Chief executive", "Chief technology officer", "Head of product", "Head of strategy"]
SOURCE_TITLES = {
    "interview": "Interview with Newsroom",
    "statement": "Statement to the press",
    "speech": "Keynote at the annual user conference",
    "filing": "Annual report",
}
SOURCE_KINDS = list(SOURCE_TITLES)
# The topics of demo articles: a company's name, and a few subjects.
TAGS = {name: schema.Tag(name=name, slug=slugify(name)) for name in [*ORGANISATIONS, *TOPICS]}
SPEAKERS = 60  # people quoted, per seed: a speaker's page lists several quotes
KINDS = ["news"] * 6 + ["analysis"] * 3 + ["opinion"]
# What the demo pictures stand for; their initials are drawn on them.
PICTURE_CAPTIONS = [
    "Data centre",
    "Boardroom meeting",
    "Product launch",
    "Cloud platform",
    "Trade floor",
    "Town hall",
]


@dataclass
class DemoSpeaker:
    name: str
    description: str
    organisation: str


def demo_picture(number: int) -> ContentFile[bytes]:
    """A 1200x675 stand-in (newsroom.stand_ins) for the demo's picture `number`."""
    return ContentFile(
        stand_ins.draw(demo_picture_caption(number), (1200, 675)), name=f"demo-{number + 1}.png"
    )


def demo_picture_caption(number: int) -> str:
    return PICTURE_CAPTIONS[number % len(PICTURE_CAPTIONS)]


def author_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(name, job title) for each demo author."""
    return [
        (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", rng.choice(JOB_TITLES))
        for _ in range(count)
    ]


def speakers(rng: random.Random, count: int = SPEAKERS) -> list[DemoSpeaker]:
    """The people the demo articles quote: a name, a role, and an organisation."""
    people = []
    for _ in range(count):
        organisation = rng.choice(ORGANISATIONS)
        people.append(
            DemoSpeaker(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                description=f"{rng.choice(ROLES)}, {organisation}",
                organisation=organisation,
            )
        )
    return people


@dataclass(frozen=True)
class Cast:
    """What demo articles name, by key: the authors' slugs (byline candidates), the
    speakers (a pool of SPEAKERS), the pictures' keys."""

    authors: list[str]
    speakers: list[schema.Speaker]
    pictures: list[str]


def demo_article(
    rng: random.Random, index: int, seed: int, cast: Cast, until: datetime.datetime
) -> schema.ArticleRecord:
    organisation = rng.choice(ORGANISATIONS)
    headline = f"{organisation} {rng.choice(VERBS)} {rng.choice(THINGS)}{rng.choice(ENDINGS)}"
    paragraphs = [" ".join(rng.sample(SENTENCES, 3)) for _ in range(rng.randint(4, 7))]
    quotes: list[schema.Quote] = []
    for position in range(rng.choice([1, 1, 2])):
        key = f"q{position + 1}"
        source_kind = rng.choice(SOURCE_KINDS)
        quotes.append(
            schema.Quote(
                key=key,
                text=rng.choice(QUOTE_TEXTS),
                speaker=cast.speakers[rng.randrange(SPEAKERS)],
                source_title=SOURCE_TITLES[source_kind],
                source_kind=source_kind,
                position=position,
            )
        )
        paragraphs.insert(2 + 2 * position, f"[[quote:{key}]]")
    roll = rng.random()
    status = "published" if roll < 0.93 else "draft" if roll < 0.98 else "review"
    published_at: datetime.datetime | None = None
    if status == "published":
        # About 1 in 50 is scheduled for the coming week; the rest spread over five years.
        offset = rng.uniform(-7, 0) if rng.random() < 0.02 else rng.uniform(0, 5 * 365)
        published_at = until - datetime.timedelta(days=offset)
    authors = len(cast.authors)
    return schema.ArticleRecord(
        uid=uuid.UUID(int=rng.getrandbits(128), version=4),
        headline=headline,
        slug=f"{slugify(headline)[:150]}-{seed}-{index}",
        standfirst=f"{rng.choice(SENTENCES)} {rng.choice(SENTENCES)}",
        body="\n\n".join(paragraphs),
        kind=rng.choice(KINDS),
        status=status,
        published_at=published_at,
        authors=[
            cast.authors[n]
            for n in rng.sample(range(authors), min(authors, rng.choice([1, 1, 1, 2])))
        ],
        tags=[TAGS[name] for name in [organisation, *rng.sample(TOPICS, rng.randint(1, 3))]],
        lead_image=cast.pictures[rng.randrange(len(cast.pictures))],
        quotes=quotes,
    )
