"""The words of existing articles' headlines and standfirsts and of the names of topics,
authors and speakers, for "did you mean" (articles.search keeps them as content is
saved from now on). The word rule is written out here, as migrations must not follow
later changes to the app's code: letters only, 3 to 40 of them, lower case."""

import re

from django.db import migrations

WORD_RE = re.compile(r"[^\W\d_]+")


def fill_words(apps, schema_editor):
    SearchWord = apps.get_model("articles", "SearchWord")
    texts = [
        apps.get_model("articles", "Article").objects.values_list("headline", "standfirst"),
        apps.get_model("taggit", "Tag").objects.values_list("name"),
        apps.get_model("authors", "Author").objects.values_list("name"),
        apps.get_model("quotes", "Speaker").objects.values_list("name"),
    ]
    words = set()
    for rows in texts:
        for row in rows.iterator(chunk_size=2000):
            for text in row:
                words.update(w.lower() for w in WORD_RE.findall(text) if 3 <= len(w) <= 40)
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True, batch_size=1000
    )


def forget_words(apps, schema_editor):
    apps.get_model("articles", "SearchWord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0035_search_suggestions")]

    operations = [migrations.RunPython(fill_words, forget_words)]
