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

from django.db import migrations

# PL/pgSQL caches a function's plans for the session. Planned while a table is small
# (a new site, the first rows of a seed_demo or import transaction, where ANALYZE sees
# nothing) they are sequential scans, kept as the table grows: each row written would
# then read the whole table. So the functions plan with sequential scans off: their
# lookups are by primary key or by the indexed article column, at any size. The
# per-statement one updates the links of each inserted article in a loop, when there
# are any: as one UPDATE ... FROM the inserted rows, its plan cached while the tables
# were small drove the join from a full scan of the byline index, once per inserted row
# batch, slower with every batch (measured: see docs/performance.md).
# A link written takes its article's time, if the article is there.
POSTGRESQL_LINK_FUNCTION = """
CREATE FUNCTION {table}_published_at() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE article_time timestamptz;
BEGIN
    SELECT published_at INTO article_time FROM articles_article WHERE id = NEW.{column};
    IF FOUND THEN
        NEW.published_at := article_time;
    END IF;
    RETURN NEW;
END $$"""

POSTGRESQL = [
    POSTGRESQL_LINK_FUNCTION.format(table="articles_byline", column="article_id"),
    """CREATE TRIGGER articles_byline_published_at BEFORE INSERT OR UPDATE ON articles_byline
    FOR EACH ROW EXECUTE FUNCTION articles_byline_published_at()""",
    POSTGRESQL_LINK_FUNCTION.format(table="articles_taggedarticle", column="content_object_id"),
    """CREATE TRIGGER articles_taggedarticle_published_at
    BEFORE INSERT OR UPDATE ON articles_taggedarticle
    FOR EACH ROW EXECUTE FUNCTION articles_taggedarticle_published_at()""",
    # An article given another time passes it to its links.
    """CREATE FUNCTION article_links_published_at() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    UPDATE articles_byline SET published_at = NEW.published_at
        WHERE article_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
    UPDATE articles_taggedarticle SET published_at = NEW.published_at
        WHERE content_object_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER article_links_published_at_update
    AFTER UPDATE OF published_at ON articles_article
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION article_links_published_at()""",
    # Articles inserted pass their times to links written before them (loaddata and a
    # restore write links first). Once per statement: a COPY of thousands of articles
    # is one, and its links come after it, so one index probe of each link table for
    # all the statement's articles usually finds none and ends it there, where a probe
    # per article would plan two statements for each.
    """CREATE FUNCTION article_links_published_at_inserted() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    written record;
    ids bigint[] := ARRAY(SELECT id FROM inserted);
BEGIN
    IF NOT EXISTS (SELECT FROM articles_byline WHERE article_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM articles_taggedarticle WHERE content_object_id = ANY(ids))
    THEN
        RETURN NULL;
    END IF;
    FOR written IN SELECT id, published_at FROM inserted LOOP
        UPDATE articles_byline SET published_at = written.published_at
            WHERE article_id = written.id AND published_at IS DISTINCT FROM written.published_at;
        UPDATE articles_taggedarticle SET published_at = written.published_at
            WHERE content_object_id = written.id
            AND published_at IS DISTINCT FROM written.published_at;
    END LOOP;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER article_links_published_at_insert AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION article_links_published_at_inserted()""",
]

POSTGRESQL_REVERSE = [
    "DROP FUNCTION articles_byline_published_at() CASCADE",
    "DROP FUNCTION articles_taggedarticle_published_at() CASCADE",
    "DROP FUNCTION article_links_published_at() CASCADE",
    "DROP FUNCTION article_links_published_at_inserted() CASCADE",
]

# SQLite cannot change NEW: a link is updated after it is written. The WHEN stops the
# trigger's own update from firing it again.
SQLITE_LINK_TRIGGER = """
CREATE TRIGGER {table}_published_at_{event} AFTER {event} ON {table}
WHEN EXISTS (
    SELECT 1 FROM articles_article
    WHERE id = NEW.{column} AND published_at IS NOT NEW.published_at
)
BEGIN
    UPDATE {table} SET published_at = (
        SELECT published_at FROM articles_article WHERE id = NEW.{column}
    ) WHERE id = NEW.id;
END"""

SQLITE_ARTICLE_BODY = """
BEGIN
    UPDATE articles_byline SET published_at = NEW.published_at
        WHERE article_id = NEW.id AND published_at IS NOT NEW.published_at;
    UPDATE articles_taggedarticle SET published_at = NEW.published_at
        WHERE content_object_id = NEW.id AND published_at IS NOT NEW.published_at;
END"""

SQLITE_LINKS = [("articles_byline", "article_id"), ("articles_taggedarticle", "content_object_id")]

SQLITE = [
    *(
        SQLITE_LINK_TRIGGER.format(table=table, column=column, event=event)
        for table, column in SQLITE_LINKS
        for event in ("INSERT", "UPDATE")
    ),
    "CREATE TRIGGER article_links_published_at_insert AFTER INSERT ON articles_article"
    + SQLITE_ARTICLE_BODY,
    "CREATE TRIGGER article_links_published_at_update AFTER UPDATE OF published_at "
    "ON articles_article WHEN OLD.published_at IS NOT NEW.published_at" + SQLITE_ARTICLE_BODY,
]

SQLITE_TRIGGERS = [
    *(
        f"{table}_published_at_{event}"
        for table, _ in SQLITE_LINKS
        for event in ("INSERT", "UPDATE")
    ),
    "article_links_published_at_insert",
    "article_links_published_at_update",
]

SQLITE_REVERSE = [f"DROP TRIGGER {name}" for name in SQLITE_TRIGGERS]

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
