"""Read a WordPress export (WXR) as the importer's records, streaming.

The XML is parsed with defusedxml (no DTDs, no entities: an XML bomb or an external
entity is refused) and iteratively: each author and item is translated, then removed
from the tree, so a 1 GB export needs little memory.

Mapping (docs/migrating-from-wordpress.md has the whole of it): `wp:author` ->
author (by display name; the login stays private); `item` of type post -> article
(uid derived from the guid, statuses mapped, the content converted by wxr_body,
categories and tags -> topics, featured image -> lead image, excerpt -> standfirst,
the permalinks -> old addresses); `item` of type attachment -> image, its file looked
up in the local uploads folder (or fetched, or imported missing); `item` of type page
-> page when asked (--pages); other items (menus) are skipped. What is not carried as
it was is said in the item's notes (the report).
"""

from __future__ import annotations

import datetime
import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse
from xml.etree.ElementTree import Element, ParseError  # the types only: parsing is defusedxml's

import defusedxml
import defusedxml.ElementTree as DefusedET
from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.utils import timezone
from django.utils.text import slugify

from interchange.items import BadRecord, ImportFileError, Item
from interchange.schema import RawRecord, iso_datetime
from interchange.wxr_body import convert, image_key, plain
from newsroom.markdown import MARKER_RE
from pictures.images import ALLOWED_FORMATS

_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
# WXR 1.0 to 1.2; WordPress.com and recent WordPress write https.
_WP_NAMESPACES = ("http://wordpress.org/export/", "https://wordpress.org/export/")

# WordPress status -> ours; statuses not listed (trash, auto-draft, inherit) are skipped.
STATUSES = {
    "publish": "published",
    "future": "published",  # scheduled: published with a time to come
    "draft": "draft",
    "pending": "review",
    "private": "draft",  # readers never saw it: a draft, said in the report
}
_IMAGE_EXTENSIONS = {".jpeg", *ALLOWED_FORMATS.values()}
_MORE = re.compile(r"<!--more\b.*?-->", re.S)
# Yoast's snippet variables (%%title%%, %%sep%%...) are filled in by the plugin.
_YOAST_VARIABLE = re.compile(r"%%\w+%%")
_HEADLINE_WORDS = 10
# PHP's serialisation of image_meta's "credit" (s:6:"credit";s:LENGTH:"VALUE";).
_IMAGE_META_CREDIT = re.compile(r's:6:"credit";s:\d+:"([^"]*)";')


