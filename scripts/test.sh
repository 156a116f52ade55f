#!/usr/bin/env bash
# Runs the whole suite on SQLite, then again on PostgreSQL.
# PostgreSQL: KINERJA_TEST_DATABASE_URL (default: the local server of a development machine).
# Under CI=true a missing PostgreSQL or Chromium fails the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export KINERJA_TEST_DATABASE_URL="${KINERJA_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"

echo "== tests on SQLite =="
KINERJA_TEST_BACKEND=sqlite $PY -m pytest "$@"

if $PY - <<'PYEOF'
import os, sys, psycopg
try:
    psycopg.connect(os.environ["KINERJA_TEST_DATABASE_URL"], connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at KINERJA_TEST_DATABASE_URL: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "== tests on PostgreSQL =="
  KINERJA_TEST_BACKEND=postgresql $PY -m pytest "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true: PostgreSQL is required" >&2
  exit 1
else
  echo "PostgreSQL run NOT done: start PostgreSQL or set KINERJA_TEST_DATABASE_URL (the SQLite run passed)." >&2
  exit 3
fi
