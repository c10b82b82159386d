"""The Salesforce/CBP story, seeded by migrations, reads as the publication printed it."""

import re

from django.test import TestCase

from articles.models import Article, Disclosure
from tests.base import DATA, SEED_URL, page_text

# Page furniture a reader copied along with the story (see ../shared/seed/README.md).
FURNITURE = {"Main content", "Read more on:", "A grey colored placeholder image"}


def story_lines() -> list[str]:
    """Every line of the copied page that is story text, bullets stripped."""
    lines = []
    for raw in (DATA / "seed_story.txt").read_text().splitlines():
        line = raw.strip().removeprefix("•").strip()
        if line and line not in FURNITURE and "Profile picture for user" not in line:
            lines.append(line)
    return lines


class SeededStoryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = Article.objects.get(slug__startswith="salesforce-staffers")

    def setUp(self) -> None:
        self.response = self.client.get(SEED_URL)
        self.html = self.response.content.decode()
        self.text = page_text(self.response)

    def test_story_is_live_and_listed_first_on_home(self) -> None:
        """A fresh install shows the story at its URL and on the home page."""
        self.assertEqual(self.response.status_code, 200)
        self.assertContains(self.client.get("/"), SEED_URL)

    def test_every_paragraph_verbatim(self) -> None:
        """Every paragraph, bullet, quote, caption and footer line appears word for word."""
        lines = story_lines()
        self.assertEqual(len(lines), 30)
        for line in lines:
            if line == "Salesforce border tweet":
                continue  # the inline image; its words are its alt text (tested below)
            with self.subTest(line=line[:60]):
                self.assertIn(line, self.text)

    def test_headline_byline_date_and_standfirst(self) -> None:
        """The header carries headline, author with photo, time element and standfirst."""
        self.assertInHTML(
            "<h1>Salesforce staffers voice concern over contract with U.S. border control</h1>",
            self.html,
        )
        self.assertContains(self.response, '<a rel="author" href="/authors/slauchlan/">')
        self.assertContains(self.response, 'alt="Profile picture of Stuart Lauchlan"')
        self.assertRegex(
            self.html, r'<time datetime="2018-06-25T[0-9:]+\+01:00">June 25, 2018</time>'
        )
        self.assertIn(
            "Salesforce staffers have voiced concern about the firm working with border control "
            "under the current circumstances.",
            self.text,
        )

    def test_lead_image_caption_alt_and_credit(self) -> None:
        """The lead picture has alt text and the caption "Marc Benioff"; the credit is WEF."""
        self.assertRegex(
            self.html,
            r'<figure class="figure figure--lead">\s*<picture>\s*<source type="image/webp"[^>]*>\s*'
            r'<img src="[^"]+" srcset="[^"]+" sizes="[^"]+" width="1600" height="900" '
            r'alt="Marc Benioff" decoding="async">\s*</picture>\s*<figcaption>\s*Marc Benioff',
        )
        self.assertIn("Image credit - WEF", self.text)

    def test_five_letter_quotes_in_place_with_attribution(self) -> None:
        """Each quotation is a figure with blockquote and figcaption naming speaker and source,
        in the order the story places them."""
        figures = re.findall(r'<figure class="quote".*?</figure>', self.html, flags=re.S)
        openings = [
            "As members of the Salesforce Ohana",
            "We are particularly concerned",
            "...that simply returns us to a status quo",
            "Many of us choose to work at Salesforce",
            "Those values often feel abstract",
        ]
        self.assertEqual(len(figures), 5)
        for figure, opening in zip(figures, openings, strict=True):
            with self.subTest(opening=opening):
                self.assertRegex(figure, r"<blockquote[^>]*>\s*<p>" + re.escape(opening))
                self.assertIn("Salesforce employees", figure)
                self.assertIn("<cite", figure)
                self.assertIn("as reported by BuzzFeed News", figure)
        # In place: the Ohana quote follows the sentence that introduces it.
        self.assertLess(
            self.html.index("writing to Benioff to say:"),
            self.html.index("As members of the Salesforce Ohana"),
        )

    def test_bulleted_list_my_take_and_inline_image(self) -> None:
        """The body keeps its list, its "My take" heading and the inline tweet picture."""
        self.assertRegex(
            self.html,
            r"<ul>\s*<li>Community Cloud for .*?</li>\s*<li>Analytics for .*?</li>\s*"
            r"<li>Service Cloud for .*?</li>\s*</ul>",
        )
        self.assertInHTML("<h2>My take</h2>", self.html)
        self.assertRegex(
            self.html,
            r'<img src="[^"]+" srcset="[^"]+" sizes="[^"]+" width="1200" height="675" '
            r'alt="Salesforce border tweet" loading="lazy"',
        )

    def test_disclosure_and_topics(self) -> None:
        """The Salesforce disclosure attaches itself; the topics link to their pages."""
        self.assertIn(
            "Disclosure - At time of writing Salesforce is a premier partner of diginomica",
            self.text,
        )
        self.assertTrue(Disclosure.objects.filter(organisation__name="Salesforce").exists())
        for slug in ["salesforce", "microsoft", "amazon"]:
            self.assertContains(self.response, f'href="/topics/{slug}/"')

    def test_seeded_records(self) -> None:
        """The story is stored as structured records, not as one blob of HTML."""
        self.assertEqual(self.article.quotes.count(), 5)
        self.assertEqual(set(self.article.quotes.values_list("source_kind", flat=True)), {"letter"})
        self.assertEqual([a.slug for a in self.article.ordered_authors], ["slauchlan"])
        self.assertTrue(self.article.ordered_authors[0].photo)
        self.assertEqual(self.article.lead_image.credit, "WEF")
        self.assertEqual(self.article.kind, Article.Kind.ANALYSIS)

    def test_pictures_are_served(self) -> None:
        """The stand-in pictures exist as files the page can load."""
        for file in [self.article.lead_image.file, self.article.ordered_authors[0].photo]:
            with self.subTest(name=file.name):
                self.assertTrue(file.storage.exists(file.name))
