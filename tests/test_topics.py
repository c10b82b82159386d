"""Topics (taggit's tags on articles) as editors and writers meet them in the admin:
names survive an unchanged save, the topic admin follows the newsroom's roles, writers
learn no other writer's draft topics, and a name is one topic whatever its case, even
when saves race."""

import datetime
import html
import re
import threading
from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client, TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from articles.topics import parse_topics
from tests.base import wait_for_lock_waiters
from tests.factories import ArticleFactory, AuthorFactory
from tests.test_admin_trust import change_form_data

User = get_user_model()

# Names from imports and WordPress categories that taggit's own text format splits.
AWKWARD_NAMES = [
    'Operation "Warp Speed"',
    "Smith, Jones and Partners",
    '"Quoted" from the start',
    'Both, "kinds"',
    "Climate change",
    "x",
]


def make_user(username: str, role: str | None, **fields: Any) -> Any:
    user = User.objects.create_user(username, f"{username}@example.com", "pw-for-tests", **fields)
    if role:
        call_command("grant_role", username, role, stdout=StringIO())
    return user


def topics_of(article: Article) -> list[tuple[int, str]]:
    return sorted(article.tags.values_list("pk", "name"))


class TopicsTextTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_user("edith", "editor")

    def setUp(self) -> None:
        self.client.force_login(self.editor)

    def shown_topics(self, article: Article) -> str:
        """The Topics field's text as the change page gives it to the browser."""
        page = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        field = str(page.context["adminform"].form["tags"])
        value = re.search(r'\bvalue="([^"]*)"', field)
        return html.unescape(value.group(1)) if value else ""

    def save(self, article: Article, topics: str) -> None:
        url = reverse("admin:articles_article_change", args=[article.pk])
        article.refresh_from_db()
        response = self.client.post(url, change_form_data(article) | {"tags": topics})
        errors = response.context and response.context["errors"]
        self.assertEqual(response.status_code, 302, errors)

    def test_saving_without_touching_topics_keeps_every_topic(self) -> None:
        """Names with quotes and commas come back as the same topics after a save that
        leaves the field as shown, and their pages stay up."""
        article = ArticleFactory()
        article.tags.add(*AWKWARD_NAMES)
        before, topics = topics_of(article), Tag.objects.count()
        for _ in range(2):
            self.save(article, self.shown_topics(article))
            self.assertEqual(topics_of(article), before)
        self.assertEqual(Tag.objects.count(), topics)
        for tag in article.tags.all():
            self.assertEqual(Client().get(f"/topics/{tag.slug}/").status_code, 200, tag.name)

    def test_what_editors_type_is_split_on_commas_only(self) -> None:
        article = ArticleFactory()
        self.save(article, 'Climate change, "Smith, Jones", Operation "Warp Speed", , ')
        self.assertEqual(
            sorted(article.tags.names()),
            ["Climate change", 'Operation "Warp Speed"', "Smith, Jones"],
        )

    def test_every_name_reads_back_as_written(self) -> None:
        """The field's text for any set of names parses back to exactly those names."""
        article = ArticleFactory()
        names = [*AWKWARD_NAMES, '""', 'a"b,c"d', 'Trailing quote"', "émigré, 日本"]
        article.tags.add(*names)
        self.assertEqual(parse_topics(self.shown_topics(article)), sorted(names))


