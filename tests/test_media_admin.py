"""Images, author photos and the other records articles show, in the admin: their words
can be corrected without uploading the picture again, and what a published article
shows readers is changed by editors only."""

import datetime
from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from authors.models import Author
from disclosures.models import Organisation
from pictures.models import Image
from quotes.models import Speaker
from tests.base import page_text, stored_files
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
    png_bytes,
)

Status = Article.Status
LOCKED = "Only an editor can change this"


def make_user(username: str, role: str) -> Any:
    user = get_user_model().objects.create_user(username, password="pw-for-tests-only")
    call_command("grant_role", username, role, stdout=StringIO())
    return user


def change_url(obj: Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj: Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def image_form(image: Image, **overrides: Any) -> dict[str, Any]:
    """The image's change form as the browser posts it when no new file is chosen."""
    return {**model_to_dict(image, fields=["key", "alt_text", "caption", "credit"]), **overrides}


def author_form(author: Author, **overrides: Any) -> dict[str, Any]:
    return {
        **model_to_dict(author, fields=["name", "slug", "job_title", "bio", "expertise"]),
        "user": "",
        **{
            f"{inline}-{count}": 0
            for inline in ["links", "interests"]
            for count in ["TOTAL_FORMS", "INITIAL_FORMS"]
        },  # fmt: skip
        **overrides,
    }


class CorrectingWordsWithoutANewFileTests(TestCase):
    """A caption, alt text, credit or an author's details are corrected without
    uploading the picture again; the stored picture stays as it was."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_user("edith", "editor")
        cls.writer = make_user("wendy", "writer")

    def test_editor_and_writer_correct_an_images_words(self) -> None:
        for user in [self.editor, self.writer]:
            with self.subTest(user=user.username):
                image = ImageFactory()
                stored = image.file.name
                self.client.force_login(user)
                response = self.client.post(
                    change_url(image),
                    image_form(image, caption="Servers in Dublin", alt_text="Racks", credit="AFP"),
                )
                self.assertRedirects(response, reverse("admin:pictures_image_changelist"))
                image.refresh_from_db()
                self.assertEqual(
                    (image.caption, image.alt_text, image.credit, image.file.name),
                    ("Servers in Dublin", "Racks", "AFP", stored),
                )
                self.assertIn(stored, stored_files())

    def test_editor_corrects_an_author_who_has_a_photo(self) -> None:
        author = AuthorFactory(with_photo=True)
        photo = author.photo.name
        self.client.force_login(self.editor)
        response = self.client.post(
            change_url(author), author_form(author, job_title="Technology editor")
        )
        self.assertRedirects(response, reverse("admin:authors_author_changelist"))
        author.refresh_from_db()
        self.assertEqual((author.job_title, author.photo.name), ("Technology editor", photo))


class WhatReadersSeeIsChangedByEditorsTests(TestCase):
    """A writer changes an image only while no published article (live or scheduled)
    shows it; editors change any. The same holds for authors, speakers and
    organisations, for anyone given those model permissions who is not an editor."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_user("edith", "editor")
        cls.writer = make_user("wendy", "writer")
        # A writer who also keeps the speaker, organisation and author records: not an
        # editor, so the rule holds for them too.
        cls.keeper = make_user("kim", "writer")
        cls.keeper.user_permissions.add(
            *Permission.objects.filter(
                codename__in=[
                    f"{action}_{model}"
                    for action in ["change", "delete"]
                    for model in ["image", "speaker", "organisation", "author"]
                ]
            )
        )

    def published(self, *, scheduled: bool = False, **fields: Any) -> Article:
        hours = 3 if scheduled else -1
        return ArticleFactory(
            published_at=timezone.now() + datetime.timedelta(hours=hours), **fields
        )

    def assert_locked(self, obj: Model, form: dict[str, Any], user: Any) -> None:
        """Read-only with the reason; a post saves nothing and says why."""
        self.client.force_login(user)
        before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        page = self.client.get(change_url(obj))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, LOCKED)
        self.assertNotContains(page, 'name="_save"')
        response = self.client.post(change_url(obj), form, follow=True)
        self.assertRedirects(response, change_url(obj))
        self.assertContains(response, f"Not saved. {LOCKED}")
        self.assertContains(response, LOCKED, count=1)  # said once
        obj.refresh_from_db()
        self.assertEqual({f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields},
                         before)  # fmt: skip

    def assert_changed(self, obj: Model, form: dict[str, Any], user: Any, field: str) -> None:
        self.client.force_login(user)
        response = self.client.post(change_url(obj), form)
        self.assertEqual(response.status_code, 302, page_text(response)[:2000])
        self.assertNotEqual(response.url, change_url(obj))
        obj.refresh_from_db()
        self.assertEqual(getattr(obj, field), form[field])

    def test_writer_cannot_replace_the_picture_or_caption_readers_see(self) -> None:
        """Lead image or placed by a marker, in a live or a scheduled article."""
        cases = {
            "lead of a live article": lambda image: self.published(lead_image=image),
            "lead of a scheduled article": lambda image: self.published(
                lead_image=image, scheduled=True
            ),
            "placed in a live article": lambda image: self.published(
                body=f"Before.\n\n[[image:{image.key}]]\n\nAfter."
            ),
            "placed in a scheduled article": lambda image: self.published(
                body=f"[[image:{image.key}]]", scheduled=True
            ),
        }
        for label, use in cases.items():
            with self.subTest(label):
                image = ImageFactory(caption="What readers were shown")
                use(image)
                new_picture = SimpleUploadedFile("new.png", png_bytes((80, 60), "#ff0000"))
                form = image_form(image, caption="Something else", file=new_picture)
                self.assert_locked(image, form, self.writer)

    def test_live_story_keeps_its_picture_and_caption(self) -> None:
        image = ImageFactory(caption="Staff at the meeting")
        article = self.published(lead_image=image)
        self.client.force_login(self.writer)
        new_picture = SimpleUploadedFile("new.png", png_bytes((80, 60), "#ff0000"))
        self.client.post(
            change_url(image), image_form(image, caption="A forged caption", file=new_picture)
        )
        self.client.logout()
        story = page_text(self.client.get(article.get_absolute_url()))
        self.assertIn("Staff at the meeting", story)
        self.assertNotIn("A forged caption", story)

    def test_the_rule_is_worked_out_once_per_page(self) -> None:
        """Django asks for the permission several times per page; the articles are read
        once: one query for lead images, one for bodies that place the image."""
        image = ImageFactory()
        self.published(body=f"[[image:{image.key}]]")
        self.client.force_login(self.writer)
        with CaptureQueriesContext(connection) as queries:
            self.assertContains(self.client.get(change_url(image)), LOCKED)
        articles = [q["sql"] for q in queries.captured_queries if '"articles_article"' in q["sql"]]
        self.assertEqual(len(articles), 2, articles)

    def test_writer_changes_images_no_published_article_shows(self) -> None:
        cases = {
            "unused": lambda image: None,
            "lead of a draft": lambda image: ArticleFactory(
                lead_image=image, status=Status.DRAFT, published_at=None
            ),
            "placed in a draft": lambda image: ArticleFactory(
                body=f"[[image:{image.key}]]", status=Status.DRAFT, published_at=None
            ),
            "lead of an archived article": lambda image: ArticleFactory(
                lead_image=image, status=Status.ARCHIVED
            ),
            "named mid-sentence, not placed": lambda image: self.published(
                body=f"The marker [[image:{image.key}]] is written on its own line."
            ),
            "another image's key starts with its key": lambda image: self.published(
                body=f"[[image:{image.key}-wide]]"
            ),
        }
        for label, use in cases.items():
            with self.subTest(label):
                image = ImageFactory()
                use(image)
                self.assert_changed(
                    image, image_form(image, caption=f"Fixed: {label}"), self.writer, "caption"
                )

    def test_editor_changes_an_image_a_live_article_shows(self) -> None:
        image = ImageFactory(caption="Old caption")
        article = self.published(lead_image=image)
        self.assert_changed(image, image_form(image, caption="New caption"), self.editor, "caption")
        self.assertIn("New caption", page_text(self.client.get(article.get_absolute_url())))

    def test_speakers_organisations_and_authors_follow_the_same_rule(self) -> None:
        """Shown: a speaker quoted, an organisation whose topic or speaker a published
        article carries, an author in its byline. Not shown: the same in a draft."""
        draft = {"status": Status.DRAFT, "published_at": None}

        def quoted(article_fields: dict[str, Any]) -> Speaker:
            speaker = SpeakerFactory()
            QuoteFactory(speaker=speaker, article=ArticleFactory(**article_fields))
            return speaker

        def topic(article_fields: dict[str, Any]) -> Organisation:
            organisation = OrganisationFactory()
            ArticleFactory(**article_fields).tags.add(organisation.tag)
            return organisation

        def spoken_for(article_fields: dict[str, Any]) -> Organisation:
            organisation = OrganisationFactory()
            QuoteFactory(
                speaker=SpeakerFactory(organisation=organisation),
                article=ArticleFactory(**article_fields),
            )
            return organisation

        def bylined(article_fields: dict[str, Any]) -> Author:
            author = AuthorFactory()
            ArticleFactory(authors=[author], **article_fields)
            return author

        def speaker_form(speaker: Speaker) -> dict[str, Any]:
            return {"name": "Renamed", "slug": speaker.slug, "kind": "person",
                    "description": "", "organisation": "", "author": ""}  # fmt: skip

        def organisation_form(organisation: Organisation) -> dict[str, Any]:
            return {"name": "Renamed", "slug": organisation.slug, "tag": organisation.tag_id,
                    "description": "", "url": ""}  # fmt: skip

        cases = [
            ("quoted speaker", quoted, speaker_form),
            ("organisation by topic", topic, organisation_form),
            ("organisation by its speaker", spoken_for, organisation_form),
            ("bylined author", bylined, lambda author: author_form(author, name="Renamed")),
        ]
        for label, make, form in cases:
            with self.subTest(label, shown=True):
                shown = make({})
                self.assert_locked(shown, form(shown), self.keeper)
                self.assertEqual(self.client.get(delete_url(shown)).status_code, 403)
                self.assert_changed(shown, form(shown), self.editor, "name")
            with self.subTest(label, shown=False):
                hidden = make(draft)
                self.assert_changed(hidden, form(hidden), self.keeper, "name")
                self.assertEqual(self.client.get(delete_url(hidden)).status_code, 200)

    def test_writers_role_cannot_change_speakers_organisations_or_authors(self) -> None:
        """The Writer role itself adds speakers but changes none of these records."""
        self.client.force_login(self.writer)
        for obj in [SpeakerFactory(), OrganisationFactory(), AuthorFactory()]:
            with self.subTest(obj._meta.model_name):
                self.assertEqual(self.client.post(change_url(obj), {}).status_code, 403)
                self.assertEqual(self.client.get(delete_url(obj)).status_code, 403)
