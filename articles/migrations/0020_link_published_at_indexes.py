"""Indexes on the links' copy of the publication time: the author and topic
pages read their newest articles from them (ArticleQuerySet.by_author, on_topic)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0019_link_published_at_upkeep")]

    operations = [
        migrations.AddIndex(
            model_name="byline",
            index=models.Index(
                fields=["author", "-published_at", "-article"], name="byline_author_published"
            ),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "-published_at", "-content_object"],
                name="tagged_article_tag_published",
            ),
        ),
    ]
