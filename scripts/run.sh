#!/usr/bin/env bash
# Sets up what is missing, then builds and runs the console at http://127.0.0.1:3000.
# With no BI_* settings (environment or .env) it runs on the embedded sandbox and prints its API token.
# Extra arguments go to `cargo leptos serve` (e.g. --release). A release build is also split by route (each screen
# but the Identities list is its own wasm chunk, loaded when first opened) and precompressed (brotli and gzip,
# served by the browser's Accept-Encoding).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# One build cache per user, shared by every checkout of the project.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
# Components type-erased: a smaller wasm for the browser (a release bundle about a quarter smaller) and faster
# builds; the tests and benchmarks build the same way, so they share this build.
export RUSTFLAGS="--cfg erase_components"
for arg in "$@"; do
  if [ "$arg" = "--release" ]; then set -- "$@" --precompress --split --features split; break; fi
done
exec cargo leptos serve "$@"
