"""A reader in real Chromium checks who said what and what the site's interests are."""

import datetime

import pytest

from articles.services import record_disclosures
from tests.factories import (
    ArticleFactory,
    DisclosureFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_reader_follows_quote_disclosure_and_organisation_links(page, screenshot) -> None:
    """From a story: a quote's speaker leads to all their quotes; the article's
    disclosures link leads to the register, and from there to the organisation's page
    with the relationship and the coverage; the footer reaches the ethics policy."""
    acme = OrganisationFactory(name="Acme", slug="acme")
    DisclosureFactory(
        organisation=acme,
        statement="Acme is a partner of this site",
        valid_from=datetime.date(2020, 3, 1),
    )
    staff = SpeakerFactory(name="Acme staff", slug="acme-staff", organisation=acme)
    article = ArticleFactory(headline="Acme staff write to their CEO", body="[[quote:one]]")
    article.tags.add(acme.tag)
    QuoteFactory(article=article, key="one", speaker=staff, text="We object.", is_pull_quote=False)
    QuoteFactory(article=article, key="two", speaker=staff, text="We still object.")
    record_disclosures(article=article)

    page.goto(article.get_absolute_url())
    first_quote = page.locator("figure.quote").first
    first_quote.get_by_role("link", name="Acme staff", exact=True).click()
    page.wait_for_url("**/speakers/acme-staff/")
    assert page.locator(".quote-item").count() == 2
    screenshot(page, "speaker")

    page.goto(article.get_absolute_url())
    page.get_by_role("link", name="Our relationships with the organisations we cover").click()
    page.wait_for_url("**/disclosures/")
    assert "Acme is a partner of this site" in page.locator("main").inner_text()
    screenshot(page, "disclosures")

    page.get_by_role("link", name="Acme", exact=True).click()
    page.wait_for_url("**/organisations/acme/")
    main = page.locator("main").inner_text()
    assert "since 1 March 2020" in main
    assert "Acme staff write to their CEO" in main
    screenshot(page, "organisation")

    page.get_by_role("link", name="Ethics policy").click()
    assert page.locator("h1").inner_text() == "Ethics policy"
