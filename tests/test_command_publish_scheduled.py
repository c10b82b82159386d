"""publish_scheduled: each due article's go-live side effects run once, even concurrently."""

import datetime
import threading
import unittest

from django.db import connection, connections, transaction
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from articles import services
from articles.models import Article
from articles.signals import article_went_live
from tests.base import run_command
from tests.factories import ArticleFactory
from tests.test_workflow import make_user


class Announcements:
    """Records article_went_live signals, from any thread."""

    def __init__(self) -> None:
        self.slugs: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, sender: type[Article], article: Article, **kwargs: object) -> None:
        with self.lock:
            self.slugs.append(article.slug)

    def __enter__(self) -> "Announcements":
        article_went_live.connect(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        article_went_live.disconnect(self)


def make_due(slug: str, minutes_ago: int = 5) -> Article:
    """A published article whose time has just come; its side effects have not run."""
    article = ArticleFactory(
        slug=slug, published_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    Article.objects.filter(pk=article.pk).update(went_live_at=None)
    return article


class PublishScheduledTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.due = make_due("due-story")
        cls.future = ArticleFactory(
            slug="future-story", published_at=timezone.now() + datetime.timedelta(hours=1)
        )
        cls.draft = ArticleFactory(slug="draft-story", status=Article.Status.DRAFT)

    def run_publish(self, *args: str) -> tuple[str, list[str]]:
        with Announcements() as announced, self.captureOnCommitCallbacks(execute=True):
            output, _ = run_command("publish_scheduled", *args)
        return output, announced.slugs

    def test_due_article_goes_live_once_and_says_so(self) -> None:
        output, announced = self.run_publish()
        self.assertEqual(announced, ["due-story"])
        self.assertIn("Went live: Test headline", output)
        self.assertIn("(/articles/due-story/)", output)
        self.assertIn("1 article went live.", output)
        self.assertIsNotNone(Article.objects.get(pk=self.due.pk).went_live_at)

    def test_second_run_does_nothing(self) -> None:
        """Safe every minute: a run after the first finds nothing to do."""
        self.run_publish()
        output, announced = self.run_publish()
        self.assertEqual(announced, [])
        self.assertIn("Nothing was due.", output)

    def test_future_and_draft_articles_wait(self) -> None:
        self.run_publish()
        for article in (self.future, self.draft):
            self.assertIsNone(Article.objects.get(pk=article.pk).went_live_at)

    def test_seeded_and_already_live_articles_are_not_announced(self) -> None:
        """Articles live before this command existed were marked by the migration."""
        _, announced = self.run_publish()
        self.assertNotIn(
            "salesforce-staffers-voice-concern-over-contract-with-us-border-control", announced
        )

    def test_dry_run_lists_without_marking(self) -> None:
        output, announced = self.run_publish("--dry-run")
        self.assertIn("Due: Test headline", output)
        self.assertIn("Dry run: 1 article is due; nothing was changed.", output)
        self.assertEqual(announced, [])
        self.assertIsNone(Article.objects.get(pk=self.due.pk).went_live_at)

    def test_signal_waits_for_the_commit(self) -> None:
        """Receivers (cache purge) run after the commit, when readers can see the article."""
        with Announcements() as announced:
            with self.captureOnCommitCallbacks() as callbacks:
                run_command("publish_scheduled")
            self.assertEqual(announced.slugs, [])
            for callback in callbacks:
                callback()
        self.assertEqual(announced.slugs, ["due-story"])

    def test_batches_cover_everything_due(self) -> None:
        make_due("second-due")
        make_due("third-due")
        _, announced = self.run_publish("--batch-size", "1")
        self.assertEqual(sorted(announced), ["due-story", "second-due", "third-due"])


class TakenOffTheSiteTests(TestCase):
    """Unpublishing or archiving clears the go-live mark: an article published again is
    announced again (its pages, feeds and caches changed twice)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_user("edith", "editor")

    def run_publish(self) -> list[str]:
        with Announcements() as announced, self.captureOnCommitCallbacks(execute=True):
            run_command("publish_scheduled", "-v", "0")
        return announced.slugs

    def test_republished_after_unpublish_or_archive_is_announced_again(self) -> None:
        for move in (services.unpublish, services.archive):
            with self.subTest(move.__name__):
                article = make_due(f"story-{move.__name__}")
                self.assertEqual(self.run_publish(), [article.slug])

                move(article=article, user=self.editor)
                self.assertIsNone(Article.objects.get(pk=article.pk).went_live_at)
                self.assertEqual(self.run_publish(), [])  # off the site: nothing to announce

                services.publish(article=article, user=self.editor, override_reason="Test")
                self.assertEqual(self.run_publish(), [article.slug])
                self.assertIsNotNone(Article.objects.get(pk=article.pk).went_live_at)
                self.assertEqual(self.run_publish(), [])  # and once only

    def test_other_moves_keep_the_mark(self) -> None:
        """A live article stays announced when edited or saved; only leaving the site
        clears the mark."""
        article = make_due("staying-live")
        self.run_publish()
        article.refresh_from_db()
        article.headline = "Edited while live"
        article.save()
        self.assertIsNotNone(Article.objects.get(pk=article.pk).went_live_at)
        self.assertEqual(self.run_publish(), [])


@unittest.skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL")
class ConcurrencyTests(TransactionTestCase):
    serialized_rollback = True

    def test_locked_rows_are_skipped_not_waited_for(self) -> None:
        """While another run holds an article, this run takes the others and returns."""
        held, free = make_due("held-story"), make_due("free-story")
        locked, release = threading.Event(), threading.Event()

        def hold() -> None:
            with transaction.atomic():
                list(Article.objects.select_for_update().filter(pk=held.pk))
                locked.set()
                release.wait(timeout=30)
            connections.close_all()

        holder = threading.Thread(target=hold)
        holder.start()
        locked.wait(timeout=30)
        try:
            with Announcements() as announced:
                run_command("publish_scheduled")
        finally:
            release.set()
            holder.join()
        self.assertEqual(announced.slugs, ["free-story"])
        self.assertIsNone(Article.objects.get(pk=held.pk).went_live_at)
        self.assertIsNotNone(Article.objects.get(pk=free.pk).went_live_at)

    def test_two_runs_at_once_process_each_article_exactly_once(self) -> None:
        slugs = sorted(make_due(f"due-{n:02d}").slug for n in range(40))
        start = threading.Barrier(2)
        failures: list[BaseException] = []

        def run() -> None:
            try:
                start.wait(timeout=30)
                run_command("publish_scheduled", "--batch-size", "1")
            except BaseException as error:  # reported by the main thread
                failures.append(error)
            finally:
                connections.close_all()

        with Announcements() as announced:
            runs = [threading.Thread(target=run) for _ in range(2)]
            for thread in runs:
                thread.start()
            for thread in runs:
                thread.join()
        self.assertEqual(failures, [])
        self.assertEqual(sorted(announced.slugs), slugs)
        self.assertFalse(Article.objects.awaiting_go_live().exists())
