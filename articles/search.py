"""Reader search over published articles.

PostgreSQL: ranked full-text search on a stored tsvector (Article.search_vector,
GIN-indexed) weighted headline (A) > standfirst and topics (B) > body, quotes and
author names (C), English stemming, highlighted snippets. The vector is refreshed
after every change that affects it (articles.signals), once the transaction commits.

SQLite: every word must appear (case-insensitively) in one of the same fields; an
article with every word in its headline comes first, then in its standfirst; the
snippet is cut around the first match and the words marked here (marked_excerpt).

Both: at most RANKED_MATCHES newest matches, each ranked as it is found, by one query
compiled once for each shape of search (search_keys); the page's cards and snippets
are read by key after (snippet_columns); filters by topic, author, kind and
publication time; "did you mean" from the words of headlines,
standfirsts and names (SearchWord: pg_trgm similarity on PostgreSQL, difflib over the
words of about the same length and first letter on SQLite); names of topics, authors
and speakers like the query's words (trigram word similarity on PostgreSQL, so typos
too; contained words on SQLite).
"""

from __future__ import annotations

import datetime
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVector,
    SearchVectorExact,
)
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    Expression,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import (
    Coalesce,
    Concat,
    Greatest,
    Length,
    Lower,
    NullIf,
    StrIndex,
    Substr,
)
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from articles.models import (
    SEARCH_WORD_LENGTH,
    Article,
    ArticleQuerySet,
    Byline,
    SearchWord,
    TaggedArticle,
)
from authors.models import Author
from newsroom.compiled import NOW, CompiledQuery, Parameter
from quotes.models import Quote, Speaker

# The text search configuration the stored vectors are built with: changing it
# means rebuilding every vector (refresh_search_vectors).
SEARCH_CONFIG = "english"
# Longer queries are cut: no reader types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# How many of a query's newest matches are ranked (PostgreSQL): 25 pages of results; the
# cost of a common word is about proportional to it (reading and ranking each vector).
RANKED_MATCHES = 500
# Private-use characters mark the highlighted words in ts_headline's output, so the
# snippet can be escaped as plain text before the marks become <mark> elements.
_START, _STOP = "\ue000", "\ue001"
_MARKER_RE = r"\[\[(quote|image):[^\]]*\]\]"
# Words of letters (any script), for the suggestion word list and the query's words.
_LETTERS_RE = re.compile(r"[^\W\d_]+")
# Shorter words are too many and too alike to suggest or to match names with.
MIN_WORD = 3
# PostgreSQL's snippet is picked from a window of the text: ts_headline parses and
# stems all it is given, and a snippet is some 35 words of it. The window starts
# SNIPPET_LEAD characters (some 25 words) before the first place a stem of the query's
# words is found (the first in a tsvector's order), or else its first word as typed (a
# stem need not start its word: "happi", "happy"), and is SNIPPET_WINDOW long (room for
# the lead and twice a snippet); at the text's start when neither is found.
SNIPPET_LEAD = 150
SNIPPET_WINDOW = 450
# SQLite's snippet: about as long as PostgreSQL's, starting a few words before the match.
EXCERPT_WORDS = 35
EXCERPT_LEAD = 6
# SQLite's "did you mean" compares at most this many words with difflib: it is for
# small sites, and it bounds the work per request on a large one.
SQLITE_CANDIDATES = 5000
NAMES_PER_KIND = 3
# PostgreSQL: a term's most similar word among those pg_trgm finds similar (`%`, served
# by the trigram GIN index searchword_word_trgm). The term is written into each
# look-up: given it through a join (unnest) PostgreSQL cannot tell what the index
# would find, and reads the whole table instead.
NEAREST_WORD_SQL = (
    "SELECT %s, (SELECT word FROM articles_searchword WHERE word %% %s"
    " ORDER BY similarity(word, %s) DESC, word LIMIT 1)"
)


def nearest_words_statement(terms: list[str]) -> tuple[str, list[str]]:
    """One statement (PostgreSQL) answering each term with its nearest known word."""
    return " UNION ALL ".join([NEAREST_WORD_SQL] * len(terms)), [
        value for term in terms for value in (term, term, term)
    ]


