"""Trust indicators as schema.org JSON-LD (issue 5, points 2 and 11).

Plain functions returning dicts, so the reader site's structured data can fold
them into its own graph. Nodes carry an "@id" (the page's absolute URL), so
these and any other description of the same article or quote merge into one.
Everything reads prefetched data: no query of its own.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Correction, Quote
from authors.models import Author
from pages.models import POLICIES

JsonLd = dict[str, Any]

# Inside <script>, "</script>" or "<!--" in a value would end or confuse the block.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def publisher_id(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("home")) + "#publisher"


def publisher(request: HttpRequest) -> JsonLd:
    """The publisher, with the Trust Project's policy links (the pages app's pages)."""
    data: JsonLd = {
        "@type": "NewsMediaOrganization",
        "@id": publisher_id(request),
        "name": settings.PUBLISHER_NAME,
        "url": request.build_absolute_uri(reverse("home")),
    }
    for policy in POLICIES:
        url = reverse("pages:detail", kwargs={"slug": policy.slug})
        data[policy.schema_property] = request.build_absolute_uri(url)
    return data


def quotation(quote: Quote, request: HttpRequest) -> JsonLd:
    """A quote: its words, who said them, the article it is part of, its source."""
    speaker = quote.speaker
    data: JsonLd = {
        "@type": "Quotation",
        "@id": request.build_absolute_uri(quote.get_absolute_url()),
        "text": quote.text,
        "creator": {
            "@type": speaker.schema_type,
            "name": speaker.name,
            "url": request.build_absolute_uri(speaker.get_absolute_url()),
        },
        "isPartOf": {"@id": request.build_absolute_uri(quote.article.get_absolute_url())},
    }
    if quote.source_title or quote.source_url:
        citation: JsonLd = {
            "@type": "CreativeWork",
            "name": quote.source_title or quote.get_source_kind_display(),
        }
        if quote.source_url:
            citation["url"] = quote.source_url
        data["citation"] = citation
    if quote.said_on:
        data["dateCreated"] = quote.said_on.isoformat()
    return data


def correction_comment(correction: Correction) -> JsonLd:
    return {
        "@type": "CorrectionComment",
        "text": correction.text,
        "datePublished": correction.published_at.isoformat(),
    }


def person(author: Author, request: HttpRequest) -> JsonLd:
    """An author: job title, expertise (knowsAbout) and profiles elsewhere (sameAs)."""
    data: JsonLd = {
        "@type": "Person",
        "@id": request.build_absolute_uri(author.get_absolute_url()),
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if author.job_title:
        data["jobTitle"] = author.job_title
    if author.expertise_list:
        data["knowsAbout"] = author.expertise_list
    same_as = [link.url for link in author.links.all()]
    if same_as:
        data["sameAs"] = same_as
    return data


def article_trust(article: Article, request: HttpRequest) -> JsonLd:
    """The article's trust indicators: type of work, dateline, backstory, citations
    and corrections, with the publisher by reference."""
    url = request.build_absolute_uri(article.get_absolute_url())
    data: JsonLd = {
        "@type": article.schema_type,
        "@id": url,
        "url": url,
        "headline": article.headline,
        "publisher": {"@id": publisher_id(request)},
        "author": [person(author, request) for author in article.ordered_authors],
    }
    if article.dateline:
        data["dateline"] = article.dateline
    if article.backstory:
        data["backstory"] = article.backstory
    citations: list[JsonLd] = []
    for citation in article.citations.all():
        work: JsonLd = {"@type": "CreativeWork", "name": citation.title}
        if citation.url:
            work["url"] = citation.url
        citations.append(work)
    if citations:
        data["citation"] = citations
    corrections = [correction_comment(correction) for correction in article.corrections.all()]
    if corrections:
        data["correction"] = corrections
    return data


def article_graph(article: Article, request: HttpRequest) -> JsonLd:
    """The article, its publisher and its quotes, as one JSON-LD document."""
    return {
        "@context": "https://schema.org",
        "@graph": [
            article_trust(article, request),
            publisher(request),
            *(quotation(quote, request) for quote in article.quotes.all()),
        ],
    }


def quote_graph(quote: Quote, request: HttpRequest) -> JsonLd:
    return {"@context": "https://schema.org", **quotation(quote, request)}


def author_graph(author: Author, request: HttpRequest) -> JsonLd:
    return {"@context": "https://schema.org", **person(author, request)}


def as_script_json(data: JsonLd) -> SafeString:
    """JSON safe to place inside <script type="application/ld+json">."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308
