"""Anonymous full-page caching with invalidation that holds across app servers.

Every cache key carries the site's *content generation*: a number kept in the
configured cache and bumped, once a transaction commits, whenever content readers can
see changes (articles.signals). Bumping it retires every cached page and kept part
at once, on every app server sharing the cache, without a global flush; the old
entries simply expire.

Time changes content too: a scheduled article goes live, an embargo ends, a
correction dated in the future comes out. The earliest such moment is looked up once
per generation and kept beside it; the first request after it bumps the generation,
and no response says it may be kept by a browser or a CDN past that moment. No cron
is needed.

Only anonymous GETs of the reader pages named in CACHEABLE_VIEWS are cached. A
request carrying a session cookie (an editor, or anyone the admin knows) neither
reads nor fills the cache and gets `Cache-Control: private, no-store`; so does a
preview. Responses that set a cookie or vary on it are never stored.

With a process-local backend (LocMemCache, the default) the generation is per
process, so another worker sees a change only when its copy expires: the default
lifetime is then short (LOCAL_CACHE_SECONDS). A shared backend (Redis or memcached
from CACHE_URL) makes a publish visible on every server at once.

The cache is a help, never a dependency: when it is down or hanging (a short socket
timeout, settings.CACHE_TIMEOUT_SECONDS), every page is served from the database,
uncached, and a save still succeeds. The process then retires every stored page the
first time it reaches the cache again, since the change it could not announce may be
older than pages the cache still holds.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Collection, Hashable
from typing import Any, TypedDict, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import has_vary_header, patch_cache_control, set_response_etag
from django.utils.http import http_date, urlencode

from newsroom.hooks import Hook
from newsroom.middleware import LOWER_CASE_VIEWS

logger = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

GENERATION_KEY = "newsroom:generation"
NEXT_CHANGE_KEY = "newsroom:next-change"
# Lifetimes used when PAGE_CACHE_SECONDS is not set: long on a shared cache, where a
# change is seen everywhere at once; short on a per-process one, where it is not.
SHARED_CACHE_SECONDS = 600
LOCAL_CACHE_SECONDS = 10

# Reader pages that look the same to every anonymous reader. An allow-list, so a new
# view is never cached by accident (a preview, the admin, health checks are not here).
# The reader pages with lower-case addresses, and the rest.
CACHEABLE_VIEWS = LOWER_CASE_VIEWS | {
    "robots",
    "sitemap",
    "sitemap_section",
    "news_sitemap",
    "articles:quote",
    "articles:corrections_feed",
    "articles:speaker",
    "articles:organisation",
    "articles:disclosures",
    "pages:detail",
}
# Query parameters that only tell analytics where a reader came from; no view reads
# them, so a page is the same with or without them and is kept once. Facebook adds its
# own fbclid to every click: keyed by the whole query, a story spreading there would
# miss the cache on every visit, just when the spike comes.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "twclid",  # X (Twitter)
        "ttclid",  # TikTok
        "li_fat_id",  # LinkedIn
        "igshid",  # Instagram
        "yclid",  # Yandex
        "mc_cid",  # Mailchimp
        "mc_eid",
        "_ga",  # Google Analytics cross-domain
        "_gl",
    }
)
TRACKING_PREFIX = "utm_"  # utm_source, utm_medium, utm_campaign, ...
# Headers a stored page keeps; Cache-Control is worked out afresh on every answer.
STORED_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag", "ETag", "Last-Modified")


class StoredPage(TypedDict):
    status: int
    content: bytes
    headers: dict[str, str]


def cache_seconds() -> int:
    """How long a page or a kept part lives in the cache; 0 turns caching off."""
    configured: int | None = settings.PAGE_CACHE_SECONDS
    if configured is not None:
        return configured
    # `cache` is a proxy; the backend itself tells whether other processes share it.
    local = isinstance(caches["default"], LocMemCache)
    return LOCAL_CACHE_SECONDS if local else SHARED_CACHE_SECONDS


def _new_generation() -> int:
    """A generation never used before, even after the cache lost the old one: a reset to a
    small number could meet pages still stored under it."""
    return time.time_ns()


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return int(value)


# Set while this process owes a bump (_cache_failed). Per process: a server that saw no
# failure relies on one that did, or on the pages' lifetime (docs/performance.md).
_missed_bump = threading.Event()


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: any new one retires nothing stored
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)


def bump_generation() -> None:
    """Retire every cached page and kept part (atomic on Redis and memcached). Runs after a
    commit, so a cache that is down must not turn the editor's saved change into an
    error page: the bump is made up for once the cache answers again."""
    try:
        _bump()
    except Exception:  # any backend's connection error
        _cache_failed()


def _cache_failed(what: str = "Page cache") -> None:
    """Note that this process could not reach the cache. A change it committed meanwhile
    did not retire the stored pages, and a cache back from an outage (a network split,
    or a Redis that reloads its snapshot) may still hold pages from before the change:
    so the next request that reaches the cache retires them all (_after_outage)."""
    _missed_bump.set()
    logger.warning("%s unavailable", what, exc_info=True)


def _after_outage() -> bool:
    """Make up for the bumps missed while the cache was unreachable. False while it
    still is, so the request does not wait on it twice."""
    if not _missed_bump.is_set():
        return True
    try:
        _bump()
    except Exception:
        logger.warning("Page cache still unavailable", exc_info=True)
        return False
    _missed_bump.clear()
    logger.info("Page cache reachable again: every page stored before was retired")
    return True


def content_changed() -> None:
    """Call after changing what readers can see: the generation moves once the
    transaction commits, so no request can store the old content under the new number.
    Bulk writes that send no signals (QuerySet.update, bulk_create) call it themselves."""
    transaction.on_commit(bump_generation)


# The next moment time alone changes what readers see (a scheduled article going live,
# an embargo ending, a correction dated ahead): only the content knows it.
next_change: Hook[[], datetime.datetime | None] = Hook("when readers next see a change")


def _next_change(gen: int) -> datetime.datetime | None:
    """The next moment time alone changes what readers see, for this generation."""
    stored = cache.get(NEXT_CHANGE_KEY)
    if stored is not None and stored[0] == gen:
        return stored[1]
    moment = next_change()
    cache.set(NEXT_CHANGE_KEY, (gen, moment), timeout=None)
    return moment


def current_generation() -> tuple[int, datetime.datetime | None]:
    """The generation to key pages with, and the moment it expires by time alone. Once
    that moment has passed, the generation is bumped by one request only (cache.add
    is the lock), so servers do not retire each other's fresh pages."""
    gen = generation()
    moment = _next_change(gen)
    if moment is not None and moment <= timezone.now():
        if cache.add(f"newsroom:went-live:{gen}", True, timeout=cache_seconds() or 60):
            bump_generation()
        gen = generation()
        moment = _next_change(gen)
    return gen, moment