def clean_query(raw: str) -> str:
    """The query as searched: control characters (a NUL breaks PostgreSQL) and the
    snippet marks removed, whitespace collapsed, at most MAX_QUERY_LENGTH characters."""
    kept = "".join(
        " " if unicodedata.category(char).startswith("C") else char
        for char in raw[: MAX_QUERY_LENGTH * 4]
    )
    return " ".join(kept.split())[:MAX_QUERY_LENGTH].strip()


def _joined(subquery_values: QuerySet[Any, Any]) -> Func:
    """All values of a one-column subquery, as one space-separated text."""
    return Func(
        ArraySubquery(subquery_values),
        Value(" "),
        function="array_to_string",
        output_field=TextField(),
    )


def _without_markers(text: Combinable | str) -> Func:
    return Func(
        text,
        Value(_MARKER_RE),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def search_document(
    headline: Combinable,
    standfirst: Combinable,
    topics: Combinable,
    body: Combinable,
    quotes: Combinable,
    authors: Combinable,
) -> CombinedExpression:
    """The weighted document of an article, from six texts: its headline (A), its
    standfirst and topic names (B), its body without markers, quotes with their speakers
    and author names (C). Every vector is built by this one expression."""
    return (
        SearchVector(headline, weight="A", config=SEARCH_CONFIG)
        + SearchVector(standfirst, topics, weight="B", config=SEARCH_CONFIG)
        + SearchVector(_without_markers(body), quotes, authors, weight="C", config=SEARCH_CONFIG)
    )


def search_vector() -> CombinedExpression:
    """An article's document, from its own row and its related rows, each list in the
    order it was made (interchange.writing builds the same texts for new articles)."""
    tags = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .order_by("pk")
        .values("tag__name")
    )
    authors = Byline.objects.filter(article=OuterRef("pk")).values("author__name")
    quotes = (
        Quote.objects.filter(article=OuterRef("pk"))
        .annotate(words=Concat("speaker__name", Value(" "), "text", output_field=TextField()))
        .values("words")
    )
    return search_document(
        F("headline"),
        F("standfirst"),
        _joined(tags),
        F("body"),
        _joined(quotes),
        _joined(authors),
    )


def refresh_search_vectors(articles: ArticleQuerySet) -> None:
    """Rebuild the stored vectors of these articles in one UPDATE (PostgreSQL only),
    and remember their words for "did you mean" (both engines)."""
    if connection.vendor == "postgresql":
        articles.update(search_vector=search_vector())
    remember_article_words(articles)


def refresh_search_vectors_later(articles: ArticleQuerySet) -> None:
    """Once the transaction commits (bylines, topics and quotes saved with the article
    included), rebuild the vectors and remember the words."""
    transaction.on_commit(lambda: refresh_search_vectors(articles))


def _words(query: str) -> list[str]:
    return re.findall(r"\w+", query)[:MAX_TERMS]


def words_of(text: str) -> set[str]:
    """The words of a text worth correcting a query to: letters only (no numbers), from
    MIN_WORD to SEARCH_WORD_LENGTH long, lower case."""
    return {
        word.lower()
        for word in _LETTERS_RE.findall(text)
        if MIN_WORD <= len(word) <= SEARCH_WORD_LENGTH
    }


def remember_words(texts: Iterable[str]) -> None:
    """Keep the words of these texts as SearchWords (those already kept are skipped)."""
    words: set[str] = set()
    for text in texts:
        words |= words_of(text)
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True, batch_size=1000
    )


def remember_article_words(articles: ArticleQuerySet) -> None:
    """Remember the words of these articles' headlines and standfirsts and the names of
    their topics, authors and speakers (four queries, streamed)."""
    keys = articles.values("pk")
    texts = (
        articles.values_list("headline", "standfirst").iterator(chunk_size=2000),
        Tag.objects.filter(articles_taggedarticle_items__content_object__in=keys)
        .distinct()
        .values_list("name"),
        Byline.objects.filter(article__in=keys).distinct().values_list("author__name"),
        Quote.objects.filter(article__in=keys, speaker__isnull=False)
        .distinct()
        .values_list("speaker__name"),
    )
    remember_words(text for rows in texts for row in rows for text in row)


