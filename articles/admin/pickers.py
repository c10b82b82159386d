"""The article form's Insert-quote and Insert-image dialogs (static/admin/articles/
pickers.js) ask these views: the image library searched, a picture uploaded, a speaker
created. Each answers JSON, with the reason when it refuses, and follows the rules
and permissions of the admin of the record it touches (ImageAdmin, SpeakerAdmin), so
a dialog can do nothing the admin's own pages would refuse."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.text import slugify

from articles.admin.pages import ArticleAdminMixin
from newsroom.admin_forms import ShowsMediaWriteErrors
from newsroom.storage import MediaWriteError
from newsroom.text import clean_text
from pictures.models import UNSORTED_RENDITIONS, Image
from pictures.renditions import Crop, Format, renditions_of
from quotes.models import QuoteSourceKind, Speaker, SpeakerKind

# One page of the library's grid: four rows of six on a wide screen.
IMAGES_PER_PAGE = 24
# The longest search term read: every image field searched is shorter.
SEARCH_LIMIT = 300
# The last page offered: far beyond anyone's paging, and an offset every database takes.
LAST_PAGE = 100_000


def refused(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    """{"errors": {field: [message, ...]}}, "__all__" for the request as a whole."""
    return JsonResponse({"errors": errors}, status=status)


def form_errors(form: Any) -> dict[str, list[str]]:
    return {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }


def free_slug(model: type[Any], field: str, text: str, fallback: str) -> str:
    """A slug made from the text that no row of the model has yet: "wef-panel", else
    "wef-panel-2" and so on. One query, whatever the number of namesakes."""
    # Room left for a number after the words.
    limit = model._meta.get_field(field).max_length - 4
    base = slugify(text)[:limit].strip("-") or fallback
    taken = set(
        model.objects.filter(**{f"{field}__startswith": base})
        .order_by()
        .values_list(field, flat=True)
    )
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def thumbnail(image: Image) -> str | None:
    """The narrowest rendition in the picture's own shape (made when it was saved); the
    file itself while its renditions are still being made; None for an image whose
    picture is missing (an import that could not bring it), which the grid shows as a
    placeholder."""
    if not image.file:
        return None
    renditions = renditions_of(image, Crop.ORIGINAL, Format.WEBP)
    return renditions[0].file.url if renditions else image.file.url


def image_data(image: Image) -> dict[str, Any]:
    return {
        "id": image.pk,
        "name": str(image),  # as the lead image field's autocomplete names it
        "key": image.key,
        "alt_text": image.alt_text,
        "is_decorative": image.is_decorative,
        "caption": image.caption,
        "credit": image.credit,
        "thumbnail": thumbnail(image),
    }


class PickerViews(ArticleAdminMixin):
    """ArticleAdmin's views for the pickers (its get_urls lists them)."""

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        # The choices the quote dialog offers, as the quote and speaker forms have them.
        context |= {"source_kinds": QuoteSourceKind.choices, "speaker_kinds": SpeakerKind.choices}
        return super().render_change_form(request, context, *args, **kwargs)

    def _admin_of(self, model: type[Any]) -> Any:
        return self.admin_site.get_model_admin(model)

    def _may_write_articles(self, request: HttpRequest) -> bool:
        # The pickers serve the article form: someone who can neither add nor change
        # articles has no form to insert into.
        return self.has_add_permission(request) or self.has_change_permission(request)

    def pick_images_view(self, request: HttpRequest) -> JsonResponse:
        """A page of the image library, newest first, searched by key, alt text, caption
        and credit: {"results": [...], "page": n, "has_next": bool}. The page after the
        last is worked out by asking for one image more, not by counting the library."""
        image_admin = self._admin_of(Image)
        if not (self._may_write_articles(request) and image_admin.has_view_permission(request)):
            raise PermissionDenied
        term = clean_text(request.GET.get("q", "")).strip()[:SEARCH_LIMIT]
        try:
            page = int(request.GET.get("page", "1"))
        except ValueError:
            page = 0
        if not 1 <= page <= LAST_PAGE:
            return refused({"page": [f"The page must be a whole number from 1 to {LAST_PAGE:,}."]})
        images = Image.objects.prefetch_related(Prefetch("renditions", UNSORTED_RENDITIONS))
        for word in term.split():
            images = images.filter(
                Q(key__icontains=word)
                | Q(alt_text__icontains=word)
                | Q(caption__icontains=word)
                | Q(credit__icontains=word)
            )
        start = (page - 1) * IMAGES_PER_PAGE
        found = list(images.order_by("-created_at", "-pk")[start : start + IMAGES_PER_PAGE + 1])
        return JsonResponse(
            {
                "results": [image_data(image) for image in found[:IMAGES_PER_PAGE]],
                "page": page,
                "has_next": len(found) > IMAGES_PER_PAGE,
            }
        )

    def upload_image_view(self, request: HttpRequest) -> JsonResponse:
        """A new image from the dialog: the image admin's own form (the pictures app's
        checks of the file, its size and pixel limits, the text cleaning), plus what the
        dialog asks for: alt text, or the picture marked decorative. The key is made
        from the caption (as the image admin prefills it), else the alt text."""
        image_admin = self._admin_of(Image)
        if not (self._may_write_articles(request) and image_admin.has_add_permission(request)):
            raise PermissionDenied
        fields = ["file", "alt_text", "is_decorative", "caption", "credit", "key"]
        form_class = image_admin.get_form(request, None, change=False, fields=fields)
        data = request.POST.copy()
        words = data.get("caption", "").strip() or data.get("alt_text", "").strip()
        data["key"] = free_slug(Image, "key", words, "image")
        form = form_class(data, request.FILES)
        valid = form.is_valid()
        if not form.cleaned_data.get("alt_text") and not form.cleaned_data.get("is_decorative"):
            form.add_error(
                "alt_text",
                "Say what the picture shows, for readers who cannot see it, or tick "
                "“Decorative” if it adds nothing to the text.",
            )
            valid = False
        if not valid:
            return refused(form_errors(form))
        return self._added(request, image_admin, form, image_data)

    def create_speaker_view(self, request: HttpRequest) -> JsonResponse:
        """A new speaker for a quote the dialog creates, through the speaker admin's form
        and permission (as the "+" beside the quote's speaker field would): it exists at
        once, so the new quote row can name it on any article, a new one included."""
        speaker_admin = self._admin_of(Speaker)
        if not (self._may_write_articles(request) and speaker_admin.has_add_permission(request)):
            raise PermissionDenied
        form_class = speaker_admin.get_form(
            request, None, change=False, fields=["name", "slug", "kind"]
        )
        data = request.POST.copy()
        data["slug"] = free_slug(Speaker, "slug", data.get("name", ""), "speaker")
        form = form_class(data)
        if not form.is_valid():
            return refused(form_errors(form))
        return self._added(request, speaker_admin, form, lambda s: {"id": s.pk, "name": s.name})

    @staticmethod
    def _added(
        request: HttpRequest,
        model_admin: Any,
        form: Any,
        answer: Callable[[Any], dict[str, Any]],
    ) -> JsonResponse:
        """Save the valid form's new record and note it in the admin's history, as its
        admin's add page would; answer 201 with what `answer` makes of it."""
        try:
            with transaction.atomic():
                record = form.save()
                model_admin.log_addition(request, record, [{"added": {}}])
        except MediaWriteError:
            return refused({"file": [ShowsMediaWriteErrors.MEDIA_WRITE_ERROR]}, status=503)
        except IntegrityError:
            # Another upload or speaker took the same key or slug in the meantime.
            return refused({"__all__": ["Another one took this name just now: try again."]}, 409)
        return JsonResponse(answer(record), status=201)
