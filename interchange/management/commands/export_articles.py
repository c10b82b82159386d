from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db.models import Q, QuerySet
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from authors.models import Author
from disclosures.models import Organisation
from interchange import exporting
from interchange.schema import Record, to_json
from newsroom.commands import StaffCommand, temporary_files
from newsroom.markdown import marker_keys
from newsroom.plurals import counted
from pictures.models import Image

CHUNK = 500


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(StaffCommand):
    help = """\
Export articles as JSON Lines, with the authors and images they refer to and the
organisations whose register decides their disclosures, to a file or to stdout.
import_articles reads the result back: exporting then importing into an empty
database reproduces the same content, disclosures included (the register, the
authors' interests and what each article carried at publication).

Without filters, every organisation, author and image is exported too (those no
article names yet included), so the whole site moves. Filters combine: an article
is exported when it matches all of them; then the organisations are those whose
topics the articles have, the authors those in their bylines or quoted, the
images those they show. Dates are publication days in the site's time zone, both
ends included. Image files are copied to --media-dir, under the paths the records
name."""
    examples = """
        manage.py export_articles -o all.jsonl --media-dir all-media
        manage.py export_articles --status published --since 2024-01-01 \\
            --until 2024-12-31 > 2024.jsonl
        manage.py export_articles --author slauchlan --tag salesforce -o salesforce.jsonl
        manage.py export_articles --status draft --dry-run   # how many would be exported
    """
    interrupted = "the output file was not written"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "-o", "--output", metavar="FILE", default="-", help="Where to write (default: stdout)."
        )
        parser.add_argument(
            "--media-dir", metavar="DIR", help="Copy the image files into this folder."
        )
        parser.add_argument(
            "--status",
            action="append",
            choices=Article.Status.values,
            help="Only articles with this status (repeatable).",
        )
        parser.add_argument(
            "--since", type=iso_date, metavar="DATE", help="Only articles published on or after."
        )
        parser.add_argument(
            "--until", type=iso_date, metavar="DATE", help="Only articles published on or before."
        )
        parser.add_argument(
            "--author",
            action="append",
            metavar="SLUG",
            help="Only articles by this author (repeatable).",
        )
        parser.add_argument(
            "--tag",
            action="append",
            metavar="SLUG",
            help="Only articles with this tag (repeatable).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be exported; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        articles = self.select(options)
        filters = ("status", "since", "until", "author", "tag")
        self.everything = not any(options[name] for name in filters)
        to_stdout = options["output"] == "-"
        # With the data on stdout, the report goes to stderr.
        report = self.stderr if to_stdout else self.stdout
        count = articles.count()
        if options["dry_run"]:
            report.write(
                "Dry run: "
                + counted(
                    count,
                    "%(count)s article would be exported.",
                    "%(count)s articles would be exported.",
                )
            )
            return
        media_dir = Path(options["media_dir"]) if options["media_dir"] else None
        with self.progress(
            total=count, desc="Exporting", unit="articles", verbosity=options["verbosity"]
        ) as bar:
            records = self.records(articles, media_dir, on_article=bar.update)
            with temporary_files():
                if to_stdout:
                    for record in records:
                        self.stdout.write(json.dumps(to_json(record), ensure_ascii=False))
                else:
                    self.write_file(Path(options["output"]), records)
        if options["verbosity"] > 0:
            where = "" if to_stdout else f" to {options['output']}"
            exported = counted(count, "Exported %(count)s article", "Exported %(count)s articles")
            report.write(self.style.SUCCESS(f"{exported}{where}."))

    def select(self, options: dict[str, Any]) -> QuerySet[Article]:
        articles = Article.objects.order_by("published_at", "pk")
        if options["status"]:
            articles = articles.filter(status__in=options["status"])
        if options["since"]:
            articles = articles.filter(published_at__date__gte=options["since"])
        if options["until"]:
            articles = articles.filter(published_at__date__lte=options["until"])
        for slug in options["author"] or []:
            if not Author.objects.filter(slug=slug).exists():
                raise CommandError(f"No author has the slug {slug!r}.")
        if options["author"]:
            articles = articles.filter(bylines__author__slug__in=options["author"])
        for slug in options["tag"] or []:
            if not Tag.objects.filter(slug=slug).exists():
                raise CommandError(f"No tag has the slug {slug!r}.")
        if options["tag"]:
            articles = articles.filter(tags__slug__in=options["tag"])
        # The byline and tag joins can repeat an article.
        return articles.distinct()

    def records(
        self, articles: QuerySet[Article], media_dir: Path | None, on_article: Any
    ) -> Iterator[Record]:
        """Meta, then the organisations, authors and images the articles need (all of
        them without filters), then the articles."""
        yield exporting.meta_record()
        organisations = Organisation.objects.order_by("slug")
        if not self.everything:
            topics = TaggedArticle.objects.filter(content_object__in=articles).values("tag_id")
            organisations = organisations.filter(tag_id__in=topics)
        for organisation in exporting.organisations_for_export(organisations):
            yield exporting.organisation_record(organisation)
        authors = Author.objects.order_by("slug")
        if not self.everything:
            # In a byline, or quoted (a speaker who is one of the authors).
            authors = authors.filter(
                Q(bylines__article__in=articles) | Q(speaker__quotes__article__in=articles)
            ).distinct()
        for author in exporting.authors_for_export(authors).iterator(chunk_size=CHUNK):
            if author.photo:
                self.copy_file(author.photo.name, media_dir)
            yield exporting.author_record(author)
        images = Image.objects.all()
        if not self.everything:
            placed = set()
            for body in articles.values_list("body", flat=True).iterator(chunk_size=CHUNK):
                placed.update(marker_keys(body, "image"))
            images = images.filter(Q(lead_of__in=articles) | Q(key__in=placed)).distinct()
        for image in images.order_by("key").iterator(chunk_size=CHUNK):
            if image.file:  # a missing picture travels as its address alone
                self.copy_file(image.file.name, media_dir)
            yield exporting.image_record(image)
        for article in exporting.for_export(articles).iterator(chunk_size=CHUNK):
            yield exporting.article_record(article)
            on_article()

    def copy_file(self, name: str, media_dir: Path | None) -> None:
        if media_dir is None:
            return
        if not default_storage.exists(name):
            self.stderr.write(self.style.WARNING(f"{name}: missing from storage, not copied."))
            return
        target = media_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)

    def write_file(self, path: Path, records: Iterator[Record]) -> None:
        """Write beside the target and rename at the end: an error or Ctrl-C never
        leaves a half-written file under the real name."""
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder.")
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                self.write_lines(stream, records)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @staticmethod
    def write_lines(stream: IO[str], records: Iterator[Record]) -> None:
        for record in records:
            stream.write(json.dumps(to_json(record), ensure_ascii=False))
            stream.write("\n")