def _contains(term: Parameter) -> Q:
    """An article whose own text, quotes, authors or topics contain the term."""
    return (
        Q(headline__icontains=term)
        | Q(standfirst__icontains=term)
        | Q(body__icontains=term)
        | Q(Exists(Quote.objects.filter(Q(article=OuterRef("pk"), text__icontains=term))))
        | Q(Exists(Quote.objects.filter(Q(article=OuterRef("pk"), speaker__name__icontains=term))))
        | Q(Exists(Byline.objects.filter(Q(article=OuterRef("pk"), author__name__icontains=term))))
        | Q(
            Exists(
                TaggedArticle.objects.filter(
                    Q(content_object=OuterRef("pk"), tag__name__icontains=term)
                )
            )
        )
    )


# What a compiled search is run with (newsroom.compiled): the query's words
# (PostgreSQL), each of its terms (SQLite: `term0`...) and the filters' values.
WORDS = Parameter("words", TextField())
# The query's first word as typed, lower case (where a snippet's window starts).
FIRST_WORD = Parameter("first_word", TextField())
TOPIC = Parameter("topic", CharField())
AUTHOR = Parameter("author", CharField())
KIND = Parameter("kind", CharField())
START = Parameter("start", DateTimeField())
END = Parameter("end", DateTimeField())


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to: a topic and an author (by slug), a kind, and
    publication times from `start` up to `end` (either may be open)."""

    topic: str = ""
    author: str = ""
    kind: str = ""
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None

    def __bool__(self) -> bool:
        return any(self.values().values())

    def values(self) -> dict[str, Any]:
        """The filters given, by the names of their Parameters."""
        return {field.name: value for field in fields(self) if (value := getattr(self, field.name))}


NO_FILTERS = Filters()


@dataclass(frozen=True)
class _Shape:
    """What a search's query is built from; each shape is compiled once."""

    vendor: str
    # The query's words: PostgreSQL searches them as one (WORDS); SQLite needs each
    # term in a condition of its own, so their number is part of the shape.
    words: bool
    terms: int
    ranked: bool
    filters: frozenset[str]


@functools.cache
def _search(shape: _Shape) -> CompiledQuery[Article]:
    return CompiledQuery(lambda: _matching(shape))


def search_keys(query: str, filters: Filters = NO_FILTERS, *, by_date: bool = False) -> list[int]:
    """The keys of the published articles matching the (cleaned) query and the filters,
    best first (or newest first `by_date`, and always without a query). One query,
    compiled once for each shape of search.

    Only the newest RANKED_MATCHES matches are found and ranked: a common word matches
    a good part of a large archive, and ranking and counting read every match, so
    unbounded they grow with the archive. The matches are found newest first, each
    ranked as it is found (its vector read once), and ordered by rank here: a stable
    sort, so among equal ranks the newest stays first."""
    search = _prepared(query, filters, by_date=by_date)
    if search is None:
        return []
    shape, values = search
    rows = _search(shape).rows(RANKED_MATCHES, **values)
    if shape.ranked:
        rows = sorted(rows, key=lambda row: -row[1])
    return [row[0] for row in rows]


def search_statement(
    query: str, filters: Filters = NO_FILTERS, *, by_date: bool = False
) -> tuple[str, list[Any]]:
    """The SQL and parameters search_keys runs (to EXPLAIN it)."""
    search = _prepared(query, filters, by_date=by_date)
    if search is None:
        raise ValueError("A query without words is not searched")
    shape, values = search
    return _search(shape).statement(RANKED_MATCHES, **values)


def _prepared(
    query: str, filters: Filters, *, by_date: bool
) -> tuple[_Shape, dict[str, Any]] | None:
    """The search's shape and the values of its Parameters; None for a query whose
    words SQLite cannot search (no word characters)."""
    postgresql = connection.vendor == "postgresql"
    terms = [] if postgresql or not query else _words(query)
    if query and not postgresql and not terms:
        return None
    given = filters.values()
    ranked = bool(query) and not by_date
    shape = _Shape(connection.vendor, bool(query), len(terms), ranked, frozenset(given))
    values: dict[str, Any] = {"now": timezone.now(), **given}
    if query and postgresql:
        values["words"] = query
    values.update((f"term{position}", term) for position, term in enumerate(terms))
    return shape, values


