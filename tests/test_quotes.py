"""Quotes: rendered as attributed quotations, with a page per speaker and a permalink each."""

import datetime
import re

from django.test import TestCase
from django.utils import timezone

from quotes.models import Speaker
from tests.base import json_ld, page_text
from tests.factories import ArticleFactory, AuthorFactory, QuoteFactory, SpeakerFactory


class QuoteRenderingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.speaker = SpeakerFactory(
            name="Marc Benioff", slug="marc-benioff", description="Chief executive of Salesforce"
        )
        cls.article = ArticleFactory(slug="ohana", body="Intro.\n\n[[quote:trust]]\n\nEnd.")
        cls.quote = QuoteFactory(
            article=cls.article,
            key="trust",
            text="Trust is our highest value.",
            speaker=cls.speaker,
            source_kind="interview",
            source_title="Interview with the BBC",
            source_url="https://example.com/interview",
            said_on=datetime.date(2018, 6, 20),
            is_pull_quote=False,
        )

    def figure(self) -> str:
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        return re.search(r'<figure class="quote".*?</figure>', html, flags=re.S).group(0)

    def test_quote_is_a_figure_with_blockquote_cite_and_attribution(self) -> None:
        """The quote is a figure; the blockquote cites the source; the figcaption names
        speaker, source and date."""
        figure = self.figure()
        self.assertIn('<blockquote cite="https://example.com/interview" itemprop="text">', figure)
        self.assertIn("<p>Trust is our highest value.</p>", figure)
        caption = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", figure.split("<figcaption>")[1]))
        self.assertIn("Marc Benioff, Interview with the BBC, 20 June 2018", caption)

    def test_quote_carries_schema_org_quotation_markup(self) -> None:
        """Quotation microdata: creator (a Person linked to the speaker page), isPartOf the
        article, citation to the source, the date, and the permalink as its id. The body
        is stored, so its addresses name no request's host: without SITE_URL they are
        root-relative (a microdata reader resolves them against the page's address)."""
        figure = self.figure()
        self.assertIn('itemtype="https://schema.org/Quotation"', figure)
        self.assertIn('itemid="/articles/ohana/quotes/trust/"', figure)
        self.assertRegex(
            figure,
            r'itemprop="creator" itemscope itemtype="https://schema.org/Person">'
            r'<a class="quote__speaker" href="/speakers/marc-benioff/" itemprop="url">'
            r'<span itemprop="name">Marc Benioff</span>',
        )
        self.assertIn('<link itemprop="isPartOf" href="/articles/ohana/">', figure)
        self.assertIn(
            '<a href="https://example.com/interview" itemprop="citation">'
            "<cite>Interview with the BBC</cite></a>",
            figure,
        )
        self.assertIn('itemprop="dateCreated" datetime="2018-06-20"', figure)

    def test_organisation_speaker_is_an_organization(self) -> None:
        """A statement by an organisation names an Organization as its creator."""
        self.speaker.kind = Speaker.Kind.ORGANISATION
        self.speaker.save()
        self.assertIn('itemtype="https://schema.org/Organization"', self.figure())


class SpeakerPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.speaker = SpeakerFactory(
            name="Marc Benioff", slug="marc-benioff", description="Chief executive of Salesforce"
        )
        now = timezone.now()
        cls.older = ArticleFactory(
            headline="Older story", published_at=now - datetime.timedelta(days=9)
        )
        cls.newer = ArticleFactory(
            headline="Newer story", published_at=now - datetime.timedelta(days=1)
        )
        QuoteFactory(article=cls.older, speaker=cls.speaker, text="Said first.")
        QuoteFactory(article=cls.newer, speaker=cls.speaker, text="Said last.", key="last")
        QuoteFactory(article=cls.newer, text="Somebody else.")

    def test_lists_all_their_quotes_newest_first_with_links(self) -> None:
        """Every quote of the speaker, newest article first, each linking to its article
        (in place) and to its permalink; other speakers' quotes are not there."""
        response = self.client.get("/speakers/marc-benioff/")
        text = page_text(response)
        self.assertIn("Chief executive of Salesforce", text)
        self.assertLess(text.index("Said last."), text.index("Said first."))
        self.assertNotIn("Somebody else.", text)
        self.assertContains(response, f'href="{self.newer.get_absolute_url()}#quote-last"')
        self.assertContains(response, f'href="/articles/{self.newer.slug}/quotes/last/"')

    def test_speaker_who_is_one_of_our_authors_links_to_their_page(self) -> None:
        author = AuthorFactory(name="Jane Reporter", slug="jane")
        Speaker.objects.filter(pk=self.speaker.pk).update(author=author)
        self.assertContains(self.client.get("/speakers/marc-benioff/"), 'href="/authors/jane/"')

    def test_unknown_speaker_and_bad_page_are_404(self) -> None:
        self.assertEqual(self.client.get("/speakers/nobody/").status_code, 404)
        response = self.client.get("/speakers/marc-benioff/", {"page": "x"})
        self.assertContains(response, "Page not found", status_code=404)


class QuotePermalinkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = ArticleFactory(headline="The story", slug="the-story")
        cls.quote = QuoteFactory(
            article=cls.article,
            key="ceo",
            text="We will keep building.",
            context="Said at the annual conference.",
        )

    def test_permalink_shows_quote_context_and_article(self) -> None:
        """The permalink page has the quotation, its context and a link to it in place."""
        response = self.client.get("/articles/the-story/quotes/ceo/")
        self.assertEqual(self.quote.get_absolute_url(), "/articles/the-story/quotes/ceo/")
        self.assertContains(response, "<blockquote")
        self.assertContains(response, "Said at the annual conference.")
        self.assertContains(response, 'href="/articles/the-story/#quote-ceo"')
        self.assertContains(response, '"@type": "Quotation"')

    def test_one_canonical_link_and_an_absolute_itemid(self) -> None:
        """The permalink page names one canonical address, and its Quotation's id is an
        absolute URL (on the public site's address when SITE_URL is set)."""
        html = self.client.get("/articles/the-story/quotes/ceo/").content.decode()
        self.assertEqual(
            re.findall(r'<link rel="canonical"[^>]*>', html),
            ['<link rel="canonical" href="http://testserver/articles/the-story/quotes/ceo/">'],
        )
        self.assertIn('itemid="http://testserver/articles/the-story/quotes/ceo/"', html)
        with self.settings(SITE_URL="https://news.example.com"):
            for url in ["/articles/the-story/quotes/ceo/", "/articles/the-story/"]:
                with self.subTest(url=url):
                    self.assertContains(
                        self.client.get(url),
                        'itemid="https://news.example.com/articles/the-story/quotes/ceo/"',
                    )

    def test_unknown_quote_or_article_is_404(self) -> None:
        for url in ["/articles/the-story/quotes/nope/", "/articles/nope/quotes/ceo/"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class PullQuoteTests(TestCase):
    def test_pull_quote_is_shown_beside_the_body(self) -> None:
        """A quote ticked as a pull quote, not placed by a marker, still reaches readers,
        once, as an attributed quotation."""
        article = ArticleFactory(body="Intro.\n\n[[quote:placed]]")
        QuoteFactory(article=article, key="placed", text="Placed words.", is_pull_quote=True)
        QuoteFactory(article=article, key="pulled", text="Pulled words.", is_pull_quote=True)
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "<p>Pulled words.</p>", count=1)
        self.assertContains(response, "<p>Placed words.</p>", count=1)
        aside = (
            response.content.decode().split('<aside class="pull-quotes"')[1].split("</aside>")[0]
        )
        self.assertIn('id="quote-pulled"', aside)
        self.assertNotIn("Placed words.", aside)


class QuoteSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            speaker = SpeakerFactory(name="Marc Benioff", slug="marc-benioff")
            article = ArticleFactory(headline="Dreamforce opens")
            QuoteFactory(article=article, speaker=speaker, text="Trust is our highest value.")

    def test_site_search_finds_quotes_by_words_and_speaker(self) -> None:
        """A reader searching for the quoted words, or for who said them, finds the article
        (on SQLite and on PostgreSQL); a renamed speaker is found under the new name."""
        for query in ["highest value", "Benioff"]:
            with self.subTest(query=query):
                self.assertContains(self.client.get("/search/", {"q": query}), "Dreamforce opens")
        with self.captureOnCommitCallbacks(execute=True):
            speaker = Speaker.objects.get(slug="marc-benioff")
            speaker.name = "Parker Harris"
            speaker.save()
        self.assertContains(self.client.get("/search/", {"q": "Parker"}), "Dreamforce opens")


class ChangedQuoteTests(TestCase):
    """A quote whose words changed after publication says so wherever readers meet it."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.quote = QuoteFactory(
            key="trust", text="Trust is our highest value.", is_pull_quote=False
        )
        cls.article, cls.speaker = cls.quote.article, cls.quote.speaker
        cls.article.body = "Intro.\n\n[[quote:trust]]\n\nEnd."
        cls.article.save()
        # Published an hour ago (the factory's article), then the words changed.
        cls.quote.note_text_change(cls.quote.text)
        cls.quote.text_changed_at = datetime.datetime(2026, 6, 3, 9, 0, tzinfo=datetime.UTC)
        cls.quote.text = "Trust is our first value."
        cls.quote.save()

    NOTE = (
        "Changed after publication on 3 June 2026. Readers first saw: “Trust is our highest value.”"
    )

    def test_article_shows_the_change(self) -> None:
        self.assertIn(self.NOTE, page_text(self.client.get(self.article.get_absolute_url())))

    def test_quote_permalink_shows_the_change(self) -> None:
        self.assertIn(self.NOTE, page_text(self.client.get(self.quote.get_absolute_url())))

    def test_speaker_page_shows_the_change(self) -> None:
        self.assertIn(self.NOTE, page_text(self.client.get(self.speaker.get_absolute_url())))

    def test_quotation_markup_carries_the_change(self) -> None:
        """JSON-LD (permalink and article) and microdata: dateModified and a correction
        with the words readers first saw."""
        for url in (self.quote.get_absolute_url(), self.article.get_absolute_url()):
            response = self.client.get(url)
            quotations = [
                item
                for data in json_ld(response)
                for item in [data, *data.get("citation", []), *data.get("hasPart", [])]
                if isinstance(item, dict) and item.get("@type") == "Quotation"
            ]
            self.assertTrue(quotations, url)
            self.assertEqual(quotations[0]["dateModified"], "2026-06-03T10:00:00+01:00")
            self.assertEqual(quotations[0]["correction"]["@type"], "CorrectionComment")
            self.assertIn("Trust is our highest value.", quotations[0]["correction"]["text"])
            self.assertContains(response, 'itemprop="correction"')

    def test_unchanged_quote_says_nothing(self) -> None:
        QuoteFactory(article=self.article, key="plain", text="Fine words.", speaker=self.speaker)
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(page_text(response).count("Changed after publication"), 1)
