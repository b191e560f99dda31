#!/usr/bin/env bash
# Publishes the `pigmm` console, every command of it `pigmm silo` included, as one self-contained
# linux-x64 program that needs no .NET on the host (about 40 MB), with MNIST gzipped beside it:
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

# One compressed file (its settings are in src/Client/OrleansPigmm.Client.csproj) and the SQLite
# library beside it; symbols and documentation files are left out.
dotnet publish "$repo_root/src/Client/OrleansPigmm.Client.csproj" -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -o "$out"
rm -f "$out"/*.pdb "$out"/*.xml
# MNIST gzipped (11 MB instead of 53 MB; pigmm reads FILE.gz where FILE is missing and checks
# the content's SHA-256), so that the program and its data travel in well under 60 MB.
PIGMM_DATA_DIR="$out/datasets" "$repo_root/scripts/fetch-dataset.sh" mnist
for idx in "$out"/datasets/mnist/*-ubyte; do
  gzip -9 -n -f "$idx"
done
echo "published: $out/pigmm, $(du -sh --exclude=datasets "$out" | cut -f1) (data in $out/datasets, $(du -sh "$out/datasets" | cut -f1))"
