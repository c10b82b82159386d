"""The newsroom's main path in real Chromium: a writer drafts and submits, an editor
publishes, a reader reads. (A closed tab's text coming back: test_article_editor.py.)"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from authors.models import Author
from quotes.models import Speaker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "browser-test-password"


def staff(username: str, role: str) -> object:
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    call_command("grant_role", username, role, verbosity=0)
    return user


def log_in(page, username: str, next_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def write_body(page, text: str, *, replace: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Type into the body editor as a writer pastes: at the cursor, or over the whole
    text with `replace`."""
    page.click(".EasyMDEContainer .CodeMirror")
    if replace:
        page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def test_writer_submits_editor_publishes_reader_reads(browser, live_server, screenshot) -> None:
    writer = staff("wendy", "writer")
    Author.objects.create(name="Wendy Writer", slug="wendy-writer", user=writer)
    Speaker.objects.create(name="A company spokesperson", slug="a-company-spokesperson")
    staff("edith", "editor")

    writer_tab = browser.new_context(base_url=live_server.url).new_page()
    log_in(writer_tab, "wendy", "/admin/articles/article/add/")
    writer_tab.fill("#id_headline", "Cloud vendor answers its staff")
    writer_tab.select_option("#id_kind", "news")
    writer_tab.fill("#id_standfirst", "The company replied to the letter within a day.")
    write_body(writer_tab, "The reply was short.\n\n[[quote:reply]]\n\nStaff were not convinced.")
    writer_tab.fill("#id_tags", "Salesforce")
    writer_tab.click("#quotes-group .add-row a")
    writer_tab.fill("#id_quotes-0-key", "reply")
    writer_tab.fill("#id_quotes-0-text", "We hear you, and we are listening.")
    # The speaker is a record of its own, picked with the autocomplete.
    writer_tab.click("#id_quotes-0-speaker + .select2 .select2-selection")
    writer_tab.fill(".select2-container--open .select2-search__field", "spokes")
    writer_tab.click(".select2-results__option >> text=A company spokesperson")
    writer_tab.select_option("#id_quotes-0-source_kind", "statement")
    assert writer_tab.input_value("#id_slug") == "cloud-vendor-answers-its-staff"
    writer_tab.click("button[name=_workflow][value=submit]")
    writer_tab.wait_for_url("**/workflow/submit/")
    screenshot(writer_tab, "submit")
    writer_tab.click("input[type=submit][value='Submit for review']")
    writer_tab.wait_for_url("**/change/")
    assert "In review" in writer_tab.inner_text(".workflow-state")

    editor_tab = browser.new_context(base_url=live_server.url).new_page()
    log_in(editor_tab, "edith", "/admin/articles/article/?state=review")
    editor_tab.click("text=Cloud vendor answers its staff")
    editor_tab.click(".workflow-links >> text=Publish or schedule")
    assert "At time of writing Salesforce is a premier partner" in editor_tab.content()
    editor_tab.click("input[type=submit][value='Publish or schedule']")
    editor_tab.wait_for_url("**/change/")
    assert "Live" in editor_tab.inner_text(".workflow-state")

    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto("/")
    reader.click("text=Cloud vendor answers its staff")
    quote = reader.locator("figure.quote")
    assert "We hear you, and we are listening." in quote.locator("blockquote").inner_text()
    assert "A company spokesperson" in quote.locator("figcaption").inner_text()
    assert "Wendy Writer" in reader.inner_text(".byline")
    screenshot(reader, "published")
