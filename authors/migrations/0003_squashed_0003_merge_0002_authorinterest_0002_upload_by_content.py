"""An interest's organisation, once articles has made the Organisation table (0002's
docstring says why it comes apart), and the index of the author page's lookup.

Replaces 0003_merge_0002_authorinterest_0002_upload_by_content, which joined the two
0002s: a database that has run that has the column already (docs/architecture.md,
"Migrations"). One stopped between the old 0002_authorinterest and that merge (only a
`migrate` of the old files to a chosen migration, or one cut short, leaves a database
so) has the column too: there, mark this migration as run with `manage.py migrate
--fake authors 0003_squashed_0003_merge_0002_authorinterest_0002_upload_by_content`.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("authors", "0003_merge_0002_authorinterest_0002_upload_by_content")]

    # The articles migration that made Organisation, by its old name: Django maps it to
    # the squashed migration that replaces it, and keeps it for a database part-way
    # through the old articles migrations, so the column comes as soon as it can.
    dependencies = [
        ("authors", "0002_authorinterest"),
        ("authors", "0002_upload_by_content"),
        ("articles", "0008_organisations_speakers_trust"),
    ]

    operations = [
        migrations.AddField(
            model_name="authorinterest",
            name="organisation",
            field=models.ForeignKey(
                help_text="Their articles tagged with this organisation's topic carry the disclosure.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="author_interests",
                to="articles.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="authorinterest",
            index=models.Index(fields=["author", "organisation"], name="interest_author_org"),
        ),
    ]
