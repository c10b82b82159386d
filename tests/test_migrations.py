"""Migrations: complete and reversible. The seed reverses and re-applies cleanly, every
data migration's reverse does exactly what it says, and content survives a migration
back to the first schema and forward again.

New databases run the squashed migrations; the files they replace still run on a
database part-way through them (docs/architecture.md, "Migrations"), so both are
walked: the squashed ones with Django's own loader, the replaced ones with
PreSquashLoader."""

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from importlib import import_module
from io import StringIO
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations import Migration
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Field
from django.test import SimpleTestCase, TestCase
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from pages.models import Page
from pictures.models import Image
from tests import factories
from tests.base import SEED_SLUG
from tests.migration_walk import (
    PROJECT_APPS,
    LaterDataMigrationChecks,
    MigrationWalkTestCase,
    PreSquashLoader,
    group_permissions,
    role_lists,
    search_index_exists,
)

ROOT = Path(__file__).resolve().parent.parent


class LegacyJob(models.Model):
    """The retired jobs app's table, as a database migrated before its removal has it."""

    kind = models.CharField(max_length=100)
    payload = models.JSONField(default=dict, blank=True)
    run_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_by = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        apps = Apps()
        app_label = "jobs"
        db_table = "jobs_job"

    def __str__(self) -> str:
        return self.kind


class MigrationsCompleteTests(TestCase):
    def test_no_model_change_lacks_a_migration(self) -> None:
        """makemigrations --check finds nothing to write."""
        call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


class ScratchDatabaseTestCase(SimpleTestCase):
    """Migrations run by manage.py in a separate process, like a deploy, against a
    scratch database of the same engine as the suite."""

    databases = {"default"}

    def scratch_database_url(self) -> str:
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            folder = tempfile.mkdtemp(prefix="newsroom-migrate-")
            self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
            return f"sqlite:///{folder}/scratch.sqlite3"
        name = f"scratch_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        self.addCleanup(self.drop, name)
        host = settings["HOST"].replace("/", "%2F")
        return f"postgres://{settings['USER']}@{host}/{name}"

    def drop(self, name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def manage(
        self, url: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "newsroom.settings_test",
                **(env or {}),
            },
            capture_output=True,
            text=True,
            check=False,
        )

    def shell(self, url: str, code: str) -> str:
        return self.manage(url, "shell", "-v", "0", "-c", code).stdout.strip()


class MigrateToZeroAndBackTests(ScratchDatabaseTestCase):
    """`migrate` forward, every app back to zero, and forward again."""

    def test_all_the_way_down_and_up_again(self) -> None:
        url = self.scratch_database_url()
        count = "from articles.models import Article; print(Article.objects.count())"
        for step in [
            ["migrate", "--no-input"],
            ["migrate", "articles", "zero", "--no-input"],
            ["migrate", "authors", "zero", "--no-input"],
            ["migrate", "--no-input"],
        ]:
            with self.subTest(step=" ".join(step)):
                result = self.manage(url, *step)
                self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertEqual(self.shell(url, count), "1")


class SeedMigrationTests(ScratchDatabaseTestCase):
    def test_seed_reverses_and_reapplies(self) -> None:
        """Migrating the articles back to zero removes, beside the articles' tables, the
        story's author, its topics and the roles; forward brings them back, with the
        story's quotes, the letter's speaker and the disclosure recorded as of
        publication. (Each manage.py process has its own media folder, so the pictures'
        files are checked in SquashedMigrationReverseTests instead.)"""
        url = self.scratch_database_url()
        for step in [["migrate", "--no-input"], ["migrate", "articles", "zero", "--no-input"]]:
            self.assertEqual(self.manage(url, *step).returncode, 0)
        counts = (
            "from django.contrib.auth.models import Group; from taggit.models import Tag;"
            "from authors.models import Author;"
            "print([m.objects.count() for m in (Author, Tag, Group)])"
        )
        self.assertEqual(self.shell(url, counts), "[0, 0, 0]")

        self.assertEqual(self.manage(url, "migrate", "--no-input").returncode, 0)
        story = (
            f"from articles.models import Article; a = Article.objects.get(slug='{SEED_SLUG}');"
            "print(a.quotes.count(), sorted({q.speaker.name for q in a.quotes.all()}),"
            " [r.statement for r in a.recorded_disclosures.all()])"
        )
        self.assertEqual(
            self.shell(url, story),
            "5 ['Salesforce employees'] ['Salesforce is a premier partner of diginomica']",
        )


