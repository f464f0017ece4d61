#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver (/usr/bin/chromedriver) for the console's browser test
# (ConsoleBrowserTest), when missing. Selenium Manager cannot download drivers here: the test points at these.
set -euo pipefail
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi
echo "installing chromium and chromium-driver from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium chromium-driver >&2
