"""Topics whose names differ only in case ("Election", "election", made by saves that
raced) become one, so the next migration can make such names unique: the oldest keeps
its name and address, and takes over the others' articles (and taggit's generic links)
and, where it stands for none, their organisation. Two of them standing for different
organisations cannot be merged by rule: the migration stops and names them, for an
editor to rename one first.

The reverse leaves the merged topics merged: the links do not say which name an
article had, and the topics were the same to every reader lookup (case-insensitive)."""

from django.db import migrations
from django.db.models import Count
from django.db.models.functions import Upper


def merge_topics_named_alike(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    Organisation = apps.get_model("articles", "Organisation")
    shared = (
        Tag.objects.annotate(key=Upper("name"))
        .values("key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("key", flat=True)
    )
    for key in list(shared):
        keeper, *others = Tag.objects.annotate(key=Upper("name")).filter(key=key).order_by("pk")
        standing_for = Organisation.objects.filter(tag__in=[keeper, *others])
        if standing_for.count() > 1:
            raise RuntimeError(
                f"The topics {', '.join(repr(t.name) for t in [keeper, *others])} differ only "
                "in case but stand for different organisations: rename one in the admin "
                "(Newsroom > Topics), then migrate again."
            )
        for other in others:
            has_keeper = TaggedArticle.objects.filter(tag=keeper).values("content_object")
            TaggedArticle.objects.filter(tag=other, content_object__in=has_keeper).delete()
            TaggedArticle.objects.filter(tag=other).update(tag=keeper)
            for item in TaggedItem.objects.filter(tag=other):
                twin = TaggedItem.objects.filter(
                    tag=keeper, content_type=item.content_type_id, object_id=item.object_id
                )
                if twin.exists():
                    item.delete()
                else:
                    TaggedItem.objects.filter(pk=item.pk).update(tag=keeper)
            Organisation.objects.filter(tag=other).update(tag=keeper)
            other.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_links_without_redundant_indexes"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        # No way back to names that were the same topic to every lookup (docstring).
        migrations.RunPython(merge_topics_named_alike, migrations.RunPython.noop),
    ]
