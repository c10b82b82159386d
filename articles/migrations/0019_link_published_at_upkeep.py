"""Keep the links' copy of the article's publication time equal to it, in the
database: triggers, and a backfill of the links already there.

Triggers because every way a row is written goes through them: the admin, services,
taggit's tags.add/set, bulk_create, COPY (interchange.bulk), QuerySet.update, reversion's
revert, loaddata and a backup's restore (raw saves, which send no signals), and any
UPDATE written later. The copy is always written in the same statement as its cause.

- A link written (inserted, or updated: Django's save writes every column, possibly
  a stale copy) takes its article's time. When its article is not there yet (loaddata
  and a restore load rows in model order with foreign keys checked at the end), it
  keeps the value given, and the article's insert below sets it.
- An article inserted, or whose published_at changes, sets its links'.

SQLite drops a table's triggers when a migration remakes that table (Django's way to
alter a column there): a migration that remakes articles_article, articles_byline or
articles_taggedarticle must run this migration's SQLITE statements again (tests/test_link_times.py fails
until it does).
"""

from importlib import import_module

from django.db import migrations

# The triggers are the squashed migration's, which makes them on new databases.
SQUASHED = import_module("articles.migrations.0001_squashed_0028_markdown_limits")
POSTGRESQL, POSTGRESQL_REVERSE = SQUASHED.POSTGRESQL, SQUASHED.POSTGRESQL_REVERSE
SQLITE, SQLITE_REVERSE = SQUASHED.SQLITE, SQUASHED.SQLITE_REVERSE

FILL = [
    """UPDATE articles_byline SET published_at = (
        SELECT published_at FROM articles_article WHERE id = articles_byline.article_id
    )""",
    """UPDATE articles_taggedarticle SET published_at = (
        SELECT published_at FROM articles_article
        WHERE id = articles_taggedarticle.content_object_id
    )""",
]

EMPTY = [
    "UPDATE articles_byline SET published_at = NULL",
    "UPDATE articles_taggedarticle SET published_at = NULL",
]


def run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def fill(apps, schema_editor):
    """The triggers first (writes from now on are kept), then one UPDATE per link
    table for the links already there."""
    postgresql = schema_editor.connection.vendor == "postgresql"
    run(schema_editor, POSTGRESQL if postgresql else SQLITE)
    run(schema_editor, FILL)


def empty(apps, schema_editor):
    """Back to no copy: the triggers go and the columns are emptied (0018's reverse then
    drops them)."""
    postgresql = schema_editor.connection.vendor == "postgresql"
    run(schema_editor, POSTGRESQL_REVERSE if postgresql else SQLITE_REVERSE)
    run(schema_editor, EMPTY)


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_link_published_at")]

    operations = [migrations.RunPython(fill, empty, elidable=False)]
