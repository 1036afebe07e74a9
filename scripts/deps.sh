#!/usr/bin/env bash
# Installs the Debian packages inkasso needs to build and test, if missing.
set -euo pipefail
packages=(cmake ninja-build gcc clang libclang-rt-14-dev valgrind
          clang-format python3 libsqlite3-dev curl libmicrohttpd-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
