"""Search that helps: how many were found, the words marked in each snippet, relevance or
date order, filters by topic, author, kind and dates with a message for each bad value,
"did you mean" for a misspelt word, matching names of topics and people, and what to try
when nothing matches. On SQLite and PostgreSQL alike, unless a test says otherwise."""

import datetime
import gc
import random
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from string import ascii_lowercase
from unittest import mock, skipUnless

from django import forms
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase
from django.utils import timezone
from django.utils.html import escape, strip_tags
from taggit.models import Tag

from articles.models import Article, SearchWord
from articles.search import (
    SNIPPET_WINDOW,
    marked_excerpt,
    name_has_word_starting,
    nearest_words,
    nearest_words_statement,
    snippet,
    snippet_source,
    suggestion,
)
from authors.models import Author
from quotes.models import Speaker
from reader import fragments
from reader.models import StoredArticle
from tests.base import search_results
from tests.factories import ArticleFactory, AuthorFactory, QuoteFactory, SpeakerFactory

ON_POSTGRESQL = connection.vendor == "postgresql"


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


class SearchHelpsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.writer = AuthorFactory(name="Ingrid Zylstra", slug="ingrid-zylstra")
            cls.old_headline = ArticleFactory(
                headline="Ptarmigan numbers fall",
                standfirst="Upland birds in decline.",
                body="Counts were lower.",
                kind=Article.Kind.ANALYSIS,
                published_at=days_ago(30),
                authors=[cls.writer],
            )
            cls.old_headline.tags.add("Wildlife")
            cls.new_body = ArticleFactory(
                headline="Moorland survey",
                standfirst="A season on the hills.",
                body="Walkers reported a ptarmigan near the summit.",
                published_at=days_ago(2),
            )
            cls.middle = ArticleFactory(
                headline="Upland report",
                standfirst="Ptarmigan habitats mapped.",
                body="Maps.",
                kind=Article.Kind.OPINION,
                published_at=days_ago(10),
            )
            speaker = SpeakerFactory(name="Odile Quennell", slug="odile-quennell")
            QuoteFactory(article=cls.middle, speaker=speaker, text="The birds are moving up.")
            cls.draft = ArticleFactory(
                headline="Capybara sanctuary opens",
                status=Article.Status.DRAFT,
                published_at=None,
            )
            cls.draft.tags.add("Secret Project")

    def get(self, **params: str):  # type: ignore[no-untyped-def]
        return self.client.get("/search/", params)

    def headlines(self, **params: str) -> list[str]:
        response = self.get(**params)
        self.assertEqual(response.status_code, 200)
        return [article.headline for article in search_results(response)]

    def test_shows_how_many_stories_were_found(self) -> None:
        self.assertContains(self.get(q="ptarmigan"), "3 results for “ptarmigan”.")
        self.assertContains(self.get(q="moorland"), "1 result for “moorland”.")

    def test_count_past_the_ranked_bound_says_more(self) -> None:
        """Only the newest RANKED_MATCHES are found and counted: the count says so."""
        with (
            mock.patch("articles.search.RANKED_MATCHES", 2),
            mock.patch("newsroom.views.RANKED_MATCHES", 2),
        ):
            self.assertContains(self.get(q="ptarmigan"), "2+ results for “ptarmigan”.")

    def test_matches_are_marked_in_the_snippet(self) -> None:
        response = self.get(q="summit")
        self.assertContains(response, "<mark>summit</mark>")
        self.assertContains(response, "Walkers reported a ptarmigan near the")

    def test_marking_never_injects_markup(self) -> None:
        """The text is escaped and only then marked: the story's own markup and a query
        made of markup or quotes come out as text."""
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(
                headline="Markup tricks",
                standfirst="",
                body='Beware <b onclick="x">bold</b> & "quoted" grebes.',
            )
        response = self.get(q="grebes")
        self.assertContains(response, "<mark>grebes</mark>")
        # SQLite shows the story's markup as text; PostgreSQL's ts_headline leaves it out.
        self.assertContains(response, "bold")
        self.assertContains(response, "&amp; &quot;quoted&quot; <mark>grebes</mark>.")
        self.assertNotContains(response, '<b onclick="x">')
        for query in ["<b>", '"', '"><script>alert(1)</script>', "grebes <b>", 'grebes "']:
            with self.subTest(query=query):
                response = self.get(q=query)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "<b>")
                self.assertNotContains(response, "<script>alert")

    def test_relevance_puts_headline_matches_first_and_date_sorts_newest_first(self) -> None:
        self.assertEqual(self.headlines(q="ptarmigan")[0], "Ptarmigan numbers fall")
        self.assertEqual(
            self.headlines(q="ptarmigan", sort="date"),
            ["Moorland survey", "Upland report", "Ptarmigan numbers fall"],
        )

    def test_filter_by_topic(self) -> None:
        self.assertEqual(
            self.headlines(q="ptarmigan", topic="wildlife"), ["Ptarmigan numbers fall"]
        )

    def test_filter_by_author(self) -> None:
        self.assertEqual(
            self.headlines(q="ptarmigan", author="ingrid-zylstra"), ["Ptarmigan numbers fall"]
        )

    def test_topic_and_author_filters_list_only_live_stories_newest_first(self) -> None:
        """Narrowed to a topic or an author, the search walks that topic's or author's
        stories: a scheduled, an embargoed and a draft one of theirs stay out, and
        whether time or relevance orders them, the live ones are all there."""
        hidden = [
            {"published_at": days_ago(-1)},
            {"published_at": days_ago(1), "embargo_until": days_ago(-1)},
            {"status": Article.Status.DRAFT, "published_at": None},
        ]
        with self.captureOnCommitCallbacks(execute=True):
            live = ArticleFactory(
                headline="Ptarmigan chicks counted",
                published_at=days_ago(5),
                authors=[self.writer],
            )
            live.tags.add("Wildlife")
            for number, fields in enumerate(hidden):
                article = ArticleFactory(
                    headline=f"Ptarmigan secret {number}", authors=[self.writer], **fields
                )
                article.tags.add("Wildlife")
        expected = ["Ptarmigan chicks counted", "Ptarmigan numbers fall"]
        for params in ({"topic": "wildlife"}, {"author": "ingrid-zylstra"}):
            with self.subTest(params=params):
                self.assertEqual(self.headlines(q="ptarmigan", sort="date", **params), expected)
                self.assertCountEqual(self.headlines(q="ptarmigan", **params), expected)
                self.assertEqual(self.headlines(sort="date", **params), expected)

    def test_filter_by_kind(self) -> None:
        self.assertEqual(self.headlines(q="ptarmigan", kind="opinion"), ["Upland report"])

    def test_kind_in_a_topic_or_by_an_author_follows_a_changed_kind(self) -> None:
        """Narrowed to a topic or an author and a kind, a search finds the story under
        its kind, and once its kind is changed (by a save, or by an update of many),
        under the new one only."""
        story = self.old_headline

        def found(kind: str) -> list[list[str]]:
            return [
                self.headlines(**query, **narrowed, kind=kind)
                for query in ({"q": "ptarmigan"}, {"sort": "date"})
                for narrowed in ({"topic": "wildlife"}, {"author": "ingrid-zylstra"})
            ]

        self.assertEqual(found("analysis"), [[story.headline]] * 4)
        self.assertEqual(found("opinion"), [[]] * 4)
        story.kind = Article.Kind.OPINION
        with self.captureOnCommitCallbacks(execute=True):
            story.save()
        self.assertEqual(found("opinion"), [[story.headline]] * 4)
        self.assertEqual(found("analysis"), [[]] * 4)
        Article.objects.filter(pk=story.pk).update(kind=Article.Kind.REVIEW)
        self.assertEqual(found("review"), [[story.headline]] * 4)
        self.assertEqual(found("opinion"), [[]] * 4)

    def test_filter_by_dates(self) -> None:
        """Whole days in the site's time zone, both ends included."""
        today = timezone.localdate()
        self.assertEqual(
            self.headlines(
                q="ptarmigan",
                sort="date",
                **{"from": f"{today - datetime.timedelta(days=10)}"},
            ),
            ["Moorland survey", "Upland report"],
        )
        self.assertEqual(
            self.headlines(q="ptarmigan", to=f"{today - datetime.timedelta(days=10)}"),
            ["Ptarmigan numbers fall", "Upland report"],
        )

    def test_filters_alone_list_matching_stories_newest_first(self) -> None:
        response = self.get(topic="wildlife")
        self.assertEqual([a.headline for a in search_results(response)], ["Ptarmigan numbers fall"])
        self.assertContains(response, "1 result with these filters.")

    def test_form_offers_only_topics_and_authors_with_published_stories(self) -> None:
        response = self.get(q="ptarmigan")
        self.assertContains(response, '<option value="wildlife">Wildlife</option>')
        self.assertContains(response, '<option value="ingrid-zylstra">Ingrid Zylstra</option>')
        self.assertNotContains(response, "Secret Project")

    def test_result_cards_are_the_stored_cards_with_the_snippet_as_standfirst(self) -> None:
        """Each result is its stored card (includes/article_card.html, as every listing
        shows it) with the snippet in place of the standfirst, or the card as it is when
        no words were searched."""
        for params in ({"q": "ptarmigan"}, {"q": "upland", "sort": "date"}, {"kind": "news"}):
            response = self.get(**params)
            results = response.context["page"].items
            self.assertTrue(results, params)
            for result, article in zip(results, search_results(response), strict=True):
                stored = render_to_string(
                    "includes/article_card.html",
                    {
                        "article": article,
                        "picture": article.stored.card_picture,
                        "byline": article.stored.byline,
                        "heading": "h2",
                    },
                )
                if not params.get("q"):
                    card = stored
                else:
                    source = (
                        Article.objects.annotate(source=snippet_source(params["q"]))
                        .values_list("source", flat=True)
                        .get(pk=article.pk)
                    )
                    shown = snippet(source, params["q"])
                    standfirst = f'<p class="card__standfirst">{escape(article.standfirst)}</p>'
                    self.assertIn(standfirst, stored)
                    card = stored.replace(standfirst, f'<p class="card__standfirst">{shown}</p>')
                with self.subTest(params=params, article=article.headline):
                    self.assertEqual(result.card, card)
                    self.assertContains(response, card, html=False)

    def test_a_result_deleted_while_its_card_is_made_is_left_out(self) -> None:
        """The results are read, then their missing cards rendered: an article deleted
        in between is left out of the page, not an error."""
        StoredArticle.objects.all().delete()
        store = fragments.store

        def deleted_first(pks: list[int]) -> dict[int, StoredArticle]:
            Article.objects.filter(pk=self.middle.pk).delete()
            return store(pks)

        with mock.patch("reader.fragments.store", deleted_first):
            response = self.get(q="ptarmigan")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [article.headline for article in search_results(response)],
            ["Ptarmigan numbers fall", "Moorland survey"],
        )

    def test_filter_lists_read_as_django_renders_them(self) -> None:
        """The topic, author, kind and order lists are joined without Django's
        per-option templates: the same markup, the chosen one selected, names escaped,
        a bad choice marked."""
        # The lists are kept per content generation, which the rename moves in the
        # cache; the test's rollback does not move it back.
        self.addCleanup(cache.clear)
        tag = Tag.objects.get(name="Wildlife")
        tag.name = "Wildlife <b>& birds</b>"
        with self.captureOnCommitCallbacks(execute=True):
            tag.save()
        cases = [
            {"q": "ptarmigan"},
            {"topic": "wildlife"},
            {"topic": "nowhere"},
            {"q": "ptarmigan", "kind": "analysis", "sort": "date"},
            {"q": "ptarmigan", "kind": "rumour", "sort": "oldest"},
        ]
        for params in cases:
            with self.subTest(params=params):
                response = self.client.get("/search/", params)
                form = response.context["form"]
                for name in ("topic", "author", "kind", "sort"):
                    field = form[name]
                    stock = forms.Select(choices=field.field.choices)
                    stock.is_required = False
                    expected = field.as_widget(widget=stock)
                    self.assertHTMLEqual(str(field), expected)
                    self.assertInHTML(expected, response.content.decode())
        self.assertContains(
            self.get(topic="wildlife"),
            '<option value="wildlife" selected>Wildlife &lt;b&gt;&amp; birds&lt;/b&gt;</option>',
            html=True,
        )

    def test_bad_filter_values_get_a_message_each(self) -> None:
        cases = [
            ({"topic": "secret-project"}, "There is no topic “secret-project” to search in."),
            ({"author": "nobody"}, "There is no author “nobody” to search by."),
            ({"kind": "gossip"}, "There is no kind of story “gossip”."),
            ({"sort": "random"}, "Sort by relevance or date, not “random”."),
            ({"from": "yesterday"}, "Give the date as year-month-day, for example 2026-03-01."),
            ({"to": "2026-02-30"}, "Give the date as year-month-day, for example 2026-03-01."),
            ({"from": "0999-12-31"}, "Give a date after the year 1000."),
            ({"to": "9999-12-31"}, "Give a date before the year 9001."),
            ({"from": "2026-03-02", "to": "2026-03-01"}, "The “from” date is after the “to” date."),
            ({"kind": ["news", "\x00"]}, "There is no kind of story"),
        ]
        for params, message in cases:
            with self.subTest(params=params):
                response = self.client.get("/search/", {"q": "ptarmigan", **params})
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "This search could not be run", status_code=400)
                self.assertContains(response, 'value="ptarmigan"', status_code=400)

    def test_misspelt_word_finds_what_the_known_word_finds(self) -> None:
        """A word no story has is corrected to the nearest word of the site's headlines,
        standfirsts and names, and the stories that word finds are shown."""
        response = self.get(q="ptarmigen")
        self.assertContains(response, "No stories match “ptarmigen”. Showing 3 results for")
        self.assertContains(response, '<a href="?q=ptarmigan">“ptarmigan”</a> instead.')
        self.assertEqual(len(response.context["page"].items), 3)
        # Every word that is no known word is corrected, keeping the query's shape.
        query = '"Moorlands" -ptarmigen'
        self.assertEqual(suggestion(query, nearest_words(query)), '"moorland" -ptarmigan')

    def test_words_are_remembered_as_stories_are_saved(self) -> None:
        self.assertTrue(SearchWord.objects.filter(word="quennell").exists())
        with self.captureOnCommitCallbacks(execute=True):
            self.new_body.headline = "Dotterel survey"
            self.new_body.save()
        self.assertEqual(suggestion("doterel", nearest_words("doterel")), "dotterel")

    def test_a_drafts_words_are_never_suggested(self) -> None:
        """The draft's words are known, but a correction is offered only when it finds
        published stories."""
        self.assertTrue(SearchWord.objects.filter(word="capybara").exists())
        response = self.get(q="capybarra")
        self.assertNotContains(response, "Capybara")
        self.assertNotContains(response, "capybara")
        self.assertContains(response, "No stories match “capybarra”.")

    def test_names_like_the_words_are_shown_above_results(self) -> None:
        response = self.get(q="zylstra")
        self.assertContains(
            response, 'Authors: <a href="/authors/ingrid-zylstra/">Ingrid Zylstra</a>'
        )
        response = self.get(q="wildlife")
        self.assertContains(response, 'Topics: <a href="/topics/wildlife/">Wildlife</a>')
        response = self.get(q="quennell")
        self.assertContains(
            response, 'People quoted: <a href="/speakers/odile-quennell/">Odile Quennell</a>'
        )

    def test_names_of_unpublished_topics_are_never_shown(self) -> None:
        self.assertNotContains(self.get(q="secret"), "Secret Project")

    def test_nothing_found_suggests_what_to_try(self) -> None:
        response = self.get(q="ptarmigan", kind="review")
        self.assertContains(response, "No stories match “ptarmigan” with these filters.")
        self.assertContains(response, "Things to try")
        self.assertContains(
            response, '<a href="?q=ptarmigan">search for “ptarmigan” without the filters</a>'
        )
        self.assertContains(response, '<a href="/topics/wildlife/">Wildlife</a>')
        self.assertContains(response, '<a href="/archive/">the archive</a>')


