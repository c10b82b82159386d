"""A quote placed in a stored body is rendered in Python (articles.rendering), not by
its template, which the quote pages and pull quotes render: the two must give the same
bytes for every branch of the template, whatever an author typed, with SITE_URL set or
not."""

import datetime
import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.template.loader import render_to_string
from django.test import SimpleTestCase, override_settings
from django.urls import NoReverseMatch

from articles.models import Article
from articles.rendering import render_body
from newsroom.markdown import RENDERED_MARKER_RE, render_markdown
from quotes.models import Quote, Speaker
from tests.hostile import PAYLOADS


def rendered_with_templates(body: str, quotes: Iterable[Quote], images: Mapping[str, Any]) -> str:
    """The body with each quote and image rendered by its template: what render_body
    must give."""
    quotes_by_key = {quote.key: quote for quote in quotes}

    def place(match: re.Match[str]) -> str:
        kind, key = match.groups()
        if kind == "quote" and key in quotes_by_key:
            return render_to_string("includes/quote.html", {"quote": quotes_by_key[key]})
        if kind == "image" and key in images:
            return render_to_string("includes/figure.html", {"image": images[key]})
        return ""

    return RENDERED_MARKER_RE.sub(place, render_markdown(body))


HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single' <b>bold</b>"
SPEAKERS = {
    "no speaker": None,
    "a person": Speaker(name=f"Ann {HOSTILE}", slug="ann-o-neil", kind=Speaker.Kind.PERSON),
    "an organisation": Speaker(name="Acme & Co", slug="acme", kind=Speaker.Kind.ORGANISATION),
}
SOURCE_TITLES = {"no source title": "", "a source title": f"Interview {HOSTILE}"}
SOURCE_URLS = {
    "no source URL": "",
    "a source URL": "https://example.com/a?b=1&c='d'\"><script>x</script>",
}
REPORTERS = {"not reported": "", "reported": f"The Paper {HOSTILE}"}
DAYS = {"no date": None, "a date": datetime.date(2018, 6, 19)}
CHANGES = {
    "unchanged": {},
    "changed": {
        "text_changed_at": datetime.datetime(2018, 6, 20, 23, 30, tzinfo=datetime.UTC),
        "previous_text": f"First words {HOSTILE}",
    },
}
TEXTS = ["Words.", f"One {HOSTILE}\n\nTwo\nlines.", *PAYLOADS[:10]]


def quote_in(article: Article, key: str = "said", **fields: Any) -> Quote:
    return Quote(**{"article": article, "key": key, "text": "Words.", "speaker": None, **fields})


class QuoteFigureTests(SimpleTestCase):
    article = Article(slug="ohana", body="Intro.\n\n[[quote:said]]\n\nEnd.")

    def assert_as_template(self, quotes: list[Quote], article: Article | None = None) -> None:
        article = article or self.article
        self.assertEqual(
            str(render_body(article.body, quotes, {})),
            rendered_with_templates(article.body, quotes, {}),
        )

    def test_every_branch(self) -> None:
        """Each combination of speaker, source title, source URL, reporter, date and
        change renders as the template renders it."""
        for site_url in ["", "https://news.example"]:
            branches = itertools.product(
                SPEAKERS.items(),
                SOURCE_TITLES.items(),
                SOURCE_URLS.items(),
                REPORTERS.items(),
                DAYS.items(),
                CHANGES.items(),
            )
            for branch in branches:
                (names, values) = zip(*branch, strict=True)
                speaker, source_title, source_url, reported_by, said_on, change = values
                quote = quote_in(
                    self.article,
                    speaker=speaker,
                    source_title=source_title,
                    source_url=source_url,
                    reported_by=reported_by,
                    said_on=said_on,
                    **change,
                )
                with (
                    self.subTest(site_url=site_url, branch=names),
                    override_settings(SITE_URL=site_url),
                ):
                    self.assert_as_template([quote])

    def test_what_authors_type(self) -> None:
        """Quoted words of every shape (paragraphs, line breaks, hostile markup) are
        escaped and broken into paragraphs as the template does."""
        for text in TEXTS:
            with self.subTest(text=text):
                self.assert_as_template([quote_in(self.article, text=text)])

    def test_several_quotes_of_several_speakers(self) -> None:
        """Two quotes of a body, and the same speaker quoted in the next body, render as
        the template renders them."""
        article = Article(slug="two", body="[[quote:a]]\n\nBetween.\n\n[[quote:b]]")
        person = SPEAKERS["a person"]
        quotes = [
            quote_in(article, "a", speaker=person),
            quote_in(article, "b", speaker=SPEAKERS["an organisation"]),
        ]
        self.assert_as_template(quotes)
        self.assert_as_template([quote_in(self.article, speaker=person)])

    def test_an_article_slug_no_address_holds(self) -> None:
        """A slug that is not one (written past the forms' checks) gives the template's
        empty permalink, not an error."""
        article = Article(slug="not a slug/", body="[[quote:said]]")
        self.assert_as_template([quote_in(article, speaker=SPEAKERS["a person"])])

    def test_a_speaker_slug_no_address_holds(self) -> None:
        """A speaker whose slug is not one fails as the template fails."""
        speaker = Speaker(name="Odd", slug="not a slug/", kind=Speaker.Kind.PERSON)
        quote = quote_in(self.article, speaker=speaker)
        with self.assertRaises(NoReverseMatch):
            rendered_with_templates(self.article.body, [quote], {})
        with self.assertRaises(NoReverseMatch):
            render_body(self.article.body, [quote], {})
