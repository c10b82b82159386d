"""Reader pages in real Chromium: an axe-core audit with no violations, no sideways
scrolling from 360 px up, a working skip link and search, screenshots at 375 and 1280 px."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.base import SEED_URL

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = {
    "home": "/",
    "article": SEED_URL,
    "author": "/authors/slauchlan/",
    "tag": "/topics/salesforce/",
    "search": "/search/?q=border",
    "speaker": "/speakers/salesforce-employees/",
    "quote": f"{SEED_URL}quotes/ohana/",
    "organisation": "/organisations/salesforce/",
    "disclosures": "/disclosures/",
    "policy": "/about/ethics/",
}
# WCAG 2.0, 2.1 and 2.2 A and AA rules, plus axe's best practices (landmarks, headings).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", [375, 1280])
def test_page_passes_accessibility_audit(page, screenshot, axe, name: str, width: int) -> None:
    """axe-core finds no violation on the page at phone and desktop widths."""
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(PAGES[name])
    assert response.status == 200
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert screenshot(page, f"{name}-{width}").stat().st_size > 0


@pytest.mark.parametrize("name", PAGES)
def test_no_sideways_scrolling_at_360_px(page, name: str) -> None:
    """Content fits the narrowest phone: nothing wider than the viewport."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_skip_link_is_first_and_moves_focus_to_main(page) -> None:
    page.goto(SEED_URL)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_reader_searches_from_the_header(page) -> None:
    page.goto("/")
    page.get_by_label("Search stories").fill("Benioff")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=Benioff")
    page.get_by_role("link", name="Salesforce staffers voice concern").click()
    page.wait_for_url(f"**{SEED_URL}")


def test_lead_image_has_no_layout_shift_and_loads_a_rendition(page) -> None:
    """The browser picks a WebP rendition from srcset; width and height reserve the box."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(SEED_URL)
    image = page.locator(".figure--lead img")
    image.evaluate("img => img.complete || new Promise(done => img.onload = done)")
    current = image.evaluate("img => img.currentSrc")
    assert "/media/renditions/" in current and current.endswith(".webp")
    box = image.bounding_box()
    assert round(box["width"] / box["height"], 2) == round(1600 / 900, 2)


@pytest.mark.parametrize(
    ("url", "selector", "size"),
    [("/authors/slauchlan/", ".author__photo", 160), (SEED_URL, ".byline__photo", 48)],
    ids=["author-page", "byline"],
)
def test_author_photo_loads_a_square_webp_rendition_in_its_box(
    page, screenshot, url: str, selector: str, size: int
) -> None:
    """The seeded author's photo: the browser picks a WebP rendition (not the uploaded
    file) at least as wide as its box, and the box is the size width and height say."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    photo = page.locator(selector)
    photo.evaluate("img => img.complete || new Promise(done => img.onload = done)")
    current = photo.evaluate("img => img.currentSrc")
    assert "/media/renditions/" in current and current.endswith(".webp"), current
    assert photo.evaluate("img => img.naturalWidth") >= size
    box = photo.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (size, size)
    assert screenshot(page, f"author-photo-{size}").stat().st_size > 0


def test_audit_catches_a_real_violation(page, axe) -> None:
    """The audit is not vacuous: a picture without alt text and an unlabelled field fail."""
    page.set_content('<html lang="en"><main><img src="x.png"><input type="text"></main></html>')
    results = axe.run(page, options=AXE_OPTIONS)
    found = {violation["id"] for violation in results.response["violations"]}
    assert {"image-alt", "label"} <= found


def test_search_landmarks_have_names_of_their_own(page, axe) -> None:
    """The results page has two search forms, the header's and its own: a screen
    reader's landmark list tells them apart by name."""
    page.goto(PAGES["search"])
    assert page.get_by_role("search").count() == 2
    for name in ("Site search", "Search again"):
        assert page.get_by_role("search", name=name, exact=True).count() == 1
    rules = {"runOnly": {"type": "rule", "values": ["landmark-unique"]}}
    assert axe.run(page, options=rules).violations_count == 0


@pytest.mark.parametrize("name", ["quote", "article"])
def test_quote_permalinks_name_what_they_show(page, axe, name: str) -> None:
    """A quote's permalink's accessible name contains its visible text (WCAG 2.5.3), so
    a speech user can say what they see. axe's check (kept out of its tag sets) finds
    nothing wrong and nothing for a person to review."""
    page.goto(PAGES[name])
    permalinks = page.locator("a.quote__permalink")
    assert permalinks.count() >= 1
    named = page.get_by_role("link", name=re.compile(r"^Permalink to this quote by \S"))
    assert named.count() == permalinks.count()
    rules = {"runOnly": {"type": "rule", "values": ["label-content-name-mismatch"]}}
    results = axe.run(page, options=rules).response
    assert results["violations"] == results["incomplete"] == []
