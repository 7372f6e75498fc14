#!/usr/bin/env bash
# Debian packages the app and the tests need, installed only when missing (fast when present):
#   chromium            — static chart export for PDF reports (kaleido) and the browser tests
#   fonts-dejavu-core   — glyphs for PDF reports
#   libpango-1.0-0 libpangoft2-1.0-0 — WeasyPrint's text layout (HTML → PDF)
#   postgresql          — a real PostgreSQL server for the store tests (started by the tests on loopback)
#   poppler-utils       — pdftotext/pdftoppm to check rendered PDFs
set -euo pipefail
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
