#!/bin/sh
# System packages the test suite needs: Debian's chromium and its chromedriver (the browser tests of the
# server drive headless Chromium with selenium). Idempotent: installs only what is missing.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || missing="$missing chromium-driver"
if [ -z "$missing" ]; then
    echo "install-system-deps: chromium and chromedriver are installed"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-system-deps: installing$missing"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
