from __future__ import annotations

import random
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any, Literal, get_args

from django.core.management.base import CommandError
from django.db import connection, connections, models, transaction
from django.db.models import Index, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

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
from articles.search import search_document
from articles.services import DisclosureRegister, set_publication
from authors.models import Author
from interchange import demo
from interchange.bulk import write_objects, write_rows
from newsroom import page_cache
from newsroom.commands import StaffCommand
from newsroom.plurals import counted

PICTURES = 6
# A large seed builds these at its end and writes the links' copy of the article's
# time without these triggers (links_bulk_loaded).
LATE_INDEXES = {"byline_author_published", "tagged_article_tag_published"}
LINK_TRIGGERS: list[tuple[type[models.Model], str]] = [
    (Article, "article_links_published_at_insert"),
    (Byline, "articles_byline_published_at"),
    (TaggedArticle, "articles_taggedarticle_published_at"),
]
# The quote columns copied as they are from a demo quote, in this order.
QuoteField = Literal["key", "text", "source_title", "source_kind", "position"]
# The texts of a search document, in articles.search.search_document's order.
DOCUMENT = ["headline", "standfirst", "topics", "body", "quotes", "authors"]


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
PostgreSQL), in one transaction; on PostgreSQL the search vectors are built
beside the writing, on a second connection, and a seed that at least doubles
the archive keeps the article, byline and topic tables locked until it commits
(it loads the links as pg_restore would): see docs/performance.md for the
timings."""
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
        until = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        rng = random.Random(seed)  # noqa: S311
        # The first article's slug is the same for any --articles: it tells a seed already used.
        first = demo.demo_article(random.Random(seed), 0, seed, len(names), PICTURES, until)  # noqa: S311
        if Article.objects.filter(slug=first.slug).exists():
            raise CommandError(
                f"Demo content for --seed {seed} is already there; use another --seed."
            )
        if options["dry_run"]:
            self.stdout.write(f"Dry run: would create {self.made(count, len(names), seed)}.")
            return
        with (
            transaction.atomic(),
            foreign_keys_checked_as_written(),
            links_bulk_loaded(count),
        ):
            authors = self.authors(names, seed)
            pictures = self.pictures()
            tags = {
                name: Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                for name in [*demo.ORGANISATIONS, *demo.TOPICS]
            }
            people = demo.speakers(random.Random(f"{seed}:speakers"))  # noqa: S311
            speakers = self.speakers(people, self.organisations(tags), seed)
            links = Links(authors, pictures, tags, speakers, DisclosureRegister(authors))
            with self.progress(
                total=count, desc="Articles", unit="articles", verbosity=verbosity
            ) as bar:
                indexes = iter(range(count))
                with SearchVectors() as vectors:
                    while batch := list(islice(indexes, options["batch_size"])):
                        items = [
                            demo.demo_article(rng, i, seed, len(authors), PICTURES, until)
                            for i in batch
                        ]
                        self.write_batch(items, links, vectors)
                        bar.update(len(items))
            # Bulk writes send no post_save, which retires cached pages: say so once.
            page_cache.content_changed()
        if verbosity > 0:
            self.stdout.write(
                self.style.SUCCESS(f"Created {self.made(count, len(authors), seed)}.")
            )

    def made(self, articles: int, authors: int, seed: int) -> str:
        return (
            counted(articles, "%(count)s article", "%(count)s articles")
            + counted(authors, " by %(count)s author", " by %(count)s authors")
            + f" (seed {seed})"
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

    def write_batch(
        self, items: list[demo.DemoArticle], links: Links, vectors: SearchVectors
    ) -> None:
        """Write one batch of articles with their bylines, topics, quotes and, for the
        published ones, the disclosures recorded at publication.

        PostgreSQL: the pks come from the sequence; the batch's search documents go to
        `vectors`, to be built on its own connection while this one writes the batch
        before (articles with their vectors, then their related rows). Every row is
        written once (an UPDATE afterwards would write each article twice, and its
        indexes)."""
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
            vectors.build(
                articles,
                [links.document(item) for item in items],
                then=partial(self.write_related, articles, items, links),
            )
            vectors.write_previous()
            return
        write_objects(Article, articles)
        pks = dict(
            Article.objects.filter(uid__in=[article.uid for article in articles]).values_list(
                "uid", "pk"
            )
        )
        for article in articles:
            article.pk = pks[article.uid]
        self.write_related(articles, items, links)

    def write_related(
        self, articles: list[Article], items: list[demo.DemoArticle], links: Links
    ) -> None:
        """The written articles' bylines, topics, quotes and recorded disclosures."""
        # The links' copy of the article's time is the database triggers' to keep; given
        # here, SQLite's triggers have no second write of each link to make.
        copy = Byline._meta.get_field("published_at")
        pairs = [
            (article, item, copy.get_db_prep_save(article.published_at, connection))
            for article, item in zip(articles, items, strict=True)
        ]
        write_rows(
            Byline._meta.db_table,
            ["article_id", "author_id", "position", "published_at"],
            (
                (article.pk, links.authors[index].pk, position, when)
                for article, item, when in pairs
                for position, index in enumerate(item.author_indexes)
            ),
        )
        write_rows(
            TaggedArticle._meta.db_table,
            ["content_object_id", "tag_id", "published_at"],
            (
                (article.pk, links.tags[name].pk, when)
                for article, item, when in pairs
                for name in item.tag_names
            ),
        )
        quote_fields: list[QuoteField] = list(get_args(QuoteField))
        write_rows(
            Quote._meta.db_table,
            ["article_id", "speaker_id", *quote_fields, "reported_by", "source_url"]
            + ["said_on", "context", "is_pull_quote", "text_changed_at", "previous_text"],
            (
                (
                    article.pk,
                    links.speakers[quote["speaker_index"]].pk,
                    *(quote[name] for name in quote_fields),
                    *("", "", None, "", False, None, ""),
                )
                for article, item, _ in pairs
                for quote in item.quotes
            ),
        )
        write_objects(
            RecordedDisclosure,
            (
                record
                for article, item, _ in pairs
                if article.disclosures_as_of is not None
                for record in links.register.due(
                    article,
                    tag_ids={links.tags[name].pk for name in item.tag_names},
                    author_ids={links.authors[index].pk for index in item.author_indexes},
                )
            ),
        )


