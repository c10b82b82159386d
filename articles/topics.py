"""Topics written as one line of text, for the article form's Topics field.

taggit's own format cannot hold every name: it splits names on spaces when the text has
no comma, and a name with a double quote (`Operation "Warp Speed"`, common in imports
and WordPress categories) comes back as other names. Every name must survive being
shown in the form and posted back unchanged, or a save that changes nothing splits
topics and their pages go 404. Here names are separated by commas only and a name that
needs it is quoted the CSV way (the stdlib's reader parses it), so the round trip holds
for any name. taggit uses these through TAGGIT_TAGS_FROM_STRING and
TAGGIT_STRING_FROM_TAGS, wherever it shows or reads topics as text.
"""

import csv
from collections.abc import Iterable

from taggit.models import Tag


def parse_topics(text: str) -> list[str]:
    """The topic names in `text`, sorted and without repeats (taggit's contract).

    `Climate change, "Smith, Jones", Operation "Warp Speed"` is three names: a name in
    double quotes may hold commas, and a quote inside it is written twice."""
    try:
        fields = next(csv.reader([text], skipinitialspace=True), [])
    except csv.Error as error:
        # taggit's TagField turns a ValueError into "Please provide a comma-separated list".
        raise ValueError(str(error)) from error
    return sorted({name for field in fields if (name := field.strip())})


def quoted(name: str) -> str:
    """The name as parse_topics reads it back: quoted only where a comma or a leading
    quote would otherwise change it."""
    if "," in name or name.startswith('"'):
        return '"' + name.replace('"', '""') + '"'
    return name


def topics_text(tags: Iterable[Tag]) -> str:
    return ", ".join(quoted(name) for name in sorted(tag.name for tag in tags))
