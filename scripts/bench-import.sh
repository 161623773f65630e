#!/usr/bin/env bash
# Measures import and export at scale: a release build of examples/import_bench.rs, which seeds an in-process
# sandbox with one realm of N identities (default 100,000) and 20 groups, indexes it, plans an N-row file, applies
# CREATES new identities with memberships (default 10,000), again with 30% injected faults, and exports the realm.
# Prints a Markdown report (the figures in docs/PERFORMANCE.md come from it). EXPORT_ONLY=1 seeds, indexes and measures
# only the export (for the 1,000,000-identity figure); PLAN_ONLY=1 stops after the plan.
# usage: scripts/bench-import.sh [IDENTITIES] [CREATES]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
# The flags `./scripts/run.sh` builds with, so this measures (and shares) the build a user runs.
export RUSTFLAGS="--cfg erase_components"
. scripts/bench-client.sh
CLIENT=$(bench_client import_bench)
RUST_LOG=error "$CLIENT" "${1:-100000}" "${2:-10000}"