@dataclass(frozen=True)
class Links:
    """What every demo article points at, made once per run."""

    authors: list[Author]
    pictures: list[Image]
    tags: dict[str, Tag]
    speakers: list[Speaker]
    register: DisclosureRegister

    def document(self, item: demo.DemoArticle) -> tuple[str, ...]:
        """The six texts of an article's search document (articles.search), as
        search_vector() reads them from its rows: topics in the order they are
        written, quotes and authors in their positions' order."""
        quotes = sorted(item.quotes, key=lambda quote: quote["position"])
        return (
            item.headline,
            item.standfirst,
            " ".join(self.tags[name].name for name in item.tag_names),
            item.body,
            " ".join(
                f"{self.speakers[quote['speaker_index']].name} {quote['text']}" for quote in quotes
            ),
            " ".join(self.authors[index].name for index in item.author_indexes),
        )


@contextmanager
def foreign_keys_checked_as_written() -> Iterator[None]:
    """PostgreSQL: check foreign keys as each batch is written, not all at the commit,
    so the checking runs beside the building of search vectors instead of after it (a
    tenth of the seed's time). Then deferred again, as Django's foreign keys are."""
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
    - The triggers that keep the links' copy of the article's time (LINK_TRIGGERS,
      migration articles 0001_squashed_0028_markdown_limits) are off: write_related
      writes the copy itself, and the tests compare every seeded copy with its
      article's time.

    Kept row by row, the two made a 1,000,000-article seed a third slower. The three
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


class SearchVectors:
    """PostgreSQL: builds each batch's search vectors from its documents on a
    connection of its own, in a thread, while this one writes the related rows, and
    writes the articles with them a batch later. Building the vectors is most of the
    server's work; this way it runs beside the writing (and the generating in Python)
    instead of after it, and the whole seed stays one transaction on this connection:
    the other one only computes. Elsewhere there are no vectors to build."""

    def __enter__(self) -> SearchVectors:
        self.pool: ThreadPoolExecutor | None = None
        self.pending: list[tuple[list[Article], Future[list[str]], Callable[[], None]]] = []
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        try:
            if kind is None:
                self.write_previous(keep=0)
        finally:
            if self.pool is not None:
                # The thread's own connection is closed in that thread.
                self.pool.submit(connections.close_all).result()
                self.pool.shutdown(cancel_futures=True)

    def build(
        self,
        articles: list[Article],
        documents: list[tuple[str, ...]],
        *,
        then: Callable[[], None],
    ) -> None:
        """Start building these articles' vectors; `then` writes what refers to them."""
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-vectors")
        self.pending.append((articles, self.pool.submit(vectors_of, documents), then))

    def write_previous(self, keep: int = 1) -> None:
        """Write the articles of all batches but the newest `keep`, with their vectors,
        and what refers to them."""
        while len(self.pending) > keep:
            articles, vectors, then = self.pending.pop(0)
            write_objects(Article, articles, with_pk=True, search_vectors=vectors.result())
            then()


def vectors_of(documents: list[tuple[str, ...]]) -> list[str]:
    """The search vectors of these documents (articles.search.search_document), in
    order, built on this thread's own connection."""
    query = Article.objects.all().query
    # The unnest() columns below, by their fixed names.
    texts = [
        RawSQL(f"document.{name}", [], output_field=TextField())  # noqa: S611
        for name in DOCUMENT
    ]
    vector, params = (
        search_document(*texts)
        .resolve_expression(query)
        .as_sql(query.get_compiler(connection=connection), connection)
    )
    arrays = ", ".join(["%s::text[]"] * len(DOCUMENT))
    connection.ensure_connection()
    # psycopg's own cursor: the texts go as bound parameters, not spelled into the SQL,
    # and with DEBUG on Django would keep every such statement (megabytes a batch).
    with connection.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {vector} FROM unnest({arrays}) WITH ORDINALITY "  # noqa: S608
            f"AS document({', '.join(DOCUMENT)}, number) ORDER BY number",
            [*params, *(list(texts) for texts in zip(*documents, strict=True))],
        )
        return [row[0] for row in cursor.fetchall()]
