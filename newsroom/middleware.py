"""Addresses typed with capitals: /Articles/Some-Story answers 301 to /articles/some-story/."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve

# Views whose addresses are lower case by construction (slugs, dates, fixed words).
# Anything else, a share link's case-sensitive token for one, is never lowered.
LOWER_CASE_VIEWS = {
    "home",
    "search",
    "articles:detail",
    "articles:tag",
    "articles:kind",
    "articles:tag_rss",
    "articles:tag_atom",
    "articles:rss",
    "articles:atom",
    "articles:archive",
    "articles:archive_year",
    "articles:archive_month",
    "articles:archive_day",
    "articles:corrections",
    "authors:detail",
    "authors:rss",
    "authors:atom",
}


def _lower_case_view(path: str, urlconf: str | None) -> bool:
    try:
        return resolve(path, urlconf).view_name in LOWER_CASE_VIEWS
    except Resolver404:
        return False


class LowercaseRedirectMiddleware:
    """On a 404 for a path with capitals, redirect (301) to its lower-case form when
    that (or that with a trailing slash) is a reader page (LOWER_CASE_VIEWS). A path
    that works as typed is never touched. Listed before CommonMiddleware, so it sees
    the 404 after APPEND_SLASH has had its chance."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        path = request.path_info
        lower = path.lower()
        if lower == path:
            return response
        urlconf = getattr(request, "urlconf", None)
        for candidate in (lower,) if lower.endswith("/") else (lower, lower + "/"):
            if _lower_case_view(candidate, urlconf):
                prefix = request.path[: len(request.path) - len(path)]
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(
                    prefix + candidate + (f"?{query}" if query else "")
                )
        return response
