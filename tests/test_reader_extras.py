"""What the reader's pages offer beyond the story: reading aids on the article, sharing
and following, and a next step from every page with few stories."""

import re
from urllib.parse import parse_qs, urlsplit

from django.test import TestCase

from articles.models import Article
from newsroom import page_cache
from reader.models import StoredArticle
from tests.base import SEED_URL, page_text
from tests.factories import ArticleFactory, AuthorFactory

PAGES_WITHOUT_PICTURES = [
    "/",
    "/kinds/analysis/",
    "/topics/ethics/",
    "/archive/",
    "/search/?q=border",
    "/speakers/salesforce-employees/",
    "/organisations/salesforce/",
    "/about/ethics/",
]
LONG_BODY = "\n\n".join(
    f"## {title}\n\n" + "Words of the section. " * 40
    for title in ["What happened", "Why it matters", "What happened", "My take"]
)


class ReadingAidTests(TestCase):
    def test_reading_time_and_update_time_with_its_zone(self) -> None:
        response = self.client.get(SEED_URL)
        self.assertContains(response, '<p class="reading-time">3 min read</p>', html=True)
        article = ArticleFactory()
        Article.objects.filter(pk=article.pk).update(updated_at=article.published_at, version=9)
        text = page_text(self.client.get(article.get_absolute_url()))
        # Europe/London in summer or winter: the zone is named, not left to guess.
        self.assertRegex(text, r"Updated \d+ \w+ \d{4}, \d\d:\d\d (GMT|BST)")

    def test_a_long_article_lists_its_sections(self) -> None:
        """Headings get unique ids; three sections or more get a table of contents."""
        article = ArticleFactory(body=LONG_BODY)
        html = self.client.get(article.get_absolute_url()).content.decode()
        contents = html.split('<nav class="contents"')[1].split("</nav>")[0]
        self.assertEqual(
            re.findall(r'<a href="#([^"]+)">([^<]+)</a>', contents),
            [
                ("section-what-happened", "What happened"),
                ("section-why-it-matters", "Why it matters"),
                ("section-what-happened-2", "What happened"),
                ("section-my-take", "My take"),
            ],
        )
        for anchor in ["section-what-happened", "section-what-happened-2", "section-my-take"]:
            self.assertEqual(html.count(f'id="{anchor}"'), 1)

    def test_a_short_article_has_no_table_of_contents(self) -> None:
        self.assertNotContains(self.client.get(SEED_URL), 'class="contents"')

    def test_the_analysis_section_is_set_apart(self) -> None:
        """The seeded story's "My take" and what follows it, up to the end, in its own section."""
        html = self.client.get(SEED_URL).content.decode()
        analysis = html.split('<section class="analysis" aria-labelledby="section-my-take">')[1]
        analysis = analysis.split("</section>")[0]
        self.assertIn('<h2 id="section-my-take">My take</h2>', analysis)
        self.assertIn("right side of history", analysis)
        self.assertNotIn("As a company that encourages employee activism", analysis)


