"""Image and Rendition, out of articles into the app for pictures.

State only: the tables stay as they are, under the names they have always had
(Meta.db_table), so an existing database upgrades by renaming nothing."""

import django.db.models.deletion
from django.db import migrations, models

import pictures.images
import pictures.models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0030_fill_article_body_html"),
        ("authors", "0003_merge_0002_authorinterest_0002_upload_by_content"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Image",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "key",
                            models.SlugField(
                                help_text="Short name used to place the image in a body: [[image:<key>]].",
                                max_length=100,
                                unique=True,
                            ),
                        ),
                        (
                            "file",
                            pictures.images.PictureField(
                                height_field="height",
                                help_text="JPEG, PNG, WebP or GIF. The stored file gets a generated name.",
                                upload_to=pictures.models.image_upload_path,
                                validators=[pictures.images.validate_image_file],
                                width_field="width",
                            ),
                        ),
                        ("width", models.PositiveIntegerField(default=0, editable=False)),
                        ("height", models.PositiveIntegerField(default=0, editable=False)),
                        (
                            "alt_text",
                            models.CharField(
                                blank=True,
                                help_text="What the picture shows, for readers who cannot see it.",
                                max_length=300,
                            ),
                        ),
                        (
                            "is_decorative",
                            models.BooleanField(
                                default=False,
                                help_text="Tick only if the picture adds nothing to the text (then no alt text is needed).",
                            ),
                        ),
                        ("caption", models.CharField(blank=True, max_length=500)),
                        (
                            "credit",
                            models.CharField(
                                blank=True, help_text='For example "WEF".', max_length=200
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "articles_image",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Rendition",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "crop",
                            models.CharField(
                                choices=[
                                    ("original", "Original shape"),
                                    ("16x9", "16:9"),
                                    ("4x3", "4:3"),
                                    ("1x1", "1:1"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "format",
                            models.CharField(
                                choices=[("webp", "WebP"), ("jpeg", "JPEG")], max_length=10
                            ),
                        ),
                        ("width", models.PositiveIntegerField()),
                        ("height", models.PositiveIntegerField()),
                        (
                            "file",
                            models.FileField(
                                max_length=200, upload_to=pictures.images.rendition_upload_path
                            ),
                        ),
                        (
                            "file_size",
                            models.PositiveIntegerField(
                                help_text="Bytes; feeds announce it with the image."
                            ),
                        ),
                        (
                            "source_name",
                            models.CharField(
                                help_text="The image file this was made from; a new upload replaces it.",
                                max_length=200,
                            ),
                        ),
                        (
                            "author",
                            models.ForeignKey(
                                blank=True,
                                help_text="Set for a rendition of this author's photo (instead of an image).",
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="photo_renditions",
                                to="authors.author",
                            ),
                        ),
                        (
                            "image",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="renditions",
                                to="pictures.image",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_rendition",
                        "ordering": ["crop", "format", "width"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("image", "crop", "width", "format"), name="unique_rendition"
                            ),
                            models.UniqueConstraint(
                                fields=("author", "crop", "width", "format"),
                                name="unique_photo_rendition",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("author__isnull", True), ("image__isnull", False)),
                                    models.Q(("author__isnull", False), ("image__isnull", True)),
                                    _connector="OR",
                                ),
                                name="rendition_of_one_picture",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
