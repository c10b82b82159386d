from __future__ import annotations

import random
from argparse import ArgumentParser
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from itertools import islice
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models import Index
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Article, Byline, TaggedArticle
from authors.models import Author
from disclosures.models import Organisation
from interchange import demo, schema
from interchange.writing import Writer
from newsroom.commands import StaffCommand
from newsroom.plurals import counted
from newsroom.processes import Worker, WorkerFailed
from pictures.models import Image
from quotes.models import Speaker

PICTURES = 6
# What the worker of a seed of several batches runs (see body_renderer).
RENDER_PLAIN = "articles.rendering.render_plain"
# A large seed builds these at its end and writes the links' copies of the article's
# time and kind without these triggers (links_bulk_loaded).
LATE_INDEXES = {
    "byline_author_published",
    "byline_author_kind",
    "tagged_article_tag_published",
    "tagged_article_tag_kind",
}
LINK_TRIGGERS: list[tuple[type[models.Model], str]] = [
    (Article, "article_links_copy_insert"),
    (Byline, "articles_byline_article_copy"),
    (TaggedArticle, "articles_taggedarticle_article_copy"),
]


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def demo_cast(names: list[tuple[str, str]], people: list[demo.DemoSpeaker], seed: int) -> demo.Cast:
    """The keys of this seed's authors, speakers and pictures, which its articles name."""
    return demo.Cast(
        authors=[f"demo-{slugify(name)}-{seed}-{n}" for n, (name, _) in enumerate(names)],
        speakers=[
            schema.Speaker(name=person.name, slug=f"demo-{slugify(person.name)}-{seed}-{n}")
            for n, person in enumerate(people)
        ],
        pictures=[f"demo-picture-{number + 1}" for number in range(PICTURES)],
    )


class Command(StaffCommand):
    help = """\
Create realistic demo content for demos and benchmarks: authors, and articles
with headlines, standfirsts, Markdown bodies with placed quotes (by a pool of
speakers at the demo companies, which become organisations), tags, bylines and
lead images (a few generated pictures, shared). The same --seed always
gives the same content; another seed adds another, distinct set. Published
articles carry the disclosures due at their publication time, recorded as
publishing records them. The articles are written as import_articles writes
them: in bulk, in batches (COPY on PostgreSQL), in one transaction; on
PostgreSQL a seed that at least doubles the archive keeps the article, byline
and topic tables locked until it commits (it loads the links as pg_restore
would): see docs/performance.md for the timings."""
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
        names = demo.author_names(random.Random(f"{seed}:authors"), options["authors"])  # noqa: S311
        people = demo.speakers(random.Random(f"{seed}:speakers"))  # noqa: S311
        cast = demo_cast(names, people, seed)
        until = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        rng = random.Random(seed)  # noqa: S311
        # The first article's slug is the same for any --articles: it tells a seed already used.
        first = demo.demo_article(random.Random(seed), 0, seed, cast, until)  # noqa: S311
        if Article.objects.filter(slug=first.slug).exists():
            raise CommandError(
                f"Demo content for --seed {seed} is already there; use another --seed."
            )
        if options["dry_run"]:
            self.stdout.write(f"Dry run: would create {self.made(count, len(names), seed)}.")
            return
        size = options["batch_size"]
        try:
            with (
                # Started first: the worker sets Django up while the cast is made.
                body_renderer(several_batches=count > size) as renderer,
                transaction.atomic(),
                foreign_keys_checked_as_written(),
                links_bulk_loaded(count),
            ):
                writer = self.cast(names, people, cast, renderer)
                indexes = iter(range(count))

                def make(batch: list[int]) -> list[schema.ArticleRecord]:
                    return [demo.demo_article(rng, i, seed, cast, until) for i in batch]

                # The batches are made in a thread while the writer waits on the database
                # (one thread, so the batches, and the generator's draws, keep their
                # order), two ahead: the writer is told of the batch after the one it
                # writes (to render its bodies meanwhile).
                with (
                    self.progress(
                        total=count, desc="Articles", unit="articles", verbosity=verbosity
                    ) as bar,
                    closing(writer),
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-records") as maker,
                ):
                    records = make(list(islice(indexes, size)))
                    pending = maker.submit(make, list(islice(indexes, size)))
                    while records:
                        upcoming = pending.result()
                        pending = maker.submit(make, list(islice(indexes, size)))
                        writer.prepare(upcoming)
                        writer.write(records)
                        bar.update(len(records))
                        records = upcoming
        except WorkerFailed as error:
            raise CommandError(
                f"Rendering the bodies failed ({error}); {self.interrupted}."
            ) from None
        if verbosity > 0:
            self.stdout.write(self.style.SUCCESS(f"Created {self.made(count, len(names), seed)}."))

    def cast(
        self,
        names: list[tuple[str, str]],
        people: list[demo.DemoSpeaker],
        cast: demo.Cast,
        renderer: Worker | None,
    ) -> Writer:
        """The authors, pictures, topics, organisations and speakers the articles name,
        made (or found) first; the writer that writes the articles, told where they are,
        so that its queries do not grow with the articles, and given the renderer."""
        authors = self.authors(names, cast.authors)
        pictures = self.pictures(cast.pictures)
        tags = {
            name: Tag.objects.get_or_create(slug=entry.slug, defaults={"name": name})[0]
            for name, entry in demo.TAGS.items()
        }
        self.speakers(people, cast.speakers, self.organisations(tags))
        return Writer(
            author_ids={author.slug: author.pk for author in authors},
            image_ids={picture.key: picture.pk for picture in pictures},
            tags={tag.slug: tag for tag in tags.values()},
            renderer=renderer,
        )

    def made(self, articles: int, authors: int, seed: int) -> str:
        return (
            counted(articles, "%(count)s article", "%(count)s articles")
            + counted(authors, " by %(count)s author", " by %(count)s authors")
            + f" (seed {seed})"
        )

    def authors(self, names: list[tuple[str, str]], slugs: list[str]) -> list[Author]:
        """The demo authors of this seed, created once and reused."""
        wanted = [
            Author(
                name=name,
                slug=slug,
                job_title=job_title,
                bio=f"{name} writes about enterprise technology. (Demo author.)",
            )
            for (name, job_title), slug in zip(names, slugs, strict=True)
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
        self,
        people: list[demo.DemoSpeaker],
        entries: list[schema.Speaker],
        organisations: dict[str, Organisation],
    ) -> None:
        """The people this seed's articles quote, created once and reused."""
        Speaker.objects.bulk_create(
            [
                Speaker(
                    name=person.name,
                    slug=entry.slug,
                    description=person.description,
                    organisation=organisations.get(person.organisation),
                )
                for person, entry in zip(people, entries, strict=True)
            ],
            ignore_conflicts=True,
        )

    def pictures(self, keys: list[str]) -> list[Image]:
        """A few generated pictures, shared by every seed's articles."""
        pictures = []
        for number, key in enumerate(keys):
            picture = Image.objects.filter(key=key).first()
            if picture is None:
                caption = demo.demo_picture_caption(number)
                picture = Image(
                    key=key,
                    alt_text=f"Stand-in art for a photograph of a {caption.lower()}",
                    caption=caption,
                    credit="Newsroom demo",
                )
                picture.file.save(f"demo-{number + 1}.png", demo.demo_picture(number), save=False)
                picture.save()
            pictures.append(picture)
        return pictures


