"""Policy pages: the table, and the pages the footer and the publisher's structured data
link to, as defaults an editor is expected to rewrite in the admin. Each says what the
publication does, in plain words, and where to find the rest.

A squash of 0001_initial to 0003_markdown_limits, which stay until every database has
run it (docs/architecture.md, "Migrations").
"""

from django.db import migrations, models

import newsroom.markdown

PAGES = [
    (
        "principles",
        "Publishing principles",
        """\
We publish news, analysis, opinion and reviews about enterprise technology.
Every article says which it is, in a label above the headline.

- **News** reports what happened, from sources we name.
- **Analysis** interprets the news; the author's view is part of it.
- **Opinion** argues a point of view.
- **Review** judges a product or service.
- **Sponsored** content is paid for by an advertiser and marked as such on the page.

Quotes are attributed to the person or organisation who said or wrote them, with
the source (a letter, a statement, an interview) and, where we can, a link to it.
See also our [ethics policy](/about/ethics/) and our [corrections policy](/about/corrections/).
""",
    ),
    (
        "ethics",
        "Ethics policy",
        """\
We tell readers about every relationship that could be seen to influence what we
write: partners, sponsors, clients, advertisers, investors and owners. An article
about an organisation we have a relationship with says so at its foot ("At time of
writing …"), as the relationship stood when the article was published.

Our writers declare their own interests (shareholdings, board seats, former
employers). They are listed on each author's page and shown on their articles
about the organisations concerned.

The full list of the publisher's relationships, current and past, is on our
[disclosures page](/disclosures/).
""",
    ),
    (
        "corrections",
        "Corrections policy",
        """\
When we get something wrong we correct it and say so. A correction is added to
the foot of the article with its date, saying what was wrong and what is right.
We do not silently change quoted words: if a quote has to change, the article
carries a correction.

Tell us about an error through our [feedback page](/about/feedback/).
""",
    ),
    (
        "ownership",
        "Ownership and funding",
        """\
This page says who owns the publication and how it is paid for: advertising,
sponsorship, partnerships and any other income. Our commercial relationships with
organisations we cover are listed on the [disclosures page](/disclosures/).
""",
    ),
    (
        "masthead",
        "Masthead",
        """\
The people who write and edit the publication. Each author has a page with their
job title, what they cover, their profiles elsewhere and their declared interests.
""",
    ),
    (
        "feedback",
        "Feedback and contact",
        """\
We want to hear from readers: about errors, about what we should cover and about
how we cover it. Every message about an error is read by an editor, and a
correction is published when one is due (see our
[corrections policy](/about/corrections/)).
""",
    ),
]


def seed(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, title, body in PAGES:
        Page.objects.get_or_create(slug=slug, defaults={"title": title, "body": body})


def unseed(apps, schema_editor):
    """Remove the defaults; a page an editor has rewritten stays (seed() keeps it too)."""
    Page = apps.get_model("pages", "Page")
    for slug, title, body in PAGES:
        Page.objects.filter(slug=slug, title=title, body=body).delete()


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("pages", "0001_initial"),
        ("pages", "0002_seed_policy_pages"),
        ("pages", "0003_markdown_limits"),
    ]

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Page",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="The page's address: /about/<slug>/.", max_length=100, unique=True
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                (
                    "body",
                    models.TextField(
                        help_text="Markdown.", validators=[newsroom.markdown.validate_markdown]
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["title"],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
