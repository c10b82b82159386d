from __future__ import annotations

import random
from argparse import ArgumentParser
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles import demo
from articles.bulk import write_objects, write_rows
from articles.management.base import StaffCommand
from articles.models import (
    Article,
    Byline,
    Image,
    Organisation,
    Quote,
    RecordedDisclosure,
    Speaker,
    TaggedArticle,
)
from articles.search import search_vector
from articles.services import DisclosureRegister, set_publication
from authors.models import Author
from newsroom import page_cache

PICTURES = 6
# The temporary table a batch of articles goes through on PostgreSQL.
STAGING = "seed_demo_articles"


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(StaffCommand):
    help = """\
Create realistic demo content for demos and benchmarks: authors, and articles
with headlines, standfirsts, Markdown bodies with placed quotes (by a pool of
speakers at the demo companies, which become organisations), tags, bylines and
lead images (a few generated pictures, shared). The same --seed always
gives the same content; another seed adds another, distinct set. Published
articles carry the disclosures due at their publication time, recorded as
publishing records them. Rows are written in bulk, in batches (COPY on
PostgreSQL), in one transaction, and the search vectors are built at the end in
set-based UPDATEs: see docs/performance.md for the timings."""
    examples = """
        manage.py seed_demo                                  # 1,000 articles, 20 authors
        manage.py seed_demo --articles 100000 --authors 200 --seed 7
        manage.py seed_demo --articles 50 --dry-run
    """
    interrupted = "no demo content was added"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--articles",
            type=positive,
            default=1000,
            metavar="N",
            help="How many articles (default 1000).",
        )
        parser.add_argument(
            "--authors",
            type=positive,
            default=20,
            metavar="M",
            help="How many authors (default 20).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            metavar="S",
            help="Random seed: same seed, same content (default 1).",
        )
        parser.add_argument(
            "--batch-size",
            type=positive,
            default=2000,
            metavar="B",
            help="Articles per bulk write (default 2000).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be created; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed, verbosity = options["articles"], options["seed"], options["verbosity"]
        # Demo content, not secrets: a seeded, reproducible generator is the point.
        names = demo.author_names(random.Random(f"{seed}:authors"), options["authors"])  # nosec B311 # noqa: S311
        until = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        rng = random.Random(seed)  # nosec B311 # noqa: S311
        # The first article's slug is the same for any --articles: it tells a seed already used.
        first = demo.demo_article(random.Random(seed), 0, seed, len(names), PICTURES, until)  # nosec B311 # noqa: S311
        if Article.objects.filter(slug=first.slug).exists():
            raise CommandError(
                f"Demo content for --seed {seed} is already there; use another --seed."
            )
        if options["dry_run"]:
            self.stdout.write(
                f"Dry run: would create {count} articles by {len(names)} authors (seed {seed})."
            )
            return
        with transaction.atomic():
            authors = self.authors(names, seed)
            pictures = self.pictures()
            tags = {
                name: Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                for name in [*demo.ORGANISATIONS, *demo.TOPICS]
            }
            people = demo.speakers(random.Random(f"{seed}:speakers"))  # nosec B311 # noqa: S311
            speakers = self.speakers(people, self.organisations(tags), seed)
            links = Links(authors, pictures, tags, speakers, DisclosureRegister(authors))
            with self.progress(
                total=count, desc="Articles", unit="articles", verbosity=verbosity
            ) as bar:
                indexes = iter(range(count))
                while batch := list(islice(indexes, options["batch_size"])):
                    items = [
                        demo.demo_article(rng, i, seed, len(authors), PICTURES, until)
                        for i in batch
                    ]
                    self.write_batch(items, links)
                    bar.update(len(items))
            # Bulk writes send no post_save, which retires cached pages: say so once.
            page_cache.content_changed()
        if verbosity > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {count} articles by {len(authors)} authors (seed {seed})."
                )
            )

    def authors(self, names: list[tuple[str, str]], seed: int) -> list[Author]:
        """The demo authors of this seed, created once and reused."""
        wanted = [
            Author(
                name=name,
                slug=f"demo-{slugify(name)}-{seed}-{n}",
                job_title=job_title,
                bio=f"{name} writes about enterprise technology. (Demo author.)",
            )
            for n, (name, job_title) in enumerate(names)
        ]
        Author.objects.bulk_create(wanted, ignore_conflicts=True)
        by_slug = Author.objects.in_bulk([author.slug for author in wanted], field_name="slug")
        return [by_slug[author.slug] for author in wanted]

    def organisations(self, tags: dict[str, Tag]) -> dict[str, Organisation]:
        """The demo companies as organisations (pages, speakers' affiliations), made
        once for their topics; a slug another organisation has already is left alone."""
        topics = [tags[name] for name in demo.ORGANISATIONS]
        existing = {org.tag_id: org for org in Organisation.objects.filter(tag__in=topics)}
        taken = set(
            Organisation.objects.filter(slug__in=[tag.slug for tag in topics]).values_list(
                "slug", flat=True
            )
        )
        new = [
            Organisation(name=tag.name, slug=tag.slug, tag=tag)
            for tag in topics
            if tag.pk not in existing and tag.slug not in taken
        ]
        Organisation.objects.bulk_create(new)
        by_tag = {**existing, **{org.tag_id: org for org in new}}
        return {
            name: by_tag[tags[name].pk] for name in demo.ORGANISATIONS if tags[name].pk in by_tag
        }

    def speakers(
        self, people: list[demo.DemoSpeaker], organisations: dict[str, Organisation], seed: int
    ) -> list[Speaker]:
        """The people this seed's articles quote, created once and reused."""
        wanted = [
            Speaker(
                name=person.name,
                slug=f"demo-{slugify(person.name)}-{seed}-{n}",
                description=person.description,
                organisation=organisations.get(person.organisation),
            )
            for n, person in enumerate(people)
        ]
        Speaker.objects.bulk_create(wanted, ignore_conflicts=True)
        by_slug = Speaker.objects.in_bulk([speaker.slug for speaker in wanted], field_name="slug")
        return [by_slug[speaker.slug] for speaker in wanted]

    def pictures(self) -> list[Image]:
        """A few generated pictures, shared by every seed's articles."""
        pictures = []
        for number in range(PICTURES):
            picture = Image.objects.filter(key=f"demo-picture-{number + 1}").first()
            if picture is None:
                picture = Image(
                    key=f"demo-picture-{number + 1}",
                    alt_text=f"Demo picture {number + 1}: white words on a plain colour",
                    caption="A demo picture",
                    credit="Newsroom demo",
                )
                picture.file.save(f"demo-{number + 1}.png", demo.demo_picture(number), save=False)
                picture.save()
            pictures.append(picture)
        return pictures

    def write_batch(self, items: list[demo.DemoArticle], links: Links) -> None:
        """Write one batch of articles with their bylines, topics, quotes and, for the
        published ones, the disclosures recorded at publication.

        PostgreSQL: the pks come from the sequence first, the related rows go in (their
        foreign keys are checked at commit), then the articles with their search vectors
        built in the INSERT, as a save's signals would build them: every row is written
        once (an UPDATE afterwards would write each article twice, and its indexes)."""
        articles = []
        for item in items:
            article = Article(
                uid=item.uid,
                headline=item.headline,
                slug=item.slug,
                standfirst=item.standfirst,
                body=item.body,
                kind=item.kind,
                lead_image=links.pictures[item.picture_index],
            )
            set_publication(
                article, status=item.status, published_at=item.published_at, announce=False
            )
            # What record_disclosures() sets: the publication time they were recorded for.
            if article.status == Article.Status.PUBLISHED:
                article.disclosures_as_of = article.published_at
            articles.append(article)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [Article._meta.db_table, len(articles)],
                )
                for article, (pk,) in zip(articles, cursor.fetchall(), strict=True):
                    article.pk = pk
        else:
            write_objects(Article, articles)
            pks = dict(
                Article.objects.filter(uid__in=[article.uid for article in articles]).values_list(
                    "uid", "pk"
                )
            )
            for article in articles:
                article.pk = pks[article.uid]
        pairs = list(zip(articles, items, strict=True))
        write_rows(
            Byline._meta.db_table,
            ["article_id", "author_id", "position"],
            [
                (article.pk, links.authors[index].pk, position)
                for article, item in pairs
                for position, index in enumerate(item.author_indexes)
            ],
        )
        write_rows(
            TaggedArticle._meta.db_table,
            ["content_object_id", "tag_id"],
            [
                (article.pk, links.tags[name].pk)
                for article, item in pairs
                for name in item.tag_names
            ],
        )
        quote_fields = ["key", "text", "source_title", "source_kind", "position"]
        write_rows(
            Quote._meta.db_table,
            ["article_id", "speaker_id", *quote_fields, "reported_by", "source_url"]
            + ["said_on", "context", "is_pull_quote", "text_changed_at", "previous_text"],
            [
                (
                    article.pk,
                    links.speakers[quote["speaker_index"]].pk,  # type: ignore[index]
                    *(quote[name] for name in quote_fields),
                    *("", "", None, "", False, None, ""),
                )
                for article, item in pairs
                for quote in item.quotes
            ],
        )
        write_objects(
            RecordedDisclosure,
            [
                record
                for article, item in pairs
                if article.disclosures_as_of is not None
                for record in links.register.due(
                    article,
                    tag_ids={links.tags[name].pk for name in item.tag_names},
                    author_ids={links.authors[index].pk for index in item.author_indexes},
                )
            ],
        )
        if connection.vendor == "postgresql":
            write_articles_with_search_vectors(articles)


@dataclass(frozen=True)
class Links:
    """What every demo article points at, made once per run."""

    authors: list[Author]
    pictures: list[Image]
    tags: dict[str, Tag]
    speakers: list[Speaker]
    register: DisclosureRegister


def write_articles_with_search_vectors(articles: list[Article]) -> None:
    """PostgreSQL: COPY the articles, pks included, to a temporary table, then INSERT
    them with the search vector articles.search builds, compiled against that table
    (named as the articles table in the SELECT, so the expression reads its rows)."""
    table = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (LIKE {table}) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {STAGING}")
        columns = [
            connection.ops.quote_name(column)
            for column in write_objects(Article, articles, table=STAGING, with_pk=True)
        ]
        query = Article.objects.all().query
        vector, params = (
            search_vector()
            .resolve_expression(query)
            .as_sql(query.get_compiler(connection=connection), connection)
        )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, search_vector) "  # nosec B608 # noqa: S608
            f"SELECT {', '.join(f'{table}.{column}' for column in columns)}, {vector} "
            f"FROM {STAGING} AS {table}",
            params,
        )
