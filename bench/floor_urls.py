"""A bare Django view returning the article page's bytes from memory: what a page can
cost at best on this stack, measured beside the real pages (bench/run.py)."""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from newsroom import health

PAGE = Path(os.environ["FLOOR_PAGE"]).read_bytes()


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE)


urlpatterns = [path("floor/", floor), path("healthz/", health.healthz)]
