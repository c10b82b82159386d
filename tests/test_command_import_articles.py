"""import_articles: JSON Lines and WordPress exports, checked first, idempotent, all or nothing."""

import datetime
import io
import json
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from django.core.management.base import CommandError, OutputWrapper
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from articles.models import Article
from articles.search import search_vector
from authors.models import Author
from disclosures.models import Disclosure, Organisation
from interchange.writing import Writer
from newsroom.commands import Progress
from pictures.models import Image
from quotes.models import Speaker
from tests.base import DATA, SEED_SLUG, run_command, stored_files
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DisclosureFactory,
    OrganisationFactory,
)

JSONL = DATA / "jsonl"
ARTICLES = str(JSONL / "articles.jsonl")
BAD = str(JSONL / "bad.jsonl")
MEDIA = str(JSONL / "media")
WXR = DATA / "wordpress"


def import_articles(*args: str, **options: object) -> tuple[str, str]:
    return run_command("import_articles", *args, **options)


class JsonLinesImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output, cls.errors = import_articles(ARTICLES, "--media-dir", MEDIA)

    def test_imports_articles_with_everything_they_carry(self) -> None:
        """Fields, bylines in order, tags, quotes with speakers, citations, corrections,
        disclosures and images arrive."""
        article = Article.objects.get(slug="councils-sign-up-for-sovereign-cloud")
        self.assertEqual(str(article.uid), "0b7d3c5e-2f5a-4d8e-9a61-3c2b1f4e8d01")
        self.assertEqual(article.headline, "Councils sign up for a sovereign cloud")
        self.assertEqual(article.kind, Article.Kind.ANALYSIS)
        self.assertEqual(article.dateline, "LONDON")
        self.assertTrue(article.backstory.startswith("Councils [hesitated for years]"))
        self.assertEqual(
            list(article.citations.values_list("title", "url", "position")),
            [
                (
                    "Speech to the Local Government Association",
                    "https://www.example.gov/speeches/sovereign-cloud",
                    0,
                ),
                ("Council procurement notices, March 2024", "", 1),
            ],
        )
        self.assertEqual(
            article.published_at, datetime.datetime(2024, 3, 5, 9, 30, tzinfo=datetime.UTC)
        )
        self.assertEqual([a.slug for a in article.ordered_authors], ["amira-chen", "tom-okafor"])
        self.assertCountEqual(
            article.tags.values_list("slug", flat=True),
            ["cloud-computing", "digital-government", "example-cloud"],
        )
        minister, analyst = article.quotes.all()
        self.assertEqual(minister.said_on, datetime.date(2024, 3, 4))
        self.assertEqual(minister.source_kind, "speech")
        self.assertEqual(analyst.speaker.author.slug, "tom-okafor")
        self.assertTrue(analyst.is_pull_quote)
        self.assertEqual(article.corrections.get().text[:20], "An earlier version g")
        disclosure = article.own_disclosures.get()
        self.assertEqual(disclosure.organisation.slug, "example-cloud")
        self.assertIsNone(disclosure.valid_until)
        self.assertEqual(article.lead_image.key, "cloud-summit-stage")
        self.assertEqual(article.lead_image.width, 320)
        with article.lead_image.file.open("rb") as stored:
            self.assertEqual(
                stored.read(), (JSONL / "media/pictures/cloud-summit.jpg").read_bytes()
            )
        self.assertTrue(Image.objects.get(key="data-centre-aisle").is_decorative)

    def test_speakers_from_a_name_or_in_full(self) -> None:
        """A speaker given by name is a new person; one given in full keeps its description,
        organisation (made from the entry, with its topic) and author."""
        minister = Speaker.objects.get(slug="jo-minister")
        self.assertEqual((minister.name, minister.kind), ("Jo Minister", Speaker.Kind.PERSON))
        self.assertIsNone(minister.organisation)
        analyst = Speaker.objects.select_related("organisation__tag").get(slug="tom-okafor")
        self.assertEqual(analyst.description, "Cloud analyst and contributor")
        self.assertEqual(analyst.organisation.name, "Example Cloud")
        self.assertEqual(analyst.organisation.url, "https://cloud.example/")
        self.assertEqual(analyst.organisation.tag.slug, "example-cloud")
        # The disclosure names the same organisation: one row, the article's topic.
        self.assertEqual(Organisation.objects.filter(slug="example-cloud").count(), 1)
        self.assertEqual(Tag.objects.filter(slug="example-cloud").count(), 1)

    def test_imports_authors_with_photo_and_links(self) -> None:
        author = Author.objects.get(slug="amira-chen")
        self.assertEqual(author.job_title, "Cloud correspondent")
        self.assertEqual(author.photo_width, 120)
        self.assertEqual(
            [(link.label, link.url) for link in author.links.all()],
            [
                ("Mastodon", "https://mastodon.example/@amira"),
                ("Website", "https://amira.example.com/"),
            ],
        )

    def test_live_articles_are_not_announced_again(self) -> None:
        """Already-live imports are marked announced; a scheduled one waits for its time."""
        self.assertIsNotNone(Article.objects.get(slug="why-councils-hesitate").went_live_at)
        scheduled = Article.objects.get(slug="cloud-budget-preview")
        self.assertIsNone(scheduled.went_live_at)
        self.assertFalse(scheduled.is_live)

    def test_record_without_uid_gets_one_from_its_slug(self) -> None:
        """A hand-written record without uid still re-imports onto the same article."""
        draft = Article.objects.get(slug="notes-on-procurement")
        self.assertEqual(draft.status, Article.Status.DRAFT)
        output, _ = import_articles(ARTICLES, "--media-dir", MEDIA)
        self.assertIn("Articles: 0 created, 0 updated, 4 unchanged.", output)

    def test_reports_counts(self) -> None:
        self.assertIn("Articles: 4 created, 0 updated, 0 unchanged.", self.output)
        self.assertIn("Authors: 2 created, 0 updated, 0 unchanged.", self.output)
        self.assertIn("Images: 2 created, 0 updated, 0 unchanged.", self.output)

    def test_importing_twice_changes_nothing(self) -> None:
        """No new rows, no new files, no version bump: every record is "unchanged"."""
        files, versions = stored_files(), dict(Article.objects.values_list("slug", "version"))
        output, _ = import_articles(ARTICLES, "--media-dir", MEDIA)
        self.assertIn("Authors: 0 created, 0 updated, 2 unchanged.", output)
        self.assertIn("Images: 0 created, 0 updated, 2 unchanged.", output)
        self.assertEqual(dict(Article.objects.values_list("slug", "version")), versions)
        self.assertEqual(stored_files(), files)
        self.assertEqual(Tag.objects.filter(slug="digital-government").count(), 1)

    def test_changed_record_updates_the_same_article(self) -> None:
        """Matched on uid: a new headline and slug update the article in place."""
        before = Article.objects.get(slug="why-councils-hesitate")
        with tempfile.TemporaryDirectory() as folder:
            changed = Path(folder) / "changed.jsonl"
            lines = Path(ARTICLES).read_text().splitlines()
            record = json.loads(lines[6])
            record.update(
                slug="why-councils-still-hesitate", headline="Why councils still hesitate"
            )
            changed.write_text(json.dumps(record) + "\n")
            output, _ = import_articles(str(changed))
        after = Article.objects.get(pk=before.pk)
        self.assertEqual(after.slug, "why-councils-still-hesitate")
        self.assertEqual(after.version, before.version + 1)
        self.assertIn("Articles: 0 created, 1 updated, 0 unchanged.", output)

    @unittest.skipUnless(connection.vendor == "postgresql", "search vectors are PostgreSQL's")
    def test_search_vectors_are_built_as_a_save_would(self) -> None:
        """Articles are written in bulk, without the signals: the import builds their
        search vectors itself before it commits, the same as saving each would (bylines,
        topics and quotes included), for new articles and for updated ones."""
        with tempfile.TemporaryDirectory() as folder:
            record = json.loads(Path(ARTICLES).read_text().splitlines()[6])
            record.update(headline="Why councils still hesitate")
            import_articles(write_jsonl(folder, record))
        imported = Article.objects.exclude(slug=SEED_SLUG)
        fresh = imported.annotate(fresh=search_vector()).values_list("search_vector", "fresh")
        self.assertEqual(len(fresh), 4)
        for stored, rebuilt in fresh:
            self.assertEqual(stored, rebuilt)

    def test_verbosity_2_names_each_record(self) -> None:
        output, _ = import_articles(ARTICLES, "--media-dir", MEDIA, verbosity=2)
        self.assertIn("line 7: article 0b7d3c5e-2f5a-4d8e-9a61-3c2b1f4e8d02 unchanged", output)

    def test_verbosity_0_says_nothing(self) -> None:
        self.assertEqual(import_articles(ARTICLES, "--media-dir", MEDIA, verbosity=0), ("", ""))


