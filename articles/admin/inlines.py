"""The rows edited on an article's page: its bylines, quotes, corrections, own
disclosures and cited sources."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from articles import services
from articles.admin.preview import preview_unless_live
from articles.models import Article, Byline, Citation, Correction
from disclosures.models import Disclosure
from newsroom.admin_forms import HTTPS_URLS, SafeAutocomplete
from newsroom.forms import CleanTextAdmin
from newsroom.markdown import marker_keys
from quotes.models import Quote


class FollowsArticle(CleanTextAdmin, SafeAutocomplete, admin.options.InlineModelAdmin):
    """Inline rows may change only where the article itself may change (a writer's own
    draft, or anything for an editor); the model permissions still apply on top."""

    # What each row's heading (its __str__) names, joined: a query a row otherwise.
    row_names: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("article", *self.row_names)

    def _article_editable(self, request: HttpRequest, obj: Article | None) -> bool:
        return obj is None or services.can_edit(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._article_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and self._article_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and self._article_editable(request, obj)

    def get_view_on_site_url(self, obj: Any = None) -> str | None:
        # A row (a quote, a correction) is seen where its article is.
        preview = obj is not None and obj.pk is not None and preview_unless_live(obj.article)
        return preview or super().get_view_on_site_url(obj)


class BylineForm(forms.ModelForm):
    def has_changed(self) -> bool:
        # The writer's own byline, pre-filled on a new article, counts as entered.
        prefilled = self.instance.pk is None and bool(self.initial.get("author"))
        return prefilled or super().has_changed()


class BylineInline(FollowsArticle, admin.TabularInline):
    model = Byline
    form = BylineForm
    extra = 1
    row_names = ("author",)
    autocomplete_fields = ["author"]
    verbose_name = "author"
    verbose_name_plural = "Authors (in byline order)"
    # Shown in the change form's side column, with the other facts about the article.
    side_column = True


class QuoteInlineFormSet(BaseInlineFormSet):
    """Every [[quote:key]] marker must name a quote of this article, and every quote
    must be placed in the body or marked as a pull quote."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        keys = {data["key"] for data in kept if data.get("key")}
        markers = marker_keys(self.instance.body or "", "quote")
        errors = []
        unknown = [key for key in markers if key not in keys]
        if unknown:
            errors.append(
                "The body places quotes that this article does not have: "
                + ", ".join(f"[[quote:{key}]]" for key in unknown)
                + ". Add a quote with that key below, or fix the marker."
            )
        unplaced = [
            data["key"]
            for data in kept
            if data.get("key") and data["key"] not in markers and not data.get("is_pull_quote")
        ]
        if unplaced:
            errors.append(
                "These quotes are not placed in the body: "
                + ", ".join(unplaced)
                + ". Add a [[quote:<key>]] line where each belongs, or tick “pull quote”."
            )
        if errors:
            raise forms.ValidationError(errors)


class QuoteInline(FollowsArticle, admin.StackedInline):
    model = Quote
    formfield_overrides = HTTPS_URLS
    formset = QuoteInlineFormSet
    extra = 0
    row_names = ("speaker",)
    autocomplete_fields = ["speaker"]
    readonly_fields = ["text_change"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "key",
                    "text",
                    "text_change",
                    "speaker",
                    "source_kind",
                    "source_title",
                    "reported_by",
                ]
            },
        ),
        (
            "More about the source",
            {
                "classes": ["collapse"],
                "fields": ["source_url", "said_on", "context", "is_pull_quote", "position"],
            },
        ),
    ]

    @admin.display(description="Changed after publication")
    def text_change(self, obj: Quote) -> str:
        if obj.text_changed_at is None:
            return "No"
        return format_html(
            "Yes, on {}. Readers first saw: “{}”",
            date_format(timezone.localtime(obj.text_changed_at), "j F Y, H:i"),
            obj.previous_text,
        )


class CorrectionInline(FollowsArticle, admin.StackedInline):
    model = Correction
    extra = 0


class CitationInline(FollowsArticle, admin.TabularInline):
    model = Citation
    formfield_overrides = HTTPS_URLS
    extra = 0
    verbose_name_plural = "Sources cited (listed under the article)"


class OwnDisclosureInline(FollowsArticle, admin.TabularInline):
    model = Disclosure
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["organisation"]
    verbose_name = "article disclosure"
    verbose_name_plural = "Disclosures for this article only (an author's own interest)"