class DataMigrationReverseTests(LaterDataMigrationChecks):
    """The migrations the squashed ones replace, which a database part-way through
    them still runs: each data migration (RunPython) is applied, reversed and applied
    again on its own, with everything before it applied and nothing after: the reverse
    has exactly its documented effect and the forward brings the data back."""

    loader_class = PreSquashLoader

    def test_every_data_migration_reverses_exactly_and_reapplies(self) -> None:
        checked = self.reverse_and_reapply_every_data_migration()
        self.assertEqual(len(checked), 22, checked)

    def check_articles_0002_seed_salesforce_story(self, migration: Migration) -> None:
        seed = import_module("articles.migrations.0002_seed_salesforce_story")
        files = [name for name, *_ in seed.PICTURES.values()]

        def story(apps: Apps) -> tuple[object, ...]:
            model = apps.get_model
            return (
                list(model("articles", "Article").objects.values_list("slug", flat=True)),
                list(model("authors", "Author").objects.values_list("slug", flat=True)),
                sorted(model("articles", "Image").objects.values_list("key", flat=True)),
                list(
                    model("articles", "Quote")
                    .objects.order_by("position")
                    .values_list("key", flat=True)
                ),
                sorted(model("taggit", "Tag").objects.values_list("slug", flat=True)),
                list(model("articles", "Disclosure").objects.values_list("statement", flat=True)),
                [default_storage.exists(name) for name in files],
            )

        seeded = (
            [seed.SLUG],
            ["slauchlan"],
            ["marc-benioff", "salesforce-border-tweet"],
            [key for key, _ in seed.QUOTES],
            sorted(slug for _, slug in seed.TAGS),
            ["Salesforce is a premier partner of diginomica"],
            [True, True, True],
        )
        apps = self.historical_apps()
        self.assertEqual(story(apps), seeded)
        self.unapply([migration])
        self.assertEqual(story(apps), ([], [], [], [], [], [], [False, False, False]))
        self.apply([migration])
        self.assertEqual(story(apps), seeded)

    def check_articles_0004_search_vector_gin_index(self, migration: Migration) -> None:
        """The GIN index exists on PostgreSQL only; SQLite has no such index either way."""
        postgres = connection.vendor == "postgresql"
        self.assertIs(search_index_exists(), postgres)
        self.unapply([migration])
        self.assertIs(search_index_exists(), False)
        self.apply([migration])
        self.assertIs(search_index_exists(), postgres)

    def check_articles_0005_fill_search_vectors(self, migration: Migration) -> None:
        """Filled on PostgreSQL (the seed story's headline is in it), emptied by the
        reverse; SQLite keeps no search vectors."""
        Article = self.historical_apps().get_model("articles", "Article")

        def vector() -> str | None:
            return Article.objects.values_list("search_vector", flat=True).get()

        postgres = connection.vendor == "postgresql"
        if postgres:
            self.assertIn("'salesforc':1A", vector())
        else:
            self.assertIsNone(vector())
        self.unapply([migration])
        self.assertIsNone(vector())
        self.apply([migration])
        self.assertEqual(vector() is not None, postgres)

    def check_articles_0006_renditions_for_existing_images(self, migration: Migration) -> None:
        """The seed's two pictures get their renditions (files in storage); the reverse
        removes every row and file; the forward makes them again."""
        Rendition = self.historical_apps().get_model("articles", "Rendition")

        def renditions() -> dict[str, int]:
            counts: dict[str, int] = {}
            for key, name in Rendition.objects.values_list("image__key", "file"):
                self.assertTrue(default_storage.exists(name), name)
                counts[key] = counts.get(key, 0) + 1
            return counts

        made = renditions()
        self.assertEqual(sorted(made), ["marc-benioff", "salesforce-border-tweet"])
        self.assertGreater(min(made.values()), 5)
        names = list(Rendition.objects.values_list("file", flat=True))
        self.unapply([migration])
        self.assertEqual(renditions(), {})
        self.assertEqual([n for n in names if default_storage.exists(n)], [])
        self.apply([migration])
        self.assertEqual(renditions(), made)

    def check_articles_0017_renditions_for_existing_author_photos(
        self, migration: Migration
    ) -> None:
        """The seeded author's photo gets its renditions (files in storage), the images'
        are left alone; the reverse removes the photo's rows and files only; the forward
        makes them again."""
        Rendition = self.historical_apps().get_model("articles", "Rendition")

        def photo_renditions() -> list[str]:
            names = list(
                Rendition.objects.filter(author__isnull=False)
                .order_by("author__slug", "crop", "format", "width")
                .values_list("author__slug", flat=True)
            )
            for name in Rendition.objects.filter(author__isnull=False).values_list(
                "file", flat=True
            ):
                self.assertTrue(default_storage.exists(name), name)
            return names

        images = Rendition.objects.filter(image__isnull=False).count()
        made = photo_renditions()
        self.assertEqual(set(made), {"slauchlan"})
        self.assertGreater(len(made), 5)
        files = list(Rendition.objects.filter(author__isnull=False).values_list("file", flat=True))
        self.unapply([migration])
        self.assertEqual(photo_renditions(), [])
        self.assertEqual([name for name in files if default_storage.exists(name)], [])
        self.assertEqual(Rendition.objects.filter(image__isnull=False).count(), images)
        self.apply([migration])
        self.assertEqual(photo_renditions(), made)

    def check_articles_0019_link_published_at_upkeep(self, migration: Migration) -> None:
        """The seed story's byline and topic links carry its publication time, and a
        byline written afterwards gets it from the triggers; the reverse empties the
        copies and takes the triggers away; the forward fills them again."""
        apps = self.historical_apps()
        Article = apps.get_model("articles", "Article")
        Byline = apps.get_model("articles", "Byline")
        TaggedArticle = apps.get_model("articles", "TaggedArticle")
        story = Article.objects.get(slug=SEED_SLUG)

        def copies() -> set[object]:
            return {
                *Byline.objects.values_list("published_at", flat=True),
                *TaggedArticle.objects.values_list("published_at", flat=True),
            }

        self.assertEqual(copies(), {story.published_at})
        self.assertGreater(TaggedArticle.objects.count(), 1)
        self.unapply([migration])
        self.assertEqual(copies(), {None})
        byline = Byline.objects.get()
        byline.save()
        self.assertEqual(copies(), {None})
        self.apply([migration])
        self.assertEqual(copies(), {story.published_at})
        byline.published_at = None
        byline.save()
        self.assertEqual(copies(), {story.published_at})

    def check_articles_0027_jobs_become_tasks(self, migration: Migration) -> None:
        """A database from before the move has the retired jobs app's table: its jobs not
        yet done become waiting tasks (one that had given up too), the table, its
        migration record and its content type go; the reverse leaves the tasks queued,
        and the forward again finds no table and changes nothing."""
        apps = self.historical_apps()
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        self.assertFalse(DBTaskResult.objects.exists(), "a new database has no jobs table")
        self.unapply([migration])
        image = apps.get_model("articles", "Image").objects.first()
        author = apps.get_model("authors", "Author").objects.first()
        with connection.schema_editor() as editor:
            editor.create_model(LegacyJob)
        LegacyJob.objects.bulk_create(
            [
                LegacyJob(kind="renditions", payload={"image_id": image.pk}),
                LegacyJob(kind="photo_renditions", payload={"author_id": author.pk}, attempts=5),
                LegacyJob(kind="renditions", payload={"image_id": 0}, done_at=timezone.now()),
            ]
        )
        MigrationRecorder(connection).record_applied("jobs", "0001_job_table")
        ContentType.objects.get_or_create(app_label="jobs", model="job")

        self.apply([migration])

        def queued() -> list[tuple[str, str, dict]]:
            return [
                (task.task_path, task.status, task.args_kwargs)
                for task in DBTaskResult.objects.order_by("task_path")
            ]

        moved = [
            (
                "pictures.renditions.make_photo_renditions",
                "READY",
                {"args": [], "kwargs": {"author_id": author.pk}},
            ),
            (
                "pictures.renditions.make_renditions",
                "READY",
                {"args": [], "kwargs": {"image_id": image.pk}},
            ),
        ]
        self.assertEqual(queued(), moved)
        self.assertNotIn("jobs_job", connection.introspection.table_names())
        self.assertFalse(MigrationRecorder(connection).migration_qs.filter(app="jobs").exists())
        self.assertFalse(ContentType.objects.filter(app_label="jobs").exists())
        self.unapply([migration])
        self.assertEqual(queued(), moved)
        self.apply([migration])
        self.assertEqual(queued(), moved)
        DBTaskResult.objects.all().delete()

    def check_articles_0004_roles(self, migration: Migration) -> None:
        roles = import_module("articles.migrations.0004_roles").ROLES
        apps = self.historical_apps()
        self.assertEqual(group_permissions(apps), role_lists(roles))
        self.unapply([migration])
        self.assertEqual(group_permissions(apps), {})
        self.assertFalse(apps.get_model("auth", "Group").objects.exists())
        self.apply([migration])
        self.assertEqual(group_permissions(apps), role_lists(roles))

    def check_articles_0009_organisations_speakers_data(self, migration: Migration) -> None:
        """Organisations for the seed's companies and the disclosure's topic, one speaker
        per quoted name; the reverse copies names and topics back into the old fields
        and removes the rows it made, so the forward makes each once again."""
        apps = self.historical_apps()
        Quote = apps.get_model("articles", "Quote")
        Disclosure = apps.get_model("articles", "Disclosure")
        Organisation = apps.get_model("articles", "Organisation")
        Speaker = apps.get_model("articles", "Speaker")

        def records() -> tuple[object, ...]:
            return (
                sorted(Organisation.objects.values_list("slug", "tag__slug")),
                sorted(Speaker.objects.values_list("slug", "kind", "organisation__slug")),
                set(Quote.objects.values_list("speaker_record__name", flat=True)),
                list(Disclosure.objects.values_list("organisation_record__slug", flat=True)),
            )

        made = (
            [("amazon", "amazon"), ("microsoft", "microsoft"), ("salesforce", "salesforce")],
            [("salesforce-employees", "group", "salesforce")],
            {"Salesforce employees"},
            ["salesforce"],
        )
        self.assertEqual(records(), made)
        # Spoil the old fields, to see the reverse fill them in again.
        Quote.objects.update(speaker="Somebody else")
        Disclosure.objects.update(
            organisation=apps.get_model("taggit", "Tag").objects.get(slug="ethics")
        )
        self.unapply([migration])
        self.assertEqual(records(), ([], [], {None}, [None]))
        self.assertEqual(set(Quote.objects.values_list("speaker", flat=True)), made[2])
        self.assertEqual(
            list(Disclosure.objects.values_list("organisation__slug", flat=True)), ["salesforce"]
        )
        self.apply([migration])
        self.assertEqual(records(), made)

    def check_articles_0011_record_published_disclosures(self, migration: Migration) -> None:
        apps = self.historical_apps()
        Article = apps.get_model("articles", "Article")
        Recorded = apps.get_model("articles", "RecordedDisclosure")

        def recorded() -> tuple[object, ...]:
            return (
                list(
                    Recorded.objects.values_list("organisation_name", "relationship", "statement")
                ),
                list(Article.objects.values_list("disclosures_as_of", flat=True)),
            )

        published = Article.objects.get().published_at
        made = (
            [("Salesforce", "Partner", "Salesforce is a premier partner of diginomica")],
            [published],
        )
        self.assertEqual(recorded(), made)
        self.unapply([migration])
        self.assertEqual(recorded(), ([], [None]))
        self.apply([migration])
        self.assertEqual(recorded(), made)

    def check_articles_0012_roles_quotes_disclosures(self, migration: Migration) -> None:
        """The reverse takes back what it added and leaves 0004's lists."""
        roles = import_module("articles.migrations.0004_roles").ROLES
        added = import_module("articles.migrations.0012_roles_quotes_disclosures").ADDED
        apps = self.historical_apps()
        self.assertEqual(group_permissions(apps), role_lists(roles, added))
        self.unapply([migration])
        self.assertEqual(group_permissions(apps), role_lists(roles))
        self.apply([migration])
        self.assertEqual(group_permissions(apps), role_lists(roles, added))

    def check_articles_0009_fill_uid_went_live(self, migration: Migration) -> None:
        """The reverse changes nothing (0008's reversal drops the columns); the forward
        gives an article without a uid one and marks a live article as announced."""
        Article = self.historical_apps().get_model("articles", "Article")
        filled = Article.objects.values_list("uid", "went_live_at").get()
        self.assertNotIn(None, filled)
        self.unapply([migration])
        self.assertEqual(Article.objects.values_list("uid", "went_live_at").get(), filled)
        Article.objects.update(uid=None, went_live_at=None)
        other = Article.objects.create(headline="Another", slug="another")
        self.apply([migration])
        # The seeded story gets the uid it has on every install; any other a new one.
        uid, went_live_at = Article.objects.values_list("uid", "went_live_at").get(slug=SEED_SLUG)
        self.assertEqual(uid, import_module("articles.migrations.0009_fill_uid_went_live").SEED_UID)
        self.assertEqual(uid, filled[0])
        self.assertIsNotNone(went_live_at)
        other.refresh_from_db()
        self.assertIsInstance(other.uid, uuid.UUID)
        self.assertNotEqual(other.uid, uid)
        other.delete()

    def check_articles_0026_seed_story_fixed_uid(self, migration: Migration) -> None:
        """An install seeded before the fixed uid (its story has a uid of its own) gets
        the fixed one; the reverse gives the story a uid of its own again."""
        Article = self.historical_apps().get_model("articles", "Article")
        fixed = import_module("articles.migrations.0009_fill_uid_went_live").SEED_UID
        self.assertEqual(Article.objects.get(slug=SEED_SLUG).uid, fixed)
        self.unapply([migration])
        own = Article.objects.get(slug=SEED_SLUG).uid
        self.assertNotEqual(own, fixed)
        self.apply([migration])
        self.assertEqual(Article.objects.get(slug=SEED_SLUG).uid, fixed)

    def check_articles_0022_merge_topics_named_alike(self, migration: Migration) -> None:
        """Topics named alike but for case become the oldest of them, which takes their
        articles and organisation; the reverse leaves them merged."""
        apps = self.historical_apps()
        Tag = apps.get_model("taggit", "Tag")
        TaggedArticle = apps.get_model("articles", "TaggedArticle")
        Organisation = apps.get_model("articles", "Organisation")
        article = apps.get_model("articles", "Article").objects.get()
        ethics = Tag.objects.get(slug="ethics")
        shouting = Tag.objects.create(name=ethics.name.upper(), slug="ethics_1")
        quiet = Tag.objects.create(name=ethics.name.lower(), slug="ethics_2")
        TaggedArticle.objects.filter(tag=ethics).delete()
        TaggedArticle.objects.create(tag=shouting, content_object=article)
        TaggedArticle.objects.create(tag=quiet, content_object=article)
        Organisation.objects.create(name="Ethics board", slug="ethics-board", tag=quiet)
        self.unapply([migration])
        self.assertEqual(Tag.objects.filter(name__iexact="ethics").count(), 3)
        self.apply([migration])
        self.assertEqual(list(Tag.objects.filter(name__iexact="ethics")), [ethics])
        self.assertEqual(
            list(TaggedArticle.objects.filter(tag=ethics).values_list("content_object", flat=True)),
            [article.pk],
        )
        self.assertEqual(Organisation.objects.get(slug="ethics-board").tag, ethics)

    def check_pages_0002_seed_policy_pages(self, migration: Migration) -> None:
        """The reverse removes the default pages but keeps one an editor rewrote; the
        forward brings the others back and leaves the rewritten one as it is."""
        seeded = import_module("pages.migrations.0002_seed_policy_pages").PAGES
        Page = self.historical_apps().get_model("pages", "Page")
        self.assertEqual(
            sorted(Page.objects.values_list("slug", "title", "body")),
            sorted(seeded),
        )
        Page.objects.filter(slug="ethics").update(body="Our own ethics policy.")
        self.unapply([migration])
        self.assertEqual(
            list(Page.objects.values_list("slug", "body")), [("ethics", "Our own ethics policy.")]
        )
        self.apply([migration])
        self.assertEqual(Page.objects.count(), len(seeded))
        self.assertEqual(Page.objects.get(slug="ethics").body, "Our own ethics policy.")


