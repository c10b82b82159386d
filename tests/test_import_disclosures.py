"""import_articles and the disclosures: organisation records with the
publisher's register, authors' interests, and the disclosures articles carried at
publication, imported whole, idempotently, with line-numbered errors."""

import datetime
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from articles.services import record_disclosures
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure, Organisation, RecordedDisclosure
from tests.base import run_command
from tests.factories import ArticleFactory, DisclosureFactory, OrganisationFactory

META = {"type": "meta", "format": "newsroom-articles", "version": 2}
PUBLISHED = "2024-05-02T09:15:00+00:00"


def organisation(slug: str = "example", **fields: Any) -> dict[str, Any]:
    return {"type": "organisation", "name": "Example Corp", "slug": slug, **fields}


def entry(statement: str, valid_from: str = "2024-01-01", **fields: Any) -> dict[str, Any]:
    return {"kind": "partner", "statement": statement, "valid_from": valid_from, **fields}


def recorded(statement: str, source: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "organisation_name": "Example Corp",
        "relationship": "Partner",
        "statement": statement,
        "valid_from": "2024-01-01",
        "valid_until": None,
        "source": source,
    }


class ImportCase(TestCase):
    def import_records(self, *records: dict[str, Any], args: tuple[str, ...] = ()) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "records.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in [META, *records]))
            output, _ = run_command("import_articles", str(path), *args)
        return output

    def refused(self, *records: dict[str, Any]) -> list[str]:
        """The import fails and writes nothing; the error lines (one per bad record)."""
        counts = [Organisation.objects.count(), Disclosure.objects.count()]
        counts += [AuthorInterest.objects.count(), Article.objects.count()]
        errors = io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "records.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in [META, *records]))
            with self.assertRaisesMessage(CommandError, "nothing was imported"):
                run_command("import_articles", str(path), stderr=errors)
        self.assertEqual(
            [
                Organisation.objects.count(),
                Disclosure.objects.count(),
                AuthorInterest.objects.count(),
                Article.objects.count(),
            ],
            counts,
        )
        return [line.split(" ", 1)[1] for line in errors.getvalue().splitlines()]


class RegisterImportTests(ImportCase):
    def test_an_organisation_record_brings_its_whole_register(self) -> None:
        """Entries the file has are kept (same row) or created, those it lacks removed;
        importing it again changes nothing."""
        example = OrganisationFactory(name="Example Corp", slug="example")
        kept = DisclosureFactory(organisation=example, statement="Kept", valid_from="2024-01-01")
        DisclosureFactory(organisation=example, statement="Dropped", valid_from="2023-01-01")
        record = organisation(
            description="Makes examples.",
            tag={"name": example.tag.name, "slug": example.tag.slug},
            disclosures=[entry("Kept"), entry("New", "2024-06-01", valid_until="2024-12-31")],
        )
        output = self.import_records(record)
        self.assertIn("Organisations: 0 created, 1 updated, 0 unchanged.", output)
        register = Disclosure.objects.register().filter(organisation=example)
        self.assertCountEqual(
            register.values_list("statement", "valid_from", "valid_until"),
            [
                ("Kept", datetime.date(2024, 1, 1), None),
                ("New", datetime.date(2024, 6, 1), datetime.date(2024, 12, 31)),
            ],
        )
        self.assertTrue(register.filter(pk=kept.pk).exists())
        self.assertEqual(Organisation.objects.get(slug="example").description, "Makes examples.")
        output = self.import_records(record)
        self.assertIn("Organisations: 0 created, 0 updated, 1 unchanged.", output)

    def test_a_new_organisation_gets_its_topic_and_register(self) -> None:
        output = self.import_records(organisation("newco", disclosures=[entry("Partner")]))
        self.assertIn("Organisations: 1 created", output)
        newco = Organisation.objects.get(slug="newco")
        self.assertEqual((newco.tag.name, newco.tag.slug), ("Example Corp", "newco"))
        self.assertEqual(newco.disclosures.get().statement, "Partner")

    def test_dry_run_counts_and_writes_nothing(self) -> None:
        output = self.import_records(
            organisation("newco", disclosures=[entry("Partner")]), args=("--dry-run",)
        )
        self.assertIn("Organisations: 1 created", output)
        self.assertFalse(Organisation.objects.filter(slug="newco").exists())

    def test_scheduled_articles_are_recorded_again_with_the_new_register(self) -> None:
        """As when an editor changes the register: a scheduled article will go out with
        the entries valid at its time."""
        example = OrganisationFactory(name="Example Corp", slug="example")
        soon = timezone.now() + datetime.timedelta(days=3)
        scheduled = ArticleFactory(published_at=soon)
        scheduled.tags.add(example.tag)
        record_disclosures(article=scheduled)
        self.assertFalse(scheduled.recorded_disclosures.exists())
        self.import_records(organisation(disclosures=[entry("A partner since 2024")]))
        self.assertEqual(
            [r.statement for r in scheduled.recorded_disclosures.all()], ["A partner since 2024"]
        )


