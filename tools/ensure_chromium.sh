#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (through Playwright; never `playwright install`).
# Install it when it is missing and we can (root with apt-get); otherwise say the one command
# to run. LSTM_BOOK_SKIP_BROWSER=1 skips the browser suite explicitly (CI never sets it).
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
[ "${LSTM_BOOK_SKIP_BROWSER:-}" = 1 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Chromium is missing: installing Debian's chromium (apt-get install -y chromium)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] && exit 0
fi
echo "The browser tests need Debian's Chromium at /usr/bin/chromium. Run:" >&2
echo "    sudo apt-get install -y chromium" >&2
echo "(or set LSTM_BOOK_SKIP_BROWSER=1 to skip the browser tests explicitly)" >&2
exit 1
