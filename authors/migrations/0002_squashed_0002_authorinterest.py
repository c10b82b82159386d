"""Authors' register of interests, but for the organisation of each: that is an
articles model, and articles' own migration needs this table first (a disclosure
recorded from an interest points at it). 0003 adds the organisation.

Replaces 0002_authorinterest (docs/architecture.md, "Migrations").
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("authors", "0002_authorinterest")]

    dependencies = [("authors", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="AuthorInterest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("holding", "Shareholding or other financial holding"),
                            ("board", "Board seat or advisory role"),
                            ("employer", "Employer (current or former)"),
                            ("other", "Other interest"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "statement",
                    models.CharField(
                        help_text='Shown on articles after "At time of writing", e.g. "Jane Doe owns shares in Salesforce". For an employer, word it so it stays true after the job ends.',
                        max_length=500,
                    ),
                ),
                ("started_on", models.DateField(help_text="When the holding, seat or job began.")),
                (
                    "ended_on",
                    models.DateField(
                        blank=True,
                        help_text="When it ended. Leave empty while it lasts.",
                        null=True,
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interests",
                        to="authors.author",
                    ),
                ),
            ],
            options={
                "verbose_name": "interest",
                "ordering": ["-started_on", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="interest_dates_in_order",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["holding", "board", "employer", "other"])),
                        name="interest_kind_valid",
                    ),
                ],
            },
        ),
    ]