class InterestImportTests(ImportCase):
    def test_author_interests_are_imported_whole_and_idempotently(self) -> None:
        author = {
            "type": "author",
            "slug": "ana",
            "name": "Ana Writer",
            "interests": [
                {
                    "organisation": "Far Away Ltd",
                    "kind": "board",
                    "statement": "Ana advises Far Away Ltd",
                    "started_on": "2021-01-01",
                    "ended_on": "2021-12-31",
                },
                {
                    "organisation": {"name": "Example Corp", "slug": "example"},
                    "kind": "holding",
                    "statement": "Ana owns shares in Example Corp",
                    "started_on": "2022-03-01",
                },
            ],
        }
        output = self.import_records(organisation(), author)
        self.assertIn("Authors: 1 created", output)
        ana = Author.objects.get(slug="ana")
        self.assertCountEqual(
            ana.interests.values_list("organisation__slug", "kind", "ended_on"),
            [("far-away-ltd", "board", datetime.date(2021, 12, 31)), ("example", "holding", None)],
        )
        self.assertEqual(Organisation.objects.get(slug="far-away-ltd").tag.slug, "far-away-ltd")
        output = self.import_records(organisation(), author)
        self.assertIn("Authors: 0 created, 0 updated, 1 unchanged.", output)
        # The file is the author's whole register: an interest it no longer lists goes.
        author["interests"] = author["interests"][1:]
        self.import_records(organisation(), author)
        self.assertEqual(
            list(ana.interests.values_list("organisation__slug", flat=True)), ["example"]
        )


class RecordedDisclosureImportTests(ImportCase):
    def article(self, **fields: Any) -> dict[str, Any]:
        return {
            "type": "article",
            "uid": "7a1f8f43-8a55-4c0c-9d2b-0c6e4d2b9f10",
            "slug": "old-news",
            "headline": "Old news",
            "status": "published",
            "published_at": PUBLISHED,
            "tags": [{"name": "Example Corp", "slug": "example"}],
            **fields,
        }

    def test_disclosures_recorded_at_publication_are_kept_as_given(self) -> None:
        """Not what the register says now: what readers were shown then, in that order,
        linked to the entry it was copied from (found by organisation, kind and start)."""
        record = self.article(
            disclosures_as_of=PUBLISHED,
            recorded_disclosures=[
                recorded(
                    "Example Corp was a partner",
                    {
                        "type": "register",
                        "organisation": "example",
                        "kind": "partner",
                        "valid_from": "2024-01-01",
                    },
                ),
                recorded("A relationship since deleted"),
            ],
        )
        register = organisation(disclosures=[entry("Example Corp is a partner (reworded)")])
        output = self.import_records(register, record)
        self.assertIn("Articles: 1 created", output)
        article = Article.objects.get(slug="old-news")
        self.assertTrue(article.disclosures_frozen)
        carried = list(article.recorded_disclosures.all())
        self.assertEqual(
            [(r.statement, r.position) for r in carried],
            [("Example Corp was a partner", 0), ("A relationship since deleted", 1)],
        )
        self.assertEqual(carried[0].disclosure.statement, "Example Corp is a partner (reworded)")
        self.assertIsNone(carried[1].disclosure)
        self.assertEqual(
            [d.statement for d in article.disclosures()],
            ["Example Corp was a partner", "A relationship since deleted"],
        )
        output = self.import_records(register, record)
        self.assertIn("Articles: 0 created, 0 updated, 1 unchanged.", output)

    def test_without_recorded_disclosures_they_are_recorded_on_import(self) -> None:
        """A record that has none recorded (disclosures_as_of null, as version 1 files
        and WordPress exports) gets those due at its publication; importing it again
        leaves them, and counts the article unchanged."""
        register = organisation(disclosures=[entry("Example Corp is a partner")])
        self.import_records(register, self.article())
        article = Article.objects.get(slug="old-news")
        self.assertEqual(
            [r.statement for r in article.recorded_disclosures.all()],
            ["Example Corp is a partner"],
        )
        output = self.import_records(register, self.article())
        self.assertIn("Articles: 0 created, 0 updated, 1 unchanged.", output)


