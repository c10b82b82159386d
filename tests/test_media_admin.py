"""Images, author photos and the other records articles show, in the admin: their words
can be corrected without uploading the picture again, and what a published article
shows readers is changed by editors only."""

from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Model
from django.test import TestCase
from django.urls import reverse

from articles.models import Article, Image
from authors.models import Author
from tests.base import stored_files
from tests.factories import (
    AuthorFactory,
    ImageFactory,
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
    return {
        "key": image.key,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        **overrides,
    }


def author_form(author: Author, **overrides: Any) -> dict[str, Any]:
    return {
        "name": author.name,
        "slug": author.slug,
        "job_title": author.job_title,
        "bio": author.bio,
        "expertise": author.expertise,
        "user": "",
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "interests-TOTAL_FORMS": 0,
        "interests-INITIAL_FORMS": 0,
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
                self.assertRedirects(response, reverse("admin:articles_image_changelist"))
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
