"""Querysets compiled once (newsroom.compiled): the rows and instances the queryset
itself gives, with each run's values."""

import datetime
import threading

from django.db import connection, connections
from django.db.models import DateTimeField, F, IntegerField, QuerySet
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from newsroom.compiled import CompiledQuery, Parameter
from reader import fragments
from tests.factories import ArticleFactory


def live_before(moment: datetime.datetime | Parameter) -> QuerySet[Article]:
    """Live articles at the moment with their stored card, newest first."""
    return fragments.for_cards(Article.objects.published(now=moment)).order_by("-published_at")


class CompiledQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        now = timezone.now()
        cls.moments = [now - datetime.timedelta(days=days) for days in (3, 2, 1)]
        cls.articles = [ArticleFactory(published_at=moment) for moment in cls.moments]
        # Stored parts for two of them: select_related's row, and its absence.
        fragments.store([cls.articles[0].pk, cls.articles[1].pk])
        cls.built = 0

    def compiled(self) -> CompiledQuery[Article]:
        def build() -> QuerySet[Article]:
            self.built += 1
            return live_before(Parameter("now", DateTimeField()))

        return CompiledQuery(build)

    def test_the_instances_are_the_querysets_with_each_runs_values(self) -> None:
        query = self.compiled()
        for moment in [*self.moments, timezone.now()]:
            with self.subTest(moment=moment):
                expected = list(live_before(moment))
                found = query.objects(now=moment)
                self.assertEqual(found, expected)
                for mine, theirs in zip(found, expected, strict=True):
                    # The same fields read, with their types (datetimes on SQLite too),
                    # and the same related row, or none.
                    self.assertEqual(mine.get_deferred_fields(), theirs.get_deferred_fields())
                    self.assertEqual(mine.published_at, theirs.published_at)
                    self.assertEqual(
                        getattr(mine, "stored", None) and mine.stored.card,
                        getattr(theirs, "stored", None) and theirs.stored.card,
                    )
                    self.assertIs(fragments.is_current(mine), fragments.is_current(theirs))

    def test_compiled_once_for_many_runs(self) -> None:
        query = self.compiled()
        for moment in self.moments:
            query.objects(now=moment)
        self.assertEqual(self.built, 1)

    def test_one_query_a_run(self) -> None:
        query = self.compiled()
        query.objects(now=timezone.now())
        with self.assertNumQueries(1):
            query.objects(now=timezone.now())

    def test_a_missing_or_unknown_value_is_named(self) -> None:
        query = CompiledQuery(
            lambda: Article.objects.filter(pk=Parameter("article", IntegerField()))
        )
        for run in (query.objects, query.rows):
            with (
                self.subTest(run=run.__name__),
                self.assertRaisesMessage(
                    TypeError, "No value given for the query's parameter 'article'"
                ),
            ):
                run(now=timezone.now())
            with (
                self.subTest(run=run.__name__),
                self.assertRaisesMessage(TypeError, "The query has no parameter 'now'"),
            ):
                run(article=1, now=timezone.now())


def live_rows(moment: datetime.datetime | Parameter) -> QuerySet[Article, tuple[object, ...]]:
    """Live articles at the moment as rows: a date, a text and an expression's value."""
    return (
        Article.objects.published(now=moment)
        .order_by("-published_at", "-pk")
        .values_list("pk", "published_at", "slug", F("version") + 1)
    )


class CompiledRowsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        now = timezone.now()
        cls.moments = [now - datetime.timedelta(days=days) for days in (4, 3, 2, 1)]
        cls.articles = [ArticleFactory(published_at=moment) for moment in cls.moments]

    def setUp(self) -> None:
        self.query = CompiledQuery(lambda: live_rows(Parameter("now", DateTimeField())))

    def test_the_rows_are_the_querysets_with_each_runs_values(self) -> None:
        for moment in [*self.moments, timezone.now()]:
            with self.subTest(moment=moment):
                expected = list(live_rows(moment))
                found = self.query.rows(now=moment)
                self.assertEqual(found, expected)
                # Converted as Django converts them: an aware datetime on SQLite too.
                for row in found:
                    self.assertIsInstance(row, tuple)
                    self.assertTrue(timezone.is_aware(row[1]))

    def test_limit_and_offset_are_the_querysets_slice(self) -> None:
        now = timezone.now()
        every = list(live_rows(now))
        for limit, offset in [(1, 0), (2, 1), (10, 2), (2, 4), (None, 1)]:
            with self.subTest(limit=limit, offset=offset), self.assertNumQueries(1):
                end = None if limit is None else offset + limit
                self.assertEqual(self.query.rows(limit, offset, now=now), every[offset:end])

    def test_a_sliced_queryset_takes_no_limit(self) -> None:
        query = CompiledQuery(lambda: live_rows(Parameter("now", DateTimeField()))[:2])
        self.assertEqual(query.rows(now=timezone.now()), list(live_rows(timezone.now())[:2]))
        with self.assertRaisesMessage(TypeError, "The queryset is sliced already"):
            query.rows(1, now=timezone.now())

    def test_instances_are_not_made_of_rows(self) -> None:
        with self.assertRaisesMessage(TypeError, "A values queryset gives rows"):
            self.query.objects(now=timezone.now())


class CompiledPerConnectionTests(TransactionTestCase):
    # Another thread reads what this one wrote: committed, and the database restored
    # afterwards as the tests after it expect (content types, the seed story).
    serialized_rollback = True

    def test_each_connection_runs_its_own_compiled_query(self) -> None:
        ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=1))
        query = CompiledQuery(lambda: live_rows(Parameter("now", DateTimeField())))
        now = timezone.now()
        expected = list(live_rows(now))
        self.assertEqual(query.rows(now=now), expected)
        found: dict[str, object] = {}

        def other_thread() -> None:
            # A thread has a connection of its own.
            try:
                with CaptureQueriesContext(connections["default"]) as ran:
                    found["rows"] = query.rows(now=now)
                found["queries"] = len(ran)
            finally:
                connections.close_all()

        with CaptureQueriesContext(connection) as here:
            thread = threading.Thread(target=other_thread)
            thread.start()
            thread.join()
        self.assertEqual(found, {"rows": expected, "queries": 1})
        self.assertEqual(len(here), 0)
