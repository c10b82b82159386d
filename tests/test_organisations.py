"""Organisation pages: the publisher's relationships with it and its coverage, together."""

import datetime

from django.test import TestCase

from disclosures.models import Disclosure
from quotes.models import Speaker
from tests.base import page_text
from tests.factories import (
    ArticleFactory,
    DisclosureFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)


class OrganisationPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.org = OrganisationFactory(name="Acme", slug="acme", description="Makes anvils.")
        other = OrganisationFactory(name="Other")
        DisclosureFactory(
            organisation=cls.org,
            statement="Acme is a partner of this site",
            valid_from=datetime.date(2020, 1, 1),
        )
        DisclosureFactory(
            organisation=cls.org,
            statement="Acme sponsored our awards",
            kind=Disclosure.Kind.SPONSOR,
            valid_from=datetime.date(2017, 1, 1),
            valid_until=datetime.date(2018, 12, 31),
        )
        DisclosureFactory(organisation=other, statement="Other is a client")
        cls.covered = ArticleFactory(headline="Acme ships a new anvil")
        cls.covered.tags.add(cls.org.tag)
        ArticleFactory(headline="Nothing to do with it")
        ceo = SpeakerFactory(name="Wile E. Coyote", organisation=cls.org)
        company = SpeakerFactory(name="Acme", kind=Speaker.Kind.ORGANISATION, organisation=cls.org)
        QuoteFactory(article=cls.covered, speaker=ceo, text="Our anvils are the heaviest.")
        QuoteFactory(
            article=cls.covered,
            speaker=company,
            text="Acme regrets the incident.",
            source_kind="statement",
        )
        QuoteFactory(article=cls.covered, text="An analyst disagrees.")

    def test_page_gathers_relationships_coverage_and_quotes(self) -> None:
        """One page answers "what is this site's relationship with Acme, and what has it
        written about it?": current and past relationships with dates, the articles
        tagged with it, and what its people and the company itself said."""
        response = self.client.get("/organisations/acme/")
        text = page_text(response)
        relationships = text.split("Our relationship with Acme")[1].split("What Acme")[0]
        current, past = relationships.split("Past relationships")
        self.assertIn("Acme is a partner of this site (Partner, since 1 January 2020)", current)
        self.assertIn(
            "Acme sponsored our awards (Sponsor, 1 January 2017 to 31 December 2018)", past
        )
        self.assertNotIn("Other is a client", text)
        self.assertIn("Makes anvils.", text)
        self.assertIn("Acme ships a new anvil", text)
        self.assertNotIn("Nothing to do with it", text)
        self.assertIn("Our anvils are the heaviest.", text)
        self.assertIn("Acme regrets the incident.", text)
        self.assertNotIn("An analyst disagrees.", text)
        self.assertContains(response, 'href="/disclosures/"')

    def test_organisation_without_relationships_says_so(self) -> None:
        OrganisationFactory(name="Newco", slug="newco")
        response = self.client.get("/organisations/newco/")
        self.assertContains(response, "has no current relationship with Newco")
        self.assertContains(response, "No published stories yet.")

    def test_topic_page_links_to_its_organisation(self) -> None:
        """The "Read more on" page of a topic that stands for an organisation links to it."""
        response = self.client.get(f"/topics/{self.org.tag.slug}/")
        self.assertContains(response, 'href="/organisations/acme/"')

    def test_unknown_organisation_and_bad_page_are_404(self) -> None:
        self.assertEqual(self.client.get("/organisations/nobody/").status_code, 404)
        response = self.client.get("/organisations/acme/", {"page": "0"})
        self.assertEqual(response.status_code, 404)
