"""Read a WordPress export (WXR) as the importer's records, streaming.

The XML is parsed with defusedxml (no DTDs, no entities: an XML bomb or an external
entity is refused) and iteratively: each author and item is translated, then removed
from the tree, so a 1 GB export needs little memory.

Mapping: `wp:author` -> author (slug from the login); `item` of type post -> article
(uid derived from the guid, authors from dc:creator, categories and tags -> tags,
featured image -> lead image, WordPress statuses -> ours, `<!--more-->` teaser ->
standfirst when there is no excerpt, Gutenberg quotes with a `<cite>` -> quotes placed
by markers, images of the export -> image markers); `item` of type attachment -> image,
its file looked up in the local uploads folder; other items (pages, menus) are skipped.
"""

from __future__ import annotations

import datetime
import html
import re
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse
from xml.etree.ElementTree import Element, ParseError  # the types only: parsing is defusedxml's

import defusedxml
import defusedxml.ElementTree as DefusedET
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from interchange.items import BadRecord, ImportFileError, Item
from interchange.schema import RawRecord, iso_datetime
from pictures.images import ALLOWED_FORMATS

_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
_WP_NAMESPACE = "http://wordpress.org/export/"

# WordPress status -> ours; statuses not listed (trash, auto-draft, inherit) are skipped.
STATUSES = {
    "publish": "published",
    "future": "published",  # scheduled: published with a time to come
    "draft": "draft",
    "pending": "review",
    "private": "draft",
}
_IMAGE_EXTENSIONS = {".jpeg", *ALLOWED_FORMATS.values()}

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
_MORE = re.compile(r"<!--more\b.*?-->", re.S)
_CAPTION = re.compile(r"\[caption\b[^\]]*\](.*?)\[/caption\]", re.S)
_FIGURE = re.compile(r"<figure\b[^>]*>(.*?)</figure>", re.S)
_IMAGE_ID = re.compile(r"<img\b[^>]*\bwp-image-(\d+)\b[^>]*>", re.S)
_QUOTE = re.compile(r"<blockquote\b[^>]*>(.*?)</blockquote>", re.S)
_CITE = re.compile(r"<cite>(.*?)</cite>", re.S)
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def short_name(tag: str) -> str:
    """'{http://wordpress.org/export/1.2/}post_id' -> 'wp:post_id' (any WXR version)."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri.startswith(_WP_NAMESPACE):
        return f"{'excerpt' if uri.rstrip('/').endswith('excerpt') else 'wp'}:{local}"
    return f"{_PREFIXES.get(uri, uri)}:{local}"


def plain(fragment: str) -> str:
    """HTML to one-paragraph-per-line plain text."""
    text = re.sub(r"</p>|<br\s*/?>", "\n\n", fragment)
    return _BLANK_LINES.sub("\n\n", html.unescape(strip_tags(text))).strip()


def image_key(attachment_id: str) -> str:
    return f"wp-{attachment_id}"


def read_wxr(path: Path) -> Iterator[Item]:
    with path.open("rb") as stream:
        try:
            yield from _read(stream, path)
        except ParseError as error:
            raise ImportFileError(f"{path}: malformed XML ({error})") from None
        except defusedxml.DefusedXmlException:
            raise ImportFileError(
                f"{path}: refused: the XML declares a DTD or entities, as an XML bomb or an "
                "external-entity attack does; a WordPress export has neither"
            ) from None


def _read(stream: Any, path: Path) -> Iterator[Item]:
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
            label = "author" if name == "wp:author" else "item"
            try:
                record: RawRecord | BadRecord = (
                    author_record(element) if name == "wp:author" else item_record(element)
                )
            except BadRecord as error:
                record = error
            yield Item(f"{label} {counts[name]}", record, stream.tell())
        channel.remove(element)
    if not is_wxr:
        raise ImportFileError(f"{path}: not a WordPress export (WXR): no wp:wxr_version")


def children(element: Element) -> dict[str, str]:
    return {short_name(child.tag): (child.text or "").strip() for child in element}


def author_record(element: Element) -> RawRecord:
    fields = children(element)
    login = fields.get("wp:author_login", "")
    full_name = " ".join(
        part
        for part in (fields.get("wp:author_first_name"), fields.get("wp:author_last_name"))
        if part
    )
    return {
        "type": "author",
        "slug": slugify(login),
        "name": fields.get("wp:author_display_name") or full_name or login,
    }


def item_record(element: Element) -> RawRecord:
    fields = children(element)
    meta = {}
    for child in element:
        if short_name(child.tag) == "wp:postmeta":
            pair = children(child)
            meta[pair.get("wp:meta_key", "")] = pair.get("wp:meta_value", "")
    post_type = fields.get("wp:post_type", "post")
    if post_type == "attachment":
        return attachment_record(fields, meta)
    if post_type != "post":
        return {"type": "skip", "reason": f"a WordPress {post_type}"}
    wp_status = fields.get("wp:status", "")
    if wp_status not in STATUSES:
        return {"type": "skip", "reason": f"a post with status {wp_status!r}"}
    return post_record(element, fields, meta, STATUSES[wp_status])


def attachment_record(fields: dict[str, str], meta: dict[str, str]) -> RawRecord:
    name = meta.get("_wp_attached_file") or _uploads_path(fields.get("wp:attachment_url", ""))
    if PurePosixPath(name).suffix.lower() not in _IMAGE_EXTENSIONS:
        return {"type": "skip", "reason": f"an attachment that is not a picture ({name})"}
    return {
        "type": "image",
        "key": image_key(fields.get("wp:post_id", "")),
        "file": name,
        "alt_text": meta.get("_wp_attachment_image_alt", ""),
        "caption": plain(fields.get("excerpt:encoded", "")),
    }


def _uploads_path(url: str) -> str:
    """'https://example.com/wp-content/uploads/2018/06/a.png' -> '2018/06/a.png'."""
    path = unquote(urlparse(url).path)
    return path.split("/uploads/", 1)[1] if "/uploads/" in path else PurePosixPath(path).name


def _published_at(fields: dict[str, str], status: str) -> str | None:
    """The GMT date when WordPress has one; else the local date in the site's time zone.
    A draft's date is only when it was last saved: it has no publication time."""
    if status != "published":
        return None
    for name, zone in (("wp:post_date_gmt", datetime.UTC), ("wp:post_date", None)):
        value = fields.get(name, "")
        if value and not value.startswith("0000"):
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:
                raise BadRecord(f"{name} {value!r} is not a date") from None
            return iso_datetime(moment.replace(tzinfo=zone or timezone.get_current_timezone()))
    raise BadRecord("a published post without a date")


