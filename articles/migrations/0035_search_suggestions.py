"""Typo-tolerant search: the words a misspelt query is corrected to, and pg_trgm.

On PostgreSQL, pg_trgm and trigram GIN indexes serve "did you mean" (the words similar
to a misspelt one, `word % %s`) and the names shown above results (a word of the name
starting with the query's, `name ~* '\\mword'`, on topics, authors and speakers;
articles.search). SQLite has neither: there the extension and the indexes are skipped
(TrigramExtension is a no-op off PostgreSQL) and the words are compared with difflib.
The indexes are not in the models' Meta because SQLite would try to build them, and
taggit's Tag is not ours to change.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "searchword_word_trgm": ("articles_searchword", "word"),
    "tag_name_trgm": ("taggit_tag", "name"),
    "author_name_trgm": ("authors_author", "name"),
    "speaker_name_trgm": ("articles_speaker", "name"),
}


class TrigramExtensionOnPostgresql(TrigramExtension):
    """TrigramExtension, whose reverse would look for the extension on SQLite too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, column) in TRIGRAM_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0034_autosave"),
        ("authors", "0004_interests_move_to_disclosures"),
        ("quotes", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        TrigramExtensionOnPostgresql(),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=40, primary_key=True, serialize=False)),
            ],
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["kind", "-published_at"], name="article_kind_published"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
