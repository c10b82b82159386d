"""A GIN index on Article.search_vector, on PostgreSQL only.

It serves reader search (`search_vector @@ websearch_to_tsquery(...)`, articles.search).
SQLite has no GIN indexes and no tsvector: there the column stays empty and search
uses its icontains fallback, so this migration does nothing. The index is not in
Article.Meta.indexes because SQLite would then try to build it whenever a later
migration rebuilds the table.
"""

from django.db import migrations

INDEX = "article_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_reader_site")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
