"""The byline's and the topic link's copy of their article's kind, beside their copy of
its publication time, so a search narrowed to a topic or an author and a kind walks
only that kind's links (ArticleQuerySet.on_topic, by_author). The triggers that kept the
time are replaced by ones that keep both, under names that say so.

As before: every way a row is written goes through the triggers (the admin, services,
taggit's tags.add/set, bulk_create, COPY, QuerySet.update, reversion's revert, loaddata
and a backup's restore), and the copies are written in the same statement as their
cause. A link written takes its article's copies when the article is there (loaddata
and a restore may write links first: then the article's insert sets them); an article
inserted, or given another time or kind, sets its links'.

SQLite drops a table's triggers when a migration remakes it (adding these columns
does), so the old triggers go first and the new ones come after the columns: a later
migration that remakes articles_article, articles_byline or articles_taggedarticle must
make them again (tests/test_link_times.py fails until it does). The copies are filled
before the new indexes are built and before the triggers exist, in one statement a
table. PL/pgSQL plans are cached for the session: the functions plan with sequential
scans off, since their lookups are by primary key or by the indexed article column at
any size (see migration 0001_squashed_0028_markdown_limits)."""

from importlib import import_module

from django.db import migrations, models

LINKS = [("articles_byline", "article_id"), ("articles_taggedarticle", "content_object_id")]

# The triggers that kept the time alone: dropped here, made again by the reverse.
SQUASHED = import_module("articles.migrations.0001_squashed_0028_markdown_limits")

POSTGRESQL_LINK_FUNCTION = """
CREATE FUNCTION {table}_article_copy() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE a record;
BEGIN
    SELECT published_at, kind INTO a FROM articles_article WHERE id = NEW.{column};
    IF FOUND THEN
        NEW.published_at := a.published_at;
        NEW.article_kind := a.kind;
    END IF;
    RETURN NEW;
END $$"""

# The article's links given its copies (the article as `a`), in place of LINKS_UPDATE.
POSTGRESQL_LINKS_UPDATE = """UPDATE articles_byline SET published_at = a.published_at, article_kind = a.kind
        WHERE article_id = a.id
        AND (published_at IS DISTINCT FROM a.published_at OR article_kind IS DISTINCT FROM a.kind);
    UPDATE articles_taggedarticle SET published_at = a.published_at, article_kind = a.kind
        WHERE content_object_id = a.id
        AND (published_at IS DISTINCT FROM a.published_at OR article_kind IS DISTINCT FROM a.kind);"""

POSTGRESQL = [
    *(
        statement
        for table, column in LINKS
        for statement in (
            POSTGRESQL_LINK_FUNCTION.format(table=table, column=column),
            f"""CREATE TRIGGER {table}_article_copy BEFORE INSERT OR UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_article_copy()""",
        )
    ),
    # An article given another time or kind passes them to its links.
    """CREATE FUNCTION article_links_copy() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_custom_plan AS $$
DECLARE a articles_article := NEW;
BEGIN
    LINKS_UPDATE
    RETURN NULL;
END $$""".replace("LINKS_UPDATE", POSTGRESQL_LINKS_UPDATE),
    """CREATE TRIGGER article_links_copy_update
    AFTER UPDATE OF published_at, kind ON articles_article
    FOR EACH ROW WHEN (
        OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.kind IS DISTINCT FROM NEW.kind
    )
    EXECUTE FUNCTION article_links_copy()""",
    # Articles inserted pass their copies to links written before them (loaddata and a
    # restore write links first). Once per statement: a COPY of thousands of articles is
    # one, and its links come after it, so one index probe of each link table for all
    # the statement's articles usually finds none and ends it there.
    """CREATE FUNCTION article_links_copy_inserted() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    a record;
    ids bigint[] := ARRAY(SELECT id FROM inserted);
BEGIN
    IF NOT EXISTS (SELECT FROM articles_byline WHERE article_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM articles_taggedarticle WHERE content_object_id = ANY(ids))
    THEN
        RETURN NULL;
    END IF;
    FOR a IN SELECT id, published_at, kind FROM inserted LOOP
        LINKS_UPDATE
    END LOOP;
    RETURN NULL;
END $$""".replace("LINKS_UPDATE", POSTGRESQL_LINKS_UPDATE),
    """CREATE TRIGGER article_links_copy_insert AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION article_links_copy_inserted()""",
]