def _matching(shape: _Shape) -> QuerySet[Article, tuple[Any, ...]]:
    """The search's matches newest first, as rows of the key and (ranked) the rank."""
    live = Article.objects.published(NOW)
    # Narrowed to a topic or an author, the matches are walked down that topic's or
    # author's links (their indexed copy of the publication time, and of the kind when
    # one is asked for) instead of down every article: each article walked is tested
    # for the words, a read of its stored vector, and most articles of a large archive
    # are in other topics or of other kinds.
    kind = KIND if "kind" in shape.filters else None
    # Whether the article's own kind is still to be tested: only when no links walked.
    kind_tested = False
    if "topic" in shape.filters:
        topic = Tag.objects.filter(slug=TOPIC).values("pk")[:1]
        walked = live.on_topic(Subquery(topic), NOW, kind)
    elif "author" in shape.filters:
        author = Author.objects.filter(slug=AUTHOR).values("pk")[:1]
        walked = live.by_author(Subquery(author), NOW, kind)
    else:
        walked = live.order_by("-published_at", "-pk")
        kind_tested = kind is not None
    condition = Q()
    if "author" in shape.filters and "topic" in shape.filters:
        condition &= Q(Exists(Byline.objects.filter(article=OuterRef("pk"), author__slug=AUTHOR)))
    if kind_tested:
        condition &= Q(kind=KIND)
    if "start" in shape.filters:
        condition &= Q(published_at__gte=START)
    if "end" in shape.filters:
        condition &= Q(published_at__lt=END)
    matching = walked.filter(condition)
    rank: Any = None
    if shape.words and shape.vendor == "postgresql":
        tsquery = SearchQuery(WORDS, search_type="websearch", config=SEARCH_CONFIG)
        words_match: Any = SearchVectorExact(F("search_vector"), tsquery)
        if kind_tested:
            # PostgreSQL tests a column's equality with a constant after every other
            # condition, so each article walked would have its vector read and matched
            # (the costliest test) before its kind: most are of another kind.
            words_match = Case(
                When(kind=KIND, then=words_match),
                default=Value(False),
                output_field=BooleanField(),
            )
        matching = matching.filter(words_match)
        rank = SearchRank(F("search_vector"), tsquery)
    elif shape.words:
        terms = [Parameter(f"term{position}", CharField()) for position in range(shape.terms)]
        for term in terms:
            matching = matching.filter(_contains(term))
        # Relevance without a ranking function: every word in the headline, then
        # every word in the standfirst, then the rest.
        rank = Case(
            When(_every_word_in("headline", terms), then=2),
            When(_every_word_in("standfirst", terms), then=1),
            default=0,
        )
    if shape.ranked:
        return matching.annotate(rank=rank).values_list("pk", "rank")
    return matching.values_list("pk")


def snippet_source(words: str | Parameter) -> Expression:
    """What a result's snippet is made from: PostgreSQL's passage of the standfirst and
    body with the words highlighted, or (SQLite) their text, cut and marked by
    snippet(). The words are the query as given, or the WORDS Parameter (the window's
    first word is then FIRST_WORD's, see snippet_values)."""
    if connection.vendor != "postgresql":
        return Concat("standfirst", Value(" "), "body", output_field=TextField())
    typed, first_word = (
        (Value(words), Value(_first_word(words))) if isinstance(words, str) else (words, FIRST_WORD)
    )
    return SearchHeadline(
        _snippet_window(typed, first_word),
        _any_of_the_words(typed),
        config=SEARCH_CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=35,
        min_words=15,
    )


def _stems(words: Expression) -> Func:
    """The stems of the query's words, each once, in a tsvector's order (stop words left
    out: an empty array when there are only those)."""
    return Func(
        words,
        template=f"tsvector_to_array(to_tsvector('{SEARCH_CONFIG}'::regconfig, %(expressions)s))",
        output_field=ArrayField(TextField()),
    )


def _any_of_the_words(words: Expression) -> Func:
    """A tsquery matching any of the stems of the query's words (NULL, so no snippet,
    when there are none), for ts_headline: given a query needing every word, it shows a
    passage holding them all, or else the text's first words, unmarked; a story can
    match with a word only in its headline, a topic or a byline. Each stem is quoted as
    tsquery input quotes it (a quote doubled, a backslash escaped)."""
    return Func(
        _stems(words),
        template=(
            r"(SELECT string_agg('''' || replace(replace(stem, '\', '\\'), '''', '''''')"
            r" || '''', ' | ') FROM unnest(%(expressions)s) AS stem)::tsquery"
        ),
        output_field=SearchQueryField(),
    )


