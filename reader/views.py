import datetime
from typing import Any

from django.core import signing
from django.db import connections
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    IntegerField,
    Min,
    Prefetch,
    QuerySet,
    SlugField,
)
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.views.generic.dates import (
    ArchiveIndexView,
    BaseDateListView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleKind,
    ArticleQuerySet,
    ArticleSlugHistory,
    Correction,
    TaggedArticle,
)
from articles.services import article_pk_for_share_token
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure, Organisation
from newsroom import page_cache
from newsroom.compiled import NOW, CompiledQuery, Parameter
from newsroom.pagination import Page, paginate
from quotes.models import Quote, Speaker
from reader import fragments, structured_data

PER_PAGE = 20
# An archive listing more periods than this (an index spanning centuries) lists them
# with Django's DISTINCT: one query holds one probe a period.
MOST_PERIOD_PROBES = 400
RELATED_COUNT = 4
# A topic page with fewer stories than this offers related topics, up to NEARBY_TOPICS.
FEW_STORIES = 4
NEARBY_TOPICS = 6
# An organisation page shows its newest quotes; each links to its speaker's page for more.
QUOTES_ON_ORGANISATION_PAGE = 20

# The listings of these pages, each page's queries compiled once per connection.
TOPIC_STORIES = fragments.Listing(
    lambda: Article.objects.published(NOW).on_topic(Parameter("tag", IntegerField()), NOW)
)
AUTHOR_STORIES = fragments.Listing(
    lambda: Article.objects.published(NOW).by_author(Parameter("author", IntegerField()), NOW)
)
KIND_STORIES = fragments.Listing(
    lambda: Article.objects.published(NOW).filter(kind=Parameter("kind", CharField()))
)
PERIOD_STORIES = fragments.Listing(
    lambda: Article.objects.published(NOW).filter(
        published_at__gte=Parameter("start", DateTimeField()),
        published_at__lt=Parameter("end", DateTimeField()),
    )
)


def render_article(
    request: HttpRequest,
    article: Article,
    head: SafeString,
    main: SafeString,
    topics: list[int],
    *,
    preview: bool = False,
) -> HttpResponse:
    """The article page from its head and article (reader.fragments), and the related
    stories of its `topics`. Previews use the same templates, marked, unindexed and
    uncached, and carry no structured data: only live articles are described to search
    engines."""
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "head": fragments.served(head, request),
            "main": fragments.served(main, request),
            "related_html": related_html(request, article, topics),
            "preview": preview,
        },
    )
    if preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# A related story: when it was published, its key and its stored section card.
Related = tuple[datetime.datetime, int, SafeString]
# A live article by its address, with its stored head, article and topics (an
# anonymous reader's page; signed-in editors read it as it is, with for_page).
PAGE_ARTICLE = CompiledQuery(
    lambda: fragments.for_cards(
        Article.objects.published(now=NOW).filter(slug=Parameter("slug", SlugField())),
        ("head", "main", "topics"),
    )
)


def newest_on_topics(topics: list[int]) -> dict[int, list[Related]]:
    """Each topic's newest live stories, one more than an article shows (the article
    may be among them), with their stored section cards: one query for them all."""
    newest: dict[int, list[Related]] = {topic: [] for topic in topics}
    stories = fragments.for_cards(Article.objects.published(), ("section_card",))
    for story in fragments.with_cards(list(stories.newest_by_topic(topics, RELATED_COUNT + 1))):
        if story.published_at is not None:
            topic: int = story.topic_id  # type: ignore[attr-defined]  # newest_by_topic's
            newest[topic].append((story.published_at, story.pk, story.stored.section_card))
    return newest


def related_html(request: HttpRequest, article: Article, topics: list[int]) -> str:
    """The "Related stories" section, rendered: the newest live stories sharing a topic
    with the article. They are found among each topic's newest, kept for the content
    generation (page_cache.kept_each_for_site, timely: it moves with every change
    readers see and when a scheduled story's time comes), so an article's page reads
    no row of them, and the articles of a topic share its list."""
    if not topics:
        return ""
    kept = page_cache.kept_each_for_site(
        "related", topics, newest_on_topics, request=request, timely=True
    )
    found = {story[1]: story for stories in kept.values() for story in stories}
    found.pop(article.pk, None)
    if not found:
        return ""
    newest = sorted(found.values(), reverse=True)[:RELATED_COUNT]
    return render_to_string(
        "includes/card_section.html",
        {
            "articles": [fragments.Card(pk, {"section_card": card}) for _, pk, card in newest],
            "section_class": "related",
            "heading_id": "related-heading",
            "heading_text": "Related stories",
        },
    )


