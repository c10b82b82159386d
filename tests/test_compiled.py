"""Querysets compiled once (newsroom.compiled): the rows and instances the queryset
itself gives, with each run's values."""

import datetime

from django.db.models import DateTimeField, IntegerField, QuerySet
from django.test import TestCase
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

    def test_a_missing_value_is_named(self) -> None:
        query = CompiledQuery(
            lambda: Article.objects.filter(pk=Parameter("article", IntegerField()))
        )
        with self.assertRaisesMessage(
            TypeError, "No value given for the query's parameter 'article'"
        ):
            query.objects(now=timezone.now())