def _first_word(query: str) -> str:
    return next(iter(_words(query)), "").lower()


def _snippet_window(words: Expression, first_word: Expression) -> Func:
    """The part of the standfirst and body a PostgreSQL snippet is picked from (see
    SNIPPET_WINDOW), the markers taken out."""
    # Both columns are NOT NULL, so joined without Concat's COALESCE and its two
    # parameters for each part: psycopg converts a statement of more than 50 parameters
    # afresh each time it runs, where it keeps the conversion of a smaller one.
    text = Func(
        F("standfirst"),
        F("body"),
        template="(%(expressions)s)",
        arg_joiner=" || ' ' || ",
        output_field=TextField(),
    )
    # A stem of the query's words (none for stop words only: NULL, so not found).
    stem = Func(_stems(words), template="(%(expressions)s)[1]", output_field=TextField())
    found = Coalesce(
        NullIf(StrIndex(Lower(text), stem), Value(0)),
        NullIf(StrIndex(Lower(text), first_word), Value(0)),
        Value(1),
    )
    start = Greatest(Value(1), found - Value(SNIPPET_LEAD))
    return _without_markers(Substr(text, start, SNIPPET_WINDOW))


def snippet_columns() -> tuple[Expression, ...]:
    """The snippet_source column of the query reading the results' cards
    (reader.fragments.chosen_rows), its words given by snippet_values."""
    return (snippet_source(WORDS),)


def snippet_values(query: str) -> dict[str, str]:
    """The values snippet_columns' Parameters are given for this query."""
    if connection.vendor != "postgresql":
        return {}
    return {"words": query, "first_word": _first_word(query)}


def snippet(column: str | None, query: str) -> SafeString | None:
    """A result's snippet as safe HTML, from its snippet_columns value, with the
    query's words marked; None when the result has no text to show."""
    if not column:
        return None
    if connection.vendor == "postgresql":
        return highlight(column)
    return marked_excerpt(column, query)


def _every_word_in(field: str, terms: list[Parameter]) -> Q:
    return Q(*(Q(**{f"{field}__icontains": term}) for term in terms))


def highlight(snippet: str) -> SafeString:
    """A ts_headline snippet as safe HTML: the text escaped, the matches in <mark>."""
    html = escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - every character but the marks was escaped


