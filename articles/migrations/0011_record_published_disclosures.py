"""Data: record the disclosures of the articles already published
(the seeded story), as the register gives them for their publication day.

Self-contained on purpose (apps.get_model, no app code), so later changes to the
rules cannot change what this migration did. Authors' interests are left out:
their table is new in this release, so no article can owe one yet.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def record(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Disclosure = apps.get_model("articles", "Disclosure")
    RecordedDisclosure = apps.get_model("articles", "RecordedDisclosure")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")

    unrecorded = Article.objects.filter(status="published", disclosures_as_of__isnull=True)
    for article in unrecorded:
        day = timezone.localdate(article.published_at)
        tag_ids = TaggedArticle.objects.filter(content_object=article).values("tag_id")
        entries = (
            Disclosure.objects.filter(article__isnull=True, organisation__tag__in=tag_ids)
            .filter(Q(valid_from__lte=day), Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .select_related("organisation")
            .order_by("organisation__name", "valid_from", "pk")
        )
        RecordedDisclosure.objects.bulk_create(
            RecordedDisclosure(
                article=article,
                disclosure=entry,
                organisation_name=entry.organisation.name,
                relationship=entry.get_kind_display(),
                statement=entry.statement,
                valid_from=entry.valid_from,
                valid_until=entry.valid_until,
                position=position,
            )
            for position, entry in enumerate(entries)
        )
        article.disclosures_as_of = article.published_at
        article.save(update_fields=["disclosures_as_of"])


def unrecord(apps, schema_editor):
    # Going back past this point drops RecordedDisclosure (0010): nothing to keep.
    apps.get_model("articles", "RecordedDisclosure").objects.all().delete()
    apps.get_model("articles", "Article").objects.update(disclosures_as_of=None)


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_quote_speaker_disclosure_organisation")]

    operations = [migrations.RunPython(record, unrecord)]
