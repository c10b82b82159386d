"""Hostile input: the payload catalogue, a way to store each
payload in every field a user types through the admin, and a hunt for executable
content in what the site then serves."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import html5lib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from authors.models import Author
from disclosures.models import Organisation
from quotes.models import Speaker
from tests.base import DATA
from tests.factories import png_bytes

PAYLOADS: list[str] = json.loads((DATA / "xss_payloads.json").read_text())["payloads"]

# Elements that run code, load a document or change where the page's links point.
_DANGEROUS_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style",
    "foreignobject", "animate", "set", "handler", "listener", "noscript", "template",
}  # fmt: skip
_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
}
# Schemes a URL may have on our pages; anything else (javascript:, data:, vbscript:) is hostile.
_SAFE_SCHEMES = {"", "http", "https", "mailto"}
# Attributes that make the browser fetch something.
_FETCHING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background"}


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _scheme(url: str) -> str:
    """The scheme a browser would see (WHATWG URL parsing): it trims C0 controls and
    spaces at both ends and drops tabs and newlines anywhere."""
    trimmed = re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$", "", url)
    cleaned = re.sub(r"[\t\n\r]", "", trimmed).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def _foreign(url: str, host: str) -> bool:
    return urlsplit(url.strip()).hostname not in (None, host)


def executable_content(html: str, *, host: str = "testserver") -> list[str]:
    """Everything in a page that could run script or reach another origin by itself,
    found the way a browser parses (html5lib). JSON-LD blocks are data, but must
    parse as JSON, or a payload has broken out of them. Empty: the page is safe."""
    found = []
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = _local_name(element.tag)
        attributes = {_local_name(name): value for name, value in element.attrib.items()}
        if tag == "script" and attributes.get("type") == "application/ld+json":
            try:
                json.loads(element.text or "")
            except ValueError:
                found.append(f"JSON-LD that is not JSON: {element.text!r:.200}")
            continue
        if tag == "script" and attributes.get("src") and not (element.text or "").strip():
            # The site's own script files (the admin's); CSP allows only same-origin ones.
            if _foreign(attributes["src"], host):
                found.append(f"<script> from another origin: {attributes['src']}")
            continue
        if tag in _DANGEROUS_ELEMENTS:
            found.append(f"<{tag}> element")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        if tag == "link" and _foreign(attributes.get("href", ""), host):
            found.append(f"<link> to another origin: {attributes['href']}")
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...> event handler")
            elif name == "style":
                found.append(f"<{tag} style=...> (CSS from content)")
            elif name in _URL_ATTRIBUTES and _scheme(value) not in _SAFE_SCHEMES:
                found.append(f"<{tag} {name}={value!r}> with a script-capable scheme")
            if name in _FETCHING_ATTRIBUTES:
                for url in re.split(r",\s*", value) if name == "srcset" else [value]:
                    if _foreign(url.strip().split(" ")[0], host):
                        found.append(f"<{tag} {name}={url!r}> loads from another origin")
    return found


@dataclass
class Stored:
    """One payload stored through the admin, and every public page showing it."""

    payload: str
    article: Article
    author: Author
    urls: list[str] = field(default_factory=list)

    def reader_urls(self) -> list[str]:
        author = self.author.get_absolute_url()
        return [
            self.article.get_absolute_url(),
            f"{self.article.get_absolute_url()}quotes/said/",
            author,
            f"{author}feed/",
            f"{author}feed/atom/",
            *self.urls,
        ]


def _post(client: Client, url: str, data: dict[str, Any], what: str) -> None:
    response = client.post(url, data)
    if response.status_code != 302:
        errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode())
        raise AssertionError(f"{what} was not saved ({response.status_code}): {errors}")


def _inline_management(prefix: str, total: int) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def store_through_admin(client: Client, number: int, payload: str) -> Stored:
    """Put `payload` in every field a person types, through the admin's own forms
    (client: logged in as an editor): author, picture, topic, organisation, speaker,
    register disclosure, and the article with its quote, correction and own
    disclosure; then publish the article from its workflow page."""
    slug = f"hostile-{number}"
    admin_add = {
        "author": (
            "admin:authors_author_add",
            {
                "name": f"Hostile author {number} {payload}"[:200],
                "job_title": payload[:200],
                "bio": payload,
                "expertise": payload[:500],
                **_inline_management("links", 0),
                **_inline_management("interests", 0),
            },
        ),
        "image": (
            "admin:pictures_image_add",
            {
                "file": SimpleUploadedFile(
                    f"{payload[:40]}.png", png_bytes(), content_type="image/png"
                ),
                "key": slug,
                "caption": payload[:500],
                "alt_text": payload[:300],
                "credit": payload[:200],
            },
        ),
        # A topic named after the payload (quotes dropped: the Topics field's own syntax),
        # numbered: topic names are unique whatever their case, and some payloads differ
        # from others only in case.
        "topic": (
            "admin:taggit_tag_add",
            {"name": (str(number) + " " + payload.replace('"', ""))[:90].strip()},
        ),
    }
    for what, (url, data) in admin_add.items():
        _post(client, reverse(url), {"slug": slug, **data}, what)
    author = Author.objects.get(slug=slug)
    topic = Tag.objects.get(slug=slug)
    for what, url, data in [
        (
            "organisation",
            "admin:disclosures_organisation_add",
            {"name": payload[:200], "tag": topic.pk, "description": payload, "url": ""},
        ),
        (
            "speaker",
            "admin:quotes_speaker_add",
            {"name": payload[:200], "kind": "person", "description": payload[:300]},
        ),
    ]:
        _post(client, reverse(url), {"slug": slug, **data}, what)
    organisation = Organisation.objects.get(slug=slug)
    speaker = Speaker.objects.get(slug=slug)
    speaker.organisation = organisation
    speaker.save()
    _post(
        client,
        reverse("admin:disclosures_disclosure_add"),
        {
            "organisation": organisation.pk,
            "kind": "partner",
            "statement": payload[:500],
            "valid_from": "2020-01-01",
            "valid_until": "",
            "article": "",
        },
        "disclosure",
    )
    _post(
        client,
        reverse("admin:articles_article_add"),
        {
            "headline": payload[:300],
            "slug": slug,
            "kind": Article.Kind.NEWS,
            "standfirst": payload,
            "body": f"{payload}\n\n[[quote:said]]\n\n[[image:{slug}]]\n\nThe end.",
            "tags": f'"{topic.name}"',
            "lead_image": "",
            "embargo_until_0": "",
            "embargo_until_1": "",
            "embargo_by": "",
            "embargo_note": payload,
            "backstory": payload,
            "update_reason": "",
            **_inline_management("bylines", 1),
            "bylines-0-author": author.pk,
            "bylines-0-position": 0,
            **_inline_management("quotes", 1),
            "quotes-0-key": "said",
            "quotes-0-text": payload,
            "quotes-0-speaker": speaker.pk,
            "quotes-0-source_kind": "statement",
            "quotes-0-source_title": payload[:300],
            "quotes-0-reported_by": payload[:200],
            "quotes-0-context": payload,
            "quotes-0-position": 0,
            **_inline_management("corrections", 1),
            "corrections-0-kind": "correction",
            "corrections-0-text": payload,
            "corrections-0-published_at_0": "2020-01-01",
            "corrections-0-published_at_1": "09:00:00",
            **_inline_management("citations", 1),
            "citations-0-title": payload[:300],
            "citations-0-url": "https://example.org/source",
            "citations-0-position": 0,
            **_inline_management("own_disclosures", 1),
            "own_disclosures-0-organisation": organisation.pk,
            "own_disclosures-0-kind": "personal",
            "own_disclosures-0-statement": payload[:500],
            "own_disclosures-0-valid_from": "2020-01-01",
        },
        "article",
    )
    article = Article.objects.get(slug=slug)
    _post(
        client,
        reverse("admin:articles_article_workflow", args=[article.pk, "publish"]),
        {"publish_at": "", "override_reason": "Hostile input test"},
        "publication",
    )
    article.refresh_from_db()
    assert article.is_live, f"article {number} did not go live"
    pages = [organisation.get_absolute_url(), speaker.get_absolute_url()]
    for tag in article.tags.all():
        pages += [f"/topics/{tag.slug}/", f"/topics/{tag.slug}/feed/"]
    return Stored(payload, article, author, pages)


# Pages every stored payload reaches besides its own: lists, feeds, sitemaps.
SHARED_URLS = [
    "/",
    "/archive/",
    "/corrections/",
    "/corrections/feed/",
    "/feed/",
    "/feed/atom/",
    "/sitemap-articles.xml",
    "/sitemap-authors.xml",
    "/sitemap-topics.xml",
    "/news-sitemap.xml",
    "/disclosures/",
]