def render_afresh(request: HttpRequest, article: Article, *, preview: bool = False) -> HttpResponse:
    """The article page rendered from the article as it is (read with for_page), not
    from its stored parts: for signed-in editors and previews."""
    parts = fragments.render_parts(article, request, preview=preview)
    topics = fragments.topic_keys(article)
    return render_article(request, article, parts["head"], parts["main"], topics, preview=preview)


def preview_page(request: HttpRequest, article: Article) -> HttpResponse:
    """The article page as it will be, for an editor (the admin's preview): rendered
    afresh, never stored."""
    return render_afresh(request, article, preview=True)


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if not page_cache.is_anonymous(request):
        # Signed-in editors see the database as it is, as the page cache lets them.
        try:
            article = Article.objects.published().for_page().get(slug=slug)
        except Article.DoesNotExist:
            return redirect_old_slug(slug)
        return render_afresh(request, article)
    # The slug is unique: one row at most.
    found = PAGE_ARTICLE.objects(now=timezone.now(), slug=slug)
    if not found:
        return redirect_old_slug(slug)
    article = found[0]
    stored = article.stored if fragments.is_current(article) else None
    stored = stored or fragments.store_outdated([article.pk]).get(article.pk)
    if stored is None:  # deleted since it was read
        raise Http404("No such article")
    return render_article(request, article, stored.head, stored.main, stored.topics)


def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """An editor's share link: one unpublished article, no login, until it expires."""
    try:
        pk = article_pk_for_share_token(token)
    except signing.SignatureExpired:
        response = render(request, "articles/preview_expired.html", status=410)
        add_never_cache_headers(response)
        return response
    except signing.BadSignature:
        raise Http404("No such preview") from None
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    if article.is_live:
        return redirect(article)
    return preview_page(request, article)


def corrections(request: HttpRequest) -> HttpResponse:
    """Every correction and update to a live article, newest first."""
    page = paginate(request, Correction.objects.public(), PER_PAGE)
    return render(request, "articles/corrections.html", {"page": page})


def redirect_old_slug(slug: str) -> HttpResponse:
    """An address an article had before its slug changed answers 301 to the current one;
    only for a live article, so an old slug reveals nothing unpublished."""
    history = (
        ArticleSlugHistory.objects.filter(slug=slug, article__in=Article.objects.published())
        .select_related("article")
        .first()
    )
    if history is None:
        raise Http404("No such article")
    return HttpResponsePermanentRedirect(history.article.get_absolute_url())


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A "Read more on" topic: its published articles, newest first."""
    # With its organisation, if it stands for one (a reverse one-to-one: same query);
    # kept per content generation, which a change to either moves.
    tag = page_cache.kept_for_site(
        f"topic:{slug}",
        lambda: get_object_or_404(Tag.objects.select_related("organisation"), slug=slug),
        request=request,
    )
    page = TOPIC_STORIES.page(request, PER_PAGE, tag=tag.pk)
    if not page.items:
        # A topic with nothing published yet must not reveal itself.
        return render(request, "404.html", status=404)
    nearby: list[dict[str, str]] = []
    if len(page.items) < FEW_STORIES and not page.has_previous and not page.has_next:
        # A young topic is a short page: offer the topics its stories also cover.
        nearby = page_cache.kept_for_site(
            f"topics-near-{tag.pk}", lambda: topics_near(tag), request=request, timely=True
        )
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page, "nearby": nearby})


def topics_near(tag: Tag) -> list[dict[str, str]]:
    """The other topics of the topic's published stories, the most shared first."""
    stories = Article.objects.published().filter(taggedarticle__tag=tag).values("pk")
    return list(
        TaggedArticle.objects.filter(content_object__in=stories)
        .exclude(tag=tag)
        .values("tag__name", "tag__slug")
        .annotate(stories=Count("pk"))
        .order_by("-stories", "tag__name")[:NEARBY_TOPICS]
    )


