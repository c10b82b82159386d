"""The Insert-quote and Insert-image dialogs in real Chromium: a quote created with a new
speaker (and who reported it) and a picture uploaded with its words, each marker placed
at the cursor, the article saved and published with both; pictures pasted and dropped;
both dialogs by keyboard alone; axe finds nothing wrong in either at desktop and phone
widths. The dialogs' screenshots in docs/images come from here."""

import base64

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles import services
from articles.models import Article
from authors.models import Author
from pictures.models import Image
from quotes.models import Speaker
from tests.browser.conftest import docs_screenshot, server_paused
from tests.browser.test_editorial_flow import log_in, staff, write_body
from tests.browser.test_reader_pages import AXE_OPTIONS
from tests.factories import ImageFactory, png_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# A File made in the page from a PNG's bytes, as a paste or a drop would carry it.
DISPATCH_FILE = """([selector, type, base64]) => {
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "clipboard.png", {type: "image/png"}));
    const init = {bubbles: true, cancelable: true};
    const event = type === "paste"
        ? new ClipboardEvent("paste", {...init, clipboardData: transfer})
        : new DragEvent(type, {...init, dataTransfer: transfer});
    document.querySelector(selector).dispatchEvent(event);
}"""


def new_article_form(browser, live_server, username: str = "edith"):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 1000}
    )
    tab = context.new_page()
    log_in(tab, username, "/admin/articles/article/add/")
    return tab


def cursor_after(tab, text: str) -> None:  # type: ignore[no-untyped-def]
    """The body editor's cursor right after `text`, as a writer clicking there would
    leave it (CodeMirror keeps its instance on its element)."""
    tab.eval_on_selector(
        ".EasyMDEContainer .CodeMirror",
        "(element, text) => { const cm = element.CodeMirror; cm.focus();"
        " cm.setCursor(cm.posFromIndex(cm.getValue().indexOf(text) + text.length)); }",
        text,
    )


def dialog_screenshot(dialog, name: str) -> None:  # type: ignore[no-untyped-def]
    """The dialog from its top, for docs/editing.md."""
    dialog.evaluate("dialog => dialog.scrollTo(0, 0)")
    docs_screenshot(dialog, f"images/{name}")


