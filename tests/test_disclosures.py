"""Disclosures attach themselves to articles, as of the article's publication time."""

import datetime
import html
import re

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from articles.services import (
    publish,
    record_disclosures,
    record_upcoming_disclosures,
    unpublish,
)
from disclosures.models import AuthorInterest, Disclosure
from tests.base import page_text
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    AuthorInterestFactory,
    DisclosureFactory,
    OrganisationFactory,
)

PUBLISHED = datetime.datetime(2021, 6, 15, 12, tzinfo=datetime.UTC)
DISCLOSURE_LINE = r'<p class="disclosure">Disclosure - At time of writing (.*?)</p>'


def day(iso: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(iso) if iso else None


class DisclosureTestCase(TestCase):
    """An article about Example Corp, published on 15 June 2021, by one author."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.org = OrganisationFactory(name="Example Corp", slug="example-corp")
        cls.author = AuthorFactory(name="Jane Reporter")
        cls.article = ArticleFactory(published_at=PUBLISHED, authors=[cls.author])
        cls.article.tags.add(cls.org.tag)

    def disclose(
        self, statement: str, start: str, end: str | None = None, **kw: object
    ) -> Disclosure:
        return DisclosureFactory(
            organisation=kw.pop("organisation", self.org),
            statement=statement,
            valid_from=day(start),
            valid_until=day(end),
            **kw,
        )

    def shown(self, article: Article | None = None) -> list[str]:
        """The disclosure lines a reader sees on the article page."""
        response = self.client.get((article or self.article).get_absolute_url())
        return [
            html.unescape(line) for line in re.findall(DISCLOSURE_LINE, response.content.decode())
        ]

    def publish(self, article: Article | None = None) -> None:
        """What the admin does after saving an article and its tags."""
        record_disclosures(article=Article.objects.get(pk=(article or self.article).pk))


class DisclosureWindowTests(DisclosureTestCase):
    def test_only_relationships_valid_at_publication(self) -> None:
        """Before, after: never. During, open-ended, ending or beginning that day: shown."""
        self.disclose("ended before", "2019-01-01", "2021-06-14")
        self.disclose("during", "2021-01-01", "2021-12-31")
        self.disclose("open-ended", "2020-01-01")
        self.disclose("began after", "2021-06-16")
        self.disclose("ends that day", "2021-01-01", "2021-06-15")
        self.disclose("begins that day", "2021-06-15")
        self.publish()
        self.assertCountEqual(
            self.shown(), ["during", "open-ended", "ends that day", "begins that day"]
        )

    def test_two_overlapping_relationships_are_both_shown(self) -> None:
        """A partner that is also an advertiser discloses both."""
        self.disclose("Example Corp is a partner", "2020-01-01")
        self.disclose(
            "Example Corp advertises here",
            "2021-03-01",
            "2021-09-30",
            kind=Disclosure.Kind.ADVERTISER,
        )
        self.publish()
        self.assertEqual(
            self.shown(), ["Example Corp is a partner", "Example Corp advertises here"]
        )

    def test_organisation_without_relationships_carries_none(self) -> None:
        """An article about an organisation with no register entry shows no disclosure,
        even when another organisation has one."""
        self.disclose("Other Corp is a client", "2000-01-01", organisation=OrganisationFactory())
        self.publish()
        self.assertEqual(self.shown(), [])

    def test_article_specific_disclosure_shows_on_that_article_only(self) -> None:
        """A disclosure written for one article shows on it and on no other."""
        self.disclose(
            "The author attended as a guest of Example Corp",
            "2021-06-01",
            kind=Disclosure.Kind.PERSONAL,
            article=self.article,
        )
        other = ArticleFactory(published_at=PUBLISHED)
        other.tags.add(self.org.tag)
        self.publish()
        self.publish(other)
        self.assertEqual(self.shown(), ["The author attended as a guest of Example Corp"])
        self.assertEqual(self.shown(other), [])

    def test_authors_interests_by_date(self) -> None:
        """The author's holdings and seats held that day show; ended or later ones do not;
        a former employer stays disclosed after the job ended."""
        interest = AuthorInterest.Kind
        for statement, kind, start, end in [
            ("Jane holds shares in Example Corp", interest.HOLDING, "2020-01-01", None),
            ("Jane sat on its board", interest.BOARD, "2015-01-01", "2020-12-31"),
            ("Jane advises it", interest.BOARD, "2021-07-01", None),
            (
                "Jane worked for Example Corp from 2010 to 2014",
                interest.EMPLOYER,
                "2010-01-01",
                "2014-12-31",
            ),
        ]:
            AuthorInterestFactory(
                author=self.author,
                organisation=self.org,
                statement=statement,
                kind=kind,
                started_on=day(start),
                ended_on=day(end),
            )
        AuthorInterestFactory(organisation=self.org, statement="Someone else's shares")
        AuthorInterestFactory(author=self.author, statement="Jane's shares in another company")
        self.publish()
        self.assertEqual(
            self.shown(),
            ["Jane holds shares in Example Corp", "Jane worked for Example Corp from 2010 to 2014"],
        )

    def test_author_page_lists_interests_with_dates(self) -> None:
        """Readers find an author's register of interests on their page."""
        AuthorInterestFactory(
            author=self.author,
            organisation=self.org,
            statement="Jane holds shares in Example Corp",
            started_on=day("2019-03-01"),
            ended_on=day("2022-02-01"),
        )
        response = self.client.get(self.author.get_absolute_url())
        self.assertIn(
            "Jane holds shares in Example Corp (Shareholding or other financial holding, "
            "Example Corp, March 2019 to February 2022)",
            page_text(response),
        )
        self.assertContains(response, 'href="/organisations/example-corp/"')


class DisclosureHistoryTests(DisclosureTestCase):
    """Editing the register later does not rewrite history."""

    def test_register_edits_after_publication_do_not_change_the_article(self) -> None:
        """Rewording, ending, deleting an entry or backdating a new one leaves the
        published article showing what was true when it was published."""
        reworded = self.disclose("Example Corp is a partner", "2020-01-01")
        deleted = self.disclose("Example Corp is a client", "2020-01-01")
        self.publish()
        self.assertEqual(self.shown(), ["Example Corp is a partner", "Example Corp is a client"])

        reworded.statement = "Example Corp is a premier partner"
        reworded.valid_until = day("2020-12-31")
        reworded.save()
        deleted.delete()
        self.disclose("Example Corp is an investor", "2019-01-01")
        self.publish()  # saving the article again does not re-take its disclosures

        self.assertEqual(self.shown(), ["Example Corp is a partner", "Example Corp is a client"])
        # A new article about the same organisation gets the register as it stands now.
        later = ArticleFactory(published_at=PUBLISHED)
        later.tags.add(self.org.tag)
        self.publish(later)
        self.assertEqual(self.shown(later), ["Example Corp is an investor"])

    def test_scheduled_article_goes_out_with_the_register_of_its_time(self) -> None:
        """Until it is live, a scheduled article follows register changes; the admin's
        register edits re-take it."""
        scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=2))
        scheduled.tags.add(self.org.tag)
        old = self.disclose("Example Corp was a partner", "2020-01-01")
        self.publish(scheduled)
        old.valid_until = timezone.localdate()
        old.save()
        self.disclose("Example Corp is a sponsor", timezone.localdate().isoformat())
        self.assertEqual(record_upcoming_disclosures(), 1)
        Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
        self.assertEqual(self.shown(scheduled), ["Example Corp is a sponsor"])

    def test_draft_records_nothing_until_published(self) -> None:
        """A draft has no recorded disclosures; publishing records them."""
        self.disclose("Example Corp is a partner", "2020-01-01")
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.DRAFT)
        draft = Article.objects.get(pk=self.article.pk)
        self.assertIs(record_disclosures(article=draft), False)
        self.assertFalse(draft.recorded_disclosures.exists())
        self.assertIsNone(draft.disclosures_as_of)

        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.PUBLISHED)
        self.publish()
        recorded = Article.objects.get(pk=self.article.pk)
        self.assertEqual(recorded.disclosures_as_of, PUBLISHED)
        self.assertEqual(
            [r.statement for r in recorded.recorded_disclosures.all()],
            ["Example Corp is a partner"],
        )

    def test_article_no_publishing_path_recorded_shows_the_register(self) -> None:
        """A live article published without the admin (an import, a script) still shows
        the register's disclosures for its publication day, until it is recorded."""
        self.disclose("Example Corp is a partner", "2020-01-01")
        self.assertIsNone(Article.objects.get(pk=self.article.pk).disclosures_as_of)
        self.assertEqual(self.shown(), ["Example Corp is a partner"])


