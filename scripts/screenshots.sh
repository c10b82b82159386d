#!/bin/sh
# Remakes the docs' screenshots through the browser tests that take them: the reader's
# pages at 1280 and 390 px, light and dark (docs/screenshots/, audited with axe-core by
# tests/browser/test_site_design.py), and the editor's screens (docs/editing/ and
# docs/images/: the form, the preview, autosave, the pickers, the image library).
# A plain test run takes none, so it leaves the tree as it was. Needs Chromium
# (Debian: apt-get install chromium). Runs on SQLite, in a throwaway test database.
set -eu
cd "$(dirname "$0")/.."
DOCS_SCREENSHOTS=1 exec .venv/bin/python -m pytest -q -p no:randomly \
    tests/browser/test_site_design.py tests/browser/test_article_editor.py \
    tests/browser/test_pickers.py tests/browser/test_image_library.py "$@"
