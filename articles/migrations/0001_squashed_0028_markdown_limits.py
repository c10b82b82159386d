"""The articles app's tables as the models define them, with the rows a new site starts
with: the seeded Salesforce/CBP story (see ../shared/seed/) and the Writer and Editor
roles.

A squash of 0001_initial to 0028_markdown_limits (37 files, merges included), which
stay until every database has run it (docs/architecture.md, "Migrations"). Left out,
because a new database has nothing for them to do: the old data migrations that
converted or repaired rows of earlier schemas (speaker names and topics into speakers
and organisations, uids and go-live marks for existing articles, topics named alike,
the seed story's uid on early installs, the retired jobs table). The seed writes its
rows as the old migrations left them.

Self-contained on purpose, as data migrations should be: apps.get_model(), its own
SQL and its own stand-in pictures, so later changes to the app's code cannot change
what it does. The renditions are the exception: they are made by
pictures.renditions, so the seed's pictures get the files any upload gets.
"""

import datetime
import uuid

import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
import taggit.managers
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models
from django.utils import timezone

import newsroom.markdown
import newsroom.stand_ins
import pictures.images
import pictures.models
from pictures.renditions import ensure_renditions

# The Writer and Editor groups get exactly these permissions. Object-level rules (a
# writer edits only their own drafts) live in the admin and services. A later change
# to a role is a new migration that sets the new lists.
ROLES = {
    "Writer": {
        "articles": [
            "add_article", "change_article", "view_article",
            "add_byline", "change_byline", "delete_byline", "view_byline",
            "add_quote", "change_quote", "delete_quote", "view_quote",
            "add_speaker", "view_speaker", "view_organisation",
            "add_citation", "change_citation", "delete_citation", "view_citation",
            "add_image", "change_image", "view_image",
            "view_disclosure", "view_correction",
        ],
        "authors": ["view_author"],
        "taggit": ["add_tag", "view_tag"],
    },
    "Editor": {
        "articles": [
            "add_article", "change_article", "delete_article", "view_article",
            "publish_article",
            "add_byline", "change_byline", "delete_byline", "view_byline",
            "add_quote", "change_quote", "delete_quote", "view_quote",
            "add_speaker", "change_speaker", "delete_speaker", "view_speaker",
            "add_organisation", "change_organisation", "delete_organisation",
            "view_organisation",
            "add_citation", "change_citation", "delete_citation", "view_citation",
            "add_image", "change_image", "delete_image", "view_image",
            "add_disclosure", "change_disclosure", "delete_disclosure", "view_disclosure",
            "view_recordeddisclosure",
            "add_correction", "change_correction", "delete_correction", "view_correction",
            "view_checklistoverride",
        ],
        "authors": [
            "add_author", "change_author", "delete_author", "view_author",
            "add_authorlink", "change_authorlink", "delete_authorlink", "view_authorlink",
            "add_authorinterest", "change_authorinterest", "delete_authorinterest",
            "view_authorinterest",
        ],
        "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
        "pages": ["add_page", "change_page", "delete_page", "view_page"],
    },
}  # fmt: skip


def set_roles(apps, roles):
    """Give each group of `roles` exactly its permissions, making what is missing."""
    # Permissions are normally created after all migrations (post_migrate); make
    # sure the ones named here exist already on a new database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, by_app in roles.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codenames in by_app.items()
            for codename in codenames
        ]
        group.permissions.set(wanted)


def sync_roles(apps, schema_editor):
    set_roles(apps, ROLES)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


# A GIN index on Article.search_vector serves reader search on PostgreSQL
# (`search_vector @@ websearch_to_tsquery(...)`, articles.search). SQLite has neither GIN
# indexes nor tsvector: there the column stays empty and search uses its icontains
# fallback. The index is not in Article.Meta.indexes because SQLite would then try to
# build it whenever a later migration rebuilds the table.
SEARCH_INDEX = "article_search_vector_gin"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON articles_article USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


# Three indexes and constraints of PostgreSQL databases migrated before this squash
# have names Django derived from earlier columns or operations; a new database gets them
# under those names too, so that every database has the same schema and SQL naming an
# index works on all. (SQLite databases already agree: Django rebuilt those tables.)
POSTGRESQL_NAMES = [
    "ALTER TABLE articles_article RENAME CONSTRAINT articles_article_uid_key"
    " TO articles_article_uid_ad9f9c25_uniq",
    "ALTER INDEX articles_disclosure_organisation_id_d4d54025"
    " RENAME TO articles_disclosure_organisation_record_id_89f80fec",
    "ALTER INDEX articles_quote_speaker_id_247e767b"
    " RENAME TO articles_quote_speaker_record_id_b2a9d0ee",
]


def name_as_migrated_databases(apps, schema_editor):
    # After the indexes, which the schema editor creates at the end of the migration.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.deferred_sql.extend(POSTGRESQL_NAMES)


# Topic names are unique whatever their case, in the database: taggit checks before it
# creates a topic, so saves that raced would each make one ("election", then
# "election_1"); with the index, the later insert fails and taggit's get_or_create
# finds the first. taggit's Tag belongs to taggit, so the index is plain SQL (the same
# on SQLite and PostgreSQL) rather than a constraint in its Meta. It is on UPPER(name)
# because that is what Django's name__iexact lookup compares on PostgreSQL (taggit's
# get_or_create, the importer, the topic form), so the same index serves those lookups.
TOPIC_NAME_INDEX = "taggit_tag_name_any_case_unique"