class MisspeltNameTests(TestCase):
    """A name is matched through the known word nearest a misspelt one."""

    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            ArticleFactory(headline="Ledger rules", authors=[AuthorFactory(name="Ingrid Zylstra")])

    def test_misspelt_names_are_matched(self) -> None:
        response = self.client.get("/search/", {"q": "zilstra"})
        self.assertContains(response, 'Authors: <a href="/authors/reporter-')
        self.assertContains(response, '">Ingrid Zylstra</a></li>')


class MarkedExcerptTests(TestCase):
    """SQLite's snippets (PostgreSQL's come from ts_headline)."""

    def test_escapes_before_marking(self) -> None:
        self.assertEqual(
            marked_excerpt("Salt & champagne <i>", "amp"),
            "Salt &amp; <mark>champagne</mark> &lt;i&gt;",
        )
        self.assertEqual(marked_excerpt("a <b> tag", "b"), "a &lt;<mark>b</mark>&gt; tag")
        self.assertEqual(
            marked_excerpt('say "lt" &lt;', "lt"),
            "say &quot;<mark>lt</mark>&quot; &amp;<mark>lt</mark>;",
        )

    def test_cuts_around_the_first_match(self) -> None:
        text = " ".join(f"w{n}" for n in range(100)) + " target " + "tail " * 50
        excerpt = marked_excerpt(text, "target", words=10)
        self.assertEqual(excerpt, "… w94 w95 w96 w97 w98 w99 <mark>target</mark> tail tail tail …")
        self.assertEqual(
            marked_excerpt("[[quote:key]] Quoted target.", "target"), "Quoted <mark>target</mark>."
        )


