#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need that the .NET SDK does not
# bring (Debian's chromium, which renders the HTML report and the web dashboard in tests, and
# Debian's postgresql, whose binaries the PostgreSQL store tests use to start a throwaway server of
# their own, and the npm packages that validate the Kubernetes manifests), fetches MNIST once into
# the dataset cache, then runs the whole solution's tests in Release. The build fetches the
# dashboard's plotting library with npm; the deployment tests publish the console once.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_if_needed=(sudo)
fi
apt_updated=false
install_debian_package() {
    if [ "$apt_updated" = false ]; then
        "${sudo_if_needed[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
        apt_updated=true
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo_if_needed[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$1" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing chromium (Debian package) for the report and dashboard rendering tests..."
    install_debian_package chromium
fi

# The tests start (and delete) their own server; the script only makes sure initdb and pg_ctl exist.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    echo "Installing postgresql (Debian package) for the PostgreSQL store tests..."
    install_debian_package postgresql
fi

# The cluster fault tests put silos in network namespaces of their own (ip netns, as root).
if ! command -v ip >/dev/null 2>&1; then
    echo "Installing iproute2 (Debian package) for the cluster fault tests..."
    install_debian_package iproute2
fi

# The deployment tests render k8s/ with kubectl (offline: kubectl kustomize) and validate what it
# renders against the Kubernetes schemas with npm kubernetes-models.
if ! command -v kubectl >/dev/null 2>&1; then
    echo "kubectl is needed for the Kubernetes manifest tests (kubectl kustomize); install it and run again." >&2
    exit 1
fi
(cd k8s/validate && npm ci --no-audit --no-fund --loglevel=error)

scripts/fetch-dataset.sh mnist

dotnet build OrleansPigmm.sln -c Release
# One test project at a time: the cluster and process tests start silos and real processes, and
# on two cores they are steadier without the other projects' tests running beside them.
dotnet test OrleansPigmm.sln -c Release --no-build -m:1 "$@"
