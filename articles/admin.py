from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html

from articles.models import Article, Byline, Correction, Disclosure, Image, Quote
from articles.rendering import marker_keys

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
    autocomplete_fields = ["speaker_author"]
    fieldsets = [
        (
            None,
            {"fields": ["key", "text", "speaker", "source_kind", "source_title", "reported_by"]},
        ),
        (
            "More about the source",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_url",
                    "said_on",
                    "speaker_author",
                    "context",
                    "is_pull_quote",
                    "position",
                ],
            },
        ),
    ]


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0


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
            "headline", "slug", "kind", "standfirst", "body", "tags",
            "lead_image", "status", "published_at", "updated_at",
        ]  # fmt: skip

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
    readonly_fields = ["lead_image_preview", "version"]
    inlines = [BylineInline, QuoteInline, CorrectionInline, OwnDisclosureInline]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "kind", "standfirst", "body", "tags"]}),
        ("Lead image", {"fields": ["lead_image", "lead_image_preview"]}),
        ("Publishing", {"fields": ["status", "published_at", "updated_at", "version"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).with_bylines()

    @admin.display(description="Authors")
    def byline(self, obj: Article) -> str:
        return ", ".join(author.name for author in obj.ordered_authors)

    @admin.display(description="Preview")
    def lead_image_preview(self, obj: Article) -> str:
        return image_preview(obj.lead_image)


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    list_display = ["statement", "organisation", "kind", "valid_from", "valid_until", "article"]
    list_filter = ["kind", "valid_from"]
    search_fields = ["statement", "organisation__name"]
    autocomplete_fields = ["organisation", "article"]
    list_select_related = ["organisation", "article"]