class DisclosuresPageTests(DisclosureTestCase):
    def test_lists_current_and_past_relationships_with_dates(self) -> None:
        """/disclosures/ names each relationship with its dates, current ones first,
        and leaves out disclosures written for one article."""
        self.disclose("Example Corp is a partner of this site", "2020-01-01")
        self.disclose(
            "Example Corp was a sponsor", "2018-01-01", "2019-06-30", kind=Disclosure.Kind.SPONSOR
        )
        self.disclose("Only on one article", "2021-01-01", article=self.article)
        text = page_text(self.client.get("/disclosures/"))
        current, past = text.split("Current relationships")[1].split("Past relationships")
        self.assertIn(
            "Example Corp is a partner of this site (Partner, since 1 January 2020)", current
        )
        self.assertIn("Example Corp was a sponsor (Sponsor, 1 January 2018 to 30 June 2019)", past)
        self.assertNotIn("Only on one article", text)

    def test_every_article_and_page_links_to_disclosures_and_policies(self) -> None:
        """Article pages link to /disclosures/; the footer to the policy pages."""
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, 'href="/disclosures/"', count=2)  # article foot + footer
        for slug in ["ethics", "corrections", "ownership"]:
            with self.subTest(slug=slug):
                self.assertContains(response, f'href="/about/{slug}/"')


