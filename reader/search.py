"""The search page's form: the query, its filters (topic, author, kind, dates) and the
order, read from GET parameters and checked, each bad value with its own message."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Value
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from articles.search import Filters, clean_query, with_published_stories
from newsroom import page_cache

Choices = list[tuple[str, str]]
# Dates a reader may filter by: wide enough for any archive, narrow enough that a day
# after the last one and the site's time zone stay within what datetime holds.
EARLIEST = datetime.date(1000, 1, 1)
LATEST = datetime.date(9000, 12, 31)
DATE_FORMAT = "%Y-%m-%d"


def filter_options(request: HttpRequest) -> dict[str, Choices]:
    """The topics and authors a search may be narrowed to: those with published stories,
    by name (slug, name), in one query, kept for the page-cache generation (which moves
    with every change readers can see), so most searches run none."""
    return page_cache.kept_for_site("search-options", _filter_options, request=request, timely=True)


def _filter_options() -> dict[str, Choices]:
    having = with_published_stories()
    topics, authors = (
        having[kind].annotate(kind=Value(kind)).order_by().values_list("kind", "slug", "name")
        for kind in ("topic", "author")
    )
    options: dict[str, Choices] = {"topic": [], "author": []}
    rows = topics.union(authors, all=True)
    for kind, slug, name in sorted(rows, key=lambda row: (row[2].lower(), row[1])):
        options[kind].append((slug, name))
    return options


class OptionList(forms.Select):
    """A select whose options are joined here: Django renders each option through a
    template of its own, which for the few hundred topics and authors a search offers
    cost more than the search itself, and for the few kinds and orders, as much as
    rendering every result's card."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        chosen = self.format_value(value)
        # escape() and a join, not format_html per option: a third of the time.
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if str(option) in chosen else ""}>'
            f"{escape(label)}</option>"
            for option, label in self.choices
        )
        attributes = flatatt({**self.build_attrs(self.attrs, attrs), "name": name})
        return format_html("<select{}>{}</select>", attributes, mark_safe(options))  # noqa: S308 - escaped above


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format=DATE_FORMAT)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[DATE_FORMAT],
        widget=DateInput(),
        error_messages={"invalid": "Give the date as year-month-day, for example 2026-03-01."},
        validators=[
            MinValueValidator(EARLIEST, f"Give a date after the year {EARLIEST.year}."),
            MaxValueValidator(LATEST, f"Give a date before the year {LATEST.year + 1}."),
        ],
    )


class QueryField(forms.CharField):
    """The words, cleaned before they are checked: a NUL or any other control character
    is dropped (clean_query), not an error."""

    def to_python(self, value: Any) -> str:
        return clean_query(value if isinstance(value, str) else "")


class SearchForm(forms.Form):
    """Every field is optional; a search needs words or at least one filter."""

    q = QueryField(label="Search stories", required=False)
    topic = forms.ChoiceField(
        label="Topic",
        required=False,
        widget=OptionList,
        error_messages={"invalid_choice": "There is no topic “%(value)s” to search in."},
    )
    author = forms.ChoiceField(
        label="Author",
        required=False,
        widget=OptionList,
        error_messages={"invalid_choice": "There is no author “%(value)s” to search by."},
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any kind"), *Article.Kind.choices],
        widget=OptionList,
        error_messages={"invalid_choice": "There is no kind of story “%(value)s”."},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("", "Relevance"), ("date", "Newest first")],
        widget=OptionList,
        error_messages={"invalid_choice": "Sort by relevance or date, not “%(value)s”."},
    )

    def __init__(self, data: Any, *, options: dict[str, Choices]) -> None:
        super().__init__(data, label_suffix="")
        # "from" is a Python keyword: the date fields are named here.
        self.fields["from"] = _date_field("From")
        self.fields["to"] = _date_field("To")
        for name, anything in (("topic", "Any topic"), ("author", "Any author")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = [("", anything), *options[name]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            raise forms.ValidationError("The “from” date is after the “to” date.")
        return cleaned

    @property
    def by_date(self) -> bool:
        return bool(self.cleaned_data["sort"])

    def filters(self) -> Filters:
        """The cleaned filters; dates are whole days in the site's time zone."""
        data = self.cleaned_data
        start, end = data["from"], data["to"]
        return Filters(
            topic=data["topic"],
            author=data["author"],
            kind=data["kind"],
            start=_midnight(start) if start else None,
            end=_midnight(end + datetime.timedelta(days=1)) if end else None,
        )


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
