"""A short run of the soak script: the whole harness works and, for
those seconds, no 5xx and no lost or doubled save. The 10-minute run is made by hand
(README, SECURITY.md). On the suite's database engine: SQLite in the SQLite half, a
private PostgreSQL cluster in the PostgreSQL half."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_soak_passes_and_reports_every_kind_of_page(tmp_path: Path) -> None:
    engine = (
        "postgres" if os.environ.get("TEST_DATABASE_LABEL", "").startswith("Postgre") else "sqlite"
    )
    report = tmp_path / "soak.txt"
    result = subprocess.run(
        [sys.executable, "scripts/soak.py", "--seconds", "20", "--articles", "30",
         "--database", engine, "--report", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = report.read_text()
    for kind in ["home", "article", "topic", "author", "archive", "search", "feed", "sitemap",
                 "quote", "disclosure", "page", "admin save", "admin publish"]:  # fmt: skip
        assert re.search(rf"^{kind} +[1-9][\d,]* +0 ", text, re.M), f"{kind}:\n{text}"
    assert "\n5xx: 0\n" in text
    saved = re.search(
        r"Saves acknowledged: ([\d,]+); in the database: ([\d,]+); lost: 0; duplicated: 0", text
    )
    assert saved and saved.group(1) == saved.group(2) and saved.group(1) != "0", text
    assert "Result: PASS" in text
