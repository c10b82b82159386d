"""The Salesforce/CBP story, seeded by migrations, reads as the publication printed it."""

import re

from django.test import TestCase

from articles.models import Article
from disclosures.models import Disclosure, Organisation
from quotes.models import Speaker
from tests.base import DATA, SEED_URL, json_ld, page_text

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
            self.html, r'<time datetime="2018-06-25T[0-9:]+\+01:00">25 June 2018</time>'
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
        # In place: the Ohana quote follows the sentence that introduces it in the body.
        body = self.html.split('<div class="article__body">')[1]
        self.assertLess(
            body.index("writing to Benioff to say:"),
            body.index("As members of the Salesforce Ohana"),
        )

    def test_bulleted_list_my_take_and_inline_image(self) -> None:
        """The body keeps its list, its "My take" heading and the inline tweet picture."""
        self.assertRegex(
            self.html,
            r"<ul>\s*<li>Community Cloud for .*?</li>\s*<li>Analytics for .*?</li>\s*"
            r"<li>Service Cloud for .*?</li>\s*</ul>",
        )
        self.assertInHTML('<h2 id="section-my-take">My take</h2>', self.html)
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


class SeededTrustTests(TestCase):
    """The trust models in the seeded story: organisations, speaker, recorded disclosure."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = Article.objects.get(slug__startswith="salesforce-staffers")

    def test_covered_organisations_have_pages(self) -> None:
        """Salesforce, Microsoft and Amazon are organisations; Salesforce's page shows the
        partnership, the story and the employees' letter."""
        for slug, name in [
            ("salesforce", "Salesforce"),
            ("microsoft", "Microsoft"),
            ("amazon", "Amazon"),
        ]:
            with self.subTest(name=name):
                organisation = Organisation.objects.get(slug=slug)
                self.assertEqual(organisation.tag.name, name)
                self.assertContains(self.client.get(f"/organisations/{slug}/"), f"<h1>{name}</h1>")
        text = page_text(self.client.get("/organisations/salesforce/"))
        self.assertIn(
            "Salesforce is a premier partner of diginomica (Partner, since 25 June 2018)", text
        )
        self.assertIn("Salesforce staffers voice concern", text)
        self.assertIn("As members of the Salesforce Ohana", text)
        microsoft = page_text(self.client.get("/organisations/microsoft/"))
        self.assertIn("diginomica has no current relationship with Microsoft", microsoft)

    def test_letter_quotes_belong_to_one_speaker_page(self) -> None:
        """The five quotes are by "Salesforce employees", whose page lists them all."""
        speaker = Speaker.objects.get(slug="salesforce-employees")
        self.assertEqual(speaker.organisation.slug, "salesforce")
        self.assertEqual(speaker.kind, Speaker.Kind.GROUP)
        response = self.client.get("/speakers/salesforce-employees/")
        self.assertContains(response, 'class="quote-item"', count=5)
        self.assertContains(self.client.get(SEED_URL), 'href="/speakers/salesforce-employees/"', 5)

    def test_disclosure_is_recorded_as_of_publication(self) -> None:
        """The seeded story carries the partnership as recorded for 25 June 2018."""
        self.assertEqual(self.article.disclosures_as_of, self.article.published_at)
        self.assertEqual(
            [r.statement for r in self.article.recorded_disclosures.all()],
            ["Salesforce is a premier partner of diginomica"],
        )

    def test_structured_data_types_the_story_and_its_quotations(self) -> None:
        """An AnalysisNewsArticle with five Quotations, each by an Organization (the
        employees as a group), part of the article and citing the letter."""
        [data] = json_ld(self.client.get(SEED_URL))
        self.assertIn("AnalysisNewsArticle", data["@type"])
        quotations = data["hasPart"]
        self.assertEqual(len(quotations), 5)
        for quotation in quotations:
            self.assertEqual(quotation["@type"], "Quotation")
            self.assertEqual(quotation["creator"]["name"], "Salesforce employees")
            self.assertEqual(quotation["creator"]["@type"], "Organization")
            self.assertEqual(quotation["isPartOf"], {"@id": f"http://testserver{SEED_URL}"})
            self.assertEqual(quotation["citation"]["name"], "Letter to CEO Marc Benioff")