class RolesTestCase(TestCase):
    """A writer with a draft, another writer with a draft, a published story, and an
    editor; each article with a topic of its own."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_user("wendy", "writer")
        cls.other_writer = make_user("oscar", "writer")
        cls.editor = make_user("edith", "editor")
        cls.own_draft = cls.draft_by(cls.writer, "Wendy's scoop")
        cls.secret = cls.draft_by(cls.other_writer, "Secret merger")
        cls.live = ArticleFactory()
        cls.live.tags.add("Elections")

    @staticmethod
    def draft_by(user: Any, topic: str) -> Article:
        article = ArticleFactory(
            status=Article.Status.DRAFT,
            published_at=None,
            created_by=user,
            authors=[AuthorFactory(user=user)],
        )
        article.tags.add(topic)
        return article


class TopicAdminTests(RolesTestCase):
    changelist = reverse("admin:taggit_tag_changelist")

    def test_writers_look_and_editors_keep_topics(self) -> None:
        topic = Tag.objects.get(name="Elections")
        change = reverse("admin:taggit_tag_change", args=[topic.pk])
        for user, may_change in [(self.writer, False), (self.editor, True)]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                listed = self.client.get(self.changelist)
                # How many articles a topic has counts drafts: for editors only.
                self.assertIs("article_count" in listed.context["cl"].list_display, may_change)
                add = self.client.post(
                    reverse("admin:taggit_tag_add"), {"name": "New", "slug": "new"}
                )
                self.assertEqual(add.status_code, 302 if may_change else 403)
                renamed = self.client.post(change, {"name": "Polls", "slug": topic.slug})
                self.assertEqual(renamed.status_code, 302 if may_change else 403)
                delete = reverse("admin:taggit_tag_delete", args=[topic.pk])
                self.assertEqual(self.client.get(delete).status_code, 200 if may_change else 403)
        self.assertEqual(Tag.objects.get(pk=topic.pk).name, "Polls")

    def test_no_action_works_on_taggit_links_no_article_has(self) -> None:
        """taggit's "Merge selected tags" moved only its generic links, not articles'
        topics: gone for everyone, with its page; a writer has no action at all."""
        topic = Tag.objects.get(name="Elections")
        for user, actions in [(self.writer, []), (self.editor, ["", "delete_selected"])]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                page = self.client.get(self.changelist)
                offered = page.context["action_form"].fields["action"].choices if actions else []
                self.assertEqual([name for name, _ in offered], actions)
                for url, data in [
                    (self.changelist, {"action": "render_tag_form"}),
                    (self.changelist, {"action": "render_tag_form", "_selected_action": topic.pk}),
                    (self.changelist, {"action": "delete_selected", "_selected_action": topic.pk}),
                    (self.changelist + "merge-tags/", {"new_tag_name": "Merged"}),
                    (self.changelist + "merge-tags/", {}),
                ]:
                    response = self.client.post(url, data)
                    self.assertIn(response.status_code, (200, 302, 403, 404), (url, data))
        self.assertEqual(self.live.tags.get().pk, topic.pk)
        self.assertFalse(Tag.objects.filter(name="Merged").exists())

    def test_a_name_taken_in_another_case_is_refused_with_a_reason(self) -> None:
        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("admin:taggit_tag_add"), {"name": "ELECTIONS", "slug": "elections-2"}
        )
        self.assertContains(response, "There is already a topic called “Elections”.")
        self.assertEqual(Tag.objects.filter(name__iexact="elections").count(), 1)


class WhichTopicsWritersSeeTests(RolesTestCase):
    """A writer sees topics of live articles and of articles they may see; never the
    topics only another writer's draft has."""

    OURS = frozenset({"Wendy's scoop", "Elections", "Secret merger", "Embargoed deal"})

    def seen(self, user: Any) -> dict[str, set[str]]:
        """This test's topic names as the user finds them in each place (the seeded
        story's topics are there too)."""
        self.client.force_login(user)
        autocomplete = reverse("admin:articles_tag_autocomplete")
        names: dict[str, set[str]] = {"autocomplete": set()}
        for term in ["W", "S", "E"]:
            answer = self.client.get(autocomplete, {"q": term}).json()
            names["autocomplete"] |= set(answer["results"])
        topics = self.client.get(reverse("admin:taggit_tag_changelist"))
        names["topic list"] = {tag.name for tag in topics.context["cl"].result_list}
        articles = self.client.get(reverse("admin:articles_article_changelist"))
        topic_filter = next(
            spec for spec in articles.context["cl"].filter_specs if spec.title == "Topics"
        )
        names["article filter"] = {name for _, name in topic_filter.lookup_choices}
        return {place: found & self.OURS for place, found in names.items()}

    def test_writer_sees_live_topics_and_their_own(self) -> None:
        expected = {"Wendy's scoop", "Elections"}
        for place, names in self.seen(self.writer).items():
            with self.subTest(place):
                self.assertEqual(names, expected)

    def test_editor_sees_every_topic(self) -> None:
        expected = {"Wendy's scoop", "Elections", "Secret merger"}
        for place, names in self.seen(self.editor).items():
            with self.subTest(place):
                self.assertEqual(names, expected)

    def test_scheduled_articles_topics_stay_hidden_until_live(self) -> None:
        scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1))
        scheduled.tags.add("Embargoed deal")
        for place, names in self.seen(self.writer).items():
            with self.subTest(place):
                self.assertNotIn("Embargoed deal", names)