@skipUnless(ON_POSTGRESQL, "ts_headline's window is PostgreSQL's")
class SnippetWindowTests(TestCase):
    """PostgreSQL picks a snippet from a window of the text around the query's words
    (SNIPPET_WINDOW), so a long story's snippet still shows them, marked."""

    FILLER = "Nothing of note happened in the chamber that afternoon. " * 80

    def snippet_of(self, body: str, query: str) -> str:
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(headline="Long story", standfirst="", body=body)
        source = (
            Article.objects.annotate(source=snippet_source(query))
            .values_list("source", flat=True)
            .get(pk=article.pk)
        )
        return str(snippet(source, query))

    def test_a_word_deep_in_a_long_story_is_in_its_snippet(self) -> None:
        body = f"{self.FILLER}The wombats voted for the motion.\n\n{self.FILLER}"
        self.assertGreater(body.index("wombats"), 4 * SNIPPET_WINDOW)
        self.assertIn("<mark>wombats</mark> voted", self.snippet_of(body, "wombat"))
        self.assertIn("<mark>wombats</mark> voted", self.snippet_of(body, "the wombats"))

    def test_the_words_in_the_text_are_marked_when_another_is_only_in_the_headline(
        self,
    ) -> None:
        """The story matches "wombats long" by its headline's "Long": its snippet still
        shows where the text speaks of wombats, marked."""
        body = f"{self.FILLER}The wombats voted for the motion.\n\n{self.FILLER}"
        self.assertNotIn("long", body.lower())
        self.assertIn("<mark>wombats</mark> voted", self.snippet_of(body, "wombats long"))

    def test_a_query_of_stop_words_has_no_snippet(self) -> None:
        self.assertEqual(self.snippet_of(f"{self.FILLER}The end.", "the and of"), "None")

    def test_a_stem_that_does_not_start_its_word_is_found_as_typed(self) -> None:
        body = f"{self.FILLER}Everyone left happy.\n\n{self.FILLER}"
        self.assertIn("<mark>happy</mark>", self.snippet_of(body, "happy"))

    def test_a_story_without_the_words_as_written_shows_its_start(self) -> None:
        body = f"Councils met early. {self.FILLER}Happiness followed.\n\n{self.FILLER}"
        # "happily": neither the stem ("happili") nor the word is in the text as written.
        shown = self.snippet_of(body, "happily")
        self.assertTrue(shown.lstrip().startswith("Councils met early."), shown)

    def test_markers_are_left_out_of_the_window(self) -> None:
        body = f"{self.FILLER}[[quote:abc]]\n\nThe wombats voted.\n\n{self.FILLER}"
        shown = self.snippet_of(body, "wombats")
        self.assertIn("<mark>wombats</mark>", shown)
        self.assertNotIn("[[", shown)
        self.assertNotIn("quote", shown)