def dispatch_file(tab, selector: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    tab.evaluate(DISPATCH_FILE, [selector, kind, base64.b64encode(png_bytes()).decode()])


def test_quote_and_image_from_the_dialogs_reach_the_published_page(
    browser, live_server, screenshot
) -> None:
    editor = staff("edith", "editor")
    Author.objects.create(name="Edith Editor", slug="edith-editor", user=editor)
    tab = new_article_form(browser, live_server)
    tab.fill("#id_headline", "Staff write to the chief executive")
    tab.select_option("#id_kind", "news")
    write_body(tab, "The letter went out on Monday.\n\nThe company has not replied.")

    cursor_after(tab, "Monday.")
    tab.click("[data-picker=quote]")
    dialog = tab.locator("#quote-picker")
    assert dialog.is_visible()
    assert "no quotes yet" in dialog.inner_text()
    tab.fill("#quote-text", "We refuse to be complicit.")
    tab.fill("#quote-speaker-search", "Salesforce engineers")
    tab.locator("[data-speaker-status]", has_text="a new one will be created").wait_for()
    tab.select_option("#quote-speaker-kind", "group")
    tab.select_option("#quote-source-kind", "letter")
    tab.fill("#quote-source-title", "Letter to the chief executive")
    tab.fill("#quote-source-url", "https://example.com/letter")
    tab.fill("#quote-said-on", "2018-06-25")
    tab.fill("#quote-reported-by", "BuzzFeed News")
    dialog_screenshot(dialog, "pickers-quote.png")
    tab.click("text=Create and insert")
    dialog.wait_for(state="hidden")
    assert tab.input_value("#id_body") == (
        "The letter went out on Monday.\n\n[[quote:we-refuse-to-be-complicit]]\n\n"
        "The company has not replied."
    )
    # The speaker exists at once; the quote is a new row of the form's Quotes inline.
    with server_paused(live_server):
        speaker = Speaker.objects.get(name="Salesforce engineers")
    assert speaker.kind == "group"
    assert tab.input_value("#id_quotes-0-key") == "we-refuse-to-be-complicit"
    assert tab.input_value("#id_quotes-0-speaker") == str(speaker.pk)
    assert tab.input_value("#id_quotes-0-reported_by") == "BuzzFeed News"
    assert "Salesforce engineers" in tab.inner_text("#quotes-0 .select2-selection")

    # The dialog lists the unsaved quote, with its speaker and source.
    tab.click("[data-picker=quote]")
    listed = tab.inner_text("[data-quote-list]")
    assert "We refuse to be complicit." in listed
    assert "Salesforce engineers, Letter, Letter to the chief executive" in listed
    tab.keyboard.press("Escape")

    cursor_after(tab, "not replied.")
    tab.click("[data-picker=image]")
    tab.set_input_files(
        "#upload-file",
        {"name": "tower.png", "mimeType": "image/png", "buffer": png_bytes((640, 480))},
    )
    tab.fill("#upload-alt", "The Salesforce Tower in fog")
    tab.fill("#upload-caption", "Salesforce Tower, San Francisco")
    tab.fill("#upload-credit", "Diginomica")
    dialog_screenshot(tab.locator("#image-picker"), "pickers-image.png")
    tab.click("text=Upload and insert")
    tab.locator("#image-picker").wait_for(state="hidden")
    assert tab.input_value("#id_body").endswith(
        "The company has not replied.\n\n[[image:salesforce-tower-san-francisco]]\n"
    )
    with server_paused(live_server):
        image = Image.objects.get(key="salesforce-tower-san-francisco")
    assert (image.alt_text, image.credit) == ("The Salesforce Tower in fog", "Diginomica")

    tab.click("input[name=_continue]")
    tab.wait_for_url("**/change/")
    assert tab.locator(".messagelist .success").count() == 1, tab.inner_text("#content")
    with server_paused(live_server):
        article = Article.objects.get(headline="Staff write to the chief executive")
        quote = article.quotes.select_related("speaker").get()
    assert (quote.speaker, quote.source_kind, str(quote.said_on)) == (
        speaker,
        "letter",
        "2018-06-25",
    )
    assert (quote.source_url, quote.reported_by) == ("https://example.com/letter", "BuzzFeed News")
    # Saved, the quote is listed from its row as before.
    tab.click("[data-picker=quote]")
    assert "We refuse to be complicit." in tab.inner_text("[data-quote-list]")
    tab.keyboard.press("Escape")

    with server_paused(live_server):
        services.publish(article=article, user=editor, override_reason="Browser test")
    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto(article.get_absolute_url())
    figure = reader.locator("figure.quote")
    assert figure.locator("blockquote").inner_text().strip() == "We refuse to be complicit."
    attribution = figure.locator("figcaption").inner_text()
    assert "Salesforce engineers" in attribution
    assert "as reported by BuzzFeed News" in attribution
    picture = reader.locator(".article__body img")
    assert picture.get_attribute("alt") == "The Salesforce Tower in fog"
    assert "Diginomica" in reader.inner_text(".article__body")
    screenshot(reader, "published")


def test_pictures_pasted_or_dropped_are_uploaded_after_their_words(browser, live_server) -> None:
    staff("wendy", "writer")
    tab = new_article_form(browser, live_server, "wendy")
    write_body(tab, "Above.\n\nBelow.")

    cursor_after(tab, "Above.")
    dispatch_file(tab, ".CodeMirror textarea", "paste")
    tab.locator("#image-picker").wait_for()
    assert "clipboard.png" in tab.inner_text("[data-upload-chosen]")
    assert tab.evaluate("document.activeElement.id") == "upload-alt"
    # Nothing is sent before the words are given.
    tab.click("text=Upload and insert")
    assert "tick “Decorative”" in tab.inner_text("#image-picker [data-picker-error]")
    with server_paused(live_server):
        assert not Image.objects.filter(caption="Pasted").exists()
    tab.check("#upload-decorative")
    tab.fill("#upload-caption", "Pasted")
    tab.click("text=Upload and insert")
    tab.locator("#image-picker").wait_for(state="hidden")
    assert tab.input_value("#id_body") == "Above.\n\n[[image:pasted]]\n\nBelow."
    with server_paused(live_server):
        assert Image.objects.get(key="pasted").is_decorative

    cursor_after(tab, "Below.")
    # Dropped beside the text (on the body's help): the cursor stays where it was.
    dispatch_file(tab, ".field-body div.help", "drop")
    tab.fill("#upload-alt", "A blue square")
    tab.fill("#upload-caption", "Dropped")
    tab.click("text=Upload and insert")
    tab.locator("#image-picker").wait_for(state="hidden")
    assert tab.input_value("#id_body").endswith("Below.\n\n[[image:dropped]]\n")

    # Dropped on the open dialog, a file that is no picture is sent all the same (the
    # server judges by content, not by the type a file claims), and refused with the
    # pictures app's reason; the page stays.
    tab.click("[data-picker=image]")
    tab.evaluate(
        "() => { const transfer = new DataTransfer();"
        " transfer.items.add(new File(['<svg></svg>'], 'x.svg', {type: 'text/plain'}));"
        " document.querySelector('#image-picker').dispatchEvent(new DragEvent('drop',"
        " {bubbles: true, cancelable: true, dataTransfer: transfer})); }"
    )
    tab.fill("#upload-alt", "Not a picture")
    tab.click("text=Upload and insert")
    error = tab.locator("#image-picker [data-picker-error]")
    error.filter(has_text="not a valid JPEG, PNG, WebP or GIF picture").wait_for()
    assert tab.locator("#image-picker").is_visible()
    assert tab.url.endswith("/admin/articles/article/add/")
    with server_paused(live_server):
        assert not Image.objects.filter(alt_text="Not a picture").exists()


def test_lead_image_is_uploaded_or_chosen_from_the_image_dialog(browser, live_server) -> None:
    """Opened from the lead image field, the dialog sets that field and leaves the body."""
    staff("edith", "editor")
    harbour = ImageFactory(key="harbour-at-dawn", caption="Boats leave at dawn")
    tab = new_article_form(browser, live_server)
    tab.fill("#id_headline", "Harbour reopens")
    tab.select_option("#id_kind", "news")
    write_body(tab, "Intro.")

    tab.click("[data-picker-target=lead_image]")
    tab.set_input_files(
        "#upload-file", {"name": "lead.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    tab.fill("#upload-alt", "Cranes over the harbour")
    tab.fill("#upload-caption", "The harbour at noon")
    tab.fill("#upload-credit", "WEF")
    tab.click("text=Upload and insert")
    tab.locator("#image-picker").wait_for(state="hidden")
    uploaded = tab.input_value("#id_lead_image")
    assert "The harbour at noon" in tab.inner_text(".field-lead_image .select2-selection")
    assert tab.evaluate("document.activeElement.dataset.pickerTarget") == "lead_image"
    assert tab.input_value("#id_body") == "Intro."

    tab.click("[data-picker-target=lead_image]")
    tab.fill("#image-search", "harbour dawn")
    tab.press("#image-search", "Enter")
    tab.click(".picker__image >> text=harbour-at-dawn")
    tab.locator("#image-picker").wait_for(state="hidden")
    assert tab.input_value("#id_lead_image") == str(harbour.pk)
    assert tab.input_value("#id_body") == "Intro."

    # The body's own button still places a marker.
    cursor_after(tab, "Intro.")
    tab.click(".editor-toolbar [data-picker=image]")
    tab.click(".picker__image >> text=harbour-at-dawn")
    tab.locator("#image-picker").wait_for(state="hidden")
    assert tab.input_value("#id_body") == "Intro.\n\n[[image:harbour-at-dawn]]\n"
    assert tab.input_value("#id_lead_image") == str(harbour.pk)

    tab.click("input[name=_continue]")
    tab.wait_for_url("**/change/")
    with server_paused(live_server):
        assert Article.objects.get(headline="Harbour reopens").lead_image == harbour
        lead = Image.objects.get(pk=uploaded)
    assert (lead.key, lead.alt_text, lead.credit) == (
        "the-harbour-at-noon",
        "Cranes over the harbour",
        "WEF",
    )


def test_both_dialogs_work_by_keyboard_alone(browser, live_server) -> None:
    staff("edith", "editor")
    night_shift = Speaker.objects.create(name="Night Shift", slug="night-shift")
    ImageFactory(key="harbour-at-dawn", caption="Boats leave at dawn")
    tab = new_article_form(browser, live_server)
    write_body(tab, "Intro.")

    def open_quote_dialog() -> None:
        # The two buttons end the body editor's toolbar: Shift+Tab reaches them.
        tab.keyboard.press("Shift+Tab")
        tab.keyboard.press("Shift+Tab")
        assert tab.evaluate("document.activeElement.dataset.picker") == "quote"
        tab.keyboard.press("Enter")

    open_quote_dialog()
    assert tab.evaluate("document.activeElement.id") == "quote-text"
    tab.keyboard.type("Nobody asked us.")
    tab.keyboard.press("Tab")
    tab.keyboard.type("night shift")
    tab.locator("[data-speaker-status]", has_text="1 speaker found.").wait_for()
    tab.keyboard.press("Tab")  # the choices: the speaker of that name is chosen
    assert tab.evaluate("document.activeElement.dataset.name") == "Night Shift"
    tab.keyboard.press("Shift+Tab")
    tab.keyboard.press("Enter")  # submits the dialog's form
    tab.locator("#quote-picker").wait_for(state="hidden")
    assert tab.input_value("#id_body") == "Intro.\n\n[[quote:nobody-asked-us]]\n"
    assert tab.evaluate("Boolean(document.activeElement.closest('.CodeMirror'))")
    assert tab.input_value("#id_quotes-0-speaker") == str(night_shift.pk)

    # Enter before the speaker search has answered: the answer still decides.
    open_quote_dialog()
    assert tab.evaluate("document.activeElement.innerText").startswith("“Nobody asked us.”")
    tab.keyboard.press("Tab")
    tab.keyboard.type("Still nobody.")
    tab.keyboard.press("Tab")
    tab.keyboard.type("NIGHT SHIFT")
    tab.keyboard.press("Enter")
    tab.locator("#quote-picker").wait_for(state="hidden")
    assert tab.input_value("#id_quotes-1-speaker") == str(night_shift.pk)
    with server_paused(live_server):
        assert Speaker.objects.filter(name__iexact="night shift").count() == 1

    # Focus stays in the dialog (the page behind is inert while it is open); Escape
    # closes it and gives the focus back to the button that opened it.
    open_quote_dialog()
    for _ in range(25):
        tab.keyboard.press("Tab")
        inside = tab.evaluate(
            "document.activeElement === document.body ||"
            " document.getElementById('quote-picker').contains(document.activeElement)"
        )
        assert inside
    tab.focus("#quote-text")
    tab.keyboard.press("Escape")
    assert not tab.locator("#quote-picker").is_visible()
    assert tab.evaluate("document.activeElement.dataset.picker") == "quote"

    tab.keyboard.press("Tab")  # Insert image
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "image-search"
    tab.keyboard.type("harbour")
    tab.keyboard.press("Enter")
    tab.locator("[data-image-status]", has_text="matching “harbour”").wait_for()
    tab.keyboard.press("Tab")  # the Search button
    tab.keyboard.press("Tab")  # the first image
    assert tab.evaluate("document.activeElement.innerText").startswith("harbour-at-dawn")
    tab.keyboard.press("Enter")
    tab.locator("#image-picker").wait_for(state="hidden")
    assert tab.input_value("#id_body").endswith(
        "[[quote:still-nobody]]\n\n[[image:harbour-at-dawn]]\n"
    )


def audit(tab, dialog: str) -> None:  # type: ignore[no-untyped-def]
    """axe finds no violation in the open dialog, which fits the screen's width."""
    results = Axe().run(tab, context=dialog, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    overflow = tab.eval_on_selector(dialog, "d => d.scrollWidth - d.clientWidth")
    assert overflow <= 0


@pytest.mark.parametrize("width", [1280, 390])
def test_open_dialogs_pass_the_accessibility_audit(browser, live_server, width: int) -> None:
    staff("edith", "editor")
    ImageFactory(key="audited", caption="An audited picture")
    ImageFactory(key="lost", file="", source_url="https://example.com/lost.jpg")
    tab = new_article_form(browser, live_server)
    tab.set_viewport_size({"width": width, "height": 800})
    tab.click("[data-picker=quote]")
    tab.fill("#quote-speaker-search", "Someone new")
    tab.locator("[data-speaker-status]", has_text="a new one will be created").wait_for()
    audit(tab, "#quote-picker")
    tab.click("#quote-picker [data-picker-close]")

    tab.click("[data-picker=image]")
    tab.locator("[data-image-grid] .picker__missing", has_text="Picture missing").wait_for()
    audit(tab, "#image-picker")
