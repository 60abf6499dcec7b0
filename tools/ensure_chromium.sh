#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (through Playwright; never `playwright install`).
# Install it when it is missing and we can (root with apt-get); otherwise say the one command
# to run. LSTM_BOOK_SKIP_BROWSER=1 skips the browser suite explicitly (CI never sets it).
#
#   tools/ensure_chromium.sh --background   start the install and return at once (`make test`
#                                           does this first: only the browser tests need
#                                           Chromium, so everything else runs meanwhile);
#                                           if it cannot install, fail at once with the command
#   tools/ensure_chromium.sh                wait for that install, if one runs; then make sure
#                                           /usr/bin/chromium is there (installing it now if
#                                           it is not and nothing else is)
#
# On a fresh Debian machine the install takes about two minutes (229 packages; most of it
# dpkg writing to the disk): waited for up front it was the longest step before any test.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=_build/chromium-install.lock  # held while a background install runs
LOG=_build/chromium-install.log
WAIT_S=900

[ -x /usr/bin/chromium ] && exit 0
[ "${LSTM_BOOK_SKIP_BROWSER:-}" = 1 ] && exit 0
can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && command -v flock >/dev/null; }

install() {  # apt-get's own output goes to the log; fd 9 (the lock) is not passed on to it,
  # so that no service a package starts can keep the lock held
  apt-get update -qq 9>&- &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      -o Dpkg::Options::=--force-unsafe-io chromium 9>&-
}

mkdir -p _build
if [ "${1:-}" = --background ] && can_install; then
  exec 9>"$LOCK"
  flock -n 9 || exit 0  # an install is already running
  echo "Chromium is missing: installing Debian's chromium in the background (log: $LOG)"
  # The subshell keeps fd 9, so the lock is held until the install ends; this script returns.
  ( install ) > "$LOG" 2>&1 < /dev/null &
  exit 0
fi

if [ "${1:-}" != --background ] && can_install; then
  if ! flock -w "$WAIT_S" "$LOCK" true; then
    echo "The background install of Chromium did not end within $WAIT_S s; its log:" >&2
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  [ -x /usr/bin/chromium ] && exit 0
  if [ -s "$LOG" ]; then
    echo "The background install of Chromium failed; its log ends:" >&2
    tail -n 20 "$LOG" >&2
  fi
  echo "Chromium is missing: installing Debian's chromium (apt-get install -y chromium)"
  exec 9>"$LOCK"
  flock 9
  install > "$LOG" 2>&1 || tail -n 20 "$LOG" >&2
  [ -x /usr/bin/chromium ] && exit 0
fi
echo "The browser tests need Debian's Chromium at /usr/bin/chromium. Run:" >&2
echo "    sudo apt-get install -y chromium" >&2
echo "(or set LSTM_BOOK_SKIP_BROWSER=1 to skip the browser tests explicitly)" >&2
exit 1
