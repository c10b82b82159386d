"""Backups: `manage.py backup` writes the database's content and the
media into one archive; `manage.py restore` puts them back into an empty database,
checked first and all or nothing."""

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import reversion
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import TestCase, TransactionTestCase, override_settings

from articles.models import Article
from backups.archive import content_models, media_names
from pages.models import Page
from pictures.models import Image, Rendition
from reader.models import StoredArticle
from tests import factories
from tests.base import SEED_SLUG, SEED_URL, run_command
from tests.test_migrations import ScratchDatabaseTestCase
from tests.test_object_storage import ObjectStorageTestCase
from tests.test_renditions import picture_file

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class PrivateMediaMixin:
    """Media in a folder of the test's own, so files can be counted and removed."""

    def use_private_media(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="newsroom-backup-media-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)  # type: ignore[attr-defined]
        media = override_settings(MEDIA_ROOT=str(folder))
        media.enable()
        self.addCleanup(media.disable)  # type: ignore[attr-defined]
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-backup-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)  # type: ignore[attr-defined]
        return folder


def media_bytes() -> dict[str, bytes]:
    result = {}
    for name in media_names(default_storage):
        with default_storage.open(name, "rb") as stream:
            result[name] = stream.read()
    return result


def natural(value: Any, field: models.Field) -> Any:
    """A foreign key to a content type or permission by what it names, not its id: those
    rows are remade by `migrate`, not restored."""
    if field.related_model is ContentType and value is not None:
        return ContentType.objects.get_for_id(value).natural_key()
    return value


def database_content() -> dict[str, list[dict[str, Any]]]:
    """Every row of every backed-up model, field by field, with its many-to-many links."""
    content = {}
    for model in content_models():
        rows = []
        for row in model._default_manager.order_by("pk"):
            values = {
                f.attname: natural(getattr(row, f.attname), f) for f in model._meta.concrete_fields
            }
            for m2m in model._meta.many_to_many:
                if m2m.remote_field.through._meta.auto_created:  # else rows of their own
                    values[m2m.name] = sorted(
                        related.natural_key() for related in getattr(row, m2m.name).all()
                    )
            rows.append(values)
        content[model._meta.label] = rows
    return content


def make_content() -> None:
    """Something of everything: users in groups, articles with all they carry, images
    with renditions, a revision, edited and new pages."""
    editor = User.objects.create_user("alice", "alice@example.com", "pw-Alice-2026")
    editor.groups.add(Group.objects.get(name="Editor"))
    User.objects.create_superuser("root", "root@example.com", "pw-Root-2026")
    author = factories.AuthorFactory(
        name="Zoë Ångström", user=editor, photo=picture_file((300, 300))
    )
    factories.AuthorLinkFactory(author=author)
    organisation = factories.OrganisationFactory()
    factories.AuthorInterestFactory(author=author, organisation=organisation)
    factories.DisclosureFactory(organisation=organisation)
    lead = factories.ImageFactory(file=picture_file((1200, 800)))
    article = factories.ArticleFactory(authors=[author], lead_image=lead, created_by=editor)
    article.tags.add(organisation.tag, "Cloud computing")
    factories.QuoteFactory(article=article, text="Words «quoted» — exactly.")
    factories.CitationFactory(article=article)
    factories.CorrectionFactory(article=article)
    factories.ArticleFactory(status=Article.Status.DRAFT, published_at=None, headline="A draft")
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment("Second thoughts")
        article.headline = "A headline, revised"
        article.save()
    Page.objects.filter(slug="ethics").update(body="Our own ethics policy.")
    Page.objects.create(slug="advertising", title="Advertising", body="How ads work.")


