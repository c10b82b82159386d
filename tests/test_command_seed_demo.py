"""seed_demo: realistic, deterministic demo content, written in bulk."""

import datetime
import os
import random
import time
import unittest
from collections import Counter
from typing import Any
from unittest import mock

from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify
from django.utils.timezone import now

from articles import content_checks
from articles.models import Article, Byline, SearchWord
from articles.rendering import BodyRenderer, PlainBody
from articles.search import remember_article_words, search_keys, search_vector
from authors.models import Author
from disclosures import rules as disclosure_rules
from disclosures.models import AuthorInterest, Organisation, RecordedDisclosure
from interchange import demo, schema
from interchange.bulk import VectorBuilder
from interchange.management.commands import seed_demo
from interchange.writing import Writer
from newsroom import page_cache, stand_ins
from newsroom.markdown import marker_keys
from pictures.models import Image
from quotes.models import Quote
from tests.base import run_command
from tests.test_stored_body import assert_stored_as_rendered


def render_nothing(bodies: list[PlainBody]) -> list[str]:
    """A renderer that fails (run in seed_demo's worker, see SeedDemoInBatchesTests)."""
    raise ValueError("a body no renderer can take")


def render_and_die(bodies: list[PlainBody]) -> list[str]:
    """A renderer whose process ends abruptly, as a killed one does."""
    os._exit(3)


def demo_articles(seed: int) -> list[tuple[str, str, str, str, list[str], list[str]]]:
    articles = Article.objects.filter(slug__regex=rf"-{seed}-[0-9]+$")
    return [
        (
            article.headline,
            article.standfirst,
            article.body,
            article.status,
            sorted(article.tags.names()),
            [author.name for author in article.ordered_authors],
        )
        for article in articles.order_by("slug")
    ]


