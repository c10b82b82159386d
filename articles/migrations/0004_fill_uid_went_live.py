"""Give every existing article its stable uid, and mark live ones as already announced.

Data only; 0003 added the columns and 0005 makes uid unique and required. Without
went_live_at, the first publish_scheduled run would send go-live notifications for
every article ever published.
"""

import uuid

from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def fill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.filter(uid__isnull=True).only("pk").iterator():
        Article.objects.filter(pk=article.pk).update(uid=uuid.uuid4())
    live = Q(status="published", published_at__lte=timezone.now())
    Article.objects.filter(live, went_live_at__isnull=True).update(went_live_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_article_uid_went_live")]

    # Reversing 0003 drops both columns, so there is nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
