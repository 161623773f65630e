#!/usr/bin/env bash
# Builds the console's container image, bi-console:VERSION, with podman (or buildah), from the release archive
# (scripts/package.sh): scripts/packaging/Containerfile over a root holding the console and the shared libraries its
# binary links, copied from this machine (so the image runs where this machine's glibc would).
#   ./scripts/container.sh           from a release build
#   ./scripts/container.sh --debug   from the debug build already made (what the tests check)
# Then: podman save -o bi-console.tar bi-console:VERSION, or push it to your registry.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$(./scripts/package.sh "$@" | tail -1)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tar -xzf "$archive" -C "$stage"
app=$(echo "$stage"/bi-console-*)
root="$stage/context/rootfs"
mkdir -p "$root/opt/bi-console" "$root/etc" "$root/tmp" "$stage/context/data"
chmod 1777 "$root/tmp"
cp -R "$app/bin" "$app/site" "$root/opt/bi-console/"
# Every shared library the binary links, and the dynamic loader, at the paths it looks for them.
ldd "$app/bin/bi-console" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/:/sbin/nologin\nconsole:x:65532:65532:bi-console:/data:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nconsole:x:65532:\n' > "$root/etc/group"
cp scripts/packaging/Containerfile "$stage/context/Containerfile"
if command -v podman >/dev/null 2>&1; then
  podman build --quiet -t "bi-console:$version" "$stage/context" >/dev/null
elif command -v buildah >/dev/null 2>&1; then
  buildah bud --quiet -t "bi-console:$version" "$stage/context" >/dev/null
else
  echo "podman or buildah is needed to build the image" >&2
  exit 1
fi
echo "bi-console:$version"