@skipUnless(ON_POSTGRESQL, "pg_trgm and its GIN indexes are PostgreSQL's")
class TrigramIndexTests(TestCase):
    """The look-ups "did you mean" and the names run can use their trigram indexes (on a
    table this small PostgreSQL would rather read it all, so that is switched off)."""

    def plan(self, queryset_or_sql: object, params: list[object] | None = None) -> str:
        with connection.cursor() as cursor:
            # GIN indexes are read by bitmap scans: with the others off, a plan without
            # the trigram index would have to read a whole table.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            if isinstance(queryset_or_sql, str):
                cursor.execute(f"EXPLAIN {queryset_or_sql}", params)
                return "\n".join(line for (line,) in cursor.fetchall())
        return queryset_or_sql.explain()  # type: ignore[attr-defined]

    def test_nearest_words_use_the_word_index(self) -> None:
        """With a vocabulary the size of a real site's and its statistics, PostgreSQL
        reads each term's similar words from the trigram index, not the whole table."""
        letters = random.Random(23)
        SearchWord.objects.bulk_create(
            (
                SearchWord(word="".join(letters.choices(ascii_lowercase, k=letters.randint(4, 12))))
                for _ in range(20_000)
            ),
            ignore_conflicts=True,
        )
        with connection.cursor() as cursor:
            # As autovacuum would: the new words leave GIN's pending list for the index
            # proper, and the table gets its statistics.
            cursor.execute("SELECT gin_clean_pending_list('searchword_word_trgm')")
            cursor.execute("ANALYZE articles_searchword")
            sql, params = nearest_words_statement(["salesforse", "custmers"])
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
        self.assertEqual(plan.count("Bitmap Index Scan on searchword_word_trgm"), 2, plan)

    def test_names_use_the_name_indexes(self) -> None:
        condition = name_has_word_starting(["salesforce", "salesforse"])
        for model, index in [
            (Tag, "tag_name_trgm"),
            (Author, "author_name_trgm"),
            (Speaker, "speaker_name_trgm"),
        ]:
            with self.subTest(index=index):
                self.assertIn(index, self.plan(model.objects.filter(condition)))


