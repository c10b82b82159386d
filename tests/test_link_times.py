"""The byline's and the topic link's copy of the article's publication time.
Author and topic pages list from it, so whatever writes an article or a link (the
workflow, the admin, taggit, the bulk writers of seed_demo and import_articles, a
QuerySet.update, loaddata, a backup's restore) leaves every copy equal to its article's
time, and the pages list the right articles in the right order."""

import datetime
import html
import json
import re
import tempfile
import unittest
from pathlib import Path
from typing import Any

import reversion
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, Byline, TaggedArticle
from tests.base import DATA, SEED_SLUG, run_command
from tests.factories import ArticleFactory, AuthorFactory
from tests.test_admin import inline_management

Status = Article.Status
# A card's headline, as every listing's card shows it.
CARD_HEADLINE = re.compile(r'class="card__headline"><a [^>]+>([^<]+)</a>')


Copies = tuple[datetime.datetime | None, str]


def link_copies() -> list[tuple[str, Copies, Copies]]:
    """Every link as (which, its copies of the time and kind, its article's)."""
    bylines = Byline.objects.values_list(
        "published_at", "article_kind", "article__published_at", "article__kind"
    )
    topics = TaggedArticle.objects.values_list(
        "published_at", "article_kind", "content_object__published_at", "content_object__kind"
    )
    return [
        (which, (time, kind), (article_time, article_kind))
        for which, rows in (("byline", bylines), ("topic", topics))
        for time, kind, article_time, article_kind in rows
    ]


class CopyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # Logged in by force_login: no password needed.
        cls.editor = get_user_model().objects.create_superuser("editor", None, None)
        cls.author = AuthorFactory(name="Jane Reporter", slug="jane-reporter")

    def assertCopiesMatch(self) -> None:
        """Links exist, and each one's copies are its article's time and kind."""
        links = link_copies()
        self.assertTrue(links)
        self.assertEqual([link for link in links if link[1] != link[2]], [])

    def listed(self, url: str) -> list[str]:
        """The headlines a page lists, in order."""
        response = self.client.get(url)
        if response.status_code == 404:
            return []
        cards = response.content.decode().split('<div class="cards">', 1)[1]
        return [html.unescape(headline) for headline in CARD_HEADLINE.findall(cards)]

    def author_page(self) -> list[str]:
        return self.listed(self.author.get_absolute_url())

    def topic_page(self) -> list[str]:
        return self.listed(reverse("articles:tag", kwargs={"slug": "cloud"}))


class PageTests(CopyTestCase):
    def setUp(self) -> None:
        now = timezone.now()
        for headline, days in [("Older", 2), ("Newer", 1)]:
            article = ArticleFactory(
                headline=headline,
                published_at=now - datetime.timedelta(days=days),
                authors=[self.author],
            )
            article.tags.add("Cloud")
        self.story = ArticleFactory(
            headline="Story",
            status=Status.DRAFT,
            published_at=None,
            authors=[self.author],
        )
        self.story.tags.add("Cloud")

    def test_publish_unpublish_schedule_move_the_story(self) -> None:
        """Published, the story tops both pages; unpublished or scheduled, it leaves
        them; its time moved into the past, it takes its place by that time."""
        both = (self.author_page, self.topic_page)
        self.assertEqual([page() for page in both], [["Newer", "Older"]] * 2)
        services.publish(article=self.story, user=self.editor, override_reason="Test")
        self.assertEqual([page() for page in both], [["Story", "Newer", "Older"]] * 2)
        self.assertCopiesMatch()
        services.unpublish(article=self.story, user=self.editor)
        self.assertEqual([page() for page in both], [["Newer", "Older"]] * 2)
        later = timezone.now() + datetime.timedelta(hours=1)
        self.story.refresh_from_db()
        services.publish(article=self.story, user=self.editor, at=later, override_reason="Test")
        self.assertEqual([page() for page in both], [["Newer", "Older"]] * 2)
        self.assertCopiesMatch()
        earlier = timezone.now() - datetime.timedelta(days=3)
        Article.objects.filter(pk=self.story.pk).update(published_at=earlier)
        self.assertEqual([page() for page in both], [["Newer", "Older", "Story"]] * 2)
        self.assertCopiesMatch()

    def test_a_kind_changed_reaches_the_links(self) -> None:
        """An article's kind changed by a save or by an update of many: its links'
        copies follow at once."""
        newer = Article.objects.get(headline="Newer")
        newer.kind = Article.Kind.OPINION
        newer.save()
        self.assertCopiesMatch()
        Article.objects.filter(headline__in=["Newer", "Older"]).update(kind=Article.Kind.REVIEW)
        self.assertEqual(
            set(
                TaggedArticle.objects.filter(tag__slug="cloud").values_list(
                    "content_object__headline", "article_kind"
                )
            ),
            {("Newer", "review"), ("Older", "review"), ("Story", self.story.kind)},
        )
        self.assertCopiesMatch()

    def test_retagging_and_bylines_change_the_pages(self) -> None:
        """A topic taken off or put on, a byline removed or added: the pages follow."""
        newer = Article.objects.get(headline="Newer")
        older = Article.objects.get(headline="Older")
        newer.tags.set(["Elsewhere"])
        self.assertEqual(self.topic_page(), ["Older"])
        newer.tags.add("Cloud")
        self.assertEqual(self.topic_page(), ["Newer", "Older"])
        Byline.objects.filter(article=older).delete()
        self.assertEqual(self.author_page(), ["Newer"])
        Byline.objects.create(article=older, author=self.author)
        self.assertEqual(self.author_page(), ["Newer", "Older"])
        self.assertCopiesMatch()