class AdminSectionsTests(RolesTestCase):
    """The sidebar names things as the newsroom does and keeps the site's own tools to
    superusers."""

    def sections(self, user: Any) -> dict[str, list[str]]:
        self.client.force_login(user)
        apps = self.client.get(reverse("admin:index")).context["available_apps"]
        return {app["name"]: [model["name"] for model in app["models"]] for app in apps}

    def test_topics_are_listed_in_the_newsroom(self) -> None:
        for user in [self.writer, self.editor]:
            with self.subTest(user=user.username):
                sections = self.sections(user)
                self.assertIn("Topics", sections["Newsroom"])
                self.assertNotIn("Taggit", sections)
                self.assertNotIn("Tags", str(sections))

    def test_sign_in_security_is_for_superusers_only(self) -> None:
        root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests")
        self.assertEqual(
            self.sections(root)["Sign-in security"],
            ["Access attempts", "Access failures", "Access logs"],
        )
        # An editor handed axes's permissions still neither sees nor opens it.
        self.editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
        for user in [self.writer, User.objects.get(pk=self.editor.pk)]:
            with self.subTest(user=user.username):
                self.assertNotIn("Sign-in security", self.sections(user))
                records = self.client.get(reverse("admin:axes_accessattempt_changelist"))
                self.assertEqual(records.status_code, 403)


class OneTopicWhateverTheCaseTests(TestCase):
    def test_the_database_refuses_a_name_taken_in_another_case(self) -> None:
        Tag.objects.create(name="Election", slug="election")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Tag.objects.create(name="ELECTION", slug="election-2")


class ParallelSavesTests(TransactionTestCase):
    """Saves on their own connections at once. On PostgreSQL the first one's transaction
    stays open until the five others have looked the name up (it is not committed, so
    they cannot see it) and wait on the insert: the race as it happened. SQLite takes a
    write lock at the start of each transaction, so there they follow one another."""

    serialized_rollback = True

    def test_six_saves_of_one_name_in_two_cases_make_one_topic(self) -> None:
        articles = [ArticleFactory() for _ in range(6)]
        first_added, release = threading.Event(), threading.Event()
        failures: list[BaseException] = []

        def save(article: Article, name: str, first: bool) -> None:
            try:
                if not first:
                    first_added.wait(timeout=30)
                with transaction.atomic():
                    article.tags.add(name)
                    if first:
                        first_added.set()
                        release.wait(timeout=30)
            except BaseException as error:  # reported by the main thread
                failures.append(error)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=save, args=(article, ["Election", "election"][n % 2], n == 0))
            for n, article in enumerate(articles)
        ]
        for thread in threads:
            thread.start()
        first_added.wait(timeout=30)
        try:
            if connection.vendor == "postgresql":
                wait_for_lock_waiters(5, "fewer than 5 saves came to wait on the first one")
        finally:
            release.set()
            for thread in threads:
                thread.join()
        self.assertEqual(failures, [])
        topics = Tag.objects.filter(name__iexact="election")
        self.assertEqual(list(topics.values_list("name", flat=True)), ["Election"])
        self.assertEqual(
            sorted(Article.objects.filter(tags__in=topics).values_list("pk", flat=True)),
            sorted(article.pk for article in articles),
        )
