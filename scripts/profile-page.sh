#!/usr/bin/env bash
# Where a page view's time goes. Starts the release build (`./scripts/bench.sh` or `./scripts/run.sh --release`
# makes it) on a fresh sandbox with the demo realm, signs in, and requests one page (default: the realm's
# Identities list) one at a time on a kept-alive connection. Prints the page's p50, the server's CPU time and
# context switches per page view and its memory afterwards (from /proc), and, when `perf` is installed (Debian:
# linux-perf), the CPU time by part of the console (session, index queries, the BI call, rendering, HTTP,
# scheduling).
#
# usage: scripts/profile-page.sh [PATH_AFTER_REALM (default: identities)] [REQUESTS (default: 1000)]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
BIN="$CARGO_TARGET_DIR/release/bi-console"
[ -x "$BIN" ] || { echo "no release build: run ./scripts/bench.sh (or ./scripts/run.sh --release) first" >&2; exit 1; }
page="${1:-identities}"
n="${2:-1000}"
port="${PROFILE_PORT:-3300}"
base="http://127.0.0.1:$port"

data=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
password="profile-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export CONSOLE_DATA_DIR="$data" CONSOLE_DOTENV=0 SANDBOX_TOKEN="profile-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export CONSOLE_OPERATORS="profile:admin:$(printf '%s\n' "$password" | "$BIN" hash-password)"
export LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn
for key in BI_REGION BI_API_BASE_URL BI_TENANT_ID BI_REALM_ID BI_API_TOKEN BI_CLIENT_ID SANDBOX_FAULTS; do unset "$key"; done
"$BIN" > "$data/server.log" 2>&1 & server=$!
for _ in $(seq 1 600); do curl -s -o /dev/null "$base/login" && break; sleep 0.05; done
curl -s -c "$data/jar" -o /dev/null -d "username=profile&password=$password&next=/" "$base/sign-in"
realm=$(curl -s -b "$data/jar" -o /dev/null -w '%{redirect_url}' "$base/" | sed 's#.*/realms/\([^/]*\)/.*#\1#')
url="$base/realms/$realm/$page"

# N requests on one connection (curl reuses it); prints each one's time in seconds.
run() {
  local args=()
  for _ in $(seq 1 "$1"); do args+=(-o /dev/null "$url"); done
  curl -s -b "$data/jar" -w '%{time_total}\n' "${args[@]}"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
switches() { cat /proc/"$server"/task/*/status | awk '/ctxt_switches/ {s += $2} END {print s}'; }

run 200 > /dev/null # warm: the index made, caches filled
t0=$(cpu_ticks); c0=$(switches)
times=$(run "$n")
t1=$(cpu_ticks); c1=$(switches)
hz=$(getconf CLK_TCK)
p50=$(printf '%s\n' "$times" | sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)] * 1000}')
echo "| $page, one request at a time: p50 | $p50 ms |"
echo "| server CPU time per page view (console and sandbox) | $(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.2f", t * 1000 / hz / n}') ms |"
echo "| context switches per page view | $(( (c1 - c0) / n )) |"
sleep 1
echo "| server memory (RSS) a second after the last page view | $(awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$server/status") |"

command -v perf > /dev/null || { echo "(perf is not installed: no breakdown)"; exit 0; }
perf record -q --no-buildid-cache -F 2999 --call-graph dwarf,32768 -p "$server" -o "$data/perf.data" -- sleep 1000 > /dev/null 2>&1 & recorder=$!
sleep 0.5
run "$n" > /dev/null
kill -INT "$recorder"; wait "$recorder" 2>/dev/null || true
echo
echo "| part of the page view (share of the server's CPU samples) | share |"
echo "|---|---|"
# Each sample goes to the first part whose pattern appears in its stack (thread name included).
perf script --no-inline -i "$data/perf.data" 2> /dev/null | awk '
  BEGIN {
    n = split("sandbox|SQLite worker threads|BI client|sessions and guard|index queries|hydration data|rendering|HTTP server|scheduling and wake-ups", part, "|")
    pat["sandbox"] = "bi_console::sandbox"
    pat["SQLite worker threads"] = "^THREAD sqlx-sqlite"
    pat["BI client"] = "reqwest::|hyper_util::client|bi_console::bi::"
    pat["sessions and guard"] = "tower_sessions|bi_console::auth::"
    pat["index queries"] = "sqlx_|bi_console::index"
    pat["hydration data"] = "serde_json::|serde::|serde_core::"
    pat["rendering"] = "tachys::|leptos_router::|leptos::|reactive_graph::|leptos_axum::|server_fn::|bi_console::pages|bi_console::components|bi_console::app"
    pat["HTTP server"] = "hyper::|axum::|tower_http::|tower::"
    pat["scheduling and wake-ups"] = "tokio::runtime|mio::|thread::functions::park|futex|flume::"
  }
  function flush(   i, p) {
    if (stack == "") return
    total++
    for (i = 1; i <= n; i++) if (stack ~ pat[part[i]]) { count[part[i]]++; stack = ""; return }
    count["other"]++; stack = ""
  }
  /^[^ \t]/ { flush(); stack = "THREAD " $1 "\n"; next }
  /^[ \t]*$/ { flush(); next }
  { stack = stack $0 "\n" }
  END {
    flush()
    for (i = 1; i <= n; i++) printf "| %s | %.1f%% |\n", part[i], 100 * count[part[i]] / total
    printf "| other | %.1f%% |\n", 100 * count["other"] / total
  }'
