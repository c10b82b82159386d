"""The squashed migrations: a new database runs them and ends exactly as one migrated
through the files they replace; their data steps reverse and reapply."""

import datetime
import re
from importlib import import_module
from typing import Any

from django.apps import apps as django_apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations import Migration
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from taggit.models import Tag

from tests.migration_walk import (
    PROJECT_APPS,
    SQUASHED_ARTICLES,
    LaterDataMigrationChecks,
    MigrationWalkTestCase,
    PreSquashLoader,
    group_permissions,
    role_lists,
    search_index_exists,
    topic_name_index_exists,
)


class SquashedMigrationReverseTests(LaterDataMigrationChecks):
    """The squashed migrations a new database runs, each applied, reversed and applied
    again on its own, with everything before it applied and nothing after: what they
    make outside their own tables goes with them, and comes back."""

    def test_every_data_migration_reverses_exactly_and_reapplies(self) -> None:
        checked = self.reverse_and_reapply_every_data_migration()
        self.assertEqual(
            sorted(checked),
            [
                "0001_squashed_0003_markdown_limits",
                "0001_squashed_0028_markdown_limits",
                "0003_default_menu",
                "0030_fill_article_body_html",
                "0032_records_follow_their_models",
                "0035_search_suggestions",
                "0036_fill_search_words",
                "0037_links_article_kind",
                "0038_search_vector_in_row",
            ],
        )

    def check_articles_0001_squashed_0028_markdown_limits(self, migration: Migration) -> None:
        """The seeded story as the replaced migrations left it on a new database, the
        roles, the link times and the indexes; the reverse takes away the author,
        topics, roles, index on topic names and every file it made, and the forward
        makes them again."""
        squashed = import_module(SQUASHED_ARTICLES)
        apps = self.historical_apps()
        model = apps.get_model
        postgres = connection.vendor == "postgresql"

        def story() -> tuple[object, ...]:
            article = model("articles", "Article").objects.get()
            return (
                (article.slug, article.uid, article.disclosures_as_of == article.published_at),
                article.went_live_at is not None,
                [(a.slug, a.photo.name) for a in model("authors", "Author").objects.all()],
                list(article.quotes.order_by("position").values_list("key", "speaker__slug")),
                list(
                    model("articles", "Speaker").objects.values_list("kind", "organisation__slug")
                ),
                sorted(model("articles", "Organisation").objects.values_list("slug", "tag__slug")),
                list(
                    article.recorded_disclosures.values_list(
                        "organisation_name", "relationship", "statement"
                    )
                ),
                {*article.bylines.values_list("published_at", flat=True)}
                | {
                    *model("articles", "TaggedArticle").objects.values_list(
                        "published_at", flat=True
                    )
                },
                postgres is (article.search_vector is not None),
                search_index_exists() is postgres,
            )

        def outside() -> tuple[object, ...]:
            """What stays to be seen once the articles' tables are gone."""
            return (
                list(model("authors", "Author").objects.values_list("slug", flat=True)),
                sorted(model("taggit", "Tag").objects.values_list("slug", flat=True)),
                group_permissions(apps),
                topic_name_index_exists(),
                [default_storage.exists(name) for name, *_ in squashed.PICTURES.values()],
            )

        published = squashed.PUBLISHED_AT
        seeded = (
            (squashed.SLUG, squashed.SEED_UID, True),
            True,
            [("slauchlan", "seed/slauchlan.png")],
            [(key, "salesforce-employees") for key, _ in squashed.QUOTES],
            [("group", "salesforce")],
            [("amazon", "amazon"), ("microsoft", "microsoft"), ("salesforce", "salesforce")],
            [("Salesforce", "Partner", "Salesforce is a premier partner of diginomica")],
            {published},
            True,
            True,
        )
        self.assertEqual(story(), seeded)
        # The triggers keep a link's copy whatever an update writes.
        model("articles", "Byline").objects.update(published_at=None)
        self.assertEqual(story(), seeded)
        made = outside()
        self.assertEqual(
            made,
            (
                ["slauchlan"],
                sorted(slug for _, slug in squashed.TAGS),
                role_lists(squashed.ROLES),
                True,
                [True, True, True],
            ),
        )
        Rendition = model("articles", "Rendition")
        self.assertEqual(
            {*Rendition.objects.values_list("image__key", "author__slug")},
            {(None, "slauchlan"), ("marc-benioff", None), ("salesforce-border-tweet", None)},
        )
        renditions = list(Rendition.objects.values_list("file", flat=True))
        self.assertTrue(all(default_storage.exists(name) for name in renditions))

        self.unapply([migration])
        self.assertEqual(outside(), ([], [], {}, False, [False, False, False]))
        self.assertEqual([name for name in renditions if default_storage.exists(name)], [])
        self.apply([migration])
        self.assertEqual(story(), seeded)
        self.assertEqual(outside(), made)

    def check_pages_0001_squashed_0003_markdown_limits(self, migration: Migration) -> None:
        """The default pages, gone with their table and back."""
        seeded = import_module("pages.migrations.0001_squashed_0003_markdown_limits").PAGES
        Page = self.historical_apps().get_model("pages", "Page")
        self.assertEqual(sorted(Page.objects.values_list("slug", "title", "body")), sorted(seeded))
        self.unapply([migration])
        self.assertNotIn("pages_page", connection.introspection.table_names())
        self.apply([migration])
        self.assertEqual(sorted(Page.objects.values_list("slug", "title", "body")), sorted(seeded))