def post_record(
    element: Element, fields: dict[str, str], meta: dict[str, str], status: str
) -> RawRecord:
    guid = fields.get("guid") or fields.get("link")
    if not guid:
        raise BadRecord("a post without a guid or link, so it has no stable identity")
    headline = html.unescape(fields.get("title", ""))
    tags = [
        {"name": html.unescape((child.text or "").strip()), "slug": child.get("nicename", "")}
        for child in element
        if child.tag == "category"
        and child.get("domain") in ("category", "post_tag")
        and child.get("nicename") != "uncategorized"
    ]
    body, quotes = convert_body(fields.get("content:encoded", ""))
    standfirst = plain(fields.get("excerpt:encoded", ""))
    if more := _MORE.search(body):
        teaser, rest = body[: more.start()], body[more.end() :]
        # WordPress shows the teaser above the rest; here the standfirst plays that part.
        standfirst, body = (standfirst, teaser + rest) if standfirst else (plain(teaser), rest)
    thumbnail = meta.get("_thumbnail_id")
    return {
        "type": "article",
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, guid)),
        "slug": slugify(unquote(fields.get("wp:post_name", ""))) or slugify(headline),
        "headline": headline,
        "standfirst": standfirst,
        "body": _BLANK_LINES.sub("\n\n", body).strip(),
        "status": status,
        "published_at": _published_at(fields, status),
        "authors": [slugify(fields["dc:creator"])] if fields.get("dc:creator") else [],
        "tags": tags,
        "lead_image": image_key(thumbnail) if thumbnail else None,
        "quotes": quotes,
    }


def convert_body(content: str) -> tuple[str, list[RawRecord]]:
    """WordPress HTML -> a Markdown body (Markdown keeps the HTML blocks), with images of
    the export and cited quotes turned into markers on lines of their own."""
    body = _BLOCK_COMMENT.sub("", content).replace("<!--noteaser-->", "")

    def image_marker(match: re.Match[str]) -> str:
        found = _IMAGE_ID.search(match.group(0))
        return f"\n\n[[image:{image_key(found.group(1))}]]\n\n" if found else match.group(0)

    body = _CAPTION.sub(image_marker, body)
    body = _FIGURE.sub(image_marker, body)
    body = _IMAGE_ID.sub(image_marker, body)
    quotes: list[RawRecord] = []

    def quote_marker(match: re.Match[str]) -> str:
        cite = _CITE.search(match.group(1))
        if not cite:
            return match.group(0)
        key = f"quote-{len(quotes) + 1}"
        quotes.append(
            {
                "key": key,
                "text": plain(_CITE.sub("", match.group(1))),
                "speaker": plain(cite.group(1)),
                "source_kind": "other",
                "position": len(quotes),
            }
        )
        return f"\n\n[[quote:{key}]]\n\n"

    body = _QUOTE.sub(quote_marker, body)
    return body, quotes