def marked_excerpt(text: str, query: str, words: int = EXCERPT_WORDS) -> SafeString:
    """About `words` words of an article's text from a little before the first match of
    a query's words, as safe HTML with every word containing one of them in <mark>
    (SQLite's search matches words containing the query's). The text is split on the
    matches first and each piece escaped alone, so a mark never lands inside an escaped
    character ("&amp;") and nothing in the text becomes markup."""
    terms = sorted(set(_words(query)), key=len, reverse=True)
    tokens = re.sub(_MARKER_RE, " ", text).split()
    if not terms:
        return escape(" ".join(tokens[:words]))
    pattern = re.compile(r"\w*(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE)
    first = next((n for n, token in enumerate(tokens) if pattern.search(token)), 0)
    start = max(0, first - EXCERPT_LEAD)
    cut = " ".join(tokens[start : start + words])
    html: list[str] = []
    last = 0
    for match in pattern.finditer(cut):
        html.append(escape(cut[last : match.start()]))
        html.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    html.append(escape(cut[last:]))
    ellipsis_before = "… " if start else ""
    ellipsis_after = " …" if start + words < len(tokens) else ""
    return mark_safe(ellipsis_before + "".join(html) + ellipsis_after)  # noqa: S308 - pieces escaped


def letter_words(query: str) -> list[str]:
    """The query's words that "did you mean" and the names look at: letters only, lower
    case, at least MIN_WORD long, each once, at most MAX_TERMS."""
    terms = list(dict.fromkeys(term.lower() for term in _LETTERS_RE.findall(query)))
    return [term for term in terms if len(term) >= MIN_WORD][:MAX_TERMS]


def nearest_words(query: str) -> dict[str, str]:
    """Each of the query's letter_words with the nearest known word: itself when it is
    one, "" when none is near. One query (none for a query without such words)."""
    terms = letter_words(query)
    return _nearest_words(terms) if terms else {}


def suggestion(query: str, nearest: dict[str, str]) -> str:
    """The query with each word that is no known word replaced by the nearest known one
    ("salesforse" -> "salesforce"), or "" when no word has a near one."""
    replaced = {term: word for term, word in nearest.items() if word and word != term}
    if not replaced:
        return ""
    return _LETTERS_RE.sub(lambda match: replaced.get(match.group().lower(), match.group()), query)


def _nearest_words(terms: list[str]) -> dict[str, str]:
    """Each term's nearest SearchWord (itself when it is one), or "" when none is near."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*nearest_words_statement(terms))
            return {term: word or "" for term, word in cursor.fetchall()}
    # SQLite: difflib over the words of about the same length with the same first
    # letter (a typo rarely changes the first letter), at most SQLITE_CANDIDATES.
    near = Q()
    for term in terms:
        near |= Q(word__startswith=term[0]) & Q(
            length__gte=len(term) - 2, length__lte=len(term) + 2
        )
    candidates = list(
        SearchWord.objects.annotate(length=Length("word"))
        .filter(near)
        .values_list("word", flat=True)[:SQLITE_CANDIDATES]
    )
    return {
        term: term
        if term in candidates
        else next(iter(difflib.get_close_matches(term, candidates, n=1, cutoff=0.75)), "")
        for term in terms
    }


@dataclass(frozen=True)
class Name:
    """A topic, author or speaker whose name is like one of the query's words."""

    kind: str
    name: str
    slug: str


def with_published_stories() -> dict[str, QuerySet[Any]]:
    """Topics, authors and speakers with at least one published story, by kind. A
    topic's and an author's probe read the links' copy of the publication time
    (on_topic, by_author), so PostgreSQL starts its walk of the topic's or author's
    index at now, not at their newest scheduled story: from there, a busy author's
    schedule was hundreds of index entries, each an article fetched and refused."""
    published = Article.objects.published()
    return {
        "topic": Tag.objects.filter(Exists(published.on_topic(OuterRef("pk")))),
        "author": Author.objects.filter(Exists(published.by_author(OuterRef("pk")))),
        "speaker": Speaker.objects.filter(Exists(published.filter(quotes__speaker=OuterRef("pk")))),
    }


def names_like(nearest: dict[str, str]) -> QuerySet[Any, tuple[str, str, str]] | None:
    """Topics, authors and speakers with published stories with a word in their names
    starting with one of the query's words or the known word nearest it (nearest_words),
    so a misspelt name is found too; at most NAMES_PER_KIND of each, by name. One query;
    on PostgreSQL the trigram GIN indexes on the names serve the regular expressions."""
    words = {word for pair in nearest.items() for word in pair if word}
    if not words:
        return None
    contains = name_has_word_starting(words)
    parts = []
    for kind, rows in with_published_stories().items():
        best = rows.filter(contains).order_by("name")
        parts.append(
            rows.model._default_manager.filter(pk__in=best.values("pk")[:NAMES_PER_KIND])
            .annotate(name_kind=Value(kind))
            .order_by()
            .values_list("name_kind", "name", "slug")
        )
    return parts[0].union(*parts[1:], all=True)


def name_has_word_starting(words: Iterable[str]) -> Q:
    r"""A name with a word starting with one of these ("Benioff" for "benio", not
    "Catherine" for "the"): PostgreSQL's regular expressions write the start of a word
    \m, Python's (SQLite's REGEXP) \b. Words are letters only: nothing to escape."""
    start = r"\m" if connection.vendor == "postgresql" else r"\b"
    condition = Q()
    for word in sorted(words):
        condition |= Q(name__iregex=start + word)
    return condition


def matching_names(nearest: dict[str, str]) -> list[Name]:
    """The names names_like finds, topics first, then authors, then speakers, each by
    name."""
    found = [Name(*row) for row in names_like(nearest) or []]
    order = ["topic", "author", "speaker"]
    return sorted(found, key=lambda name: (order.index(name.kind), name.name.lower()))
