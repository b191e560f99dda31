#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need that the .NET SDK does not
# bring (Debian's chromium, which renders the HTML report in a test), fetches MNIST once into the
# dataset cache, then runs the whole solution's tests in Release.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing chromium (Debian package) for the report rendering test..."
    sudo_if_needed=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo_if_needed=(sudo)
    fi
    "${sudo_if_needed[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_if_needed[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null
fi

scripts/fetch-dataset.sh mnist

dotnet test OrleansPigmm.sln -c Release "$@"