def kind_detail(request: HttpRequest, kind: str) -> HttpResponse:
    """A kind of work (a section: News, Analysis, ...): its published articles, newest first."""
    if kind not in ArticleKind.values:
        raise Http404("No such kind of work")
    page = KIND_STORIES.page(request, PER_PAGE, kind=kind)
    return render(
        request,
        "articles/kind_detail.html",
        {"kind": kind, "kind_name": ArticleKind(kind).label, "page": page},
    )


# A link to an archive page from another: (rel, the context's date it goes to, the kind
# of archive page holding that date, the date format of its text).
Nearby = tuple[str, str, str, str]


class ArchiveMixin(BaseDateListView):
    """Date archives of published articles, paginated without COUNT(*)."""

    date_field = "published_at"
    allow_empty = False
    paginate_by = PER_PAGE
    context_object_name = "articles"
    template_name: str | None = "articles/archive.html"
    # The periods the page lists (the index's years, a year's months, a month's days):
    # the list's name, the kind of their pages and the date format of their links.
    periods_label = ""
    periods_kind = ""
    periods_format = ""
    # The pages of the periods around this one that the page links to.
    neighbours: tuple[Nearby, ...] = ()

    def get_queryset(self) -> ArticleQuerySet:
        # Plain: the views also read it for the dates of neighbouring periods.
        return Article.objects.published()

    # The context's date that names the page ("year", "month", "day"), and its format.
    period = ""
    period_format = ""

    # Any: the page is newsroom.pagination's, where Django's stubs ask a collection.
    def get_dated_items(self) -> Any:
        """Django's, with what the page links to besides its articles (the periods it
        lists, the neighbouring periods with articles) kept per content generation:
        that changes only as articles go live or leave, so a page then reads its
        articles alone, as a page of a Listing (paginate_queryset passes it on). The
        generation's first reader runs Django's queries, which also answer 404 for a
        period with nothing published (never kept)."""
        date_list, extra, links = page_cache.kept_for_site(
            f"archive:{self.request.path}", self.navigation, request=self.request, timely=True
        )
        self.links = links
        if start := extra.get(self.period):
            end = next_period(start, self.period)
            page = PERIOD_STORIES.page(
                self.request, PER_PAGE, start=midnight(start), end=midnight(end)
            )
        else:
            page = fragments.LATEST_STORIES.page(self.request, PER_PAGE)
        return date_list, page, extra

    def navigation(self) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """Django's periods and neighbouring periods, and the links the page shows to
        them (addresses and dates written out once, not at every request: a month's
        thirty days cost a page several milliseconds through the templates' tags)."""
        date_list, _articles, extra = super().get_dated_items()
        links = {
            "periods": [
                archive_link(self.periods_kind, period, self.periods_format)
                for period in date_list or ()
            ],
            "nearby": {
                rel: archive_link(kind, extra[name], label_format)
                for rel, name, kind, label_format in self.neighbours
                if extra[name]
            },
        }
        return date_list, extra, links

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = context.get(self.period)
        context["heading"] = (
            f"Stories of {date_format(period, self.period_format)}" if period else "All stories"
        )
        context["periods_label"] = self.periods_label
        return {**context, **self.links}

    # The page is newsroom.pagination's, and the dates a list: Django's date views only
    # test and iterate what these two return, where the stubs ask its own types.
    def paginate_queryset(  # type: ignore[override]
        self,
        queryset: Page,  # type: ignore[override] # get_dated_items' page
        page_size: int,
    ) -> tuple[None, Page, list[fragments.Card], bool]:
        return None, queryset, queryset.items, queryset.has_previous or queryset.has_next

    def get_date_list(  # type: ignore[override]
        self, queryset: QuerySet[Article], date_type: str | None = None, ordering: str = "ASC"
    ) -> list[datetime.datetime]:
        """The periods with articles: the days of a month page, the months of a year
        page, the years of the index, in the site's time zone. Django's DISTINCT reads
        every article of the period, which grows with the archive (a month held about
        17,000 at 1,000,000 articles); here one query asks EXISTS of each period the
        page can list (date_list_span), one index probe a period."""
        date_type = date_type or self.get_date_list_period()
        days = period_days(*self.date_list_span(queryset), date_type)
        if not days:
            return list(super().get_date_list(queryset, date_type, ordering))
        periods = [(midnight(day), midnight(next_period(day, date_type))) for day in days]
        held = periods_holding(self.date_field, periods)
        dates = [start for (start, _end), found in zip(periods, held, strict=True) if found]
        return dates if ordering == "ASC" else dates[::-1]

    def date_list_span(
        self, queryset: QuerySet[Article]
    ) -> tuple[datetime.date | None, datetime.date]:
        """The first and the last day the page's periods can hold: for the index, its
        first article's (one query: a MIN is one index search, MIN and MAX together
        a scan on SQLite) and today, since no published article is later."""
        first = queryset.aggregate(first=Min(self.date_field))["first"]
        return first and timezone.localdate(first), timezone.localdate()


