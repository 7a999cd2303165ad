#!/usr/bin/env bash
# The whole suite: unit + integration on SQLite; the integration tests again on PostgreSQL when a server
# answers (TEST_DATABASE_URL, or the local one on 127.0.0.1:5432); the Playwright journeys in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The unit and integration passes run on every core (pytest-xdist); a module and its database stay on one worker.
WORKERS=(-n "${TEST_WORKERS:-auto}" --dist loadfile)

echo "== unit + integration tests on SQLite"
CENTER_TEST_ENGINE=sqlite "$PY" -m pytest tests -q -p no:cacheprovider "${WORKERS[@]}"

pg_url="${TEST_DATABASE_URL:-}"
if [ -z "$pg_url" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_url="postgresql://postgres@127.0.0.1:5432/test"
fi
if [ -n "$pg_url" ]; then
  echo "== integration tests on PostgreSQL (${pg_url%%@*}@…)"
  CENTER_TEST_ENGINE=postgres TEST_DATABASE_URL="$pg_url" \
    "$PY" -m pytest tests -q -p no:cacheprovider "${WORKERS[@]}" -m "not sqlite_only" --ignore=tests/domain
else
  echo "== PostgreSQL: no server answers and TEST_DATABASE_URL is unset; skipping the PostgreSQL pass"
  if [ "${CI:-}" = "true" ]; then echo "CI must run the PostgreSQL pass" >&2; exit 1; fi
fi

echo "== end-to-end journeys in Chromium"
"$PY" -m pytest e2e -q -p no:cacheprovider
echo "== screenshots in e2e/artifacts/"
