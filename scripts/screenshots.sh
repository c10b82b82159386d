#!/bin/sh
# Photographs the reader's pages (home, article, topic, author, search with results and
# with none, speaker, organisation) at 1280 and 390 px in the light and dark themes into
# docs/screenshots/, through the browser tests that audit each with axe-core
# (tests/browser/test_site_design.py). Needs Chromium (Debian: apt-get install chromium).
#   scripts/screenshots.sh            on SQLite, in a throwaway test database
set -eu
cd "$(dirname "$0")/.."
NEWSROOM_SCREENSHOTS="$PWD/docs/screenshots" exec .venv/bin/python -m pytest \
    tests/browser/test_site_design.py -k accessibility_audit -q "$@"
