"""The migration walk the migration tests share: the suite's own database moved migration
by migration, through the squashed migrations or the ones they replace."""

import datetime
import shutil
import tempfile
from importlib import import_module
from typing import Any

from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.test import TransactionTestCase, override_settings

from tests.base import SEED_SLUG

LINK_TABLES = ("articles_byline", "articles_taggedarticle")

PROJECT_APPS = frozenset(
    {"articles", "authors", "disclosures", "pictures", "pages", "quotes", "reader"}
)


class PreSquashLoader(MigrationLoader):
    """The migrations as Django runs them on a database part-way through the old
    articles and pages migrations: those files instead of the squashed migrations that
    replace them. Authors' squashed migrations stay, as they do for such a database:
    each replaces files that a database has run all of or none of."""

    def __init__(self, connection: Any) -> None:
        super().__init__(connection, replace_migrations=False)

    def build_graph(self) -> None:
        super().build_graph()
        for key, migration in self.replacements.items():
            if key[0] == "authors":
                self.graph.remove_replaced_nodes(key, migration.replaces)
                if all(old in self.applied_migrations for old in migration.replaces):
                    self.applied_migrations[key] = migration
                else:
                    self.applied_migrations.pop(key, None)
            else:
                self.graph.remove_replacement_node(key, migration.replaces)
                self.applied_migrations.pop(key, None)
        self.graph.ensure_not_cyclic()


class MigrationWalkTestCase(TransactionTestCase):
    """The suite's own database, moved migration by migration with Django's
    MigrationExecutor in this process, so rows made with the factories are there as
    the schema changes under them. Media go to a private folder: the seed's pictures
    and renditions of the shared test media stay untouched. Whatever happens, the
    database ends fully migrated. It starts from the snapshot of the freshly migrated
    database and leaves no rows behind (serialized_rollback), as the other transactional
    tests do."""

    serialized_rollback = True
    # Which migrations: the ones `migrate` runs on a new database, or PreSquashLoader.
    loader_class: type[MigrationLoader] = MigrationLoader

    def setUp(self) -> None:
        media = tempfile.mkdtemp(prefix="newsroom-migrate-media-")
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        private_media = override_settings(MEDIA_ROOT=media)
        private_media.enable()
        self.addCleanup(private_media.disable)
        self.addCleanup(self.migrate_to_the_end)

    def executor(self) -> MigrationExecutor:
        executor = MigrationExecutor(connection)
        executor.loader = self.loader_class(connection)
        return executor

    def project_plan(self) -> list[Migration]:
        """The project's migrations in the order `migrate` applies them."""
        executor = self.executor()
        graph = executor.loader.graph
        plan = executor.migration_plan(graph.leaf_nodes(), clean_start=True)
        return [migration for migration, _ in plan if migration.app_label in PROJECT_APPS]

    def run_plan(self, migrations: list[Migration], *, backwards: bool) -> None:
        executor = self.executor()
        applied = executor.loader.applied_migrations
        todo = [m for m in migrations if ((m.app_label, m.name) in applied) is backwards]
        if todo:
            executor.migrate(None, plan=[(migration, backwards) for migration in todo])
        ContentType.objects.clear_cache()

    def unapply(self, migrations: list[Migration]) -> None:
        """Unapply these (a tail of the plan), last first."""
        self.run_plan(list(reversed(migrations)), backwards=True)

    def apply(self, migrations: list[Migration]) -> None:
        self.run_plan(migrations, backwards=False)

    def migrate_to_the_end(self) -> None:
        self.apply(self.project_plan())

    def historical_apps(self) -> Apps:
        """The models as the applied migrations define them."""
        loader = self.executor().loader
        # The migrations a squashed one replaces are recorded too, but not in the graph.
        applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
        return loader.project_state(applied).apps

    def reverse_and_reapply_every_data_migration(self) -> list[str]:
        """Apply the plan migration by migration from none; run each data migration's
        check (check_<app>_<name>) right after it, with nothing after it applied. The
        names of the checked migrations."""
        plan = self.project_plan()
        self.unapply(plan)
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        self.assertNotIn("articles_article", tables)
        checked = []
        for migration in plan:
            self.apply([migration])
            check = getattr(self, f"check_{migration.app_label}_{migration.name}", None)
            has_data_code = any(isinstance(op, RunPython) for op in migration.operations)
            self.assertEqual(
                check is not None, has_data_code, f"{migration}: a data migration needs a check"
            )
            if check is not None:
                with self.subTest(migration=str(migration)):
                    check(migration)
                checked.append(migration.name)
        return checked


def group_permissions(apps: Apps) -> dict[str, list[str]]:
    Group = apps.get_model("auth", "Group")
    return {
        group.name: sorted(p.codename for p in group.permissions.all())
        for group in Group.objects.filter(name__in=["Writer", "Editor"])
    }


