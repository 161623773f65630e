#!/usr/bin/env bash
# Measures the directory index at scale: a release build of examples/index_bench.rs, which seeds an in-process
# sandbox with one realm of N identities (default 1,000,000) and 5,000 groups, indexes it over HTTP through the BI client, refreshes
# it unchanged, and times searches. Prints a Markdown report (the figures in docs/PERFORMANCE.md come from it).
# usage: scripts/bench-index.sh [IDENTITIES]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
# The flags `./scripts/run.sh` builds with, so this measures (and shares) the build a user runs.
export RUSTFLAGS="--cfg erase_components"
. scripts/bench-client.sh
CLIENT=$(bench_client index_bench)
RUST_LOG=warn "$CLIENT" "${1:-1000000}"
