"""JSON-LD, OpenGraph and Twitter tags: what search engines and social networks read."""

import datetime
import re

from django.contrib.staticfiles import finders
from django.test import TestCase, override_settings

from articles.models import Article
from tests.base import SEED_URL, json_ld
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, ImageFactory

ISO_WITH_OFFSET = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$"


class ArticleStructuredDataTests(TestCase):
    """The seeded story's NewsArticle, checked property by property (Google's list)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = Article.objects.get(slug__startswith="salesforce-staffers")

    def setUp(self) -> None:
        self.response = self.client.get(SEED_URL)
        [self.data] = json_ld(self.response)

    def test_type_headline_description_and_urls(self) -> None:
        self.assertEqual(self.data["@context"], "https://schema.org")
        self.assertEqual(self.data["@type"], ["NewsArticle", "AnalysisNewsArticle"])
        self.assertEqual(self.data["headline"], self.article.headline)
        self.assertEqual(self.data["description"], self.article.standfirst)
        self.assertEqual(self.data["mainEntityOfPage"]["@id"], f"http://testserver{SEED_URL}")
        self.assertEqual(self.data["url"], f"http://testserver{SEED_URL}")

    def test_images_in_three_shapes_of_at_least_50000_pixels(self) -> None:
        """16:9, 4:3 and 1:1 crops, each big enough for Google, each a real stored file."""
        images = self.data["image"]
        ratios = [round(image["width"] / image["height"], 2) for image in images]
        self.assertEqual(ratios, [round(16 / 9, 2), round(4 / 3, 2), 1.0])
        for image in images:
            self.assertGreaterEqual(image["width"] * image["height"], 50_000)
            self.assertTrue(image["url"].startswith("http://testserver/media/renditions/"))
            self.assertTrue(image["url"].endswith(".jpg"))

    def test_dates_are_iso_8601_with_time_zone(self) -> None:
        self.assertEqual(self.data["datePublished"], "2018-06-25T10:00:00+01:00")
        self.assertRegex(self.data["dateModified"], ISO_WITH_OFFSET)

    def test_author_is_a_person_with_url(self) -> None:
        self.assertEqual(
            self.data["author"],
            [
                {
                    "@type": "Person",
                    "name": "Stuart Lauchlan",
                    "url": "http://testserver/authors/slauchlan/",
                }
            ],
        )

    def test_publisher_is_a_news_media_organization_with_logo(self) -> None:
        publisher = self.data["publisher"]
        self.assertEqual(publisher["@type"], "NewsMediaOrganization")
        self.assertEqual(publisher["name"], "diginomica")
        self.assertEqual(publisher["logo"]["@type"], "ImageObject")
        logo = publisher["logo"]["url"]
        self.assertTrue(logo.startswith("http://testserver/static/"))
        self.assertIsNotNone(finders.find(logo.removeprefix("http://testserver/static/")))

    def test_keywords_and_section(self) -> None:
        self.assertEqual(
            self.data["keywords"],
            [
                "Salesforce",
                "Microsoft",
                "Amazon",
                "Digital government and public services",
                "Ethics",
            ],
        )
        self.assertEqual(self.data["articleSection"], "Analysis")

    def test_no_corrections_property_without_corrections(self) -> None:
        self.assertNotIn("correction", self.data)

    def test_meta_description_opengraph_and_twitter(self) -> None:
        """Shared links show the headline, the standfirst and the 16:9 picture."""
        html = self.response.content.decode()
        standfirst = self.article.standfirst
        self.assertIn(f'<meta name="description" content="{standfirst}">', html)
        self.assertIn(f'<meta property="og:description" content="{standfirst}">', html)
        self.assertIn('<meta property="og:type" content="article">', html)
        self.assertIn(f'<meta property="og:title" content="{self.article.headline}">', html)
        self.assertIn(f'<meta property="og:url" content="http://testserver{SEED_URL}">', html)
        self.assertIn(f'<meta property="og:image" content="{self.data["image"][0]["url"]}">', html)
        self.assertIn('<meta property="og:image:alt" content="Marc Benioff">', html)
        self.assertIn('<meta name="twitter:card" content="summary_large_image">', html)
        self.assertIn(f'<meta name="twitter:title" content="{self.article.headline}">', html)
        self.assertIn(
            '<meta property="article:published_time" content="2018-06-25T10:00:00+01:00">', html
        )


class ArticleVariantsStructuredDataTests(TestCase):
    def test_every_author_listed_separately_in_byline_order(self) -> None:
        authors = [AuthorFactory(name=name) for name in ("Ann", "Bo", "Cy")]
        article = ArticleFactory(authors=authors)
        [data] = json_ld(self.client.get(article.get_absolute_url()))
        self.assertEqual([person["name"] for person in data["author"]], ["Ann", "Bo", "Cy"])
        self.assertEqual(
            [person["url"] for person in data["author"]],
            [f"http://testserver{author.get_absolute_url()}" for author in authors],
        )

    def test_corrections_listed_and_date_modified_follows_them(self) -> None:
        article = ArticleFactory()
        later = article.published_at + datetime.timedelta(days=2)
        CorrectionFactory(article=article, text="The deal was $5m, not $5bn.", published_at=later)
        [data] = json_ld(self.client.get(article.get_absolute_url()))
        [correction] = data["correction"]
        self.assertEqual(correction["@type"], "CorrectionComment")
        self.assertEqual(correction["text"], "The deal was $5m, not $5bn.")
        self.assertRegex(correction["datePublished"], ISO_WITH_OFFSET)
        self.assertEqual(data["dateModified"], correction["datePublished"])

    def test_backstory_is_plain_text(self) -> None:
        """Structured data carries the words readers see, not Markdown or HTML."""
        article = ArticleFactory(
            backstory="We read **three** [reports](https://example.org/r) from AT&T.\n\n"
            "- one *source*\n- `two`\n\n## Methods\n\nA <b>bold</b> claim."
        )
        [data] = json_ld(self.client.get(article.get_absolute_url()))
        self.assertEqual(
            data["backstory"],
            "We read three reports from AT&T.\none source\ntwo\nMethods\nA bold claim.",
        )

    def test_kind_maps_to_schema_type(self) -> None:
        expected = {
            Article.Kind.NEWS: ["NewsArticle", "ReportageNewsArticle"],
            Article.Kind.OPINION: ["NewsArticle", "OpinionNewsArticle"],
            Article.Kind.REVIEW: ["NewsArticle", "ReviewNewsArticle"],
            Article.Kind.SPONSORED: ["Article", "AdvertiserContentArticle"],
        }
        for kind, schema_type in expected.items():
            article = ArticleFactory(kind=kind)
            with self.subTest(kind=kind):
                [data] = json_ld(self.client.get(article.get_absolute_url()))
                self.assertEqual(data["@type"], schema_type)

    def test_small_pictures_are_left_out_of_images(self) -> None:
        """A lead picture too small for Google's 50,000 pixels gives no image property."""
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(lead_image=ImageFactory())  # 64 x 48
        [data] = json_ld(self.client.get(article.get_absolute_url()))
        self.assertNotIn("image", data)
        # Shared, it shows the publisher's picture instead.
        self.assertContains(
            self.client.get(article.get_absolute_url()),
            '<meta property="og:image" content="http://testserver/static/img/share.png">',
        )

    def test_script_cannot_be_closed_by_content(self) -> None:
        """A headline with </script> stays inside the JSON: escaped, still parseable."""
        article = ArticleFactory(headline="Why </script><script>alert(1)</script> matters")
        response = self.client.get(article.get_absolute_url())
        self.assertNotIn("<script>alert(1)", response.content.decode())
        [data] = json_ld(response)
        self.assertEqual(data["headline"], "Why </script><script>alert(1)</script> matters")

    @override_settings(SITE_URL="https://news.example.com")
    def test_site_url_setting_makes_every_address_public(self) -> None:
        article = ArticleFactory()
        response = self.client.get(article.get_absolute_url())
        [data] = json_ld(response)
        self.assertEqual(data["url"], f"https://news.example.com{article.get_absolute_url()}")
        self.assertTrue(data["publisher"]["logo"]["url"].startswith("https://news.example.com/"))
        self.assertContains(
            response,
            f'<link rel="canonical" href="https://news.example.com{article.get_absolute_url()}">',
        )


