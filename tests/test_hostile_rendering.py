"""Hostile input: every payload of tests/data/xss_payloads.json is
stored through the admin in every field a person types, published, and then no page,
feed, sitemap or JSON-LD block serves anything executable. Property tests throw
generated Markdown and HTML at the renderer, adversarial shapes included."""

import xml.etree.ElementTree as ET
from io import StringIO

import html5lib
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import SimpleTestCase

from articles.rendering import render_body
from newsroom.markdown import render_markdown
from tests.factories import ArticleFactory
from tests.hostile import PAYLOADS, SHARED_URLS, executable_content, store_through_admin

# Feed elements whose text readers render as HTML: RSS descriptions, Atom summaries and
# content marked type="html". Titles are plain text in RSS 2.0 and in Atom (no type).
_HTML_ELEMENTS = ("description", "summary", "content", "encoded")


def feed_problems(content: bytes) -> list[str]:
    """A feed or sitemap is XML: it must parse, have only our items, and carry nothing
    executable where a reader shows HTML."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        return [f"feed is not XML: {error}"]
    problems = []
    for element in root.iter():
        is_html = element.tag.rsplit("}", 1)[-1] in _HTML_ELEMENTS
        if is_html and element.get("type", "html") != "text" and element.text:
            problems += [f"in <{element.tag}>: {p}" for p in executable_content(element.text)]
        if element.tag.endswith("link"):
            href = element.get("href") or element.text or ""
            if "evil.example" in href:
                problems.append(f"injected link {href}")
    return problems


class HostileRenderingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        editor = get_user_model().objects.create_user("edith", password="unused-in-tests")
        call_command("grant_role", "edith", "editor", stdout=StringIO())
        client = cls.client_class()
        client.force_login(editor)
        cls.stored = [
            store_through_admin(client, number, payload) for number, payload in enumerate(PAYLOADS)
        ]

    def test_catalogue_is_big_enough(self) -> None:
        self.assertGreaterEqual(len(PAYLOADS), 60)

    def test_no_page_serves_executable_content(self) -> None:
        urls = list(SHARED_URLS)
        for item in self.stored:
            urls += item.reader_urls()
            urls.append(f"/search/?q={item.payload[:100]}")
        checked = 0
        for url in dict.fromkeys(urls):
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertEqual(response.status_code, 200)
                content_type = response["Content-Type"]
                if "html" in content_type:
                    self.assertEqual(executable_content(response.content.decode()), [])
                else:
                    self.assertEqual(feed_problems(response.content), [])
                checked += 1
        self.assertGreater(checked, 4 * len(PAYLOADS))

    def test_payloads_survive_as_text(self) -> None:
        """Sanitising must not eat what the writer typed: a headline is shown as words."""
        response = self.client.get(self.stored[0].article.get_absolute_url())
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(response, "<title>&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_admin_pages_show_payloads_inert(self) -> None:
        client = self.client_class()
        client.force_login(get_user_model().objects.get(username="edith"))
        for url in ["/admin/articles/article/", "/admin/authors/author/", "/admin/pictures/image/"]:
            with self.subTest(url=url):
                response = client.get(url)
                self.assertEqual(executable_content(response.content.decode()), [])


# Pathological shapes for Markdown parsers and HTML sanitisers, repeated: nesting
# (lists, quotes, brackets, emphasis, raw HTML), openers without closers and the reverse.
ADVERSARIAL_UNITS = [
    "* ", "1. ", "- ", "  * a\n", "> ", ">", "[a](", "![a](", "[a](<b", "[a](b)", "[", "]",
    "[a", "a]", "*a **a ", " a** a*", "_a ", "a_ ", "*a_ ", "c* ", "*", "`", "``", "&#",
    "<http://", "<!--", "[a]: <b\n", "|a", "|-", "\n", "<div>", "<ul><li>", "<b title=1>",
    "</b>", "<p>",
]  # fmt: skip
# Few repeats find mixtures; many find depth and quadratic time.
REPEATS = [1, 2, 3, 10, 100, 1_000, 3_000]


class RendererPropertyTests(SimpleTestCase):
    """Whatever Markdown or HTML goes in, only the allowed elements and attributes come out."""

    allowed_tags = {
        "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "h2", "h3", "h4", "hr", "i",
        "li", "ol", "p", "pre", "q", "strong", "sub", "sup", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }  # fmt: skip
    allowed_attributes = {"href", "title", "align", "rel"}

    def assert_inert(self, html: str) -> None:
        self.assertEqual(executable_content(html), [])
        fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
        for element in fragment.iter():
            if isinstance(element.tag, str) and element is not fragment:
                self.assertIn(element.tag, self.allowed_tags)
                self.assertLessEqual(set(element.attrib), self.allowed_attributes)

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.sampled_from(PAYLOADS),
                st.text(max_size=30),
                st.sampled_from(
                    [
                        "<",
                        ">",
                        '"',
                        "'",
                        "=",
                        "/",
                        "`",
                        "[",
                        "](",
                        ")",
                        "\n\n",
                        "javascript:",
                        "data:",
                        "on",
                        "error",
                        "script",
                        "svg",
                        "&#",
                        ";",
                        "*",
                        "#",
                        "> ",
                        "    ",
                    ]
                ),  # fmt: skip
            ),
            max_size=12,
        ).map("".join)
    )
    def test_generated_markdown_and_html_render_inert(self, text: str) -> None:
        self.assert_inert(render_markdown(text))
        self.assert_inert(str(render_body(text, [], {})))

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(st.sampled_from(ADVERSARIAL_UNITS), st.sampled_from(REPEATS)),
            min_size=1,
            max_size=3,
        ).map(lambda parts: "".join(unit * count for unit, count in parts) + "x")
    )
    @example("* " * 20_000 + "x")  # 40 KB of lists inside lists
    @example("[a](" * 20_000)  # 80 KB of unclosed links
    @example("> " * 5_000 + "x")
    @example("*a **a " * 3_000 + "b" + " a** a*" * 3_000)
    @example("[a](https://example.com/)" * 3_000)
    def test_adversarial_shapes_render(self, text: str) -> None:
        """Deep lists and quotes, unclosed links and emphasis, long link chains and deep
        raw HTML render (within bench/render.py's times), and stay inert."""
        self.assert_inert(render_markdown(text))
        self.assert_inert(str(render_body(text, [], {})))

    def test_every_catalogue_payload_renders_inert(self) -> None:
        for payload in PAYLOADS:
            with self.subTest(payload=payload):
                self.assert_inert(render_markdown(payload))


class TopicNamesInAnyScriptTests(TestCase):
    """Topic slugs keep letters of any script and are never empty, so every page
    linking a topic can build its address."""

    def test_topics_in_any_script_and_symbol_only_topics_have_pages(self) -> None:
        article = ArticleFactory()
        article.tags.add("日本", "Café", "★★★", "!!!", "Ελλάδα")
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
        slugs = sorted(tag.slug for tag in article.tags.all())
        self.assertEqual(len(set(slugs)), 5)
        for slug in slugs:
            with self.subTest(slug=slug):
                self.assertTrue(slug.strip("-_0123456789"))
                self.assertContains(self.client.get(f"/topics/{slug}/"), article.headline)
        self.assertEqual(self.client.get("/sitemap-topics.xml").status_code, 200)
