"""Rules the database and the models enforce, whatever writes the rows."""

import datetime

from django.db import IntegrityError, transaction
from django.test import TestCase

from articles.models import Article
from tests.factories import ArticleFactory, DisclosureFactory


class ConstraintTests(TestCase):
    def assert_refused(self, **changes: object) -> None:
        article = ArticleFactory()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(**changes)

    def test_status_must_be_a_known_value(self) -> None:
        """The database refuses a status outside draft/review/published/archived."""
        self.assert_refused(status="live")

    def test_kind_must_be_a_known_value(self) -> None:
        self.assert_refused(kind="gossip")

    def test_published_article_needs_a_time(self) -> None:
        self.assert_refused(published_at=None)

    def test_slugs_are_unique(self) -> None:
        first = ArticleFactory()
        with self.assertRaises(IntegrityError), transaction.atomic():
            ArticleFactory(slug=first.slug)

    def test_disclosure_dates_must_be_in_order(self) -> None:
        """A relationship cannot end before it begins."""
        with self.assertRaises(IntegrityError), transaction.atomic():
            DisclosureFactory(
                valid_from=datetime.date(2020, 5, 1),
                valid_until=datetime.date(2020, 4, 30),
            )

    def test_every_save_bumps_the_version(self) -> None:
        article = ArticleFactory()
        version = article.version
        article.save()
        self.assertEqual(article.version, version + 1)
