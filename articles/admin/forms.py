"""The article's own form: the fields an editor types, checked before anything is saved."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from newsroom.forms import CleanCharField
from newsroom.markdown import marker_keys
from pictures.models import Image

# Search engines cut a result's title at a width, about 600 pixels on Google: some 60
# characters of ordinary text. A headline longer than that loses its end in results,
# so the form says so (it stays allowed: the page itself shows it whole).
SEARCH_RESULT_HEADLINE = 60


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
        if headline := self.fields.get("headline"):
            headline.widget.attrs.update(
                {"class": "headline-input", "data-search-limit": SEARCH_RESULT_HEADLINE}
            )
            headline.help_text = (
                f"Search results show about the first {SEARCH_RESULT_HEADLINE} characters."
            )
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
