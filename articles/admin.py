import contextlib
import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from taggit.models import Tag

from articles import services
from articles.models import (
    Article,
    ArticleQuerySet,
    Byline,
    Citation,
    Correction,
    Disclosure,
    Image,
    Organisation,
    Quote,
    Speaker,
)
from articles.rendering import (
    bodies_rendered_at_end,
    marker_keys,
    render_markdown,
    validate_markdown,
)
from articles.revisions import revision_differences
from articles.services import record_disclosures, record_upcoming_disclosures
from articles.topic_admin import TopicListFilter
from articles.views import render_article
from newsroom.admin_forms import PlainHelpTexts
from newsroom.forms import CleanCharField, CleanTextAdmin
from newsroom.links import absolute_url
from newsroom.storage import MediaWriteError

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# A link typed without a scheme means https (Django 6's default, chosen now).
HTTPS_URLS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


def image_preview(image: Image | None, size: int = 160) -> str:
    if not image or not image.file:
        return "—"
    # A class, not a style attribute: the Content-Security-Policy refuses inline styles.
    return format_html(
        '<img src="{}" alt="{}" class="image-preview image-preview--{}">',
        image.file.url,
        image.alt_text,
        size,
    )


class ForgedIdsIgnored(AutocompleteSelect):
    """Django's autocomplete widget looks the submitted value up to show it again; a
    value that is no id at all ("abc", from a forged post) or past the column's range
    made that lookup raise, so the admin answered 500 instead of "Select a valid
    choice"."""

    def optgroups(self, name: str, value: Sequence[str], attr: Any = None) -> Any:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(remote.field_name)
        ids = []
        for item in value:
            with contextlib.suppress(ValidationError):
                python_value = target.to_python(item)
                target.run_validators(python_value)  # the column's integer range
                ids.append(str(python_value))
        return super().optgroups(name, ids, attr)


class SafeAutocomplete(PlainHelpTexts):
    """Autocomplete fields whose widget survives a forged value (ForgedIdsIgnored).
    Every admin and inline with autocomplete_fields uses it (tests/test_hostile_input.py
    posts a forged value to each)."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ForgedIdsIgnored(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ShowsMediaWriteErrors(CleanTextAdmin, SafeAutocomplete, admin.ModelAdmin):
    """An upload that media storage cannot take (a full disk) gives the form back with
    the reason on the file field, not a 500. The admin's transaction has rolled back by
    then, and the storage kept nothing of the file (newsroom.storage)."""

    MEDIA_WRITE_ERROR = (
        "The file could not be stored: the media storage is full or refused it. Nothing "
        "was saved. Try again later, and tell whoever runs the site if it happens again."
    )

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except MediaWriteError:
            # The same post again, now refused by the form: the editor keeps what they typed.
            request.media_write_failed = True  # type: ignore[attr-defined]
            return super().changeform_view(request, *args, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "media_write_failed", False):
            return form_class
        message = self.MEDIA_WRITE_ERROR

        class RefusedByStorage(form_class):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                # The upload passed every check on the first try, and the failed write
                # used it up: judged again, it would look like a damaged picture.
                for name in self.files:
                    if name in self.fields:
                        self.fields[name] = NotStored(message, self.fields[name])

        return RefusedByStorage


class NotStored(forms.FileField):
    """An upload field whose file media storage refused: the field shows as before, and
    its only error is the storage's."""

    def __init__(self, message: str, field: forms.Field) -> None:
        super().__init__(
            required=field.required,
            label=field.label,
            help_text=field.help_text,
            widget=field.widget,
        )
        self.message = message

    def clean(self, data: Any, initial: Any = None) -> Any:
        raise ValidationError(self.message, code="not_stored")


