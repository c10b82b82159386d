"""Counts in the words people read: "1 article", "5,204 articles"."""

from django.utils.translation import ngettext


def counted(count: int, singular: str, plural: str) -> str:
    """The sentence ngettext picks for the count ("%(count)s article was" or
    "%(count)s articles were"), with the count written as people read it: 5,204."""
    return ngettext(singular, plural, count) % {"count": f"{count:,}"}
