"""Schema, part 2: the keys filled by 0009 take the old fields' names;
disclosures as articles carry them (RecordedDisclosure)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_organisations_speakers_data"),
        ("authors", "0002_authorinterest"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="disclosure", name="disclosure_org_from"),
        migrations.RemoveField(model_name="disclosure", name="organisation"),
        migrations.RenameField(
            model_name="disclosure", old_name="organisation_record", new_name="organisation"
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="organisation",
            field=models.ForeignKey(
                help_text="Articles tagged with this organisation's topic carry the disclosure.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="disclosures",
                to="articles.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="disclosure",
            index=models.Index(fields=["organisation", "valid_from"], name="disclosure_org_from"),
        ),
        migrations.RemoveField(model_name="quote", name="speaker_author"),
        migrations.RemoveField(model_name="quote", name="speaker"),
        migrations.RenameField(model_name="quote", old_name="speaker_record", new_name="speaker"),
        migrations.AlterField(
            model_name="quote",
            name="speaker",
            field=models.ForeignKey(
                help_text="Who said or wrote it: a person, a group or an organisation (+ adds one).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quotes",
                to="articles.speaker",
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(fields=["speaker", "article"], name="quote_speaker_article"),
        ),
        migrations.CreateModel(
            name="RecordedDisclosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("organisation_name", models.CharField(max_length=200)),
                (
                    "relationship",
                    models.CharField(help_text='The kind, e.g. "Partner".', max_length=100),
                ),
                ("statement", models.CharField(max_length=500)),
                ("valid_from", models.DateField()),
                ("valid_until", models.DateField(blank=True, null=True)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recorded_disclosures",
                        to="articles.article",
                    ),
                ),
                (
                    "disclosure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="records",
                        to="articles.disclosure",
                    ),
                ),
                (
                    "interest",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="records",
                        to="authors.authorinterest",
                    ),
                ),
            ],
            options={"ordering": ["position", "pk"]},
        ),
    ]