class EditorsChangeWhatReadersSee(admin.ModelAdmin):
    """Images, authors, speakers and organisations that a published article shows are
    changed and deleted by editors only (services.can_change): anyone else gets the
    record read-only, with the reason, and a post to it is refused without saving.
    Model permissions still apply first."""

    def _locked(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None:
            return False
        # Django asks several times while building one page, and each answer costs
        # queries: it is worked out once per request and record.
        answers = request.__dict__.setdefault("can_change_answers", {})
        key = (obj._meta.label, obj.pk)
        if key not in answers:
            answers[key] = services.can_change(request.user, obj)
        return not answers[key]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and not self._locked(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and not self._locked(request, obj)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        # Only where the model permission alone would have let the change through.
        if super().has_change_permission(request, obj) and self._locked(request, obj):
            reason = (
                f"Only an editor can change this {self.opts.verbose_name}: a published or "
                "scheduled article shows it to readers, and a change would reach them "
                "without review."
            )
            if request.method == "POST":
                self.message_user(request, f"Not saved. {reason}", messages.ERROR)
                return redirect(request.get_full_path())
            # After a refused post its message says it all.
            if not any(reason in str(message) for message in messages.get_messages(request)):
                self.message_user(request, reason, messages.WARNING)
        return super().changeform_view(request, object_id, *args, **kwargs)


@admin.register(Image)
class ImageAdmin(EditorsChangeWhatReadersSee, ShowsMediaWriteErrors):
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

    class Media:
        css = {"all": ["admin/articles/article_form.css"]}

    @admin.display(description="Image")
    def thumbnail(self, obj: Image) -> str:
        return image_preview(obj, 80)

    @admin.display(description="Preview")
    def preview(self, obj: Image) -> str:
        return image_preview(obj, 400)


def preview_unless_live(article: Article) -> str | None:
    """Readers see only a live article: its page (or a quote's permalink in it) would be
    a 404 for anything else, so "View on site" shows the editor its preview instead."""
    if article.pk is not None and not article.is_live:
        return reverse("admin:articles_article_preview", args=[article.pk])
    return None


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


class ArticleAdminForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    substantive_update = forms.BooleanField(
        required=False,
        label="Substantive update",
        help_text="Tick when this change matters to readers: it moves the public "
        "“Updated” time and shows your reason at the foot of the article.",
    )
    update_reason = CleanCharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown to readers, e.g. “Adds the company’s response.”",
    )

    class Meta:
        model = Article
        fields = [
            "headline", "slug", "kind", "dateline", "standfirst", "body", "tags", "lead_image",
            "backstory", "embargo_until", "embargo_by", "embargo_note",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
        # Read before the form copies its data onto the instance: a quote changed in
        # this save counts as changed after publication only if readers saw it before.
        self.was_live = self.instance.pk is not None and self.instance.is_live
        self.changed_quote_keys: list[str] = []
        if topics := self.fields.get("tags"):
            # How articles.topics reads the field; the model's help text says the rest.
            topics.help_text += ' A name with a comma goes in double quotes: "Smith, Jones".'

    def clean_tags(self) -> list[str]:
        """Topic names over the column's length were cut by SQLite and refused by
        PostgreSQL with a 500 (tests/test_hostile_input.py)."""
        names: list[str] = self.cleaned_data["tags"]
        limit = Tag._meta.get_field("name").max_length
        if too_long := [name for name in names if len(name) > limit]:
            raise forms.ValidationError(
                f"A topic name can be at most {limit} characters: {too_long[0][:40]}…"
            )
        return names

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
        super().clean()
        data = self.cleaned_data
        self._refuse_lost_update(data.get("loaded_version"))
        if data.get("substantive_update"):
            if not self.instance.is_live:
                self.add_error(
                    "substantive_update", "Only a live article can have a substantive update."
                )
            elif not (data.get("update_reason") or "").strip():
                self.add_error("update_reason", "Say what changed: readers will see it.")
        return data

    def _refuse_lost_update(self, loaded: int | None) -> None:
        """Optimistic locking: refuse a save based on a version someone has since replaced.
        The row is locked until the admin's transaction ends, so two saves cannot both pass."""
        if self.instance.pk is None:
            return
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values("version", "modified_at", "modified_by")
            .first()
        )
        if current is None or loaded == current["version"]:
            return
        editor = get_user_model().objects.filter(pk=current["modified_by"]).first()
        who = editor.get_username() if editor else "Someone"
        when = timezone.localtime(current["modified_at"])
        raise forms.ValidationError(
            f"{who} saved this article at {when:%H:%M:%S on %d %b %Y} while you were editing, "
            "so your changes were not saved. Your text is still in this form: copy what you "
            "need, then reload the article to see their version and apply your changes to it.",
            code="conflict",
        )


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


@admin.register(Article)
class ArticleAdmin(CleanTextAdmin, SafeAutocomplete, admin.ModelAdmin):
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
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "headline",
                    "slug",
                    "kind",
                    "dateline",
                    "standfirst",
                    "body",
                    "tags",
                    "length",
                ],  # fmt: skip
            },
        ),
        ("Lead image", {"fields": ["lead_image", "lead_image_preview"]}),
        ("How we reported this", {"classes": ["collapse"], "fields": ["backstory"]}),
        ("Embargo", {"fields": ["embargo_until", "embargo_by", "embargo_note"]}),
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
    ]

    class Media:
        js = ["admin/articles/article_form.js"]
        css = {"all": ["admin/articles/article_form.css"]}

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

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return services.is_editor(request.user)

    def get_view_on_site_url(self, obj: Article | None = None) -> str | None:
        return (obj and preview_unless_live(obj)) or super().get_view_on_site_url(obj)

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

    # -- saving: who saved, substantive updates, revisions --

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

    def log_addition(self, request: HttpRequest, obj: Article, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        reversion.set_comment(entry.get_change_message() or "Created")
        return entry

    def log_change(self, request: HttpRequest, obj: Article, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        reversion.set_comment(entry.get_change_message() or "Saved with no changes")
        return entry

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

    # -- workflow pages --

    def get_urls(self) -> list[URLPattern]:
        def view(function: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(function)

        return [
            path(
                "tags/autocomplete/", view(self.tag_autocomplete), name="articles_tag_autocomplete"
            ),
            path("render-body/", view(self.render_body_view), name="articles_render_body"),
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

    def _article_or_404(self, request: HttpRequest, object_id: str) -> Article:
        """The article, if this user may see it in the admin; otherwise a 404, so ids of
        other writers' articles reveal nothing."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise Http404("No such article")
        return article

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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"{services.ACTIONS[action].label}: {article}",
            "action": action,
            "action_label": services.ACTIONS[action].label,
            "form": form,
            "checks": services.checklist(article, at=at),
            "disclosures": article.disclosures(at or timezone.now()) if action == "publish" else [],
        }
        return TemplateResponse(request, "admin/articles/article/workflow.html", context)

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        return render_article(request, Article.objects.for_page().get(pk=article.pk), preview=True)

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

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"History: {article}",
            "versions": services.revisions(article),
            "can_restore": services.can_edit(request.user, article),
        }
        return TemplateResponse(request, "admin/articles/article/history.html", context)

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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"Changes: {article}",
            "older": older,
            "newer": newer,
            "differences": revision_differences(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"Restore a revision: {article}",
            "chosen": chosen,
            "differences": revision_differences(latest, chosen),
        }
        return TemplateResponse(request, "admin/articles/article/restore.html", context)

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

    def render_body_view(self, request: HttpRequest) -> JsonResponse:
        """The body as readers will see it (markers shown as placeholders), for the
        form's "Preview body" button: a document in the public site's styles, which
        article_form.js shows in a sandboxed frame. Sanitised like the public page."""
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        body = request.POST.get("body", "")
        try:
            validate_markdown(body)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        html = render_markdown(body)
        # render_markdown sanitised it (nh3), as on the public page.
        body_html = mark_safe(html)  # noqa: S308
        document = render_to_string("admin/articles/body_preview.html", {"body_html": body_html})
        return JsonResponse({"html": html, "document": document})

    # -- bulk actions: the same moves, with a report of what happened --

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


@admin.register(Disclosure)
class DisclosureAdmin(CleanTextAdmin, SafeAutocomplete, admin.ModelAdmin):
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
class OrganisationAdmin(CleanTextAdmin, EditorsChangeWhatReadersSee, SafeAutocomplete):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "tag", "url"]
    search_fields = ["name", "tag__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["tag"]
    list_select_related = ["tag"]


@admin.register(Speaker)
class SpeakerAdmin(CleanTextAdmin, EditorsChangeWhatReadersSee, SafeAutocomplete):
    list_display = ["name", "kind", "description", "organisation", "author"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name", "description", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "author"]
    list_select_related = ["organisation", "author"]
