"""An article's revisions in the admin: every save keeps one (django-reversion), and
its history page lists them, compares two and restores one."""

from typing import Any

import reversion
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from articles import services
from articles.admin.pages import ArticlePages
from articles.models import Article
from articles.revisions import revision_differences


class RevisionViews(ArticlePages):
    """ArticleAdmin's revisions: each save through the change form is one, naming its
    user, with the admin's change message as its comment."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def log_addition(self, request: HttpRequest, obj: Article, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        reversion.set_comment(entry.get_change_message() or "Created")
        return entry

    def log_change(self, request: HttpRequest, obj: Article, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        reversion.set_comment(entry.get_change_message() or "Saved with no changes")
        return entry

    # -- the history page replaces Django's: the revisions, not the log entries --

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        return self._article_page(
            request,
            article,
            "history",
            "History",
            versions=services.revisions(article),
            can_restore=services.can_edit(request.user, article),
        )

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        versions = {str(v.pk): v for v in services.revisions(article)}
        older, newer = (
            versions.get(request.GET.get("from", "")),
            versions.get(request.GET.get("to", "")),
        )
        if older is None or newer is None:
            self.message_user(request, "Choose two revisions to compare.", messages.WARNING)
            return redirect("admin:articles_article_history", article.pk)
        if older.pk > newer.pk:
            older, newer = newer, older
        return self._article_page(
            request,
            article,
            "compare",
            "Changes",
            older=older,
            newer=newer,
            differences=revision_differences(older, newer),
        )

    def restore_view(self, request: HttpRequest, object_id: str, revision_id: int) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        if not services.can_edit(request.user, article):
            raise PermissionDenied
        chosen = next(
            (v for v in services.revisions(article) if v.revision_id == revision_id), None
        )
        if chosen is None:
            raise Http404("No such revision of this article")
        if request.method == "POST":
            services.restore_revision(article=article, revision=chosen.revision, user=request.user)
            self.message_user(
                request, "Restored. The restore is itself a new revision.", messages.SUCCESS
            )
            return redirect("admin:articles_article_change", article.pk)
        latest = services.revisions(article)[0]
        return self._article_page(
            request,
            article,
            "restore",
            "Restore a revision",
            chosen=chosen,
            differences=revision_differences(latest, chosen),
        )
