"""An article as readers will see it, before they can: the editor's preview and share
links for people without a login (the live preview beside the form is editing.py's)."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from articles import services
from articles.admin.pages import ArticlePages
from articles.models import Article
from newsroom.hooks import Hook

# The article page as readers see it: the reader app's, above this one, which answers
# when it starts. Previews show exactly that page.
article_page: Hook[[HttpRequest, Article], HttpResponse] = Hook("the article page")
# The structured data (JSON-LD) the article's page would carry once live, for the live
# preview: previews leave it out of the page, since only live articles are described.
structured_data_of: Hook[[Article, HttpRequest], dict[str, Any]] = Hook(
    "the article's structured data"
)


def preview_unless_live(article: Article) -> str | None:
    """Readers see only a live article: its page (or a quote's permalink in it) would be
    a 404 for anything else, so "View on site" shows the editor its preview instead."""
    if article.pk is not None and not article.is_live:
        return reverse("admin:articles_article_preview", args=[article.pk])
    return None


class PreviewViews(ArticlePages):
    """ArticleAdmin's previews and share links."""

    def get_view_on_site_url(self, obj: Article | None = None) -> str | None:
        return (obj and preview_unless_live(obj)) or super().get_view_on_site_url(obj)

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        return article_page(request, Article.objects.for_page().get(pk=article.pk))

    def share_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        if request.method != "POST":
            return redirect("admin:articles_article_change", article.pk)
        try:
            token = services.share_token(article=article, user=request.user)
        except services.WorkflowError as error:
            raise PermissionDenied(str(error)) from error
        url = request.build_absolute_uri(reverse("articles:shared_preview", args=[token]))
        expires = timezone.localtime() + datetime.timedelta(seconds=settings.PREVIEW_LINK_MAX_AGE)
        # The copy button works through article_form.js (no inline script under the CSP).
        message = format_html(
            'Share link, no login needed, works until {} ({} time): <a href="{}" '
            'class="share-link" target="_blank" rel="noopener">{}</a> '
            '<button type="button" class="button" data-copy="{}">Copy link</button>',
            date_format(expires, "j F Y, H:i"),
            timezone.get_current_timezone_name(),
            url,
            url,
            url,
        )
        self.message_user(request, message, messages.INFO)
        return redirect("admin:articles_article_change", article.pk)
