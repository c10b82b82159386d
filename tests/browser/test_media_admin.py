"""Images in real Chromium: an editor corrects the caption of the picture a live story
leads with, without uploading it again, and readers see it; a writer finds the same
image read-only, with the reason."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pictures.models import Image
from tests.base import SEED_URL
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "browser-test-password"


def log_in(page, username: str, role: str, next_url: str) -> None:  # type: ignore[no-untyped-def]
    get_user_model().objects.create_user(username, password=PASSWORD)
    call_command("grant_role", username, role, verbosity=0)
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_editor_corrects_a_live_caption_writer_finds_it_read_only(
    browser, live_server, screenshot
) -> None:
    lead = Image.objects.get(key="marc-benioff")  # the seeded story's lead image
    stored = lead.file.name
    change = f"/admin/pictures/image/{lead.pk}/change/"

    editor = browser.new_context(base_url=live_server.url).new_page()
    log_in(editor, "edith", "editor", change)
    editor.fill("#id_caption", "Marc Benioff, chief executive of Salesforce, in 2018")
    editor.click("input[name=_save]")
    editor.wait_for_url("**/admin/pictures/image/")
    assert "was changed successfully" in editor.inner_text(".messagelist .success")
    screenshot(editor, "editor-saved")
    lead.refresh_from_db()
    assert lead.file.name == stored  # the picture was not uploaded again

    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto(SEED_URL)
    assert "chief executive of Salesforce, in 2018" in reader.inner_text("main")

    writer = browser.new_context(base_url=live_server.url).new_page()
    log_in(writer, "wendy", "writer", change)
    assert "Only an editor can change this image" in writer.inner_text(".messagelist .warning")
    assert writer.locator("#id_caption").count() == 0  # read-only
    assert writer.locator("input[name=_save]").count() == 0
    screenshot(writer, "writer-read-only")


def test_writer_whose_image_goes_live_while_editing_is_told_nothing_was_saved(
    browser, live_server, screenshot
) -> None:
    image = ImageFactory(caption="Caption as approved")
    writer = browser.new_context(base_url=live_server.url).new_page()
    log_in(writer, "wendy", "writer", f"/admin/pictures/image/{image.pk}/change/")
    writer.fill("#id_caption", "A caption nobody reviewed")
    ArticleFactory(lead_image=image)  # meanwhile, an editor publishes a story with it
    writer.click("input[name=_save]")
    writer.wait_for_load_state()
    assert "Not saved. Only an editor can change this image" in writer.inner_text(
        ".messagelist .error"
    )
    screenshot(writer, "not-saved")
    image.refresh_from_db()
    assert image.caption == "Caption as approved"
