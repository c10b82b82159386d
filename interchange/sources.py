"""Reading import files into items: the format told by the first bytes, JSON Lines read
line by line, WordPress exports handed to wxr.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from interchange.items import BadRecord, ImportFileError, Item
from interchange.records import MAX_DEPTH
from interchange.schema import RawRecord
from interchange.wxr import read_wxr

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Source:
    path: Path
    format: str  # "jsonl" or "wxr"
    media_dir: Path
    size: int
    pages: bool = False  # a WordPress export's pages are imported (--pages)


def open_source(name: str, media_dir: str | None, *, pages: bool = False) -> Source:
    """Check that a file exists and tell its format by its first bytes."""
    path = Path(name)
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if not path.is_file():
        raise ImportFileError(f"{path}: not a file")
    with path.open("rb") as stream:
        head = stream.read(1024)
    first = head.removeprefix(_BOM).lstrip()[:1]
    if first == b"{":
        file_format, default_media = "jsonl", path.parent
    elif first == b"<":
        file_format, default_media = "wxr", path.parent / "uploads"
    elif not head.strip():
        raise ImportFileError(f"{path}: the file is empty")
    elif first == b"[":
        raise ImportFileError(
            f"{path}: a JSON array; expected JSON Lines, one JSON object per line "
            "(as export_articles writes)"
        )
    else:
        raise ImportFileError(
            f"{path}: neither JSON Lines nor a WordPress export (WXR); check the file"
        )
    media = Path(media_dir) if media_dir else default_media
    return Source(
        path=path, format=file_format, media_dir=media, size=path.stat().st_size, pages=pages
    )


def read_items(source: Source) -> Iterator[Item]:
    if source.format == "wxr":
        return read_wxr(source.path, pages=source.pages)
    return read_jsonl(source.path)


def read_jsonl(path: Path) -> Iterator[Item]:
    """One record per line, read as bytes and decoded line by line (a 1 GB file is fine)."""
    position = 0
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            position += len(raw)
            where = f"line {number}"
            line = raw.removeprefix(_BOM) if number == 1 else raw
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                reason = (
                    f"not UTF-8 text (byte 0x{line[error.start]:02x} at column {error.start + 1}); "
                    "save the file as UTF-8"
                )
                yield Item(where, BadRecord(reason), position)
                continue
            yield Item(where, _parse_json_line(text), position)


def _parse_json_line(text: str) -> RawRecord | BadRecord:
    try:
        value = json.loads(text)
    except RecursionError:
        # The parser recurses once for each level: a line of thousands of "[" exhausts
        # Python's stack before any record could be read.
        return BadRecord(f"nested too deeply (a record nests at most {MAX_DEPTH} levels)")
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"):
            return BadRecord("truncated JSON: the line ends before the record does")
        return BadRecord(f"not valid JSON ({error.msg}, column {error.colno})")
    if not isinstance(value, dict):
        return BadRecord(f"expected a JSON object, found {type(value).__name__}")
    return value
