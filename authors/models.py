from django.conf import settings
from django.db import models
from django.urls import reverse

from pictures.images import (
    PictureField,
    generated_upload_path,
    stored_extension,
    validate_image_file,
)


def author_photo_path(instance: "Author", filename: str) -> str:
    return generated_upload_path("authors", stored_extension(instance.photo, filename))


class Author(models.Model):
    name = models.CharField(max_length=200, help_text="As shown in the byline.")
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The author page's address: /authors/<slug>/."
    )
    job_title = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, help_text="A short biography shown on the author page.")
    photo = PictureField(
        upload_to=author_photo_path,
        blank=True,
        validators=[validate_image_file],
        width_field="photo_width",
        height_field="photo_height",
        help_text="Profile picture shown next to the byline. JPEG, PNG or WebP.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    expertise = models.CharField(
        max_length=500, blank=True, help_text="Beats and areas of expertise, separated by commas."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff account of this author, if they have one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("authors:detail", kwargs={"slug": self.slug})

    @property
    def expertise_list(self) -> list[str]:
        return [item.strip() for item in self.expertise.split(",") if item.strip()]


class AuthorLink(models.Model):
    """A public profile of an author elsewhere (schema.org sameAs)."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=100, help_text="For example: LinkedIn, Mastodon, Website.")
    url = models.URLField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.label}"