def role_lists(*roles: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """The permission codenames of each role, as the role migrations list them."""
    merged: dict[str, set[str]] = {}
    for lists in roles:
        for role, by_app in lists.items():
            merged.setdefault(role, set()).update(
                c for codenames in by_app.values() for c in codenames
            )
    return {role: sorted(codenames) for role, codenames in merged.items()}


TRIGRAM_INDEXES = {"searchword_word_trgm", "tag_name_trgm", "author_name_trgm", "speaker_name_trgm"}


def trigram_indexes() -> tuple[set[str], set[str]] | None:
    """PostgreSQL: whether pg_trgm is installed, and the trigram indexes there are."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        extensions = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        return extensions, {name for (name,) in cursor.fetchall()}


def search_index_exists() -> bool:
    with connection.cursor() as cursor:
        return "article_search_vector_gin" in connection.introspection.get_constraints(
            cursor, "articles_article"
        )


def search_vector_storage() -> str | None:
    """How PostgreSQL stores Article.search_vector ("m": in the row, "x": the default,
    out of it once the row is large); None on SQLite, which keeps no vectors."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'articles_article'::regclass AND attname = 'search_vector'"
        )
        return str(cursor.fetchone()[0])


SQUASHED_ARTICLES = "articles.migrations.0001_squashed_0028_markdown_limits"


def topic_name_index_exists() -> bool:
    with connection.cursor() as cursor:
        return import_module(SQUASHED_ARTICLES).TOPIC_NAME_INDEX in (
            connection.introspection.get_constraints(cursor, "taggit_tag")
        )


