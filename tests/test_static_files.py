"""Static files in production: collectstatic writes hashed,
compressed copies and WhiteNoise serves them with a cache lifetime of years."""

import shutil
import tempfile
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

PRODUCTION_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


class StaticFilesTests(SimpleTestCase):
    def setUp(self) -> None:
        self.root = tempfile.mkdtemp(prefix="newsroom-static-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        settings_override = override_settings(STATIC_ROOT=self.root, STORAGES=PRODUCTION_STORAGES)
        settings_override.enable()
        self.addCleanup(settings_override.disable)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())

    def fetch(self, url: str, **headers: str) -> HttpResponse:
        def not_static(request: HttpRequest) -> HttpResponse:
            return HttpResponse(status=404)

        middleware = WhiteNoiseMiddleware(not_static)
        return middleware(RequestFactory().get(url, headers=headers))

    def test_stylesheet_is_hashed_compressed_and_kept_for_years(self) -> None:
        url = static("css/site.css")
        self.assertRegex(url, r"/static/css/site\.[0-9a-f]{12}\.css$")
        response = self.fetch(url, accept_encoding="gzip")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertIn("immutable", response["Cache-Control"])
        self.assertIn("max-age=315360000", response["Cache-Control"])
        self.assertIn("Accept-Encoding", response["Vary"])

    def test_favicon_is_the_publishers_icon_under_its_hashed_name(self) -> None:
        """/favicon.ico, which browsers ask for on pages that link none (the admin's),
        leads for good to the hashed icon, which WhiteNoise serves as an icon."""
        icon = static("img/favicon.ico")
        self.assertRegex(icon, r"/static/img/favicon\.[0-9a-f]{12}\.ico$")
        response = self.client.get("/favicon.ico")
        self.assertRedirects(response, icon, status_code=301, fetch_redirect_response=False)
        served = self.fetch(icon)
        self.assertEqual(served.status_code, 200)
        self.assertEqual(b"".join(served.streaming_content)[:4], b"\x00\x00\x01\x00")
        self.assertIn("immutable", served["Cache-Control"])

    def test_unhashed_name_is_not_kept_for_long(self) -> None:
        """The plain name may change meaning with the next deploy: short lifetime."""
        response = self.fetch("/static/css/site.css")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("immutable", response.get("Cache-Control", ""))


class FaviconLinkTests(TestCase):
    def test_pages_link_the_icon_and_the_policy_allows_it(self) -> None:
        """Every reader page names the icon (no request for a missing /favicon.ico),
        and the Content-Security-Policy lets the browser load it."""
        response = self.client.get("/")
        self.assertContains(response, f'<link rel="icon" href="{static("img/favicon.ico")}">')
        policy = response["Content-Security-Policy"]
        self.assertIn("img-src 'self'", policy)
        self.assertNotIn("data:", policy)