def period_days(first: datetime.date | None, last: datetime.date, kind: str) -> list[datetime.date]:
    """The first day of every year, month or day (kind) from first's to last's; none
    (and Django's DISTINCT lists the periods) when there is nothing, when they are more
    than one query's probes, or at the calendar's ends (no year before 1 or after 9999
    to bound them)."""
    if first is None or first.year <= 1 or last.year >= 9999:
        return []
    day = {"year": first.replace(month=1, day=1), "month": first.replace(day=1)}.get(kind, first)
    days: list[datetime.date] = []
    while day <= last and len(days) <= MOST_PERIOD_PROBES:
        days.append(day)
        day = next_period(day, kind)
    return days if len(days) <= MOST_PERIOD_PROBES else []


def next_period(day: datetime.date, kind: str) -> datetime.date:
    if kind == "year":
        return day.replace(year=day.year + 1)
    if kind == "month":
        return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return day + datetime.timedelta(days=1)


def midnight(day: datetime.date) -> datetime.datetime:
    """The day's start in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def periods_holding(
    field: str, periods: list[tuple[datetime.datetime, datetime.datetime]]
) -> list[bool]:
    """Whether any published article's field falls in each period [start, end): one
    query, which compiles one EXISTS probe and runs it for each row of a VALUES list of
    the periods (compiling a probe for each period cost more than a small month's
    DISTINCT; measured: see docs/performance.md). In the select list, each probe runs
    once a row, one index search each."""
    bound: dict[str, Any] = {"output_field": DateTimeField()}
    # The period's bounds come before the visibility rule's: SQLite bounds its index
    # search by the first upper bound it meets, and with the rule's "published by now"
    # first each probe walked the index from now back to its period.
    probe = (
        Article.objects.filter(
            **{
                f"{field}__gte": RawSQL("period.column2", (), **bound),
                f"{field}__lt": RawSQL("period.column3", (), **bound),
            }
        )
        .published()
        .order_by()
        .values("pk")
    )
    connection = connections[probe.db]
    probe_sql, probe_params = probe.query.get_compiler(connection=connection).as_sql()
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        value
        for number, (start, end) in enumerate(periods)
        for value in (number, adapt(start), adapt(end))
    ]
    values = ", ".join(["(%s, %s, %s)"] * len(periods))
    # Django's compiled probe and placeholders: every value is a parameter.
    sql = f"SELECT EXISTS ({probe_sql}) FROM (VALUES {values}) AS period ORDER BY period.column1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*probe_params, *rows])
        return [bool(found) for (found,) in cursor.fetchall()]


def archive_link(kind: str, moment: datetime.date, label_format: str) -> tuple[str, str]:
    """The address of the archive page of `kind` ("year", "month" or "day") holding the
    moment (in the site's time zone), and the moment in `label_format`."""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    parts = {"year": ("Y",), "month": ("Y", "m"), "day": ("Y", "m", "d")}[kind]
    address = reverse(f"articles:archive_{kind}", args=[date_format(moment, p) for p in parts])
    return address, date_format(moment, label_format)


class ArticleArchiveIndex(ArchiveMixin, ArchiveIndexView):
    """The newest articles and the years with articles."""

    periods_label, periods_kind, periods_format = "Years", "year", "Y"


class ArticleYearArchive(ArchiveMixin, YearArchiveView):
    make_object_list = True
    period, period_format = "year", "Y"
    periods_label, periods_kind, periods_format = "Months", "month", "F"
    neighbours = (("prev", "previous_year", "year", "Y"), ("next", "next_year", "year", "Y"))

    def date_list_span(self, queryset: QuerySet[Article]) -> tuple[datetime.date, datetime.date]:
        # The address's four digits: Django's view has answered 404 to any other.
        year = int(self.get_year())
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class ArticleMonthArchive(ArchiveMixin, MonthArchiveView):
    month_format = "%m"
    period, period_format = "month", "YEAR_MONTH_FORMAT"
    periods_label, periods_kind, periods_format = "Days", "day", "MONTH_DAY_FORMAT"
    neighbours = (
        ("prev", "previous_month", "month", "YEAR_MONTH_FORMAT"),
        ("up", "month", "year", "Y"),
        ("next", "next_month", "month", "YEAR_MONTH_FORMAT"),
    )

    def date_list_span(self, queryset: QuerySet[Article]) -> tuple[datetime.date, datetime.date]:
        # The address's year and month: Django's view has answered 404 to any other.
        first = datetime.date(int(self.get_year()), int(self.get_month()), 1)
        return first, next_period(first, "month") - datetime.timedelta(days=1)


class ArticleDayArchive(ArchiveMixin, DayArchiveView):
    month_format = "%m"
    period, period_format = "day", "DATE_FORMAT"
    neighbours = (
        ("prev", "previous_day", "day", "DATE_FORMAT"),
        ("up", "day", "month", "YEAR_MONTH_FORMAT"),
        ("next", "next_day", "day", "DATE_FORMAT"),
    )

    def get_dated_items(self) -> Any:
        # The last day the calendar holds (9999-12-31) has no next day: Django's
        # DayArchiveView raised OverflowError (a 500) where its year and month views say
        # 404 (tests/test_hostile_input.py).
        try:
            return super().get_dated_items()
        except OverflowError:
            raise Http404("Date out of range") from None


def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything one speaker is quoted as saying in published articles, newest first."""
    speaker = get_object_or_404(Speaker.objects.select_related("organisation", "author"), slug=slug)
    page = paginate(
        request, Quote.objects.published().filter(speaker=speaker).for_listing(), PER_PAGE
    )
    if not page.items:
        # Quoted only in unpublished articles: the speaker must not reveal itself.
        raise Http404("No published quotes")
    return render(request, "articles/speaker_detail.html", {"speaker": speaker, "page": page})


def quote_detail(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A quote's permalink: the words, who said them, the source and the article."""
    quote = get_object_or_404(
        Quote.objects.published().select_related("speaker", "article"),
        article__slug=slug,
        key=key,
    )
    return render(
        request,
        "articles/quote_detail.html",
        {"quote": quote, "structured_data": structured_data.quote_page(quote, request)},
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """What the publisher's relationship with an organisation is, and what it wrote
    about it: relationships, coverage and the quotes of its people, on one page."""
    organisation = get_object_or_404(Organisation, slug=slug)
    relationships = list(organisation.disclosures.register().order_by("-valid_from", "pk"))
    coverage = TOPIC_STORIES.page(request, PER_PAGE, tag=organisation.tag_id)
    quotes = Quote.objects.published().filter(speaker__organisation=organisation).for_listing()
    return render(
        request,
        "articles/organisation_detail.html",
        {
            "organisation": organisation,
            "current": [entry for entry in relationships if entry.is_current],
            "past": [entry for entry in relationships if not entry.is_current],
            "page": coverage,
            "quotes": list(quotes[:QUOTES_ON_ORGANISATION_PAGE]),
        },
    )


def disclosures(request: HttpRequest) -> HttpResponse:
    """The publisher's register of relationships, current and past, with dates."""
    entries = list(
        Disclosure.objects.register()
        .select_related("organisation")
        .order_by("organisation__name", "-valid_from", "pk")
    )
    return render(
        request,
        "articles/disclosures.html",
        {
            "current": [entry for entry in entries if entry.is_current],
            "past": [entry for entry in entries if not entry.is_current],
        },
    )


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An author's profile, declared interests and published articles, newest first."""
    # The profile is kept per content generation, which a change to the author, their
    # links, interests, photo or the organisations named moves.
    author = page_cache.kept_for_site(f"author:{slug}", lambda: profile(slug), request=request)
    page = AUTHOR_STORIES.page(request, PER_PAGE, author=author.pk, parts=("dated_card",))
    return render(
        request,
        "authors/author_detail.html",
        {
            "author": author,
            "page": page,
            "structured_data": structured_data.author_profile(author, request),
        },
    )


def profile(slug: str) -> Author:
    """The author with what their page shows of them: links, interests with their
    organisations, photo renditions."""
    interests = AuthorInterest.objects.select_related("organisation")
    return get_object_or_404(
        Author.objects.prefetch_related(
            "links", Prefetch("interests", queryset=interests), "photo_renditions"
        ),
        slug=slug,
    )
