#!/usr/bin/env bash
# Compile the translation catalogues (orderflow/locale/*/LC_MESSAGES/django.po) into the .mo files Django
# reads; the .mo files are not committed. Needs Debian's gettext tools: installed when missing and we may.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v msgfmt >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's gettext for the translation catalogues..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  else
    echo "msgfmt is missing: install Debian's gettext (apt-get install gettext) to compile the translations." >&2
    exit 1
  fi
fi
for po in orderflow/locale/*/LC_MESSAGES/*.po; do
  mo="${po%.po}.mo"
  if [ ! -e "$mo" ] || [ "$po" -nt "$mo" ]; then
    msgfmt --check --output-file="$mo" "$po"
  fi
done
