"""The admin's article list and article page run a fixed number of SQL queries, however
many articles, authors, topics and quotes there are (the page-speed goal for editors
is in docs/performance.md; bench/run.py measures it).

Each page is fetched, the data grows, and the page is fetched again: the count must
not move, and it is pinned.
"""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, QuoteFactory

# session; user; the user's permissions (own, groups'); the author filter's choices
# (one EXISTS per author); the topic filter's choices; the count; the page of articles;
# their bylines with authors; the date drill-down: first and last times, then every
# year in between probed in one query
CHANGELIST_QUERIES = 11
# session; user; permissions (2); the form's transaction (2: a savepoint in tests); the
# article; its bylines with authors; its topics; the editor's own author (a new byline's
# default); each inline's rows with what their headings name (bylines, quotes,
# corrections, own disclosures, citations: 5); the checklist's quotes and topics (2);
# the workflow panel's overrides; the disclosures preview: own disclosures, topics,
# the register, authors' interests (4); the editor's autosave of the article, to offer back
CHANGE_PAGE_QUERIES = 23
# Django's autocomplete widget looks up the value it shows: one query a filled widget.
AUTOCOMPLETE_QUERIES = 1
# A body placing images: the checklist reads them in one query (for the markers, the
# alt text and the accessibility advice) and the lead image in one.
PLACED_IMAGES_QUERIES = 2


class ArticleAdminQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        editor = get_user_model().objects.create_user("edith", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editor"))
        cls.editor = editor

    def setUp(self) -> None:
        self.client.force_login(self.editor)

    def articles(self, count: int, *, year: int) -> list[Article]:
        made = []
        for number in range(count):
            article = ArticleFactory(
                authors=[AuthorFactory(), AuthorFactory()],
                published_at=datetime.datetime(year, 1 + number % 12, 2, tzinfo=datetime.UTC),
            )
            article.tags.add(f"Topic {year} {number}", "Cloud")
            made.append(article)
        return made

    def get(self, url: str, queries: int) -> Any:
        self.client.get(url)  # per-process caches (content types) warm
        with self.assertNumQueries(queries) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        # No DISTINCT over the archive: the author filter's choices and the date
        # drill-down's years were found that way, a scan of every article per load.
        for query in captured.captured_queries:
            self.assertNotIn("DISTINCT", query["sql"])
        return response

    def test_article_list_queries_do_not_grow_with_articles_authors_topics_or_years(
        self,
    ) -> None:
        url = reverse("admin:articles_article_changelist")
        self.articles(3, year=2019)
        self.get(url, CHANGELIST_QUERIES)
        self.articles(6, year=2021)
        self.articles(2, year=2024)
        response = self.get(url, CHANGELIST_QUERIES)
        # The years in the drill-down: those with articles only (not 2020, 2022, 2023).
        for year in ("2019", "2021", "2024"):
            self.assertContains(response, f"?published_at__year={year}")
        for year in ("2020", "2022", "2023"):
            self.assertNotContains(response, f"?published_at__year={year}")

    def test_filtered_list_counts_once(self) -> None:
        """A filtered list counts what it shows, not also the whole archive."""
        self.articles(3, year=2021)
        url = reverse("admin:articles_article_changelist") + "?state=live"
        response = self.get(url, CHANGELIST_QUERIES)
        self.assertContains(response, "Show all")

    def test_article_page_queries_do_not_grow_with_quotes_or_authors(self) -> None:
        article = self.articles(1, year=2021)[0]
        QuoteFactory(article=article)
        url = reverse("admin:articles_article_change", args=[article.pk])
        # Two authors and a speaker in the autocomplete widgets.
        self.get(url, CHANGE_PAGE_QUERIES + 3 * AUTOCOMPLETE_QUERIES)
        for _ in range(3):
            QuoteFactory(article=article)
        article.bylines.create(author=AuthorFactory(), position=5)
        self.get(url, CHANGE_PAGE_QUERIES + 7 * AUTOCOMPLETE_QUERIES)

    def test_article_page_queries_do_not_grow_with_the_images_and_accessibility_checks(
        self,
    ) -> None:
        """The checklist's accessibility advice reads the images the checklist already
        has: placed images, headings and links cost nothing more, however many."""
        article = self.articles(1, year=2021)[0]
        article.lead_image = ImageFactory(alt_text="IMG_0001.jpg")
        url = reverse("admin:articles_article_change", args=[article.pk])

        def place(count: int) -> None:
            images = [ImageFactory(alt_text="") for _ in range(count)]
            article.body = "\n\n".join(
                ["#### Deep", "[click here](https://example.com/a)", "SHOUTING " * 5]
                + [f"[[image:{image.key}]]" for image in images]
            )
            article.save()

        place(1)
        # Two authors and the lead image in the autocomplete widgets; the placed images.
        response = self.get(url, CHANGE_PAGE_QUERIES + PLACED_IMAGES_QUERIES + 3)
        self.assertContains(response, "The body reads well with a screen reader")
        self.assertContains(response, "IMG_0001.jpg")
        place(4)
        self.get(url, CHANGE_PAGE_QUERIES + PLACED_IMAGES_QUERIES + 3)
