from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils import timezone

from articles.models import Article
from articles.services import go_live_due
from newsroom.commands import StaffCommand
from newsroom.plurals import counted


class Command(StaffCommand):
    help = """\
Run the go-live side effects (cache purge, notifications: the receivers of
articles.signals.article_went_live) for published articles whose time has come,
once each. Safe to run every minute, and from several machines at once: each
article is claimed by exactly one run (row locks with SKIP LOCKED on
PostgreSQL). Articles are visible to readers at their time whether or not this
runs; this only triggers what should happen when they appear.

Imports and demo data mark articles that are already live as done, so old
news is not announced."""
    examples = """
        manage.py publish_scheduled                 # say each article that went live
        manage.py publish_scheduled --dry-run       # list what is due; change nothing
        # crontab: every minute, quiet unless something fails
        * * * * * cd /srv/newsroom && .venv/bin/python manage.py publish_scheduled -v 0
    """
    interrupted = "the articles claimed so far went live; run it again for the rest"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=100,
            metavar="N",
            help="Articles claimed per transaction (default 100).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the articles that are due; change nothing."
        )

    def handle(
        self, *args: Any, batch_size: int, dry_run: bool, verbosity: int, **options: Any
    ) -> None:
        if dry_run:
            due = Article.objects.awaiting_go_live().order_by("published_at", "pk")
            for article in due:
                self.say(article, "Due", verbosity)
            if verbosity > 0:
                self.stdout.write(
                    counted(
                        len(due),
                        "Dry run: %(count)s article is due; nothing was changed.",
                        "Dry run: %(count)s articles are due; nothing was changed.",
                    )
                )
            return
        total = 0
        while batch := go_live_due(limit=batch_size):
            for article in batch:
                self.say(article, "Went live", verbosity)
            total += len(batch)
        if verbosity > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    counted(total, "%(count)s article went live.", "%(count)s articles went live.")
                )
                if total
                else "Nothing was due."
            )

    def say(self, article: Article, what: str, verbosity: int) -> None:
        if verbosity > 0:
            due = timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"{what}: {article.headline} ({article.get_absolute_url()}), at {due}"
            )