def table_of(field: Field) -> str | None:
    """The table a foreign key points at; None for other fields."""
    return field.related_model._meta.db_table if field.related_model else None


class DataThroughMigrationsTests(MigrationWalkTestCase):
    """Content made with the models (factories) is still there after the project is
    migrated back to its first migrations (every table still there, later columns
    and tables gone) and forward again: every value the first schema already had
    keeps its row and its value, quotes keep their speakers' names and disclosures
    their organisations. The migrations are those the squashed ones replace: a
    database part-way through them runs them."""

    loader_class = PreSquashLoader

    def test_content_survives_back_to_the_first_migrations_and_forward(self) -> None:
        plan = self.project_plan()
        first = [m for m in plan if m.initial]
        columns = self.columns_of_the_first_schema(first)
        # The seed's rows are not compared: unapplying its migration removes them on
        # purpose (DataMigrationReverseTests).
        before = {model: set(model.objects.values_list("pk", flat=True)) for model in columns}
        content = self.make_content()
        made = {
            model: set(model.objects.exclude(pk__in=before[model]).values_list("pk", flat=True))
            for model in columns
        }

        snapshot = self.snapshot(columns, made)
        compared = {label for label, rows in snapshot.items() if rows}
        self.assertLessEqual(
            {
                "articles.Article", "articles.Byline", "pictures.Image", "quotes.Quote",
                "articles.TaggedArticle", "disclosures.Disclosure", "articles.Correction",
                "authors.Author", "authors.AuthorLink", "taggit.Tag", "pages.Page",
            },
            compared,
        )  # fmt: skip
        speakers = self.values_of(content["quotes"], "text", "speaker__name")
        organisations = self.values_of(
            content["disclosures"], "statement", "organisation__tag__slug"
        )
        renditions = self.rendition_counts(content["images"])
        self.unapply([m for m in plan if not m.initial])
        self.assertEqual(self.applied_project_migrations(), sorted(str(m) for m in first))
        self.apply(plan)

        self.assertEqual(self.snapshot(columns, made), snapshot)
        self.assertEqual(self.values_of(content["quotes"], "text", "speaker__name"), speakers)
        self.assertEqual(
            self.values_of(content["disclosures"], "statement", "organisation__tag__slug"),
            organisations,
        )
        self.assertEqual(self.rendition_counts(content["images"]), renditions)
        self.assertEqual(Page.objects.get(slug="ethics").body, "Our own ethics policy.")
        self.assertTrue(Page.objects.filter(slug="advertising").exists())
        self.assertTrue(Article.objects.filter(slug=SEED_SLUG).exists())

        # All the way to zero with that content present, and forward: a fresh install.
        self.unapply(plan)
        self.apply(plan)
        self.assertEqual(list(Article.objects.values_list("slug", flat=True)), [SEED_SLUG])
        self.assertEqual(Page.objects.count(), 6)

    @staticmethod
    def make_content() -> dict[str, list[Any]]:
        authors = [factories.AuthorFactory(), factories.AuthorFactory(name="Zoë Ångström")]
        factories.AuthorLinkFactory(author=authors[0])
        images = [factories.ImageFactory(), factories.ImageFactory()]
        articles = [
            factories.ArticleFactory(authors=authors, lead_image=images[0]),
            factories.ArticleFactory(status=Article.Status.DRAFT, published_at=None),
        ]
        organisation = factories.OrganisationFactory()
        articles[0].tags.add(organisation.tag, "Cloud computing")
        articles[1].tags.add("Cloud computing")
        quotes = [
            factories.QuoteFactory(article=articles[0]),
            factories.QuoteFactory(
                article=articles[0], speaker=factories.SpeakerFactory(name="Ada Lovelace")
            ),
            factories.QuoteFactory(article=articles[1]),
        ]
        factories.CorrectionFactory(article=articles[0])
        disclosures = [factories.DisclosureFactory(organisation=organisation)]
        Page.objects.filter(slug="ethics").update(body="Our own ethics policy.")
        Page.objects.create(slug="advertising", title="Advertising", body="How ads work.")
        return {"quotes": quotes, "disclosures": disclosures, "images": images}

    def columns_of_the_first_schema(self, first: list[Migration]) -> dict[type, list[str]]:
        """Per model of the first schema, the columns it had then and has now (a foreign
        key pointing at the same table then and now)."""
        state = self.executor().loader.project_state([(m.app_label, m.name) for m in first])
        # By table, not by label: a model that moved to another app keeps its table.
        tables = {model._meta.db_table: model for model in state.apps.get_models()}
        columns = {}
        for model in [*django_apps.get_models(), Tag]:
            if model._meta.app_label not in PROJECT_APPS and model is not Tag:
                continue
            if model._meta.db_table not in tables:
                continue
            then = {f.column: f for f in tables[model._meta.db_table]._meta.concrete_fields}
            columns[model] = [
                f.attname
                for f in model._meta.concrete_fields
                if f.column in then and table_of(f) == table_of(then[f.column])
            ]
        return columns

    @staticmethod
    def snapshot(columns: dict[type, list[str]], rows: dict[type, set[int]]) -> dict[str, list]:
        """The values of these rows, in these columns."""
        return {
            model._meta.label: list(
                model.objects.filter(pk__in=rows[model]).order_by("pk").values_list(*names)
            )
            for model, names in columns.items()
        }

    def applied_project_migrations(self) -> list[str]:
        loader = self.executor().loader
        applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
        return sorted(f"{app}.{name}" for app, name in applied if app in PROJECT_APPS)

    @staticmethod
    def values_of(rows: list[Any], *fields: str) -> list[tuple]:
        model = type(rows[0])
        pks = [row.pk for row in rows]
        return list(model.objects.filter(pk__in=pks).order_by("pk").values_list(*fields))

    def rendition_counts(self, images: list[Image]) -> list[int]:
        counts = []
        for image in Image.objects.filter(pk__in=[i.pk for i in images]).order_by("pk"):
            names = [r.file.name for r in image.renditions.all()]
            self.assertTrue(all(default_storage.exists(name) for name in names))
            counts.append(len(names))
        self.assertGreater(min(counts), 0)
        return counts
