"""What an import file yields, record by record, and the two kinds of problem an import
reports; shared by the readers (sources.py, wxr.py) and the checks."""

from __future__ import annotations

from dataclasses import dataclass

from interchange.schema import RawRecord


class ImportFileError(Exception):
    """A problem with a whole file (missing, wrong format, malformed XML): nothing is imported."""


class BadRecord(Exception):
    """A problem with one record; the message says why, in one line."""


@dataclass(frozen=True)
class Item:
    """One record read from a source: where it is, and the record or why it is unreadable."""

    where: str
    record: RawRecord | BadRecord
    position: int  # bytes of the file read so far, for progress
    # What the report says of a record not taken exactly as it was (a WordPress post's
    # shortcode kept as text, its untitled state): warnings, not problems.
    notes: tuple[str, ...] = ()