@contextmanager
def body_renderer(*, several_batches: bool) -> Iterator[Worker | None]:
    """A worker process rendering bodies (articles.rendering.render_plain) for a seed of
    several batches: rendering is most of the Python work of writing an article, and
    the worker renders the next batch's bodies on the other core while the command
    writes this one. A seed of one batch renders here: it would only wait for it."""
    if not several_batches:
        yield None
        return
    with closing(Worker(RENDER_PLAIN)) as worker:
        yield worker


@contextmanager
def foreign_keys_checked_as_written() -> Iterator[None]:
    """PostgreSQL: check foreign keys as each batch is written, not all at the commit.
    Checks left for the commit are pending trigger events on the tables, and PostgreSQL
    builds no index on a table that has some: links_bulk_loaded builds its indexes
    before the commit. Then deferred again, as Django's foreign keys are."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def links_bulk_loaded(count: int) -> Iterator[None]:
    """PostgreSQL, when the seed at least doubles the archive: the byline and topic
    links are loaded as pg_restore loads a table, in the seed's transaction.

    - Their indexes on the publication time (LATE_INDEXES) are dropped and built once
      at the end. Demo articles are spread over five years, so each link written would
      land on a random page of those indexes, which outgrow the server's buffers past a
      few hundred thousand articles.
    - The triggers that keep the links' copies of the article's time and kind
      (LINK_TRIGGERS, migration articles 0037_links_article_kind) are off: the writer
      writes the copies itself (Writer.related_rows), and the tests compare every
      seeded copy with its article's.

    Kept row by row, the two slow a large seed markedly (docs/performance.md). The three
    tables stay locked until the seed commits."""
    if connection.vendor != "postgresql" or count < Article.objects.count():
        yield
        return
    late: list[tuple[type[models.Model], Index]] = [
        (model, index)
        for model in (Byline, TaggedArticle)
        for index in model._meta.indexes
        if index.name in LATE_INDEXES
    ]
    with connection.schema_editor() as editor:
        for model, index in late:
            editor.remove_index(model, index)
        for model, trigger in LINK_TRIGGERS:
            editor.execute(f"ALTER TABLE {model._meta.db_table} DISABLE TRIGGER {trigger}")
    yield
    with connection.schema_editor() as editor:
        for model, index in late:
            editor.add_index(model, index)
        for model, trigger in LINK_TRIGGERS:
            editor.execute(f"ALTER TABLE {model._meta.db_table} ENABLE TRIGGER {trigger}")
