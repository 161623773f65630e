#!/usr/bin/env bash
# Makes the console's release archive, dist/bi-console-VERSION-linux-ARCH.tar.gz: the binary (and the names of its
# content-named files), the site files, a systemd unit, an example settings file and INSTALL.md.
#   ./scripts/package.sh           a release build (split by route, precompressed; the binary's link takes minutes)
#   ./scripts/package.sh --debug   from the debug build already made (what the tests check)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
export RUSTFLAGS="--cfg erase_components"
profile=release
if [ "${1:-}" = "--debug" ]; then
  profile=debug
else
  ./scripts/setup.sh
  cargo leptos build --release --precompress --split --features split
fi
binary="$CARGO_TARGET_DIR/$profile/bi-console"
[ -x "$binary" ] || { echo "no $profile build at $binary: build it first" >&2; exit 1; }
css=$(sed -n 's/^css: //p' "$CARGO_TARGET_DIR/$profile/hash.txt")
[ -f "target/site/pkg/bi-console.$css.css" ] || {
  echo "target/site does not hold the files $CARGO_TARGET_DIR/$profile/hash.txt names: build the site with it" >&2
  exit 1
}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
name="bi-console-$version-linux-$(uname -m)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/site"
install -m 0755 "$binary" "$stage/$name/bin/bi-console"
install -m 0644 "$CARGO_TARGET_DIR/$profile/hash.txt" "$stage/$name/bin/hash.txt"
cp -R target/site/. "$stage/$name/site/"
install -m 0644 scripts/packaging/bi-console.service scripts/packaging/bi-console.env.example \
  scripts/packaging/INSTALL.md "$stage/$name/"
mkdir -p dist
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
