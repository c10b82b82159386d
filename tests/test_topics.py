"""Topics (taggit's tags on articles) as editors meet them in the admin: names survive
an unchanged save."""

import html
import re
from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from articles.topics import parse_topics
from tests.factories import ArticleFactory
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
