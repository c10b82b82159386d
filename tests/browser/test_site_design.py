"""The reader's site as a publisher ships it, in real Chromium: every page passes
axe-core in both themes at phone and desktop widths, article text keeps a readable
measure, the phone header stays short with its menu behind a disclosure button, the
theme switch remembers the reader's choice without a cookie, and a keyboard alone walks
the menu, the theme switch and the share links.

Each audited page is also photographed, named <page>-<width>-<theme>.jpg: under
test-artifacts/, or with DOCS_SCREENSHOTS set (`make screenshots`) into docs/screenshots/."""

import os
import statistics
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.storage import default_storage

from tests.base import SEED_URL
from tests.browser.conftest import ARTIFACTS, DOCS
from tests.browser.test_reader_pages import AXE_OPTIONS
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = {
    "home": "/",
    "article": SEED_URL,
    "topic": "/topics/salesforce/",
    "author": "/authors/slauchlan/",
    "search": "/search/?q=border",
    "search-none": "/search/?q=zebrafish",
    "speaker": "/speakers/salesforce-employees/",
    "organisation": "/organisations/salesforce/",
}
WIDTHS = [1280, 390]
THEMES = ["light", "dark"]
# Characters a line of article text, wherever the column has room for its measure.
MEASURE = (60, 75)

# Characters on each full line of the body's paragraphs (the last line of a paragraph
# is short by nature and left out), read from where the browser laid each one out.
CHARACTERS_PER_LINE = """() => {
    const counts = [];
    const range = document.createRange();
    for (const paragraph of document.querySelectorAll(".article__body p")) {
        const lines = new Map();
        const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
        for (let text = walker.nextNode(); text; text = walker.nextNode()) {
            for (let i = 0; i < text.length; i++) {
                range.setStart(text, i);
                range.setEnd(text, i + 1);
                const box = range.getBoundingClientRect();
                if (!box.height) continue;
                const top = Math.round(box.top);
                lines.set(top, (lines.get(top) || 0) + 1);
            }
        }
        counts.push(...[...lines.values()].slice(0, -1));
    }
    return counts;
}"""


