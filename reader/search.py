"""The search page's form: the query, its filters (topic, author, kind, dates) and the
order, read from GET parameters and checked, each bad value with its own message."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

# The standard library's, which Django's escape() wraps (to take lazy text and mark the
# result safe) at several times the cost: what is written here is marked safe whole.
from html import escape, unescape
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Value
from django.http import HttpRequest
from django.utils import timezone
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
# An option as Options writes it: its value and label escaped, so that neither holds a
# quote or a "<" and each reads back as it was.
OPTION = re.compile(r'<option value="([^"]*)">([^<]*)</option>')


@dataclass(frozen=True)
class Options:
    """A list's <option> elements, escaped once: a form checks a value by finding its
    option and shows the list with the chosen one selected by one string replace.
    Django's ChoiceField normalizes, copies and scans its choices for every form and its
    Select renders each option through a template of its own, more Python than the
    search's SQL for the few hundred topics and authors a search offers; and the
    elements alone are quicker to read back from the cache than the pairs they show."""

    html: str

    @classmethod
    def of(cls, choices: Iterable[tuple[str, str]]) -> Options:
        return cls(
            "".join(
                f'<option value="{escape(value)}">{escape(label)}</option>'
                for value, label in choices
            )
        )

    @property
    def choices(self) -> Choices:
        """The (value, label) pairs, in their order."""
        return [(unescape(value), unescape(label)) for value, label in OPTION.findall(self.html)]

    def offers(self, value: str) -> bool:
        return self._opening(value) in self.html

    def selecting(self, chosen: str) -> str:
        """The options with the chosen value's selected (none if it is not offered)."""
        opening = self._opening(chosen)
        return self.html.replace(opening, f"{opening[:-1]} selected>", 1)

    @staticmethod
    def _opening(value: str) -> str:
        return f'<option value="{escape(value)}">'


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
    escaped, True as a bare name, False and None left out. (flatatt also sorts them and
    writes each through format_html, at many times the cost.)"""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not None and value is not False
    )


class WrittenWidget(forms.Widget):
    """A widget written here as Django's template for it writes it, without rendering
    that template: the search page shows six on every request."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        html = self.write(name, value, self.build_attrs(self.attrs, attrs))
        return mark_safe(html)  # noqa: S308 - every value escaped by write()

    def write(self, name: str, value: Any, attrs: dict[str, Any]) -> str:
        raise NotImplementedError


class OptionList(WrittenWidget):
    """A select, from its Options' HTML with the chosen one selected."""

    offered: Options

    def write(self, name: str, value: Any, attrs: dict[str, Any]) -> str:
        options = self.offered.selecting("" if value is None else str(value))
        return f"<select{html_attributes({'name': name, **attrs})}>{options}</select>"


class OptionField(forms.Field):
    """One of its Options' values, or none: ChoiceField's check, made by finding the
    value's option."""

    widget = OptionList

    def __init__(self, *, options: Options | None = None, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        if options is not None:
            self.offered = options

    @property
    def offered(self) -> Options:
        return self.widget.offered

    @offered.setter
    def offered(self, options: Options) -> None:
        self.widget.offered = options

    @property
    def choices(self) -> Choices:
        """As ChoiceField's, for what reads a list's choices (Django's stock Select)."""
        return self.offered.choices

    def to_python(self, value: Any) -> str:
        return "" if value in self.empty_values else str(value)

    def validate(self, value: str) -> None:
        if value and not self.offered.offers(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class DateInput(WrittenWidget, forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format=DATE_FORMAT)

    def write(self, name: str, value: Any, attrs: dict[str, Any]) -> str:
        shown = {"type": self.input_type, "name": name, "value": self.format_value(value)}
        return f"<input{html_attributes({**shown, **attrs})}>"


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


class FilterBoundField(forms.BoundField):
    """A filter as the search page lays it out: its label, its errors and its input, in
    a box marked when the value was refused. Written here, where Django would render
    its field template: the template language's lookups over six fields cost as much
    again as the fields' own work."""

    def as_field_group(self) -> SafeString:
        errors = self.errors
        marked = " search-filters__field--error" if errors else ""
        return mark_safe(  # noqa: S308 - the label escaped, the rest Django's own HTML
            f'<div class="search-filters__field{marked}">\n'
            f'<label for="{self.id_for_label}">{escape(str(self.label))}</label>\n'
            f"{errors or ''}\n{self}\n</div>\n"
        )


class SearchForm(forms.Form):
    """Every field is optional; a search needs words or at least one filter."""

    bound_field_class = FilterBoundField

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


# "from" is a Python keyword, so the date fields cannot be declared in the class body;
# added to the declared fields once, after the others, every form copies them as it
# copies those.
SearchForm.base_fields.update({"from": _date_field("From"), "to": _date_field("To")})


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