class WriterTests(CopyTestCase):
    """Each way rows are written leaves the copies equal to the articles' times."""

    def test_admin_inlines_then_the_publish_move(self) -> None:
        """A story written in the admin (bylines inline, topics) is a draft with empty
        copies; published from its checklist page, the copies take its time."""
        self.client.force_login(self.editor)
        form = {
            "headline": "Written in the admin",
            "slug": "written-in-the-admin",
            "kind": "news",
            "standfirst": "A standfirst.",
            "body": "A paragraph.",
            "tags": "Cloud, Salesforce",
            **{f"embargo_{name}": "" for name in ("until_0", "until_1", "by", "note")},
            **inline_management("bylines", 1),
            "bylines-0-author": str(self.author.pk),
            "bylines-0-position": "0",
            **{
                key: value
                for prefix in ("quotes", "corrections", "own_disclosures", "citations")
                for key, value in inline_management(prefix, 0).items()
            },
        }
        self.client.post(reverse("admin:articles_article_add"), form)
        article = Article.objects.get(slug="written-in-the-admin")
        self.assertEqual(
            {row[1:] for row in link_copies() if None in (row[1][0], row[2][0])},
            {((None, "news"), (None, "news"))},
        )
        publish = reverse("admin:articles_article_workflow", args=[article.pk, "publish"])
        self.client.post(publish, {"publish_at": "", "override_reason": "Test"})
        article.refresh_from_db()
        self.assertEqual(article.status, Status.PUBLISHED)
        self.assertCopiesMatch()
        self.assertEqual(self.topic_page(), ["Written in the admin"])

    def test_taggit_add_and_set(self) -> None:
        article = ArticleFactory(authors=[self.author])
        article.tags.add("Cloud", "Salesforce")
        article.tags.set(["Cloud", "Policy"])
        self.assertCopiesMatch()

    def test_restoring_a_revision_brings_back_links_with_todays_time(self) -> None:
        """An old revision's bylines and topics hold the time of then; restored after
        the article moved, they take its time now."""
        article = ArticleFactory(authors=[self.author])
        article.tags.add("Cloud")
        with reversion.create_revision():
            article.save()
        revision = services.revisions(article)[0].revision
        Article.objects.filter(pk=article.pk).update(
            published_at=timezone.now() - datetime.timedelta(days=9)
        )
        Byline.objects.filter(article=article).delete()
        article.tags.clear()
        article.refresh_from_db()
        services.restore_revision(article=article, revision=revision, user=self.editor)
        self.assertEqual(self.author_page(), [article.headline])
        self.assertCopiesMatch()

    def test_seed_demo(self) -> None:
        run_command("seed_demo", "--articles", "5", "--authors", "2", "--seed", "3", "-v", "0")
        self.assertCopiesMatch()

    def test_import_articles_json_lines(self) -> None:
        jsonl = DATA / "jsonl"
        run_command(
            "import_articles", str(jsonl / "articles.jsonl"), "--media-dir", str(jsonl / "media")
        )
        self.assertCopiesMatch()

    def test_import_articles_wordpress(self) -> None:
        run_command("import_articles", str(DATA / "wordpress" / "export.xml"), verbosity=0)
        self.assertCopiesMatch()

    def test_loaddata_with_stale_copies_links_first(self) -> None:
        """Raw saves send no signals: a fixture whose links come before their article
        and carry another time still ends with the article's."""
        article = ArticleFactory(authors=[self.author])
        article.tags.add("Cloud")
        stale = "2001-01-01T00:00:00Z"
        rows = json.loads(
            run_command("dumpdata", "articles.byline", "articles.taggedarticle")[0]
        ) + json.loads(run_command("dumpdata", "articles.article", "--pks", str(article.pk))[0])
        for row in rows:
            if row["model"] != "articles.article":
                row["fields"].update(published_at=stale, article_kind="review")
        Article.objects.filter(pk=article.pk).delete()
        self.assertFalse(Byline.objects.filter(article=article.pk).exists())
        with tempfile.TemporaryDirectory() as folder:
            fixture = Path(folder) / "links-first.json"
            fixture.write_text(json.dumps(rows))
            call_command("loaddata", str(fixture), verbosity=0)
        self.assertEqual(self.author_page(), [article.headline])
        self.assertCopiesMatch()

    def test_restore_of_a_backup(self) -> None:
        """A backup carries the copies; restored, they are the articles' times."""
        ArticleFactory(authors=[self.author]).tags.add("Cloud")
        with tempfile.TemporaryDirectory() as folder, self.settings(MEDIA_ROOT=folder):
            archive = str(Path(folder) / "site.tar.gz")
            run_command("backup", "-o", archive, verbosity=0)
            Article.objects.exclude(slug=SEED_SLUG).delete()
            run_command("restore", "--replace", archive, verbosity=0)
        self.assertEqual(len(self.topic_page()), 1)
        self.assertCopiesMatch()


