"""Organisation, Disclosure and RecordedDisclosure out of articles, and AuthorInterest
out of authors, into the app for disclosures.

State only: the tables stay as they are, under the names they have always had
(Meta.db_table), so an existing database upgrades by renaming nothing."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0030_fill_article_body_html"),
        ("authors", "0003_merge_0002_authorinterest_0002_upload_by_content"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organisation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text='As readers know it, e.g. "Salesforce".', max_length=200
                            ),
                        ),
                        (
                            "slug",
                            models.SlugField(
                                help_text="The organisation page's address: /organisations/<slug>/.",
                                max_length=100,
                                unique=True,
                            ),
                        ),
                        (
                            "description",
                            models.TextField(
                                blank=True, help_text="A sentence or two for its page."
                            ),
                        ),
                        (
                            "url",
                            models.URLField(
                                blank=True, help_text="Its own website.", max_length=500
                            ),
                        ),
                        (
                            "tag",
                            models.OneToOneField(
                                help_text="The topic articles about it are tagged with (+ adds a new topic).",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="organisation",
                                to="taggit.tag",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_organisation",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Disclosure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("partner", "Partner"),
                                    ("sponsor", "Sponsor"),
                                    ("client", "Client"),
                                    ("advertiser", "Advertiser"),
                                    ("investor", "Investor"),
                                    ("owner", "Owner"),
                                    ("personal", "Personal interest of an author"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "statement",
                            models.CharField(
                                help_text='Shown after "At time of writing", e.g. "Salesforce is a premier partner of …".',
                                max_length=500,
                            ),
                        ),
                        (
                            "valid_from",
                            models.DateField(
                                help_text="The first day it is true. Articles published from this day carry it."
                            ),
                        ),
                        (
                            "valid_until",
                            models.DateField(
                                blank=True,
                                help_text="The last day it is true. Leave empty while it lasts.",
                                null=True,
                            ),
                        ),
                        (
                            "article",
                            models.ForeignKey(
                                blank=True,
                                help_text="Only for a disclosure that belongs to one article (an author's own interest).",
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="own_disclosures",
                                to="articles.article",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                help_text="Articles tagged with this organisation's topic carry the disclosure.",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="disclosures",
                                to="disclosures.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_disclosure",
                        "ordering": ["-valid_from", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AuthorInterest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
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
                        (
                            "started_on",
                            models.DateField(help_text="When the holding, seat or job began."),
                        ),
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
                        (
                            "organisation",
                            models.ForeignKey(
                                help_text="Their articles tagged with this organisation's topic carry the disclosure.",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="author_interests",
                                to="disclosures.organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "interest",
                        "db_table": "authors_authorinterest",
                        "ordering": ["-started_on", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="RecordedDisclosure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
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
                                to="disclosures.disclosure",
                            ),
                        ),
                        (
                            "interest",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="records",
                                to="disclosures.authorinterest",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_recordeddisclosure",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.AddIndex(
                    model_name="disclosure",
                    index=models.Index(
                        fields=["organisation", "valid_from"], name="disclosure_org_from"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="disclosure",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("valid_until__isnull", True),
                            ("valid_until__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="disclosure_dates_in_order",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="disclosure",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "partner",
                                    "sponsor",
                                    "client",
                                    "advertiser",
                                    "investor",
                                    "owner",
                                    "personal",
                                ],
                            )
                        ),
                        name="disclosure_kind_valid",
                    ),
                ),
                migrations.AddIndex(
                    model_name="authorinterest",
                    index=models.Index(
                        fields=["author", "organisation"], name="interest_author_org"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="authorinterest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="interest_dates_in_order",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="authorinterest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("kind__in", ["holding", "board", "employer", "other"])),
                        name="interest_kind_valid",
                    ),
                ),
            ],
        ),
    ]
