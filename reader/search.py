"""The search page's form: the query, its filters (topic, author, kind, dates) and the
order, read from GET parameters and checked, each bad value with its own message."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Value
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
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


@dataclass(frozen=True)
class Options:
    """A list's choices, each value's label by value, and their <option> elements,
    escaped once: a form checks a value with a look-up and shows the list with one
    string replace. Django's ChoiceField normalizes, copies and scans its choices for
    every form and its Select renders each option through a template of its own: for
    the few hundred topics and authors a search offers, more Python than the search."""

    labels: dict[str, str]
    html: str

    @classmethod
    def of(cls, choices: Iterable[tuple[str, str]]) -> Options:
        labels = dict(choices)
        html = "".join(
            f'<option value="{escape(value)}">{escape(label)}</option>'
            for value, label in labels.items()
        )
        return cls(labels, html)

    def selecting(self, chosen: str) -> str:
        """The options with the chosen value's selected (none if it is not offered)."""
        option = f'<option value="{escape(chosen)}">'
        return self.html.replace(option, f"{option[:-1]} selected>", 1)


def filter_options(request: HttpRequest) -> dict[str, Options]:
    """The topics and authors a search may be narrowed to: those with published stories,
    by name, in one query, kept for the page-cache generation (which moves with every
    change readers can see), so most searches run none."""
    return page_cache.kept_for_site("search-filters", _filter_options, request=request, timely=True)


def _filter_options() -> dict[str, Options]:
    having = with_published_stories()
    topics, authors = (
        having[kind].annotate(kind=Value(kind)).order_by().values_list("kind", "slug", "name")
        for kind in ("topic", "author")
    )
    choices: dict[str, Choices] = {"topic": [("", "Any topic")], "author": [("", "Any author")]}
    rows = topics.union(authors, all=True)
    for kind, slug, name in sorted(rows, key=lambda row: (row[2].lower(), row[1])):
        choices[kind].append((slug, name))
    return {kind: Options.of(offered) for kind, offered in choices.items()}


def html_attributes(attrs: dict[str, Any]) -> str:
    """Attributes in their order, as Django's widget templates write them: each value
    escaped, True as a bare name, False and None left out (as flatatt leaves them out,
    which sorts them and writes each through format_html, many times the cost)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not None and value is not False
    )


class OptionList(forms.Widget):
    """A select written as Django's Select writes it, from its Options' HTML with the
    chosen one selected."""

    offered: Options

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        attributes = html_attributes({"name": name, **self.build_attrs(self.attrs, attrs)})
        options = self.offered.selecting("" if value is None else str(value))
        return mark_safe(f"<select{attributes}>{options}</select>")  # noqa: S308 - escaped


class OptionField(forms.Field):
    """One of its Options' values, or none: ChoiceField's checks against a look-up."""

    widget = OptionList

    def __init__(self, *, options: Options | None = None, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        if options is not None:
            self.offered = options

    @property
    def offered(self) -> Options:
        return self.widget.offered  # type: ignore[attr-defined, no-any-return]

    @offered.setter
    def offered(self, options: Options) -> None:
        self.widget.offered = options  # type: ignore[attr-defined]

    @property
    def choices(self) -> Choices:
        """As ChoiceField's, for what reads a list's choices (Django's stock Select)."""
        return list(self.offered.labels.items())

    def to_python(self, value: Any) -> str:
        return "" if value in self.empty_values else str(value)

    def validate(self, value: str) -> None:
        if value and value not in self.offered.labels:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class DateInput(forms.DateInput):
    """A date picker written as Django's input template writes it, without rendering
    that template: the search page shows two on every request."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format=DATE_FORMAT)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        attributes = html_attributes(
            {
                "type": self.input_type,
                "name": name,
                "value": self.format_value(value),
                **self.build_attrs(self.attrs, attrs),
            }
        )
        return mark_safe(f"<input{attributes}>")  # noqa: S308 - escaped


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
    topic = OptionField(
        label="Topic",
        error_messages={"invalid_choice": "There is no topic “%(value)s” to search in."},
    )
    author = OptionField(
        label="Author",
        error_messages={"invalid_choice": "There is no author “%(value)s” to search by."},
    )
    kind = OptionField(
        label="Kind",
        options=Options.of([("", "Any kind"), *Article.Kind.choices]),
        error_messages={"invalid_choice": "There is no kind of story “%(value)s”."},
    )
    sort = OptionField(
        label="Sort by",
        options=Options.of([("", "Relevance"), ("date", "Newest first")]),
        error_messages={"invalid_choice": "Sort by relevance or date, not “%(value)s”."},
    )

    def __init__(self, data: Any, *, options: dict[str, Options]) -> None:
        super().__init__(data, label_suffix="")
        # "from" is a Python keyword: the date fields are named here.
        self.fields["from"] = _date_field("From")
        self.fields["to"] = _date_field("To")
        for name in ("topic", "author"):
            field = self.fields[name]
            assert isinstance(field, OptionField)  # noqa: S101 - declared above
            field.offered = options[name]

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
