"""Schema, part 1: organisations, speakers, citations, trust fields.

Quote.speaker (text) and Disclosure.organisation (a tag) become foreign keys to
Speaker and Organisation. The new keys are added here under temporary names,
filled by 0009 and take the old names in 0010, so every step is reversible.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_merge_20261129_1453"),
        ("authors", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
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
                    models.TextField(blank=True, help_text="A sentence or two for its page."),
                ),
                ("url", models.URLField(blank=True, help_text="Its own website.", max_length=500)),
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
            options={"ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="Speaker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
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
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        help_text="The organisation they speak for or belong to (itself, for an organisation); their quotes then appear on its page.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="speakers",
                        to="articles.organisation",
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
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["person", "group", "organisation"])),
                        name="speaker_kind_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Citation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text='What is cited, e.g. "Letter to Marc Benioff (BuzzFeed News)".',
                        max_length=300,
                    ),
                ),
                (
                    "url",
                    models.URLField(
                        blank=True, help_text="Where readers can find it.", max_length=500
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="citations",
                        to="articles.article",
                    ),
                ),
            ],
            options={"ordering": ["position", "pk"]},
        ),
        migrations.AddField(
            model_name="article",
            name="backstory",
            field=models.TextField(
                blank=True,
                help_text='"How we reported this" (Markdown): sources, methods, why the story was written. Shown at the end of the article.',
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="dateline",
            field=models.CharField(
                blank=True,
                help_text='Where the story was reported from, e.g. "SAN FRANCISCO". Leave empty if none.',
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="disclosures_as_of",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="The publication time the article's disclosures were recorded for. Once that time has passed, later edits of the register no longer change them.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="valid_from",
            field=models.DateField(
                help_text="The first day it is true. Articles published from this day carry it."
            ),
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="valid_until",
            field=models.DateField(
                blank=True,
                help_text="The last day it is true. Leave empty while it lasts.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="quote",
            name="previous_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="The words as readers saw them before that change.",
            ),
        ),
        migrations.AddField(
            model_name="quote",
            name="text_changed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the words were last changed after the article was published.",
                null=True,
            ),
        ),
        # The old fields may be empty from here on, so that going back through 0010
        # (which re-adds them before 0009 refills them) works.
        migrations.AlterField(
            model_name="quote",
            name="speaker",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="disclosures",
                to="taggit.tag",
            ),
        ),
        # Temporary names: filled by 0009, renamed by 0010.
        migrations.AddField(
            model_name="quote",
            name="speaker_record",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="articles.speaker",
            ),
        ),
        migrations.AddField(
            model_name="disclosure",
            name="organisation_record",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="articles.organisation",
            ),
        ),
    ]