class LaterDataMigrationChecks(MigrationWalkTestCase):
    """The data migrations after the squashed ones, which every database runs: checked
    in both walks, through the squashed migrations and through the replaced ones."""

    def check_articles_0030_fill_article_body_html(self, migration: Migration) -> None:
        """The seed story's stored body is what its page showed when it was rendered per
        request (its quotes and pictures placed, the quotes' permalinks root-relative, as
        they are without a request or SITE_URL); the reverse empties it."""
        Article = self.historical_apps().get_model("articles", "Article")

        def stored() -> str:
            return Article.objects.values_list("body_html", flat=True).get(slug=SEED_SLUG)

        # As stored by the migration: the models of today (an image's later columns) cannot
        # read a database this old to render it afresh.
        rendered = stored()
        self.assertEqual(stored().count('<figure class="quote"'), 5)
        self.assertIn('<figure class="figure">', stored())
        self.unapply([migration])
        self.assertEqual(stored(), "")
        self.apply([migration])
        self.assertEqual(stored(), rendered)

    def check_articles_0032_records_follow_their_models(self, migration: Migration) -> None:
        """The moved models' content types carry their new apps' labels (so the roles'
        permissions follow them); the reverse gives the old labels back."""

        def labels() -> set[tuple[str, str]]:
            ContentType.objects.clear_cache()
            moved = ["image", "rendition", "quote", "speaker", "organisation", "disclosure"]
            return set(
                ContentType.objects.filter(
                    model__in=[*moved, "recordeddisclosure", "authorinterest"]
                ).values_list("app_label", "model")
            )

        after = {
            ("pictures", "image"), ("pictures", "rendition"), ("quotes", "quote"),
            ("quotes", "speaker"), ("disclosures", "organisation"),
            ("disclosures", "disclosure"), ("disclosures", "recordeddisclosure"),
            ("disclosures", "authorinterest"),
        }  # fmt: skip
        self.assertEqual(labels(), after)
        self.unapply([migration])
        before = {("articles", m) for _, m in after if m != "authorinterest"}
        self.assertEqual(labels(), before | {("authors", "authorinterest")})
        self.apply([migration])
        self.assertEqual(labels(), after)

    def check_reader_0003_default_menu(self, migration: Migration) -> None:
        """A new site's menu, and the Editor role's right to change it; the reverse
        takes both away, the forward gives them back."""
        apps = self.historical_apps()
        MenuItem = apps.get_model("reader", "MenuItem")

        def menu() -> list[tuple[str, str, str]]:
            return list(MenuItem.objects.values_list("target", "kind", "label"))

        def editors_may() -> list[str]:
            return [name for name in group_permissions(apps)["Editor"] if "menuitem" in name]

        made = [("home", "", "Latest"), ("kind", "news", ""), ("kind", "analysis", ""),
                ("archive", "", "")]  # fmt: skip
        self.assertEqual(menu(), made)
        everything = ["add_menuitem", "change_menuitem", "delete_menuitem", "view_menuitem"]
        self.assertEqual(editors_may(), everything)
        self.unapply([migration])
        self.assertEqual((menu(), editors_may()), ([], []))
        self.apply([migration])
        self.assertEqual((menu(), editors_may()), (made, everything))

    def check_articles_0035_search_suggestions(self, migration: Migration) -> None:
        """pg_trgm and the trigram indexes on PostgreSQL only; the reverse removes them."""
        postgres = connection.vendor == "postgresql"
        self.assertEqual(trigram_indexes(), ({"pg_trgm"}, TRIGRAM_INDEXES) if postgres else None)
        self.unapply([migration])
        self.assertEqual(trigram_indexes(), (set(), set()) if postgres else None)
        self.apply([migration])
        self.assertEqual(trigram_indexes(), ({"pg_trgm"}, TRIGRAM_INDEXES) if postgres else None)

    def check_articles_0036_fill_search_words(self, migration: Migration) -> None:
        """The seed story's words and names are kept; the reverse forgets every word."""
        SearchWord = self.historical_apps().get_model("articles", "SearchWord")
        words = set(SearchWord.objects.values_list("word", flat=True))
        self.assertTrue(
            {"salesforce", "staffers", "border", "lauchlan", "employees"} <= words, words
        )
        self.assertFalse({"us", "s", "2018"} & words)
        self.unapply([migration])
        self.assertFalse(SearchWord.objects.exists())
        self.apply([migration])
        self.assertEqual(set(SearchWord.objects.values_list("word", flat=True)), words)

    def check_articles_0037_links_article_kind(self, migration: Migration) -> None:
        """The seed story's byline and topic links carry a copy of its kind, and the
        triggers keeping both copies replace those that kept the time; reversed, the
        old triggers are back and keep the time again; the forward fills the copies
        again."""

        def copies() -> set[tuple[str, ...]]:
            model = self.historical_apps().get_model
            bylines = model("articles", "Byline").objects.values_list(
                "article_kind", "article__kind"
            )
            topics = model("articles", "TaggedArticle").objects.values_list(
                "article_kind", "content_object__kind"
            )
            return {("byline", *row) for row in bylines} | {("topic", *row) for row in topics}

        kind = "analysis"
        made = {("byline", kind, kind), ("topic", kind, kind)}
        self.assertEqual(copies(), made)
        self.assertEqual(link_triggers(), (set(), NEW_LINK_TRIGGERS[connection.vendor]))
        self.unapply([migration])
        self.assertEqual(link_triggers(), (OLD_LINK_TRIGGERS[connection.vendor], set()))
        # The old triggers keep the links' time again.
        model = self.historical_apps().get_model
        moved = datetime.datetime(2001, 2, 3, tzinfo=datetime.UTC)
        model("articles", "Article").objects.filter(slug=SEED_SLUG).update(published_at=moved)
        self.assertEqual(
            set(model("articles", "Byline").objects.values_list("published_at", flat=True)),
            {moved},
        )
        self.apply([migration])
        self.assertEqual(copies(), made)
        self.assertEqual(link_triggers(), (set(), NEW_LINK_TRIGGERS[connection.vendor]))

    def check_articles_0038_search_vector_in_row(self, migration: Migration) -> None:
        """PostgreSQL keeps the vector in the row; the reverse gives it back its default
        storage; SQLite has no vector either way."""
        postgres = connection.vendor == "postgresql"
        self.assertEqual(search_vector_storage(), "m" if postgres else None)
        self.unapply([migration])
        self.assertEqual(search_vector_storage(), "x" if postgres else None)
        self.apply([migration])
        self.assertEqual(search_vector_storage(), "m" if postgres else None)


# The triggers keeping the links' copies, by database: before migration articles 0037
# (the time only) and from it (the time and the kind).
OLD_LINK_TRIGGERS = {
    "postgresql": {
        "articles_byline_published_at",
        "articles_taggedarticle_published_at",
        "article_links_published_at_update",
        "article_links_published_at_insert",
    },
    "sqlite": {
        *(f"{t}_published_at_{e}" for t in LINK_TABLES for e in ("INSERT", "UPDATE")),
        "article_links_published_at_insert",
        "article_links_published_at_update",
    },
}
NEW_LINK_TRIGGERS = {
    "postgresql": {
        "articles_byline_article_copy",
        "articles_taggedarticle_article_copy",
        "article_links_copy_update",
        "article_links_copy_insert",
    },
    "sqlite": {
        *(f"{t}_article_copy_{e}" for t in LINK_TABLES for e in ("INSERT", "UPDATE")),
        "article_links_copy_insert",
        "article_links_copy_update",
    },
}


def link_triggers() -> tuple[set[str], set[str]]:
    """The names of the database's triggers that keep the links' copies: (the old,
    the new)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {name for (name,) in cursor.fetchall()}
    old, new = OLD_LINK_TRIGGERS[connection.vendor], NEW_LINK_TRIGGERS[connection.vendor]
    return names & old, names & new