def request_generation(request: HttpRequest, *, timely: bool = False) -> int:
    """The generation this request's kept parts are keyed with, read once a request: the
    one its page was looked up under (the middleware remembers it), else read now and
    remembered, so each kept part does not cost another cache round trip. `timely`: for
    parts that show which articles are live, the generation must also have moved once
    time alone changed that (a scheduled article due, an embargo ended), as
    current_generation sees to; the middleware's has, but with pages not cached
    (PAGE_CACHE_SECONDS=0) the middleware looks at nothing, so it is looked up here."""
    gen: int | None = getattr(request, "page_generation", None)
    if gen is not None and (not timely or getattr(request, "generation_is_timely", False)):
        return gen
    if timely:
        gen, _moment = current_generation()
        request.generation_is_timely = True  # type: ignore[attr-defined]
    else:
        gen = generation()
    request.page_generation = gen  # type: ignore[attr-defined]
    return gen


def _is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIX)


def cached_address(request: HttpRequest) -> str:
    """Scheme, host, path and query (a page names its own address in canonical links),
    without the tracking parameters: every visit from a shared link is the same page."""
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    if not request.META.get("QUERY_STRING"):
        return address
    kept = [(name, values) for name, values in request.GET.lists() if not _is_tracking(name)]
    return f"{address}?{urlencode(kept, doseq=True)}" if kept else address


def page_key(request: HttpRequest, gen: int) -> str:
    address = cached_address(request)
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"newsroom:page:{gen}:{digest}"


def kept_for_site(
    name: str, make: Callable[[], T], *, request: HttpRequest, timely: bool = False
) -> T:
    """make()'s value for the whole site (the section menu, a topic's related topics),
    kept under `name` for the request's generation. Kept even where pages are not
    (PAGE_CACHE_SECONDS=0): such parts are shared by many pages and change only through
    saves that move the generation, so reading them once a generation spares every page
    a query. On a per-process cache, where other processes do not see the move, they
    live no longer than a local page. `timely`: the value shows which articles are live
    (request_generation)."""
    return kept_each_for_site(
        name, ["site"], lambda missing: {"site": make()}, request=request, timely=timely
    )["site"]


