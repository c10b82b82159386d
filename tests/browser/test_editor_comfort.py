"""The article admin in real Chromium: an incomplete draft saves, its address follows
the slug, the live preview looks like the public page, "View on site" opens the
preview, a share link can be copied, and the revision comparison fits the screen."""

import pytest

from articles.models import Article
from authors.models import Author
from tests.browser.conftest import server_paused
from tests.browser.test_editorial_flow import log_in, staff, write_body

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_writer_and_editor_work_on_an_incomplete_draft(browser, live_server, screenshot) -> None:
    writer = staff("wendy", "writer")
    Author.objects.create(name="Wendy Writer", slug="wendy-writer", user=writer)
    staff("edith", "editor")

    writer_context = browser.new_context(base_url=live_server.url)
    tab = writer_context.new_page()
    log_in(tab, "wendy", "/admin/articles/article/add/")
    assert tab.inner_text(".slug-address") == f"{live_server.url}/articles/…/"
    tab.fill("#id_headline", "Councils weigh the cloud")
    tab.press("#id_headline", "End")
    address = f"{live_server.url}/articles/councils-weigh-the-cloud/"
    tab.locator(".slug-address", has_text=address).wait_for()
    write_body(tab, "Intro.\n\n## A heading\n\n- one point\n- another\n\n[[quote:q]]")
    # A quote with its words only: speaker and kind of source can wait for the draft.
    tab.click("#quotes-group .add-row a")
    tab.fill("#id_quotes-0-key", "q")
    tab.fill("#id_quotes-0-text", "We will keep building.")

    preview = tab.frame_locator("#live-preview iframe")
    heading = preview.locator(".article__body h2")
    heading.wait_for()
    # The reader's serif heading on white and real bullets, not the admin's blue bar.
    style = heading.evaluate(
        "h => [getComputedStyle(h).fontFamily, getComputedStyle(h).backgroundColor]"
    )
    assert "Georgia" in style[0] and style[1] == "rgba(0, 0, 0, 0)", style
    bullet = preview.locator(".article__body li").first
    assert bullet.evaluate("li => getComputedStyle(li).listStyleType") == "disc"
    screenshot(tab, "preview-body")

    tab.click("input[name=_continue]")
    tab.wait_for_url("**/change/")
    assert tab.locator(".errorlist").count() == 0
    with server_paused(live_server):
        article = Article.objects.get(slug="councils-weigh-the-cloud")
        assert article.quotes.get().speaker is None
    assert "“q” has no speaker and no kind of source" in tab.inner_text(".checklist")
    tab.fill("#id_slug", "councils-and-the-cloud")
    tab.locator(".slug-address", has_text="/articles/councils-and-the-cloud/").wait_for()

    tab.click("a.viewsitelink")
    tab.wait_for_url("**/preview/")
    assert "Readers cannot see this page" in tab.inner_text(".preview-banner")
    assert "No speaker yet" in tab.inner_text("figure.quote figcaption")

    context = browser.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    editor = context.new_page()
    log_in(editor, "edith", f"/admin/articles/article/{article.pk}/change/")
    editor.click("text=Create a share link")
    editor.wait_for_url("**/change/")
    link = editor.get_attribute("a.share-link", "href")
    assert "works until" in editor.inner_text(".messagelist")
    editor.click("[data-copy]")
    editor.locator("[data-copy]", has_text="Copied").wait_for()
    assert editor.evaluate("navigator.clipboard.readText()") == link
    screenshot(editor, "share-link")

    editor.fill("#id_headline", "Councils still weigh the cloud")
    write_body(editor, "A longer intro that a tablet has to wrap.\n\n[[quote:q]]", replace=True)
    editor.click("input[name=_continue]")
    editor.wait_for_url("**/change/")
    editor.goto(f"/admin/articles/article/{article.pk}/history/")
    editor.click("input[type=submit]")
    editor.wait_for_url("**/compare/**")
    assert (
        editor.locator(".revision-diff del").count()
        and editor.locator(".revision-diff ins").count()
    )
    for width in (1280, 768):
        editor.set_viewport_size({"width": width, "height": 900})
        widths = editor.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (width, widths)
        screenshot(editor, f"compare-{width}")
