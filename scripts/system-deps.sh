#!/usr/bin/env bash
# Debian packages fairclaim needs: Chromium (evidence capture, browser tests), Pango/HarfBuzz and
# fonts (WeasyPrint PDFs), poppler-utils (PDF text checks), PostgreSQL (the Postgres test pass).
# Installs them with apt-get when run as root; otherwise says exactly what to run.
set -euo pipefail
packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
          poppler-utils postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "fairclaim needs these system packages (Debian names): ${missing[*]}" >&2
  echo "Install them with your package manager, then run make again." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "fairclaim needs these Debian packages: ${missing[*]}" >&2
  echo "Run:  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
