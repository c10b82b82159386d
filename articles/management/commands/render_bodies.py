from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.db import transaction

from articles.models import Article
from articles.rendering import refresh_bodies
from newsroom import page_cache
from newsroom.commands import StaffCommand
from newsroom.plurals import counted


class Command(StaffCommand):
    help = """\
Render every article's stored body again. Saves keep the stored bodies current by
themselves; run this after a change they cannot see: a release that changes how
bodies render (the quote, figure or picture templates, articles/rendering.py), or
a new SITE_URL, MEDIA_URL or storage address (the bodies name them)."""
    examples = """
        manage.py render_bodies             # render them all; say how many changed
        manage.py render_bodies --dry-run   # count the bodies that would change
    """
    interrupted = "nothing was changed"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool, verbosity: int, **options: Any) -> None:
        with transaction.atomic():
            changed = refresh_bodies(Article.objects.all())
            if dry_run:
                transaction.set_rollback(True)
            else:
                page_cache.content_changed()
        if verbosity > 0:
            verb = "would change" if dry_run else "changed"
            self.stdout.write(
                counted(
                    changed, f"%(count)s stored body {verb}.", f"%(count)s stored bodies {verb}."
                )
            )
