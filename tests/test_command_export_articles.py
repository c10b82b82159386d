"""export_articles: JSON Lines out, filters, and a faithful round trip through import."""

import datetime
import hashlib
import json
import tempfile
import unittest
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase
from taggit.models import Tag

from articles.models import Article
from articles.services import record_disclosures
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure, Organisation, RecordedDisclosure
from interchange import exporting, schema
from interchange.management.commands import import_articles as import_command
from newsroom.commands import temporary_files
from pictures.models import Image
from quotes.models import Quote, Speaker
from tests.base import SEED_SLUG, run_command
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    AuthorInterestFactory,
    AuthorLinkFactory,
    CitationFactory,
    CorrectionFactory,
    DisclosureFactory,
    ImageFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
    png_bytes,
)

PUBLISHED = datetime.datetime(2024, 5, 2, 9, 15, tzinfo=datetime.UTC)
EMBARGO = ["embargo_until", "embargo_by", "embargo_note"]


def file_hash(field_file: Any) -> str | None:
    if not field_file:
        return None
    with field_file.open("rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def image_snapshot(image: Image | None) -> dict[str, Any] | None:
    if image is None:
        return None
    fields = [
        "key", "alt_text", "is_decorative", "caption", "credit", "width", "height", "focal_x",
        "focal_y",
    ]  # fmt: skip
    return {**{name: getattr(image, name) for name in fields}, "file": file_hash(image.file)}


def organisation_snapshot(organisation: Organisation | None) -> tuple[str, ...] | None:
    if organisation is None:
        return None
    tag = organisation.tag
    fields = [organisation.name, organisation.slug, organisation.description, organisation.url]
    return (*fields, tag.name, tag.slug)


def author_snapshot(author: Author) -> dict[str, Any]:
    fields = ["slug", "name", "job_title", "bio", "expertise", "photo_width", "photo_height"]
    return {
        **{name: getattr(author, name) for name in fields},
        "photo": file_hash(author.photo),
        "links": [(link.label, link.url, link.position) for link in author.links.all()],
        # The author's register of interests.
        "interests": sorted(
            (
                organisation_snapshot(i.organisation),
                i.kind,
                i.statement,
                i.started_on,
                i.ended_on,
            )
            for i in author.interests.all()
        ),
    }


def recorded_source(record: RecordedDisclosure) -> tuple[Any, ...] | None:
    """What a recorded disclosure was copied from, by content (ids differ across sites)."""
    if record.disclosure is not None:
        d = record.disclosure
        return ("register", d.organisation.slug, d.kind, d.statement, d.valid_from)
    if record.interest is not None:
        i = record.interest
        return ("interest", i.author.slug, i.organisation.slug, i.kind, i.statement)
    return None


def speaker_snapshot(speaker: Speaker) -> tuple[Any, ...]:
    return (
        speaker.name,
        speaker.slug,
        speaker.kind,
        speaker.description,
        organisation_snapshot(speaker.organisation),
        speaker.author and speaker.author.slug,
    )


def content_snapshot() -> dict[str, Any]:
    """Everything readers and editors see, read from the models (not from the exporter)."""
    articles = {}
    for article in Article.objects.order_by("slug"):
        fields = ["uid", "headline", "standfirst", "body", "kind", "dateline", "backstory"]
        fields += ["status", "published_at", "updated_at", *EMBARGO, "disclosures_as_of"]
        articles[article.slug] = {
            **{name: getattr(article, name) for name in fields},
            "authors": [author_snapshot(a) for a in article.ordered_authors],
            "tags": sorted(article.tags.values_list("name", "slug")),
            "lead_image": image_snapshot(article.lead_image),
            "quotes": [
                (
                    q.key,
                    q.text,
                    speaker_snapshot(q.speaker),
                    q.source_kind,
                    q.source_title,
                    q.reported_by,
                    q.source_url,
                    q.said_on,
                    q.context,
                    q.is_pull_quote,
                    q.position,
                )
                for q in article.quotes.all()
            ],  # fmt: skip
            "citations": list(article.citations.values_list("title", "url", "position")),
            "corrections": sorted(article.corrections.values_list("kind", "text", "published_at")),
            "own disclosures": sorted(
                (
                    organisation_snapshot(d.organisation),
                    d.kind,
                    d.statement,
                    d.valid_from,
                    d.valid_until,
                )
                for d in article.own_disclosures.all()
            ),
            # What readers are told "at time of writing", as recorded at publication, in
            # the order shown, and where each was copied from.
            "carried disclosures": [
                (
                    d.organisation_name,
                    d.relationship,
                    d.statement,
                    d.valid_from,
                    d.valid_until,
                    d.position,
                    recorded_source(d),
                )
                for d in article.recorded_disclosures.all()
            ],
        }
    return {
        "articles": articles,
        "images": [image_snapshot(image) for image in Image.objects.order_by("key")],
        "authors": [author_snapshot(author) for author in Author.objects.order_by("slug")],
        "organisations": [organisation_snapshot(o) for o in Organisation.objects.order_by("slug")],
        # The publisher's register.
        "register": sorted(
            (
                organisation_snapshot(d.organisation),
                d.kind,
                d.statement,
                d.valid_from,
                d.valid_until,
            )
            for d in Disclosure.objects.register()
        ),
    }


def empty_database() -> None:
    """Everything gone: articles, authors (with their interests), images, speakers,
    organisations with the publisher's register, and topics."""
    Article.objects.all().delete()
    Speaker.objects.all().delete()
    Image.objects.all().delete()
    Author.objects.all().delete()
    Disclosure.objects.all().delete()
    Organisation.objects.all().delete()
    Tag.objects.all().delete()
    RecordedDisclosure.objects.all().delete()


class RoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        writer = AuthorFactory(name="Ana Writer", slug="ana", photo=None)
        writer.photo.save(
            "ana.png",
            ContentFile(png_bytes((90, 90))),
        )
        AuthorLinkFactory(author=writer, label="Mastodon", position=0)
        AuthorLinkFactory(author=writer, label="Website", position=1)
        second = AuthorFactory(name="Bo Second", slug="bo")
        ImageFactory(key="inline-chart", alt_text="", is_decorative=True, credit="")
        cls.article = ArticleFactory(
            slug="rich-story",
            headline="A rich story",
            kind=Article.Kind.ANALYSIS,
            dateline="SAN FRANCISCO",
            backstory="Why this matters: *the contract* was [disputed](https://example.com/).",
            published_at=PUBLISHED,
            updated_at=PUBLISHED + datetime.timedelta(days=1),
            embargo_until=PUBLISHED,
            embargo_by="Example Corp press office",
            embargo_note="Results embargoed until the market opens.",
            lead_image=ImageFactory(
                key="lead-photo", caption="On stage", credit="Agency", focal_x=0.2, focal_y=0.75
            ),
            body="Intro.\n\n[[quote:first]]\n\n[[image:inline-chart]]\n\nEnd.",
            authors=[second, writer],
        )
        cls.article.tags.add("Salesforce", "Ethics")
        example = OrganisationFactory(
            name="Example Corp",
            slug="example",
            tag=Tag.objects.create(name="Example Corporation", slug="example-corporation"),
            description="Makes examples.",
            url="https://example.com/",
        )
        analyst = SpeakerFactory(
            name="Ana Writer", slug="ana-writer", description="Our analyst", author=writer
        )
        spokesperson = SpeakerFactory(
            name="Example Corp", slug="example-corp", kind="organisation", organisation=example
        )
        QuoteFactory(
            article=cls.article, key="first", is_pull_quote=False, speaker=analyst,
            said_on=datetime.date(2024, 5, 1), source_url="https://example.com/letter", position=0,
        )  # fmt: skip
        QuoteFactory(article=cls.article, key="pull", position=1, speaker=spokesperson)
        CitationFactory(article=cls.article, title="The contract", position=0)
        CitationFactory(article=cls.article, title="A reply", url="", position=1)
        CorrectionFactory(article=cls.article, published_at=PUBLISHED + datetime.timedelta(days=1))
        DisclosureFactory(
            article=cls.article,
            organisation=example,
            kind=Disclosure.Kind.PERSONAL,
            statement="The author owns Example Corp shares",
            valid_from=datetime.date(2024, 1, 1),
        )
        # The register: a current entry the article carries and an ended one; the
        # writer's interests: a holding it carries, and an interest in an organisation
        # no article is tagged with (exported whole, with its author).
        cls.article.tags.add(example.tag)
        DisclosureFactory(
            organisation=example,
            kind=Disclosure.Kind.SPONSOR,
            statement="Example Corp sponsors our cloud conference",
            valid_from=datetime.date(2023, 6, 1),
        )
        DisclosureFactory(
            organisation=example,
            kind=Disclosure.Kind.CLIENT,
            statement="Example Corp was a client of our events arm",
            valid_from=datetime.date(2019, 1, 1),
            valid_until=datetime.date(2020, 12, 31),
        )
        AuthorInterestFactory(
            author=writer,
            organisation=example,
            kind=AuthorInterest.Kind.HOLDING,
            statement="Ana Writer owns shares in Example Corp",
            started_on=datetime.date(2022, 3, 1),
        )
        AuthorInterestFactory(
            author=writer,
            organisation=OrganisationFactory(name="Far Away Ltd", slug="far-away"),
            kind=AuthorInterest.Kind.BOARD,
            statement="Ana Writer advises Far Away Ltd",
            started_on=datetime.date(2021, 1, 1),
            ended_on=datetime.date(2021, 12, 31),
        )
        # Published as the publish move would: with the register's Salesforce and Example
        # Corp entries and the writer's holding.
        record_disclosures(article=cls.article)
        # Then the register moves on: the article keeps saying what was true then.
        Disclosure.objects.filter(statement__startswith="Example Corp sponsors").update(
            statement="Example Corp sponsored our cloud conference", valid_until=PUBLISHED.date()
        )
        # An author no article names yet, with an interest.
        AuthorInterestFactory(
            author=AuthorFactory(name="Cy New", slug="cy"), organisation=example, statement="Cy"
        )
        ArticleFactory(
            slug="a-draft", status=Article.Status.DRAFT, published_at=None, authors=[second]
        )

    def test_export_then_import_into_an_empty_database_reproduces_the_content(self) -> None:
        """Articles (dateline and backstory too), bylines in order, tags, quotes with their
        speakers (and the speakers' organisations and authors), citations, corrections,
        images with their files, the article's own disclosures and those it carried at
        publication (as recorded then, though the register has changed since, in order,
        linked to what they were copied from), authors with their interests (those no
        article names too), organisations and the publisher's register come back field
        by field."""
        before = content_snapshot()
        self.assertIn(SEED_SLUG, before["articles"])
        rich = before["articles"]["rich-story"]
        # The test can fail: every kind of disclosure is there to lose.
        carried = rich["carried disclosures"]
        self.assertEqual(len(carried), 3)
        self.assertEqual(
            [source and source[0] for *_, source in carried], ["register", "register", "interest"]
        )
        self.assertIn("Example Corp sponsors our cloud conference", {c[2] for c in carried})
        # Recorded as the register said then; still linked to the entry, edited since.
        sponsor = next(c for c in carried if "sponsors" in c[2])
        self.assertEqual(sponsor[-1][3], "Example Corp sponsored our cloud conference")
        self.assertEqual(len(before["register"]), 3)
        ana = next(a for a in before["authors"] if a["slug"] == "ana")
        self.assertEqual(len(ana["interests"]), 2)
        self.assertIn("cy", [a["slug"] for a in before["authors"]])
        self.assertEqual(len(rich["own disclosures"]), 1)
        self.assertEqual(len(rich["citations"]), 2)
        with tempfile.TemporaryDirectory() as folder:
            run_command(
                "export_articles", "-o", f"{folder}/all.jsonl", "--media-dir", f"{folder}/media"
            )
            empty_database()
            self.assertEqual(
                {k: v for k, v in content_snapshot().items() if v},
                {},
            )
            run_command("import_articles", f"{folder}/all.jsonl", "--media-dir", f"{folder}/media")
        after = content_snapshot()
        for slug in before["articles"]:
            with self.subTest(slug):
                self.assertEqual(after["articles"][slug], before["articles"][slug])
        self.assertEqual(after, before)

    def test_filters_choose_the_articles(self) -> None:
        cases = [
            (["--status", "draft"], ["a-draft"]),
            (["--since", "2024-05-02", "--until", "2024-05-02"], ["rich-story"]),
            (["--until", "2018-12-31"], [SEED_SLUG]),
            (["--author", "ana"], ["rich-story"]),
            (["--author", "bo", "--status", "published"], ["rich-story"]),
            (["--tag", "ethics"], [SEED_SLUG, "rich-story"]),
        ]
        for args, slugs in cases:
            with self.subTest(args):
                output, _ = run_command("export_articles", *args)
                records = [json.loads(line) for line in output.splitlines()]
                exported = [r["slug"] for r in records if r["type"] == "article"]
                self.assertCountEqual(exported, slugs)

    def test_export_to_stdout_is_only_json_lines(self) -> None:
        """Data on stdout, the report on stderr, so the output can be piped."""
        output, errors = run_command("export_articles")
        records = [json.loads(line) for line in output.splitlines()]
        self.assertEqual(records[0], schema.to_json(exporting.meta_record()))
        kinds = [r["type"] for r in records[1:]]
        # Organisations, authors and images, then the articles that refer to them.
        self.assertEqual(
            kinds, sorted(kinds, key=["organisation", "author", "image", "article"].index)
        )
        self.assertEqual(kinds.count("author"), 4)
        self.assertIn("Exported 3 articles.", errors)

    def test_only_the_authors_and_images_the_articles_need(self) -> None:
        output, _ = run_command("export_articles", "--status", "draft")
        records = [json.loads(line) for line in output.splitlines()]
        self.assertEqual([r["slug"] for r in records if r["type"] == "author"], ["bo"])
        self.assertEqual([r for r in records if r["type"] == "image"], [])

    def test_unknown_author_or_tag_is_an_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "No author has the slug 'nobody'."):
            run_command("export_articles", "--author", "nobody")
        with self.assertRaisesMessage(CommandError, "No tag has the slug 'nothing'."):
            run_command("export_articles", "--tag", "nothing")

    def test_dry_run_writes_no_file(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            output, _ = run_command("export_articles", "-o", f"{folder}/x.jsonl", "--dry-run")
            self.assertEqual(list(Path(folder).iterdir()), [])
        self.assertIn("Dry run: 3 articles would be exported.", output)
        _, report = run_command("export_articles", "--status", "draft", "--dry-run")
        self.assertIn("Dry run: 1 article would be exported.", report)

    def test_interrupted_export_leaves_no_file(self) -> None:
        """Written beside the target and renamed at the end: no half-written file."""
        real = exporting.article_record
        calls = []

        def interrupt_second(article: Article) -> dict[str, Any]:
            calls.append(article)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(article)

        with tempfile.TemporaryDirectory() as folder:
            with (
                mock.patch.object(exporting, "article_record", interrupt_second),
                self.assertRaisesMessage(
                    CommandError, "Interrupted: the output file was not written."
                ),
            ):
                run_command("export_articles", "-o", f"{folder}/all.jsonl")
            self.assertEqual(list(Path(folder).iterdir()), [])

    def test_missing_output_folder(self) -> None:
        with self.assertRaisesMessage(CommandError, "no-such-folder: no such folder."):
            run_command("export_articles", "-o", "/tmp/no-such-folder/all.jsonl", stderr=StringIO())


def temp_store() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        return int(cursor.fetchone()[0])


@unittest.skipUnless(connection.vendor == "sqlite", "SQLite's temporary storage")
class SortOnDiskTests(TransactionTestCase):
    """The export sorts every article (bodies included) by publication time: on SQLite,
    whose connections keep temporary storage in memory, that sort would grow the process
    with the archive (measured: see docs/performance.md). It runs with temporary files instead, and
    the connection gets its own setting back. Outside a transaction only: SQLite refuses
    the change inside one."""

    serialized_rollback = True  # the seeded story, for each test

    def test_the_export_reads_with_temporary_files_and_restores_the_setting(self) -> None:
        self.assertEqual(temp_store(), 2)  # MEMORY, from the settings
        seen = []
        record = exporting.article_record

        def spy(article: Any) -> Any:
            seen.append(temp_store())
            return record(article)

        with mock.patch.object(exporting, "article_record", spy):
            out, _ = run_command("export_articles", "-o", "-", verbosity=0)
        self.assertIn(SEED_SLUG, out)
        self.assertEqual(seen, [1])  # FILE while the seeded story was read
        self.assertEqual(temp_store(), 2)

    def test_inside_a_transaction_the_setting_stays(self) -> None:
        with transaction.atomic():
            with temporary_files():
                self.assertEqual(temp_store(), 2)
            out, _ = run_command("export_articles", "-o", "-", verbosity=0)
        self.assertIn(SEED_SLUG, out)

    def test_the_import_runs_with_temporary_files_too(self) -> None:
        seen = []
        check_sources = import_command.Command.check_sources

        def spy(command: Any, *args: Any) -> Any:
            seen.append(temp_store())
            return check_sources(command, *args)

        with tempfile.TemporaryDirectory() as folder:
            export = str(Path(folder) / "articles.jsonl")
            media = str(Path(folder) / "media")
            run_command("export_articles", "-o", export, "--media-dir", media, verbosity=0)
            with mock.patch.object(import_command.Command, "check_sources", spy):
                out, _ = run_command("import_articles", export, "--media-dir", media, "--dry-run")
        self.assertIn("Dry run", out)
        self.assertEqual(seen, [1])
        self.assertEqual(temp_store(), 2)


class IncompleteDraftTests(TestCase):
    def test_draft_quote_without_speaker_or_source_kind_goes_through(self) -> None:
        """A draft's quote that names no speaker or kind of source yet is exported (speaker
        null) and imported back as it was."""
        article = ArticleFactory(
            status=Article.Status.DRAFT, published_at=None, body="Text.\n\n[[quote:q]]"
        )
        QuoteFactory(article=article, key="q", speaker=None, source_kind="", is_pull_quote=False)
        with tempfile.TemporaryDirectory() as folder:
            media = f"{folder}/media"
            run_command("export_articles", "-o", f"{folder}/all.jsonl", "--media-dir", media)
            record = next(
                json.loads(line)
                for line in Path(f"{folder}/all.jsonl").read_text().splitlines()
                if json.loads(line).get("slug") == article.slug
            )
            self.assertIsNone(record["quotes"][0]["speaker"])
            Article.objects.filter(pk=article.pk).delete()
            run_command("import_articles", f"{folder}/all.jsonl", "--media-dir", media)
        quote = Quote.objects.get(article__slug=article.slug)
        self.assertEqual((quote.key, quote.speaker, quote.source_kind), ("q", None, ""))
