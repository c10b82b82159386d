"""A reader in real Chromium checks who said what and what the site's interests are."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEED_URL = "/articles/salesforce-staffers-voice-concern-over-contract-with-us-border-control/"


def test_reader_follows_quote_disclosure_and_organisation_links(page, screenshot) -> None:
    """From the seeded story: a quote's speaker leads to all their quotes; the article's
    disclosures link leads to the register, and from there to Salesforce's page with
    the relationship and the coverage; the footer reaches the ethics policy."""
    page.goto(SEED_URL)
    first_quote = page.locator("figure.quote").first
    first_quote.get_by_role("link", name="Salesforce employees", exact=True).click()
    page.wait_for_url("**/speakers/salesforce-employees/")
    assert page.locator(".quote-item").count() == 5
    screenshot(page, "speaker")

    page.goto(SEED_URL)
    page.get_by_role("link", name="Our relationships with the organisations we cover").click()
    page.wait_for_url("**/disclosures/")
    assert "Salesforce is a premier partner of diginomica" in page.locator("main").inner_text()
    screenshot(page, "disclosures")

    page.get_by_role("link", name="Salesforce", exact=True).click()
    page.wait_for_url("**/organisations/salesforce/")
    main = page.locator("main").inner_text()
    assert "since June 25, 2018" in main
    assert "Salesforce staffers voice concern" in main
    screenshot(page, "organisation")

    page.get_by_role("link", name="Ethics policy").click()
    assert page.locator("h1").inner_text() == "Ethics policy"
