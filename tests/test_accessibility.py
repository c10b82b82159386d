"""Accessibility checks of an article's body (articles.accessibility): each check finds
what it should and leaves alone what it should; the publish checklist shows them as
advice that never stops publishing; the editor's panel shows them for the unsaved body."""

from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from articles import services
from articles.accessibility import (
    ALL_CAPITALS,
    FILE_NAME_ALT,
    NO_ALT,
    SKIPPED_HEADING,
    VAGUE_LINK,
    Finding,
    findings,
)
from articles.models import Article
from pictures.models import Image
from tests.factories import ArticleFactory, ImageFactory

ADVICE = "The body reads well with a screen reader"


def image(key: str, alt: str = "Two people shaking hands", **fields: Any) -> Image:
    # With its size given, the model does not open a file that is not stored.
    name = f"images/2026/ab12cd34{key}.jpg"
    return Image(key=key, alt_text=alt, file=name, width=800, height=600, **fields)


def checks_of(body: str, *images: Image, lead: Image | None = None) -> list[str]:
    return [f.check for f in findings(body, {i.key: i for i in images}, lead)]


class ImageChecksTests(SimpleTestCase):
    def test_image_without_alt_text_is_found_on_its_line(self) -> None:
        """A placed image with empty (or blank) alt text is a finding, on the marker's line."""
        for alt in ("", "   "):
            with self.subTest(alt=alt):
                found = findings("Intro.\n\n[[image:hands]]", {"hands": image("hands", alt)})
                self.assertEqual([f.check for f in found], [NO_ALT])
                self.assertEqual(found[0].line, 3)
                self.assertIn("“hands”", found[0].problem)
                self.assertIn("decorative", found[0].fix)

    def test_decorative_image_needs_no_alt_text(self) -> None:
        self.assertEqual(checks_of("[[image:rule]]", image("rule", "", is_decorative=True)), [])

    def test_image_with_real_alt_text_passes(self) -> None:
        self.assertEqual(checks_of("[[image:hands]]", image("hands")), [])

    def test_lead_image_is_checked_too(self) -> None:
        found = findings("Text.", {}, image("lead", ""))
        self.assertEqual([(f.check, f.where) for f in found], [(NO_ALT, "The lead image")])

    def test_alt_text_that_is_a_file_name_is_found(self) -> None:
        """Camera names, names with a picture extension, and the image's own key or
        stored file name are file names, not descriptions."""
        for alt in (
            "IMG_1234.jpg",
            "IMG_1234",
            "DSC01234",
            "pxl_20240101_123456",
            "holiday photo final.PNG",
            "hands",
            "ab12cd34hands.jpg",
        ):
            with self.subTest(alt=alt):
                self.assertEqual(checks_of("[[image:hands]]", image("hands", alt)), [FILE_NAME_ALT])

    def test_alt_text_mentioning_a_file_type_or_number_is_no_file_name(self) -> None:
        for alt in (
            "A JPEG artefact on the 1990s web page",
            "The image of 2024's summit",
            "Apollo 11 on the pad",
        ):
            with self.subTest(alt=alt):
                self.assertEqual(checks_of("[[image:hands]]", image("hands", alt)), [])

    def test_marker_matching_no_image_is_not_an_accessibility_finding(self) -> None:
        """The checklist's hard check refuses it; the accessibility check says nothing."""
        self.assertEqual(checks_of("[[image:gone]]"), [])


