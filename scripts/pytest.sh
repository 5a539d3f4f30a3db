#!/usr/bin/env bash
# Run the test suite; "no tests collected" (pytest's exit code 5) is a failure, never a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ALLOW_ASYNC_UNSAFE=true
echo "pytest on ${DATABASE_URL:-SQLite (default)}"
.venv/bin/pytest -n 2 "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing on purpose" >&2
  exit 1
fi
exit "$status"
