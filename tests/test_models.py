"""Rules the database and the models enforce, whatever writes the rows."""

import datetime

from django.db import IntegrityError, transaction
from django.test import TestCase
from taggit.models import Tag

from articles.models import Article, Disclosure
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
        tag = Tag.objects.create(name="Example Corp", slug="example-corp")
        with self.assertRaises(IntegrityError), transaction.atomic():
            DisclosureFactory(
                organisation=tag,
                valid_from=datetime.date(2020, 5, 1),
                valid_until=datetime.date(2020, 4, 30),
            )

    def test_every_save_bumps_the_version(self) -> None:
        article = ArticleFactory()
        version = article.version
        article.save()
        self.assertEqual(article.version, version + 1)


class DisclosureWindowTests(TestCase):
    """An article carries the disclosures valid on the day it was published."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.org = Tag.objects.create(name="Example Corp", slug="example-corp")
        published = datetime.datetime(2021, 6, 15, 12, tzinfo=datetime.UTC)
        cls.article = ArticleFactory(published_at=published)
        cls.article.tags.add(cls.org)

    def statements(self) -> list[str]:
        article = Article.objects.for_page().get(pk=self.article.pk)
        return [d.statement for d in article.disclosures()]

    def disclose(self, statement: str, start: str, end: str | None = None) -> Disclosure:
        return DisclosureFactory(
            organisation=self.org,
            statement=statement,
            valid_from=datetime.date.fromisoformat(start),
            valid_until=datetime.date.fromisoformat(end) if end else None,
        )

    def test_only_relationships_valid_at_publication(self) -> None:
        self.disclose("before", "2019-01-01", "2020-12-31")
        self.disclose("during", "2021-01-01", "2021-12-31")
        self.disclose("open-ended", "2020-01-01")
        self.disclose("after", "2022-01-01")
        self.disclose("ends that day", "2021-01-01", "2021-06-15")
        self.assertCountEqual(self.statements(), ["during", "open-ended", "ends that day"])

    def test_other_organisations_do_not_attach(self) -> None:
        other = Tag.objects.create(name="Other Corp", slug="other-corp")
        DisclosureFactory(
            organisation=other, statement="other", valid_from=datetime.date(2000, 1, 1)
        )
        self.assertEqual(self.statements(), [])

    def test_article_specific_disclosure(self) -> None:
        """A disclosure written for one article shows on it and on no other."""
        DisclosureFactory(
            organisation=self.org,
            statement="The author owns shares in Example Corp",
            kind=Disclosure.Kind.PERSONAL,
            valid_from=datetime.date(2021, 6, 1),
            article=self.article,
        )
        other = ArticleFactory(published_at=self.article.published_at)
        other.tags.add(self.org)
        self.assertEqual(self.statements(), ["The author owns shares in Example Corp"])
        self.assertEqual(list(Article.objects.for_page().get(pk=other.pk).disclosures()), [])
