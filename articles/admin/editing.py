"""What the change form does while a writer types: the live preview beside the text
(the public article page rendered from the form's unsaved fields, never stored) and the
server autosave of their unsaved changes (Autosave), offered back after a crash, a
closed tab or another browser."""

import datetime
import json
from typing import Any, cast

from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from taggit.models import Tag

from articles.admin.pages import ArticlePages
from articles.admin.preview import article_page, structured_data_of
from articles.models import Article, Autosave, Byline
from articles.rendering import render_body
from articles.topics import parse_topics
from authors.models import Author
from newsroom.markdown import MAX_LENGTH, marker_keys, validate_markdown
from pictures.models import Image
from quotes.models import Quote, Speaker

# The form's fields an autosave keeps: what a writer types. Choices made with pickers
# and inline rows (authors, quotes, lead image) are saved with the article itself.
AUTOSAVED = ("headline", "slug", "kind", "dateline", "standfirst", "body", "tags", "backstory")
# Longest text a field may hold: the model's own limit, the Markdown limit for the long
# texts, and for the topics line as much as a long list of long names needs.
TOPICS_LIMIT = 10_000
# The quote fields the article page shows, read from the form's quote rows.
QUOTE_TEXTS = ("key", "text", "source_kind", "source_title", "reported_by", "source_url")


class NotAllowed(Exception):
    """A request this writer may not make, with the status and message to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def limit_of(name: str) -> int:
    if name == "tags":
        return TOPICS_LIMIT
    field = Article._meta.get_field(name)
    return getattr(field, "max_length", None) or MAX_LENGTH


def marker_message(kind: str, key: str) -> str:
    if kind == "quote":
        return f"[[quote:{key}]] matches no quote of this article: add one with that key."
    return f"[[image:{key}]] matches no image in the library: upload it, or fix the key."


class EditingViews(ArticlePages):
    """ArticleAdmin's live preview and autosave endpoints. Both answer JSON, errors
    included, and check the writer may change the article (or add one)."""

    def _editable(self, request: HttpRequest) -> Article | None:
        """The article named by the POST's `article` (None: a new one), if this user may
        change it; NotAllowed otherwise, a 404 for articles they may not even see."""
        if request.method != "POST":
            raise NotAllowed(405, "Send the form's fields by POST.")
        object_id = request.POST.get("article", "")
        if not object_id:
            if not self.has_add_permission(request):
                raise NotAllowed(403, "You may not write articles.")
            return None
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise NotAllowed(404, "No such article.")
        if not self.has_change_permission(request, article):
            raise NotAllowed(403, "You may not change this article.")
        return article

    # -- autosave --

    def autosave_view(self, request: HttpRequest) -> JsonResponse:
        """Keep the writer's unsaved fields for this article, replacing their last copy."""
        try:
            article = self._editable(request)
        except NotAllowed as refusal:
            return JsonResponse({"error": str(refusal)}, status=refusal.status)
        fields = {name: request.POST.get(name, "") for name in AUTOSAVED if name in request.POST}
        if too_long := [name for name, value in fields.items() if len(value) > limit_of(name)]:
            name = too_long[0]
            return JsonResponse(
                {"error": f"The {name} is longer than {limit_of(name):,} characters: shorten it."},
                status=400,
            )
        version = request.POST.get("version", "")
        saved_at = timezone.now()
        Autosave.objects.update_or_create(
            user=cast(User, request.user),
            article=article,
            defaults={
                "fields": fields,
                "version": int(version) if version.isdigit() and article else None,
                "saved_at": saved_at,
            },
        )
        return JsonResponse({"saved_at": saved_at.isoformat(), "label": time_label(saved_at)})

    def discard_autosave_view(self, request: HttpRequest) -> JsonResponse:
        try:
            article = self._editable(request)
        except NotAllowed as refusal:
            return JsonResponse({"error": str(refusal)}, status=refusal.status)
        Autosave.objects.filter(user=cast(User, request.user), article=article).delete()
        return JsonResponse({"discarded": True})

    def autosave_offer(self, request: HttpRequest, article: Article | None) -> dict[str, Any]:
        """The writer's autosave of this article for the form to offer back (the form's
        script offers it only where it differs from what the form holds), or {}."""
        user = cast(User, request.user)  # the admin serves logged-in staff only
        autosave = Autosave.objects.filter(user=user, article=article).first()
        if autosave is None:
            return {}
        return {
            "fields": autosave.fields,
            "version": autosave.version,
            "label": time_label(autosave.saved_at),
            # Someone saved the article after this copy was made: restoring it brings back
            # its version, so the save is refused rather than overwriting their work.
            "outdated": bool(article and autosave.version and autosave.version != article.version),
        }

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Article | None = None,
    ) -> HttpResponse:
        saved = obj if obj is not None and obj.pk is not None else None
        may_edit = self.has_change_permission(request, saved) if saved else None
        if may_edit or (saved is None and self.has_add_permission(request)):
            context = {"autosave": self.autosave_offer(request, saved), **context}
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- live preview --

    def live_preview_view(self, request: HttpRequest) -> JsonResponse:
        """The public article page rendered from the form's unsaved fields, as if
        published now, with its length, the structured data it would carry and the
        markers that match nothing. Nothing is stored."""
        try:
            saved = self._editable(request)
        except NotAllowed as refusal:
            return JsonResponse({"error": str(refusal)}, status=refusal.status)
        data = request.POST
        body = data.get("body", "")
        article = Article.objects.for_page().get(pk=saved.pk) if saved else Article()
        # Counted as the change list counts it: Article.word_count and reading_minutes.
        article.body = body
        answer: dict[str, Any] = {
            "words": article.word_count,
            "minutes": article.reading_minutes,
            "unknown": [],
        }
        try:
            validate_markdown(body)
        except ValidationError as error:
            return JsonResponse({**answer, "error": " ".join(error.messages)}, status=400)
        quotes = form_quotes(data, article)
        images = {
            image.key: image
            for image in Image.objects.filter(key__in=marker_keys(body, "image")).prefetch_related(
                "renditions"
            )
        }
        known = {"quote": {quote.key for quote in quotes}, "image": set(images)}
        answer["unknown"] = [
            {"kind": kind, "key": key, "message": marker_message(kind, key)}
            for kind in ("quote", "image")
            for key in marker_keys(body, kind)
            if key not in known[kind]
        ]
        fill_from_form(article, data, quotes, request)
        article.body_html = render_body(body, quotes, images, warn=False)
        response = article_page(request, article)
        answer["document"] = response.content.decode()
        # Search engines are told the kind of work, so there is none to show until it is set.
        answer["structured_data"] = (
            json.dumps(
                structured_data_of(article, request),
                indent=2,
                ensure_ascii=False,
                cls=DjangoJSONEncoder,
            )
            if article.kind
            else "Choose the kind of work to see the structured data."
        )
        return JsonResponse(answer)


