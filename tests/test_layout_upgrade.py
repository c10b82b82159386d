"""A database laid out as before the content apps split (articles held the images,
quotes, speakers and the register; authors the interests) upgrades to the split with
every row intact, and goes back.

The moves rename no table (Meta.db_table), so every table's rows must come through
byte for byte; what names a model by its app (content types, the model names inside
stored revisions, queued tasks' import paths) follows it there and back."""

from typing import Any

import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from articles import services
from articles.models import Article
from quotes.models import Quote
from tests.migration_walk import MigrationWalkTestCase

# The split's first migrations: the new apps take their models over. What comes after
# them (the rest of the split, and anything later) is what an old database runs.
SPLIT_STARTS = [
    ("pictures", "0001_initial"),
    ("quotes", "0001_initial"),
    ("disclosures", "0001_initial"),
]
MOVED = {
    "image": ("articles", "pictures"),
    "rendition": ("articles", "pictures"),
    "quote": ("articles", "quotes"),
    "speaker": ("articles", "quotes"),
    "organisation": ("articles", "disclosures"),
    "disclosure": ("articles", "disclosures"),
    "recordeddisclosure": ("articles", "disclosures"),
    "authorinterest": ("authors", "disclosures"),
}
# The split's last migration: the later ones are not part of the round trip.
SPLIT_END = ("articles", "0032_records_follow_their_models")
# Rows that differ between the layouts by design: the migration records, the content
# types' labels, the stored revisions' model names and the queued tasks' import paths
# (compared on their own below).
RELABELLED = {
    "django_migrations",
    "django_content_type",
    "reversion_version",
    DBTaskResult._meta.db_table,
}


def tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def rows(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
        return [tuple(row) for row in cursor.fetchall()]


def everything() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but those the layouts name differently."""
    return {table: rows(table) for table in tables() if table not in RELABELLED}


def labels() -> dict[str, str]:
    ContentType.objects.clear_cache()
    return dict(ContentType.objects.filter(model__in=MOVED).values_list("model", "app_label"))


def stored_models(versions: list[int]) -> list[str]:
    """The model names inside these stored revisions, as written."""
    data = Version.objects.filter(pk__in=versions).values_list("serialized_data", flat=True)
    return sorted({part.split('"')[0] for text in data for part in text.split('"model": "')[1:]})


def task_paths() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


class LayoutUpgradeTests(MigrationWalkTestCase):
    def split_migrations(self) -> list[Migration]:
        """The split's migrations and every one after them, in order: what a database
        laid out as before the split has still to run."""
        graph = MigrationExecutor(connection).loader.graph
        after = {key for start in SPLIT_STARTS for key in graph.backwards_plan(start)}
        return [m for m in self.project_plan() if (m.app_label, m.name) in after]

    def later_migrations(self, split: list[Migration]) -> list[Migration]:
        """Those of `split` that came after the split (the split ends with SPLIT_END):
        they change the schema, so the round trip below runs without them."""
        graph = MigrationExecutor(connection).loader.graph
        needed = set(graph.forwards_plan(SPLIT_END))
        return [m for m in split if (m.app_label, m.name) not in needed]

    def fill(self) -> list[int]:
        """Demo content as seed_demo writes it, with revisions made by the workflow:
        the ids of the revisions' stored versions."""
        call_command("seed_demo", articles=30, authors=4, verbosity=0)
        editor = get_user_model().objects.create_user("editor")
        call_command("grant_role", "editor", "editor", verbosity=0)
        editor = get_user_model().objects.get(pk=editor.pk)
        quoted = Article.objects.filter(quotes__isnull=False, lead_image__isnull=False).first()
        assert quoted is not None
        with reversion.create_revision():
            reversion.set_user(editor)
            quoted.save()
        quote = quoted.quotes.first()
        assert quote is not None
        Quote.objects.filter(pk=quote.pk).update(text="Words changed after the revision.")
        versions = Version.objects.get_for_object(quoted)
        return list(
            Version.objects.filter(revision__in=versions.values("revision")).values_list(
                "pk", flat=True
            )
        )

    def assert_new_layout_works(self, revision_versions: list[int]) -> None:
        """Through the ORM of the new layout: the roles' permissions, the relations, and
        an old revision restoring its quotes."""
        editor = get_user_model().objects.get(username="editor")
        for perm in [
            "pictures.change_image",
            "quotes.change_speaker",
            "disclosures.add_disclosure",
        ]:
            self.assertTrue(editor.has_perm(perm), perm)
        article = Article.objects.filter(quotes__isnull=False, lead_image__isnull=False).first()
        assert article is not None and article.lead_image is not None
        self.assertTrue(article.lead_image.renditions.exists())
        version = Version.objects.get(pk=min(revision_versions))
        services.restore_revision(article=article, revision=version.revision, user=editor)
        self.assertNotIn(
            "Words changed after the revision.",
            list(Quote.objects.filter(article=article).values_list("text", flat=True)),
        )

    def test_old_layout_upgrades_with_every_row_and_goes_back(self) -> None:
        split = self.split_migrations()
        self.assertEqual(
            {(m.app_label, m.name) for m in split} >= {
                ("pictures", "0001_initial"), ("quotes", "0001_initial"),
                ("disclosures", "0001_initial"), ("articles", "0032_records_follow_their_models"),
            },
            True,
        )  # fmt: skip
        versions = self.fill()
        self.assertTrue(versions)
        later = self.later_migrations(split)
        self.unapply(later)
        split = [m for m in split if m not in later]
        recorded = rows("articles_recordeddisclosure")
        self.assertTrue(recorded, "seed_demo records disclosures")
        new_layout = everything()
        new_labels = {model: app for model, (_, app) in MOVED.items()}
        self.assertEqual(labels(), new_labels)
        self.assertIn("quotes.quote", stored_models(versions))
        queued = task_paths()
        self.assertIn("pictures.renditions.make_renditions", queued)

        # Back to the layout before the split: the split adds no table, so every table
        # and row is there as it was; the labels and the revisions' model names are as
        # the old code wrote them.
        self.unapply(split)
        self.assertEqual(everything(), new_layout)
        self.assertEqual(labels(), {model: app for model, (app, _) in MOVED.items()})
        self.assertNotIn("quotes.quote", stored_models(versions))
        self.assertIn("articles.quote", stored_models(versions))
        self.assertEqual(task_paths(), sorted(p.replace("pictures.", "articles.") for p in queued))

        # Up again: the same rows, the new labels, and it all works.
        self.apply(split)
        self.assertEqual(everything(), new_layout)
        self.assertEqual(rows("articles_recordeddisclosure"), recorded)
        self.assertEqual(labels(), new_labels)
        self.assertIn("quotes.quote", stored_models(versions))
        self.assertNotIn("articles.quote", stored_models(versions))
        self.assertEqual(task_paths(), queued)
        self.apply(later)
        self.assert_new_layout_works(versions)

    def test_new_code_before_the_migration_loses_no_permission(self) -> None:
        """App servers of the new layout may start before `migrate` runs (docs/deploy.md)
        and make the new content types and permissions on first use: the migration then
        moves the roles' permissions, the admin's history and the revisions onto them."""
        split = self.split_migrations()
        self.unapply(split)
        editor = get_user_model().objects.create_user("editor")
        call_command("grant_role", "editor", "editor", verbosity=0)
        held = set(Permission.objects.filter(group__user=editor).values_list("codename", flat=True))
        self.assertIn("change_image", held)
        made_early = ContentType.objects.create(app_label="pictures", model="image")
        Permission.objects.create(
            content_type=made_early, codename="change_image", name="Can change image"
        )
        self.apply(split)
        editor = get_user_model().objects.get(pk=editor.pk)
        now = set(Permission.objects.filter(group__user=editor).values_list("codename", flat=True))
        # All kept; the later reader migration gives editors the section menu.
        self.assertEqual(now - held, {name for name in now if name.endswith("_menuitem")})
        self.assertLessEqual(held, now)
        self.assertTrue(editor.has_perm("pictures.change_image"))
        self.assertEqual(ContentType.objects.filter(model="image").count(), 1)
