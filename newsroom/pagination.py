"""Pagination without COUNT(*): fetch one row more than a page to know if there is a next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

MAX_PAGE = 10_000
_PAGE_RE = re.compile(r"[0-9]{1,5}")


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(request: HttpRequest) -> int:
    """The number ?page=N names; a malformed or out-of-range one is a 404."""
    raw = request.GET.get("page") or "1"
    if not _PAGE_RE.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404("No such page")
    return int(raw)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page:
    """The page named by ?page=N. A malformed or out-of-range number, or an empty
    page after the first, is a 404."""
    number = page_number(request)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    if number > 1 and not rows:
        raise Http404("No such page")
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