@unittest.skipUnless(connection.vendor == "postgresql", "EXPLAIN plans are PostgreSQL's")
class PlanTests(CopyTestCase):
    """On PostgreSQL, the author and topic listings (of one kind too) can be read from
    the links' own index newest first, fetching each article by primary key: neither a
    sort nor a walk down the article index by publication time. A test-sized archive makes sorting a
    few hundred rows the cheapest plan, so sorts and sequential scans are ruled out
    here: what is left is the plan the query's shape allows at scale (bench/explain.py
    shows PostgreSQL choosing it at 100,000 and 1,000,000 articles)."""

    def plan(self, queryset: Any) -> str:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.for_listing()[:21].explain()

    def test_author_and_topic_listings_use_the_link_indexes(self) -> None:
        """After seed_demo both ways: a seed that at least doubles the archive builds the
        link indexes at its end, a smaller one keeps them as it writes."""
        run_command("seed_demo", "--articles", "200", "--authors", "3", "--seed", "5", "-v", "0")
        run_command("seed_demo", "--articles", "5", "--authors", "3", "--seed", "6", "-v", "0")
        live = Article.objects.published()
        author = Byline.objects.values_list("author", flat=True).first()
        topic = TaggedArticle.objects.values_list("tag", flat=True).first()
        kind = Article.Kind.ANALYSIS
        for queryset, table, index in [
            (live.by_author(author), "articles_byline", "byline_author_published"),
            (live.on_topic(topic), "articles_taggedarticle", "tagged_article_tag_published"),
            (live.by_author(author, kind=kind), "articles_byline", "byline_author_kind"),
            (live.on_topic(topic, kind=kind), "articles_taggedarticle", "tagged_article_tag_kind"),
        ]:
            plan = self.plan(queryset)
            with self.subTest(index=index):
                self.assertIn(f"Index Only Scan using {index} on {table}", plan)
                self.assertIn("Index Scan using articles_article_pkey", plan)
                self.assertNotIn("Sort", plan)
                self.assertNotIn("article_status_published", plan)


class LinkKeyIndexTests(TestCase):
    """The links' foreign keys have no single-column index of their own (the
    migrations leave them out): other indexes lead with them, so reading links by one of
    them (an article's bylines, an author's or a topic's links, the checks a delete
    makes) still searches an index, and each link written updates one index fewer."""

    KEYS = [(Byline, "article_id"), (Byline, "author_id"), (TaggedArticle, "tag_id")]

    def test_no_single_column_index_repeats_a_leading_column(self) -> None:
        with connection.cursor() as cursor:
            for model, column in self.KEYS:
                table = model._meta.db_table
                constraints = connection.introspection.get_constraints(cursor, table)
                with self.subTest(table=table, column=column):
                    leading = [
                        name
                        for name, constraint in constraints.items()
                        if (constraint["index"] or constraint["unique"])
                        and constraint["columns"][0] == column
                    ]
                    self.assertTrue(leading, f"nothing indexes {table}.{column}")
                    self.assertNotIn([column], [constraints[name]["columns"] for name in leading])

    def test_reading_links_by_each_key_searches_an_index(self) -> None:
        author = AuthorFactory()
        article = ArticleFactory(authors=[author])
        article.tags.add("Cloud")
        tag = article.tags.get()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a tiny table: rule out the cheaper scan
                cursor.execute("SET LOCAL enable_seqscan = off")
        for queryset in [
            Byline.objects.filter(article=article),
            Byline.objects.filter(author=author),
            TaggedArticle.objects.filter(tag=tag),
        ]:
            plan = queryset.values("pk").explain()
            with self.subTest(query=str(queryset.query)):
                if connection.vendor == "postgresql":
                    self.assertIn("Index", plan)
                    self.assertNotIn("Seq Scan", plan)
                else:
                    self.assertRegex(plan, r"SEARCH \w+ USING (COVERING )?INDEX")
