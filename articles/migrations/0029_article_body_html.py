"""The article's stored, rendered body (filled by 0030).

Added with ALTER TABLE ... ADD COLUMN, a default of '' kept in the database: on SQLite,
Django's own AddField of a NOT NULL column would rebuild articles_article and lose the
triggers on it (migration 0019); on PostgreSQL a constant default adds the column
without rewriting the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0028_markdown_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE articles_article ADD COLUMN body_html text NOT NULL DEFAULT ''",
                    "ALTER TABLE articles_article DROP COLUMN body_html",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="article",
                    name="body_html",
                    field=models.TextField(
                        blank=True,
                        editable=False,
                        help_text="The body as readers see it: rendered when the article is saved and again when a quote, speaker or image it shows changes (articles.signals).",
                    ),
                ),
            ],
        )
    ]
