"""The shell every public page shares (templates/base.html): its fixed parts are
rendered once per process ({% fixed %}) and still follow the settings they show."""

from django.template import Context, Template
from django.test import TestCase, override_settings

from tests.base import SEED_URL


class FixedPartsTests(TestCase):
    def test_every_page_shows_the_sites_names_of_the_moment(self) -> None:
        """Head links, header and footer follow a change of the site's names at once,
        after pages were served with the old ones."""
        pages = ["/", SEED_URL, "/archive/", "/search/?q=salesforce", "/no-such-page/"]
        for url in pages:
            self.client.get(url)
        with override_settings(SITE_NAME="The Other Paper", PUBLISHER_NAME="Other Owner Ltd"):
            for url in pages:
                with self.subTest(url=url):
                    html = self.client.get(url).content.decode()
                    self.assertIn('title="The Other Paper (RSS)"', html)
                    self.assertIn('<a class="site-name" href="/">The Other Paper</a>', html)
                    self.assertIn('<nav aria-label="About The Other Paper">', html)
                    self.assertRegex(html, r"&copy; \d{4} Other Owner Ltd</p>")

    def test_a_fixed_part_is_rendered_once_and_sees_no_page(self) -> None:
        """What a page gives its template never enters a fixed part (it would be served
        to every other page); the site's names do."""
        template = Template(
            "{% load reader %}{% fixed %}{{ site_name }}[{{ headline }}]{% endfixed %}"
        )
        first = template.render(Context({"headline": "A page's own words"}))
        self.assertRegex(first, r"^.+\[\]$")
        self.assertNotIn("A page's own words", first)
        with override_settings(SITE_NAME="Renamed"):
            self.assertEqual(template.render(Context()), "Renamed[]")
