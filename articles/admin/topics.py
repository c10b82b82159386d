"""Topics (taggit's tags, linked to articles through TaggedArticle) in the admin, under
the newsroom's rules rather than taggit's: editors keep them, writers may look at the
ones they are allowed to know of (services.visible_topics), and nothing here acts on
taggit's generic TaggedItem rows, which no article uses."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from taggit.models import Tag

from articles import services
from articles.models import TaggedArticle
from newsroom.forms import CleanTextAdmin


class TopicForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self) -> str:
        """Topic names are unique whatever their case (a database constraint too): say so
        here rather than fail on the constraint."""
        name: str = self.cleaned_data["name"]
        taken = Tag.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(f"There is already a topic called “{taken.name}”.")
        return name


class TopicAdmin(CleanTextAdmin, admin.ModelAdmin):
    form = TopicForm
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    ordering = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        visible = services.visible_topics(request.user)
        if not services.is_editor(request.user):
            return visible
        # A subquery per row shown, not a count grouped over every link of every topic
        # (the list shows a page; the Organisation form's topic search shows ten).
        links = TaggedArticle.objects.filter(tag=OuterRef("pk")).values("tag")
        count = links.annotate(n=Count("pk")).values("n")
        return visible.annotate(articles=Coalesce(Subquery(count), 0))

    def get_list_display(self, request: HttpRequest) -> list[str | Callable[[Any], str | bool]]:
        # The count takes in drafts and scheduled stories: for editors only.
        if services.is_editor(request.user):
            return list(self.list_display)
        return [name for name in self.list_display if name != "article_count"]

    @admin.display(description="Articles", ordering="articles")
    def article_count(self, obj: Tag) -> int:
        return obj.articles

    # Writers look at most: topics change with the articles they write, and renaming or
    # deleting one changes other people's published stories.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return services.is_editor(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return services.is_editor(request.user) and allowed

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return services.is_editor(request.user) and allowed


class TopicListFilter(admin.RelatedFieldListFilter):
    """The article list's topic filter, offering only topics this user may know of."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        topics = services.visible_topics(request.user).order_by("name")
        return [(topic.pk, topic.name) for topic in topics]


admin.site.unregister(Tag)
admin.site.register(Tag, TopicAdmin)