class KeptNamesTests(TestCase):
    """The names above results and the known words nearest the query's are kept per
    content generation: every change to them shows at once, and so does a scheduled
    story's topic when its time comes, no save made."""

    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.author = AuthorFactory(name="Ingrid Zylstra", slug="ingrid-zylstra")
            ArticleFactory(headline="Ledger rules", authors=[cls.author])

    def setUp(self) -> None:
        # The generation the changes move is in the cache; the rollback does not move it.
        self.addCleanup(cache.clear)

    def committed(self, change: Callable[[], object]) -> None:
        """Make a change as production does: its on-commit callbacks run."""
        with self.captureOnCommitCallbacks(execute=True):
            change()

    def names(self, query: str) -> str:
        """The text of the names above the results ("" when there are none)."""
        response = self.client.get("/search/", {"q": query})
        self.assertEqual(response.status_code, 200)
        found = re.search(r'<nav class="search-names".*?</nav>', response.content.decode(), re.S)
        return " ".join(strip_tags(found.group()).split()) if found else ""

    def test_names_follow_renaming_publishing_and_unpublishing_at_once(self) -> None:
        self.assertEqual(self.names("zylstra"), "Authors: Ingrid Zylstra")
        self.author.name = "Ingrid Zylstra-Berg"
        self.committed(self.author.save)
        self.assertEqual(self.names("zylstra"), "Authors: Ingrid Zylstra-Berg")
        story = ArticleFactory(headline="Otters return", status=Article.Status.DRAFT)
        self.committed(lambda: story.tags.add("Otters"))
        self.assertEqual(self.names("otters"), "")
        story.status = Article.Status.PUBLISHED
        self.committed(story.save)
        self.assertEqual(self.names("otters"), "Topics: Otters")
        story.status = Article.Status.DRAFT
        self.committed(story.save)
        self.assertEqual(self.names("otters"), "")

    def test_a_scheduled_story_s_topic_is_named_when_its_time_comes(self) -> None:
        now = timezone.now()
        story = ArticleFactory(headline="Otter census", published_at=now + timedelta(seconds=30))
        self.committed(lambda: story.tags.add("Otters"))
        with mock.patch("django.utils.timezone.now", return_value=now):
            self.assertEqual(self.names("otters"), "")
        with mock.patch("django.utils.timezone.now", return_value=now + timedelta(minutes=1)):
            self.assertEqual(self.names("otters"), "Topics: Otters")


