"""The article list's filters."""

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from articles.models import Article, ArticleQuerySet, Byline

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
            ("archived", "Archived"),
            ("embargoed", "Embargoed"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        queryset = cast(ArticleQuerySet, queryset)  # ArticleAdmin.get_queryset's
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        match self.value():
            case "draft" | "review" | "archived" as status:
                return queryset.filter(status=status)
            case "live":
                return queryset.published()
            case "scheduled":
                return published.exclude(pk__in=queryset.published().values("pk"))
            case "embargoed":
                return queryset.filter(embargo_until__gt=now)
        return queryset


class BylinedAuthorFilter(admin.RelatedFieldListFilter):
    """Authors with a byline on an article the user may see, as RelatedOnlyFieldListFilter
    offers, found with one EXISTS per author: its IN (SELECT DISTINCT ...) joined every
    article to its bylines on each load of the list."""

    def field_choices(
        self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> "list[tuple[str, str | StrPromise]]":
        articles = model_admin.get_queryset(request).values("pk")
        bylined = Byline.objects.filter(author=OuterRef("pk"), article__in=articles)
        authors = field.related_model._default_manager.filter(Exists(bylined))
        return [(str(author.pk), str(author)) for author in authors.order_by("name")]