# The byline and topic links keep a copy of their article's publication time, so the
# author and topic pages read their newest articles from one index
# (ArticleQuerySet.by_author, on_topic). The database keeps the copy equal, with
# triggers, because every way a row is written goes through them: the admin, services,
# taggit's tags.add/set, bulk_create, COPY (interchange.bulk), QuerySet.update,
# reversion's revert, loaddata and a backup's restore (raw saves, which send no
# signals), and any UPDATE written later. The copy is always written in the same
# statement as its cause.
#
# - A link written (inserted, or updated: Django's save writes every column, possibly
#   a stale copy) takes its article's time. When its article is not there yet (loaddata
#   and a restore load rows in model order with foreign keys checked at the end), it
#   keeps the value given, and the article's insert below sets it.
# - An article inserted, or whose published_at changes, sets its links'.
#
# SQLite drops a table's triggers when a migration remakes that table (Django's way to
# alter a column there): a migration that remakes articles_article, articles_byline or
# articles_taggedarticle must run SQLITE again (tests/test_link_times.py fails until
# it does).
#
# PL/pgSQL caches a function's plans for the session. Planned while a table is small
# (a new site, the first rows of a seed_demo or import transaction, where ANALYZE sees
# nothing) they are sequential scans, kept as the table grows: each row written would
# then read the whole table. So the functions plan with sequential scans off: their
# lookups are by primary key or by the indexed article column, at any size. The
# per-statement one updates the links of each inserted article in a loop, when there
# are any: as one UPDATE ... FROM the inserted rows, its plan cached while the tables
# were small drove the join from a full scan of the byline index, once per inserted row
# batch, slower with every batch (measured: see docs/performance.md).
# A link written takes its article's time, if the article is there.
POSTGRESQL_LINK_FUNCTION = """
CREATE FUNCTION {table}_published_at() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE article_time timestamptz;
BEGIN
    SELECT published_at INTO article_time FROM articles_article WHERE id = NEW.{column};
    IF FOUND THEN
        NEW.published_at := article_time;
    END IF;
    RETURN NEW;
END $$"""

POSTGRESQL = [
    POSTGRESQL_LINK_FUNCTION.format(table="articles_byline", column="article_id"),
    """CREATE TRIGGER articles_byline_published_at BEFORE INSERT OR UPDATE ON articles_byline
    FOR EACH ROW EXECUTE FUNCTION articles_byline_published_at()""",
    POSTGRESQL_LINK_FUNCTION.format(table="articles_taggedarticle", column="content_object_id"),
    """CREATE TRIGGER articles_taggedarticle_published_at
    BEFORE INSERT OR UPDATE ON articles_taggedarticle
    FOR EACH ROW EXECUTE FUNCTION articles_taggedarticle_published_at()""",
    # An article given another time passes it to its links.
    """CREATE FUNCTION article_links_published_at() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    UPDATE articles_byline SET published_at = NEW.published_at
        WHERE article_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
    UPDATE articles_taggedarticle SET published_at = NEW.published_at
        WHERE content_object_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER article_links_published_at_update
    AFTER UPDATE OF published_at ON articles_article
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION article_links_published_at()""",
    # Articles inserted pass their times to links written before them (loaddata and a
    # restore write links first). Once per statement: a COPY of thousands of articles
    # is one, and its links come after it, so one index probe of each link table for
    # all the statement's articles usually finds none and ends it there, where a probe
    # per article would plan two statements for each.
    """CREATE FUNCTION article_links_published_at_inserted() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    written record;
    ids bigint[] := ARRAY(SELECT id FROM inserted);
BEGIN
    IF NOT EXISTS (SELECT FROM articles_byline WHERE article_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM articles_taggedarticle WHERE content_object_id = ANY(ids))
    THEN
        RETURN NULL;
    END IF;
    FOR written IN SELECT id, published_at FROM inserted LOOP
        UPDATE articles_byline SET published_at = written.published_at
            WHERE article_id = written.id AND published_at IS DISTINCT FROM written.published_at;
        UPDATE articles_taggedarticle SET published_at = written.published_at
            WHERE content_object_id = written.id
            AND published_at IS DISTINCT FROM written.published_at;
    END LOOP;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER article_links_published_at_insert AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION article_links_published_at_inserted()""",
]

POSTGRESQL_REVERSE = [
    "DROP FUNCTION articles_byline_published_at() CASCADE",
    "DROP FUNCTION articles_taggedarticle_published_at() CASCADE",
    "DROP FUNCTION article_links_published_at() CASCADE",
    "DROP FUNCTION article_links_published_at_inserted() CASCADE",
]

# SQLite cannot change NEW: a link is updated after it is written. The WHEN stops the
# trigger's own update from firing it again.
SQLITE_LINK_TRIGGER = """
CREATE TRIGGER {table}_published_at_{event} AFTER {event} ON {table}
WHEN EXISTS (
    SELECT 1 FROM articles_article
    WHERE id = NEW.{column} AND published_at IS NOT NEW.published_at
)
BEGIN
    UPDATE {table} SET published_at = (
        SELECT published_at FROM articles_article WHERE id = NEW.{column}
    ) WHERE id = NEW.id;
END"""

