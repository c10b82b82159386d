"""Trust indicators: kind of work, sponsored marking, dateline, backstory, citations,
the authors' page, policy pages and what the structured data adds for them.

The kind-to-type mapping, corrections as CorrectionComment and the author's Person
are checked with the rest of the JSON-LD in test_structured_data."""

from django.test import TestCase

from articles.models import Article
from authors.models import AuthorLink
from pages.models import POLICIES
from tests.base import SEED_URL, json_ld, page_text
from tests.factories import ArticleFactory, AuthorFactory, CitationFactory, QuoteFactory


class KindOfWorkTests(TestCase):
    def test_every_kind_is_labelled_above_the_headline(self) -> None:
        """News, analysis, opinion, review and sponsored: each labelled above the headline,
        as the section in the breadcrumb."""
        for kind, label in Article.Kind.choices:
            with self.subTest(kind=kind):
                article = ArticleFactory(kind=kind, headline=f"A {kind} piece")
                html = self.client.get(article.get_absolute_url()).content.decode()
                header = html.split('<header class="article__header">')[1].split("<h1>")[0]
                link = f'<a class="kind kind--{kind}" href="/kinds/{kind}/">{label}</a>'
                self.assertIn(link, header)

    def test_sponsored_content_is_marked_unmistakably(self) -> None:
        """Sponsored work carries a notice saying an advertiser paid for it; news does not."""
        sponsored = ArticleFactory(kind=Article.Kind.SPONSORED)
        news = ArticleFactory(kind=Article.Kind.NEWS)
        notice = "Sponsored content. An advertiser paid for this article."
        self.assertIn(notice, page_text(self.client.get(sponsored.get_absolute_url())))
        self.assertNotIn(notice, page_text(self.client.get(news.get_absolute_url())))


class ArticleTrustTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = ArticleFactory(
            slug="outage",
            body="A first paragraph.\n\n[[quote:cto]]",
            dateline="SAN FRANCISCO",
            backstory="We read the **filing** and spoke to three engineers.<script>x()</script>",
        )
        CitationFactory(article=cls.article, title="The court filing", url="https://example.com/f")
        CitationFactory(article=cls.article, title="An unpublished memo", url="")
        QuoteFactory(article=cls.article, key="cto", text="It was a cable.", is_pull_quote=False)

    def setUp(self) -> None:
        self.response = self.client.get(self.article.get_absolute_url())

    def test_dateline_backstory_and_citations_are_shown(self) -> None:
        """The dateline leads the body; "How we reported this" and the sources follow it,
        the backstory's Markdown rendered and sanitised."""
        text = page_text(self.response)
        self.assertIn("SAN FRANCISCO A first paragraph.", text)
        self.assertIn("How we reported this We read the filing and spoke to three engineers.", text)
        self.assertContains(self.response, "<strong>filing</strong>")
        self.assertNotContains(self.response, "x()</script>")
        self.assertIn("Sources The court filing An unpublished memo", text)
        self.assertContains(self.response, '<a href="https://example.com/f">The court filing</a>')

    def test_structured_data_carries_dateline_backstory_citations_and_quotes(self) -> None:
        """The article's JSON-LD has its dateline, backstory, each source cited as a
        CreativeWork, and each quote as a Quotation that is part of the article."""
        [data] = json_ld(self.response)
        self.assertEqual(data["dateline"], "SAN FRANCISCO")
        self.assertIn("three engineers", data["backstory"])
        self.assertEqual(
            data["citation"],
            [
                {
                    "@type": "CreativeWork",
                    "name": "The court filing",
                    "url": "https://example.com/f",
                },
                {"@type": "CreativeWork", "name": "An unpublished memo"},
            ],
        )
        [quotation] = data["hasPart"]
        self.assertEqual(quotation["@type"], "Quotation")
        self.assertEqual(quotation["@id"], "http://testserver/articles/outage/quotes/cto/")
        self.assertEqual(quotation["text"], "It was a cable.")
        self.assertEqual(quotation["isPartOf"], {"@id": "http://testserver/articles/outage/"})

    def test_article_without_them_has_no_empty_properties(self) -> None:
        [data] = json_ld(self.client.get(ArticleFactory().get_absolute_url()))
        for name in ["dateline", "backstory", "citation", "hasPart"]:
            self.assertNotIn(name, data)


class PublisherTests(TestCase):
    def test_publisher_links_every_trust_project_policy(self) -> None:
        """The publisher is a NewsMediaOrganization linking all six policies, each to a
        page that exists and that the footer links to."""
        response = self.client.get(SEED_URL)
        [data] = json_ld(response)
        publisher = data["publisher"]
        self.assertEqual(publisher["@type"], "NewsMediaOrganization")
        properties = {
            "publishingPrinciples", "ethicsPolicy", "correctionsPolicy",
            "ownershipFundingInfo", "masthead", "actionableFeedbackPolicy",
        }  # fmt: skip
        self.assertEqual(properties, {policy.schema_property for policy in POLICIES})
        for policy in POLICIES:
            with self.subTest(policy=policy.schema_property):
                url = publisher[policy.schema_property]
                self.assertEqual(url, f"http://testserver/about/{policy.slug}/")
                self.assertContains(response, f'href="/about/{policy.slug}/"')
                self.assertContains(self.client.get(url), f"<h1>{policy.title}</h1>")

    def test_policy_page_renders_its_markdown(self) -> None:
        """Seeded policy pages are real content, with working links."""
        response = self.client.get("/about/ethics/")
        self.assertContains(response, '<a href="/disclosures/" rel="noopener noreferrer">')
        self.assertEqual(self.client.get("/about/nothing/").status_code, 404)


class AuthorPageTests(TestCase):
    def test_author_page_shows_job_title_expertise_and_profiles(self) -> None:
        """Readers see what the author does, what they know about and where else they are."""
        author = AuthorFactory(job_title="Security editor", expertise="Cryptography, Cloud")
        AuthorLink.objects.create(author=author, label="Mastodon", url="https://example.social/@a")
        response = self.client.get(author.get_absolute_url())
        text = page_text(response)
        self.assertIn("Security editor", text)
        self.assertIn("Cryptography, Cloud", text)
        self.assertContains(response, 'href="https://example.social/@a"')
        self.assertIn("has declared no interests", text)
