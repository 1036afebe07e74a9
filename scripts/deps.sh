#!/usr/bin/env bash
# Installs the Debian packages inkasso needs to build and test, if missing.
set -euo pipefail
# chromium: the browser tests (tests/browser) drive Debian's headless
# Chromium; fonts-dejavu-core gives its pages and screenshots a font.
packages=(cmake ninja-build gcc clang libclang-rt-14-dev valgrind
          clang-format python3 libsqlite3-dev curl libmicrohttpd-dev libxgboost-dev
          chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Node.js and npm bundle the dashboard (web/) and run the browser tests.
# A Node.js from elsewhere (e.g. nodesource, which bundles npm) counts:
# look for the commands, not for Debian's packages.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