SQLITE_ARTICLE_BODY = """
BEGIN
    UPDATE articles_byline SET published_at = NEW.published_at
        WHERE article_id = NEW.id AND published_at IS NOT NEW.published_at;
    UPDATE articles_taggedarticle SET published_at = NEW.published_at
        WHERE content_object_id = NEW.id AND published_at IS NOT NEW.published_at;
END"""

SQLITE_LINKS = [("articles_byline", "article_id"), ("articles_taggedarticle", "content_object_id")]

SQLITE = [
    *(
        SQLITE_LINK_TRIGGER.format(table=table, column=column, event=event)
        for table, column in SQLITE_LINKS
        for event in ("INSERT", "UPDATE")
    ),
    "CREATE TRIGGER article_links_published_at_insert AFTER INSERT ON articles_article"
    + SQLITE_ARTICLE_BODY,
    "CREATE TRIGGER article_links_published_at_update AFTER UPDATE OF published_at "
    "ON articles_article WHEN OLD.published_at IS NOT NEW.published_at" + SQLITE_ARTICLE_BODY,
]

SQLITE_TRIGGERS = [
    *(
        f"{table}_published_at_{event}"
        for table, _ in SQLITE_LINKS
        for event in ("INSERT", "UPDATE")
    ),
    "article_links_published_at_insert",
    "article_links_published_at_update",
]

SQLITE_REVERSE = [f"DROP TRIGGER {name}" for name in SQLITE_TRIGGERS]


def add_link_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        schema_editor.execute(statement)


def drop_link_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_REVERSE if postgresql else SQLITE_REVERSE:
        schema_editor.execute(statement)


# The seeded story is the same article on every install: one uid for it everywhere, so
# an export from one install imports into another as that story, not as a second
# article with its slug.
SEED_UID = uuid.UUID("5a1e5f0c-ce5e-4b0a-9d3c-20180625a900")

PUBLISHED_AT = datetime.datetime(2018, 6, 25, 9, 0, tzinfo=datetime.UTC)

HEADLINE = "Salesforce staffers voice concern over contract with U.S. border control"
SLUG = "salesforce-staffers-voice-concern-over-contract-with-us-border-control"
STANDFIRST = (
    "Salesforce staffers have voiced concern about the firm working with border control "
    "under the current circumstances."
)

BODY = """\
As a company that encourages employee activism on a host of equality and diversity issues, it was perhaps inevitable that Salesforce would find itself caught in the cross-fire surrounding the U.S. Government’s border control controversy.

MIcrosoft was the first to be hit by collateral damage after bigging up its work with Immigration and Customs Enforcement (ICE) on a corporate blog (and clumsily trying to remove the offending paragraphs before reinstating them).

With the Trump administration coming under national and international fire for enforcing a policy of separating children from undocumented parents on the border, Microsoft staffers signed a petition asking the firm to break its links with ICE. The company later stated that it knows of no instance of its tech being used to support the separation enforcement.

Salesforce executives, including CEO Marc Benioff, have publicly made clear their disapproval of the break-up policy, so reports of a letter from employees voicing their concerns are perhaps surprising. But according to Buzzfeed, over 650 staffers have done just that, writing to Benioff to say:

[[quote:ohana]]

This all dates back to March of this year, prior to the Trump policy being put into action, when the firm announced that the CBP had signed to use Salesforce Analytics, Community Cloud and Service Cloud to “modernize its recruiting process, from hire to retire, and manage border activities and digital engagement with citizens”.

Specifically, CBP was said to intend to use:

- Community Cloud for “an aggressive transformation effort to increase core human resources information technology capabilities for current and prospective employees, while at the same time, driving efficiencies throughout the process”.
- Analytics for “a quick view of its recruiting efforts, which can then be segmented by demographics, regions and more, helping them better understand where there is a recruiting need and more accurately target potential employees”
- Service Cloud for “efficiencies around how U.S. border activities are managed, and handle feedback from citizens across a variety of channels”.

It’s the Service Cloud aspect that most worries the signatories to the Salesforce employee letter:

[[quote:service-cloud]]

The signatories acknowledge that Trump has since signed an Executive Order to stop the separation of children from parents, but note:

[[quote:status-quo]]

Salesforce has said in a statement that it is not aware of any Salesforce offering being used by CBP for the purposes of separating families, backing this up with postings on Twitter to make the point:

[[image:salesforce-border-tweet]]

## My take

I said last week when we looked at the Microsoft blog story that this was an issue that wasn’t likely to go away. We’ve since seen Amazon staffers writing to CEO Jeff Bezos asking him to guarantee that the firm’s facial recognition tech won’t be abused by government agencies.

Now Salesforce employees are expressing concern. In many respects, this is actually something that should cheer CEO Benioff - a corporate culture in which staff are empowered from the top to take a stand on important moral and ethical issues. As the letter reads:

[[quote:reputation]]

While emphasizing that there is absolutely no indication at all that there is any such complicity - and knowing those at the top of Salesforce, I can’t believe there ever knowingly would be! - this is another example of the dilemma we’ve noted over the past few months of how to square the circle on points of principle and ethics in a febrile political environment.

Salesforce has proven itself on this front before - look no further than the battle against ‘Bigots Charters’ in the likes of Georgia and Indiana. But as noted last week, we live in challenging times. Or as the Salesforce employees observe of the firm’s high standard of values:

[[quote:values-tested]]

They will be again. As will those of the wider tech industry. Those who uphold them will be on the right side of history.
"""