def screenshot_folder() -> Path:
    folder = DOCS / "screenshots" if os.environ.get("DOCS_SCREENSHOTS") else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def tab(browser, live_server, request):  # type: ignore[no-untyped-def]
    """A tab of a context with the system theme the test asks for (light by default)."""
    theme = getattr(request, "param", "light")
    context = browser.new_context(base_url=live_server.url, color_scheme=theme)
    page = context.new_page()
    yield page


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("tab", THEMES, indirect=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_passes_accessibility_audit_in_both_themes(tab, axe, name: str, width: int) -> None:
    """axe-core (WCAG 2.2 AA and best practices, colour contrast included) finds nothing
    on the page, in the system's light and dark themes, on a phone and a desktop."""
    tab.set_viewport_size({"width": width, "height": 900})
    response = tab.goto(PAGES[name])
    assert response.status == 200
    tab.evaluate("document.fonts.ready")
    results = axe.run(tab, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    theme = tab.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    path = screenshot_folder() / f"{name}-{width}-{'dark' if theme else 'light'}.jpg"
    # JPEG: the whole set stays a few megabytes in the repository.
    tab.screenshot(path=str(path), full_page=True, type="jpeg", quality=80)


@pytest.mark.parametrize("width", [768, 1024, 1280, 1920])
def test_article_text_keeps_a_readable_measure(tab, width: int) -> None:
    """60-75 characters a line wherever the column has room (a phone has less)."""
    tab.set_viewport_size({"width": width, "height": 900})
    tab.goto(SEED_URL)
    tab.evaluate("document.fonts.ready")
    counts = tab.evaluate(CHARACTERS_PER_LINE)
    assert MEASURE[0] <= statistics.median(counts) <= MEASURE[1], counts
    assert max(counts) <= MEASURE[1], counts


def test_article_text_on_a_phone_never_runs_past_the_measure(tab) -> None:
    tab.set_viewport_size({"width": 390, "height": 900})
    tab.goto(SEED_URL)
    tab.evaluate("document.fonts.ready")
    assert max(tab.evaluate(CHARACTERS_PER_LINE)) <= MEASURE[1]


def test_the_site_uses_its_own_fonts(tab) -> None:
    """The body and the interface are set in the vendored faces, loaded from this site."""
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(SEED_URL)
    tab.evaluate("document.fonts.ready")
    assert tab.evaluate("document.fonts.check('1rem \"Source Serif 4\"')")
    assert tab.evaluate("document.fonts.check('600 1rem Inter')")
    loaded = tab.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert {"Source Serif 4", "Inter"} <= {family.strip('"') for family in loaded}
    fonts = [url for url in requests if url.endswith(".woff2")]
    assert fonts and all(url.startswith(tab.url.split("/articles/")[0]) for url in fonts)


def test_phone_header_is_short_and_its_menu_a_disclosure(tab) -> None:
    """At 390 px the header is one line; the menu opens and closes from a button that
    says whether it is open, and Escape closes it and gives the button focus back."""
    tab.set_viewport_size({"width": 390, "height": 800})
    tab.goto(SEED_URL)
    assert tab.locator(".site-header").bounding_box()["height"] <= 64
    button = tab.get_by_role("button", name="Menu")
    menu = tab.get_by_role("navigation", name="Sections")
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    assert menu.get_by_role("link", name="Analysis").get_attribute("aria-current") == "true"
    tab.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    assert tab.evaluate("document.activeElement.className") == "menu-toggle"


def test_wide_header_shows_the_menu_without_a_button(tab) -> None:
    tab.set_viewport_size({"width": 1280, "height": 800})
    tab.goto("/")
    assert tab.get_by_role("navigation", name="Sections").is_visible()
    assert not tab.get_by_role("button", name="Menu").is_visible()


@pytest.mark.parametrize("tab", ["dark"], indirect=True)
def test_theme_follows_the_system_and_the_choice_is_remembered(tab) -> None:
    """A dark system gives the dark theme; the switch turns it light, and the choice
    outlives a reload, kept in local storage, never in a cookie."""
    tab.goto(SEED_URL)
    paper = "getComputedStyle(document.body).backgroundColor"
    dark = tab.evaluate(paper)
    switch = tab.get_by_role("button", name="Dark theme")
    assert switch.get_attribute("aria-pressed") == "true"
    switch.click()
    assert switch.get_attribute("aria-pressed") == "false"
    light = tab.evaluate(paper)
    assert light != dark
    tab.reload()
    assert tab.evaluate(paper) == light
    assert tab.evaluate("document.documentElement.dataset.theme") == "light"
    assert tab.evaluate("localStorage.getItem('theme')") == "light"
    assert tab.context.cookies() == []


def test_keyboard_alone_walks_the_menu_the_theme_switch_and_the_share_links(tab) -> None:
    """On a phone, with the keyboard only: open the menu, follow a section, switch the
    theme, reach the article's share links and copy its address."""
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab.set_viewport_size({"width": 390, "height": 800})
    tab.goto(SEED_URL)

    def focused() -> str:
        return tab.evaluate("document.activeElement.textContent.trim()")

    def tab_to(words: str, limit: int = 80) -> None:
        for _ in range(limit):
            tab.keyboard.press("Tab")
            if focused() == words:
                return
        raise AssertionError(f"Tab never reached {words!r}")

    tab_to("Menu")
    tab.keyboard.press("Enter")
    tab_to("News")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/kinds/news/")
    tab.goto(SEED_URL)
    tab_to("Dark theme")
    tab.keyboard.press("Space")
    assert tab.evaluate("document.documentElement.dataset.theme") == "dark"
    tab_to("Copy link")
    tab.keyboard.press("Enter")
    status = tab.locator(".share__status")
    status.get_by_text("Link copied.").wait_for()
    assert tab.evaluate("navigator.clipboard.readText()") == tab.url
    tab_to("Bluesky (opens in a new tab)")
    href = tab.evaluate("document.activeElement.href")
    assert href.startswith("https://bsky.app/intent/compose?text=")


def test_a_quotes_source_comes_forward_on_keyboard_focus(tab) -> None:
    """Tabbing into a quote brings its attribution and source from grey to the text's
    own colour (pointing at it does the same)."""
    tab.goto(SEED_URL)
    caption = tab.locator("#quote-ohana figcaption")
    colour = "element => getComputedStyle(element).color"
    resting = caption.evaluate(colour)
    tab.locator("#quote-ohana .quote__speaker").focus()
    focused = caption.evaluate(colour)
    assert focused != resting
    assert focused == tab.evaluate("getComputedStyle(document.body).color")


def test_a_picture_that_fails_to_load_is_never_a_broken_image(tab) -> None:
    """A picture whose file is gone shows as a tinted box in its place."""
    image = ImageFactory()
    article = ArticleFactory(lead_image=image)
    for name in [image.file.name, *(r.file.name for r in image.renditions.all())]:
        default_storage.delete(name)
    tab.goto(article.get_absolute_url())
    lead = tab.locator(".figure--lead picture")
    lead.and_(tab.locator(".picture--broken")).wait_for(state="attached")
    assert lead.locator("img").evaluate("img => getComputedStyle(img).visibility") == "hidden"
