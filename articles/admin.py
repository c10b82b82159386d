from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from articles.models import (
    Article,
    Byline,
    Citation,
    Correction,
    Disclosure,
    Image,
    Organisation,
    Quote,
    Speaker,
)
from articles.rendering import marker_keys
from articles.services import record_disclosures, record_upcoming_disclosures

# A link typed without a scheme means https (Django 6's default, chosen now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def image_preview(image: Image | None, size: int = 160) -> str:
    if not image or not image.file:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px">',
        image.file.url,
        image.alt_text,
        size,
        size,
    )


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "key", "alt_text", "caption", "credit", "created_at"]
    list_filter = ["is_decorative", "created_at"]
    search_fields = ["key", "alt_text", "caption", "credit"]
    prepopulated_fields = {"key": ["caption"]}
    readonly_fields = ["preview", "width", "height"]
    fields = [
        "file",
        "preview",
        "width",
        "height",
        "caption",
        "key",
        "alt_text",
        "is_decorative",
        "credit",
    ]

    @admin.display(description="Image")
    def thumbnail(self, obj: Image) -> str:
        return image_preview(obj, 80)

    @admin.display(description="Preview")
    def preview(self, obj: Image) -> str:
        return image_preview(obj, 400)


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = "author"
    verbose_name_plural = "Authors (in byline order)"


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


class QuoteInline(admin.StackedInline):
    model = Quote
    formfield_overrides = HTTPS_URLS
    formset = QuoteInlineFormSet
    extra = 0
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


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0


class CitationInline(admin.TabularInline):
    model = Citation
    formfield_overrides = HTTPS_URLS
    extra = 0
    verbose_name_plural = "Sources cited (listed under the article)"


class OwnDisclosureInline(admin.TabularInline):
    model = Disclosure
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["organisation"]
    verbose_name = "article disclosure"
    verbose_name_plural = "Disclosures for this article only (an author's own interest)"


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "headline", "slug", "kind", "dateline", "standfirst", "body", "tags",
            "lead_image", "backstory", "status", "published_at", "updated_at",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read before the form copies its data onto the instance: a quote changed in
        # this save counts as changed after publication only if readers saw it before.
        self.was_live = self.instance.pk is not None and self.instance.is_live
        self.changed_quote_keys: list[str] = []

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        keys = set(marker_keys(body, "image"))
        found = set(Image.objects.filter(key__in=keys).values_list("key", flat=True))
        if missing := sorted(keys - found):
            raise forms.ValidationError(
                "No image has the key "
                + ", ".join(f"[[image:{key}]]" for key in missing)
                + ". Upload it under Images first, or fix the marker."
            )
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == Article.Status.PUBLISHED and not data.get("published_at"):
            self.add_error("published_at", "A published article needs a publication time.")
        return data


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["headline", "status", "kind", "published_at", "byline"]
    list_filter = ["status", "kind", "published_at", "tags"]
    search_fields = ["headline", "standfirst", "body"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["lead_image"]
    date_hierarchy = "published_at"
    readonly_fields = ["lead_image_preview", "version", "disclosure_preview"]
    inlines = [BylineInline, QuoteInline, CorrectionInline, OwnDisclosureInline, CitationInline]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "kind", "dateline", "standfirst", "body", "tags"]}),
        ("Lead image", {"fields": ["lead_image", "lead_image_preview"]}),
        ("How we reported this", {"classes": ["collapse"], "fields": ["backstory"]}),
        (
            "Publishing",
            {"fields": ["status", "published_at", "updated_at", "version", "disclosure_preview"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).with_bylines()

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
        super().save_related(request, form, formsets, change)
        # Tags and bylines are saved by now: the disclosures can be worked out.
        record_disclosures(article=form.instance)
        added_correction = any(
            formset.model is Correction and formset.new_objects for formset in formsets
        )
        if form.changed_quote_keys and not added_correction:
            self.message_user(
                request,
                "You changed the words of a published quote ("
                + ", ".join(form.changed_quote_keys)
                + "). Readers saw the earlier words: add a correction saying what changed.",
                messages.WARNING,
            )

    @admin.display(description="Disclosures it carries")
    def disclosure_preview(self, obj: Article | None) -> str:
        """What readers will see (point 7), and for a published article how the
        register has moved on since."""
        if obj is None or obj.pk is None:
            return "Save the article (a draft is fine) to see which disclosures it will carry."
        own = list(obj.own_disclosures.all())
        due = obj.due_disclosures()
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

    @admin.display(description="Preview")
    def lead_image_preview(self, obj: Article) -> str:
        return image_preview(obj.lead_image)


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    list_display = ["statement", "organisation", "kind", "valid_from", "valid_until", "article"]
    list_filter = ["kind", "valid_from", "organisation"]
    search_fields = ["statement", "organisation__name"]
    autocomplete_fields = ["organisation", "article"]
    list_select_related = ["organisation", "article"]

    # Scheduled articles go out with the register as it stands when they go live;
    # published ones keep what they carried (articles/services.py).
    def save_model(self, request: HttpRequest, obj: Disclosure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_upcoming_disclosures()

    def delete_model(self, request: HttpRequest, obj: Disclosure) -> None:
        super().delete_model(request, obj)
        record_upcoming_disclosures()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Disclosure]) -> None:
        super().delete_queryset(request, queryset)
        record_upcoming_disclosures()


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "tag", "url"]
    search_fields = ["name", "tag__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["tag"]
    list_select_related = ["tag"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "description", "organisation", "author"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name", "description", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "author"]
    list_select_related = ["organisation", "author"]
