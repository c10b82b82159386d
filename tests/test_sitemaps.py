"""sitemap.xml (split into pages at scale), the Google News sitemap and robots.txt."""

import datetime
from unittest import mock

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from articles.models import Article
from reader.sitemaps import ArticleSitemap, AuthorSitemap, TopicSitemap
from tests.base import SEED_URL, parse_xml
from tests.factories import ArticleFactory, AuthorFactory

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = AuthorFactory(slug="writer")
        cls.fresh = ArticleFactory(headline="Fresh & new", authors=[cls.writer], slug="fresh-story")
        cls.fresh.tags.add("Fresh topic")
        cls.old = ArticleFactory(
            slug="three-days-old", published_at=timezone.now() - datetime.timedelta(days=3)
        )
        AuthorFactory(slug="no-stories-yet")

    def locations(self, url: str) -> list[str]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        return [loc.text for loc in parse_xml(response.content).iter(f"{SM}loc")]

    def test_index_lists_each_section(self) -> None:
        self.assertEqual(
            self.locations("/sitemap.xml"),
            [
                "http://testserver/sitemap-articles.xml",
                "http://testserver/sitemap-authors.xml",
                "http://testserver/sitemap-topics.xml",
            ],
        )

    def test_articles_section_lists_published_articles_with_lastmod(self) -> None:
        locations = self.locations("/sitemap-articles.xml")
        for path in [SEED_URL, "/articles/fresh-story/", "/articles/three-days-old/"]:
            self.assertIn(f"http://testserver{path}", locations)
        root = parse_xml(self.client.get("/sitemap-articles.xml").content)
        self.assertTrue(all(url.findtext(f"{SM}lastmod") for url in root.iter(f"{SM}url")))

    def test_authors_and_topics_sections_list_only_those_with_stories(self) -> None:
        authors = self.locations("/sitemap-authors.xml")
        self.assertIn("http://testserver/authors/writer/", authors)
        self.assertNotIn("http://testserver/authors/no-stories-yet/", authors)
        self.assertIn(
            "http://testserver/topics/fresh-topic/", self.locations("/sitemap-topics.xml")
        )

    def test_sections_split_into_pages_at_scale(self) -> None:
        """Past the per-file limit the index names page 2, 3... and each page holds the rest."""
        with mock.patch.object(ArticleSitemap, "limit", 2):
            index = self.locations("/sitemap.xml")
            self.assertIn("http://testserver/sitemap-articles.xml?p=2", index)
            first = self.locations("/sitemap-articles.xml")
            second = self.locations("/sitemap-articles.xml?p=2")
            self.assertEqual(len(first), 2)
            self.assertEqual(len(second), 1)
            self.assertFalse(set(first) & set(second))
            self.assertEqual(self.client.get("/sitemap-articles.xml?p=3").status_code, 404)
            self.assertEqual(self.client.get("/sitemap-articles.xml?p=x").status_code, 404)

    def test_sections_and_index_are_what_djangos_own_sitemaps_serve(self) -> None:
        """Byte for byte what Django's views and templates serve for the same sections
        written plainly (model instances, get_absolute_url, every page counted)."""

        class PlainArticles(Sitemap):
            limit = 2

            def items(self):  # type: ignore[no-untyped-def]
                return Article.objects.published().order_by("pk")

            def lastmod(self, item):  # type: ignore[no-untyped-def]
                return item.updated_at or item.published_at

        plain = {"articles": PlainArticles, "authors": AuthorSitemap, "topics": TopicSitemap}
        # An update later than publication: lastmod is the update's day, in the site's
        # time zone (London's summer time: the next day of UTC's).
        updated = datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC)
        Article.objects.filter(pk=self.old.pk).update(
            published_at=updated - datetime.timedelta(days=30), updated_at=updated
        )
        with mock.patch.object(ArticleSitemap, "limit", 2):
            for url, section, page in [
                ("/sitemap-articles.xml", "articles", None),
                ("/sitemap-articles.xml?p=2", "articles", "2"),
                ("/sitemap-authors.xml", "authors", None),
                ("/sitemap-topics.xml", "topics", None),
                ("/sitemap.xml", None, None),
            ]:
                with self.subTest(url=url):
                    request = RequestFactory().get(url, {"p": page} if page else {})
                    if section:
                        expected = sitemap_views.sitemap(request, plain, section=section)
                    else:
                        expected = sitemap_views.index(
                            request, plain, sitemap_url_name="sitemap_section"
                        )
                    response = self.client.get(url)
                    self.assertEqual(response.content, expected.render().content)
                    self.assertEqual(response.get("Last-Modified"), expected.get("Last-Modified"))

    def test_unknown_section_is_404(self) -> None:
        self.assertEqual(self.client.get("/sitemap-nothing.xml").status_code, 404)

    def test_news_sitemap_holds_the_last_48_hours(self) -> None:
        """Google News entries: publication name and language, ISO date, title."""
        root = parse_xml(self.client.get("/news-sitemap.xml").content)
        urls = root.findall(f"{SM}url")
        self.assertEqual(
            [url.findtext(f"{SM}loc") for url in urls], ["http://testserver/articles/fresh-story/"]
        )
        news = urls[0].find(f"{NEWS}news")
        self.assertEqual(news.findtext(f"{NEWS}publication/{NEWS}name"), "diginomica")
        self.assertEqual(news.findtext(f"{NEWS}publication/{NEWS}language"), "en")
        self.assertEqual(news.findtext(f"{NEWS}title"), "Fresh & new")
        published = datetime.datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
        self.assertEqual(published, self.fresh.published_at.replace(microsecond=0))

    def test_robots_txt_points_to_both_sitemaps(self) -> None:
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        lines = response.content.decode().splitlines()
        self.assertIn("User-agent: *", lines)
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)
        self.assertIn("Sitemap: http://testserver/news-sitemap.xml", lines)
        self.assertIn("Disallow: /search/", lines)

    @override_settings(SITE_URL="https://news.example.com")
    def test_site_url_setting_is_used_in_sitemaps_and_robots(self) -> None:
        self.assertEqual(
            self.locations("/sitemap.xml")[0], "https://news.example.com/sitemap-articles.xml"
        )
        self.assertIn(
            "https://news.example.com/articles/fresh-story/",
            self.locations("/sitemap-articles.xml"),
        )
        self.assertContains(
            self.client.get("/robots.txt"), "Sitemap: https://news.example.com/sitemap.xml"
        )
