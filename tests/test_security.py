"""Access: login throttling, security headers, the admin's
login redirect, and the 503 page for a database that has gone away."""

from unittest import mock

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.test import Client, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from tests.base import SEED_URL
from tests.test_production import PRODUCTION, manage

PASSWORD = "a-long-enough-password-for-tests"


class LoginThrottlingTests(TestCase):
    """django-axes: after AXES_FAILURE_LIMIT failures, even the right password is refused."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = get_user_model().objects.create_user(
            "edith", password=PASSWORD, is_staff=True, is_superuser=True
        )

    def log_in(self, password: str, client: Client | None = None) -> object:
        return (client or self.client).post(
            reverse("admin:login"),
            {"username": "edith", "password": password, "next": "/admin/"},
            REMOTE_ADDR="192.0.2.10",
        )

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_lockout_after_repeated_failures_with_a_clear_message(self) -> None:
        for _ in range(2):
            self.assertContains(self.log_in("wrong"), "Please enter the correct username")
        locked = self.log_in("wrong")
        self.assertContains(locked, "Too many failed logins", status_code=429)
        # Locked means locked: the right password does not get in either.
        self.assertContains(self.log_in(PASSWORD), "Too many failed logins", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(AccessAttempt.objects.get(username="edith").failures_since_start, 4)

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_lockout_is_per_username_and_address(self) -> None:
        """Another address can still log in: an attacker cannot lock an editor out."""
        for _ in range(3):
            self.log_in("wrong")
        elsewhere = Client(REMOTE_ADDR="198.51.100.7")
        response = elsewhere.post(
            reverse("admin:login"),
            {"username": "edith", "password": PASSWORD, "next": "/admin/"},
        )
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def test_success_resets_the_count(self) -> None:
        self.log_in("wrong")
        self.assertEqual(self.log_in(PASSWORD).status_code, 302)
        self.assertFalse(AccessAttempt.objects.filter(failures_since_start__gt=0).exists())


class LoginRedirectTests(TestCase):
    """The admin login never sends anyone off-site, whatever `next` says."""

    @classmethod
    def setUpTestData(cls) -> None:
        get_user_model().objects.create_user(
            "edith", password=PASSWORD, is_staff=True, is_superuser=True
        )

    def test_next_pointing_off_site_stays_on_site(self) -> None:
        for target in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "\\\\evil.example",
            "javascript:alert(1)",
            "https:evil.example",
            "http://testserver@evil.example/",
        ]:
            with self.subTest(next=target):
                client = Client()
                response = client.post(
                    reverse("admin:login") + "?next=" + target,
                    {"username": "edith", "password": PASSWORD, "next": target},
                )
                self.assertEqual(response.status_code, 302)
                location = response["Location"]
                self.assertTrue(location.startswith("/"), location)
                self.assertFalse(location.startswith(("//", "/\\")), location)
                self.assertNotIn("evil.example", location)

    def test_next_on_site_is_followed(self) -> None:
        response = self.client.post(
            reverse("admin:login"),
            {"username": "edith", "password": PASSWORD, "next": "/admin/articles/article/"},
        )
        self.assertRedirects(response, "/admin/articles/article/", fetch_redirect_response=False)


class SecurityHeaderTests(TestCase):
    def test_reader_and_admin_pages_carry_every_header(self) -> None:
        for url in [SEED_URL, "/", reverse("admin:login")]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                csp = response["Content-Security-Policy"]
                directives = dict(
                    (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";")
                )
                self.assertEqual(directives["default-src"], "'self'")
                self.assertTrue(directives["script-src"].startswith("'self'"))
                self.assertNotIn("unsafe", csp)
                self.assertEqual(directives["object-src"], "'none'")
                self.assertEqual(directives["frame-ancestors"], "'none'")
                self.assertIn("camera=()", response["Permissions-Policy"])
                self.assertIn("geolocation=()", response["Permissions-Policy"])
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response["Referrer-Policy"], "strict-origin-when-cross-origin")
                self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_hsts_is_sent_over_https(self) -> None:
        response = self.client.get("/", secure=True)
        self.assertEqual(
            response["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload"
        )


class DatabaseUnavailableTests(TestCase):
    """The styled 503 page (newsroom.errors). The real outage, PostgreSQL stopped and
    started under load, is tests/test_faults.py."""

    def test_operational_error_gives_503_with_retry_after(self) -> None:
        client = Client(raise_request_exception=False)
        with (
            mock.patch(
                "django.db.backends.utils.CursorWrapper.execute",
                side_effect=OperationalError("server closed the connection unexpectedly"),
            ),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = client.get(SEED_URL)
        self.assertContains(response, "Back in a moment", status_code=503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_other_errors_stay_500(self) -> None:
        client = Client(raise_request_exception=False)
        with (
            mock.patch("reader.fragments.cards", side_effect=ValueError("a bug")),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = client.get("/")
        self.assertContains(response, "Something went wrong", status_code=500)


class MediaOriginInPolicyTests(SimpleTestCase):
    """Pictures on object storage are allowed by the CSP, and nothing else is."""

    def img_src(self, **env: str) -> str:
        code = (
            "from django.conf import settings; "
            "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
        )
        result = manage("shell", "-v", "0", "-c", code, **PRODUCTION, **env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.strip()

    def test_local_media_allows_only_this_site(self) -> None:
        self.assertEqual(self.img_src(), "'self'")

    def test_object_storage_origin_is_allowed(self) -> None:
        bucket = {"AWS_STORAGE_BUCKET_NAME": "pictures"}
        self.assertIn(
            "http://127.0.0.1:9000",
            self.img_src(**bucket, AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000/"),
        )
        self.assertIn(
            "https://media.example.com",
            self.img_src(**bucket, AWS_S3_CUSTOM_DOMAIN="media.example.com"),
        )
        self.assertIn("https://pictures.s3.amazonaws.com", self.img_src(**bucket))