class PersonStructuredDataTests(TestCase):
    def test_author_page_describes_a_person(self) -> None:
        """Name, url, job title, bio, photo, expertise and profiles elsewhere (sameAs)."""
        response = self.client.get("/authors/slauchlan/")
        [data] = json_ld(response)
        self.assertEqual(data["@type"], "Person")
        self.assertEqual(data["name"], "Stuart Lauchlan")
        self.assertEqual(data["url"], "http://testserver/authors/slauchlan/")
        self.assertEqual(data["jobTitle"], "News editor")
        self.assertIn("enterprise technology", data["description"])
        # The seeded 400 x 400 photo's widest square JPEG rendition.
        self.assertEqual(data["image"]["@type"], "ImageObject")
        self.assertRegex(data["image"]["url"], r"^http://testserver/media/renditions/.+\.jpg$")
        self.assertEqual((data["image"]["width"], data["image"]["height"]), (400, 400))
        self.assertEqual(
            data["knowsAbout"], ["Enterprise software", "Cloud computing", "Tech industry"]
        )
        self.assertEqual(data["worksFor"]["@type"], "NewsMediaOrganization")

    def test_author_links_become_same_as(self) -> None:
        author = AuthorFactory()
        author.links.create(label="Mastodon", url="https://mastodon.example/@reporter")
        [data] = json_ld(self.client.get(author.get_absolute_url()))
        self.assertEqual(data["sameAs"], ["https://mastodon.example/@reporter"])


