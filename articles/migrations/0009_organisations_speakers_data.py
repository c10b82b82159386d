"""Data: organisations and speakers from what the foundation stored.

- The organisations the seeded story covers (Salesforce, Microsoft, Amazon) get
  an Organisation for their topic; so does every other topic a disclosure names.
- Every distinct speaker name becomes a Speaker (with its author link, if any);
  the seed's "Salesforce employees" are a group belonging to Salesforce.

Reversible: going back copies names and topics into the old fields.
"""

from importlib import import_module

from django.db import migrations
from django.utils.text import slugify

# The seed's organisations and speaker are the squashed migration's, which seeds new
# databases.
SQUASHED = import_module("articles.migrations.0001_squashed_0028_markdown_limits")
ORGANISATIONS = SQUASHED.ORGANISATIONS
SEED_SPEAKER = SQUASHED.QUOTE_SPEAKER
SEED_SPEAKER_DESCRIPTION = SQUASHED.QUOTE_SPEAKER_DESCRIPTION


def unique_slug(model, base):
    slug = base[:90] or "unnamed"
    candidate, n = slug, 1
    while model.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def organisation_for(Organisation, tag):
    existing = Organisation.objects.filter(tag=tag).first()
    if existing:
        return existing
    return Organisation.objects.create(
        name=tag.name, slug=unique_slug(Organisation, tag.slug), tag=tag
    )


def forward(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    Organisation = apps.get_model("articles", "Organisation")
    Speaker = apps.get_model("articles", "Speaker")
    Quote = apps.get_model("articles", "Quote")
    Disclosure = apps.get_model("articles", "Disclosure")

    for slug, name, description, url in ORGANISATIONS:
        tag = Tag.objects.filter(slug=slug).first()
        if tag and not Organisation.objects.filter(tag=tag).exists():
            Organisation.objects.create(
                name=name,
                slug=unique_slug(Organisation, slug),
                tag=tag,
                description=description,
                url=url,
            )
    for disclosure in Disclosure.objects.select_related("organisation"):
        disclosure.organisation_record = organisation_for(Organisation, disclosure.organisation)
        disclosure.save(update_fields=["organisation_record"])

    speakers = {}
    for quote in Quote.objects.order_by("pk"):
        speaker = speakers.get(quote.speaker)
        if speaker is None:
            taken = Speaker.objects.filter(author_id=quote.speaker_author_id).exists()
            speaker = speakers[quote.speaker] = Speaker.objects.create(
                name=quote.speaker,
                slug=unique_slug(Speaker, slugify(quote.speaker)),
                author_id=None if taken else quote.speaker_author_id,
            )
        quote.speaker_record = speaker
        quote.save(update_fields=["speaker_record"])

    salesforce = Organisation.objects.filter(tag__slug="salesforce").first()
    Speaker.objects.filter(name=SEED_SPEAKER).update(
        kind="group", organisation=salesforce, description=SEED_SPEAKER_DESCRIPTION
    )


def backward(apps, schema_editor):
    Quote = apps.get_model("articles", "Quote")
    Disclosure = apps.get_model("articles", "Disclosure")
    for quote in Quote.objects.select_related("speaker_record"):
        quote.speaker = quote.speaker_record.name
        quote.speaker_author_id = quote.speaker_record.author_id
        quote.speaker_record = None
        quote.save(update_fields=["speaker", "speaker_author", "speaker_record"])
    for disclosure in Disclosure.objects.select_related("organisation_record"):
        disclosure.organisation_id = disclosure.organisation_record.tag_id
        disclosure.organisation_record = None
        disclosure.save(update_fields=["organisation", "organisation_record"])
    # 0008 made the tables empty and forward() filled them: empty them again, so
    # applying forward() once more makes each speaker and organisation once, not twice.
    # Plain DELETEs: the ORM's cascade would look into authors' interests, whose table
    # an unapply of all migrations may already have dropped.
    for model in ("Speaker", "Organisation"):
        table = apps.get_model("articles", model)._meta.db_table
        statement = f"DELETE FROM {schema_editor.quote_name(table)}"  # noqa: S608 # a model's own table name
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_organisations_speakers_trust")]

    operations = [migrations.RunPython(forward, backward)]
