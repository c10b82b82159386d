"""The interchange format is defined once (interchange/schema.py): export writes those
records, import reads files into the same records."""

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

from django.test import TestCase

from articles.models import Article
from disclosures.models import Organisation
from interchange import exporting, schema
from interchange.items import BadRecord
from interchange.records import normalize
from tests import test_command_export_articles as round_trip
from tests.base import run_command

RECORDS: dict[str, type] = {
    cls.type: cls
    for cls in (
        schema.Meta,
        schema.OrganisationRecord,
        schema.AuthorRecord,
        schema.ImageRecord,
        schema.ArticleRecord,
    )
}
# The records inside an article's lists, by the list's name.
ARTICLE_LISTS: dict[str, type] = {
    "tags": schema.Tag,
    "quotes": schema.Quote,
    "citations": schema.Citation,
    "corrections": schema.Correction,
    "disclosures": schema.Disclosure,
    "recorded_disclosures": schema.RecordedDisclosure,
}


def declared(cls: type) -> list[str]:
    return [field.name for field in dataclasses.fields(cls)]


class SchemaTests(TestCase):
    # The rich story of the round-trip tests: every kind of record and field in use.
    setUpTestData = round_trip.RoundTripTests.setUpTestData

    def export(self) -> list[dict[str, Any]]:
        output, _ = run_command("export_articles", "-o", "-", verbosity=0)
        return [json.loads(line) for line in output.splitlines()]

    def test_export_writes_the_declared_fields_in_order(self) -> None:
        """Each line is a record of the schema: its type, then every field the schema
        declares for that type, in that order; so is every entry of an article's lists."""
        lines = self.export()
        self.assertEqual({line["type"] for line in lines}, set(RECORDS))
        for line in lines:
            self.assertEqual(list(line), ["type", *declared(RECORDS[line["type"]])])
        story = next(line for line in lines if line.get("slug") == "rich-story")
        for name, cls in ARTICLE_LISTS.items():
            self.assertTrue(story[name], name)
            for entry in story[name]:
                self.assertEqual(list(entry), declared(cls), name)
        speaker = story["quotes"][0]["speaker"]
        self.assertEqual(list(speaker), declared(schema.Speaker))

    def test_import_reads_a_line_into_the_record_export_built(self) -> None:
        """Parsing an exported article or organisation gives back, field for field, the
        typed record the exporter built from the database."""
        lines = self.export()
        with tempfile.TemporaryDirectory() as folder:
            media = Path(folder)
            articles = exporting.for_export(Article.objects.all())
            for article in articles:
                line = next(x for x in lines if x.get("uid") == str(article.uid))
                self.assertEqual(normalize(line, media), exporting.article_record(article))
            for organisation in exporting.organisations_for_export(Organisation.objects.all()):
                line = next(
                    x
                    for x in lines
                    if x["type"] == "organisation" and x["slug"] == organisation.slug
                )
                self.assertEqual(
                    normalize(line, media), exporting.organisation_record(organisation)
                )

    def test_a_field_the_schema_does_not_declare_is_refused(self) -> None:
        """The schema's fields are the only ones a file may give, at every level."""
        story = next(line for line in self.export() if line.get("slug") == "rich-story")
        story["quotes"][0]["spoken_by"] = "someone"
        with self.assertRaisesMessage(BadRecord, "quote: unknown field 'spoken_by'"):
            normalize(story, Path("."))