class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # The first demo author of seed 3, made beforehand with an interest in Microsoft:
        # seed_demo reuses the author, and must record the interest on its articles.
        name, job_title = demo.author_names(random.Random("3:authors"), 5)[0]
        author = Author.objects.create(
            name=name, slug=f"demo-{slugify(name)}-3-0", job_title=job_title
        )
        # The migrations made Microsoft an organisation, with its topic.
        microsoft = Organisation.objects.get(slug="microsoft")
        AuthorInterest.objects.create(
            author=author,
            organisation=microsoft,
            kind=AuthorInterest.Kind.EMPLOYER,
            statement=f"{name} worked for Microsoft.",
            started_on=datetime.date(2000, 1, 1),
            ended_on=datetime.date(2010, 1, 1),
        )
        cls.output, _ = run_command(
            "seed_demo", "--articles", "60", "--authors", "5", "--seed", "3"
        )

    def test_creates_the_articles_and_authors_asked_for(self) -> None:
        self.assertIn("Created 60 articles by 5 authors (seed 3).", self.output)
        self.assertEqual(Article.objects.filter(slug__regex=r"-3-[0-9]+$").count(), 60)
        self.assertEqual(Author.objects.filter(slug__startswith="demo-").count(), 5)

    def test_content_is_realistic_and_consistent(self) -> None:
        """Headlines, standfirsts, bylines, tags and lead images; every quote marker has its
        quote, so check_content finds nothing wrong."""
        articles = Article.objects.filter(slug__regex=r"-3-[0-9]+$")
        for article in articles:
            self.assertTrue(article.headline and article.standfirst)
            self.assertGreaterEqual(article.bylines.count(), 1)
            self.assertGreaterEqual(article.tags.count(), 2)
            self.assertIsNotNone(article.lead_image)
            self.assertEqual(
                sorted(marker_keys(article.body, "quote")),
                sorted(article.quotes.values_list("key", flat=True)),
            )
        self.assertGreater(Quote.objects.filter(article__in=articles).count(), 60)
        self.assertEqual(list(content_checks.body_problems(on_article=lambda: None)), [])
        self.assertEqual(list(content_checks.published_problems()), [])

    @unittest.skipUnless(connection.vendor == "postgresql", "search vectors are PostgreSQL's")
    def test_demo_articles_are_searchable(self) -> None:
        """Bulk writes skip the signals; seed_demo builds the search vectors itself, the
        same as a save would (bylines, topics and quotes included), before it commits:
        reader search finds the articles by their headlines and their quoted speakers."""
        demo = Article.objects.filter(slug__regex=r"-3-[0-9]+$")
        fresh = demo.annotate(fresh=search_vector()).values_list("search_vector", "fresh")
        self.assertEqual(len(fresh), 60)
        for stored, rebuilt in fresh:
            self.assertEqual(stored, rebuilt)
        quote = Quote.objects.filter(
            article__in=demo.filter(status=Article.Status.PUBLISHED, published_at__lte=now())
        ).select_related("article", "speaker")[0]
        self.assertIn(quote.article.pk, search_keys(quote.speaker.name))
        self.assertIn(quote.article.pk, search_keys(f'"{quote.article.headline}"'))
        response = self.client.get("/search/", {"q": quote.speaker.name})
        self.assertContains(response, quote.article.get_absolute_url())

    def test_published_articles_carry_their_disclosures(self) -> None:
        """As publication records them: each published article (live or scheduled) has
        the register entries and its authors' interests due at its publication time, in
        order, with disclosures_as_of set; drafts have none."""
        demo = Article.objects.filter(slug__regex=r"-3-[0-9]+$").prefetch_related(
            "recorded_disclosures"
        )
        fields = ["organisation_name", "relationship", "statement", "valid_from", "valid_until"]

        def rows(records: list[RecordedDisclosure]) -> list[tuple[object, ...]]:
            return [
                (*(getattr(r, name) for name in fields), r.position, r.source_id) for r in records
            ]

        carried = Counter()
        for article in demo:
            recorded = list(article.recorded_disclosures.all())
            if article.status != Article.Status.PUBLISHED:
                self.assertEqual((recorded, article.disclosures_as_of), ([], None))
                continue
            self.assertEqual(article.disclosures_as_of, article.published_at)
            self.assertEqual(rows(recorded), rows(disclosure_rules.due(article)))
            carried.update(record.source_id[0] for record in recorded)
        # The migrations' Salesforce register entry, and the interest setUpTestData gave
        # the first demo author.
        self.assertGreater(carried["register"], 0)
        self.assertGreater(carried["interest"], 0)

    def test_cached_pages_are_retired(self) -> None:
        """Bulk writes send no signals: the command retires the cached pages itself."""
        with mock.patch.object(page_cache, "content_changed") as changed:
            run_command("seed_demo", "--articles", "5", "--seed", "22", "-v", "0")
        changed.assert_called_once_with()

    def test_quotes_have_speakers_at_the_demo_companies(self) -> None:
        """A pool of speakers per seed, each quoted in several articles, linked to one of
        the demo companies, which are organisations with their topic."""
        quotes = Quote.objects.filter(article__slug__regex=r"-3-[0-9]+$").select_related(
            "speaker__organisation__tag"
        )
        speakers = {quote.speaker for quote in quotes}
        self.assertLess(len(speakers), quotes.count())
        for speaker in speakers:
            self.assertTrue(speaker.slug.startswith("demo-"))
            self.assertIn(speaker.organisation.name, speaker.description)
            self.assertEqual(speaker.organisation.tag.name, speaker.organisation.name)

    def test_a_few_pictures_are_shared(self) -> None:
        self.assertEqual(Image.objects.filter(key__startswith="demo-picture-").count(), 6)

    def test_pictures_are_generated_art_with_their_captions_initials(self) -> None:
        """Each demo picture is the stand-in art for its caption, described as such."""
        for picture in Image.objects.filter(key__startswith="demo-picture-"):
            with self.subTest(caption=picture.caption), picture.file.open("rb") as file:
                self.assertEqual(file.read(), stand_ins.draw(picture.caption, (1200, 675)))
            self.assertIn(picture.caption.lower(), picture.alt_text)

    def test_same_seed_gives_the_same_content(self) -> None:
        first = demo_articles(3)
        Article.objects.filter(slug__regex=r"-3-[0-9]+$").delete()
        run_command("seed_demo", "--articles", "60", "--authors", "5", "--seed", "3")
        self.assertEqual(demo_articles(3), first)

    def test_another_seed_gives_other_content(self) -> None:
        run_command("seed_demo", "--articles", "60", "--authors", "5", "--seed", "4")
        self.assertNotEqual([a[:3] for a in demo_articles(4)], [a[:3] for a in demo_articles(3)])

    def test_same_seed_twice_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "Demo content for --seed 3 is already there"):
            run_command("seed_demo", "--articles", "5", "--seed", "3")

    def test_dry_run_writes_nothing(self) -> None:
        count = Article.objects.count()
        output, _ = run_command("seed_demo", "--articles", "10", "--seed", "9", "--dry-run")
        self.assertIn("Dry run: would create 10 articles by 20 authors (seed 9).", output)
        self.assertEqual(Article.objects.count(), count)
        output, _ = run_command(
            "seed_demo", "--articles", "1", "--authors", "1", "--seed", "9", "--dry-run"
        )
        self.assertIn("Dry run: would create 1 article by 1 author (seed 9).", output)

    def test_words_remembered_are_those_of_the_articles(self) -> None:
        """The words a seed remembers for "did you mean" (taken from its records) are
        those remember_article_words reads from the articles written."""
        before = set(SearchWord.objects.values_list("word", flat=True))
        run_command("seed_demo", "--articles", "20", "--authors", "3", "--seed", "13", "-v", "0")
        after = set(SearchWord.objects.values_list("word", flat=True))
        self.assertTrue(after - before)
        SearchWord.objects.exclude(word__in=before).delete()
        remember_article_words(Article.objects.filter(slug__regex=r"-13-[0-9]+$"))
        self.assertEqual(set(SearchWord.objects.values_list("word", flat=True)), after)

    def test_queries_do_not_grow_with_the_number_of_articles(self) -> None:
        """Bulk writes: 10 or 30 articles (in one batch) cost the same queries."""
        counts = []
        for seed, articles in [(11, "10"), (12, "30")]:
            with CaptureQueriesContext(connection) as queries:
                run_command("seed_demo", "--articles", articles, "--seed", str(seed), "-v", "0")
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])