def kept_each_for_site(
    name: str,
    keys: Collection[K],
    make: Callable[[list[K]], dict[K, T]],
    *,
    request: HttpRequest,
    timely: bool = False,
) -> dict[K, T]:
    """The value of each of `keys` (a topic's newest stories, for every article on the
    topic), kept under newsroom:<name>:<generation>:<key> as kept_for_site keeps one:
    read in one round trip, and those not kept made by one call of make(missing keys),
    which returns each one's value."""
    seconds = cache_seconds() or LOCAL_CACHE_SECONDS
    try:
        prefix = f"newsroom:{name}:{request_generation(request, timely=timely)}:"
        full_keys = {f"{prefix}{key}": key for key in keys}
        values: dict[K, T] = {full_keys[full]: v for full, v in cache.get_many(full_keys).items()}
    except Exception:  # any backend's connection error: do the work
        _cache_failed(f"Cache of {name}")
        return make(list(keys))
    if missing := [key for key in keys if key not in values]:
        made = make(missing)
        values.update(made)
        with contextlib.suppress(Exception):  # keeping them is a bonus
            cache.set_many({f"{prefix}{key}": value for key, value in made.items()}, seconds)
    return values


def site_address(request: HttpRequest) -> str:
    """Scheme and host, for parts that name absolute addresses (structured data)."""
    address = f"{request.scheme}://{request.get_host()}"
    return hashlib.blake2b(address.encode(), digest_size=8).hexdigest()


def is_anonymous(request: HttpRequest) -> bool:
    """No session cookie: the admin never saw this browser log in. Checked on the cookie,
    so a cache hit never reads the session table."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    match = request.resolver_match
    return (
        request.method == "GET"
        and match is not None
        and match.view_name in CACHEABLE_VIEWS
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "Cookie")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def add_public_headers(response: HttpResponse, moment: datetime.datetime | None) -> None:
    """Cache-Control for browsers and CDNs, never past the next scheduled change."""
    max_age, s_maxage = settings.PAGE_MAX_AGE, settings.PAGE_S_MAXAGE
    stale = settings.PAGE_STALE_WHILE_REVALIDATE
    if moment is not None:
        until = max(0, int((moment - timezone.now()).total_seconds()))
        if until < s_maxage:
            # A CDN must not serve a stale copy once a scheduled article is due.
            max_age, s_maxage, stale = min(max_age, until), until, 0
    directives: dict[str, Any] = {"public": True, "max_age": max_age, "s_maxage": s_maxage}
    if stale:
        directives["stale_while_revalidate"] = stale
    patch_cache_control(response, **directives)


def _answer(stored: StoredPage, moment: datetime.datetime | None) -> HttpResponse:
    response = HttpResponse(stored["content"], status=stored["status"])
    for name, value in stored["headers"].items():
        response[name] = value
    add_public_headers(response, moment)
    response["X-Page-Cache"] = "hit"
    return response


def _store(key: str, response: HttpResponse) -> None:
    if not response.has_header("ETag"):
        set_response_etag(response)
    # When this copy was made: If-Modified-Since before it means the reader's is older.
    response["Last-Modified"] = http_date()
    stored: StoredPage = {
        "status": response.status_code,
        "content": response.content,
        "headers": {name: response[name] for name in STORED_HEADERS if response.has_header(name)},
    }
    cache.set(key, stored, cache_seconds())


class AnonymousPageCacheMiddleware:
    """Serves and fills the page cache. Listed before SessionMiddleware, so a hit costs
    no session lookup and no query, and after ConditionalGetMiddleware, which answers
    304 from the stored ETag and Last-Modified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reachable = _after_outage()
        if not is_anonymous(request):
            response = self.get_response(request)
            match = request.resolver_match
            if match is not None and match.view_name in CACHEABLE_VIEWS:
                # An editor's copy must not land in a shared cache or linger in a browser.
                patch_cache_control(response, private=True, no_store=True)
            return response
        if request.method not in ("GET", "HEAD") or not cache_seconds() or not reachable:
            return self.get_response(request)
        try:
            gen, moment = current_generation()
            request.page_generation = gen  # type: ignore[attr-defined] # for kept parts
            request.generation_is_timely = True  # type: ignore[attr-defined]
            key = page_key(request, gen)
            stored = cache.get(key)
        except Exception:  # any backend's connection error: serve the page uncached
            _cache_failed()
            return self.get_response(request)
        if stored is not None:
            return _answer(stored, moment)
        response = self.get_response(request)
        if _storable(request, response):
            try:
                _store(key, response)
            except Exception:  # the page is good; only keeping it failed
                _cache_failed()
            add_public_headers(response, moment)
            response["X-Page-Cache"] = "miss"
        return response
