"""The article editor in real Chromium: the toolbar writes Markdown, the live preview
follows the text at desktop and phone widths, a marker that matches nothing is marked,
a closed tab's text comes back in another browser, two browsers editing at once end in
the lost-update refusal, the form passes axe at 1280 and 390 px, and without
JavaScript it is the plain form, which saves.

With DOCS_SCREENSHOTS set (`make screenshots`) the tests also remake the screenshots of
docs/editing.md in docs/editing/.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Article, Autosave
from authors.models import Author
from tests.browser.conftest import docs_screenshot, server_paused
from tests.browser.test_editorial_flow import log_in, staff, write_body
from tests.browser.test_reader_pages import AXE_OPTIONS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ADD = "/admin/articles/article/add/"


def guide_screenshot(tab, name: str, part: str = "") -> None:  # type: ignore[no-untyped-def]
    """The guide's picture of this screen from its top, or of one `part` of it."""
    if part:
        docs_screenshot(tab.locator(part), f"editing/{name}.png")
    else:
        tab.evaluate("window.scrollTo(0, 0)")
        docs_screenshot(tab, f"editing/{name}.png")


def preview_text(tab, selector: str) -> str:  # type: ignore[no-untyped-def]
    return tab.frame_locator("#live-preview iframe").locator(selector).inner_text()


@pytest.fixture
def writer(browser, live_server):  # type: ignore[no-untyped-def]
    user = staff("wendy", "writer")
    Author.objects.create(name="Wendy Writer", slug="wendy-writer", user=user)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    log_in(tab, "wendy", ADD)
    yield tab


