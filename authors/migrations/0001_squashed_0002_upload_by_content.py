"""Authors and their links, as the models define them.

A squash of 0001_initial and 0002_upload_by_content, which stay until every database
has run it (docs/architecture.md, "Migrations"). The authors' interests follow in 0002
and 0003: their organisation is an articles model, and articles needs the authors first.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import authors.models
import pictures.images


class Migration(migrations.Migration):
    initial = True

    replaces = [("authors", "0001_initial"), ("authors", "0002_upload_by_content")]

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="Author",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(help_text="As shown in the byline.", max_length=200)),
                (
                    "slug",
                    models.SlugField(
                        help_text="The author page's address: /authors/<slug>/.",
                        max_length=100,
                        unique=True,
                    ),
                ),
                ("job_title", models.CharField(blank=True, max_length=200)),
                (
                    "bio",
                    models.TextField(
                        blank=True, help_text="A short biography shown on the author page."
                    ),
                ),
                ("photo_width", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                (
                    "photo_height",
                    models.PositiveIntegerField(blank=True, editable=False, null=True),
                ),
                (
                    "expertise",
                    models.CharField(
                        blank=True,
                        help_text="Beats and areas of expertise, separated by commas.",
                        max_length=500,
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        blank=True,
                        help_text="The staff account of this author, if they have one.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="author",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "photo",
                    pictures.images.PictureField(
                        blank=True,
                        height_field="photo_height",
                        help_text="Profile picture shown next to the byline. JPEG, PNG or WebP.",
                        upload_to=authors.models.author_photo_path,
                        validators=[pictures.images.validate_image_file],
                        width_field="photo_width",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="AuthorLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "label",
                    models.CharField(
                        help_text="For example: LinkedIn, Mastodon, Website.", max_length=100
                    ),
                ),
                ("url", models.URLField()),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="authors.author",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "pk"],
            },
        ),
    ]
