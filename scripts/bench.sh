#!/usr/bin/env bash
# Measures the console: the release build `./scripts/run.sh --release` makes (split by route, precompressed,
# content-named assets),
# on a fresh sandbox seeded with the large realm (100,000 identities, 5,000
# groups; BENCH_SEED=xlarge: 1,000,000). Prints a Markdown table (the figures in docs/PERFORMANCE.md come from it): pages against the bare API
# calls they make, BI calls per page view, adding 1,000 members from a paste, memory, start-up, the wasm bundle, and
# the identities page's first load in chromium over an emulated 10 Mbit/s, 40 ms link (cold and warm cache), one
# first load traced (where its time goes), and what that emulated link delivers to a single transfer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
# The flags `./scripts/run.sh` builds with, so this measures (and shares) the build a user runs.
export RUSTFLAGS="--cfg erase_components"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

log "release build (console, wasm, benchmark client)"
cargo leptos build --release --precompress --split --features split >&2
. scripts/bench-client.sh
BENCH=$(bench_client bench)
BIN="$CARGO_TARGET_DIR/release/bi-console"

random() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
data=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
PASSWORD="bench-$(random)"
export CONSOLE_DATA_DIR="$data" CONSOLE_DOTENV=0 SANDBOX_SEED="${BENCH_SEED:-large}" SANDBOX_TOKEN="bench-$(random)"
export CONSOLE_OPERATORS="bench:admin:$(printf '%s\n' "$PASSWORD" | "$BIN" hash-password)"
export LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true LEPTOS_SITE_ADDR="127.0.0.1:${BENCH_PORT:-3100}" RUST_LOG=warn
for key in BI_REGION BI_API_BASE_URL BI_TENANT_ID BI_REALM_ID BI_API_TOKEN BI_CLIENT_ID SANDBOX_FAULTS; do unset "$key"; done
BASE="http://$LEPTOS_SITE_ADDR"

now_ms() { date +%s%3N; }
wait_up() {
  for _ in $(seq 1 6000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/login" || true)" = 200 ] && return 0
    sleep 0.05
  done
  echo "the console did not start" >&2; exit 1
}

log "first start: seeding the large realm"
t0=$(now_ms); "$BIN" > "$data/first.log" 2>&1 & server=$!; wait_up; seed_ms=$(( $(now_ms) - t0 ))
kill "$server"; wait "$server" 2>/dev/null || true
log "second start: start-up to first page"
t0=$(now_ms); "$BIN" > "$data/server.log" 2>&1 & server=$!; wait_up; start_ms=$(( $(now_ms) - t0 ))
TENANT=$(sed -n 's/.*TENANT_ID=\([0-9a-f]*\).*/\1/p' "$data/server.log" | head -1)

log "load"
"$BENCH" "$BASE" "$SANDBOX_TOKEN" "$TENANT" bench "$PASSWORD" "$server"
wasm=$(ls target/site/pkg/bi-console.*.wasm | grep -v '\.wasm\.' | head -1)
chunks=$(ls target/site/pkg/*.wasm | grep -v "/bi-console\." | wc -l)
chunk_kib=$(( $(cat $(ls target/site/pkg/*.wasm.br | grep -v "/bi-console\.") | wc -c) / 1024 ))
log "first load in chromium"
(cd end2end && node bench/first-load.mjs "$BASE" bench "$PASSWORD" && node bench/lazy-routes.mjs "$BASE" bench "$PASSWORD")
log "one first load traced: where its time goes"
(cd end2end && node bench/first-load-trace.mjs "$BASE" bench "$PASSWORD" "$data/first-load-trace.json")
log "what the emulated link delivers to one transfer"
(cd end2end && node bench/emulated-link.mjs "../$wasm.br")
# Five requests for the stylesheet on one kept-alive connection (curl reuses it): each one's time, in ms.
css=$(ls target/site/pkg/bi-console.*.css | grep -v '\.css\.' | head -1 | sed 's#target/site##')
times=$(curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -w '%{time_total} ' \
  "$BASE$css" "$BASE$css" "$BASE$css" "$BASE$css" "$BASE$css" | awk '{for (i = 1; i <= NF; i++) printf "%.1f ", $i * 1000}')
echo "| A static file 5 times on one kept-alive connection (ms each) | ${times% } |"
echo "| Start-up to first page (data already seeded) | ${start_ms} ms |"
if [ "${BENCH_SEED:-large}" = xlarge ]; then seeded="1,000,000"; else seeded="100,000"; fi
echo "| First start, seeding $seeded identities and 5,000 groups | $(( seed_ms / 1000 )) s |"
echo "| Release wasm, first page: raw / gzip / brotli as served | $(( $(wc -c < "$wasm") / 1024 )) KiB / $(( $(wc -c < "$wasm.gz") / 1024 )) KiB / $(( $(wc -c < "$wasm.br") / 1024 )) KiB |"
echo "| Release wasm, the other screens' chunks (loaded when first opened) | $chunks chunks, $chunk_kib KiB brotli in all |"
log "one page view, profiled"
kill "$server"; wait "$server" 2>/dev/null || true; server=""
./scripts/profile-page.sh identities 1000
echo
echo "Measured on $(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d); ${BENCH_PORT:-3100} was the port."