POSTGRESQL_REVERSE = [
    "DROP FUNCTION articles_byline_article_copy() CASCADE",
    "DROP FUNCTION articles_taggedarticle_article_copy() CASCADE",
    "DROP FUNCTION article_links_copy() CASCADE",
    "DROP FUNCTION article_links_copy_inserted() CASCADE",
]

# SQLite cannot change NEW: a link is updated after it is written. The WHEN stops the
# trigger's own update from firing it again.
SQLITE_LINK_TRIGGER = """
CREATE TRIGGER {table}_article_copy_{event} AFTER {event} ON {table}
WHEN EXISTS (
    SELECT 1 FROM articles_article AS a
    WHERE a.id = NEW.{column}
    AND (a.published_at IS NOT NEW.published_at OR a.kind IS NOT NEW.article_kind)
)
BEGIN
    UPDATE {table} SET (published_at, article_kind) = (
        SELECT published_at, kind FROM articles_article WHERE id = NEW.{column}
    ) WHERE id = NEW.id;
END"""

SQLITE_ARTICLE_BODY = """
BEGIN
    UPDATE articles_byline SET published_at = NEW.published_at, article_kind = NEW.kind
        WHERE article_id = NEW.id
        AND (published_at IS NOT NEW.published_at OR article_kind IS NOT NEW.kind);
    UPDATE articles_taggedarticle SET published_at = NEW.published_at, article_kind = NEW.kind
        WHERE content_object_id = NEW.id
        AND (published_at IS NOT NEW.published_at OR article_kind IS NOT NEW.kind);
END"""

SQLITE = [
    *(
        SQLITE_LINK_TRIGGER.format(table=table, column=column, event=event)
        for table, column in LINKS
        for event in ("INSERT", "UPDATE")
    ),
    "CREATE TRIGGER article_links_copy_insert AFTER INSERT ON articles_article"
    + SQLITE_ARTICLE_BODY,
    "CREATE TRIGGER article_links_copy_update AFTER UPDATE OF published_at, kind "
    "ON articles_article "
    "WHEN OLD.published_at IS NOT NEW.published_at OR OLD.kind IS NOT NEW.kind"
    + SQLITE_ARTICLE_BODY,
]

SQLITE_REVERSE = [
    *(
        f"DROP TRIGGER {table}_article_copy_{event}"
        for table, _ in LINKS
        for event in ("INSERT", "UPDATE")
    ),
    "DROP TRIGGER article_links_copy_insert",
    "DROP TRIGGER article_links_copy_update",
]


def run(schema_editor, postgresql, sqlite):
    for statement in postgresql if schema_editor.connection.vendor == "postgresql" else sqlite:
        schema_editor.execute(statement)


def drop_old_triggers(apps, schema_editor):
    SQUASHED.drop_link_triggers(apps, schema_editor)


def make_old_triggers(apps, schema_editor):
    SQUASHED.add_link_triggers(apps, schema_editor)


def fill_and_keep_copies(apps, schema_editor):
    """The kinds copied onto the links written so far, then the triggers that keep
    both copies from now on."""
    fill = (
        "UPDATE {table} SET article_kind = a.kind FROM articles_article AS a "
        "WHERE a.id = {table}.{column} AND a.kind <> ''"
    )
    if schema_editor.connection.vendor != "postgresql":
        # SQLite before 3.33 has no UPDATE ... FROM.
        fill = (
            "UPDATE {table} SET article_kind = "
            "(SELECT kind FROM articles_article WHERE id = {table}.{column}) "
            "WHERE EXISTS (SELECT 1 FROM articles_article "
            "WHERE id = {table}.{column} AND kind <> '')"
        )
    for table, column in LINKS:
        schema_editor.execute(fill.format(table=table, column=column))
    run(schema_editor, POSTGRESQL, SQLITE)


def drop_triggers(apps, schema_editor):
    run(schema_editor, POSTGRESQL_REVERSE, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0036_fill_search_words"),
        ("authors", "0004_interests_move_to_disclosures"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, make_old_triggers),
        migrations.AddField(
            model_name="byline",
            name="article_kind",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="A copy of the article's kind, kept by the database.",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="taggedarticle",
            name="article_kind",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="A copy of the article's kind, kept by the database.",
                max_length=20,
            ),
        ),
        migrations.RunPython(fill_and_keep_copies, drop_triggers),
        migrations.AddIndex(
            model_name="byline",
            index=models.Index(
                fields=["author", "article_kind", "-published_at", "-article"],
                name="byline_author_kind",
            ),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "article_kind", "-published_at", "-content_object"],
                name="tagged_article_tag_kind",
            ),
        ),
    ]
