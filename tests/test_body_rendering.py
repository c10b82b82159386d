"""Article bodies, backstories and policy pages: CommonMark with bounded rendering.

Whatever a body holds, its page answers; a body the renderer would not show in full
(too long, lists or quotes nested too deep, raw HTML left open too deep) is refused
with a message where it comes in: the article form, the body preview, the importer
and the policy page form. Render times are measured by bench/render.py.
"""

import importlib.util
import tempfile
from io import StringIO
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from articles.migrations import __path__ as migrations_path
from articles.models import Article
from newsroom.markdown import MAX_LENGTH, render_markdown, validate_markdown
from pages.models import Page
from tests.base import DATA, run_command
from tests.factories import ArticleFactory, QuoteFactory
from tests.test_command_import_articles import article, write_jsonl
from tests.test_workflow import WorkflowTestCase, admin_url

DEEP_LIST = "* " * 20_000 + "x"  # 40 KB: a list inside a list, 20,000 deep
OPEN_LINKS = "[a](" * 5_000  # unclosed link destinations
DEEP_QUOTES = ">" * 30 + " x"
DEEP_HTML = "<div>" * 200 + "text"
TOO_LONG = "word " * (MAX_LENGTH // 5) + "more"


def seed_body() -> str:
    """The seed story's Markdown, as its migration writes it."""
    path = f"{migrations_path[0]}/0001_squashed_0028_markdown_limits.py"
    spec = importlib.util.spec_from_file_location("seed_story", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.BODY)


class RenderingTests(SimpleTestCase):
    def test_seed_story_renders_as_before(self) -> None:
        """The seed story's body gives the HTML Python-Markdown gave (sanitised)."""
        self.assertHTMLEqual(
            render_markdown(seed_body()), (DATA / "seed_story_body.html").read_text()
        )

    def test_commonmark_rules(self) -> None:
        """The README's rules: a list right under a line of text, a list indented two
        spaces under an item, and fenced code blocks."""
        self.assertHTMLEqual(
            render_markdown("Three clouds:\n- Community\n  - Service\n- Analytics"),
            "<p>Three clouds:</p><ul><li>Community<ul><li>Service</li></ul></li>"
            "<li>Analytics</li></ul>",
        )
        self.assertHTMLEqual(
            render_markdown("```\n<b>x</b>\n```"), "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"
        )

    def test_raw_html_left_open_too_deep_is_shown_as_text(self) -> None:
        """Sanitising HTML takes time in proportion to how deep its elements nest: past
        the limit, the HTML is shown as the text it is."""
        html = render_markdown(DEEP_HTML)
        self.assertIn("&lt;div&gt;&lt;div&gt;", html)
        self.assertTrue(html.endswith("text</p>\n"))

    def test_html_with_end_tags_left_out_is_kept(self) -> None:
        """Paragraphs and list items whose end tags are left out (as WordPress writes
        them) nest no deeper than one: their HTML is kept."""
        html = "<ul>" + "<li>item" * 300 + "</ul>\n\n" + "<p>para\n" * 300
        validate_markdown(html)
        self.assertEqual(render_markdown(html).count("<li>"), 300)


class ValidationTests(SimpleTestCase):
    def test_each_limit_has_its_message(self) -> None:
        cases = [
            (TOO_LONG, "This text is 200,004 characters long; the limit is 200,000"),
            (DEEP_LIST, "Lists and block quotes can be nested at most 8 deep"),
            (DEEP_QUOTES, "Lists and block quotes can be nested at most 8 deep"),
            (DEEP_HTML, "The HTML in this text leaves more than 100 elements open"),
        ]
        for text, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(ValidationError, message):
                validate_markdown(text)

    def test_bodies_within_the_limits_pass(self) -> None:
        eight_lists = "\n".join("  " * depth + "- item" for depth in range(8))
        for text in [seed_body(), eight_lists, ">" * 8 + " x", "word " * (MAX_LENGTH // 5)]:
            validate_markdown(text)


class ArticleFormTests(WorkflowTestCase):
    def post(self, **overrides: Any) -> Any:
        article = self.draft()
        self.client.force_login(self.writer)
        response = self.client.post(
            admin_url("change", article.pk), self.change_form(article, **overrides)
        )
        return response, article

    def test_form_refuses_a_body_too_long_or_nested_too_deep(self) -> None:
        """The form comes back with the reason under the body, and nothing is saved."""
        for body, message in [
            (TOO_LONG, "This text is 200,004 characters long"),
            (DEEP_LIST, "Lists and block quotes can be nested at most 8 deep"),
        ]:
            with self.subTest(message=message):
                response, article = self.post(body=body)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                self.assertEqual(Article.objects.get(pk=article.pk).body, article.body)

    def test_form_refuses_a_backstory_nested_too_deep(self) -> None:
        response, article = self.post(backstory=DEEP_QUOTES)
        self.assertContains(response, "Lists and block quotes can be nested at most 8 deep")
        self.assertEqual(Article.objects.get(pk=article.pk).backstory, "")

    def test_preview_says_why_it_cannot_show_a_body(self) -> None:
        self.client.force_login(self.writer)
        url = reverse("admin:articles_live_preview")
        for body, message in [
            (DEEP_LIST, "Lists and block quotes can be nested at most 8 deep"),
            (TOO_LONG, "This text is 200,004 characters long"),
        ]:
            with self.subTest(message=message):
                response = self.client.post(url, {"body": body})
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()["error"])
        response = self.client.post(url, {"body": OPEN_LINKS})
        self.assertIn(f"<p>{OPEN_LINKS}</p>", response.json()["document"])


class PublicPageTests(TestCase):
    def test_pages_answer_whatever_the_body_holds(self) -> None:
        """Bodies stored before the limits (or by a script) still render: the list
        is cut at the nesting limit, the rest is shown as text."""
        for body in [DEEP_LIST, OPEN_LINKS, DEEP_QUOTES, DEEP_HTML, "*a **a " * 3_000]:
            live = ArticleFactory(body=body, backstory=body)
            with self.subTest(body=body[:20]):
                self.assertEqual(self.client.get(live.get_absolute_url()).status_code, 200)

    def test_a_marker_placed_right_under_a_line_of_text(self) -> None:
        """A marker is a line of its own even without blank lines around it, as the
        checklist counts it: its quote is placed, not printed as [[quote:...]]."""
        live = ArticleFactory(body="The letter says:\n[[quote:letter]]\nAnd more.")
        QuoteFactory(article=live, key="letter", text="Words from the letter.")
        response = self.client.get(live.get_absolute_url())
        self.assertContains(response, "Words from the letter.")
        self.assertNotContains(response, "[[quote:letter]]")
        self.assertContains(response, "<p>And more.</p>", html=True)


class ImportTests(TestCase):
    def test_import_refuses_a_record_past_the_limits_and_imports_nothing(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = write_jsonl(
                folder,
                article("fine-story", body="Fine."),
                article("long-story", body=TOO_LONG),
                article("nested-story", backstory=DEEP_LIST),
            )
            errors = StringIO()
            with self.assertRaisesMessage(CommandError, "2 bad records; nothing was imported"):
                run_command("import_articles", path, stderr=errors)
        self.assertIn(
            "line 2: article 'long-story': body: This text is 200,004 characters long",
            errors.getvalue(),
        )
        self.assertIn(
            "line 3: article 'nested-story': backstory: Lists and block quotes can be nested",
            errors.getvalue(),
        )
        self.assertFalse(Article.objects.filter(slug__endswith="-story").exists())


class PolicyPageTests(TestCase):
    def test_policy_page_body_has_the_same_limits(self) -> None:
        page = Page.objects.get(slug="ethics")
        page.body = DEEP_QUOTES
        with self.assertRaisesMessage(ValidationError, "nested at most 8 deep"):
            page.full_clean()
