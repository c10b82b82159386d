"""A reader in real Chromium finds the seeded story from the home page."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_reader_opens_seeded_story_from_home(page, screenshot) -> None:
    """Home lists the story; following its link shows headline, quotes and disclosure."""
    page.goto("/")
    page.get_by_role("link", name="Salesforce staffers voice concern").first.click()
    page.wait_for_url("**/articles/salesforce-staffers-**")
    assert page.locator("h1").inner_text().startswith("Salesforce staffers voice concern")
    assert page.locator("figure.quote blockquote").count() == 5
    assert "premier partner of diginomica" in page.locator(".disclosure").inner_text()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert screenshot(page, f"article-{width}").stat().st_size > 0
