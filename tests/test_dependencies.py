"""Dependencies (issue 9, point 13): what is installed is what requirements*.txt pins,
and no pin is below the last security release known for it.

pip-audit cannot reach its vulnerability database from the build machine, so the
minimums below are kept by hand: when a package announces a security release, raise
its minimum here and its pin in requirements.txt. Where the network allows, also run
`pip-audit -r requirements.txt -r requirements-dev.txt` (see SECURITY.md).
"""

import re
from importlib.metadata import version
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent

# Package -> the oldest version carrying every security fix known to us.
SECURITY_MINIMUMS = {
    "django": "5.2.19",
    "pillow": "13.0.0",
    "nh3": "0.3.8",
    "markdown-it-py": "2.2.0",
    "psycopg": "3.3.9",
    "gunicorn": "27.0.1",
    "whitenoise": "6.12.0",
    "django-axes": "8.3.1",
    "django-csp": "4.0",
}


def parse(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:4])


def pins() -> dict[str, str]:
    found = {}
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            if match := re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]+\])?==([^\s#]+)", line):
                found[match.group(1).lower()] = match.group(2)
    return found


class DependencyTests(SimpleTestCase):
    def test_every_requirement_is_pinned_and_installed_as_pinned(self) -> None:
        for package, pinned in pins().items():
            with self.subTest(package=package):
                self.assertEqual(version(package), pinned)

    def test_no_pin_is_below_its_security_minimum(self) -> None:
        pinned = pins()
        for package, minimum in SECURITY_MINIMUMS.items():
            with self.subTest(package=package):
                self.assertGreaterEqual(parse(pinned[package]), parse(minimum))
