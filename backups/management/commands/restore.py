from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from backups.archive import (
    ArchiveError,
    check_archive,
    existing_content,
    restore_archive,
    schema_difference,
)
from backups.management.commands.backup import summary
from newsroom.commands import StaffCommand
from newsroom.plurals import counted


class Command(StaffCommand):
    help = """\
Restore an archive written by `manage.py backup` into an empty database: a new
one after `manage.py migrate` (the seeded story and pages are replaced) or one
whose tables are empty. A database holding user accounts, articles or revisions
is refused unless --replace is given, which deletes its content first.

The whole archive is read and every member checked against the manifest's
SHA-256 before anything is written; the database's applied migrations must be
the backup's. Rows are loaded in one transaction and media files written through
the storage (local or S3-compatible): on any error the transaction rolls back and
the files written are removed again (a file the restore replaced is put back).
Everyone is logged out; files in the storage that the backup does not hold are
left (`manage.py renditions` removes orphaned renditions)."""
    examples = """
        manage.py restore --dry-run nightly.tar.gz        # check the archive; write nothing
        manage.py migrate && manage.py restore /backups/newsroom-2026-11-29.tar.gz
        manage.py restore --replace nightly.tar.gz        # over a database with content
    """
    interrupted = "nothing was restored"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help="An archive written by `backup`.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the content the database holds (users, articles, ...) and restore.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the archive and the database, say what would be restored; write nothing.",
        )

    def handle(
        self, *args: Any, file: str, replace: bool, dry_run: bool, verbosity: int, **options: Any
    ) -> None:
        path = Path(file)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file; nothing was restored.") from None
        try:
            with self.progress(total=size, desc="Checking", unit="B", verbosity=verbosity) as bar:
                checked = check_archive(path, on_read=bar.update)
            if problem := schema_difference(checked.manifest):
                raise ArchiveError(f"{file}: {problem}.")
            held = existing_content()
            if held and not replace:
                listed = ", ".join(counted(count, *nouns) for nouns, count in held.items())
                raise ArchiveError(
                    f"The database is not empty ({listed}); restore into an empty database,"
                    " or pass --replace to delete its content first."
                )
            manifest = checked.manifest
            if verbosity > 1:
                self.stdout.write(
                    f"Backup of {manifest['created_at']} from Newsroom {manifest['app_version']}"
                    f" on {manifest['database']}."
                )
            if dry_run:
                self.stdout.write(
                    f"Dry run: {file} is whole; would restore {summary(checked.contents)}."
                )
                return
            with self.progress(total=size, desc="Restoring", unit="B", verbosity=verbosity) as bar:
                _, media = restore_archive(checked, on_read=bar.update)
        except ArchiveError as error:
            raise CommandError(f"{str(error).rstrip('.')}; nothing was restored.") from None
        if verbosity > 0:
            kept = f" ({media.unchanged:,} already there)" if media.unchanged else ""
            self.stdout.write(
                self.style.SUCCESS(f"Restored {summary(checked.contents)}{kept} from {file}.")
            )
