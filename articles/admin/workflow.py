"""The editorial moves in the admin (submit, withdraw, publish or schedule, unpublish,
archive): the change form's panel and buttons, each move's page and the bulk actions.
The moves themselves, and who may make them, are articles.services'."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from articles import services
from articles.admin.pages import ArticlePages
from articles.models import Article
from newsroom.forms import CleanCharField


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        required=False,
        label="Publication time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text="Leave empty to publish now; a future time schedules the article.",
    )
    override_reason = CleanCharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason to override failed soft checks",
        help_text="Recorded in the article's history with your name.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Like every date-and-time field of the admin, it says which time zone it is in.
        field = self.fields["publish_at"]
        field.label = f"{field.label} ({timezone.get_current_timezone_name()} time)"

    def move_kwargs(self) -> dict[str, Any]:
        return {
            "at": self.cleaned_data["publish_at"],
            "override_reason": self.cleaned_data["override_reason"],
        }


class ConfirmForm(forms.Form):
    def move_kwargs(self) -> dict[str, Any]:
        return {}


class WorkflowViews(ArticlePages):
    """ArticleAdmin's moves."""

    # -- on the change form: the state, the checklist and the moves this user may make --

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # A new article is a draft: offer the moves a draft allows this user.
        moves = ["submit", "publish"] if services.is_editor(request.user) else ["submit"]
        extra_context = {
            "workflow_actions": [(name, services.ACTIONS[name].label) for name in moves],
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, extra_context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Article | None = None,
    ) -> HttpResponse:
        # The workflow panel of an existing article, from the article the form was made
        # for: looking it up again cost its queries twice.
        if obj is not None and obj.pk is not None:
            context = {**self._workflow_context(request, obj), **context}
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _after_save(
        self, request: HttpRequest, obj: Article, response: HttpResponse
    ) -> HttpResponse:
        """ "Save and submit" / "Save and publish": after saving, go to that move's page."""
        action = request.POST.get("_workflow")
        if action in services.ACTIONS and response.status_code == 302:
            return redirect("admin:articles_article_workflow", obj.pk, action)
        return response

    def response_add(
        self, request: HttpRequest, obj: Article, post_url_continue: Any = None
    ) -> HttpResponse:
        return self._after_save(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request: HttpRequest, obj: Article) -> HttpResponse:
        return self._after_save(request, obj, super().response_change(request, obj))

    def _workflow_context(self, request: HttpRequest, article: Article) -> dict[str, Any]:
        return {
            "state_label": article.state_label,
            "checks": services.checklist(article),
            "workflow_actions": [
                (name, services.ACTIONS[name].label)
                for name in services.allowed_actions(request.user, article)
            ],
            "can_share": services.is_editor(request.user) and not article.is_live,
            "overrides": article.overrides.select_related("user"),
        }

    # -- each move's page: what it will do, then the move --

    def workflow_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        if action not in services.ACTIONS:
            raise Http404("No such action")
        if not services.ACTIONS[action].allowed(request.user, article):
            raise PermissionDenied
        form_class = PublishForm if action == "publish" else ConfirmForm
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.MOVES[action](article=article, user=request.user, **form.move_kwargs())
            except services.WorkflowError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"“{article}”: {article.state_label}.", messages.SUCCESS)
                return redirect("admin:articles_article_change", article.pk)
        at = form.cleaned_data.get("publish_at") if form.is_bound and form.is_valid() else None
        label = services.ACTIONS[action].label
        return self._article_page(
            request,
            article,
            "workflow",
            label,
            action=action,
            action_label=label,
            form=form,
            checks=services.checklist(article, at=at),
            disclosures=article.disclosures(at or timezone.now()) if action == "publish" else [],
        )

    # -- bulk actions: the same moves, with a report of what happened --

    def has_publish_permission(self, request: HttpRequest) -> bool:
        """For the actions that need the "publish" permission: editors'."""
        return services.is_editor(request.user)

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Article], action: str) -> None:
        done, refused = [], []
        for article in queryset:
            try:
                services.MOVES[action](article=article, user=request.user)
                done.append(article.headline)
            except services.WorkflowError as error:
                refused.append(f"“{article.headline}”: {error}")
        label = services.ACTIONS[action].done.lower()
        if done:
            self.message_user(request, f"{len(done)} {label}: {', '.join(done)}.", messages.SUCCESS)
        for problem in refused:
            self.message_user(request, f"Not {label}: {problem}", messages.ERROR)

    @admin.action(description="Submit selected articles for review", permissions=["change"])
    def submit_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._bulk(request, queryset, "submit")

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._bulk(request, queryset, "publish")

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._bulk(request, queryset, "unpublish")