class HeadingChecksTests(SimpleTestCase):
    def test_body_headings_in_order_pass(self) -> None:
        body = "## One\n\n### One a\n\n### One b\n\n## Two\n\n### Two a\n\n#### Deeper"
        self.assertEqual(checks_of(body), [])

    def test_level_three_right_after_the_headline_is_skipped(self) -> None:
        found = findings("Intro.\n\n### Too deep", {})
        self.assertEqual([f.check for f in found], [SKIPPED_HEADING])
        self.assertIn("after the headline", found[0].problem)
        self.assertIn("level-2", found[0].fix)

    def test_skip_from_two_to_four_is_found(self) -> None:
        found = findings("## Two\n\n#### Four\n\n## Two again", {})
        self.assertEqual([(f.check, f.line) for f in found], [(SKIPPED_HEADING, 3)])
        self.assertIn("level-3", found[0].fix)

    def test_level_one_heading_in_body_is_found(self) -> None:
        """The headline is the page's h1: a body h1 (# or setext ===) is a second one."""
        for body in ("# Another title", "Another title\n============="):
            with self.subTest(body=body):
                self.assertEqual(checks_of(body), [SKIPPED_HEADING])

    def test_going_back_up_levels_is_fine(self) -> None:
        self.assertEqual(checks_of("## A\n\n### B\n\n#### C\n\n## D"), [])


class LinkChecksTests(SimpleTestCase):
    def test_vague_link_texts_are_found(self) -> None:
        for text in ("click here", "Here", "Read more…", "link", "this link", "more"):
            with self.subTest(text=text):
                found = findings(f"See [{text}](https://example.com/report).", {})
                self.assertEqual([f.check for f in found], [VAGUE_LINK])

    def test_bare_address_as_link_text_is_found(self) -> None:
        for body in (
            "See [https://example.com/report](https://example.com/report).",
            "See <https://example.com/report>.",
            "See [www.example.com](https://www.example.com).",
        ):
            with self.subTest(body=body):
                self.assertEqual(checks_of(body), [VAGUE_LINK])

    def test_empty_link_text_is_found(self) -> None:
        self.assertEqual(checks_of("See [](https://example.com/report)."), [VAGUE_LINK])

    def test_links_that_say_where_they_go_pass(self) -> None:
        """Vague words inside a longer link text are fine: the text as a whole says enough."""
        body = (
            "Read [the ministry's report](https://example.com/r) and "
            "[more here on the ruling](https://example.com/ruling); the "
            "[example.com annual figures](https://example.com/f)."
        )
        self.assertEqual(checks_of(body), [])

    def test_links_in_lists_and_headings_are_checked(self) -> None:
        self.assertEqual(
            checks_of("- [here](https://a.example)\n\n## [Click here](https://b.example)"),
            [VAGUE_LINK, VAGUE_LINK],
        )


class CapitalsChecksTests(SimpleTestCase):
    def test_paragraph_in_capitals_is_found(self) -> None:
        found = findings("Calm.\n\nTHE MINISTER SAID NOTHING AT ALL ABOUT THE DEAL, 2024.", {})
        self.assertEqual([(f.check, f.line) for f in found], [(ALL_CAPITALS, 3)])

    def test_abbreviations_datelines_and_mixed_case_pass(self) -> None:
        for body in (
            "NASA and the ESA said so.",
            "SAN FRANCISCO",
            "The CEO of IBM met the FBI and the CIA at NATO.",
            "東京で会議が開かれた。東京で会議が開かれた。東京で会議が開かれた。",
        ):
            with self.subTest(body=body):
                self.assertEqual(checks_of(body), [])

    def test_capital_headings_are_not_paragraphs(self) -> None:
        self.assertEqual(checks_of("## THE MINISTER SAID NOTHING AT ALL ABOUT IT"), [])


class OrderTests(SimpleTestCase):
    def test_findings_come_in_reading_order_with_what_where_and_how(self) -> None:
        body = "### Deep\n\n[here](https://a.example)\n\n[[image:x]]"
        found = findings(body, {"x": image("x", "")}, image("lead", "IMG_1.jpg"))
        self.assertEqual(
            [(f.check, f.where) for f in found],
            [
                (FILE_NAME_ALT, "The lead image"),
                (SKIPPED_HEADING, "Line 1"),
                (VAGUE_LINK, "Line 3"),
                (NO_ALT, "Line 5"),
            ],
        )
        self.assertTrue(all(isinstance(f, Finding) and f.problem and f.fix for f in found))


