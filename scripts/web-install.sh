#!/usr/bin/env bash
# Install the web app's packages (npm ci, from package-lock.json) and Debian's Chromium for the
# browser tests. Browsers are never downloaded by npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "web-install: Node.js is required (node >= 20)" >&2; exit 1; }
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ -z "${WEB_SKIP_BROWSER:-}" ] && ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
  echo "web-install: installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null || {
      echo "web-install: could not install chromium (apt-get install -y chromium)" >&2; exit 1; }
  else
    echo "web-install: chromium is missing; run: sudo apt-get install -y chromium" >&2; exit 1
  fi
fi
