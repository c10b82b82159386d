"""A GIN index on Article.search_vector, on PostgreSQL only.

It serves reader search (`search_vector @@ websearch_to_tsquery(...)`, articles.search).
SQLite has no GIN indexes and no tsvector: there the column stays empty and search
uses its icontains fallback, so this migration does nothing. The index is not in
Article.Meta.indexes because SQLite would then try to build it whenever a later
migration rebuilds the table.
"""

from importlib import import_module

from django.db import migrations

# The index is the squashed migration's, which makes it on new databases.
SQUASHED = import_module("articles.migrations.0001_squashed_0028_markdown_limits")


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_reader_site")]

    operations = [
        migrations.RunPython(
            SQUASHED.create_search_index, SQUASHED.drop_search_index, elidable=False
        )
    ]
