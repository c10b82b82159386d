"""One canonical address per page: old slugs, capitals and missing slashes redirect."""

import re

from django.test import TestCase
from django.urls import set_script_prefix
from django.utils import timezone

from articles.models import Article, ArticleSlugHistory
from tests.base import SEED_URL
from tests.factories import ArticleFactory


class SlugChangeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = ArticleFactory(slug="first-slug")

    def rename(self, slug: str) -> None:
        article = Article.objects.get(pk=self.article.pk)
        article.slug = slug
        article.save()

    def test_old_slug_answers_301_to_the_new_one(self) -> None:
        """An editor renames the slug: links already shared keep working."""
        self.rename("second-slug")
        self.assertRedirects(
            self.client.get("/articles/first-slug/"),
            "/articles/second-slug/",
            status_code=301,
        )

    def test_every_earlier_slug_redirects_straight_to_the_current_one(self) -> None:
        self.rename("second-slug")
        self.rename("third-slug")
        for old in ["first-slug", "second-slug"]:
            with self.subTest(old=old):
                self.assertRedirects(
                    self.client.get(f"/articles/{old}/"), "/articles/third-slug/", status_code=301
                )

    def test_taking_back_an_old_slug_makes_it_live_again(self) -> None:
        """No redirect loop: the current slug is never in the history."""
        self.rename("second-slug")
        self.rename("first-slug")
        self.assertEqual(self.client.get("/articles/first-slug/").status_code, 200)
        self.assertRedirects(
            self.client.get("/articles/second-slug/"), "/articles/first-slug/", status_code=301
        )
        self.assertFalse(ArticleSlugHistory.objects.filter(slug="first-slug").exists())

    def test_old_slug_of_an_unpublished_article_is_404(self) -> None:
        """A redirect must not reveal an article readers cannot see."""
        self.rename("second-slug")
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.ARCHIVED)
        self.assertEqual(self.client.get("/articles/first-slug/").status_code, 404)

    def test_a_new_article_may_reuse_an_old_slug(self) -> None:
        self.rename("second-slug")
        newcomer = ArticleFactory(slug="first-slug", headline="The newcomer")
        self.assertContains(self.client.get("/articles/first-slug/"), newcomer.headline)

    def test_saving_without_a_slug_change_records_nothing(self) -> None:
        article = Article.objects.get(pk=self.article.pk)
        article.headline = "A sharper headline"
        article.save()
        self.assertFalse(ArticleSlugHistory.objects.exists())


class AddressVariantTests(TestCase):
    def test_missing_trailing_slash_redirects(self) -> None:
        self.assertRedirects(
            self.client.get(SEED_URL.rstrip("/")),
            SEED_URL,
            status_code=301,
            fetch_redirect_response=False,
        )

    def test_capitals_redirect_to_lower_case(self) -> None:
        """/Articles/Some-Story and /ARCHIVE/2018 find the page; the query string is kept."""
        cases = {
            SEED_URL.upper(): SEED_URL,
            SEED_URL.upper().rstrip("/"): SEED_URL,
            "/Topics/Salesforce/?page=1": "/topics/salesforce/?page=1",
            "/ARCHIVE/2018/": "/archive/2018/",
        }
        for typed, canonical in cases.items():
            with self.subTest(typed=typed):
                self.assertRedirects(
                    self.client.get(typed),
                    canonical,
                    status_code=301,
                    fetch_redirect_response=False,
                )
                self.assertEqual(self.client.get(canonical).status_code, 200)

    def test_unknown_capitalised_address_stays_404(self) -> None:
        self.assertEqual(self.client.get("/No-Such-Page/").status_code, 404)

    def test_every_public_page_names_its_canonical_address(self) -> None:
        """Home, article, author, topic and archive pages carry <link rel=canonical>;
        later pages keep their page number, other query parameters are dropped."""
        local = timezone.localtime(Article.objects.get(slug__startswith="salesforce").published_at)
        pages = {
            "/": "http://testserver/",
            "/?utm_source=x": "http://testserver/",
            SEED_URL + "?utm_source=x": f"http://testserver{SEED_URL}",
            "/authors/slauchlan/": "http://testserver/authors/slauchlan/",
            "/topics/salesforce/": "http://testserver/topics/salesforce/",
            "/archive/": "http://testserver/archive/",
            f"/archive/{local:%Y}/": f"http://testserver/archive/{local:%Y}/",
            f"/archive/{local:%Y/%m}/": f"http://testserver/archive/{local:%Y/%m}/",
            f"/archive/{local:%Y/%m/%d}/": f"http://testserver/archive/{local:%Y/%m/%d}/",
        }
        for url, canonical in pages.items():
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertEqual(
                    re.findall(r'<link rel="canonical" href="([^"]+)">', html), [canonical]
                )

    def test_later_page_is_its_own_canonical(self) -> None:
        ArticleFactory.create_batch(20)
        self.assertContains(
            self.client.get("/", {"page": "2", "ref": "x"}),
            '<link rel="canonical" href="http://testserver/?page=2">',
        )

    def test_search_and_404_pages_are_noindex_without_canonical(self) -> None:
        for url, status in [("/search/?q=cloud", 200), ("/articles/nothing/", 404)]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response, '<meta name="robots" content="noindex">', status_code=status
                )
                self.assertNotContains(response, 'rel="canonical"', status_code=status)

    def test_case_sensitive_addresses_are_not_lowered(self) -> None:
        """A share link's token is case-sensitive: a wrong one is a 404, not a redirect."""
        self.assertEqual(self.client.get("/preview/Not-A-Token/").status_code, 404)


class FixedUrlTests(TestCase):
    def test_site_links_follow_the_script_prefix(self) -> None:
        """The header and footer links are reversed once, yet a site served under a
        path prefix (as a WSGI server sets it from SCRIPT_NAME) links under it, and the
        root site still does not."""
        self.assertIn('href="/archive/"', self.client.get("/").content.decode())
        self.addCleanup(set_script_prefix, "/")
        set_script_prefix("/news/")
        prefixed = self.client.get("/").content.decode()
        self.assertIn('href="/news/archive/"', prefixed)
        self.assertIn('action="/news/search/"', prefixed)
        self.assertIn('href="/news/about/ethics/"', prefixed)
        set_script_prefix("/")
        self.assertIn('href="/archive/"', self.client.get("/").content.decode())
