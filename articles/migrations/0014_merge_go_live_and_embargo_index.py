"""Joins the staff commands' line (0013_merge_uid_and_trust) with main's embargo
index (0013_article_embargo_until_index). Separate indexes: either order is safe."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_article_embargo_until_index"),
        ("articles", "0013_merge_uid_and_trust"),
    ]

    operations = []
