#!/usr/bin/env bash
# Pages per second with one console and with REPLICAS (default 3) on one PostgreSQL database: a release build of the
# console, the sandbox as a service of its own (the demo realm; `SANDBOX_SEED=large` for 100,000 identities), a
# private PostgreSQL cluster (scripts/with-postgres.sh), the replicas on ports 3201…, and examples/replicas_bench.rs
# viewing the Identities page on the first alone, then on all in turn. Prints Markdown table rows.
# usage: scripts/bench-replicas.sh [REPLICAS]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  exec ./scripts/with-postgres.sh "$0" "$@"
fi
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
export RUSTFLAGS="--cfg erase_components"
. scripts/bench-client.sh
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
replicas="${1:-3}"

log "release build (console and load client)"
CARGO_TARGET_DIR="$CARGO_TARGET_DIR/bench-clients" cargo build --release --features ssr --bin bi-console >&2
BIN="$CARGO_TARGET_DIR/bench-clients/release/bi-console"
CLIENT=$(bench_client replicas_bench)

random() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
data=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
wait_for() {
  for _ in $(seq 1 1200); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.05
  done
  echo "$1 did not answer" >&2
  exit 1
}

log "the sandbox as a service"
token="bench-$(random)"
CONSOLE_DATA_DIR="$data/sandbox" CONSOLE_DOTENV=0 SANDBOX_TOKEN="$token" RUST_LOG=warn \
  "$BIN" sandbox 127.0.0.1:3299 > "$data/sandbox.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:3299/sandbox/v1
for _ in $(seq 1 100); do grep -q REALM_ID "$data/sandbox.log" && break; sleep 0.05; done
tenant=$(sed -n 's/.*TENANT_ID=\([0-9a-f]*\).*/\1/p' "$data/sandbox.log" | head -1)
realm=$(sed -n 's/.*REALM_ID=\([0-9a-f]*\).*/\1/p' "$data/sandbox.log" | head -1)

name="replicas_$(random)"
psql -q "$TEST_POSTGRES_URL" -c "CREATE DATABASE $name" >/dev/null
password="bench-$(random)"
operators="bench:admin:$(printf '%s\n' "$password" | "$BIN" hash-password)"
log "$replicas replicas on one PostgreSQL database"
bases=()
for n in $(seq 1 "$replicas"); do
  port=$((3200 + n))
  mkdir -p "$data/replica-$n"
  CONSOLE_DATA_DIR="$data/replica-$n" CONSOLE_DOTENV=0 CONSOLE_DATABASE_URL="${TEST_POSTGRES_URL%/*}/$name" \
    CONSOLE_OPERATORS="$operators" BI_API_BASE_URL=http://127.0.0.1:3299/sandbox BI_TENANT_ID="$tenant" \
    BI_REALM_ID="$realm" BI_API_TOKEN="$token" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
    LEPTOS_OUTPUT_NAME=bi-console RUST_LOG=warn "$BIN" > "$data/replica-$n.log" 2>&1 &
  pids+=($!)
  bases+=("http://127.0.0.1:$port")
done
for b in "${bases[@]}"; do wait_for "$b/healthz"; done

log "load"
"$CLIENT" bench "$password" "$realm" "${bases[@]}"
echo
echo "Measured on $(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d): the sandbox service, PostgreSQL $(psql -tA "$TEST_POSTGRES_URL" -c 'SHOW server_version' | cut -d' ' -f1) and the replicas on this one machine."
