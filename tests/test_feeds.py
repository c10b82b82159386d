"""RSS 2.0 and Atom feeds: valid XML with the entries a feed reader expects."""

import datetime
from xml.etree.ElementTree import Element

from django.test import TestCase
from django.utils import timezone

from pictures.models import Rendition
from tests.base import parse_xml
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ann = AuthorFactory(name="Ann Author", slug="ann")
        cls.bo = AuthorFactory(name="Bo Byline", slug="bo")
        with cls.captureOnCommitCallbacks(execute=True):
            cls.story = ArticleFactory(
                headline="Cloud deal signed",
                standfirst="A summary of the deal.",
                authors=[cls.ann, cls.bo],
                lead_image=ImageFactory(),
                published_at=timezone.now() - datetime.timedelta(hours=2),
            )
        cls.story.tags.add("Cloud", "Deals")
        cls.other = ArticleFactory(headline="Other news", authors=[cls.bo])

    def rss_items(self, url: str) -> list[Element]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("application/rss+xml", response["Content-Type"])
        root = parse_xml(response.content)
        self.assertEqual(root.tag, "rss")
        self.assertEqual(root.get("version"), "2.0")
        return root.findall("./channel/item")

    def atom_entries(self, url: str) -> list[Element]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("application/atom+xml", response["Content-Type"])
        root = parse_xml(response.content)
        self.assertEqual(root.tag, f"{ATOM}feed")
        return root.findall(f"{ATOM}entry")

    def test_site_rss_item_has_everything_a_reader_shows(self) -> None:
        """Title, absolute link, summary, every author, date, topics and the lead image."""
        items = self.rss_items("/feed/")
        self.assertEqual(
            [item.findtext("title") for item in items][:2], ["Other news", "Cloud deal signed"]
        )
        item = items[1]
        self.assertEqual(item.findtext("link"), f"http://testserver{self.story.get_absolute_url()}")
        self.assertEqual(item.findtext("description"), "A summary of the deal.")
        self.assertEqual(item.findtext(f"{DC}creator"), "Ann Author and Bo Byline")
        self.assertEqual(
            {category.text for category in item.findall("category")}, {"Cloud", "Deals"}
        )
        published = datetime.datetime.strptime(item.findtext("pubDate"), "%a, %d %b %Y %H:%M:%S %z")
        self.assertEqual(published, self.story.published_at.replace(microsecond=0))
        enclosure = item.find("enclosure")
        self.assertEqual(enclosure.get("type"), "image/jpeg")
        self.assertTrue(enclosure.get("url").startswith("http://testserver/media/"))
        rendition = Rendition.objects.get(file_size=int(enclosure.get("length")), crop="16x9")
        self.assertTrue(enclosure.get("url").endswith(rendition.file.url))

    def test_site_atom_entry_has_id_dates_author_and_categories(self) -> None:
        entries = self.atom_entries("/feed/atom/")
        entry = next(e for e in entries if e.findtext(f"{ATOM}title") == "Cloud deal signed")
        self.assertTrue(entry.findtext(f"{ATOM}id").startswith("urn:uuid:"))
        self.assertEqual(entry.findtext(f"{ATOM}summary"), "A summary of the deal.")
        self.assertEqual(entry.findtext(f"{ATOM}author/{ATOM}name"), "Ann Author and Bo Byline")
        self.assertEqual(
            entry.findtext(f"{ATOM}author/{ATOM}uri"), "http://testserver/authors/ann/"
        )
        self.assertTrue(
            entry.findtext(f"{ATOM}published").startswith(f"{self.story.published_at:%Y-%m-%d}")
        )
        self.assertIsNotNone(entry.findtext(f"{ATOM}updated"))
        self.assertEqual(
            {c.get("term") for c in entry.findall(f"{ATOM}category")}, {"Cloud", "Deals"}
        )
        self.assertEqual(entry.find(f"{ATOM}link[@rel='enclosure']").get("type"), "image/jpeg")

    def test_guid_survives_a_slug_change(self) -> None:
        """A renamed article keeps its feed id, so readers do not see it as new."""
        before = self.rss_items("/feed/")[1].findtext("guid")
        self.story.slug = "cloud-deal-renamed"
        self.story.save()
        self.assertEqual(self.rss_items("/feed/")[1].findtext("guid"), before)

    def test_author_feeds_hold_only_their_articles(self) -> None:
        titles = [item.findtext("title") for item in self.rss_items("/authors/ann/feed/")]
        self.assertEqual(titles, ["Cloud deal signed"])
        entries = self.atom_entries("/authors/bo/feed/atom/")
        self.assertEqual(len(entries), 2)

    def test_topic_feeds_hold_only_its_articles(self) -> None:
        titles = [item.findtext("title") for item in self.rss_items("/topics/cloud/feed/")]
        self.assertEqual(titles, ["Cloud deal signed"])
        self.assertEqual(len(self.atom_entries("/topics/deals/feed/atom/")), 1)

    def test_unknown_author_or_topic_feed_is_404(self) -> None:
        for url in ["/authors/nobody/feed/", "/topics/nothing/feed/atom/"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_control_characters_in_a_headline_do_not_break_the_feed(self) -> None:
        """XML 1.0 forbids most control characters: they are dropped, the feed stays valid."""
        ArticleFactory(headline="Bad\x0bchar\x1f headline", standfirst="Tab\x08 stand")
        titles = [item.findtext("title") for item in self.rss_items("/feed/")]
        self.assertIn("Bad char headline", titles)
        self.assertTrue(self.atom_entries("/feed/atom/"))

    def test_pages_link_their_feeds_in_the_head(self) -> None:
        """Feed readers discover the site, author and topic feeds from <link rel=alternate>."""
        expected = {
            "/": ['href="/feed/"', 'href="/feed/atom/"'],
            "/authors/ann/": ['href="/authors/ann/feed/"', 'href="/authors/ann/feed/atom/"'],
            "/topics/cloud/": ['href="/topics/cloud/feed/"', 'href="/topics/cloud/feed/atom/"'],
        }
        for url, links in expected.items():
            head = self.client.get(url).content.decode().split("</head>")[0]
            for link in links:
                with self.subTest(url=url, link=link):
                    self.assertRegex(
                        head,
                        rf'<link rel="alternate" type="application/(rss|atom)\+xml" [^>]*{link}',
                    )
