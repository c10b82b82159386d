"""Dates and times as the site's language (en-GB) writes them, on every public page."""

import datetime
import re

from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from tests.base import SEED_URL, page_text
from tests.factories import CorrectionFactory

# "June 25, 2018": the month before the day, the American way.
US_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December) \d{1,2}, \d{4}"
)


class BritishDateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = Article.objects.get(slug__startswith="salesforce-staffers")
        # A correction in winter (GMT) makes the seeded story's "Updated" time.
        CorrectionFactory(
            article=cls.article,
            text="An earlier version misnamed the agency.",
            published_at=datetime.datetime(2018, 12, 3, 16, 5, tzinfo=datetime.UTC),
        )

    def test_every_public_page_writes_the_day_before_the_month(self) -> None:
        """Pages with dates (article, quote, speaker, organisation, disclosures, corrections,
        archives, and the lists' cards) write "25 June 2018", never "June 25, 2018"."""
        quote = self.article.quotes.first()
        pages = {
            SEED_URL: "25 June 2018",
            quote.get_absolute_url(): "25 June 2018",
            quote.speaker.get_absolute_url(): "25 June 2018",
            "/organisations/salesforce/": "since 25 June 2018",
            "/disclosures/": "since 25 June 2018",
            "/corrections/": "3 December 2018",
            "/archive/2018/06/": "Stories of June 2018",
            "/archive/2018/06/25/": "Stories of 25 June 2018",
            "/archive/2018/": "June",
            "/": "25 June 2018",
            "/authors/slauchlan/": "25 June 2018",
            "/topics/salesforce/": "25 June 2018",
        }
        for url, expected in pages.items():
            with self.subTest(url=url):
                text = page_text(self.client.get(url))
                self.assertIn(expected, text)
                self.assertIsNone(US_DATE.search(text))

    def test_updated_time_names_its_time_zone(self) -> None:
        """ "Updated" gives the time on the site's clock (Europe/London), and says which."""
        text = page_text(self.client.get(SEED_URL))
        self.assertIn("Updated 3 December 2018, 16:05 GMT", text)
        summer = timezone.make_aware(datetime.datetime(2018, 7, 2, 9, 30))
        Article.objects.filter(pk=self.article.pk).update(updated_at=summer, version=99)
        self.assertIn("Updated 2 July 2018, 09:30 BST", page_text(self.client.get(SEED_URL)))
