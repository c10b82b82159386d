"""The server log: one line for a refused request, the traceback kept for errors."""

import contextlib
import io
import logging
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils.log import configure_logging

from articles.models import Article
from tests.factories import ArticleFactory


@contextlib.contextmanager
def server_log() -> Iterator[io.StringIO]:
    """Everything the site's logging writes, stdout and stderr, configured as the
    server configures it (Django's defaults, then settings.LOGGING)."""
    written = io.StringIO()
    with contextlib.redirect_stdout(written), contextlib.redirect_stderr(written):
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    try:
        yield written
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


class RefusalLogTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = get_user_model().objects.create_user("wendy", password="pw", is_staff=True)
        cls.writer.groups.add(Group.objects.get(name="Writer"))
        cls.draft = ArticleFactory(
            status=Article.Status.DRAFT, published_at=None, created_by=cls.writer
        )

    def setUp(self) -> None:
        self.client.force_login(self.writer)

    def refused(self) -> str:
        """A writer asks to publish: refused with PermissionDenied (403)."""
        url = reverse("admin:articles_article_workflow", args=[self.draft.pk, "publish"])
        with server_log() as log:
            response = self.client.post(url)
        self.assertEqual(response.status_code, 403)
        return log.getvalue()

    def test_refusal_is_one_line(self) -> None:
        """A 403 is logged once, on one line that names it and the path, no traceback."""
        lines = self.refused().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("Forbidden (Permission denied): /admin/articles/article/", lines[0])

    @override_settings(DEBUG=True)
    def test_refusal_is_one_line_in_development(self) -> None:
        """Under DEBUG (runserver), Django's own console handler does not repeat it."""
        lines = self.refused().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertNotIn("Traceback", "\n".join(lines))

    def test_suspicious_request_is_one_line(self) -> None:
        """A 400 for a forged Host header (SuspiciousOperation) is one line too."""
        with server_log() as log:
            response = self.client.get("/", HTTP_HOST="evil.example")
        self.assertEqual(response.status_code, 400)
        lines = log.getvalue().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("Invalid HTTP_HOST header: 'evil.example'", lines[0])

    def test_server_error_keeps_its_traceback(self) -> None:
        """A 500 still writes its traceback: that one is a bug to fix."""
        with server_log() as log:
            try:
                raise ValueError("boom")
            except ValueError:
                logging.getLogger("django.request").error(
                    "Internal Server Error: /x/", exc_info=True, extra={"status_code": 500}
                )
        self.assertIn("Traceback", log.getvalue())
        self.assertIn("ValueError: boom", log.getvalue())
