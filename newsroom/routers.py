"""Reads from read replicas, writes to the primary, and read-your-writes for editors.

Only anonymous readers' GET and HEAD requests read from a replica: a replica lags
the primary by a moment, and an editor must never see the page from before their
own save. Everything else (editors, form posts, management commands, the job
runner) reads from the primary, which is also the safe default outside a request.
One replica is chosen at random per request, so a page never mixes two replicas
that are at different points of the primary's history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

# The replica alias this request reads from; None means the primary.
_read_from: ContextVar[str | None] = ContextVar("read_from", default=None)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


class PrimaryReplicaRouter:
    """Django database router (DATABASE_ROUTERS) for the primary and its replicas."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return _read_from.get() or DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Replicas hold the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # Replicas copy the primary's schema through streaming replication.
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Let an anonymous reader's safe request read from a replica. Listed after
    AuthenticationMiddleware: finding out who the user is reads the session and the
    user from the primary, before any replica is chosen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.replicas = replica_aliases()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.replicas or request.method not in SAFE_METHODS or request.user.is_authenticated:
            return self.get_response(request)
        token = _read_from.set(random.choice(self.replicas))  # noqa: S311 (not security)
        try:
            return self.get_response(request)
        finally:
            _read_from.reset(token)
