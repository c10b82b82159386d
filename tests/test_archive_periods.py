"""The archive pages' lists of periods with stories: the years of the index,
the months of a year, the days of a month. They are asked of the database one index
probe a period instead of a DISTINCT over every article of the period, and must list
exactly what that DISTINCT lists: the site's time zone, published stories only."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.test import TestCase, override_settings
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

LONDON = ZoneInfo("Europe/London")


def london(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=LONDON)


@override_settings(TIME_ZONE="Europe/London")
class PeriodListTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        for when in [
            london(2024, 3, 5, 10),
            london(2024, 3, 31, 23, 30),
            # 23:30 in UTC on 30 June is 00:30 on 1 July in London (summer time).
            datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC),
        ]:
            ArticleFactory(published_at=when)
        # Neither may show its day, month or year.
        ArticleFactory(status=Article.Status.DRAFT, published_at=london(2023, 2, 10, 9))
        ArticleFactory(
            published_at=london(2022, 8, 12, 9),
            embargo_until=timezone.now() + datetime.timedelta(days=1),
        )

    def listed(self, url: str) -> list[datetime.datetime]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return list(response.context["date_list"])

    def distinct(self, kind: str, **period: int) -> list[datetime.datetime]:
        """Django's own answer: a DISTINCT of every published article's period."""
        lookups = {f"published_at__{part}": value for part, value in period.items()}
        return list(Article.objects.published().filter(**lookups).datetimes("published_at", kind))

    def test_index_lists_the_years_with_stories_newest_first(self) -> None:
        years = self.listed("/archive/")
        self.assertEqual(years, self.distinct("year")[::-1])
        self.assertIn(london(2025, 1, 1), years)
        self.assertIn(london(2024, 1, 1), years)
        self.assertNotIn(london(2023, 1, 1), years)
        self.assertNotIn(london(2022, 1, 1), years)

    def test_year_lists_its_months_with_stories(self) -> None:
        self.assertEqual(self.listed("/archive/2024/"), [london(2024, 3, 1)])
        self.assertEqual(self.listed("/archive/2024/"), self.distinct("month", year=2024))
        self.assertEqual(self.listed("/archive/2025/"), self.distinct("month", year=2025))
        self.assertIn(london(2025, 7, 1), self.listed("/archive/2025/"))

    def test_month_lists_its_days_with_stories_in_the_site_time_zone(self) -> None:
        self.assertEqual(
            self.listed("/archive/2024/03/"), [london(2024, 3, 5), london(2024, 3, 31)]
        )
        self.assertEqual(self.listed("/archive/2025/07/"), [london(2025, 7, 1)])
        self.assertEqual(self.client.get("/archive/2023/02/").status_code, 404)

    def add(self, when: datetime.datetime) -> None:
        """A story published at `when`, committed as production does: its pages list
        it at once (the periods they link to are kept per content generation)."""
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(published_at=when)

    def test_a_scheduled_story_shows_its_day_once_its_time_comes(self) -> None:
        self.add(london(2024, 3, 20, 9))
        clock = "django.utils.timezone.now"
        with mock.patch(clock, return_value=london(2024, 3, 10, 12)):
            self.assertEqual(self.listed("/archive/2024/03/"), [london(2024, 3, 5)])
            # Nor the later years: the index lists none after today (2018: the seeded story).
            self.assertEqual(self.listed("/archive/"), [london(2024, 1, 1), london(2018, 1, 1)])
        with mock.patch(clock, return_value=london(2024, 3, 20, 9)):
            self.assertEqual(
                self.listed("/archive/2024/03/"), [london(2024, 3, 5), london(2024, 3, 20)]
            )
        self.assertEqual(
            self.listed("/archive/2024/03/"),
            [london(2024, 3, 5), london(2024, 3, 20), london(2024, 3, 31)],
        )

    def test_a_story_dated_at_the_calendar_start_is_listed_too(self) -> None:
        """A mistyped year 1 or 2: the index then spans more years than one query
        probes (and no year before 1 bounds a probe), so Django's DISTINCT lists them."""
        for year in (2, 1):
            self.add(london(year, 1, 2, 12))
            with self.subTest(year=year):
                self.assertEqual(self.listed("/archive/"), self.distinct("year")[::-1])
                self.assertIn(london(year, 1, 1), self.listed("/archive/"))
                self.assertEqual(self.listed(f"/archive/{year:04}/"), [london(year, 1, 1)])
                self.assertEqual(self.listed(f"/archive/{year:04}/01/"), [london(year, 1, 2)])

    def test_links_follow_publishing_and_unpublishing_at_once(self) -> None:
        """The periods an archive page lists and the neighbours it links to are kept per
        content generation: a story published in another month shows in them at once,
        and leaves them at once when it is unpublished."""
        may = london(2024, 5, 1)
        self.assertEqual(self.listed("/archive/2024/"), [london(2024, 3, 1)])
        self.assertEqual(
            self.client.get("/archive/2024/03/").context["next_month"], london(2025, 7, 1).date()
        )
        with self.captureOnCommitCallbacks(execute=True):
            story = ArticleFactory(published_at=london(2024, 5, 9, 9))
        self.assertEqual(self.listed("/archive/2024/"), [london(2024, 3, 1), may])
        self.assertEqual(self.client.get("/archive/2024/03/").context["next_month"], may.date())
        self.assertEqual(self.listed("/archive/2024/05/"), [london(2024, 5, 9)])
        story.status = Article.Status.DRAFT
        with self.captureOnCommitCallbacks(execute=True):
            story.save()
        self.assertEqual(self.listed("/archive/2024/"), [london(2024, 3, 1)])
        self.assertEqual(
            self.client.get("/archive/2024/03/").context["next_month"], london(2025, 7, 1).date()
        )
        self.assertEqual(self.client.get("/archive/2024/05/").status_code, 404)
