#!/usr/bin/env bash
# Downloads the .debs of the container image's runtime packages (scripts/runtime-packages.txt)
# and of their whole dependency closure, as apt resolves it for an empty system, into
# $GRANARY_RUNTIME_DEBS (default /var/cache/granary/runtime-debs). The test
# tests/cli/container_tree_test.cpp unpacks them into the image's file tree and runs granary in
# it, without Docker and without the network. Called by install-deps.sh; idempotent.
# manifest.txt ("package version file" a line) is written last: no manifest, no usable cache;
# requested.txt is the package list it was resolved from.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="${GRANARY_RUNTIME_DEBS:-/var/cache/granary/runtime-debs}"
mapfile -t wanted < <(sed -e 's/#.*//' "$HERE/runtime-packages.txt" | xargs -n1)
mkdir -p "$DEST"
empty="$(mktemp)"
trap 'rm -f "$empty" "$DEST/manifest.txt.part"' EXIT

# "package version file" for every package apt would install on a system with nothing
# installed (an empty dpkg status), i.e. the closure of Depends and Pre-Depends.
resolve() {
  apt-get -o Dir::State::status="$empty" -s -q install --no-install-recommends "${wanted[@]}" |
    awk '/^Inst /{ v = $3; sub(/^\(/, "", v); match($0, /\[[a-z0-9]+\]/); a = substr($0, RSTART + 1, RLENGTH - 2);
                   f = $2 "_" v "_" a ".deb"; gsub(/:/, "%3a", f); print $2, v, f }'
}

fetch_missing() {
  local -a download=()
  local pkg ver file
  while read -r pkg ver file; do
    [ -s "$DEST/$file" ] && continue
    if [ -s "/var/cache/apt/archives/$file" ]; then
      cp "/var/cache/apt/archives/$file" "$DEST/$file.part" && mv "$DEST/$file.part" "$DEST/$file"
    else
      download+=("$pkg=$ver")
    fi
  done <<<"$1"
  [ "${#download[@]}" -eq 0 ] && return 0
  echo "runtime-debs: downloading ${#download[@]} packages into $DEST"
  (cd "$DEST" && apt-get download -q -o APT::Sandbox::User=root "${download[@]}" >/dev/null)
}

closure="$(resolve || true)"
if [ -z "$closure" ] || ! fetch_missing "$closure"; then
  # Package lists absent or older than the archive: refresh them once and try again.
  apt-get update -qq
  closure="$(resolve)"
  fetch_missing "$closure"
fi

# Drop debs of versions no longer wanted, then publish the manifest.
keep="$(awk '{print $3}' <<<"$closure")"
for f in "$DEST"/*.deb; do
  [ -e "$f" ] || continue
  grep -qxF "$(basename "$f")" <<<"$keep" || rm -f "$f"
done
# requested.txt: the list this closure was resolved from (the test compares it with the list).
printf '%s\n' "${wanted[@]}" | LC_ALL=C sort >"$DEST/requested.txt"
printf '%s\n' "$closure" >"$DEST/manifest.txt.part"
mv "$DEST/manifest.txt.part" "$DEST/manifest.txt"
echo "runtime-debs: $(wc -l <"$DEST/manifest.txt") packages in $DEST"
