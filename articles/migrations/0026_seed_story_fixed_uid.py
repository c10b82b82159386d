"""Give the seeded story, on installs that made it before 0009 did, the uid every new
install gives it (0009's SEED_UID), so an export from one install imports into another
as that same story instead of failing on its slug.

Data only. Found by its slug; a seeded story an editor renamed or deleted is left as
it is, and so is a database where another article already has the uid.
"""

import uuid
from importlib import import_module

from django.db import migrations

FILL = import_module("articles.migrations.0009_fill_uid_went_live")


def fix(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    if not Article.objects.filter(uid=FILL.SEED_UID).exists():
        Article.objects.filter(slug=FILL.SEED_SLUG).update(uid=FILL.SEED_UID)


def unfix(apps, schema_editor):
    # Back to a uid of its own, as the story had before: which one is not kept.
    Article = apps.get_model("articles", "Article")
    Article.objects.filter(uid=FILL.SEED_UID).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("articles", "0025_article_newest_first_index")]

    operations = [migrations.RunPython(fix, unfix)]