def write_jsonl(folder: str, *records: dict[str, object]) -> str:
    path = Path(folder) / "records.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return str(path)


def article(slug: str, **fields: object) -> dict[str, object]:
    return {"type": "article", "slug": slug, "headline": slug.title(), **fields}


class DisclosureRecordingTests(TestCase):
    """Imported articles carry the disclosures due at their publication time, from this
    site's register, as the publish move records them."""

    @classmethod
    def setUpTestData(cls) -> None:
        example = OrganisationFactory(
            name="Example Cloud",
            slug="example-cloud",
            tag=Tag.objects.create(name="Example Cloud", slug="example-cloud"),
            url="https://cloud.example/",
        )
        DisclosureFactory(
            organisation=example,
            statement="Example Cloud sponsors our cloud coverage",
            kind=Disclosure.Kind.SPONSOR,
            valid_from=datetime.date(2024, 1, 1),
        )
        DisclosureFactory(
            organisation=example,
            statement="Example Cloud became a partner",
            valid_from=datetime.date(2025, 1, 1),
        )

    def test_published_articles_record_what_was_due_at_publication(self) -> None:
        """The entry valid on the day of publication, not the later one; the article's
        own disclosure is shown after it; a draft records nothing."""
        with mock.patch.object(
            Writer, "record_disclosures", wraps=Writer.record_disclosures
        ) as recorded:
            import_articles(ARTICLES, "--media-dir", MEDIA)
        published = Article.objects.get(slug="councils-sign-up-for-sovereign-cloud")
        self.assertEqual(published.disclosures_as_of, published.published_at)
        self.assertEqual(
            [d.statement for d in published.disclosures()],
            [
                "Example Cloud sponsors our cloud coverage",
                "Tom Okafor has advised Example Cloud in the past",
            ],
        )
        draft = Article.objects.get(slug="notes-on-procurement")
        self.assertIsNone(draft.disclosures_as_of)
        self.assertFalse(draft.recorded_disclosures.exists())
        # Every published article written (three: two live, one scheduled), in one batch.
        self.assertEqual(recorded.call_count, 1)
        imported = Article.objects.filter(status="published").exclude(slug=SEED_SLUG)
        self.assertCountEqual(
            [a.slug for a in recorded.call_args.args[0] if a.status == "published"],
            imported.values_list("slug", flat=True),
        )

        with mock.patch.object(
            Writer, "record_disclosures", wraps=Writer.record_disclosures
        ) as recorded:
            import_articles(ARTICLES, "--media-dir", MEDIA)
        self.assertEqual(recorded.call_count, 0)  # nothing changed, nothing to record

    def test_dry_run_records_nothing(self) -> None:
        import_articles(ARTICLES, "--media-dir", MEDIA, "--dry-run")
        self.assertFalse(
            Article.objects.filter(slug="councils-sign-up-for-sovereign-cloud").exists()
        )
        self.assertFalse(
            Article.objects.exclude(slug=SEED_SLUG).filter(recorded_disclosures__isnull=False)
        )


