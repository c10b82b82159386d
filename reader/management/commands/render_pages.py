from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from articles.models import Article
from newsroom.commands import StaffCommand
from newsroom.plurals import counted
from reader import fragments

BATCH = 500


class Command(StaffCommand):
    help = """\
Render the stored parts of live articles' pages and cards that are missing or outdated
(reader.fragments). Pages render them on their first read by themselves; run this to
spare those first readers the wait: after a release that changes the article or card
templates, a change of the site's name or addresses, or a bulk import. Each batch is
stored as it is done, so an interrupted run keeps what it did."""
    examples = """
        manage.py render_pages             # render what is missing or outdated
        manage.py render_pages --all       # render every live article's parts again
        manage.py render_pages --dry-run   # count what would be rendered
    """
    interrupted = "the batches done are kept"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--all", action="store_true", help="Render current parts again too.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be rendered; store nothing."
        )

    def handle(self, *args: Any, all: bool, dry_run: bool, verbosity: int, **options: Any) -> None:
        live = fragments.for_cards(Article.objects.published()).order_by("pk")
        rendered = 0
        with self.progress(
            total=live.count(), desc="Articles", unit="articles", verbosity=verbosity
        ) as bar:
            for start in range(0, bar.total or 0, BATCH):
                batch = list(live[start : start + BATCH])
                due = [a.pk for a in batch if all or not fragments.is_current(a)]
                if due and not dry_run:
                    fragments.store(due)
                rendered += len(due)
                bar.update(len(batch))
        if verbosity > 0:
            verb = "would be rendered" if dry_run else "rendered"
            self.stdout.write(
                counted(
                    rendered,
                    f"Page parts of %(count)s article {verb}.",
                    f"Page parts of %(count)s articles {verb}.",
                )
            )
