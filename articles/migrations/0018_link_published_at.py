"""The article's publication time on its byline and topic links: the
columns. 0019 fills them and installs the triggers that keep them equal to the article's;
0020 indexes them once filled, so the backfill of a big archive writes no index entries
it then replaces. The old byline (author, article) index goes: the new one serves every
lookup by author."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_renditions_for_existing_author_photos"),
        ("authors", "0002_authorinterest"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="byline",
            name="byline_author_article",
        ),
        migrations.AddField(
            model_name="byline",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="A copy of the article's publication time, kept by the database.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="taggedarticle",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="A copy of the article's publication time, kept by the database.",
                null=True,
            ),
        ),
    ]
