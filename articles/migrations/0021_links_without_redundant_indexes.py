"""The byline and topic links' foreign keys lose the single-column indexes that other
indexes already lead with: a byline's article (unique_byline), its author
(byline_author_published) and a topic link's tag (unique_article_tag,
tagged_article_tag_published). Each was one more index to write for every link a
save, an import or a seed makes, and to keep in memory, with no query needing it.

The indexes are dropped by name (Django's names for them, the same on SQLite and
PostgreSQL) while the model state learns db_index=False: on SQLite, Django's own
AlterField would rebuild the tables and lose their triggers (migration 0019).
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = [
    ("articles_byline", "article_id", "articles_byline_article_id_b3b9786c"),
    ("articles_byline", "author_id", "articles_byline_author_id_4bd786b8"),
    ("articles_taggedarticle", "tag_id", "articles_taggedarticle_tag_id_23d7d828"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_link_published_at_indexes"),
        ("authors", "0002_authorinterest"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX "{name}"', f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                )
                for table, column, name in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="byline",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bylines",
                        to="articles.article",
                    ),
                ),
                migrations.AlterField(
                    model_name="byline",
                    name="author",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bylines",
                        to="authors.author",
                    ),
                ),
                migrations.AlterField(
                    model_name="taggedarticle",
                    name="tag",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)s_items",
                        to="taggit.tag",
                    ),
                ),
            ],
        )
    ]
