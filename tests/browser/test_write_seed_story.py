"""The seeded story written again from scratch in real Chromium, as a reporter would:
its text pasted into the body editor, its five quotes created with the Insert-quote
dialog (the speaker created there), its two pictures uploaded with the image dialog
(the lead one from the lead image field), its topics added, the phone preview looked
at, the article saved and published; then a reader's page of it reads, block by block,
as the seeded story's."""

import difflib
import re

import pytest

from articles.models import Article
from authors.models import Author
from pictures.models import Image
from quotes.models import Quote, Speaker
from tests.base import SEED_SLUG, SEED_URL
from tests.browser.test_editorial_flow import log_in, staff
from tests.browser.test_pickers import cursor_after
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MARKER = re.compile(r"\[\[(quote|image):([\w-]+)\]\]")

# What a reader reads of an article page, part by part, with what may differ between two
# copies of one story left out: the headline (the copy's has a suffix), the dates, and
# every address (slugs, quote and image keys, rendition file names). The body is read
# block by block in order: paragraphs, headings, list items, quotes (words, speaker,
# whole attribution without the permalink), figures (alt text, caption).
READ_PAGE = """() => {
    // textContent: the words themselves, not as the style capitalises them.
    const text = element => element ? element.textContent.replace(/\\s+/g, " ").trim() : "";
    const blocks = Array.from(document.querySelectorAll(
        ".article__body :is(h2, h3, h4, p, li, figure)"
    )).filter(element => !element.parentElement.closest("figure, li")).map(element => {
        if (element.matches("figure.quote")) {
            const caption = element.querySelector("figcaption").cloneNode(true);
            caption.querySelector(".quote__permalink").remove();
            return ["quote", text(element.querySelector("blockquote")),
                text(element.querySelector(".quote__speaker")), text(caption)];
        }
        if (element.matches("figure")) {
            const picture = element.querySelector("img");
            return ["figure", picture ? picture.alt : "(no picture)",
                text(element.querySelector("figcaption"))];
        }
        return [element.tagName.toLowerCase(), text(element)];
    });
    const lead = document.querySelector(".figure--lead");
    return {
        headline: text(document.querySelector("h1")),
        kind: text(document.querySelector(".breadcrumbs .kind")),
        byline: text(document.querySelector(".byline a")),
        reading_time: text(document.querySelector(".reading-time")),
        standfirst: text(document.querySelector(".standfirst")),
        lead: lead ? [lead.querySelector("img").alt, text(lead.querySelector("figcaption"))] : null,
        body: blocks,
        footer: Array.from(document.querySelectorAll(".article__footer :is(.credit, .disclosure)"))
            .map(text),
        topics: Array.from(document.querySelectorAll(".topics li")).map(text),
    };
}"""


def read_as_reader(browser, live_server, url: str) -> dict:  # type: ignore[no-untyped-def]
    """The page as a logged-out reader sees it, in a context of its own."""
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    response = tab.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page = tab.evaluate(READ_PAGE)
    context.close()
    # The page's pictures may still be on their way: the test's next query must not run
    # while the server reads the same (SQLite) connection.
    live_server.thread.httpd.drain()
    return page


def differences(expected: dict, found: dict) -> str:  # type: ignore[type-arg]
    """The two pages' readings, part by part, as a diff a failing run prints."""

    def lines(reading: object) -> list[str]:
        return [repr(item) for item in reading] if isinstance(reading, list) else [repr(reading)]

    diff: list[str] = []
    for part in expected:
        if expected[part] != found[part]:
            diff += difflib.unified_diff(
                lines(expected[part]),
                lines(found[part]),
                f"seeded {part}",
                f"rewritten {part}",
                lineterm="",
            )
    return "\n".join(diff)


def sourcing(quote: Quote) -> tuple[object, ...]:
    """What a quote says and where it comes from, without its key or article."""
    return (
        quote.text,
        quote.speaker.name,
        quote.speaker.kind,
        quote.source_kind,
        quote.source_title,
        quote.source_url,
        quote.said_on,
        quote.reported_by,
    )


