"""AuthorInterest moves to the disclosures app, which took it over in its first
migration: the rule "what an article carries" has one home there.

State only: the table keeps its name (authors_authorinterest)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0031_models_move_to_their_apps"),
        ("authors", "0003_merge_0002_authorinterest_0002_upload_by_content"),
        ("disclosures", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuthorInterest")],
        ),
    ]