def test_toolbar_writes_markdown_and_the_preview_follows(writer, screenshot) -> None:
    tab = writer
    console: list[str] = []
    tab.on("console", lambda message: console.append(message.text))
    # The headline's length, and the hint once search results would cut it.
    tab.fill("#id_headline", "A" * 61)
    assert tab.inner_text("#headline-length") == (
        "61 characters: search results will cut it after about 60"
    )
    tab.fill("#id_headline", "Councils weigh the cloud")
    assert tab.inner_text("#headline-length") == "24 characters"
    tab.fill("#id_standfirst", "Three councils compare offers.")
    tab.select_option("#id_kind", "news")
    write_body(tab, "Intro paragraph.\n\nWhat they said")
    # Heading and bold by the keyboard shortcuts the buttons' titles name.
    assert "Ctrl-Alt-2" in tab.get_attribute(".editor-toolbar .heading", "title")
    assert "Ctrl-B" in tab.get_attribute(".editor-toolbar .bold", "title")
    tab.keyboard.press("Control+Alt+2")
    tab.keyboard.press("End")
    tab.keyboard.press("Enter")
    tab.keyboard.press("Enter")
    tab.click(".editor-toolbar .bold")
    tab.keyboard.insert_text("Strong words")
    assert tab.input_value("#id_body") == (
        "Intro paragraph.\n\n## What they said\n\n**Strong words**"
    )
    heading = tab.frame_locator("#live-preview iframe").locator(".article__body h2")
    heading.wait_for()
    assert heading.inner_text() == "What they said"
    assert preview_text(tab, "h1") == "Councils weigh the cloud"
    assert preview_text(tab, ".article__body strong") == "Strong words"
    tab.locator("[data-length]", has_text="8 words · 1 min read").wait_for()
    # The keyboard is never trapped: Tab leaves the text for the next control, and
    # Shift-Tab from the text reaches the toolbar's buttons.
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.closest('.CodeMirror')") is None
    tab.click(".EasyMDEContainer .CodeMirror")
    tab.keyboard.press("Shift+Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Insert image"
    assert "Councils weigh the cloud" in tab.text_content("[data-structured-data]")
    screenshot(tab, "desktop")
    guide_screenshot(tab, "form")

    # The page at a phone's width: the frame is 390 px wide, and the page lays out for it.
    tab.click("[data-preview-width='390']")
    assert tab.get_attribute("[data-preview-width='390']", "aria-pressed") == "true"
    assert tab.locator("#live-preview iframe").evaluate("f => f.offsetWidth") == 390
    # Polled: a preview the last keystrokes asked for may still replace the frame's page.
    expect(tab.frame_locator("#live-preview iframe").locator("html")).to_have_js_property(
        "clientWidth", 390
    )
    # As a reader's phone shows it: the menu behind its button, not open over the story.
    page = tab.frame_locator("#live-preview iframe")
    assert page.locator(".menu-toggle").is_visible()
    assert not page.locator("#site-nav").is_visible()
    # The frame runs no script, and is given none to refuse: the console stays quiet.
    assert page.locator("script[src]").count() == 0
    assert [text for text in console if "script" in text.lower()] == []
    guide_screenshot(tab, "preview-phone", "#live-preview")


def test_marker_that_matches_nothing_is_marked_in_the_editor(writer) -> None:
    tab = writer
    write_body(tab, "Intro.\n\n[[quote:ghost]]\n\nMore.")
    # The editor's own highlighting splits the marker into spans: each is marked.
    marked = tab.locator(".CodeMirror .marker-unknown")
    marked.first.wait_for()
    assert "".join(marked.all_inner_texts()) == "[[quote:ghost]]"
    assert "matches no quote" in marked.first.get_attribute("title")
    assert "[[quote:ghost]] matches no quote" in tab.inner_text(".body-problems")
    guide_screenshot(tab, "unknown-marker", ".field-body")
    # A quote row with that key makes it whole.
    tab.click("#quotes-group .add-row a")
    tab.fill("#id_quotes-0-key", "ghost")
    tab.fill("#id_quotes-0-text", "Here after all.")
    marked.first.wait_for(state="detached")
    assert preview_text(tab, "figure.quote blockquote") == "Here after all."


def test_closed_tab_text_comes_back_in_a_new_browser(browser, live_server) -> None:
    staff("wendy", "writer")
    first = browser.new_context(base_url=live_server.url)
    tab = first.new_page()
    log_in(tab, "wendy", ADD)
    tab.fill("#id_headline", "A story I never saved")
    write_body(tab, "Three hours of careful work.")
    tab.locator(".autosave-status", has_text="kept on the server").wait_for()
    first.close()  # the laptop's lid, or a crash: nothing saved with the form

    second = browser.new_context(base_url=live_server.url)
    reopened = second.new_page()
    log_in(reopened, "wendy", ADD)
    offer = reopened.locator("#autosave-offer")
    offer.wait_for(state="visible")
    assert "Restore your unsaved changes from" in offer.inner_text()
    guide_screenshot(reopened, "autosave-offer")
    assert reopened.input_value("#id_body") == ""
    reopened.click("[data-autosave-restore]")
    assert reopened.input_value("#id_body") == "Three hours of careful work."
    assert reopened.input_value("#id_headline") == "A story I never saved"
    assert preview_text(reopened, ".article__body p") == "Three hours of careful work."
    with server_paused(live_server):
        assert Article.objects.filter(headline="A story I never saved").count() == 0
    # Saving the article ends the autosave.
    reopened.select_option("#id_kind", "news")
    reopened.click("input[name=_continue]")
    reopened.wait_for_url("**/change/")
    with server_paused(live_server):
        assert Article.objects.filter(headline="A story I never saved").count() == 1
        assert not Autosave.objects.exists()
    second.close()
    live_server.thread.httpd.drain()


def test_two_browsers_editing_at_once_end_in_the_lost_update_refusal(browser, live_server) -> None:
    staff("edith", "editor")
    staff("eric", "editor")
    article = Article.objects.get(slug__startswith="salesforce-staffers")
    url = f"/admin/articles/article/{article.pk}/change/"
    contexts = [browser.new_context(base_url=live_server.url) for _ in range(2)]
    first, second = (context.new_page() for context in contexts)
    log_in(first, "edith", url)
    log_in(second, "eric", url)
    first.fill("#id_standfirst", "Edith's standfirst.")
    first.click("input[name=_continue]")
    first.wait_for_url("**/change/")
    assert "was changed successfully" in first.inner_text(".messagelist")

    second.fill("#id_standfirst", "Eric's standfirst.")
    second.click("input[name=_continue]")
    second.wait_for_load_state()
    refusal = second.inner_text(".errorlist.nonfield")
    assert "edith saved this article at" in refusal
    assert second.input_value("#id_standfirst") == "Eric's standfirst."
    with server_paused(live_server):
        article.refresh_from_db()
    assert article.standfirst == "Edith's standfirst."


@pytest.mark.parametrize("width", [1280, 390])
def test_editor_passes_accessibility_audit(writer, width: int) -> None:
    tab = writer
    tab.set_viewport_size({"width": width, "height": 900})
    write_body(tab, "Intro.\n\n[[image:nowhere]]")
    tab.locator(".CodeMirror .marker-unknown").first.wait_for()
    results = Axe().run(tab, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    if width == 390:
        guide_screenshot(tab, "form-phone")


def test_form_works_without_javascript(browser, live_server) -> None:
    """The body is the plain text box it always was, and the form saves it."""
    writer = staff("wendy", "writer")
    Author.objects.create(name="Wendy Writer", slug="wendy-writer", user=writer)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    log_in(tab, "wendy", ADD)
    assert not tab.is_visible("#live-preview")
    tab.fill("#id_headline", "Written the old way")
    tab.fill("#id_slug", "written-the-old-way")
    tab.select_option("#id_kind", "news")
    tab.fill("#id_body", "Plain **Markdown** in a plain box.")
    tab.click("input[name=_continue]")
    tab.wait_for_url("**/change/")
    context.close()
    live_server.thread.httpd.drain()
    assert Article.objects.get(slug="written-the-old-way").body == (
        "Plain **Markdown** in a plain box."
    )