def time_label(moment: datetime.datetime) -> str:
    """ "14:02" today, "3 Dec 14:02" another day, in the site's time zone."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j M H:i")


def ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def form_quotes(data: QueryDict, article: Article) -> list[Quote]:
    """The quote rows of the form as unsaved quotes of `article` (half-typed rows
    included; a row marked for deletion or without a key left out)."""
    rows = []
    total = data.get("quotes-TOTAL_FORMS", "0")
    for index in range(min(int(total) if total.isdigit() else 0, 1000)):
        prefix = f"quotes-{index}-"
        if data.get(prefix + "DELETE") or not data.get(prefix + "key", "").strip():
            continue
        rows.append((prefix, {name: data.get(prefix + name, "").strip() for name in QUOTE_TEXTS}))
    speaker_ids = [data.get(prefix + "speaker", "") for prefix, _ in rows]
    speakers = Speaker.objects.in_bulk(ids(speaker_ids))
    quotes = []
    for prefix, texts in rows:
        quote = Quote(article=article, **texts)
        speaker = data.get(prefix + "speaker", "")
        quote.speaker = speakers.get(int(speaker)) if speaker.isdigit() else None
        said_on = data.get(prefix + "said_on", "")
        try:
            quote.said_on = datetime.date.fromisoformat(said_on) if said_on else None
        except ValueError:
            quote.said_on = None  # half-typed: the save says what is wrong with it
        quotes.append(quote)
    return quotes


def fill_from_form(
    article: Article, data: QueryDict, quotes: list[Quote], request: HttpRequest
) -> None:
    """Put the form's unsaved fields on `article` (never saved). Its relations read
    the form's rows through their prefetch caches; a new article gets a stand-in primary
    key no row has, without which Django refuses to read its relations at all."""
    for name in ("headline", "standfirst", "dateline", "backstory"):
        setattr(article, name, data.get(name, getattr(article, name)))
    kind = data.get("kind", "")
    if kind in Article.Kind.values:
        article.kind = kind
    article.slug = slugify(data.get("slug", "")) or slugify(article.headline) or "new-article"
    if lead := Image.objects.filter(pk__in=ids([data.get("lead_image", "")])).first():
        article.lead_image = lead
    elif not data.get("lead_image"):
        article.lead_image = None
    if article.pk is None:
        article.pk = 0
        article.created_by = request.user
    # The page shows the article as it would be if it went live now.
    article.published_at = article.published_at or timezone.now()
    try:
        names = parse_topics(data.get("tags", ""))
    except ValueError:
        names = []
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    total = data.get("bylines-TOTAL_FORMS", "0")
    author_ids = [
        data.get(f"bylines-{index}-author", "")
        for index in range(min(int(total) if total.isdigit() else 0, 100))
        if not data.get(f"bylines-{index}-DELETE")
    ]
    authors = Author.objects.in_bulk(ids(author_ids))
    cache: dict[str, list[Model]] = article.__dict__.setdefault("_prefetched_objects_cache", {})
    if article.pk == 0:
        for relation in ("corrections", "recorded_disclosures", "own_disclosures", "citations"):
            cache[relation] = []
    cache["tags"] = [existing.get(name) or Tag(name=name, slug=slugify(name)) for name in names]
    cache["quotes"] = list(quotes)
    cache["bylines"] = [
        Byline(article=article, author=authors[pk], position=position)
        for position, pk in enumerate(ids(author_ids))
        if pk in authors
    ]
