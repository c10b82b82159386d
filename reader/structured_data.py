"""schema.org JSON-LD for reader pages, as small functions returning dicts.

Follows Google's Article structured-data documentation (NewsArticle with headline,
images in 16:9, 4:3 and 1:1, ISO 8601 dates with offset, each author a Person with
a url, the publisher a NewsMediaOrganization with a logo and the Trust Project's
policy links), plus the trust indicators: dateline, backstory, sources
cited, and each quote as a Quotation.
"""

from __future__ import annotations

import datetime
import functools
import html
import json
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from PIL import Image

from articles.models import Article
from authors.models import Author
from newsroom.links import absolute_url
from newsroom.markdown import render_markdown
from newsroom.text import clean_data
from pages.models import POLICIES
from pictures.renditions import photo_share_rendition, share_renditions
from quotes.models import Quote

JsonDict = dict[str, Any]

CONTEXT = "https://schema.org"

# Each kind of article as the most precise schema.org type. The NewsArticle family
# keeps NewsArticle first (the type Google's documentation names); sponsored content
# is advertising, not news.
SCHEMA_TYPES: dict[str, list[str]] = {
    Article.Kind.NEWS: ["NewsArticle", "ReportageNewsArticle"],
    Article.Kind.ANALYSIS: ["NewsArticle", "AnalysisNewsArticle"],
    Article.Kind.OPINION: ["NewsArticle", "OpinionNewsArticle"],
    Article.Kind.REVIEW: ["NewsArticle", "ReviewNewsArticle"],
    Article.Kind.SPONSORED: ["Article", "AdvertiserContentArticle"],
}

# Characters that could end the <script> element or start HTML inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def iso(moment: datetime.datetime) -> str:
    """ISO 8601 with the site's offset, to the second: 2018-06-25T10:00:00+01:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _is_static(setting: str) -> bool:
    """A setting names a static file, or else an absolute URL."""
    return not setting.startswith(("https://", "http://"))


def _public_url(request: HttpRequest | None, setting: str) -> str:
    return absolute_url(request, static(setting) if _is_static(setting) else setting)


@functools.cache
def _static_image_size(path: str) -> tuple[int, int] | None:
    """Width and height of a picture among the static files (read once per process)."""
    found = finders.find(path)
    if not isinstance(found, str):
        return None
    with Image.open(found) as picture:
        return picture.size


def share_image(request: HttpRequest | None) -> JsonDict:
    """The publisher's picture for a page shared without one of its own (SHARE_IMAGE),
    with its size when it is one of the static files."""
    data: JsonDict = {"url": _public_url(request, settings.SHARE_IMAGE)}
    if _is_static(settings.SHARE_IMAGE) and (size := _static_image_size(settings.SHARE_IMAGE)):
        data["width"], data["height"] = size
    return data


def organization(request: HttpRequest | None) -> JsonDict:
    """The publisher, with the Trust Project's policy links (the pages app's pages,
    at fixed addresses: no query)."""
    data: JsonDict = {
        "@type": "NewsMediaOrganization",
        "name": settings.PUBLISHER_NAME,
        "url": absolute_url(request, reverse("home")),
        "logo": {"@type": "ImageObject", "url": _public_url(request, settings.PUBLISHER_LOGO)},
    }
    for policy in POLICIES:
        page = reverse("pages:detail", kwargs={"slug": policy.slug})
        data[policy.schema_property] = absolute_url(request, page)
    return data


def person(author: Author, request: HttpRequest | None) -> JsonDict:
    """An author as a byline names them: enough to tell authors apart."""
    return {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(request, author.get_absolute_url()),
    }


def author_profile(author: Author, request: HttpRequest | None) -> JsonDict:
    """The author page's Person: who they are, what they cover, where else they are."""
    data = {"@context": CONTEXT, **person(author, request)}
    if author.job_title:
        data["jobTitle"] = author.job_title
    if author.bio:
        data["description"] = author.bio
    if image := author_image(author, request):
        data["image"] = image
    if author.expertise_list:
        data["knowsAbout"] = author.expertise_list
    links = [link.url for link in author.links.all()]
    if links:
        data["sameAs"] = links
    data["worksFor"] = organization(request)
    return data


def author_image(author: Author, request: HttpRequest | None) -> JsonDict | None:
    """The author's photo as its widest square JPEG rendition (prefetched); the uploaded
    file until the renditions are made."""
    if not author.photo:
        return None
    width: int | None
    height: int | None
    if rendition := photo_share_rendition(author):
        url, width, height = rendition.file.url, rendition.width, rendition.height
    else:
        url, width, height = author.photo.url, author.photo_width, author.photo_height
    return {
        "@type": "ImageObject",
        "url": absolute_url(request, url),
        "width": width,
        "height": height,
    }


