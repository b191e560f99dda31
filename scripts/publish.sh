#!/usr/bin/env bash
# Publishes the `pigmm` console, every command of it `pigmm silo` included, as one self-contained
# linux-x64 folder that needs no .NET on the host, with MNIST inside it:
#
#   scripts/publish.sh OUT
#
# OUT/pigmm is the program and OUT/datasets/mnist its data (PIGMM_DATA_DIR=OUT/datasets). The
# container image is this folder at /app (see Dockerfile, which runs this script). Needs the .NET
# SDK, and node and npm for the dashboard's plotting library and for MNIST.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -ne 1 ]]; then
  echo "usage: scripts/publish.sh OUT" >&2
  exit 2
fi
mkdir -p "$1"
out="$(cd "$1" && pwd)"

dotnet publish "$repo_root/src/Client/OrleansPigmm.Client.csproj" -c Release -r linux-x64 --self-contained -o "$out"
PIGMM_DATA_DIR="$out/datasets" "$repo_root/scripts/fetch-dataset.sh" mnist
echo "published: $out/pigmm (data in $out/datasets)"
