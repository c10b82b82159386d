"""Article.search_vector kept in the article's row (PostgreSQL storage MAIN: compressed
when it must be, moved out of the row only when nothing else makes the row fit a page).

A search walks its matches newest first, testing and ranking each article's vector.
Stored out of the row (PostgreSQL's default once a row passes about 2 kB, which the
headline, standfirst, body and vector of an ordinary story do), each vector read was a
look-up in the TOAST table's index and a read of its chunks, twice an article (once to
match, once to rank). The body, larger and read only for a page of snippets, goes out
of the row first instead.

The storage applies to vectors written from now on: every save, import and seed writes
one. Those written before move into their rows as their articles are saved again, or all
at once by `VACUUM FULL articles_article` (which locks the table while it rewrites it).
SQLite has no tsvector: nothing to do there."""

from django.db import migrations


def storage(kind):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE {kind}"
            )

    return alter


class Migration(migrations.Migration):
    dependencies = [("articles", "0037_links_article_kind")]

    operations = [migrations.RunPython(storage("MAIN"), storage("EXTENDED"), elidable=False)]