def python_calls(work: Callable[[], object]) -> int:
    """How many Python and built-in functions `work` calls: a measure of its work that,
    unlike its time, does not depend on the machine. Counted on a second run with the
    garbage collector held off from before the first, so that what is done once (a
    cache filled, the receivers of signals that the collector found dead dropped) is
    not counted."""
    calls = 0

    def count(_frame: object, event: str, _arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    gc.collect()
    gc.disable()
    try:
        work()
        sys.setprofile(count)
        work()
    finally:
        sys.setprofile(None)
        gc.enable()
    return calls


class SearchFormTests(TestCase):
    """The filters as a reader meets them: the topics and authors with live stories,
    names shown as written, the chosen ones kept, a refused value named, whatever the
    number of names offered."""

    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.odd = AuthorFactory(name="Ann <b>&\"' Lee", slug="ann-lee")
            cls.story = ArticleFactory(headline="Harbour dues rise", authors=[cls.odd])
            cls.story.tags.add("Ports & <i>Harbours</i>")
        cls.topic = Tag.objects.get(name="Ports & <i>Harbours</i>").slug

    def setUp(self) -> None:
        # The lists are kept per content generation, which the commits below move in
        # the cache; the test's rollback does not move it back.
        self.addCleanup(cache.clear)

    def test_names_are_shown_escaped_and_the_chosen_ones_stay_selected(self) -> None:
        """An author's and a topic's names with markup and quotes read as written, and
        the chosen author and topic stay selected above their one result."""
        response = self.client.get("/search/", {"author": "ann-lee", "topic": self.topic})
        self.assertContains(
            response,
            '<option value="ann-lee" selected>Ann &lt;b&gt;&amp;&quot;&#x27; Lee</option>',
            html=True,
        )
        chosen = f'<option value="{self.topic}" selected>Ports &amp; &lt;i&gt;Harbours&lt;/i&gt;'
        self.assertContains(response, f"{chosen}</option>", html=True)
        self.assertContains(response, '<option value="">Any author</option>', html=True)
        self.assertContains(response, "1 result with these filters.")
        self.assertNotContains(response, "<b>&")

    def test_a_refused_name_is_named_escaped_and_nothing_is_selected(self) -> None:
        """A name's label, a slug with markup or a slug unknown is refused with its
        message, and the list shows no choice but the blank one's."""
        for typed in ("Ann <b>&\"' Lee", 'ann-lee"><b>', "ann-le"):
            with self.subTest(typed=typed):
                response = self.client.get("/search/", {"q": "harbour", "author": typed})
                self.assertContains(
                    response,
                    f"There is no author “{escape(typed)}” to search by.",
                    status_code=400,
                )
                self.assertNotIn(" selected", str(response.context["form"]["author"]))
                self.assertNotContains(response, "<b>", status_code=400)

    def test_the_filters_read_as_django_renders_them(self) -> None:
        """Each filter's label, errors and input, laid out without Django's templates,
        read as Django's own label, error list and date input write them."""
        cases = [
            {},
            {"from": "2026-03-01", "to": ""},
            {"from": "yesterday", "to": "9999-12-31", "kind": "gossip"},
        ]
        for params in cases:
            response = self.client.get("/search/", {"q": "harbour", **params})
            page = response.content.decode()
            for field in response.context["form"]:
                if field.name == "q":
                    continue
                if field.name in ("from", "to"):
                    stock: forms.Widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                else:
                    stock = forms.Select(choices=field.field.choices)
                stock.is_required = False
                marked = " search-filters__field--error" if field.errors else ""
                expected = (
                    f'<div class="search-filters__field{marked}">{field.label_tag()}'
                    f"{field.errors}{field.as_widget(widget=stock)}</div>"
                )
                with self.subTest(params=params, field=field.name):
                    self.assertHTMLEqual(field.as_field_group(), expected)
                    self.assertInHTML(expected, page)

    def test_the_form_s_work_does_not_grow_with_the_names_offered(self) -> None:
        """Checking the chosen topic and author and showing every list costs the same
        Python calls for one author and topic with stories as for thirty-one: each
        list's options are written once a content generation, not normalized, copied,
        scanned and escaped for every search."""
        params = {"author": "ann-lee", "topic": self.topic, "from": "2020-01-01"}

        def search() -> str:
            response = self.client.get("/search/", params)
            self.assertContains(response, "1 result with these filters.")
            return response.content.decode()

        offered = search().count("<option")
        few = python_calls(search)
        with self.captureOnCommitCallbacks(execute=True):
            for number in range(30):
                ArticleFactory(authors=[AuthorFactory()]).tags.add(f"Topic {number}")
        self.assertEqual(search().count("<option"), offered + 60)
        self.assertEqual(python_calls(search), few)