def database_schema() -> dict[str, list[tuple[object, ...]]]:
    """Every table, column, index, constraint and trigger (and, on PostgreSQL, function)
    of the database, with its name and definition."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            )
            return {"sqlite_master": sorted(cursor.fetchall())}
        # Column order aside: ALTER TABLE adds a column at the end whatever the model says.
        queries = {
            "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_schema = 'public'",
            "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
            "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            "triggers": "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE NOT tgisinternal",
            "functions": "SELECT proname, prosrc, proconfig FROM pg_proc"
            " WHERE pronamespace = 'public'::regnamespace",
        }
        schema = {}
        for name, query in queries.items():
            cursor.execute(query)
            schema[name] = sorted(cursor.fetchall(), key=repr)
        return schema


GENERATED_FILE = re.compile(r"[0-9a-f]{32}\.\w+")


def seeded_rows() -> list[dict[str, Any]]:
    """The rows of the project's apps, their topics and roles, by natural keys where
    they have them, without what differs from run to run: the time the migrations ran
    and the renditions' generated file names (in their rows and in the stored bodies)."""
    models = [m for m in django_apps.get_models() if m._meta.app_label in PROJECT_APPS]
    models += [Tag, django_apps.get_model("auth", "Group")]
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    rows = []
    for model in models:
        for row in serializers.serialize(
            "python",
            model._default_manager.order_by("pk"),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        ):
            fields = row["fields"]
            for name, value in fields.items():
                if isinstance(value, datetime.datetime) and value > an_hour_ago:
                    fields[name] = "when migrated"
            if row["model"] == "pictures.rendition":
                fields["file"] = "generated"
            if row["model"] == "articles.article":
                # The stored body names the renditions' files.
                fields["body_html"] = GENERATED_FILE.sub("generated", fields["body_html"])
            rows.append(row)
    return rows


class SquashedLikeReplacedTests(MigrationWalkTestCase):
    """A new database runs one squashed migration per app (authors: three, see
    docs/architecture.md) instead of the files they replace, and ends exactly as one
    migrated through those files: the same tables, columns, indexes, constraints and
    triggers under the same names, the same rows. Such a database has nothing left to
    run."""

    def test_replaced_migrations_make_the_same_database(self) -> None:
        plan = [f"{m.app_label}.{m.name}" for m in self.project_plan()]
        self.assertEqual(
            sorted(name for name in plan if "_squashed_" in name),
            [
                "articles.0001_squashed_0028_markdown_limits",
                "authors.0001_squashed_0002_upload_by_content",
                "authors.0002_squashed_0002_authorinterest",
                "authors.0003_squashed_0003_merge_0002_authorinterest_0002_upload_by_content",
                "pages.0001_squashed_0003_markdown_limits",
            ],
        )
        self.unapply(self.project_plan())
        self.apply(self.project_plan())
        squashed = (database_schema(), seeded_rows())

        self.unapply(self.project_plan())
        self.loader_class = PreSquashLoader
        self.assertGreater(len(self.project_plan()), 40)
        self.apply(self.project_plan())
        self.loader_class = MigrationLoader
        replaced = (database_schema(), seeded_rows())
        self.assertEqual(replaced[0], squashed[0])
        self.assertEqual(replaced[1], squashed[1])
        executor = self.executor()
        self.assertEqual(executor.migration_plan(executor.loader.graph.leaf_nodes()), [])
