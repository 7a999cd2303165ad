#!/usr/bin/env bash
# make screenshots: run the Playwright journeys (they save every key page under e2e/artifacts/) and copy the pages
# the README shows into docs/screenshots/, where they are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ "${SCREENSHOTS_FROM_LAST_RUN:-0}" = 1 ] || "$PY" -m pytest e2e -q -p no:cacheprovider
mkdir -p docs/screenshots
# artifact name → what the README calls it (keep in step with the README's "Screens" section)
while read -r name; do
  [ -n "$name" ] || continue
  cp "e2e/artifacts/$name" "docs/screenshots/$name"
done <<'LIST'
counter-item.png
counter-case.png
slip.png
status.png
roster-grid.png
screen-1920x1080.png
screen-390x844.png
canteen-desk.png
dining-month.png
stats-month.png
december-calendar-preview.png
LIST
echo "== docs/screenshots/ updated from this run: review with git diff --stat, then commit"