# The five quotations from the employees' letter, in body order.
QUOTES = [
    (
        "ohana",
        "As members of the Salesforce Ohana, we believe that Salesforce must stand with the families facing irrevocable and unimaginable harm at the hands of [Customs and Border Protection (CBP)] We believe that the moral and ethical emergency that CBP’s practices have created and in which we have become complicit compel us as an Ohana and you as our CEO to take action by re-examining our contractual relationship with CBP and speaking out against its current practices.",
    ),
    (
        "service-cloud",
        "We are particularly concerned about the use of Service Cloud to manage border activities. Given the inhumane separation of children from their parents currently taking place at the border, we believe that our core value of Equality is at stake and that Salesforce should reexamine our contractual relationship with CBP and speak out against its practices.",
    ),
    (
        "status-quo",
        "...that simply returns us to a status quo of detaining children with their parents at the border. We believe it is vital for Salesforce to stand up against both the practice that inspired this letter and any future attempts to merely make this destructive state of affairs more palatable.",
    ),
    (
        "reputation",
        "Many of us choose to work at Salesforce because of Salesforce’s reputation as a company that stands up against injustice. We agree that the business of business is to improve the state of the world. We want our work at Salesforce to have a positive impact on our friends and neighbors, not to make us complicit in the inhumane treatment of vulnerable people.",
    ),
    (
        "values-tested",
        "Those values often feel abstract, and it is easier to uphold them when they are not being tested. They are being tested now.",
    ),
]
QUOTE_SPEAKER = "Salesforce employees"
QUOTE_SOURCE = "Letter to CEO Marc Benioff"
QUOTE_REPORTED_BY = "BuzzFeed News"
QUOTE_CONTEXT = "An internal letter signed by over 650 Salesforce staff, June 2018."

# Organisations first: they are the topics disclosures attach to.
TAGS = [
    ("Salesforce", "salesforce"),
    ("Microsoft", "microsoft"),
    ("Amazon", "amazon"),
    ("Digital government and public services", "digital-government-and-public-services"),
    ("Ethics", "ethics"),
]

# (storage name, size, caption) of each stand-in picture: generated art with the
# caption's initials (newsroom.stand_ins), until an editor uploads the photograph.
PICTURES = {
    "author": ("seed/slauchlan.png", (400, 400), "Stuart Lauchlan"),
    "lead": ("seed/marc-benioff.png", (1600, 900), "Marc Benioff"),
    "tweet": ("seed/salesforce-border-tweet.png", (1200, 675), "Salesforce border tweet"),
}


def store_picture(key):
    name, size, caption = PICTURES[key]
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(newsroom.stand_ins.draw(caption, size)))


# The organisations the story covers: (slug of their topic, name, description, website).
ORGANISATIONS = [
    (
        "salesforce",
        "Salesforce",
        "Enterprise software company best known for its customer relationship management "
        "(CRM) cloud services.",
        "https://www.salesforce.com/",
    ),
    (
        "microsoft",
        "Microsoft",
        "Software and cloud computing company: Windows, Office, Azure.",
        "https://www.microsoft.com/",
    ),
    (
        "amazon",
        "Amazon",
        "Online retailer and, through Amazon Web Services, cloud computing provider.",
        "https://www.amazon.com/",
    ),
]
QUOTE_SPEAKER_SLUG = "salesforce-employees"
QUOTE_SPEAKER_DESCRIPTION = (
    "Staff who signed a letter to CEO Marc Benioff about the company's contract with U.S. "
    "Customs and Border Protection"
)
DISCLOSURE = "Salesforce is a premier partner of diginomica"

# The story's search vector (PostgreSQL only; see SEARCH_INDEX), the weighted document
# articles.search builds: headline (A), standfirst and topics (B), body without
# markers, quotes and author names (C), each list in the order it was made. Saves keep
# it current from then on (articles.signals).
SEARCH_VECTOR = r"""
UPDATE articles_article AS a SET search_vector =
    setweight(to_tsvector('english', coalesce(a.headline, '')), 'A')
    || setweight(to_tsvector('english', coalesce(a.standfirst, '') || ' ' || coalesce((
        SELECT string_agg(t.name, ' ' ORDER BY ta.id) FROM articles_taggedarticle ta
        JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id), '')), 'B')
    || setweight(to_tsvector('english',
        regexp_replace(coalesce(a.body, ''), '\[\[(quote|image):[^\]]*\]\]', ' ', 'g')
        || ' ' || coalesce((SELECT string_agg(s.name || ' ' || q.text, ' ' ORDER BY q.id)
            FROM articles_quote q JOIN articles_speaker s ON s.id = q.speaker_id
            WHERE q.article_id = a.id), '')
        || ' ' || coalesce((SELECT string_agg(au.name, ' ' ORDER BY b.id) FROM articles_byline b
            JOIN authors_author au ON au.id = b.author_id WHERE b.article_id = a.id), '')
    ), 'C')
WHERE a.slug = %s
"""


