"""The search page in real Chromium: searching with filters by keyboard alone, and an
axe-core audit with no violations with results, with a corrected misspelling, with
nothing found and with a bad filter, at phone and desktop widths."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_reader_pages import AXE_OPTIONS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = {
    "results": ("/search/?q=border", 200),
    "filtered": ("/search/?q=border&topic=salesforce&kind=analysis&sort=date", 200),
    "corrected": ("/search/?q=salesforse", 200),
    "none": ("/search/?q=zebra&kind=review", 200),
    "bad-filter": ("/search/?q=border&kind=gossip&from=yesterday", 400),
}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_search_pages_pass_accessibility_audit(
    page, screenshot, axe, name: str, width: int, theme: str
):  # type: ignore[no-untyped-def]
    """axe-core finds no violation, whatever the search found, in either theme."""
    page.emulate_media(color_scheme=theme)
    page.set_viewport_size({"width": width, "height": 900})
    url, status = PAGES[name]
    assert page.goto(url).status == status
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, f"search-{name}-{width}-{theme}")


def focused(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


def tab_to(page, target: str) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until `target` (an id, or a button's text) has the focus."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return
    raise AssertionError(f"Tab never reached {target}")


def test_search_with_filters_by_keyboard_alone(page, screenshot) -> None:  # type: ignore[no-untyped-def]
    """Words, a topic, a kind and the order chosen with the keyboard; the results say
    how many they are, mark the word and keep every choice in the form."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/search/")
    tab_to(page, "page-search")
    page.keyboard.type("border")
    tab_to(page, "Narrow and sort")
    page.keyboard.press("Enter")
    tab_to(page, "id_topic")
    page.keyboard.type("Salesforce")
    tab_to(page, "id_kind")
    page.keyboard.type("Analysis")
    tab_to(page, "id_sort")
    page.keyboard.type("Newest")
    tab_to(page, "Apply filters")
    page.keyboard.press("Enter")
    page.wait_for_url(
        "**/search/?q=border&topic=salesforce&author=&kind=analysis&sort=date&from=&to="
    )
    assert page.locator(".search-count").inner_text() == (
        "1 result for “border” with these filters."
    )
    assert page.locator(".card mark").first.inner_text().lower() == "border"
    assert page.locator("#id_topic").input_value() == "salesforce"
    assert page.locator("#id_kind").input_value() == "analysis"
    assert page.locator("#id_sort").input_value() == "date"
    screenshot(page, "search-keyboard")