def article_images(article: Article, request: HttpRequest | None) -> list[JsonDict]:
    return [
        {
            "@type": "ImageObject",
            "url": absolute_url(request, rendition.file.url),
            "width": rendition.width,
            "height": rendition.height,
        }
        for rendition in share_renditions(article.lead_image)
    ]


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees, one line a paragraph or list item: rendered
    by the site's own renderer (so it reads as the page does), then stripped of markup."""
    text = html.unescape(strip_tags(render_markdown(markdown)))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def date_modified(article: Article) -> datetime.datetime:
    """The latest of publication, the public update time and any correction."""
    moments = [article.published_at, article.updated_at]
    moments += [correction.published_at for correction in article.corrections.all()]
    return max(moment for moment in moments if moment is not None)


def news_article(article: Article, request: HttpRequest | None) -> JsonDict:
    """The article page's NewsArticle (reads only prefetched relations)."""
    if article.published_at is None:
        # A preview carries none: a page without a date is not yet news.
        raise ValueError("Only a published article has a NewsArticle")
    url = absolute_url(request, article.get_absolute_url())
    data: JsonDict = {
        "@context": CONTEXT,
        "@type": SCHEMA_TYPES[article.kind],
        "@id": url,
        "url": url,
        # The page the article is the main part of, with the trail it shows.
        "mainEntityOfPage": {
            "@type": "WebPage",
            "@id": url,
            "breadcrumb": breadcrumb_list(article, request),
        },
        "headline": article.headline,
        "datePublished": iso(article.published_at),
        "dateModified": iso(date_modified(article)),
        "author": [person(author, request) for author in article.ordered_authors],
        "publisher": organization(request),
        "articleSection": article.get_kind_display(),
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
    }
    if article.standfirst:
        data["description"] = article.standfirst
    if images := article_images(article, request):
        data["image"] = images
    if tags := [tag.name for tag in article.tags.all()]:
        data["keywords"] = tags
    if corrections := list(article.corrections.all()):
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": iso(correction.published_at),
            }
            for correction in corrections
        ]
    data.update(trust_indicators(article, request))
    return data


def breadcrumb_list(article: Article, request: HttpRequest | None) -> JsonDict:
    """The trail the article page shows: home, its section (its kind of work,
    reader.navigation), the article."""
    trail = [
        ("Home", reverse("home")),
        (article.get_kind_display(), reverse("articles:kind", args=[article.kind])),
        (article.headline, article.get_absolute_url()),
    ]
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(request, path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


def quotation(quote: Quote, request: HttpRequest | None) -> JsonDict:
    """A quote: its words, who said them, the article it is part of, its source
    (reads the quote's speaker and article, prefetched by the pages that list quotes)."""
    data: JsonDict = {
        "@type": "Quotation",
        "@id": absolute_url(request, quote.get_absolute_url()),
        "text": quote.text,
        "isPartOf": {"@id": absolute_url(request, quote.article.get_absolute_url())},
    }
    # A draft's quote may not name its speaker yet (its preview shows the markup too).
    if speaker := quote.speaker:
        data["creator"] = {
            "@type": speaker.schema_type,
            "name": speaker.name,
            "url": absolute_url(request, speaker.get_absolute_url()),
        }
    if quote.source_title or quote.source_url:
        citation: JsonDict = {
            "@type": "CreativeWork",
            "name": quote.source_title or quote.get_source_kind_display(),
        }
        if quote.source_url:
            citation["url"] = quote.source_url
        data["citation"] = citation
    if quote.said_on:
        data["dateCreated"] = quote.said_on.isoformat()
    if quote.text_changed_at:
        # Words changed after publication: when, and what readers first saw.
        data["dateModified"] = iso(quote.text_changed_at)
        data["correction"] = {
            "@type": "CorrectionComment",
            "datePublished": iso(quote.text_changed_at),
            "text": f"Changed after publication. Readers first saw: “{quote.previous_text}”",
        }
    return data


def quote_page(quote: Quote, request: HttpRequest | None) -> JsonDict:
    """A quote's permalink page."""
    return {"@context": CONTEXT, **quotation(quote, request)}


def trust_indicators(article: Article, request: HttpRequest | None) -> JsonDict:
    """Dateline, "how we reported this", sources cited and the quotes."""
    data: JsonDict = {}
    if article.dateline:
        data["dateline"] = article.dateline
    if article.backstory:
        data["backstory"] = plain_text(article.backstory)
    citations = []
    for citation in article.citations.all():
        work: JsonDict = {"@type": "CreativeWork", "name": citation.title}
        if citation.url:
            work["url"] = citation.url
        citations.append(work)
    if citations:
        data["citation"] = citations
    if quotes := [quotation(quote, request) for quote in article.quotes.all()]:
        data["hasPart"] = quotes
    return data


def website(request: HttpRequest | None) -> JsonDict:
    """The home page's WebSite, with the site search as its SearchAction."""
    search = absolute_url(request, reverse("search"))
    return {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute_url(request, reverse("home")),
        "publisher": organization(request),
        "potentialAction": {
            "@type": "SearchAction",
            "target": f"{search}?q={{search_term_string}}",
            "query-input": "required name=search_term_string",
        },
    }


def script(data: JsonDict) -> SafeString:
    """A <script type="application/ld+json"> element; nothing in the data can close it,
    and its texts are clean (newsroom.text), whatever a row holds."""
    text = json.dumps(clean_data(data), cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )
