"""Text as XML 1.0 and JSON-LD consumers accept it: the one cleaning rule for every
text the site takes in (forms, imports) and gives out (feeds, sitemaps, structured data).

XML 1.0 forbids the C0 control characters other than tab, line feed and carriage
return, lone surrogates, and U+FFFE/U+FFFF; Django's feed writer refuses them with an
exception, and a feed reader refuses a document that has them. They reach the site
invisibly, pasted from word processors (Word writes a manual line break as a vertical
tab), so forms remove them rather than ask an editor to find what they cannot see.
"""

from __future__ import annotations

import re
from typing import Any

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# A vertical tab or form feed stands between words (a line or page break): a space
# keeps the words apart. Every other forbidden character is dropped.
_BREAKS = {"\x0b": " ", "\x0c": " "}


def clean_text(text: str) -> str:
    """`text` with the characters XML 1.0 forbids removed (line and page breaks become
    spaces)."""
    return NOT_XML.sub(lambda match: _BREAKS.get(match.group(), ""), text)


def clean_data(value: Any) -> Any:
    """clean_text() over every string in nested dicts, lists and tuples; other values
    (numbers, dates, None) as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_data(key): clean_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_data(item) for item in value)
    return value


def forbidden_character(text: str) -> str | None:
    """The first forbidden character of `text`, described for a person ("U+000B at
    character 5"), or None when there is none."""
    match = NOT_XML.search(text)
    if match is None:
        return None
    return f"U+{ord(match.group()):04X} at character {match.start() + 1}"
