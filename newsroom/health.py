"""Health endpoints for load balancers and orchestrators: cheap and never cached."""

import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answering. Touches nothing else."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers. The cache is checked and reported, but
    a failing cache leaves the server ready: pages are then served from the database
    (newsroom.page_cache), and a shared cache going down must not take every server
    out of the load balancer at once."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    ready = checks["database"]
    status = {name: "ok" if ok else "failing" for name, ok in checks.items()}
    return JsonResponse({"ready": ready, **status}, status=200 if ready else 503)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Readiness: database check failed")
        return False


def _cache_ok() -> bool:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception:
        # Cache backends raise their own client errors (redis, pymemcache, ...).
        logger.exception("Readiness: cache check failed")
        return False
    return ok
