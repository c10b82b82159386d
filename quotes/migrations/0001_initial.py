"""Quote and Speaker, out of articles into the app for quotes.

State only: the tables stay as they are, under the names they have always had
(Meta.db_table), so an existing database upgrades by renaming nothing."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0030_fill_article_body_html"),
        ("authors", "0003_merge_0002_authorinterest_0002_upload_by_content"),
        ("disclosures", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Speaker",
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
                                help_text='As the attribution names them, e.g. "Marc Benioff" or "Salesforce employees".',
                                max_length=200,
                            ),
                        ),
                        (
                            "slug",
                            models.SlugField(
                                help_text="The speaker page's address: /speakers/<slug>/.",
                                max_length=100,
                                unique=True,
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("person", "Person"),
                                    ("group", "Group of people"),
                                    ("organisation", "Organisation"),
                                ],
                                default="person",
                                max_length=20,
                            ),
                        ),
                        (
                            "description",
                            models.CharField(
                                blank=True,
                                help_text='Who they are, e.g. "Chief executive of Salesforce".',
                                max_length=300,
                            ),
                        ),
                        (
                            "author",
                            models.OneToOneField(
                                blank=True,
                                help_text="When the speaker is one of our authors.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="speaker",
                                to="authors.author",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                help_text="The organisation they speak for or belong to (itself, for an organisation); their quotes then appear on its page.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="speakers",
                                to="disclosures.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_speaker",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Quote",
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
                            "key",
                            models.SlugField(
                                help_text="Marker name: [[quote:<key>]] places this quote in the body."
                            ),
                        ),
                        (
                            "text",
                            models.TextField(
                                help_text="The quoted words, exactly as said or written."
                            ),
                        ),
                        (
                            "source_kind",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("letter", "Letter"),
                                    ("statement", "Statement"),
                                    ("interview", "Interview"),
                                    ("filing", "Filing"),
                                    ("social", "Social media post"),
                                    ("speech", "Speech"),
                                    ("other", "Other"),
                                ],
                                help_text="Required to publish.",
                                max_length=20,
                            ),
                        ),
                        (
                            "source_title",
                            models.CharField(
                                blank=True,
                                help_text='For example "Letter to Marc Benioff".',
                                max_length=300,
                            ),
                        ),
                        (
                            "reported_by",
                            models.CharField(
                                blank=True,
                                help_text="Who first reported the source, if not us.",
                                max_length=200,
                            ),
                        ),
                        ("source_url", models.URLField(blank=True, max_length=500)),
                        ("said_on", models.DateField(blank=True, null=True)),
                        (
                            "context",
                            models.TextField(
                                blank=True, help_text="Editor's note on the circumstances."
                            ),
                        ),
                        (
                            "is_pull_quote",
                            models.BooleanField(
                                default=False,
                                help_text="Shown as a pull quote rather than placed in the body.",
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        (
                            "text_changed_at",
                            models.DateTimeField(
                                blank=True,
                                editable=False,
                                help_text="When the words were last changed after the article was published.",
                                null=True,
                            ),
                        ),
                        (
                            "previous_text",
                            models.TextField(
                                blank=True,
                                editable=False,
                                help_text="The words as readers saw them before that change.",
                            ),
                        ),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="quotes",
                                to="articles.article",
                            ),
                        ),
                        (
                            "speaker",
                            models.ForeignKey(
                                blank=True,
                                help_text="Who said or wrote it: a person, a group or an organisation (+ adds one). Required to publish.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="quotes",
                                to="quotes.speaker",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_quote",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="speaker",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("kind__in", ["person", "group", "organisation"])),
                        name="speaker_kind_valid",
                    ),
                ),
                migrations.AddIndex(
                    model_name="quote",
                    index=models.Index(fields=["speaker", "article"], name="quote_speaker_article"),
                ),
                migrations.AddConstraint(
                    model_name="quote",
                    constraint=models.UniqueConstraint(
                        fields=("article", "key"), name="unique_quote_key"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="quote",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "source_kind__in",
                                [
                                    "letter",
                                    "statement",
                                    "interview",
                                    "filing",
                                    "social",
                                    "speech",
                                    "other",
                                    "",
                                ],
                            )
                        ),
                        name="quote_source_kind_valid",
                    ),
                ),
            ],
        ),
    ]