def seed(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    Image = apps.get_model("articles", "Image")
    Organisation = apps.get_model("articles", "Organisation")
    Speaker = apps.get_model("articles", "Speaker")
    Quote = apps.get_model("articles", "Quote")
    Disclosure = apps.get_model("articles", "Disclosure")
    RecordedDisclosure = apps.get_model("articles", "RecordedDisclosure")
    Rendition = apps.get_model("articles", "Rendition")
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
        uid=SEED_UID,
        headline=HEADLINE,
        slug=SLUG,
        standfirst=STANDFIRST,
        body=BODY,
        kind="analysis",
        status="published",
        published_at=PUBLISHED_AT,
        lead_image=lead,
        # Live since 2018: nothing left to announce; its disclosures are recorded below.
        went_live_at=timezone.now(),
        disclosures_as_of=PUBLISHED_AT,
    )
    Byline.objects.create(article=article, author=author, position=0)
    tags = {}
    for name, slug in TAGS:
        tags[slug], _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        TaggedArticle.objects.create(tag=tags[slug], content_object=article)
    organisations = {
        slug: Organisation.objects.create(
            name=name, slug=slug, tag=tags[slug], description=description, url=url
        )
        for slug, name, description, url in ORGANISATIONS
    }
    speaker = Speaker.objects.create(
        name=QUOTE_SPEAKER,
        slug=QUOTE_SPEAKER_SLUG,
        kind="group",
        organisation=organisations["salesforce"],
        description=QUOTE_SPEAKER_DESCRIPTION,
    )
    for position, (key, text) in enumerate(QUOTES):
        Quote.objects.create(
            article=article,
            key=key,
            text=text,
            speaker=speaker,
            source_kind="letter",
            source_title=QUOTE_SOURCE,
            reported_by=QUOTE_REPORTED_BY,
            context=QUOTE_CONTEXT,
            position=position,
        )
    disclosure = Disclosure.objects.create(
        organisation=organisations["salesforce"],
        kind="partner",
        statement=DISCLOSURE,
        # The earliest day the seed page vouches for; an editor can extend it back.
        valid_from=PUBLISHED_AT.date(),
    )
    # What the article carries as of its publication day.
    RecordedDisclosure.objects.create(
        article=article,
        disclosure=disclosure,
        organisation_name=organisations["salesforce"].name,
        relationship="Partner",
        statement=DISCLOSURE,
        valid_from=disclosure.valid_from,
        position=0,
    )
    for image in Image.objects.prefetch_related("renditions"):
        ensure_renditions(image, rendition_model=Rendition)
    ensure_renditions(author, rendition_model=Rendition)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_VECTOR, [SLUG])


def delete_renditions(renditions):
    for rendition in renditions:
        rendition.file.delete(save=False)
    renditions.delete()


