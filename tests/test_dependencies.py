"""Dependencies: every requirement in requirements*.txt is pinned to one version, that
version is the one installed, and no pin is below a fix of a published advisory.

pip-audit cannot reach its vulnerability database from the build machine, so the
advisories below are kept by hand: each minimum names the advisory it answers. Where
the network allows, also run `pip-audit -r requirements.txt -r requirements-dev.txt`
(see SECURITY.md).
"""

import re
from importlib.metadata import version
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]+\])?==([^\s#]+)(?:\s+#.*)?$")

# Package -> the first version that fixes a published advisory against it.
SECURITY_MINIMUMS = {
    "markdown-it-py": "2.2.0",  # CVE-2023-26302, CVE-2023-26303 (crash, endless loop)
}


def parse(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:4])


def requirements() -> list[str]:
    """Every requirement line of both files, comments and `-r` includes left out."""
    lines = []
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r ")):
                lines.append(line)
    return lines


class DependencyTests(SimpleTestCase):
    def test_every_requirement_is_pinned_and_installed_as_pinned(self) -> None:
        """A requirement without `==version` fails, as does one installed at another
        version than its pin."""
        for line in requirements():
            with self.subTest(requirement=line):
                match = PIN.match(line)
                if match is None:
                    self.fail(f"not pinned to one version: {line!r}")
                self.assertEqual(version(match.group(1)), match.group(2))

    def test_no_pin_is_below_a_fixed_advisory(self) -> None:
        pins = {}
        for line in requirements():
            if match := PIN.match(line):
                pins[match.group(1).lower()] = match.group(2)
        for package, minimum in SECURITY_MINIMUMS.items():
            with self.subTest(package=package):
                self.assertGreaterEqual(parse(pins[package]), parse(minimum))
