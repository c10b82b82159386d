"""Joins the two lines of 0008-0012: stable uids and go-live marks for the staff
commands and organisations, speakers and recorded disclosures.
They touch different columns and tables, so either order is safe."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_uid_unique"),
        ("articles", "0012_roles_quotes_disclosures"),
    ]

    operations = []
