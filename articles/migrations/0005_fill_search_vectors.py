"""Build the search vector of every existing article (PostgreSQL only; see 0004).

Self-contained SQL on purpose, so later changes to articles.search cannot change what
this migration does. It builds the same weighted document: headline (A), standfirst
and topics (B), body without markers, quotes and author names (C). New saves keep
the vectors current from then on (articles.signals).
"""

from django.db import migrations

FILL = r"""
UPDATE articles_article AS a SET search_vector =
    setweight(to_tsvector('english', coalesce(a.headline, '')), 'A')
    || setweight(to_tsvector('english', coalesce(a.standfirst, '') || ' ' || coalesce((
        SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
        JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id), '')), 'B')
    || setweight(to_tsvector('english',
        regexp_replace(coalesce(a.body, ''), '\[\[(quote|image):[^\]]*\]\]', ' ', 'g')
        || ' ' || coalesce((SELECT string_agg(q.speaker || ' ' || q.text, ' ')
            FROM articles_quote q WHERE q.article_id = a.id), '')
        || ' ' || coalesce((SELECT string_agg(au.name, ' ') FROM articles_byline b
            JOIN authors_author au ON au.id = b.author_id WHERE b.article_id = a.id), '')
    ), 'C')
"""


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)


def empty(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.update(search_vector=None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_search_vector_gin_index"),
        ("authors", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, empty)]
