from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from articles import content_checks
from articles.models import Article
from newsroom.commands import StaffCommand
from newsroom.plurals import counted

CHECKS = {
    "broken-link": "internal links to pages that do not exist or are not public",
    "quote-marker": "[[quote:...]] markers without a quote",
    "image-marker": "[[image:...]] markers without an image",
    "missing-picture": "images without their picture file (an import could not bring it)",
    "image-alt": "images without alt text that are not marked decorative",
    "no-author": "published articles without an author",
    "no-standfirst": "published articles without a standfirst",
    "disclosure-dates": "disclosures with impossible dates",
}


class Command(StaffCommand):
    help = (
        "Find problems editors must fix, and exit with status 1 when there are any\n"
        "(for CI and cron). It reads only; it changes nothing.\n\nChecks:\n"
        + "\n".join(f"  {name:18} {meaning}" for name, meaning in CHECKS.items())
    )
    examples = """
        manage.py check_content
        manage.py check_content --format json > problems.json
        manage.py check_content -v 0 || mail -s "Content problems" desk@example.com < /dev/null
    """

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="text for people (default), json for machines.",
        )

    def handle(self, *args: Any, format: str, verbosity: int, **options: Any) -> None:
        total = Article.objects.count()
        with self.progress(
            total=total, desc="Checking", unit="articles", verbosity=verbosity
        ) as bar:
            problems = [
                *content_checks.body_problems(on_article=bar.update),
                *content_checks.image_problems(),
                *content_checks.published_problems(),
                *content_checks.disclosure_problems(),
            ]
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {"count": len(problems), "problems": [p.as_dict() for p in problems]}, indent=2
                )
            )
        elif verbosity > 0:
            for problem in problems:
                self.stdout.write(
                    f"{problem.check}: {problem.model} {problem.name} {problem.message} "
                    f"({problem.admin_url})"
                )
        if problems:
            raise CommandError(
                counted(
                    len(problems),
                    "%(count)s content problem found.",
                    "%(count)s content problems found.",
                )
            )
        if verbosity > 0 and format == "text":
            self.stdout.write(self.style.SUCCESS("No content problems found."))
