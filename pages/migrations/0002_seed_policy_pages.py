"""Seed the policy pages the footer and the publisher's structured data link to.

Defaults an editor is expected to rewrite in the admin; each says what the
publication does, in plain words, and where to find the rest.
"""

from importlib import import_module

from django.db import migrations

SQUASHED = import_module("pages.migrations.0001_squashed_0003_markdown_limits")
PAGES, seed, unseed = SQUASHED.PAGES, SQUASHED.seed, SQUASHED.unseed


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