class WorkflowDisclosureTests(DisclosureTestCase):
    """The editorial workflow's moves record disclosures as of the publication time."""

    def setUp(self) -> None:
        self.editor = get_user_model().objects.create_superuser("ed", "ed@example.com", "pw")
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.DRAFT)
        self.draft = Article.objects.get(pk=self.article.pk)
        self.disclose("Example Corp is a partner", "2020-01-01", "2030-12-31")

    def test_publishing_records_and_freezes(self) -> None:
        """Published now, the article keeps its disclosures when the register changes."""
        publish(article=self.draft, user=self.editor)
        Disclosure.objects.update(statement="Reworded later")
        self.assertEqual(self.shown(), ["Example Corp is a partner"])

    def test_unpublishing_keeps_what_readers_saw_and_republishing_retakes(self) -> None:
        """Taken down, the record stays; published again at a new time, the article
        carries what the register says for that time."""
        article = publish(article=self.draft, user=self.editor)
        article = unpublish(article=article, user=self.editor)
        self.assertEqual(
            [r.statement for r in article.recorded_disclosures.all()], ["Example Corp is a partner"]
        )
        self.disclose("Example Corp is now also a client", "2020-01-01")
        publish(article=article, user=self.editor)
        self.assertEqual(
            self.shown(), ["Example Corp is a partner", "Example Corp is now also a client"]
        )

    def test_scheduling_records_for_the_scheduled_day(self) -> None:
        """Scheduled after the relationship ends, the article will not carry it;
        unscheduled, its record is dropped."""
        later = timezone.now().replace(year=2031)
        article = publish(article=self.draft, user=self.editor, at=later)
        self.assertEqual(article.disclosures_as_of, later)
        self.assertFalse(article.recorded_disclosures.exists())
        article = unpublish(article=article, user=self.editor)
        self.assertIsNone(article.disclosures_as_of)
