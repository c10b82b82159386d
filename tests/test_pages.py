"""Reader pages: home, related stories, date archives, error pages, weight and markup."""

import datetime
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from unittest import mock

from django.contrib.staticfiles import finders
from django.test import Client, TestCase
from django.utils import timezone

from articles.models import Article
from tests.base import SEED_URL
from tests.factories import ArticleFactory


def at(days_ago: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


class HomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.newest = ArticleFactory(headline="Newest story", published_at=at(0.1))
        cls.newest.tags.add("Cloud")
        for n in range(3):
            ArticleFactory(headline=f"Cloud story {n}", published_at=at(1 + n)).tags.add(
                "Cloud", "Data"
            )
        ArticleFactory(headline="Data only story", published_at=at(5)).tags.add("Data")

    def test_lead_story_is_the_newest(self) -> None:
        html = self.client.get("/").content.decode()
        lead = re.search(r'<section class="lead-story".*?</section>', html, re.S)[0]
        self.assertIn("Newest story", lead)
        self.assertIn("card--lead", lead)
        self.assertEqual(html.count("card--lead"), 1, "only the lead story is shown large")

    def test_latest_section_lists_the_rest_newest_first(self) -> None:
        html = self.client.get("/").content.decode()
        latest = re.search(r'aria-labelledby="latest-heading".*?</section>', html, re.S)[0]
        self.assertNotIn("Newest story", latest)
        headlines = re.findall(r'class="card__headline"><a [^>]+>([^<]+)</a>', latest)
        self.assertEqual(
            headlines[:4], ["Cloud story 0", "Cloud story 1", "Cloud story 2", "Data only story"]
        )

    @mock.patch("newsroom.views.PER_PAGE", 2)
    def test_topic_blocks_show_the_busiest_topics_with_their_newest_stories(self) -> None:
        """Blocks carry each busy topic's newest stories not already listed above."""
        response = self.client.get("/")
        blocks = dict(self.topic_blocks(response.content.decode()))
        self.assertEqual(list(blocks)[:2], ["Cloud", "Data"])
        self.assertEqual(blocks["Cloud"], ["Cloud story 1", "Cloud story 2"])
        self.assertContains(response, '<a href="/topics/cloud/">Cloud</a>')

    @staticmethod
    def topic_blocks(html: str) -> list[tuple[str, list[str]]]:
        """Each topic block's topic and the headlines of its stories, in page order."""
        return [
            (topic, re.findall(r'class="card__headline"><a [^>]+>([^<]+)</a>', block))
            for topic, block in re.findall(
                r'<section class="topic-block".*?<a href="/topics/[^"]+/">([^<]+)</a>(.*?)'
                r"</section>",
                html,
                re.S,
            )
        ]

    def test_no_story_is_shown_twice(self) -> None:
        """With every story already on the page, no topic block repeats one."""
        html = self.client.get("/").content.decode()
        self.assertEqual(html.count(">Newest story</a>"), 1)
        self.assertNotIn("topic-block", html)

    def test_later_pages_have_no_lead_or_topic_blocks(self) -> None:
        ArticleFactory.create_batch(20, published_at=at(0.05))
        response = self.client.get("/", {"page": "2"})
        self.assertNotContains(response, "lead-story")
        self.assertNotContains(response, "topic-block")
        self.assertContains(response, 'rel="prev"')


class RelatedStoriesTests(TestCase):
    def test_related_share_a_topic_newest_first_without_the_article_itself(self) -> None:
        article = ArticleFactory(headline="The story", published_at=at(3))
        article.tags.add("Ports", "Trade")
        ArticleFactory(headline="Unrelated", published_at=at(0.5)).tags.add("Sport")
        for n, tag in enumerate(["Ports", "Trade", "Ports", "Trade", "Ports"]):
            ArticleFactory(headline=f"Related {n}", published_at=at(1 + n / 10)).tags.add(tag)
        html = self.client.get(article.get_absolute_url()).content.decode()
        related = re.search(r'<section class="related".*?</section>', html, re.S)[0]
        headlines = re.findall(r'class="card__headline"><a [^>]+>([^<]+)</a>', related)
        self.assertEqual(headlines, ["Related 0", "Related 1", "Related 2", "Related 3"])

    def test_article_without_topics_has_no_related_section(self) -> None:
        article = ArticleFactory()
        self.assertNotContains(self.client.get(article.get_absolute_url()), 'class="related"')


class RelatedStoriesFollowTheRuleTests(TestCase):
    """The related stories are the newest four live stories sharing a topic at the
    moment of the request: time, publishing, deleting, topics and what a card shows
    change them at once, on a page already served (its topics' newest stories kept for
    the content generation, each change committed as production commits), and with no
    save for time."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = ArticleFactory(headline="The story", published_at=at(3))
        cls.article.tags.add("Ports")
        cls.url = cls.article.get_absolute_url()

    def committed(self, change: Callable[[], object]) -> None:
        """Make a change as production does: its on-commit callbacks run."""
        with self.captureOnCommitCallbacks(execute=True):
            change()

    def related(self) -> list[str]:
        html = self.client.get(self.url).content.decode()
        found = re.search(r'<section class="related".*?</section>', html, re.S)
        return re.findall(r'class="card__headline"><a [^>]+>([^<]+)</a>', found[0] if found else "")

    def later(self, hours: float) -> AbstractContextManager[object]:
        return mock.patch(
            "django.utils.timezone.now",
            return_value=timezone.now() + datetime.timedelta(hours=hours),
        )

    def test_a_scheduled_story_joins_when_its_time_comes(self) -> None:
        ArticleFactory(headline="Scheduled", published_at=at(-1 / 24)).tags.add("Ports")
        self.assertEqual(self.related(), [])
        with self.later(2):
            self.assertEqual(self.related(), ["Scheduled"])

    def test_an_embargoed_story_joins_when_its_embargo_ends(self) -> None:
        ArticleFactory(
            headline="Embargoed", published_at=at(1), embargo_until=at(-1 / 24)
        ).tags.add("Ports")
        self.assertEqual(self.related(), [])
        with self.later(2):
            self.assertEqual(self.related(), ["Embargoed"])

    def test_unpublished_and_deleted_stories_leave_at_once(self) -> None:
        unpublished = ArticleFactory(headline="Unpublished", published_at=at(1))
        deleted = ArticleFactory(headline="Deleted", published_at=at(2))
        for story in (unpublished, deleted):
            story.tags.add("Ports")
        self.assertEqual(self.related(), ["Unpublished", "Deleted"])
        unpublished.status = Article.Status.DRAFT
        self.committed(unpublished.save)
        self.assertEqual(self.related(), ["Deleted"])
        self.committed(deleted.delete)
        self.assertEqual(self.related(), [])

    def test_a_topic_added_or_removed_changes_them_at_once(self) -> None:
        other = ArticleFactory(headline="Other", published_at=at(1))
        other.tags.add("Trade")
        self.assertEqual(self.related(), [])
        self.committed(lambda: self.article.tags.add("Trade"))
        self.assertEqual(self.related(), ["Other"])
        self.committed(lambda: other.tags.remove("Trade"))
        self.assertEqual(self.related(), [])
        self.committed(lambda: other.tags.add("Ports"))
        self.assertEqual(self.related(), ["Other"])
        self.committed(self.article.tags.clear)
        self.assertEqual(self.related(), [])

    def test_a_related_story_retitled_or_its_author_renamed_shows_at_once(self) -> None:
        related = ArticleFactory(headline="Before", published_at=at(1))
        related.tags.add("Ports")
        self.assertEqual(self.related(), ["Before"])
        related.headline = "After"
        self.committed(related.save)
        self.assertEqual(self.related(), ["After"])
        author = related.ordered_authors[0]
        author.name = "Renamed Writer"
        self.committed(author.save)
        html = self.client.get(self.url).content.decode()
        self.assertIn(
            "Renamed Writer", re.search(r'<section class="related".*?</section>', html, re.S)[0]
        )

    def test_only_the_newest_four(self) -> None:
        for n in range(6):
            ArticleFactory(headline=f"Story {n}", published_at=at(1 + n / 10)).tags.add("Ports")
        self.assertEqual(self.related(), [f"Story {n}" for n in range(4)])


class ArchiveTests(TestCase):
    def test_year_month_and_day_list_the_seeded_story(self) -> None:
        for url, heading in [
            ("/archive/2018/", "Stories of 2018"),
            ("/archive/2018/06/", "Stories of June 2018"),
            ("/archive/2018/06/25/", "Stories of 25 June 2018"),
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, f"<h1>{heading}</h1>", html=True)
                self.assertContains(response, SEED_URL)

    def test_year_links_its_months_and_month_its_days(self) -> None:
        self.assertContains(self.client.get("/archive/2018/"), 'href="/archive/2018/06/"')
        self.assertContains(self.client.get("/archive/2018/06/"), 'href="/archive/2018/06/25/"')
        self.assertContains(self.client.get("/archive/"), 'href="/archive/2018/"')

    def test_neighbouring_periods_are_linked(self) -> None:
        ArticleFactory(published_at=datetime.datetime(2019, 3, 5, 12, tzinfo=datetime.UTC))
        self.assertContains(self.client.get("/archive/2018/"), 'href="/archive/2019/"')
        self.assertContains(self.client.get("/archive/2019/03/"), 'href="/archive/2018/06/"')

    def test_empty_or_impossible_dates_are_404(self) -> None:
        for url in [
            "/archive/2017/",
            "/archive/2018/13/",
            "/archive/2018/02/30/",
            "/archive/0000/",
            "/archive/2018/6/",
            "/archive/2999/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class PageQualityTests(TestCase):
    def test_article_html_plus_css_under_60_kb(self) -> None:
        """The seeded story (five quotes, two pictures) weighs under 60 KB before images."""
        html = len(self.client.get(SEED_URL).content)
        with open(finders.find("css/site.css"), "rb") as css:
            weight = html + len(css.read())
        self.assertLess(weight, 60 * 1024, f"{weight} bytes")

    def test_no_third_party_scripts_fonts_or_styles(self) -> None:
        """Every script, stylesheet and font comes from the site itself."""
        for url in ["/", SEED_URL, "/authors/slauchlan/", "/topics/salesforce/", "/search/?q=x"]:
            html = self.client.get(url).content.decode()
            with self.subTest(url=url):
                for src in re.findall(r'<script[^>]+src="([^"]+)"', html):
                    self.assertTrue(src.startswith("/static/"), src)
                for href in re.findall(r'<link rel="(?:stylesheet|preload)" href="([^"]+)"', html):
                    self.assertTrue(href.startswith("/static/"), href)
        css = Path(finders.find("css/site.css")).read_text()
        self.assertNotIn("@import", css)
        # The web fonts are the site's own files (static/fonts/), named relative to the CSS.
        fonts = re.findall(r'url\("?([^")]+)"?\)', css)
        self.assertTrue(fonts)
        self.assertTrue(all(font.startswith("../fonts/") for font in fonts), fonts)

    def test_landmarks_skip_link_and_one_h1(self) -> None:
        for url in [
            "/",
            SEED_URL,
            "/authors/slauchlan/",
            "/topics/salesforce/",
            "/search/?q=x",
            "/archive/2018/",
        ]:
            html = self.client.get(url).content.decode()
            with self.subTest(url=url):
                self.assertIn('<a class="skip-link" href="#main">', html)
                self.assertIn('<main id="main"', html)
                self.assertIn('<header class="site-header">', html)
                self.assertIn('<footer class="site-footer">', html)
                self.assertEqual(html.count("<h1"), 1)

    def test_stylesheet_has_print_rules_and_visible_focus(self) -> None:
        css = Path(finders.find("css/site.css")).read_text()
        self.assertIn("@media print", css)
        self.assertIn(":focus-visible", css)

    def test_404_is_styled(self) -> None:
        response = self.client.get("/articles/not-here/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, "/static/css/site.css", status_code=404)

    def test_500_is_styled(self) -> None:
        """An unexpected error shows the site's own page, not a traceback."""
        client = Client(raise_request_exception=False)
        with mock.patch("reader.views.render", side_effect=ZeroDivisionError):
            response = client.get(SEED_URL)
        self.assertContains(response, "Something went wrong", status_code=500)
        self.assertContains(response, "/static/css/site.css", status_code=500)
