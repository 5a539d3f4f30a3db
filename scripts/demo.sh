#!/usr/bin/env bash
# `make demo` (after .venv has the runtime requirements): migrate, load the demo data and print its
# logins, then serve the app on 127.0.0.1:$PORT (default 8000) with the background worker beside it.
# Ctrl-C (or TERM) stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-true}"
# The demo's people are fictional: keep the email, SMS and messenger messages they would get inside
# the app (the notifications sandbox) rather than trying to send them. Set it to false to send.
export NOTIFICATIONS_SANDBOX="${NOTIFICATIONS_SANDBOX:-true}"
PORT="${PORT:-8000}"
# Links in messages (track, rate, choose a delivery time, settings) must lead back to this server.
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
# Message emails carry a reply address (reply+<token>@this domain); a reply piped to
# `manage.py receive_email` lands in the order's thread (see the README's "Replies by email").
export INBOUND_EMAIL_DOMAIN="${INBOUND_EMAIL_DOMAIN:-reply.orderflow.invalid}"
PYTHON=.venv/bin/python
mkdir -p "${ORDERFLOW_VAR_DIR:-var}"

children=()
stop_children() {
  trap - EXIT INT TERM
  local pid
  for pid in "${children[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${children[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_children EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py load_demo --base-url "http://127.0.0.1:$PORT"

# The worker sends (in the sandbox: records) what the outbox holds, beside the web server.
"$PYTHON" manage.py run_worker &
children+=("$!")

# Background jobs (catalogue imports, exports, schedules, expiries) run through Django's task API.
"$PYTHON" manage.py run_tasks --no-startup-delay &
children+=("$!")

# In the background and waited for, so that a signal reaches the trap at once, not after the server.
"$PYTHON" manage.py runserver "127.0.0.1:$PORT" --noreload &
server=$!
children+=("$server")
wait "$server"
