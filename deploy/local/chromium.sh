#!/usr/bin/env bash
# Chromium and its WebDriver from Debian's packages, for the browser tests (tests/NetCds.Browser.Tests).
#   deploy/local/chromium.sh up      install if needed; prints export lines naming the browser and the driver
#   deploy/local/chromium.sh env     print export lines only (already installed)
set -euo pipefail
. "$(dirname "$0")/common.sh"

env_lines() {
  echo "export NETCDS_CHROMIUM=$(command -v chromium || echo /usr/bin/chromium)"
  echo "export NETCDS_CHROMEDRIVER=$(command -v chromedriver || echo /usr/bin/chromedriver)"
}

up() {
  # fonts-dejavu-core: the page and the server-rendered charts need a font with the glyphs they use (µ, ×, ≥).
  # poppler-utils: pdfinfo counts the pages the MDT view prints on.
  apt_install chromium chromium-driver fonts-dejavu-core poppler-utils
  env_lines
}

case "${1:-up}" in
  up) up ;;
  env) env_lines ;;
  *) echo "usage: $0 up|env" >&2; exit 2 ;;
esac