def short_name(tag: str) -> str:
    """'{http://wordpress.org/export/1.2/}post_id' -> 'wp:post_id' (any WXR version)."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri.startswith(_WP_NAMESPACES):
        return f"{'excerpt' if uri.rstrip('/').endswith('excerpt') else 'wp'}:{local}"
    return f"{_PREFIXES.get(uri, uri)}:{local}"


@dataclass
class Site:
    """What the reader learns of the exported site as it goes: its authors by login (a
    post names its author by login, which stays private), its attachments' captions
    by id."""

    attachments: dict[str, str]
    pages: bool = False  # import pages (import_articles --pages)
    authors: dict[str, str] = field(default_factory=dict)
    guids: dict[str, str] = field(default_factory=dict)  # guid -> the post id it is first of
    speakers: dict[str, str] = field(default_factory=dict)  # slug -> the name first cited

    def uid(self, guid: str, post_id: str) -> str | None:
        """A post's uid, from its guid (else its id; None: from its slug, see records).
        Copied posts can share a guid (WordPress.com's exports have them): a later post
        with another's guid is told apart by its id, while the same post exported twice
        keeps one uid."""
        if not guid:
            return (
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"wordpress-post:{post_id}"))
                if post_id
                else None
            )
        first = self.guids.setdefault(guid, post_id)
        name = guid if first == post_id else f"{guid}#{post_id}"
        return str(uuid.uuid5(uuid.NAMESPACE_URL, name))

    def speaker(self, name: str) -> str:
        """One name for one speaker: citations of a person written in another case
        ("Citation", "citation") name the speaker as first cited."""
        return self.speakers.setdefault(slugify(name), name)


def topics(element: Element, notes: list[str]) -> list[RawRecord]:
    """A post's categories and tags ("Uncategorized" aside), each with WordPress's slug
    when it is one here too, else one made from its name; one with neither is left out."""
    entries = []
    for child in element:
        name = html.unescape((child.text or "").strip())
        if child.tag != "category" or child.get("domain") not in ("category", "post_tag"):
            continue
        if not name or child.get("nicename") == "uncategorized":
            continue
        slug = unquote(child.get("nicename", ""))
        try:
            validate_unicode_slug(slug)
        except ValidationError:
            slug = slugify(name, allow_unicode=True)
        if not slug:
            notes.append(
                f"the topic {name!r} has no letters or digits to make an address of: left out"
            )
            continue
        entries.append({"name": name, "slug": slug})
    return entries


def read_wxr(path: Path, *, pages: bool = False) -> Iterator[Item]:
    with path.open("rb") as stream:
        try:
            site = Site(attachments=_attachments(stream), pages=pages)
            stream.seek(0)
            yield from _read(stream, path, site)
        except ParseError as error:
            raise ImportFileError(f"{path}: malformed XML ({error})") from None
        except defusedxml.DefusedXmlException:
            raise ImportFileError(
                f"{path}: refused: the XML declares a DTD or entities, as an XML bomb or an "
                "external-entity attack does; a WordPress export has neither"
            ) from None


def _attachments(stream: Any) -> dict[str, str]:
    """The captions of the export's attachments by post id: a post's picture is one of
    them, or a picture of its own (see wxr_body). A first quick pass, as a post may come
    before its pictures; each item is dropped from the tree once read."""
    captions: dict[str, str] = {}
    fields: dict[str, str] = {}
    parents: list[Element] = []
    for event, element in DefusedET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            parents.append(element)
            continue
        parents.pop()
        name = short_name(element.tag)
        if name in ("wp:post_id", "wp:post_type", "excerpt:encoded"):
            fields[name] = (element.text or "").strip()
        elif name == "item":
            if fields.get("wp:post_type") == "attachment":
                captions[fields.get("wp:post_id", "")] = plain(fields.get("excerpt:encoded", ""))
            fields = {}
            if parents:
                parents[-1].remove(element)
    return captions


def _read(stream: Any, path: Path, site: Site) -> Iterator[Item]:
    depth = 0
    channel: Element | None = None
    is_wxr = False
    counts = {"wp:author": 0, "item": 0}
    events = DefusedET.iterparse(stream, events=("start", "end"), forbid_dtd=True)
    for event, element in events:
        if event == "start":
            depth += 1
            if depth == 1 and element.tag != "rss":
                raise ImportFileError(f"{path}: not a WordPress export (WXR): no <rss> root")
            if depth == 2 and channel is None:
                channel = element
            continue
        depth -= 1
        if depth != 2 or channel is None:
            continue
        # A child of <channel> is complete: translate it, then drop it from the tree.
        name = short_name(element.tag)
        if name == "wp:wxr_version":
            is_wxr = True
        elif name in counts:
            if not is_wxr:
                raise ImportFileError(f"{path}: not a WordPress export (WXR): no wp:wxr_version")
            counts[name] += 1
            label = f"{'author' if name == 'wp:author' else 'item'} {counts[name]}"
            if title := " ".join(html.unescape(element.findtext("title") or "").split()):
                # Named by its title too, as people know their posts.
                label += f" ({title[:60]}{'…' if len(title) > 60 else ''})"
            notes: list[str] = []
            pictures: list[RawRecord] = []
            try:
                record: RawRecord | BadRecord = (
                    author_record(element, site)
                    if name == "wp:author"
                    else item_record(element, site, notes, pictures)
                )
            except BadRecord as error:
                record = error
            # The pictures a post shows that are not attachments: before the post.
            for number, picture in enumerate(pictures, 1):
                yield Item(f"{label} picture {number}", picture, stream.tell())
            yield Item(label, record, stream.tell(), tuple(notes))
        channel.remove(element)
    if not is_wxr:
        raise ImportFileError(f"{path}: not a WordPress export (WXR): no wp:wxr_version")


def children(element: Element) -> dict[str, str]:
    return {short_name(child.tag): (child.text or "").strip() for child in element}


def author_record(element: Element, site: Site) -> RawRecord:
    """An author by display name: the login (half of what signs in to WordPress) is
    never shown; the slug, which is the author page's address, comes from the name."""
    fields = children(element)
    login = fields.get("wp:author_login", "")
    full_name = " ".join(
        part
        for part in (fields.get("wp:author_first_name"), fields.get("wp:author_last_name"))
        if part
    )
    name = html.unescape(fields.get("wp:author_display_name") or full_name or login)
    base = slugify(name) or "author"
    slug, number = base, 1
    while slug in site.authors.values():
        number += 1
        slug = f"{base}-{number}"
    site.authors[login] = slug
    return {"type": "author", "slug": slug, "name": name}


def item_record(
    element: Element, site: Site, notes: list[str], pictures: list[RawRecord]
) -> RawRecord:
    fields = children(element)
    meta = {}
    for child in element:
        if short_name(child.tag) == "wp:postmeta":
            pair = children(child)
            meta[pair.get("wp:meta_key", "")] = pair.get("wp:meta_value", "")
    post_type = fields.get("wp:post_type", "post")
    if post_type == "attachment":
        return attachment_record(fields, meta)
    if post_type == "page" and site.pages:
        return page_record(fields, meta, site, notes)
    if post_type != "post":
        return {"type": "skip", "reason": f"a WordPress {post_type}"}
    wp_status = fields.get("wp:status", "")
    if wp_status not in STATUSES:
        return {"type": "skip", "reason": f"a post with status {wp_status!r}"}
    if wp_status == "private":
        notes.append("private in WordPress: imported as a draft")
    return post_record(element, fields, meta, site, notes, pictures)


def page_record(
    fields: dict[str, str], meta: dict[str, str], site: Site, notes: list[str]
) -> RawRecord:
    """A published WordPress page as a page here (/about/<slug>/): its title and content,
    the pictures and quotes it shows as links and quotations (a page places none), and
    its addresses there. A page not published is skipped: pages here are public."""
    status = fields.get("wp:status", "")
    if status != "publish":
        return {"type": "skip", "reason": f"a WordPress page with status {status!r}"}
    body, converted = convert(
        fields.get("content:encoded", ""), site.attachments, meta.get("footnotes", ""), places=False
    )
    if not body:
        # A page here has words (a parent page in WordPress often has none).
        return {"type": "skip", "reason": "a WordPress page without content"}
    notes.extend(converted.notes)
    link = unquote(urlparse(fields.get("link", "")).path).strip("/")
    name = unquote(fields.get("wp:post_name", ""))
    # A child page's name is unique only among its siblings: its path is its name here.
    slug = slugify(
        link.replace("/", "-") if fields.get("wp:post_parent", "0") not in ("", "0") else name
    )
    title = html.unescape(fields.get("title", "")).strip()
    addresses = set(old_addresses(fields, ""))
    addresses.discard(f"/?p={fields.get('wp:post_id', '')}")
    if post_id := fields.get("wp:post_id", "").strip():
        addresses.add(f"/?page_id={post_id}")
    return {
        "type": "page",
        "slug": (slug or slugify(title) or f"page-{post_id}")[:100],
        "title": (title or name or "Untitled page")[:200],
        "body": body,
        "old_addresses": sorted(addresses),
    }


def attachment_record(fields: dict[str, str], meta: dict[str, str]) -> RawRecord:
    url = fields.get("wp:attachment_url", "")
    name = meta.get("_wp_attached_file") or _uploads_path(url)
    if PurePosixPath(name).suffix.lower() not in _IMAGE_EXTENSIONS:
        return {"type": "skip", "reason": f"an attachment that is not a picture ({name})"}
    return {
        "type": "image",
        "key": image_key(fields.get("wp:post_id", "")),
        # Found in the uploads folder as WordPress lays it out, or fetched, or missing.
        "file": name,
        "source_url": url if _is_address(url) else "",
        "alt_text": meta.get("_wp_attachment_image_alt", "")[:300],
        "caption": plain(fields.get("excerpt:encoded", ""))[:500],
        "credit": _credit(meta)[:200],
    }


def _credit(meta: dict[str, str]) -> str:
    """Who to credit: the Media Credit plugin's field, else the credit WordPress read
    from the picture's own metadata (IPTC), in its serialised attachment metadata."""
    if credit := meta.get("_media_credit", "").strip():
        return html.unescape(credit)
    found = _IMAGE_META_CREDIT.search(meta.get("_wp_attachment_metadata", ""))
    return html.unescape(found[1]).strip() if found else ""


def _is_address(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(url) <= 1000


def _uploads_path(url: str) -> str:
    """Where the uploads folder has an attachment, by its address's path:
    'https://example.com/wp-content/uploads/2018/06/a.png' -> '2018/06/a.png', and
    WordPress.com's 'https://site.files.wordpress.com/2018/06/a.png' -> the same."""
    path = unquote(urlparse(url).path)
    return path.split("/uploads/", 1)[1] if "/uploads/" in path else path.lstrip("/")


def _published_at(fields: dict[str, str]) -> str | None:
    """The GMT date when WordPress has one; else the local date in the site's time zone;
    None when the post has no date that reads as one."""
    for name, zone in (("wp:post_date_gmt", datetime.UTC), ("wp:post_date", None)):
        value = fields.get(name, "")
        if value and not value.startswith("0000"):
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:
                continue
            return iso_datetime(moment.replace(tzinfo=zone or timezone.get_current_timezone()))
    return None


def old_addresses(fields: dict[str, str], slug: str) -> list[str]:
    """The addresses WordPress answered for the post: its permalink as exported, the
    short link /?p=ID, and the two usual permalink forms (/YYYY/MM/DD/slug/, /slug/),
    which hold whatever structure the site had chosen when the post was written."""
    addresses = set()
    link = urlparse(fields.get("link", ""))
    if link.path and link.path != "/":
        addresses.add(unquote(link.path))
    if post_id := fields.get("wp:post_id", "").strip():
        addresses.add(f"/?p={post_id}")
    date = fields.get("wp:post_date", "")
    if slug and date[:4].isdigit() and not date.startswith("0000"):
        addresses.add(f"/{date[:4]}/{date[5:7]}/{date[8:10]}/{slug}/")
    if slug:
        addresses.add(f"/{slug}/")
    return sorted(address for address in addresses if len(address) <= 1000)


def _headline(fields: dict[str, str], body: str, notes: list[str]) -> tuple[str, bool]:
    """The post's title; an untitled one (WordPress allows them) is titled from its
    first words, and flagged: (headline, untitled)."""
    headline = html.unescape(fields.get("title", "")).strip()
    if headline:
        return headline[:300], False
    words = plain(MARKER_RE.sub("", body)).split()
    headline = " ".join(words[:_HEADLINE_WORDS]) + ("…" if len(words) > _HEADLINE_WORDS else "")
    headline = headline[:300] or f"Untitled post {fields.get('wp:post_id', '')}".strip()
    notes.append(
        f"untitled in WordPress: imported as a draft titled {headline!r}; give it a headline"
    )
    return headline, True


def _yoast(meta: dict[str, str], name: str) -> str:
    value = plain(meta.get(f"_yoast_wpseo_{name}", ""))
    return "" if _YOAST_VARIABLE.search(value) else value


def _authors_and_notes(
    fields: dict[str, str], meta: dict[str, str], headline: str, site: Site, notes: list[str]
) -> list[str]:
    """The post's byline (author slugs), and what the report says of what the site has
    no place for: an SEO title other than the headline, a sticky post."""
    seo_title = _yoast(meta, "title")
    if seo_title and seo_title != headline:
        notes.append(
            f"its SEO title {seo_title!r} is not carried: pages are titled by the headline"
        )
    if fields.get("wp:is_sticky", "0") not in ("", "0"):
        notes.append("sticky in WordPress: this site pins no article; place it by hand")
    login = fields.get("dc:creator")
    if not login:
        return []
    if login not in site.authors:
        notes.append("its author is not among the export's authors: imported without a byline")
        return []
    return [site.authors[login]]


def post_record(
    element: Element,
    fields: dict[str, str],
    meta: dict[str, str],
    site: Site,
    notes: list[str],
    pictures: list[RawRecord],
) -> RawRecord:
    status = STATUSES[fields.get("wp:status", "")]
    tags = topics(element, notes)
    body, converted = convert(
        fields.get("content:encoded", ""), site.attachments, meta.get("footnotes", "")
    )
    notes.extend(converted.notes)
    for quote in converted.quotes:
        quote["speaker"] = site.speaker(quote["speaker"])
    pictures.extend(converted.images.values())
    headline, untitled = _headline(fields, body, notes)
    # A draft's date is only when it was last saved: it has no publication time.
    published_at = _published_at(fields) if status == "published" else None
    if status == "published" and published_at is None:
        notes.append("published in WordPress without a date that reads as one: imported as a draft")
    if untitled or (status == "published" and published_at is None):
        status, published_at = "draft", None
    # The standfirst is the summary under the headline and the page's meta description:
    # the excerpt, else Yoast's meta description, else the teaser before <!--more-->.
    standfirst = plain(fields.get("excerpt:encoded", "")) or _yoast(meta, "metadesc")
    if more := _MORE.search(body):
        teaser, rest = body[: more.start()], body[more.end() :]
        # WordPress shows the teaser above the rest; here the standfirst plays that part.
        standfirst, body = (standfirst, teaser + rest) if standfirst else (plain(teaser), rest)
    authors = _authors_and_notes(fields, meta, headline, site, notes)
    thumbnail = meta.get("_thumbnail_id", "")
    if thumbnail and thumbnail not in site.attachments:
        notes.append(f"its featured image (attachment {thumbnail}) is not in the export")
        thumbnail = ""
    slug = slugify(unquote(fields.get("wp:post_name", ""))) or slugify(headline) or "untitled"
    return {
        "type": "article",
        "uid": site.uid(fields.get("guid") or fields.get("link", ""), fields.get("wp:post_id", "")),
        "slug": slug[:200],
        "headline": headline,
        "standfirst": standfirst,
        "body": body.strip(),
        "status": status,
        "published_at": published_at,
        "authors": authors,
        "tags": tags,
        "lead_image": image_key(thumbnail) if thumbnail else None,
        "quotes": converted.quotes,
        "old_addresses": old_addresses(fields, unquote(fields.get("wp:post_name", ""))),
    }