def upload(tab, opener: str, name: str, image: Image) -> None:  # type: ignore[no-untyped-def]
    """A picture drawn for the test, uploaded from the image dialog that `opener` opens,
    with the seeded image's words."""
    tab.click(opener)
    tab.set_input_files(
        "#upload-file",
        {"name": name, "mimeType": "image/png", "buffer": png_bytes((800, 450), "#8a3b12")},
    )
    tab.fill("#upload-alt", image.alt_text)
    tab.fill("#upload-caption", image.caption)
    tab.fill("#upload-credit", image.credit)
    tab.click("text=Upload and insert")
    tab.locator("#image-picker").wait_for(state="hidden")


def test_reporter_writes_the_seeded_story_again_and_readers_read_the_same(
    browser, live_server, screenshot
) -> None:
    seeded = Article.objects.get(slug=SEED_SLUG)
    quotes = {quote.key: quote for quote in seeded.quotes.select_related("speaker")}
    images = {
        image.key: image
        for image in Image.objects.filter(
            key__in=[key for kind, key in MARKER.findall(seeded.body) if kind == "image"]
        )
    }
    lead = seeded.lead_image
    topics = list(seeded.tags.names())
    author = seeded.authors.get()
    expected = read_as_reader(browser, live_server, SEED_URL)
    assert len(quotes) == 5 and len(images) == 1 and lead is not None

    # The newsroom before the story was written: without it, its speaker and its
    # pictures. Kept, its speaker would be found by the dialog under the same name (and
    # rightly chosen), so the dialog's "New speaker" would not be what a reporter uses.
    speakers = {quote.speaker for quote in quotes.values()}
    seeded.delete()
    Speaker.objects.filter(pk__in=[speaker.pk for speaker in speakers]).delete()
    Image.objects.filter(pk__in=[lead.pk, *(image.pk for image in images.values())]).delete()

    # The reporter is the seeded story's author, so the byline matches.
    reporter = staff("slauchlan", "editor")
    Author.objects.filter(pk=author.pk).update(user=reporter)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 1000}
    )
    tab = context.new_page()
    log_in(tab, "slauchlan", "/admin/articles/article/add/")
    headline = f"{seeded.headline} (rewritten)"
    tab.fill("#id_headline", headline)
    tab.fill("#id_standfirst", seeded.standfirst)
    tab.select_option("#id_kind", seeded.kind)

    # The lead picture first: uploaded from the image dialog that the lead image field
    # opens, which makes it the lead image and leaves the body alone.
    upload(tab, "[data-picker-target=lead_image]", "benioff.png", lead)
    assert lead.caption in tab.inner_text(".field-lead_image .select2-selection")
    assert tab.input_value("#id_body") == ""

    # The prose, pasted: a paste event carrying the text, which the editor takes through
    # its own paste handling (CodeMirror's, as for Ctrl+V) and the pickers' paste
    # listener lets through as text. Headless Chromium has no system clipboard to fill.
    prose = MARKER.sub("", seeded.body)
    prose = re.sub(r"\n{3,}", "\n\n", prose).strip()
    tab.click(".EasyMDEContainer .CodeMirror")
    tab.evaluate(
        """text => {
            const transfer = new DataTransfer();
            transfer.setData("text/plain", text);
            document.querySelector(".CodeMirror textarea").dispatchEvent(new ClipboardEvent(
                "paste", {bubbles: true, cancelable: true, clipboardData: transfer}));
        }""",
        prose,
    )
    assert tab.input_value("#id_body") == prose

    # Each quote and the inline picture where the seeded body has its marker: the cursor
    # after the block before it, then the dialog. The dialogs make the new keys.
    new_keys = {}
    created: set[str] = set()
    blocks = seeded.body.split("\n\n")
    for number, block in enumerate(blocks):
        marker = MARKER.fullmatch(block.strip())
        if not marker:
            continue
        cursor_after(tab, blocks[number - 1].strip())
        kind, key = marker.groups()
        if kind == "image":
            upload(tab, ".editor-toolbar [data-picker=image]", "tweet.png", images[key])
            # The story's one picture in the body, under the key the dialog made.
            body = tab.input_value("#id_body")
            (new_key,) = [found for kind, found in MARKER.findall(body) if kind == "image"]
            new_keys[block.strip()] = f"[[image:{new_key}]]"
            continue
        quote = quotes[key]
        tab.click("[data-picker=quote]")
        tab.fill("#quote-text", quote.text)
        tab.fill("#quote-speaker-search", quote.speaker.name)
        # The browser asks the server all along (preview, autosave): the test's own
        # queries wait until it is done, so what the dialog created is kept here.
        if quote.speaker.name in created:
            tab.locator("[data-speaker-status]", has_text="1 speaker found.").wait_for()
        else:
            tab.locator("[data-speaker-status]", has_text="a new one will be created").wait_for()
            tab.select_option("#quote-speaker-kind", quote.speaker.kind)
            created.add(quote.speaker.name)
        tab.select_option("#quote-source-kind", quote.source_kind)
        tab.fill("#quote-source-title", quote.source_title)
        tab.fill("#quote-source-url", quote.source_url)
        tab.fill("#quote-said-on", quote.said_on.isoformat() if quote.said_on else "")
        tab.fill("#quote-reported-by", quote.reported_by)
        tab.click("text=Create and insert")
        tab.locator("#quote-picker").wait_for(state="hidden")
        row = sum(marker.startswith("[[quote") for marker in new_keys.values())
        new_key = tab.input_value(f"#id_quotes-{row}-key")
        new_keys[block.strip()] = f"[[quote:{new_key}]]"

    # Every marker where the seeded body had it, under its new key.
    rewritten = MARKER.sub(lambda found: new_keys[found.group(0)], seeded.body)
    assert tab.input_value("#id_body").strip() == rewritten.strip()

    tab.fill("#id_tags", ", ".join(topics))

    # The live preview at a phone's width shows the five quotes, in order.
    tab.click("[data-preview-width='390']")
    preview = tab.frame_locator("#live-preview iframe")
    said = preview.locator("figure.quote blockquote")
    said.nth(4).wait_for()
    said.first.scroll_into_view_if_needed()
    assert [text.strip() for text in said.all_inner_texts()] == [
        quotes[key].text for kind, key in MARKER.findall(seeded.body) if kind == "quote"
    ]
    screenshot(tab, "phone-preview")

    tab.click("input[name=_continue]")
    tab.wait_for_url("**/change/")
    assert tab.locator(".messagelist .success").count() == 1, tab.inner_text("#content")
    tab.click(".workflow-links >> text=Publish or schedule")
    tab.wait_for_url("**/workflow/publish/")
    # Written whole, the story passes every check: nothing to override.
    checklist = tab.locator(".checklist-items li")
    assert checklist.count() == tab.locator(".checklist-items li.check-pass").count(), (
        tab.inner_text(".checklist-items")
    )
    assert "Salesforce is a premier partner" in tab.inner_text("#content-main")
    tab.click("input[type=submit][value='Publish or schedule']")
    tab.wait_for_url("**/change/")
    assert "Live" in tab.inner_text(".workflow-state")
    context.close()
    live_server.thread.httpd.drain()
    # One new speaker per seeded one, made by the dialog.
    assert Speaker.objects.filter(name__in=created).count() == len(speakers)

    # Saved as the seeded story was, field by field, under the dialogs' new keys.
    article = Article.objects.get(headline=headline)
    assert article.slug != SEED_SLUG
    assert [sourcing(quote) for quote in article.quotes.select_related("speaker")] == [
        sourcing(quotes[key]) for kind, key in MARKER.findall(seeded.body) if kind == "quote"
    ]
    found = read_as_reader(browser, live_server, article.get_absolute_url())
    # Topics keep no order (taggit stores a set; the page lists them as the database
    # returns them): the same topics, in whatever order.
    for reading in (expected, found):
        reading["topics"].sort()
    assert found.pop("headline") == expected.pop("headline") + " (rewritten)"
    assert found == expected, differences(expected, found)
