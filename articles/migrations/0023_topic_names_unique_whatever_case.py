"""Topic names are unique whatever their case, in the database: taggit checks before it
creates a topic, so saves that raced each made one ("election", then "election_1").
With the index, the later insert fails and taggit's get_or_create finds the first.

taggit's Tag belongs to taggit, so the index is plain SQL (the same on SQLite and
PostgreSQL) rather than a constraint in its Meta. It is on UPPER(name) because that is
what Django's name__iexact lookup compares on PostgreSQL (taggit's get_or_create, the
importer, the topic form), so the same index serves those lookups."""

from django.db import migrations

INDEX = "taggit_tag_name_any_case_unique"


class Migration(migrations.Migration):
    dependencies = [("articles", "0022_merge_topics_named_alike")]

    operations = [
        migrations.RunSQL(
            f'CREATE UNIQUE INDEX "{INDEX}" ON "taggit_tag" (UPPER("name"))',
            f'DROP INDEX "{INDEX}"',
        ),
    ]