class RoundTripTests(PrivateMediaMixin, TransactionTestCase):
    """Back up, empty the database and the media storage, restore: every row of every
    model, field by field, and every media file, byte for byte, are as they were."""

    serialized_rollback = True

    def test_restore_into_an_emptied_database_gives_back_every_row_and_file(self) -> None:
        self.use_private_media()
        make_content()
        before, files = database_content(), media_bytes()
        counts = {label: len(rows) for label, rows in before.items()}
        for label in [
            "articles.Article", "quotes.Quote", "pictures.Image", "pictures.Rendition",
            "disclosures.Disclosure", "articles.Correction", "articles.Citation",
            "articles.TaggedArticle", "authors.Author", "disclosures.AuthorInterest", "auth.User",
            "auth.Group", "reversion.Revision", "reversion.Version", "pages.Page", "taggit.Tag",
        ]:  # fmt: skip
            self.assertGreater(counts[label], 0, label)
        self.assertGreater(len(files), 10)
        archive = self.folder / "site.tar.gz"

        out, _ = run_command("backup", "--output", str(archive))
        self.assertIn(f"to {archive}.", out)
        self.assertEqual(archive.stat().st_mode & 0o777, 0o600)
        call_command("flush", "--no-input", verbosity=0)
        for name in files:
            default_storage.delete(name)
        self.assertEqual(Article.objects.count(), 0)
        self.assertEqual(media_bytes(), {})

        out, _ = run_command("restore", str(archive))
        self.assertIn(f"and {len(files)} media files", out)
        self.assertEqual(database_content(), before)
        self.assertEqual(media_bytes(), files)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "backup-restore.txt").write_text(
            f"restored and compared: {sum(counts.values())} rows of {len(counts)} models,"
            f" {len(files)} media files ({sum(map(len, files.values()))} bytes); 0 differences\n"
        )
        self.assertTrue(User.objects.get(username="alice").check_password("pw-Alice-2026"))
        self.assertContains(self.client.get("/"), "A headline, revised")