class HomeStructuredDataTests(TestCase):
    def test_home_page_is_a_website_with_search_action(self) -> None:
        [data] = json_ld(self.client.get("/"))
        self.assertEqual(data["@type"], "WebSite")
        self.assertEqual(data["potentialAction"]["@type"], "SearchAction")
        self.assertTrue(
            re.fullmatch(
                r"http://testserver/search/\?q=\{search_term_string\}",
                data["potentialAction"]["target"],
            )
        )


class DefaultShareImageTests(TestCase):
    def test_pages_without_a_picture_of_their_own_share_the_publishers(self) -> None:
        """Home, topic, author (without a photo), speaker, organisation, corrections and an
        article without a lead picture name the publisher's 1200 x 630 share image."""
        AuthorFactory(name="No Photo", slug="no-photo")
        bare = ArticleFactory(authors=[AuthorFactory(slug="no-photo-2")])
        pages = [
            "/",
            "/topics/salesforce/",
            "/authors/no-photo/",
            "/speakers/salesforce-employees/",
            "/organisations/salesforce/",
            "/corrections/",
            bare.get_absolute_url(),
        ]
        share = "http://testserver/static/img/share.png"
        self.assertIsNotNone(finders.find("img/share.png"))
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, f'<meta property="og:image" content="{share}">')
                self.assertContains(response, '<meta property="og:image:width" content="1200">')
                self.assertContains(response, '<meta property="og:image:height" content="630">')
                self.assertContains(response, f'<meta name="twitter:image" content="{share}">')

    def test_a_page_with_its_own_picture_keeps_it(self) -> None:
        """An author's photo and an article's lead picture stay their pages' only image."""
        for url in ["/authors/slauchlan/", SEED_URL]:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                [image] = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
                self.assertNotIn("share.png", image)

    @override_settings(SHARE_IMAGE="https://cdn.example.com/share.jpg")
    def test_share_image_setting_may_be_an_address(self) -> None:
        response = self.client.get("/")
        self.assertContains(
            response, '<meta property="og:image" content="https://cdn.example.com/share.jpg">'
        )
        self.assertNotContains(response, "og:image:width")
