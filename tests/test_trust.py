"""Trust indicators: kind of work, sponsored marking, dateline, backstory, citations,
author expertise, policy pages and the structured data that carries them."""

import json
import re
from typing import Any

from django.http import HttpResponse
from django.test import TestCase

from articles.models import SCHEMA_TYPES, Article
from authors.models import AuthorLink
from pages.models import POLICIES
from tests.base import SEED_URL, page_text
from tests.factories import ArticleFactory, AuthorFactory, CitationFactory, CorrectionFactory


def json_ld(response: HttpResponse) -> list[dict[str, Any]]:
    """Every JSON-LD document on the page, parsed."""
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(block) for block in blocks]


def graph_nodes(response: HttpResponse, schema_type: str) -> list[dict[str, Any]]:
    return [
        node
        for document in json_ld(response)
        for node in document.get("@graph", [document])
        if node.get("@type") == schema_type
    ]


class KindOfWorkTests(TestCase):
    def test_every_kind_has_a_schema_type_and_a_label_above_the_headline(self) -> None:
        """News, analysis, opinion, review and sponsored: each labelled above the headline
        and typed in the structured data."""
        expected = {
            "news": "ReportageNewsArticle",
            "analysis": "AnalysisNewsArticle",
            "opinion": "OpinionNewsArticle",
            "review": "ReviewNewsArticle",
            "sponsored": "AdvertiserContentArticle",
        }
        self.assertEqual(SCHEMA_TYPES, expected)
        for kind, label in Article.Kind.choices:
            with self.subTest(kind=kind):
                article = ArticleFactory(kind=kind, headline=f"A {kind} piece")
                response = self.client.get(article.get_absolute_url())
                header = (
                    response.content.decode().split("<h1>")[0].split('<header class="article')[1]
                )
                self.assertIn(f'<p class="kind kind--{kind}">{label}</p>', header)
                self.assertContains(response, f"<h1>A {kind} piece</h1>")
                self.assertEqual(len(graph_nodes(response, expected[kind])), 1)

    def test_sponsored_content_is_marked_unmistakably(self) -> None:
        """Sponsored work carries a notice saying an advertiser paid for it; news does not."""
        sponsored = ArticleFactory(kind=Article.Kind.SPONSORED)
        news = ArticleFactory(kind=Article.Kind.NEWS)
        notice = "Sponsored content. An advertiser paid for this article."
        self.assertIn(notice, page_text(self.client.get(sponsored.get_absolute_url())))
        self.assertNotIn(notice, page_text(self.client.get(news.get_absolute_url())))
        self.assertContains(self.client.get("/"), '<p class="kind">Sponsored</p>')


class ArticleTrustTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = ArticleFactory(
            headline="Cloud outage </script> explained",
            dateline="SAN FRANCISCO",
            backstory="We read the **filing** and spoke to three engineers.<script>x()</script>",
        )
        CitationFactory(article=cls.article, title="The court filing", url="https://example.com/f")
        CitationFactory(article=cls.article, title="An unpublished memo", url="")
        CorrectionFactory(article=cls.article, text="An earlier version misnamed the region.")

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

    def test_structured_data_carries_the_trust_indicators(self) -> None:
        """JSON-LD: type of work, dateline, backstory, citations, and each correction as a
        CorrectionComment with its text and date; the publisher by reference."""
        (article,) = graph_nodes(self.response, "ReportageNewsArticle")
        url = f"http://testserver{self.article.get_absolute_url()}"
        self.assertEqual(article["@id"], url)
        self.assertEqual(article["dateline"], "SAN FRANCISCO")
        self.assertIn("three engineers", article["backstory"])
        self.assertEqual(
            article["citation"],
            [
                {
                    "@type": "CreativeWork",
                    "name": "The court filing",
                    "url": "https://example.com/f",
                },
                {"@type": "CreativeWork", "name": "An unpublished memo"},
            ],
        )
        (correction,) = article["correction"]
        self.assertEqual(correction["@type"], "CorrectionComment")
        self.assertEqual(correction["text"], "An earlier version misnamed the region.")
        self.assertRegex(correction["datePublished"], r"^\d{4}-\d\d-\d\dT")
        self.assertEqual(article["publisher"], {"@id": "http://testserver/#publisher"})

    def test_json_ld_cannot_be_broken_out_of(self) -> None:
        """A headline containing </script> stays inside the JSON-LD block, which parses."""
        (article,) = graph_nodes(self.response, "ReportageNewsArticle")
        self.assertEqual(article["headline"], "Cloud outage </script> explained")
        self.assertContains(self.response, "Cloud outage \\u003C/script\\u003E explained")


class PublisherTests(TestCase):
    def test_publisher_links_every_trust_project_policy(self) -> None:
        """The NewsMediaOrganization names the publisher and links all six policies, each
        to a page that exists and that the footer links to."""
        response = self.client.get(SEED_URL)
        (publisher,) = graph_nodes(response, "NewsMediaOrganization")
        self.assertEqual(publisher["name"], "diginomica")
        properties = {
            "publishingPrinciples",
            "ethicsPolicy",
            "correctionsPolicy",
            "ownershipFundingInfo",
            "masthead",
            "actionableFeedbackPolicy",
        }
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
        self.assertIn("Covers: Cryptography, Cloud", text)
        self.assertContains(response, '<a rel="me" href="https://example.social/@a">Mastodon</a>')
        self.assertIn("has declared no interests", text)


class AuthorStructuredDataTests(TestCase):
    def test_authors_carry_job_title_expertise_and_profiles(self) -> None:
        """On the author page and in the article's JSON-LD, the author is a Person with
        jobTitle, knowsAbout and sameAs."""
        author = AuthorFactory(slug="sam", job_title="Security editor", expertise="Crypto, Cloud")
        AuthorLink.objects.create(author=author, label="Mastodon", url="https://example.social/@s")
        article = ArticleFactory(authors=[author])
        expected = {
            "@type": "Person",
            "@id": "http://testserver/authors/sam/",
            "name": author.name,
            "url": "http://testserver/authors/sam/",
            "jobTitle": "Security editor",
            "knowsAbout": ["Crypto", "Cloud"],
            "sameAs": ["https://example.social/@s"],
        }
        (on_author_page,) = graph_nodes(self.client.get("/authors/sam/"), "Person")
        self.assertEqual(on_author_page, {"@context": "https://schema.org", **expected})
        (article_node,) = graph_nodes(
            self.client.get(article.get_absolute_url()), "ReportageNewsArticle"
        )
        self.assertEqual(article_node["author"], [expected])