def unseed(apps, schema_editor):
    """Remove what seed() made, leaving anything editors have since attached to it."""
    Author = apps.get_model("authors", "Author")
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    Image = apps.get_model("articles", "Image")
    Organisation = apps.get_model("articles", "Organisation")
    Speaker = apps.get_model("articles", "Speaker")
    Disclosure = apps.get_model("articles", "Disclosure")
    Rendition = apps.get_model("articles", "Rendition")
    Tag = apps.get_model("taggit", "Tag")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")

    Article.objects.filter(slug=SLUG).delete()
    Disclosure.objects.filter(
        organisation__slug="salesforce", statement=DISCLOSURE, article__isnull=True
    ).delete()
    Speaker.objects.filter(slug=QUOTE_SPEAKER_SLUG, quotes__isnull=True).delete()
    for slug, *_ in ORGANISATIONS:
        # (Authors' interests lost their organisation already: authors 0003 goes back first.)
        Organisation.objects.filter(slug=slug, disclosures__isnull=True).delete()
    for _, slug in TAGS:
        in_use = TaggedArticle.objects.filter(tag__slug=slug).exists()
        if not in_use and not Organisation.objects.filter(tag__slug=slug).exists():
            Tag.objects.filter(slug=slug).delete()
    if not Byline.objects.filter(author__slug="slauchlan").exists():
        delete_renditions(Rendition.objects.filter(author__slug="slauchlan"))
        Author.objects.filter(slug="slauchlan").delete()
        default_storage.delete(PICTURES["author"][0])
    for key, picture in [("marc-benioff", "lead"), ("salesforce-border-tweet", "tweet")]:
        if not Article.objects.filter(lead_image__key=key).exists():
            delete_renditions(Rendition.objects.filter(image__key=key))
            Image.objects.filter(key=key).delete()
            default_storage.delete(PICTURES[picture][0])
    # The tables go next, in the same transaction, and PostgreSQL refuses to drop a table
    # whose deferred foreign key checks are still pending: run them now.
    schema_editor.connection.check_constraints()


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("articles", "0001_initial"),
        ("articles", "0002_seed_salesforce_story"),
        ("articles", "0003_reader_site"),
        ("articles", "0003_workflow"),
        ("articles", "0004_roles"),
        ("articles", "0004_search_vector_gin_index"),
        ("articles", "0005_body_help"),
        ("articles", "0005_fill_search_vectors"),
        ("articles", "0006_renditions_for_existing_images"),
        ("articles", "0007_merge_20261129_1453"),
        ("articles", "0008_article_uid_went_live"),
        ("articles", "0008_organisations_speakers_trust"),
        ("articles", "0008_upload_by_content"),
        ("articles", "0009_fill_uid_went_live"),
        ("articles", "0009_organisations_speakers_data"),
        ("articles", "0010_article_uid_unique"),
        ("articles", "0010_quote_speaker_disclosure_organisation"),
        ("articles", "0011_record_published_disclosures"),
        ("articles", "0012_roles_quotes_disclosures"),
        ("articles", "0013_article_embargo_until_index"),
        ("articles", "0013_merge_20261129_1536"),
        ("articles", "0013_merge_uid_and_trust"),
        ("articles", "0014_merge_go_live_and_embargo_index"),
        ("articles", "0015_merge_20261129_1624"),
        ("articles", "0016_author_photo_renditions"),
        ("articles", "0017_renditions_for_existing_author_photos"),
        ("articles", "0018_link_published_at"),
        ("articles", "0019_link_published_at_upkeep"),
        ("articles", "0020_link_published_at_indexes"),
        ("articles", "0021_links_without_redundant_indexes"),
        ("articles", "0022_merge_topics_named_alike"),
        ("articles", "0023_topic_names_unique_whatever_case"),
        ("articles", "0024_quote_speaker_and_source_kind_wait_for_publishing"),
        ("articles", "0025_article_newest_first_index"),
        ("articles", "0026_seed_story_fixed_uid"),
        ("articles", "0027_jobs_become_tasks"),
        ("articles", "0028_markdown_limits"),
    ]

    # The dependencies name the migrations the replaced ones depended on; Django maps
    # each to the squashed migration that replaces it, where there is one.
    dependencies = [
        ("authors", "0001_initial"),
        ("authors", "0002_authorinterest"),
        ("pages", "0002_seed_policy_pages"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Image",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.SlugField(
                        help_text="Short name used to place the image in a body: [[image:<key>]].",
                        max_length=100,
                        unique=True,
                    ),
                ),
                ("width", models.PositiveIntegerField(default=0, editable=False)),
                ("height", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "alt_text",
                    models.CharField(
                        blank=True,
                        help_text="What the picture shows, for readers who cannot see it.",
                        max_length=300,
                    ),
                ),
                (
                    "is_decorative",
                    models.BooleanField(
                        default=False,
                        help_text="Tick only if the picture adds nothing to the text (then no alt text is needed).",
                    ),
                ),
                ("caption", models.CharField(blank=True, max_length=500)),
                (
                    "credit",
                    models.CharField(blank=True, help_text='For example "WEF".', max_length=200),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "file",
                    pictures.images.PictureField(
                        height_field="height",
                        help_text="JPEG, PNG, WebP or GIF. The stored file gets a generated name.",
                        upload_to=pictures.models.image_upload_path,
                        validators=[pictures.images.validate_image_file],
                        width_field="width",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Article",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("headline", models.CharField(max_length=300)),
                (
                    "slug",
                    models.SlugField(
                        help_text="The article's address: /articles/<slug>/. Keep it stable once published.",
                        max_length=200,
                        unique=True,
                    ),
                ),
                (
                    "standfirst",
                    models.TextField(
                        blank=True,
                        help_text="The summary under the headline; also the meta description.",
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="Markdown: a blank line between paragraphs; ## for a heading; - for a bullet; **bold**, *italic*, [words](https://link). Place a quote with [[quote:<key>]] and an image with [[image:<key>]], each on a line of its own.",
                        validators=[newsroom.markdown.validate_markdown],
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("news", "News"),
                            ("analysis", "Analysis"),
                            ("opinion", "Opinion"),
                            ("review", "Review"),
                            ("sponsored", "Sponsored"),
                        ],
                        help_text="The kind of work, shown above the headline. Required to publish.",
                        max_length=20,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("review", "In review"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=20,
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When readers may see it. A time in the future schedules the article.",
                        null=True,
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="The public 'Updated' time: set only for substantive changes.",
                        null=True,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("modified_at", models.DateTimeField(auto_now=True)),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="Bumped on every save, for safe concurrent editing.",
                    ),
                ),
                (
                    "lead_image",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lead_of",
                        to="articles.image",
                    ),
                ),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "embargo_by",
                    models.CharField(
                        blank=True,
                        help_text="Who imposed the embargo, e.g. a press office.",
                        max_length=200,
                    ),
                ),
                ("embargo_note", models.TextField(blank=True)),
                (
                    "embargo_until",
                    models.DateTimeField(
                        blank=True,
                        help_text="Nothing can make the article visible before this time, whatever its status.",
                        null=True,
                    ),
                ),
                (
                    "modified_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        help_text="Who saved last: named when a concurrent edit is refused.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "backstory",
                    models.TextField(
                        blank=True,
                        help_text='"How we reported this" (Markdown): sources, methods, why the story was written. Shown at the end of the article.',
                        validators=[newsroom.markdown.validate_markdown],
                    ),
                ),
                (
                    "dateline",
                    models.CharField(
                        blank=True,
                        help_text='Where the story was reported from, e.g. "SAN FRANCISCO". Leave empty if none.',
                        max_length=100,
                    ),
                ),
                (
                    "disclosures_as_of",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="The publication time the article's disclosures were recorded for. Once that time has passed, later edits of the register no longer change them.",
                        null=True,
                    ),
                ),
                (
                    "went_live_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="When publish_scheduled ran the go-live side effects; empty until then.",
                        null=True,
                    ),
                ),
                (
                    "uid",
                    models.UUIDField(
                        default=uuid.uuid4,
                        editable=False,
                        help_text="Stable identity across exports and imports: never changes, unlike the slug.",
                        unique=True,
                    ),
                ),
            ],
            options={
                "ordering": ["-published_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["status", "-published_at"], name="article_status_published"
                    ),
                    models.Index(
                        condition=models.Q(("status", "published"), ("went_live_at__isnull", True)),
                        fields=["published_at"],
                        name="article_awaiting_go_live",
                    ),
                    models.Index(
                        condition=models.Q(("embargo_until__isnull", False)),
                        fields=["embargo_until"],
                        name="article_embargo_until",
                    ),
                    models.Index(fields=["-published_at", "-id"], name="article_newest_first"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["draft", "review", "published", "archived"])
                        ),
                        name="article_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "published"), _negated=True),
                            ("published_at__isnull", False),
                            _connector="OR",
                        ),
                        name="article_published_has_time",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("updated_at__isnull", True),
                            models.Q(
                                ("published_at__isnull", False),
                                ("updated_at__gte", models.F("published_at")),
                            ),
                            _connector="OR",
                        ),
                        name="article_updated_after_published",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["", "news", "analysis", "opinion", "review", "sponsored"])
                        ),
                        name="article_kind_valid",
                    ),
                ],
                "permissions": [
                    ("publish_article", "Can publish, schedule, unpublish and archive any article")
                ],
            },
        ),
        migrations.CreateModel(
            name="ArticleSlugHistory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=200, unique=True)),
                ("changed_at", models.DateTimeField(auto_now=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="old_slugs",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "article slug history",
            },
        ),
        migrations.CreateModel(
            name="Byline",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "article",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bylines",
                        to="articles.article",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bylines",
                        to="authors.author",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="A copy of the article's publication time, kept by the database.",
                        null=True,
                    ),
                ),
            ],
            options={
                "ordering": ["position", "pk"],
                "indexes": [
                    models.Index(
                        fields=["author", "-published_at", "-article"],
                        name="byline_author_published",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("article", "author"), name="unique_byline")
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="authors",
            field=models.ManyToManyField(
                related_name="articles", through="articles.Byline", to="authors.author"
            ),
        ),
        migrations.CreateModel(
            name="TaggedArticle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "content_object",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="articles.article"
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)s_items",
                        to="taggit.tag",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="A copy of the article's publication time, kept by the database.",
                        null=True,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["tag", "-published_at", "-content_object"],
                        name="tagged_article_tag_published",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tag", "content_object"), name="unique_article_tag"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="tags",
            field=taggit.managers.TaggableManager(
                blank=True,
                help_text='"Read more on" topics, separated by commas. Organisations are topics too.',
                through="articles.TaggedArticle",
                to="taggit.Tag",
                verbose_name="Topics",
            ),
        ),
        migrations.CreateModel(
            name="ChecklistOverride",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "checks",
                    models.JSONField(help_text="The messages of the checks that were overridden."),
                ),
                ("reason", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="overrides",
                        to="articles.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Correction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("correction", "Correction"),
                            ("clarification", "Clarification"),
                            ("update", "Update"),
                        ],
                        default="correction",
                        max_length=20,
                    ),
                ),
                ("text", models.TextField(help_text="What was wrong and what is right now.")),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corrections",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "ordering": ["-published_at"],
                "indexes": [models.Index(fields=["-published_at"], name="correction_published")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["correction", "clarification", "update"])),
                        name="correction_kind_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Organisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text='As readers know it, e.g. "Salesforce".', max_length=200
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="The organisation page's address: /organisations/<slug>/.",
                        max_length=100,
                        unique=True,
                    ),
                ),
                (
                    "description",
                    models.TextField(blank=True, help_text="A sentence or two for its page."),
                ),
                ("url", models.URLField(blank=True, help_text="Its own website.", max_length=500)),
                (
                    "tag",
                    models.OneToOneField(
                        help_text="The topic articles about it are tagged with (+ adds a new topic).",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="organisation",
                        to="taggit.tag",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Speaker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text='As the attribution names them, e.g. "Marc Benioff" or "Salesforce employees".',
                        max_length=200,
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="The speaker page's address: /speakers/<slug>/.",
                        max_length=100,
                        unique=True,
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("person", "Person"),
                            ("group", "Group of people"),
                            ("organisation", "Organisation"),
                        ],
                        default="person",
                        max_length=20,
                    ),
                ),
                (
                    "description",
                    models.CharField(
                        blank=True,
                        help_text='Who they are, e.g. "Chief executive of Salesforce".',
                        max_length=300,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        help_text="The organisation they speak for or belong to (itself, for an organisation); their quotes then appear on its page.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="speakers",
                        to="articles.organisation",
                    ),
                ),
                (
                    "author",
                    models.OneToOneField(
                        blank=True,
                        help_text="When the speaker is one of our authors.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="speaker",
                        to="authors.author",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["person", "group", "organisation"])),
                        name="speaker_kind_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Disclosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("partner", "Partner"),
                            ("sponsor", "Sponsor"),
                            ("client", "Client"),
                            ("advertiser", "Advertiser"),
                            ("investor", "Investor"),
                            ("owner", "Owner"),
                            ("personal", "Personal interest of an author"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "statement",
                    models.CharField(
                        help_text='Shown after "At time of writing", e.g. "Salesforce is a premier partner of …".',
                        max_length=500,
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(
                        help_text="The first day it is true. Articles published from this day carry it."
                    ),
                ),
                (
                    "valid_until",
                    models.DateField(
                        blank=True,
                        help_text="The last day it is true. Leave empty while it lasts.",
                        null=True,
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        blank=True,
                        help_text="Only for a disclosure that belongs to one article (an author's own interest).",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="own_disclosures",
                        to="articles.article",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        help_text="Articles tagged with this organisation's topic carry the disclosure.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="disclosures",
                        to="articles.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["-valid_from", "pk"],
                "indexes": [
                    models.Index(fields=["organisation", "valid_from"], name="disclosure_org_from")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_until__isnull", True),
                            ("valid_until__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="disclosure_dates_in_order",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "partner",
                                    "sponsor",
                                    "client",
                                    "advertiser",
                                    "investor",
                                    "owner",
                                    "personal",
                                ],
                            )
                        ),
                        name="disclosure_kind_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Quote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.SlugField(
                        help_text="Marker name: [[quote:<key>]] places this quote in the body."
                    ),
                ),
                (
                    "text",
                    models.TextField(help_text="The quoted words, exactly as said or written."),
                ),
                (
                    "source_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("letter", "Letter"),
                            ("statement", "Statement"),
                            ("interview", "Interview"),
                            ("filing", "Filing"),
                            ("social", "Social media post"),
                            ("speech", "Speech"),
                            ("other", "Other"),
                        ],
                        help_text="Required to publish.",
                        max_length=20,
                    ),
                ),
                (
                    "source_title",
                    models.CharField(
                        blank=True,
                        help_text='For example "Letter to Marc Benioff".',
                        max_length=300,
                    ),
                ),
                (
                    "reported_by",
                    models.CharField(
                        blank=True,
                        help_text="Who first reported the source, if not us.",
                        max_length=200,
                    ),
                ),
                ("source_url", models.URLField(blank=True, max_length=500)),
                ("said_on", models.DateField(blank=True, null=True)),
                (
                    "context",
                    models.TextField(blank=True, help_text="Editor's note on the circumstances."),
                ),
                (
                    "is_pull_quote",
                    models.BooleanField(
                        default=False,
                        help_text="Shown as a pull quote rather than placed in the body.",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quotes",
                        to="articles.article",
                    ),
                ),
                (
                    "previous_text",
                    models.TextField(
                        blank=True,
                        editable=False,
                        help_text="The words as readers saw them before that change.",
                    ),
                ),
                (
                    "text_changed_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="When the words were last changed after the article was published.",
                        null=True,
                    ),
                ),
                (
                    "speaker",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who said or wrote it: a person, a group or an organisation (+ adds one). Required to publish.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="quotes",
                        to="articles.speaker",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "pk"],
                "indexes": [
                    models.Index(fields=["speaker", "article"], name="quote_speaker_article")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("article", "key"), name="unique_quote_key"),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "source_kind__in",
                                [
                                    "letter",
                                    "statement",
                                    "interview",
                                    "filing",
                                    "social",
                                    "speech",
                                    "other",
                                    "",
                                ],
                            )
                        ),
                        name="quote_source_kind_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Citation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text='What is cited, e.g. "Letter to Marc Benioff (BuzzFeed News)".',
                        max_length=300,
                    ),
                ),
                (
                    "url",
                    models.URLField(
                        blank=True, help_text="Where readers can find it.", max_length=500
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="citations",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RecordedDisclosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("organisation_name", models.CharField(max_length=200)),
                (
                    "relationship",
                    models.CharField(help_text='The kind, e.g. "Partner".', max_length=100),
                ),
                ("statement", models.CharField(max_length=500)),
                ("valid_from", models.DateField()),
                ("valid_until", models.DateField(blank=True, null=True)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recorded_disclosures",
                        to="articles.article",
                    ),
                ),
                (
                    "disclosure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="records",
                        to="articles.disclosure",
                    ),
                ),
                (
                    "interest",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="records",
                        to="authors.authorinterest",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Rendition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "crop",
                    models.CharField(
                        choices=[
                            ("original", "Original shape"),
                            ("16x9", "16:9"),
                            ("4x3", "4:3"),
                            ("1x1", "1:1"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "format",
                    models.CharField(choices=[("webp", "WebP"), ("jpeg", "JPEG")], max_length=10),
                ),
                ("width", models.PositiveIntegerField()),
                ("height", models.PositiveIntegerField()),
                (
                    "file",
                    models.FileField(
                        max_length=200, upload_to=pictures.images.rendition_upload_path
                    ),
                ),
                (
                    "file_size",
                    models.PositiveIntegerField(
                        help_text="Bytes; feeds announce it with the image."
                    ),
                ),
                (
                    "source_name",
                    models.CharField(
                        help_text="The image file this was made from; a new upload replaces it.",
                        max_length=200,
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="renditions",
                        to="articles.image",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        help_text="Set for a rendition of this author's photo (instead of an image).",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photo_renditions",
                        to="authors.author",
                    ),
                ),
            ],
            options={
                "ordering": ["crop", "format", "width"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("image", "crop", "width", "format"), name="unique_rendition"
                    ),
                    models.UniqueConstraint(
                        fields=("author", "crop", "width", "format"), name="unique_photo_rendition"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("author__isnull", True), ("image__isnull", False)),
                            models.Q(("author__isnull", False), ("image__isnull", True)),
                            _connector="OR",
                        ),
                        name="rendition_of_one_picture",
                    ),
                ],
            },
        ),
        migrations.RunSQL(
            f'CREATE UNIQUE INDEX "{TOPIC_NAME_INDEX}" ON "taggit_tag" (UPPER("name"))',
            f'DROP INDEX "{TOPIC_NAME_INDEX}"',
        ),
        # No way back needed: going back drops the tables next.
        migrations.RunPython(name_as_migrated_databases, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(add_link_triggers, drop_link_triggers),
        migrations.RunPython(sync_roles, remove_roles),
        migrations.RunPython(seed, unseed),
    ]