class ShareAndFollowTests(TestCase):
    def share_links(self, html: str) -> dict[str, str]:
        block = html.split('<section class="share"')[1].split("</section>")[0]
        return {
            name: href.replace("&amp;", "&")
            for href, name in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)<', block)
        }

    def test_the_article_can_be_shared_by_plain_links(self) -> None:
        """Email and each network get the page's own address, and nothing runs of theirs."""
        html = self.client.get(SEED_URL).content.decode()
        links = self.share_links(html)
        self.assertEqual(
            list(links), ["Email", "Bluesky", "Mastodon", "LinkedIn", "X", "Facebook", "WhatsApp"]
        )
        address = f"http://testserver{SEED_URL}"
        for name, href in links.items():
            with self.subTest(name=name):
                values = " ".join(v for vs in parse_qs(urlsplit(href).query).values() for v in vs)
                self.assertIn(address, values)
        self.assertIn(
            "Salesforce staffers voice concern", parse_qs(urlsplit(links["X"]).query)["text"][0]
        )
        scripts = re.findall(r'<script src="([^"]+)"', html)
        self.assertTrue(scripts)
        self.assertTrue(all(src.startswith("/static/") for src in scripts), scripts)

    def test_share_links_name_the_address_the_reader_came_by(self) -> None:
        """Not the placeholder origin the stored parts are written with; and the stored
        share links hold no reader's host, which would be served to the next reader."""
        html = self.client.get(SEED_URL, HTTP_HOST="localhost").content.decode()
        self.assertIn(f"http%3A%2F%2Flocalhost{SEED_URL.replace('/', '%2F')}", html)
        self.assertNotIn(".invalid", html)
        stored = StoredArticle.objects.get(article__slug__startswith="salesforce-staffers")
        self.assertIn('class="share"', stored.main)
        self.assertNotIn("localhost", stored.main)

    def test_the_article_offers_its_authors_and_topics_to_follow(self) -> None:
        html = self.client.get(SEED_URL).content.decode()
        follow = html.split('<section class="follow-feeds"')[1].split("</section>")[0]
        self.assertIn('href="/authors/slauchlan/feed/"', follow)
        self.assertIn('href="/topics/salesforce/feed/"', follow)

    def test_topic_and_author_pages_offer_their_feeds(self) -> None:
        for url, feed in [("/topics/salesforce/", "/topics/salesforce/feed/"),
                          ("/authors/slauchlan/", "/authors/slauchlan/feed/")]:  # fmt: skip
            with self.subTest(url=url):
                self.assertContains(
                    self.client.get(url),
                    f'<a href="{feed}" type="application/rss+xml">RSS feed</a>',
                    html=True,
                )

    def test_every_page_has_a_share_image(self) -> None:
        """Pages without a picture of their own are shared with the publisher's."""
        for url in PAGES_WITHOUT_PICTURES:
            with self.subTest(url=url):
                self.assertContains(
                    self.client.get(url),
                    '<meta property="og:image" content="http://testserver/static/img/share.png">',
                )


class NoDeadEndTests(TestCase):
    def setUp(self) -> None:
        # Related topics are kept per content generation, by topic: start from this
        # test's rows, not another test's rolled-back ones.
        page_cache.bump_generation()

    def test_the_author_page_does_not_repeat_the_byline_on_each_card(self) -> None:
        author = AuthorFactory(name="Ada Writer", slug="ada-writer")
        ArticleFactory(authors=[author], headline="Ada's story")
        response = self.client.get("/authors/ada-writer/")
        cards = response.content.decode().split('<div class="cards">')[1]
        self.assertIn("Ada&#x27;s story", cards)
        self.assertNotIn('rel="author"', cards)
        self.assertIn("<time", cards)

    def test_a_topic_with_one_story_shows_related_topics(self) -> None:
        article = ArticleFactory()
        article.tags.add("Quantum computing", "Research", "Universities")
        response = self.client.get("/topics/quantum-computing/")
        nearby = (
            response.content.decode()
            .split('<nav class="nearby-topics topics"')[1]
            .split("</nav>")[0]
        )
        self.assertIn('href="/topics/research/"', nearby)
        self.assertIn('href="/topics/universities/"', nearby)
        self.assertNotIn('href="/topics/quantum-computing/"', nearby)

    def test_a_busy_topic_lists_its_stories_only(self) -> None:
        for _ in range(4):
            ArticleFactory().tags.add("Cloud", "Data")
        self.assertNotContains(self.client.get("/topics/cloud/"), 'class="nearby-topics')

    def test_a_home_page_with_one_story_says_what_comes_next(self) -> None:
        """The seeded install: one story, then what the site is and where to go on."""
        response = self.client.get("/")
        self.assertContains(response, "More stories appear here as they are published.")
        self.assertContains(response, 'href="/feed/"')
        self.assertContains(response, 'href="/archive/"')
        ArticleFactory()
        self.assertNotContains(self.client.get("/"), "More stories appear here")

    def test_listings_end_with_a_next_step(self) -> None:
        for url in ["/kinds/news/", "/topics/salesforce/", "/authors/slauchlan/"]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), '<nav class="next-steps"')