def make_user(username: str, role: str) -> Any:
    user = get_user_model().objects.create_user(username, password="pw-for-tests-only")
    call_command("grant_role", username, role, stdout=StringIO())
    return user


class ChecklistAdviceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_user("edith", "editor")
        cls.photo = ImageFactory(key="photo", alt_text="IMG_2020.jpg")

    def draft(self, body: str) -> Article:
        article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, body=body)
        article.tags.add("Cloud")
        return article

    def advice(self, article: Article) -> services.Check:
        return next(c for c in services.checklist(article) if c.label == ADVICE)

    def test_checklist_shows_findings_as_advice(self) -> None:
        article = self.draft("### Skipped\n\n[[image:photo]]\n\n[click here](https://a.example)")
        check = self.advice(article)
        self.assertFalse(check.passed)
        self.assertTrue(check.advice)
        for words in ("Line 1", "level 3", "IMG_2020.jpg", "click here"):
            self.assertIn(words, check.problem)

    def test_clean_body_passes(self) -> None:
        self.assertTrue(self.advice(self.draft("## Fine\n\n[[image:photo-ok]]")).passed)

    def test_missing_alt_text_stays_its_own_overridable_check(self) -> None:
        """Not said twice: the existing soft check names it, the advice does not."""
        ImageFactory(key="bare", alt_text="")
        article = self.draft("[[image:bare]]")
        self.assertTrue(self.advice(article).passed)
        self.assertIn("bare", services.failures(services.checklist(article), hard=False)[0])

    def test_advice_never_stops_publishing_nor_asks_for_an_override(self) -> None:
        article = self.draft("### Skipped\n\n[click here](https://a.example)")
        published = services.publish(article=article, user=self.editor)
        self.assertEqual(published.status, Article.Status.PUBLISHED)
        self.assertFalse(published.overrides.exists())

    def test_change_form_lists_the_advice(self) -> None:
        self.client.force_login(self.editor)
        article = self.draft("### Skipped")
        response = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        self.assertContains(response, ADVICE)
        self.assertContains(response, "advice: never stops publishing")
        self.assertContains(response, "admin/articles/accessibility.js")


class PanelTests(TestCase):
    url = reverse("admin:articles_article_accessibility")

    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_user("wes", "writer")
        cls.photo = ImageFactory(key="photo", alt_text="")
        cls.lead = ImageFactory(key="lead", alt_text="DSC_0042.JPG")

    def setUp(self) -> None:
        self.client.force_login(self.writer)

    def test_panel_shows_findings_of_the_unsaved_body_and_lead_image(self) -> None:
        response = self.client.post(
            self.url,
            {
                "body": "#### Deep\n\n[[image:photo]]\n\n[here](https://a.example)",
                "lead_image": str(self.lead.pk),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "4 things to look at")
        for check in (FILE_NAME_ALT, SKIPPED_HEADING, NO_ALT, VAGUE_LINK):
            self.assertContains(response, check)
        self.assertContains(response, "How to fix:")

    def test_panel_says_when_all_is_well(self) -> None:
        response = self.client.post(self.url, {"body": "## Fine\n\nPlain words."})
        self.assertContains(response, "No problems found")

    def test_words_of_the_body_are_escaped(self) -> None:
        response = self.client.post(self.url, {"body": "### <script>alert(1)</script>"})
        self.assertNotContains(response, "<script>alert(1)")
        self.assertContains(response, "&lt;script&gt;")

    def test_bad_lead_image_and_body_too_long_answer_clearly(self) -> None:
        for lead in ("nope", "99999999999999999999999", "-1"):
            response = self.client.post(self.url, {"body": "Text.", "lead_image": lead})
            self.assertContains(response, "No problems found")
        response = self.client.post(self.url, {"body": "a" * 200_001})
        self.assertContains(response, "the limit is 200,000", status_code=400)

    def test_panel_takes_a_post_from_staff_only(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.client.logout()
        response = self.client.post(self.url, {"body": "Text."})
        self.assertEqual(response.status_code, 302)  # to the login page