class BackupArchiveTests(PrivateMediaMixin, TestCase):
    """The archive and the restore's checks, on the suite's database (the seed story)."""

    def setUp(self) -> None:
        self.use_private_media()
        factories.ImageFactory()
        default_storage.save("zz/last.png", ContentFile(factories.png_bytes()))
        self.archive = self.folder / "site.tar.gz"
        run_command("backup", "-o", str(self.archive), verbosity=0)
        self.members = read_members(self.archive)
        self.manifest = json.loads(self.members["manifest.json"])

    def restore_error(self, *args: str) -> str:
        with self.assertRaises(CommandError) as raised:
            run_command("restore", *args)
        message = str(raised.exception)
        self.assertEqual(len(message.splitlines()), 1, message)
        self.assertTrue(message.endswith("; nothing was restored."), message)
        return message

    def rewritten(self, change: dict[str, bytes | None]) -> str:
        """The archive with members changed (None: removed), the manifest as it was
        unless changed too."""
        members = {**self.members, **change}
        path = self.folder / f"changed-{len(list(self.folder.iterdir()))}.tar.gz"
        write_members(path, {n: data for n, data in members.items() if data is not None})
        return str(path)

    def test_the_manifest_describes_every_member(self) -> None:
        manifest = self.manifest
        self.assertEqual((manifest["format"], manifest["version"]), ("newsroom-backup", 1))
        self.assertEqual(manifest["app_version"], "0.1.0")
        self.assertIn("articles.0015_merge_20261129_1624", manifest["migrations"])
        self.assertEqual(manifest["counts"]["articles.article"], Article.objects.count())
        self.assertEqual(manifest["counts"]["pictures.rendition"], Rendition.objects.count())
        self.assertEqual(list(self.members)[0], "data.jsonl")
        self.assertEqual(list(self.members)[-1], "manifest.json")
        stored = set(media_names(default_storage))
        self.assertEqual(
            {n.removeprefix("media/") for n in manifest["members"]} - {"data.jsonl"}, stored
        )
        for name, member in manifest["members"].items():
            self.assertEqual(hashlib.sha256(self.members[name]).hexdigest(), member["sha256"])
            self.assertEqual(len(self.members[name]), member["size"])
        lines = self.members["data.jsonl"].decode().splitlines()
        self.assertEqual(len(lines), sum(manifest["counts"].values()))
        self.assertEqual(
            [json.loads(line)["model"] for line in lines[:2]], ["auth.group", "auth.group"]
        )
        order = content_models()
        self.assertLess(order.index(User), order.index(Article))  # named by natural key
        self.assertNotIn(ContentType, order)
        self.assertNotIn(Session, order)

    def test_search_vectors_are_left_out_of_the_archive(self) -> None:
        """An article's search vector is computed from its text and is the largest field
        of its row: the archive leaves it out and a restore rebuilds it (the round trip
        compares it; the restore from SQLite searches with it)."""
        rows = [json.loads(line) for line in self.members["data.jsonl"].decode().splitlines()]
        articles = [row["fields"] for row in rows if row["model"] == "articles.article"]
        self.assertEqual(len(articles), Article.objects.count())
        written = set().union(*articles)
        self.assertIn("headline", written)
        self.assertNotIn("search_vector", written)

    def test_stored_page_parts_are_left_out_and_cleared_by_a_restore(self) -> None:
        """The stored parts of article pages are made from the content: a backup leaves
        them out, and a restore clears them, so no page shows parts of what was there
        before."""
        self.assertContains(self.client.get(SEED_URL), "Salesforce staffers")
        archive = self.folder / "with-stored-parts.tar.gz"
        run_command("backup", "-o", str(archive), verbosity=0)
        manifest = json.loads(read_members(archive)["manifest.json"])
        self.assertNotIn("reader.storedarticle", manifest["counts"])
        StoredArticle.objects.update(main="<p>Left over from before the restore</p>")
        run_command("restore", "--replace", str(archive), verbosity=0)
        page = self.client.get(SEED_URL)
        self.assertNotContains(page, "Left over from before the restore")
        self.assertContains(page, "Salesforce staffers")

    def test_dry_runs_write_nothing(self) -> None:
        out, _ = run_command("backup", "--dry-run")
        self.assertIn("Dry run: would back up", out)
        self.assertEqual(sorted(p.name for p in self.folder.iterdir()), ["site.tar.gz"])
        files = media_bytes()
        Article.objects.update(headline="Changed since")
        out, _ = run_command("restore", "--dry-run", "--replace", str(self.archive))
        self.assertIn(f"Dry run: {self.archive} is whole; would restore", out)
        self.assertEqual(set(Article.objects.values_list("headline", flat=True)), {"Changed since"})
        self.assertEqual(media_bytes(), files)

    def test_bad_archives_are_refused_with_one_line(self) -> None:
        tampered = bytearray(self.members["media/zz/last.png"])
        tampered[-20] ^= 1
        newer = {**self.manifest, "version": 2, "app_version": "9.0"}
        unmigrated = {
            **self.manifest,
            "migrations": [*self.manifest["migrations"], "articles.9999_future"],
        }
        junk = self.folder / "junk.tar.gz"
        junk.write_bytes(b"PK\x03\x04 certainly not a tar.gz" * 100)
        truncated = self.folder / "truncated.tar.gz"
        truncated.write_bytes(self.archive.read_bytes()[: self.archive.stat().st_size // 2])
        last = "media/zz/last.png"
        cases = [
            ("missing.tar.gz", "missing.tar.gz: no such file"),
            (str(junk), "not a backup archive (not a tar.gz file)"),
            (str(truncated), "truncated or corrupt archive"),
            (self.rewritten({last: bytes(tampered)}), f"{last} does not match its checksum"),
            (self.rewritten({"manifest.json": None}), "no manifest"),
            (self.rewritten({last: None}), f"{last} is missing from the archive"),
            (self.rewritten({"media/x.png": b"x"}), "media/x.png is not in the manifest"),
            (
                self.rewritten({"media/../../etc/passwd": b"x"}),
                "unexpected member 'media/../../etc/passwd'",
            ),
            (
                self.rewritten({"manifest.json": json.dumps(newer).encode()}),
                "backup format version 2; this release restores version 1 (made by Newsroom 9.0)",
            ),
            (
                self.rewritten({"manifest.json": json.dumps(unmigrated).encode()}),
                "migrations differ from the backup's: it lacks articles.9999_future of the backup",
            ),
        ]
        for path, expected in cases:
            with self.subTest(expected):
                self.assertIn(expected, self.restore_error(path))
        self.assertTrue(Article.objects.filter(slug=SEED_SLUG).exists())

    def test_a_backup_from_before_the_squashed_migrations_restores(self) -> None:
        """A backup made before the project's migrations were squashed lists the
        migrations they replace, not them; the database, migrated with them, records
        both: the backup restores all the same."""
        before = {
            **self.manifest,
            "migrations": [
                name
                for name in self.manifest["migrations"]
                if not (
                    name.split(".")[0] in {"articles", "authors", "pages"} and "_squashed_" in name
                )
            ],
        }
        self.assertLess(len(before["migrations"]), len(self.manifest["migrations"]))
        headline = Article.objects.get(slug=SEED_SLUG).headline
        Article.objects.update(headline="Changed since")
        run_command(
            "restore",
            "--replace",
            self.rewritten({"manifest.json": json.dumps(before).encode()}),
            verbosity=0,
        )
        self.assertEqual(Article.objects.get(slug=SEED_SLUG).headline, headline)

    def test_a_database_with_content_is_refused_unless_replaced(self) -> None:
        User.objects.create_user("bob")
        factories.ArticleFactory()
        message = self.restore_error(str(self.archive))
        self.assertIn("The database is not empty (1 user account, 2 articles)", message)
        self.assertIn("pass --replace", message)
        run_command("restore", "--replace", str(self.archive), verbosity=0)
        self.assertFalse(User.objects.exists())
        self.assertEqual(Article.objects.count(), self.manifest["counts"]["articles.article"])

    def test_a_failed_restore_leaves_the_database_and_the_storage_as_they_were(self) -> None:
        """A media file that cannot be written (its name is taken by a folder) after
        others were: the transaction rolls back, the files written are removed, the
        file replaced is put back."""
        factories.ArticleFactory(headline="Here before the restore")
        Article.objects.exclude(headline="Here before the restore").delete()
        default_storage.delete("zz/last.png")
        Path(default_storage.path("zz/last.png")).mkdir(parents=True)
        first_image = Image.objects.order_by("pk").first().file.name
        default_storage.delete(first_image)
        default_storage.save(first_image, ContentFile(b"another picture"))
        files = media_bytes()
        rows = database_content()

        message = self.restore_error("--replace", str(self.archive))
        self.assertIn("zz/last.png: cannot be written to the media storage", message)
        self.assertEqual(database_content(), rows)
        self.assertEqual(media_bytes(), files)

    def test_media_are_streamed_not_held_in_memory(self) -> None:
        """A 24 MB file goes through backup and restore with far less memory than that."""
        big = default_storage.save("video/big.bin", ContentFile(random_bytes(24 << 20)))
        archive = str(self.folder / "big.tar.gz")
        tracemalloc.start()
        try:
            run_command("backup", "-o", archive, verbosity=0)
            _, backup_peak = tracemalloc.get_traced_memory()
            default_storage.delete(big)
            tracemalloc.reset_peak()
            run_command("restore", archive, verbosity=0)
            _, restore_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(default_storage.size(big), 24 << 20)
        self.assertLess(backup_peak, 8 << 20)
        self.assertLess(restore_peak, 8 << 20)


def random_bytes(size: int) -> bytes:
    """Incompressible, so the archive is as big as the file."""
    return hashlib.shake_256(b"newsroom").digest(size)


def read_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers()}


def write_members(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


class StaffRestoreTests(ScratchDatabaseTestCase):
    """As staff run it: manage.py in subprocesses with the production settings, from one
    database into a freshly migrated other one (the seed replaced), each with its own
    media folder; exit codes and one-line errors."""

    def test_backup_restores_into_a_freshly_migrated_database(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="newsroom-staff-backup-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        one, two = folder / "one.tar.gz", folder / "two.tar.gz"
        source = self.site(self.scratch_database_url(), folder / "media-source")
        target = self.site(self.scratch_database_url(), folder / "media-target")
        for args in [
            ["migrate", "--no-input"],
            ["seed_demo", "--articles", "12", "--authors", "3"],
            ["createsuperuser", "--no-input", "--username", "root", "--email", "r@example.com"],
            ["backup", "--output", str(one)],
        ]:
            self.succeeds(source, *args)
        self.succeeds(target, "migrate", "--no-input")

        restored = self.succeeds(target, "restore", str(one))
        self.assertRegex(
            restored.stdout, r"^Restored \d+ rows \(13 articles, \d+ quotes, 4 authors, 1 user\)"
        )
        refused = target("restore", str(one))
        self.assertEqual(refused.returncode, 1)
        self.assertEqual(
            refused.stderr.strip(),
            "CommandError: The database is not empty (1 user account, 13 articles); restore into"
            " an empty database, or pass --replace to delete its content first; nothing was"
            " restored.",
        )
        self.succeeds(target, "backup", "-o", str(two))

        first, second = read_members(one), read_members(two)
        self.assertEqual(
            sorted(first["data.jsonl"].splitlines()), sorted(second["data.jsonl"].splitlines())
        )
        media = {name for name in first if name.startswith("media/")}
        self.assertGreater(len(media), 10)
        self.assertEqual({n: second[n] for n in media}, {n: first[n] for n in media})

        truncated = folder / "truncated.tar.gz"
        truncated.write_bytes(one.read_bytes()[:-5000])
        for path, message in [
            ("nowhere.tar.gz", "CommandError: nowhere.tar.gz: no such file; nothing was restored."),
            (str(truncated), "truncated or corrupt archive"),
        ]:
            with self.subTest(path):
                result = target("restore", "--replace", path)
                self.assertEqual(result.returncode, 1)
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertIn(message, result.stderr)
                self.assertNotIn("Traceback", result.stderr)

    def test_a_backup_made_on_sqlite_restores_into_this_engine(self) -> None:
        """SQLite is the embedded default: a site begun on it moves to PostgreSQL by
        `backup` and `restore`, every article and quote kept and the search rebuilt
        (in the PostgreSQL run; in the SQLite run, from one SQLite file to another)."""
        folder = Path(tempfile.mkdtemp(prefix="newsroom-engine-backup-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        archive = folder / "site.tar.gz"
        source_url, target_url = f"sqlite:///{folder}/source.sqlite3", self.scratch_database_url()
        source = self.site(source_url, folder / "media-source")
        target = self.site(target_url, folder / "media-target")
        for args in [
            ["migrate", "--no-input"],
            ["seed_demo", "--articles", "12", "--authors", "3"],
            ["backup", "--output", str(archive)],
        ]:
            self.succeeds(source, *args)
        self.succeeds(target, "migrate", "--no-input")

        self.succeeds(target, "restore", str(archive))
        found = (
            "from articles.models import Article\nfrom quotes.models import Quote\n"
            "from articles.search import search_keys\n"
            "last = Article.objects.published().order_by('pk').last()\n"
            "print(Article.objects.count(), Quote.objects.count(),"
            " last.pk in search_keys(last.headline))"
        )
        before = self.shell(source_url, found)
        self.assertRegex(before, r"^13 [1-9]\d* True$")  # 12 demo articles and the seed story
        self.assertEqual(self.shell(target_url, found), before)

    def site(self, url: str, media: Path) -> Any:
        """manage.py on this database and media folder, with the production settings."""
        env = {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "MEDIA_ROOT": str(media),
            "SECRET_KEY": "staff-restore-test",
            "DEBUG": "false",
            "LOG_FORMAT": "text",
            "DJANGO_SUPERUSER_PASSWORD": "pw-Root-2026",
        }
        return lambda *args: self.manage(url, *args, env=env)

    def succeeds(self, site: Any, *args: str) -> subprocess.CompletedProcess[str]:
        result = site(*args)
        self.assertEqual(result.returncode, 0, f"{args}: {result.stderr[-2000:]}")
        return result


class ObjectStorageBackupTests(ObjectStorageTestCase):
    """Media in a bucket of a real S3 server (moto on loopback): backed up and restored
    through the storage API, byte for byte."""

    def test_media_in_a_bucket_are_backed_up_and_restored(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            factories.ImageFactory(file=picture_file((800, 600)))
        files = media_bytes()
        self.assertGreater(len(files), 5)
        folder = Path(tempfile.mkdtemp(prefix="newsroom-s3-backup-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        archive = str(folder / "site.tar.gz")
        run_command("backup", "-o", archive, verbosity=0)
        for name in files:
            default_storage.delete(name)
        self.assertEqual(media_bytes(), {})
        out, _ = run_command("restore", "--replace", archive)
        self.assertIn(f"and {len(files)} media files", out)
        self.assertEqual(media_bytes(), files)