class SeedDemoInBatchesTests(TestCase):
    """Several batches, written as import_articles writes them, in the seed's one
    transaction."""

    def backends(self) -> int | None:
        """Connections to this database (PostgreSQL), to see none is left behind."""
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            # The statistics are read once a transaction unless the snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    def assertConnectionsBackTo(self, before: int | None) -> None:
        """The seed's second connection is gone. A closed connection's server process
        leaves pg_stat_activity when it exits, a moment after the client hung up, and
        later on a busy machine: probe for it, with a generous deadline."""
        deadline = time.monotonic() + 60
        while (now := self.backends()) != before and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(now, before)

    def upkeep(self) -> tuple[list[str], list[tuple[str, str]]] | None:
        """PostgreSQL: the link indexes on the publication time and the triggers with
        their state. A large seed drops the one and disables the other while it loads;
        whatever happens, the database must have them back."""
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s) ORDER BY 1",
                [
                    [
                        "byline_author_kind",
                        "byline_author_published",
                        "tagged_article_tag_kind",
                        "tagged_article_tag_published",
                    ]
                ],
            )
            indexes = [name for (name,) in cursor.fetchall()]
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    def seed(self, seed: int) -> None:
        run_command(
            "seed_demo", "--articles", "23", "--authors", "4", "--seed", str(seed),
            "--batch-size", "5", "-v", "0",
        )  # fmt: skip

    def test_every_batch_is_written_whole(self) -> None:
        before, upkeep = self.backends(), self.upkeep()
        if upkeep is not None:
            self.assertEqual(len(upkeep[0]), 4)
            self.assertEqual(len(upkeep[1]), 4)
        self.seed(31)
        self.assertEqual(self.upkeep(), upkeep)
        demo = Article.objects.filter(slug__regex=r"-31-[0-9]+$")
        self.assertEqual(demo.count(), 23)
        with_bylines = Byline.objects.filter(article__in=demo).values_list("article", flat=True)
        self.assertEqual(set(with_bylines), set(demo.values_list("pk", flat=True)))
        self.assertEqual(list(content_checks.body_problems(on_article=lambda: None)), [])
        # Rendered while the vectors are built (PostgreSQL), as a save renders them.
        assert_stored_as_rendered(self, list(demo))
        if connection.vendor == "postgresql":
            for stored, rebuilt in demo.annotate(fresh=search_vector()).values_list(
                "search_vector", "fresh"
            ):
                self.assertEqual(stored, rebuilt)
        self.assertConnectionsBackTo(before)

    def test_a_batch_reads_back_none_of_the_rows_it_wrote(self) -> None:
        """Every batch costs the same few queries, and none reads back the articles,
        topics, bylines or quotes the seed wrote: inside the seed's one transaction
        the tables' statistics are out of date, and PostgreSQL read those rows by
        walking the whole table, so each batch of a large seed took longer than the
        last."""
        batches: list[list[str]] = []
        write_batch = Writer.write

        def write(writer: Writer, records: list[schema.ArticleRecord]) -> list[str]:
            with CaptureQueriesContext(connection) as queries:
                actions = write_batch(writer, records)
            batches.append([query["sql"] for query in queries])
            return actions

        with mock.patch.object(Writer, "write", autospec=True, side_effect=write):
            self.seed(34)
        # The first batch also looks up the topics, speakers and organisations.
        later = batches[1:]
        per_batch = 16 if connection.vendor == "postgresql" else 15
        self.assertEqual([len(queries) for queries in later], [per_batch] * len(later))
        links = ("articles_taggedarticle", "articles_byline", "articles_quote")
        self.assertEqual(
            [
                sql
                for queries in later
                for sql in queries
                if sql.startswith(("SELECT", "DECLARE"))
                and any(f'FROM "{table}"' in sql or f'JOIN "{table}"' in sql for table in links)
            ],
            [],
        )

    def test_articles_are_written_by_the_import_writer(self) -> None:
        """seed_demo hands its articles to import_articles' writer, as interchange
        records, a batch at a time."""
        with mock.patch.object(Writer, "write", autospec=True, side_effect=Writer.write) as write:
            self.seed(33)
        batches = [call.args[1] for call in write.call_args_list]
        self.assertEqual([len(batch) for batch in batches], [5, 5, 5, 5, 3])
        records = [record for batch in batches for record in batch]
        self.assertTrue(all(isinstance(record, schema.ArticleRecord) for record in records))
        self.assertEqual(
            {record.slug for record in records},
            set(Article.objects.filter(slug__regex=r"-33-[0-9]+$").values_list("slug", flat=True)),
        )

    def test_bodies_and_vectors_made_ahead_are_those_made_here(self) -> None:
        """A seed of several batches renders the next batch's bodies in a worker process,
        and (PostgreSQL) builds their search vectors, while it writes this one: most
        bodies come from there, and every stored body and vector is what rendering or
        building it for the article written gives."""
        rendered_here = 0
        render = BodyRenderer.render

        def count(renderer: BodyRenderer, *args: Any, **kwargs: Any) -> Any:
            nonlocal rendered_here
            rendered_here += 1
            return render(renderer, *args, **kwargs)

        built = 0
        start = VectorBuilder.start

        def build(builder: VectorBuilder, documents: list[tuple[str, ...]]) -> Any:
            nonlocal built
            built += len(documents)
            return start(builder, documents)

        with (
            mock.patch.object(BodyRenderer, "render", count),
            mock.patch.object(VectorBuilder, "start", build),
        ):
            run_command(
                "seed_demo", "--articles", "200", "--authors", "4", "--seed", "35",
                "--batch-size", "40", "-v", "0",
            )  # fmt: skip
        # The first batch's bodies, and those that quote a speaker the writer had not
        # looked up when they were sent, are rendered here.
        self.assertLess(rendered_here, 100)
        # Each vector is built once: those built ahead are taken.
        self.assertEqual(built, 200 if connection.vendor == "postgresql" else 0)
        demo = Article.objects.filter(slug__regex=r"-35-[0-9]+$")
        assert_stored_as_rendered(self, list(demo))
        if connection.vendor == "postgresql":
            for stored, rebuilt in demo.annotate(fresh=search_vector()).values_list(
                "search_vector", "fresh"
            ):
                self.assertEqual(stored, rebuilt)

    def test_a_failing_worker_fails_the_seed_which_adds_nothing(self) -> None:
        """An error in the worker, or its end, is a one-line CommandError, not a hang;
        nothing stays, and no connection is left behind."""
        before, upkeep = self.backends(), self.upkeep()
        failures = [
            (
                "render_nothing",
                "Rendering the bodies failed (tests.test_command_seed_demo.render_nothing "
                "failed: ValueError('a body no renderer can take')); no demo content was added.",
            ),
            (
                "render_and_die",
                "Rendering the bodies failed (the worker process ended (exit code 3)); "
                "no demo content was added.",
            ),
        ]
        for function, message in failures:
            with (
                self.subTest(function),
                mock.patch.object(seed_demo, "RENDER_PLAIN", f"{__name__}.{function}"),
                self.assertRaisesMessage(CommandError, message),
            ):
                self.seed(36)
            self.assertFalse(Article.objects.filter(slug__regex=r"-36-[0-9]+$").exists())
        self.assertConnectionsBackTo(before)
        self.assertEqual(self.upkeep(), upkeep)

    def test_interrupted_seed_adds_nothing(self) -> None:
        """Ctrl-C while the third batch's rows are written (its articles are in by
        then): nothing stays, and no connection is left behind."""
        before, upkeep, calls = self.backends(), self.upkeep(), 0
        replace_related = Writer.replace_related

        def interrupt_third(writer: Writer, *args: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise KeyboardInterrupt
            replace_related(writer, *args)

        with (
            mock.patch.object(Writer, "replace_related", interrupt_third),
            self.assertRaisesMessage(CommandError, "Interrupted: no demo content was added."),
        ):
            self.seed(32)
        self.assertEqual(calls, 3)
        self.assertFalse(Article.objects.filter(slug__regex=r"-32-[0-9]+$").exists())
        self.assertFalse(Byline.objects.filter(article__slug__regex=r"-32-[0-9]+$").exists())
        self.assertConnectionsBackTo(before)
        self.assertEqual(self.upkeep(), upkeep)
