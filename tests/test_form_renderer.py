"""Forms render Django's own form templates with their Jinja2 copies (several times
faster; the admin's article page renders hundreds of them), templates/ still overrides
any form template, and the admin's article page is the same page either way."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.forms import renderers
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Article
from newsroom.renderers import TemplatesWithJinja2Forms
from tests.factories import ArticleFactory, AuthorFactory, QuoteFactory


class FormRendererTests(TestCase):
    def test_djangos_form_templates_render_with_jinja2(self) -> None:
        """Inputs, selects, labels and error lists come from Django's Jinja2 copies."""
        renderer = renderers.get_default_renderer()
        for name in (
            "django/forms/widgets/text.html",
            "django/forms/widgets/select.html",
            "django/forms/label.html",
            "django/forms/errors/list/ul.html",
        ):
            with self.subTest(name):
                self.assertIsInstance(renderer.get_template(name), Jinja2Template)

    def test_templates_folder_still_overrides(self) -> None:
        """The admin's date-and-time widget, overridden in templates/ to name the time
        zone, renders from there with the template language."""
        renderer = TemplatesWithJinja2Forms()
        template = renderer.get_template("admin/widgets/split_datetime.html")
        self.assertIsInstance(template, DjangoTemplate)
        self.assertIn("/templates/admin/widgets/", template.origin.name)


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        editor = get_user_model().objects.create_user("edith", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editor"))
        cls.editor = editor
        cls.article = ArticleFactory(authors=[AuthorFactory()])
        QuoteFactory(article=cls.article, key="first")

    def page(self, article: Article) -> str:
        self.client.force_login(self.editor)
        html = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        # The form's token, the scripts' nonces and a new correction's time (now) change
        # with every request; blank lines are the only other difference between the two
        # template engines.
        text = re.sub(r'(value|nonce)="([^"]{20,}|\d\d:\d\d:\d\d)"', "", html.content.decode())
        return "\n".join(line for line in text.splitlines() if line.strip())

    def test_article_page_same_with_either_engine(self) -> None:
        """Every field of the article page, its inlines and their empty rows render the
        same HTML as with Django's template-language renderer."""
        fast = self.page(self.article)
        self.assertIn('name="quotes-0-speaker"', fast)
        with override_settings(FORM_RENDERER="django.forms.renderers.TemplatesSetting"):
            plain = self.page(self.article)
        self.assertEqual(fast, plain)
