"""ArticleAdmin: the article's list and change form, its permissions and what a save
does besides storing the form. Its other pages are in workflow.py (the moves),
revisions.py (history, compare, restore) and preview.py (preview, share links)."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from articles import services
from articles.admin.accessibility import AccessibilityViews
from articles.admin.editing import EditingViews
from articles.admin.filters import BylinedAuthorFilter, StateFilter
from articles.admin.forms import ArticleAdminForm
from articles.admin.inlines import (
    BylineInline,
    CitationInline,
    CorrectionInline,
    OwnDisclosureInline,
    QuoteInline,
)
from articles.admin.pickers import PickerViews
from articles.admin.preview import PreviewViews
from articles.admin.revisions import RevisionViews
from articles.admin.topics import TopicListFilter
from articles.admin.workflow import WorkflowViews
from articles.models import Article, ArticleQuerySet, Autosave, Correction
from articles.rendering import bodies_rendered_at_end
from articles.services import record_disclosures
from disclosures import rules as disclosure_rules
from newsroom.admin_forms import SafeAutocomplete
from newsroom.forms import CleanTextAdmin
from newsroom.links import absolute_url
from pictures.admin import image_preview
from quotes.models import Quote


@admin.register(Article)
class ArticleAdmin(
    WorkflowViews,
    RevisionViews,
    PreviewViews,
    PickerViews,
    AccessibilityViews,
    EditingViews,
    CleanTextAdmin,
    SafeAutocomplete,
    admin.ModelAdmin,
):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["headline", "state", "kind", "published_at", "byline", "embargo", "length"]
    list_filter = [
        StateFilter,
        "kind",
        ("bylines__author", BylinedAuthorFilter),
        ("tags", TopicListFilter),
        "published_at",
    ]
    search_fields = ["headline", "standfirst", "body"]
    # One COUNT per list, not two: the total beside a filtered count cost a count of the
    # whole archive on every filtered page.
    show_full_result_count = False
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["lead_image"]
    date_hierarchy = "published_at"
    readonly_fields = [
        "state", "published_at", "updated_at", "version", "length", "lead_image_preview",
        "disclosure_preview",
    ]  # fmt: skip
    inlines = [BylineInline, QuoteInline, CorrectionInline, OwnDisclosureInline, CitationInline]
    actions = ["submit_selected", "publish_selected", "unpublish_selected"]
    # The writing fields first and wide ("writing": the headline and standfirst across the
    # top, the body beside the live preview); the rest in the side column on wide screens,
    # below on narrow ones (change_form.html, article_form.css).
    fieldsets = [
        (None, {"classes": ["writing", "writing--top"], "fields": ["headline", "standfirst"]}),
        (None, {"classes": ["writing", "writing--body"], "fields": ["body"]}),
        (
            "Publishing",
            {
                "fields": [
                    "state",
                    "published_at",
                    "updated_at",
                    "substantive_update",
                    "update_reason",
                    "version",
                    "loaded_version",
                    "disclosure_preview",
                ],  # fmt: skip
            },
        ),
        ("Topics and kind", {"fields": ["tags", "kind", "dateline", "slug", "length"]}),
        ("Lead image", {"fields": ["lead_image", "lead_image_preview"]}),
        ("Embargo", {"fields": ["embargo_until", "embargo_by", "embargo_note"]}),
        ("How we reported this", {"classes": ["collapse"], "fields": ["backstory"]}),
    ]

    class Media:
        # EasyMDE (static/vendor/easymde, docs/editing.md) before the script that sets it up.
        js = [
            "vendor/easymde/easymde.min.js",
            "admin/articles/article_form.js",
            "admin/articles/pickers.js",
            "admin/articles/accessibility.js",
        ]
        css = {
            "all": [
                "admin/articles/article_form.css",
                "admin/articles/pickers.css",
                "admin/articles/accessibility.css",
            ]
        }

    def get_form(
        self, request: HttpRequest, obj: Article | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, change, **kwargs)
        if slug := form_class.base_fields.get("slug"):
            # The real address, which article_form.js keeps up to date as the slug changes.
            placeholder = "slug-goes-here"
            url = absolute_url(request, reverse("articles:detail", args=[placeholder]))
            prefix, suffix = url.split(placeholder)
            slug.help_text = format_html(
                'The article\'s address: <span class="slug-address" data-address-prefix="{}" '
                'data-address-suffix="{}">{}{}{}</span>. Keep it stable once published.',
                prefix,
                suffix,
                prefix,
                obj.slug if obj is not None else "…",
                suffix,
            )
        return form_class

    # -- permissions: model permissions, narrowed to the articles a user may touch --

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # The model's default manager makes its queryset an ArticleQuerySet.
        articles = cast(ArticleQuerySet, super().get_queryset(request))
        return articles.editable_by(request.user).with_bylines()

    def has_view_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or services.can_view(request.user, obj))

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.can_edit(request.user, obj))

    # -- list columns --

    @admin.display(description="State", ordering="status")
    def state(self, obj: Article) -> str:
        return obj.state_label

    @admin.display(description="Disclosures it carries")
    def disclosure_preview(self, obj: Article | None) -> str:
        """What readers will see, and for a published article how the
        register has moved on since."""
        if obj is None or obj.pk is None:
            return "Save the article (a draft is fine) to see which disclosures it will carry."
        own = list(obj.own_disclosures.all())
        due = disclosure_rules.due(obj)
        context: dict[str, Any] = {
            "article": obj,
            "own": own,
            "due": due,
            "frozen": obj.disclosures_frozen,
        }
        if obj.disclosures_frozen:
            carried = list(obj.recorded_disclosures.all())
            carried_keys = {(r.source_id, r.statement) for r in carried}
            due_keys = {(d.source_id, d.statement) for d in due}
            context |= {
                "carried": carried,
                "now_due": [d for d in due if (d.source_id, d.statement) not in carried_keys],
                "no_longer_due": [r for r in carried if (r.source_id, r.statement) not in due_keys],
            }
        return render_to_string("admin/articles/disclosure_preview.html", context)

    @admin.display(description="Authors")
    def byline(self, obj: Article) -> str:
        return ", ".join(author.name for author in obj.ordered_authors)

    @admin.display(description="Embargo", ordering="embargo_until")
    def embargo(self, obj: Article) -> str:
        if not obj.is_embargoed:
            return ""
        return format_html(
            '<strong class="embargo-flag">Embargoed until {}</strong>',
            f"{timezone.localtime(obj.embargo_until):%d %b %Y %H:%M}",
        )

    @admin.display(description="Length")
    def length(self, obj: Article) -> str:
        return f"{obj.word_count} words, {obj.reading_minutes} min read"

    @admin.display(description="Preview")
    def lead_image_preview(self, obj: Article) -> str:
        return image_preview(obj.lead_image)

    # -- saving: who saved, substantive updates, disclosures --

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Article, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        author = getattr(request.user, "author", None)
        if isinstance(inline, BylineInline) and obj.pk is None and author is not None:
            # A new article starts with its writer in the byline.
            kwargs["initial"] = [{"author": author.pk}]
        return kwargs

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        editor = cast(User, request.user)  # the admin serves logged-in staff only
        if not change:
            obj.created_by = editor
        obj.modified_by = editor
        super().save_model(request, obj, form, change)
        # Saved: the copy kept while the writer typed is in the article now.
        Autosave.objects.filter(user=editor, article=obj if change else None).delete()

    def save_formset(
        self, request: HttpRequest, form: ArticleAdminForm, formset: Any, change: bool
    ) -> None:
        if formset.model is Quote and form.was_live:
            deleted = formset.deleted_forms
            for quote_form in formset.initial_forms:
                if "text" in quote_form.changed_data and quote_form not in deleted:
                    quote_form.instance.note_text_change(quote_form.initial["text"])
                    form.changed_quote_keys.append(quote_form.instance.key)
        super().save_formset(request, form, formset, change)

    def save_related(
        self, request: HttpRequest, form: ArticleAdminForm, formsets: Any, change: bool
    ) -> None:
        # The inline quotes are saved one by one: the body is rendered once, with them all.
        with bodies_rendered_at_end(Article):
            super().save_related(request, form, formsets, change)
        substantive_update = form.cleaned_data.get("substantive_update")
        if substantive_update:
            # A correction of kind "update" moves the public Updated time (Correction.save).
            Correction.objects.create(
                article=form.instance,
                kind=Correction.Kind.UPDATE,
                text=form.cleaned_data["update_reason"].strip(),
            )
        # Tags and bylines are saved by now: the disclosures can be worked out.
        record_disclosures(article=form.instance)
        told_readers = substantive_update or any(
            formset.model is Correction and formset.new_objects for formset in formsets
        )
        if form.changed_quote_keys and not told_readers:
            self.message_user(
                request,
                "You changed the words of a published quote ("
                + ", ".join(form.changed_quote_keys)
                + "). Readers saw the earlier words: add a correction saying what changed.",
                messages.WARNING,
            )

    # -- its pages beyond Django's: all listed here, ahead of Django's own, whose
    # "<path:object_id>/" would take them otherwise --

    def get_urls(self) -> list[URLPattern]:
        def view(function: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(function)

        return [
            path(
                "tags/autocomplete/", view(self.tag_autocomplete), name="articles_tag_autocomplete"
            ),
            path("live-preview/", view(self.live_preview_view), name="articles_live_preview"),
            path("autosave/", view(self.autosave_view), name="articles_autosave"),
            path(
                "autosave/discard/",
                view(self.discard_autosave_view),
                name="articles_autosave_discard",
            ),
            path(
                "pick/images/",
                view(require_GET(self.pick_images_view)),
                name="articles_pick_images",
            ),
            path(
                "pick/images/upload/",
                view(require_POST(self.upload_image_view)),
                name="articles_pick_upload",
            ),
            path(
                "pick/speakers/",
                view(require_POST(self.create_speaker_view)),
                name="articles_pick_speaker",
            ),
            path(
                "accessibility/",
                view(require_POST(self.accessibility_view)),
                name="articles_article_accessibility",
            ),
            path(
                "<path:object_id>/workflow/<str:action>/",
                view(self.workflow_view),
                name="articles_article_workflow",
            ),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="articles_article_preview",
            ),
            path("<path:object_id>/share/", view(self.share_view), name="articles_article_share"),
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/history/<int:revision_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def tag_autocomplete(self, request: HttpRequest) -> JsonResponse:
        """Topic names starting with what the editor typed, for the Topics field."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        term = request.GET.get("q", "").strip()[:100]
        names = (
            list(
                services.visible_topics(request.user)
                .filter(name__istartswith=term)
                .order_by("name")
                .values_list("name", flat=True)[:10]
            )
            if term
            else []
        )
        return JsonResponse({"results": names})