class BadDisclosureRecordTests(ImportCase):
    def test_each_bad_record_is_listed_with_its_line_and_why(self) -> None:
        article = {
            "type": "article",
            "slug": "a",
            "headline": "A",
            "status": "published",
            "published_at": PUBLISHED,
        }
        lines = self.refused(
            organisation(disclosures=[entry("Backwards", valid_until="2023-01-01")]),
            organisation("twice", disclosures=[entry("Same"), entry("Same")]),
            organisation("not-a-list", disclosures="Partner"),
            {
                "type": "author",
                "slug": "ana",
                "name": "Ana",
                "interests": [
                    {
                        "organisation": "X",
                        "kind": "bribe",
                        "statement": "s",
                        "started_on": "2020-01-01",
                    }
                ],
            },
            {
                "type": "author",
                "slug": "bo",
                "name": "Bo",
                "interests": [
                    {
                        "organisation": "X",
                        "kind": "holding",
                        "statement": "s",
                        "started_on": "2020-01-01",
                        "ended_on": "2019-01-01",
                    }
                ],
            },
            {**article, "slug": "no-as-of", "recorded_disclosures": [recorded("s")]},
            {**article, "slug": "other-time", "disclosures_as_of": "2024-05-03T09:15:00+00:00"},
            {
                **article,
                "slug": "odd-source",
                "disclosures_as_of": PUBLISHED,
                "recorded_disclosures": [recorded("s", {"type": "rumour"})],
            },
            {**article, "slug": "fine"},
        )
        self.assertEqual(
            lines,
            [
                "line 2: organisation 'example' disclosure: valid_until is before valid_from",
                "line 3: organisation 'twice' disclosure: the same entry twice ('Same')",
                "line 4: organisation: disclosures must be a list",
                "line 5: interest: kind: Value 'bribe' is not a valid choice.",
                "line 6: interest: ended_on is before started_on",
                "line 7: article 'no-as-of': recorded_disclosures need the disclosures_as_of "
                "they were for",
                "line 8: article 'other-time': disclosures_as_of must be null or the same as "
                "published_at",
                'line 9: recorded disclosure: source must be null or {type: "register" or '
                '"interest", ...}',
            ],
        )

    def test_a_newer_format_version_is_refused(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "records.jsonl"
            path.write_text(json.dumps({**META, "version": 3}) + "\n")
            errors = io.StringIO()
            with self.assertRaises(CommandError):
                run_command("import_articles", str(path), stderr=errors)
        self.assertIn(
            "line 1: meta: version 3 is not one this importer reads (1 or 2)", errors.getvalue()
        )

    def test_partial_imports_the_good_organisations(self) -> None:
        output = self.import_records(
            organisation("good", disclosures=[entry("Fine")]),
            organisation("bad", disclosures=[entry("Backwards", valid_until="2000-01-01")]),
            args=("--partial",),
        )
        self.assertIn("Organisations: 1 created", output)
        self.assertTrue(Organisation.objects.filter(slug="good").exists())
        self.assertFalse(Organisation.objects.filter(slug="bad").exists())
        self.assertFalse(Tag.objects.filter(slug="bad").exists())
        self.assertFalse(RecordedDisclosure.objects.filter(statement="Fine").exists())