class SharedEntryTests(TestCase):
    """Speakers and organisations travel inside articles; an import keeps them consistent."""

    def test_a_name_leaves_an_existing_speaker_as_editors_described_them(self) -> None:
        """Giving only the name refers to the speaker; it does not reset their details, so
        the article counts as unchanged on the next import."""
        with tempfile.TemporaryDirectory() as folder:
            path = write_jsonl(
                folder,
                article(
                    "quoting-employees",
                    body="[[quote:q]]",
                    quotes=[{"key": "q", "text": "We object.", "speaker": "Salesforce employees"}],
                ),
            )
            output, _ = import_articles(path)
            self.assertIn("Articles: 1 created", output)
            output, _ = import_articles(path)
            self.assertIn("Articles: 0 created, 0 updated, 1 unchanged.", output)
        speaker = Speaker.objects.get(slug="salesforce-employees")
        self.assertEqual(speaker.kind, Speaker.Kind.GROUP)
        self.assertEqual(speaker.organisation.slug, "salesforce")

    def test_a_field_given_changes_the_speaker(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            speaker = {"name": "Salesforce employees", "description": "Staff who signed"}
            quote = {"key": "q", "text": "We object.", "speaker": speaker}
            output, _ = import_articles(write_jsonl(folder, article("a", quotes=[quote])))
        self.assertIn("Articles: 1 created", output)
        speaker = Speaker.objects.get(slug="salesforce-employees")
        self.assertEqual(speaker.description, "Staff who signed")
        self.assertEqual(speaker.kind, Speaker.Kind.GROUP)

    def test_records_that_disagree_about_a_speaker_are_bad(self) -> None:
        """Two records giving one speaker different names: the second is refused, with the
        place of the first; so are two speakers claiming one author."""
        first = {"key": "q", "text": "Yes.", "speaker": {"name": "Jo Minister", "slug": "jo"}}
        second = {"key": "q", "text": "No.", "speaker": {"name": "Joanna Minister", "slug": "jo"}}
        third = {"key": "q", "text": "Maybe.", "speaker": {"name": "A", "author": "amira-chen"}}
        fourth = {"key": "q", "text": "Never.", "speaker": {"name": "B", "author": "amira-chen"}}
        author = {"type": "author", "slug": "amira-chen", "name": "Amira Chen"}
        with tempfile.TemporaryDirectory() as folder:
            path = write_jsonl(
                folder,
                author,
                article("one", quotes=[first]),
                article("two", quotes=[second]),
                article("three", quotes=[third]),
                article("four", quotes=[fourth]),
            )
            errors = io.StringIO()
            with self.assertRaisesMessage(CommandError, "2 bad records; nothing was imported"):
                run_command("import_articles", path, stderr=errors)
        lines = errors.getvalue().splitlines()
        self.assertIn("line 3: speaker 'jo': name differs from", lines[0])
        self.assertIn("records.jsonl line 2", lines[0])
        self.assertIn("line 5: author 'amira-chen' is claimed by two speakers", lines[1])
        self.assertFalse(Speaker.objects.filter(slug="jo").exists())

    def test_a_topic_that_stands_for_another_organisation_cannot_be_written(self) -> None:
        """The register's organisation keeps its topic; the import stops, nothing written."""
        disclosure = {
            "organisation": {"name": "Sales Force", "slug": "sales-force", "tag": "Salesforce"},
            "kind": "personal",
            "statement": "An interest",
            "valid_from": "2024-01-01",
        }
        with tempfile.TemporaryDirectory() as folder:
            path = write_jsonl(folder, article("taken-topic", disclosures=[disclosure]))
            with self.assertRaisesMessage(CommandError, "stands for 'salesforce'"):
                import_articles(path)
        self.assertFalse(Article.objects.filter(slug="taken-topic").exists())
        self.assertFalse(Organisation.objects.filter(slug="sales-force").exists())


class BadInputTests(TestCase):
    def assert_refused(self, message: str, *args: str) -> str:
        """The import fails with a one-line error and leaves the database and storage alone."""
        articles, files = Article.objects.count(), stored_files()
        errors = io.StringIO()
        with self.assertRaisesMessage(CommandError, message):
            run_command("import_articles", *args, stderr=errors)
        self.assertEqual(Article.objects.count(), articles)
        self.assertEqual(stored_files(), files)
        return errors.getvalue()

    def test_every_bad_record_is_listed_with_its_line_and_nothing_is_imported(self) -> None:
        errors = self.assert_refused(
            "9 bad records; nothing was imported (--partial would import the 3 good ones).",
            BAD,
            "--media-dir",
            MEDIA,
        )
        expected = {
            4: "unknown author 'nobody-here'",
            5: "duplicate slug 'good-story-1': also at",
            6: "status: Value 'live' is not a valid choice.",
            7: "needs a time zone",
            8: "headline is missing",
            9: "unknown field 'headine'",
            10: "places [[quote:missing]], but the article has no such quote",
            11: "not a valid JPEG, PNG, WebP or GIF picture",
            12: "truncated JSON",
        }
        lines = errors.splitlines()
        self.assertEqual(len(lines), len(expected))
        for line, (number, reason) in zip(lines, expected.items(), strict=True):
            self.assertIn(f"bad.jsonl line {number}: ", line)
            self.assertIn(reason, line)
        self.assertFalse(Author.objects.filter(slug="tom-okafor").exists())

    def test_partial_imports_the_good_records_and_lists_the_bad(self) -> None:
        errors = io.StringIO()
        output, _ = run_command(
            "import_articles", BAD, "--media-dir", MEDIA, "--partial", stderr=errors
        )
        self.assertCountEqual(
            Article.objects.filter(slug__startswith="good-story").values_list("slug", flat=True),
            ["good-story-1", "good-story-9"],
        )
        self.assertTrue(Author.objects.filter(slug="tom-okafor").exists())
        self.assertEqual(len(errors.getvalue().splitlines()), 9)
        self.assertIn("9 bad records were not imported", output)

    def test_focal_points_out_of_the_picture_half_given_or_not_numbers_are_refused(
        self,
    ) -> None:
        """An image's focal point is two fractions from 0 to 1, or none; a whole number
        (JSON writes 1.0 as 1) is one."""
        cases = [
            (
                {"focal_x": 1.5, "focal_y": 0.5},
                "focal_x: Ensure this value is less than or equal to 1",
            ),
            ({"focal_x": 0.5}, "give focal_x and focal_y both, or neither"),
            ({"focal_x": "left", "focal_y": 0.5}, 'focal_x must be float, not "left"'),
        ]
        for focus, message in cases:
            record = {"type": "image", "key": "harbour", "file": None, **focus}
            record["source_url"] = "https://example.com/harbour.jpg"
            with self.subTest(focus), tempfile.TemporaryDirectory() as folder:
                errors = self.assert_refused("1 bad record", write_jsonl(folder, record))
                self.assertIn(message, errors)
        with tempfile.TemporaryDirectory() as folder:
            record = {"type": "image", "key": "harbour", "file": None, "focal_x": 1, "focal_y": 0}
            record["source_url"] = "https://example.com/harbour.jpg"
            import_articles(write_jsonl(folder, record))
        self.assertEqual(Image.objects.get(key="harbour").focus, (1.0, 0.0))

    def test_slug_taken_by_another_article_in_the_database(self) -> None:
        ArticleFactory(slug="why-councils-hesitate")
        errors = self.assert_refused("1 bad record", ARTICLES, "--media-dir", MEDIA)
        self.assertIn(
            "line 7: duplicate slug 'why-councils-hesitate': another article has it", errors
        )

    def test_file_level_problems_are_one_line_errors(self) -> None:
        cases = [
            ("no such file", str(JSONL / "missing.jsonl")),
            ("not a file", str(JSONL)),
            ("a JSON array; expected JSON Lines", str(JSONL / "array.json")),
            ("neither JSON Lines nor a WordPress export", str(JSONL / "notes.txt")),
            ("refused: the XML declares a DTD or entities", str(WXR / "bomb.xml")),
            ("malformed XML (unclosed CDATA section: line 55", str(WXR / "malformed.xml")),
            ("not a WordPress export (WXR)", str(WXR / "not-wordpress.xml")),
        ]
        for message, path in cases:
            with self.subTest(path):
                self.assert_refused(message, path)

    def test_characters_xml_forbids_and_deep_nesting_are_one_line_errors(self) -> None:
        """A NUL, a lone surrogate (escaped in JSON, as it must be), any other control
        character, or nesting thousands deep: one line naming the record and the field,
        and nothing imported."""
        deep = json.dumps(article("bad-text", tags=[])).replace("[]", "[" * 50_000 + "]" * 50_000)
        cases = [
            (article("bad-text", headline="Bad\x00news"), "headline: U+0000 at character 4"),
            (article("bad-text", headline="Half \ud800 a pair"), "headline: U+D800 at character 6"),
            (article("bad-text", dateline="LONDON\x0b"), "dateline: U+000B at character 7"),
            (
                article("bad-text", quotes=[{"text": "\x1f"}]),
                "quotes[0].text: U+001F at character 1",
            ),
            (deep, "nested too deeply"),
        ]
        good = json.dumps(article("good-text"))
        for record, message in cases:
            # JSON escapes the characters as an export would carry them: "\u0000", "\ud800".
            line = record if isinstance(record, str) else json.dumps(record)
            with self.subTest(message), tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "records.jsonl"
                path.write_text(f"{good}\n{line}\n")
                errors = self.assert_refused("1 bad record; nothing was imported", str(path))
                [reported] = errors.splitlines()
                self.assertTrue(reported.startswith(f"{path} line 2: {message}"), reported)
        self.assertFalse(Article.objects.filter(slug__in=["good-text", "bad-text"]).exists())
        # A WordPress export cannot carry them: XML itself forbids them.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.xml"
            path.write_text((WXR / "export.xml").read_text().replace("<title>", "<title>\ufffe", 1))
            self.assert_refused("malformed XML (not well-formed (invalid token): line", str(path))

    def test_publication_before_the_embargo(self) -> None:
        """The embargo rule holds for imports too: no publication time before it."""
        record = json.loads(Path(ARTICLES).read_text().splitlines()[6])
        record.update(embargo_until="2024-02-02T00:00:00+00:00", embargo_by="A press office")
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as embargoed:
            embargoed.write(json.dumps(record) + "\n")
            embargoed.flush()
            errors = self.assert_refused("1 bad record", embargoed.name)
        self.assertIn("line 1: article 'why-councils-hesitate': published_at is before", errors)

    def test_empty_file(self) -> None:
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as empty:
            self.assert_refused("the file is empty", empty.name)

    def test_truncated_file(self) -> None:
        errors = self.assert_refused("1 bad record", str(JSONL / "truncated.jsonl"))
        self.assertIn("truncated.jsonl line 3: truncated JSON", errors)

    def test_bad_encoding(self) -> None:
        errors = self.assert_refused("1 bad record", str(JSONL / "latin1.jsonl"))
        self.assertIn("line 2: not UTF-8 text (byte 0xfc", errors)

    def test_dry_run_counts_and_writes_nothing(self) -> None:
        files = stored_files()
        output, _ = import_articles(ARTICLES, "--media-dir", MEDIA, "--dry-run")
        self.assertIn("Dry run", output)
        self.assertIn("Articles: 4 created", output)
        self.assertFalse(Article.objects.filter(slug="why-councils-hesitate").exists())
        self.assertFalse(Author.objects.filter(slug="amira-chen").exists())
        self.assertEqual(stored_files(), files)

    def test_interrupt_leaves_nothing_half_written(self) -> None:
        """Ctrl-C in the middle (authors and images written, the articles being written):
        the transaction rolls back and stored files are removed."""
        files = stored_files()

        def interrupt(writer: Writer, changed: object) -> None:
            self.assertTrue(Image.objects.filter(key="cloud-summit-stage").exists())
            raise KeyboardInterrupt

        with (
            mock.patch.object(Writer, "write_articles", interrupt),
            self.assertRaisesMessage(CommandError, "Interrupted: nothing was imported.") as caught,
        ):
            import_articles(ARTICLES, "--media-dir", MEDIA)
        self.assertEqual(caught.exception.returncode, 130)
        self.assertFalse(
            Article.objects.filter(slug="councils-sign-up-for-sovereign-cloud").exists()
        )
        self.assertFalse(Image.objects.filter(key="cloud-summit-stage").exists())
        self.assertEqual(stored_files(), files)


class WordPressImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output, _ = import_articles(str(WXR / "export.xml"), verbosity=2)

    def test_posts_become_articles(self) -> None:
        """The teaser before <!--more--> is the standfirst; quotes and images become markers."""
        article = Article.objects.get(slug="salesforce-staff-question-border-agency-contract")
        self.assertEqual(article.status, Article.Status.PUBLISHED)
        self.assertEqual(
            article.published_at, datetime.datetime(2018, 6, 25, 9, tzinfo=datetime.UTC)
        )
        self.assertTrue(article.standfirst.startswith("Over 650 Salesforce employees"))
        self.assertIn("company’s contract", article.standfirst)
        self.assertNotIn("Over 650", article.body)
        self.assertNotIn("<!--", article.body)
        self.assertIn("[[quote:quote-1]]\n\n[[image:wp-201]]", article.body)
        quote = article.quotes.get()
        # The site's speaker of that name, as editors described them (not overwritten).
        self.assertEqual(quote.speaker.name, "Salesforce employees")
        self.assertEqual(quote.speaker.kind, Speaker.Kind.GROUP)
        self.assertEqual(quote.speaker.organisation.slug, "salesforce")
        self.assertTrue(quote.text.startswith("Those values often feel abstract"))
        self.assertEqual(article.lead_image.key, "wp-200")
        self.assertEqual([a.name for a in article.ordered_authors], ["Jane Moore"])
        self.assertCountEqual(article.tags.values_list("slug", flat=True), ["cloud", "salesforce"])
        self.assertEqual(article.uid, Article.objects.get(pk=article.pk).uid)

    def test_classic_editor_post_with_excerpt_and_caption_shortcode(self) -> None:
        article = Article.objects.get(slug="why-cloud-contracts-are-now-an-ethics-question")
        self.assertEqual(
            article.standfirst, "Staff at three vendors have asked what their code is used for."
        )
        self.assertIn("[[image:wp-200]]", article.body)
        self.assertNotIn("[caption", article.body)
        self.assertCountEqual(article.tags.values_list("slug", flat=True), ["ethics", "salesforce"])
        self.assertEqual(article.ordered_authors[0].name, "Priya Khan")

    def test_drafts_keep_their_status_and_get_a_slug_from_the_title(self) -> None:
        draft = Article.objects.get(slug="draft-what-the-letter-means-for-dreamforce")
        self.assertEqual(draft.status, Article.Status.DRAFT)
        self.assertIsNone(draft.published_at)

    def test_attachments_become_images_from_the_uploads_folder(self) -> None:
        image = Image.objects.get(key="wp-200")
        self.assertEqual(image.alt_text, "Marc Benioff speaking on a stage")
        self.assertEqual(image.caption, "Marc Benioff at the World Economic Forum")
        with image.file.open("rb") as stored:
            self.assertEqual(stored.read(), (WXR / "uploads/2018/06/benioff.jpg").read_bytes())
        self.assertEqual(Image.objects.get(key="wp-201").width, 240)

    def test_pages_and_menu_items_are_skipped_and_said_so(self) -> None:
        self.assertIn("item 6 (About us): skipped, a WordPress page", self.output)
        self.assertIn("item 7 (Home): skipped, a WordPress nav_menu_item", self.output)
        self.assertFalse(Article.objects.filter(slug="about").exists())

    def test_importing_the_export_twice_changes_nothing(self) -> None:
        output, _ = import_articles(str(WXR / "export.xml"))
        self.assertIn("Articles: 0 created, 0 updated, 3 unchanged.", output)
        self.assertIn("Images: 0 created, 0 updated, 2 unchanged.", output)

    def test_unknown_author_is_said_and_the_post_comes_in(self) -> None:
        """A post by a login the export lists no author for comes in without a byline
        (the login is never made public), and the report says so."""
        output, _ = import_articles(str(WXR / "unknown-author.xml"))
        self.assertIn(
            "unknown-author.xml item 2 (A post by a guest whose account was deleted): its author "
            "is not among the export's authors",
            output,
        )


class ProgressTests(TestCase):
    def test_plain_lines_when_not_a_terminal(self) -> None:
        """In a log, a plain line now and then (here: every update) instead of a bar."""
        with mock.patch.object(Progress, "PLAIN_SECONDS", 0):
            _, errors = import_articles(ARTICLES, "--media-dir", MEDIA, "--dry-run")
        self.assertIn("Checking: 100% (", errors)
        self.assertNotIn("\r", errors)

    def test_short_work_prints_no_progress(self) -> None:
        _, errors = import_articles(ARTICLES, "--media-dir", MEDIA, "--dry-run")
        self.assertEqual(errors, "")

    def test_bar_on_a_terminal(self) -> None:
        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        terminal = Terminal()
        with Progress(
            OutputWrapper(terminal), total=200, desc="Checking", unit="B", verbosity=1
        ) as bar:
            bar.update(100)
        self.assertIn("Checking:   0%|", terminal.getvalue())
        self.assertIn("\r", terminal.getvalue())


class BatchWriteTests(TestCase):
    """Articles are written in batches, each in one savepoint."""

    def test_queries_do_not_grow_with_the_articles(self) -> None:
        """Articles are written in batches: three cost the queries of one, once the
        authors, topics and speakers they share exist."""
        AuthorFactory(slug="ana-writer")

        def record(n: int) -> dict[str, object]:
            return article(
                f"story-{n}",
                status="published",
                published_at="2024-03-05T09:30:00+00:00",
                authors=["ana-writer"],
                tags=["Cloud computing", "Example Cloud"],
                body="[[quote:q]]",
                quotes=[{"key": "q", "text": "We object.", "speaker": "Salesforce employees"}],
                citations=[{"title": "A speech"}],
                corrections=[{"text": "Fixed.", "published_at": "2024-03-06T09:30:00+00:00"}],
            )

        def queries(*numbers: int) -> int:
            with tempfile.TemporaryDirectory() as folder:
                path = write_jsonl(folder, *map(record, numbers))
                with CaptureQueriesContext(connection) as captured:
                    output, _ = import_articles(path)
            self.assertIn(f"Articles: {len(numbers)} created", output)
            return len(captured)

        queries(0)  # the topics and the speaker
        self.assertEqual(queries(1), queries(2, 3, 4))

    def test_a_record_that_fails_to_write_is_named(self) -> None:
        """A record can pass the check and fail to write (here: its disclosure's new
        organisation claims a topic another organisation in the database stands for).
        The batch is written again one record at a time: the import names that record
        and imports nothing, or, with --partial, imports the others."""
        OrganisationFactory(
            slug="example-cloud", tag=Tag.objects.create(name="Example Cloud", slug="cloud")
        )
        claim = {
            "organisation": {"name": "Other", "tag": {"name": "Example Cloud", "slug": "cloud"}},
            "kind": Disclosure.Kind.SPONSOR.value,
            "statement": "Other sponsors us",
            "valid_from": "2024-01-01",
        }
        with tempfile.TemporaryDirectory() as folder:
            path = write_jsonl(folder, article("good-one"), article("bad-one", disclosures=[claim]))
            with self.assertRaisesMessage(
                CommandError, "line 2: could not write: [\"organisation 'other': the topic 'cloud'"
            ):
                import_articles(path)
            self.assertFalse(Article.objects.filter(slug="good-one").exists())
            output, errors = import_articles(path, "--partial")
        self.assertIn("line 2: could not write", errors)
        self.assertIn("1 bad record was not imported", output)
        self.assertTrue(Article.objects.filter(slug="good-one").exists())
        self.assertFalse(Article.objects.filter(slug="bad-one").exists())
        self.assertFalse(Organisation.objects.filter(slug="other").exists())
