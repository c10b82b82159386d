"""Give every existing article its stable uid, and mark live ones as already announced.

Data only; 0008 added the columns and 0010 makes uid unique and required. Without
went_live_at, the first publish_scheduled run would send go-live notifications for
every article ever published.
"""

import uuid
from importlib import import_module

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

# The story 0002 seeds is the same article on every install: one uid for it
# everywhere, so an export from one install imports into another as that story, not
# as a second article with its slug.
SEED_SLUG = import_module("articles.migrations.0002_seed_salesforce_story").SLUG
SEED_UID = import_module("articles.migrations.0001_squashed_0028_markdown_limits").SEED_UID


def fill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.filter(uid__isnull=True).only("pk", "slug").iterator():
        uid = SEED_UID if article.slug == SEED_SLUG else uuid.uuid4()
        Article.objects.filter(pk=article.pk).update(uid=uid)
    now = timezone.now()
    # Live as Article.objects.published() says; an embargoed article waits for its time.
    live = Q(status="published", published_at__lte=now) & (
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)
    )
    Article.objects.filter(live, went_live_at__isnull=True).update(went_live_at=now)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_article_uid_went_live")]

    # Reversing 0008 drops both columns, so there is nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
