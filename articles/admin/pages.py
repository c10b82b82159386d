"""What the admin's own pages about one article share (its moves, history, compare,
restore, preview and share link)."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse

from articles.models import Article

# The mixins below are ArticleAdmin's, and are checked as a ModelAdmin's methods. At run
# time they are plain classes: deriving from ModelAdmin would put ModelAdmin ahead of
# ArticleAdmin's other mixins in its method resolution order, and ModelAdmin.get_form
# would then hide PlainHelpTexts.get_form.
if TYPE_CHECKING:
    ArticleAdminMixin = admin.ModelAdmin[Article]
else:
    ArticleAdminMixin = object


class ArticlePages(ArticleAdminMixin):
    def _article_or_404(self, request: HttpRequest, object_id: str) -> Article:
        """The article, if this user may see it in the admin; otherwise a 404, so ids of
        other writers' articles reveal nothing."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise Http404("No such article")
        return article

    def _article_page(
        self, request: HttpRequest, article: Article, name: str, title: str, **context: Any
    ) -> TemplateResponse:
        """admin/articles/article/<name>.html in the admin's frame, titled
        "<title>: <article>"; the template gives the breadcrumbs back to the article."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"{title}: {article}",
            **context,
        }
        return TemplateResponse(request, f"admin/articles/article/{name}.html", context)
