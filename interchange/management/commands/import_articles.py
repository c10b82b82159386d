from __future__ import annotations

from argparse import ArgumentParser
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DatabaseError, reset_queries, transaction

from articles.services import record_upcoming_disclosures
from interchange.checking import Checker
from interchange.fetching import fetching_media
from interchange.items import ImportFileError
from interchange.records import normalize, record_key
from interchange.schema import Record
from interchange.sources import Source, open_source, read_items
from interchange.writing import Writer
from newsroom.commands import StaffCommand, temporary_files
from newsroom.plurals import counted


def forget_queries() -> None:
    """With DEBUG on, Django keeps the text of every query (up to 9,000): over a long
    import, tens of megabytes. Tests that count queries keep theirs."""
    if settings.DEBUG:
        reset_queries()


# Records written together: one savepoint, and a fixed number of queries, per batch of
# articles; written one at a time, each article cost its own queries and savepoint, many
# times slower (measured: see docs/performance.md).
BATCH = 500

KINDS = [
    ("article", "articles"),
    ("organisation", "organisations"),
    ("author", "authors"),
    ("image", "images"),
    ("page", "pages"),
]


class Command(StaffCommand):
    help = """\
Import articles with their authors, images, tags, quotes and speakers,
citations, corrections and disclosures, from JSON Lines files (as
export_articles writes them) or from WordPress exports (WXR), read as streams
whatever their size.

Every record is checked before anything is written, and each bad one is listed
with its line (JSON Lines) or item number (WXR) and why. By default the import
is all or nothing, in one transaction; --partial imports the good records and
lists the bad. Records are matched on a stable key (article uid, author slug,
image key; speakers and organisations by slug), so importing the same file twice
changes nothing.

Disclosures: an organisation record brings the whole of its register entries,
an author record the whole of the author's interests (entries the site has and
the file does not are removed). An article keeps the disclosures the file
records for its publication; one with none recorded records those due at its
publication time, from this site's register, as publishing it here would.

Image files are looked up in --media-dir: by default the file's own folder for
JSON Lines, and the "uploads" folder beside a WordPress export (laid out as
wp-content/uploads is: YYYY/MM/name). A WordPress attachment whose file is not
there is fetched from its address with --fetch-media (public addresses only:
see docs/migrating-from-wordpress.md), or else imported without its picture
(marked missing, a placeholder on the site, listed by check_content): it never
stops a post. --pages imports the export's published pages too.

A dry run is the import itself, rolled back: its report is the one the import
would print. The report lists each problem (not imported) and each warning
(imported, but not exactly as it was: a renamed slug, a missing picture, a
shortcode kept as text) once, with its line or item number."""
    examples = """
        manage.py import_articles export.jsonl
        manage.py import_articles --dry-run export.jsonl         # check only; writes nothing
        manage.py import_articles --partial feed-1.jsonl feed-2.jsonl
        manage.py import_articles wordpress.xml --media-dir wp-content/uploads
        manage.py import_articles --dry-run --fetch-media wordpress.xml
        manage.py import_articles --pages wordpress.xml          # its pages too
    """
    interrupted = "nothing was imported"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="JSON Lines files or WordPress exports."
        )
        parser.add_argument(
            "--media-dir",
            metavar="DIR",
            help="Folder the image file paths in the input are relative to.",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import the good records even if some are bad (they are listed).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Import, report, and roll everything back: the report is the import's.",
        )
        parser.add_argument(
            "--pages",
            action="store_true",
            help=(
                "Import a WordPress export's published pages as pages (/about/<slug>/), "
                "their old addresses redirecting; without it they are skipped."
            ),
        )
        parser.add_argument(
            "--fetch-media",
            action="store_true",
            help=(
                "Fetch WordPress pictures missing from --media-dir from their addresses "
                "(public addresses only, with time and size limits)."
            ),
        )

    def handle(self, *args: str, fetch_media: bool, **options: Any) -> None:
        # Temporary storage in files, not the process's memory (temporary_files).
        with temporary_files(), fetching_media(fetch_media):
            self.import_files(*args, **options)

    def import_files(
        self,
        *args: str,
        files: list[str],
        media_dir: str | None,
        pages: bool,
        partial: bool,
        dry_run: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        try:
            sources = [open_source(name, media_dir, pages=pages) for name in files]
            checker = self.check_sources(sources, verbosity)
        except ImportFileError as error:
            raise CommandError(f"{error}; nothing was imported.") from None
        for problem in checker.problems:
            self.stderr.write(f"{problem.where}: {problem.reason}")
        if verbosity > 0:
            for warning in checker.warnings:
                self.stdout.write(f"{warning.where}: {warning.reason}")
        bad, good = len(checker.bad), checker.records - len(checker.bad)
        if bad and not partial:
            hint = (
                counted(
                    good,
                    " (--partial would import the good one)",
                    " (--partial would import the %(count)s good ones)",
                )
                if good
                else ""
            )
            records = counted(bad, "%(count)s bad record", "%(count)s bad records")
            raise CommandError(f"{records}; nothing was imported{hint}.")
        writer = Writer()
        try:
            with transaction.atomic():
                failed = self.write_sources(
                    sources, checker, writer, partial=partial, verbosity=verbosity
                )
                if dry_run:
                    # The same writing, undone: the report is exactly the import's.
                    transaction.set_rollback(True)
            if dry_run:
                writer.discard_stored_files()
        except ImportFileError as error:
            writer.discard_stored_files()
            raise CommandError(f"{error}; nothing was imported.") from None
        except BaseException:
            writer.discard_stored_files()
            raise
        finally:
            writer.close()
        if verbosity > 0:
            self.report(writer, checker, dry_run=dry_run, not_imported=bad + failed)

    def check_sources(self, sources: list[Source], verbosity: int) -> Checker:
        checker = Checker()
        total = sum(source.size for source in sources)
        with self.progress(total=total, desc="Checking", unit="B", verbosity=verbosity) as bar:
            for number, source in enumerate(sources):
                done = 0
                checker.wordpress = source.format == "wxr"
                for index, item in enumerate(read_items(source)):
                    bar.update(item.position - done)
                    done = item.position
                    where = f"{source.path} {item.where}"
                    checker.check((number, index), where, item, source.media_dir)
                    forget_queries()
                    record = item.record
                    if verbosity >= 2 and isinstance(record, dict) and record.get("type") == "skip":
                        self.stdout.write(f"{where}: skipped, {record['reason']}")
        checker.finish()
        return checker

    def write_sources(
        self,
        sources: list[Source],
        checker: Checker,
        writer: Writer,
        *,
        partial: bool,
        verbosity: int,
    ) -> int:
        """Organisations, authors and images first, then the articles that refer to them,
        in batches; returns how many records failed to write (only possible with
        --partial)."""
        failed = 0
        total = sum(source.size for source in sources)
        phases = [
            ({"organisation", "author", "image", "page"}, "organisations, authors, images, pages"),
            ({"article"}, "articles"),
        ]
        for phase, label in phases:
            desc = f"Importing {label}"
            batch: list[tuple[str, Record]] = []
            with self.progress(total=total, desc=desc, unit="B", verbosity=verbosity) as bar:
                for source in sources:
                    done = 0
                    for item in read_items(source):
                        bar.update(item.position - done)
                        done = item.position
                        where = f"{source.path} {item.where}"
                        record = item.record
                        if where in checker.bad or where in checker.left_out:
                            continue
                        if not isinstance(record, dict) or record.get("type") not in phase:
                            continue
                        normalized = normalize(record, source.media_dir, checked=True)
                        if where in checker.adjusted:
                            normalized = replace(normalized, **checker.adjusted[where])
                        batch.append((where, normalized))
                        if len(batch) >= BATCH:
                            failed += self.write_batch(writer, batch, partial, verbosity)
                            batch = []
                if batch:
                    failed += self.write_batch(writer, batch, partial, verbosity)
        if writer.register_changed:
            # As the admin does when a register or interests change: scheduled articles
            # go out with the disclosures as they now stand.
            record_upcoming_disclosures()
        return failed

    def write_batch(
        self, writer: Writer, batch: list[tuple[str, Record]], partial: bool, verbosity: int
    ) -> int:
        """Write records in a savepoint; returns how many failed (only with --partial).
        When a batch fails, its records are written again one at a time, to tell which
        failed: with --partial a record that fails leaves nothing behind, and the others
        are imported."""
        stored = len(writer.stored_files)
        try:
            with transaction.atomic():
                actions = writer.write([record for _, record in batch])
            forget_queries()
        except (DatabaseError, ValidationError, OSError) as error:
            writer.discard_stored_files(since=stored)
            writer.forget()
            if len(batch) > 1:
                return sum(self.write_batch(writer, [one], partial, verbosity) for one in batch)
            where = batch[0][0]
            if not partial:
                raise CommandError(
                    f"{where}: could not write: {error}; nothing was imported."
                ) from None
            self.stderr.write(f"{where}: could not write: {error}")
            return 1
        if verbosity >= 2:
            for (where, record), action in zip(batch, actions, strict=True):
                self.stdout.write(f"{where}: {record.type} {record_key(record)} {action}")
        return 0

    def report(self, writer: Writer, checker: Checker, *, dry_run: bool, not_imported: int) -> None:
        if dry_run:
            self.stdout.write("Dry run: nothing was written. An import would leave:")
        for kind, plural in KINDS:
            counts = [writer.counts[kind, action] for action in ("created", "updated", "unchanged")]
            if any(counts):
                created, updated, unchanged = counts
                self.stdout.write(
                    f"{plural.capitalize()}: {created} created, {updated} updated, "
                    f"{unchanged} unchanged."
                )
        if checker.skipped:
            reasons = "; ".join(
                f"{count} {reason}" for reason, count in sorted(checker.skipped.items())
            )
            skipped = counted(
                checker.skipped.total(),
                "Skipped %(count)s WordPress item",
                "Skipped %(count)s WordPress items",
            )
            self.stdout.write(f"{skipped}: {reasons}.")
        if checker.warnings:
            self.stdout.write(
                counted(
                    len(checker.warnings),
                    "%(count)s warning: imported, not exactly as it was (listed above).",
                    "%(count)s warnings: imported, not exactly as they were (listed above).",
                )
            )
        if not_imported:
            self.stdout.write(
                self.style.WARNING(
                    counted(
                        not_imported,
                        "%(count)s bad record was not imported (listed above).",
                        "%(count)s bad records were not imported (listed above).",
                    )
                )
            )
        elif not dry_run:
            self.stdout.write(self.style.SUCCESS("Import complete."))
