from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from backups.archive import ArchiveError, Contents, manifest_contents, survey, write_backup
from newsroom.commands import StaffCommand
from newsroom.plurals import counted

# The models the summary names, as counted nouns.
SUMMARISED = {
    "articles.article": ("%(count)s article", "%(count)s articles"),
    "quotes.quote": ("%(count)s quote", "%(count)s quotes"),
    "authors.author": ("%(count)s author", "%(count)s authors"),
    "auth.user": ("%(count)s user", "%(count)s users"),
}


def summary(contents: Contents) -> str:
    """'1,234 rows (12 articles, 40 quotes, 3 authors, 5 users) and 56 media files (7.8 MB)'."""
    shown = [
        counted(contents.counts[label], *nouns)
        for label, nouns in SUMMARISED.items()
        if label in contents.counts
    ]
    return (
        counted(contents.rows, "%(count)s row", "%(count)s rows")
        + f" ({', '.join(shown)}) and "
        + counted(len(contents.media), "%(count)s media file", "%(count)s media files")
        + f" ({contents.media_bytes / 1e6:,.1f} MB)"
    )


class Command(StaffCommand):
    help = """\
Back up the whole site into one archive (tar.gz): every row of the database's
content (articles and everything they carry, authors, pages, users and groups,
revisions, the job queue) as JSON Lines from one consistent snapshot, every file
of the media storage (local or S3-compatible), and a manifest with row counts,
the SHA-256 of every member, the applied migrations and the app version.

Media files are streamed, never held in memory. The archive is written beside
FILE and renamed into place when complete, readable by its owner only: it holds
password hashes and unpublished articles. `manage.py restore FILE` reads it back.
For PostgreSQL, `pg_dump` remains the tool for whole-cluster backups (README)."""
    examples = """
        manage.py backup --output /backups/newsroom-$(date +%F).tar.gz
        manage.py backup -o nightly.tar.gz -v 0          # from cron: errors only
        manage.py backup --dry-run                       # what it would hold
    """
    interrupted = "no archive was written"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="The archive to write (.tar.gz)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be backed up; write nothing."
        )

    def handle(
        self, *args: Any, output: str | None, dry_run: bool, verbosity: int, **options: Any
    ) -> None:
        if dry_run:
            self.stdout.write(f"Dry run: would back up {summary(survey())}.")
            return
        if not output:
            raise CommandError("Name the archive to write with --output FILE.")
        contents = survey()
        total = contents.rows + len(contents.media)
        try:
            with self.progress(
                total=total, desc="Backing up", unit="items", verbosity=verbosity
            ) as bar:
                manifest = write_backup(
                    Path(output),
                    on_item=bar.update,
                    warn=lambda line: self.stderr.write(self.style.WARNING(line)),
                )
        except ArchiveError as error:
            raise CommandError(f"{str(error).rstrip('.')}; no archive was written.") from None
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}; no archive was written.") from None
        if verbosity > 0:
            done = summary(manifest_contents(manifest))
            self.stdout.write(self.style.SUCCESS(f"Backed up {done} to {output}."))
