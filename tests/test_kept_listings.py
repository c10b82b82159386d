"""What the listing pages show every reader alike besides their stories (a topic, an
author's profile, the home page's topic blocks, an archive's periods) is kept per
content generation, with pages cached or not: every change a reader could see on them
shows at once, and so does a scheduled story when its time comes, no save made."""

import datetime
from collections.abc import Callable
from unittest import mock

from django.test import TestCase
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from tests.base import page_text
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    AuthorInterestFactory,
    AuthorLinkFactory,
    OrganisationFactory,
)


class KeptListingPartsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.author = AuthorFactory(name="Ingrid Zylstra", slug="ingrid-zylstra")
            cls.organisation = OrganisationFactory(name="Acme", slug="acme")
            cls.story = ArticleFactory(headline="Otters return", authors=[cls.author])
            cls.story.tags.add("Otters", cls.organisation.tag)
            # Older stories on the topic: the home page's first page has room for one
            # story, so these fill its topic blocks.
            for n in range(3):
                ArticleFactory(
                    headline=f"Older otter story {n}",
                    published_at=timezone.now() - datetime.timedelta(days=n + 1),
                ).tags.add("Otters")

    def committed(self, change: Callable[[], object]) -> None:
        """Make a change as production does: its on-commit callbacks run."""
        with self.captureOnCommitCallbacks(execute=True):
            change()

    def text(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return page_text(response)

    def test_topic_page_shows_a_renamed_topic_and_organisation_at_once(self) -> None:
        self.assertIn("Read more on Otters", self.text("/topics/otters/"))
        self.assertIn("About Acme:", self.text("/topics/acme/"))
        tag = Tag.objects.get(slug="otters")
        tag.name = "Sea otters"
        self.committed(tag.save)
        self.organisation.name = "Acme Holdings"
        self.committed(self.organisation.save)
        self.assertIn("Read more on Sea otters", self.text("/topics/otters/"))
        self.assertIn("About Acme Holdings:", self.text("/topics/acme/"))

    def test_author_page_shows_every_change_to_the_profile_at_once(self) -> None:
        url = self.author.get_absolute_url()
        self.assertIn("Ingrid Zylstra", self.text(url))
        self.author.name = "Ingrid Zylstra-Berg"
        self.author.job_title = "Science editor"
        self.committed(self.author.save)
        self.committed(lambda: AuthorLinkFactory(author=self.author, label="Mastodon"))
        self.committed(
            lambda: AuthorInterestFactory(
                author=self.author, organisation=self.organisation, statement="Owns Acme shares"
            )
        )
        text = self.text(url)
        self.assertIn("Ingrid Zylstra-Berg Science editor", text)
        self.assertIn("Mastodon", text)
        self.assertIn("Owns Acme shares", text)
        self.organisation.name = "Acme Holdings"
        self.committed(self.organisation.save)
        self.assertIn("Acme Holdings", self.text(url))

    @mock.patch("newsroom.views.PER_PAGE", 1)
    def test_home_topic_blocks_follow_publishing_and_renaming_at_once(self) -> None:
        self.assertIn("Older otter story 0", self.text("/"))
        story = ArticleFactory(
            headline="Otter cubs seen",
            published_at=timezone.now() - datetime.timedelta(hours=2),
        )
        self.committed(lambda: story.tags.add("Otters"))
        self.assertIn("Otter cubs seen", self.text("/"))
        story.status = Article.Status.DRAFT
        self.committed(story.save)
        self.assertNotIn("Otter cubs seen", self.text("/"))
        tag = Tag.objects.get(slug="otters")
        tag.name = "Sea otters"
        self.committed(tag.save)
        self.assertIn("Sea otters News Older otter story 0", self.text("/"))

    @mock.patch("newsroom.views.PER_PAGE", 1)
    def test_home_topic_blocks_show_a_scheduled_story_when_its_time_comes(self) -> None:
        now = timezone.now()
        story = ArticleFactory(
            headline="Otter census due",
            published_at=now + datetime.timedelta(seconds=30),
        )
        self.committed(lambda: story.tags.add("Otters"))
        with mock.patch("django.utils.timezone.now", return_value=now):
            self.assertNotIn("Otter census due", self.text("/"))
        # Its time comes: it leads the page, and the block shows the story it pushed down.
        later = now + datetime.timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            text = self.text("/")
        self.assertIn("Otter census due", text)
        self.assertIn("Otters News Otters return", text)
