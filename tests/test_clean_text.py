"""Characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF):
forms remove them, and rows that hold them anyway (old data, raw SQL) still give valid
feeds, sitemaps and JSON-LD."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from io import StringIO
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.core.management import call_command
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import RequestFactory, SimpleTestCase, TestCase
from taggit.models import Tag

import reader.feeds
from articles.models import Article, Citation, Correction
from authors.models import Author
from disclosures.models import Organisation
from newsroom.feeds import CleansFeedText
from newsroom.text import NOT_XML, clean_text
from quotes.models import Quote, Speaker
from reader import structured_data
from tests.base import json_ld
from tests.factories import ArticleFactory, AuthorFactory, CitationFactory, CorrectionFactory
from tests.hostile import store_through_admin

# What a paste from a word processor or a careless script leaves. NUL is not among
# them: PostgreSQL cannot store it at all (forms and imports refuse or drop it).
DIRTY = "\x01\x0b\x0c\x1f\ufffe\uffff"

# Rows are written past the forms, as old data or raw SQL would be.
DIRTY_FIELDS: dict[type[models.Model], list[str]] = {
    Article: ["headline", "standfirst", "body", "backstory", "dateline"],
    Author: ["name", "job_title", "bio"],
    Tag: ["name"],
    Correction: ["text"],
    Quote: ["text", "source_title"],
    Speaker: ["name", "description"],
    Organisation: ["name"],
    Citation: ["title"],
}

# The apps whose text the site publishes; auth and axes hold accounts and sign-ins.
CONTENT_APPS = {"articles", "authors", "disclosures", "pictures", "pages", "quotes", "taggit"}


def strings(value: Any) -> Iterator[str]:
    """Every string in parsed JSON."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


class CleaningRuleTests(SimpleTestCase):
    def test_forbidden_characters_go_and_breaks_become_spaces(self) -> None:
        """Word's line break (a vertical tab) and page break keep words apart; NUL, other
        control characters, lone surrogates and U+FFFE/U+FFFF are dropped."""
        self.assertEqual(clean_text("Line\x0bbreak\x0cpage"), "Line break page")
        self.assertEqual(clean_text("a\x00b\x1fc\ud800d\ufffee\uffff"), "abcde")
        self.assertEqual(clean_text("tab\tnew\nline\r ok é 😀"), "tab\tnew\nline\r ok é 😀")

    def test_json_ld_of_text_no_database_can_hold(self) -> None:
        """A lone surrogate cannot be stored, but must not break a page if a text built in
        memory carries one: the script is UTF-8 and clean."""
        script = structured_data.script({"name": "Half \ud800 a pair\x00"})
        self.assertEqual(
            script.encode(), b'<script type="application/ld+json">{"name": "Half  a pair"}</script>'
        )


class FeedWriterTests(SimpleTestCase):
    def test_every_feed_of_the_site_writes_through_the_cleaning_writer(self) -> None:
        """A feed added later is held to the rule too."""
        feeds, pending = [], [Feed]
        while pending:
            for subclass in pending.pop().__subclasses__():
                pending.append(subclass)
                if subclass.__module__ == reader.feeds.__name__:
                    feeds.append(subclass)
        self.assertGreaterEqual(len(feeds), 8)
        for feed in feeds:
            with self.subTest(feed=feed.__name__):
                self.assertTrue(issubclass(feed.feed_type, CleansFeedText))


class OldDataTests(TestCase):
    """Rows holding forbidden characters (written before the forms cleaned, or by SQL)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.author = AuthorFactory(name="Ann Author", slug="ann", bio="A bio.", job_title="Writer")
        with cls.captureOnCommitCallbacks(execute=True):
            cls.article = ArticleFactory(
                authors=[cls.author], backstory="How we did it.", dateline="LONDON"
            )
        cls.article.tags.add("Cloud")
        CorrectionFactory(article=cls.article, text="A name was misspelt.")
        CitationFactory(article=cls.article)
        for model, fields in DIRTY_FIELDS.items():
            model._default_manager.update(**{name: Concat(name, Value(DIRTY)) for name in fields})
        cls.quote = (
            Quote.objects.select_related("article")
            .filter(article__slug__startswith="salesforce")
            .first()
        )

    def test_every_feed_and_sitemap_is_valid_xml_without_them(self) -> None:
        self.assertIn(DIRTY, Article.objects.get(pk=self.article.pk).headline)
        urls = [
            "/feed/",
            "/feed/atom/",
            "/topics/cloud/feed/",
            "/topics/cloud/feed/atom/",
            "/authors/ann/feed/",
            "/authors/ann/feed/atom/",
            "/corrections/feed/",
            "/sitemap.xml",
            "/sitemap-articles.xml",
            "/sitemap-authors.xml",
            "/sitemap-topics.xml",
            "/news-sitemap.xml",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                root = ET.fromstring(response.content)
                texts = [text for element in root.iter() for text in element.itertext()]
                self.assertEqual([t for t in texts if NOT_XML.search(t)], [])
        feed = self.client.get("/corrections/feed/").content.decode()
        self.assertIn("Correction: Test headline number", feed)

    def test_json_ld_carries_clean_text(self) -> None:
        pages = [
            self.article.get_absolute_url(),
            Article.objects.get(slug__startswith="salesforce").get_absolute_url(),
            self.author.get_absolute_url(),
            self.quote.get_absolute_url(),
            "/",
        ]
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                found = [text for data in json_ld(response) for text in strings(data)]
                self.assertTrue(found)
                self.assertEqual([t for t in found if NOT_XML.search(t)], [])


class FormTests(TestCase):
    def test_every_text_typed_in_the_admin_is_stored_clean(self) -> None:
        """An editor pastes the characters into every field a person types (author,
        picture, topic, organisation, speaker, disclosure, article with its quote,
        correction and citation); no row of the site's content keeps one."""
        editor = get_user_model().objects.create_user("edith", password="unused-in-tests")
        call_command("grant_role", "edith", "editor", stdout=StringIO())
        self.client.force_login(editor)
        stored = store_through_admin(self.client, 1, "Word\x0bbreak\x00\x01\x1f\ufffe\uffff end")
        self.assertEqual(stored.article.headline, "Word break end")
        self.assertEqual(stored.article.tags.get().name, "1 Word break end")
        dirty = []
        for model in apps.get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
            ]
            if model._meta.app_label not in CONTENT_APPS or not fields:
                continue
            for row in model._default_manager.values(*fields):
                dirty += [(model, name) for name, text in row.items() if NOT_XML.search(text or "")]
        self.assertEqual(dirty, [])

    def test_every_admin_form_cleans_every_text_field(self) -> None:
        """New admins and fields are held to the rule too: each text field of each form
        (and inline) of the content admins drops the characters."""
        request = RequestFactory().get("/admin/")
        request.user = get_user_model().objects.create_superuser("root", password="unused")
        checked = 0
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label not in CONTENT_APPS:
                continue
            form_classes = [model_admin.get_form(request)]
            for inline in model_admin.get_inline_instances(request):
                form_classes.append(inline.get_formset(request).form)
            for form_class in form_classes:
                for name, field in form_class.base_fields.items():
                    if isinstance(field, forms.CharField):
                        with self.subTest(form=form_class.__name__, field=name):
                            self.assertNotRegex(field.to_python("a\x0bb\x01c"), NOT_XML)
                            checked += 1
        self.assertGreater(checked, 40)
