"""Seed the Salesforce/CBP story (see ../shared/seed/), so a fresh install has a real page.

Data only; the schema is in 0001. It uses apps.get_model(), and the words and
stand-in pictures of the squashed migration that seeds new databases, so later changes
to the app's code cannot change what this migration does.
"""

from importlib import import_module

from django.core.files.storage import default_storage
from django.db import migrations

# The story's words and pictures are the squashed migration's, which seeds new databases.
SQUASHED = import_module("articles.migrations.0001_squashed_0028_markdown_limits")
PUBLISHED_AT, HEADLINE, SLUG = SQUASHED.PUBLISHED_AT, SQUASHED.HEADLINE, SQUASHED.SLUG
STANDFIRST, BODY, QUOTES, TAGS = SQUASHED.STANDFIRST, SQUASHED.BODY, SQUASHED.QUOTES, SQUASHED.TAGS
QUOTE_SPEAKER, QUOTE_SOURCE = SQUASHED.QUOTE_SPEAKER, SQUASHED.QUOTE_SOURCE
QUOTE_REPORTED_BY, QUOTE_CONTEXT = SQUASHED.QUOTE_REPORTED_BY, SQUASHED.QUOTE_CONTEXT
PICTURES, store_picture = SQUASHED.PICTURES, SQUASHED.store_picture


def seed(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    Image = apps.get_model("articles", "Image")
    Quote = apps.get_model("articles", "Quote")
    Disclosure = apps.get_model("articles", "Disclosure")
    Tag = apps.get_model("taggit", "Tag")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")

    author = Author.objects.create(
        name="Stuart Lauchlan",
        slug="slauchlan",
        job_title="News editor",
        bio="Stuart Lauchlan writes news and analysis about enterprise technology for diginomica.",
        photo=store_picture("author"),
        photo_width=400,
        photo_height=400,
        expertise="Enterprise software, Cloud computing, Tech industry",
    )
    lead = Image.objects.create(
        key="marc-benioff",
        file=store_picture("lead"),
        width=1600,
        height=900,
        alt_text="Marc Benioff",
        caption="Marc Benioff",
        credit="WEF",
    )
    Image.objects.create(
        key="salesforce-border-tweet",
        file=store_picture("tweet"),
        width=1200,
        height=675,
        alt_text="Salesforce border tweet",
    )
    article = Article.objects.create(
        headline=HEADLINE,
        slug=SLUG,
        standfirst=STANDFIRST,
        body=BODY,
        kind="analysis",
        status="published",
        published_at=PUBLISHED_AT,
        lead_image=lead,
    )
    Byline.objects.create(article=article, author=author, position=0)
    for position, (key, text) in enumerate(QUOTES):
        Quote.objects.create(
            article=article,
            key=key,
            text=text,
            speaker=QUOTE_SPEAKER,
            source_kind="letter",
            source_title=QUOTE_SOURCE,
            reported_by=QUOTE_REPORTED_BY,
            context=QUOTE_CONTEXT,
            position=position,
        )
    tags = {}
    for name, slug in TAGS:
        tags[slug], _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        TaggedArticle.objects.create(tag=tags[slug], content_object=article)
    Disclosure.objects.create(
        organisation=tags["salesforce"],
        kind="partner",
        statement="Salesforce is a premier partner of diginomica",
        # The earliest day the seed page vouches for; an editor can extend it back.
        valid_from=PUBLISHED_AT.date(),
    )


def unseed(apps, schema_editor):
    """Remove what seed() made, leaving anything editors have since attached to it."""
    Author = apps.get_model("authors", "Author")
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    Image = apps.get_model("articles", "Image")
    Disclosure = apps.get_model("articles", "Disclosure")
    Tag = apps.get_model("taggit", "Tag")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")

    Article.objects.filter(slug=SLUG).delete()
    Disclosure.objects.filter(
        organisation__slug="salesforce",
        statement="Salesforce is a premier partner of diginomica",
        article__isnull=True,
    ).delete()
    for _, slug in TAGS:
        in_use = TaggedArticle.objects.filter(tag__slug=slug).exists()
        if not in_use and not Disclosure.objects.filter(organisation__slug=slug).exists():
            Tag.objects.filter(slug=slug).delete()
    if not Byline.objects.filter(author__slug="slauchlan").exists():
        Author.objects.filter(slug="slauchlan").delete()
        default_storage.delete(PICTURES["author"][0])
    for key, picture in [("marc-benioff", "lead"), ("salesforce-border-tweet", "tweet")]:
        if not Article.objects.filter(lead_image__key=key).exists():
            Image.objects.filter(key=key).delete()
            default_storage.delete(PICTURES[picture][0])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("authors", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
