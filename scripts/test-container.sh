#!/usr/bin/env bash
# Checks the container image as an operator would meet it: built from the debug build (./scripts/container.sh
# --debug) and started with podman on an empty data volume: alive, ready, its sign-in page and site files served,
# running as its own user with nothing else in the image (no shell), its data in /data, and stopped and started
# again with its data kept.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v podman >/dev/null 2>&1; then
  echo "podman is not installed: the container image is not tested" >&2
  [ -z "${CI:-}" ] || exit 1
  exit 0
fi
image=$(./scripts/container.sh --debug | tail -1)
name="bi-console-test-$$"
global=()
run_flags=()
# Where crun may run containers, plain `podman run`. Where it may not (cgroups in hybrid mode, no CAP_SYS_RESOURCE
# to set limits, as on this project's build machines), runc with cgroupfs and limits no higher than the current ones.
if ! podman run --rm --network=host "$image" --help >/dev/null 2>&1; then
  global=(--runtime runc --cgroup-manager=cgroupfs)
  run_flags=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
fi
pm() { podman "${global[@]}" "$@"; }
cleanup() {
  pm rm -f "$name" >/dev/null 2>&1 || true
  pm volume rm -f "$name-data" >/dev/null 2>&1 || true
  pm image prune -f >/dev/null 2>&1 || true
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
wait_alive() {
  for _ in $(seq 1 120); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  pm logs "$name" >&2 || true
  echo "the console in its container did not start" >&2
  exit 1
}

pm volume create "$name-data" >/dev/null
pm run "${run_flags[@]}" -d --name "$name" --network=host -e "LEPTOS_SITE_ADDR=127.0.0.1:$port" \
  -v "$name-data:/data" "$image" >/dev/null
wait_alive
ready=$(curl -sS "$base/readyz")
echo "$ready" | grep -q '"ready":true' || { echo "not ready: $ready" >&2; exit 1; }
page=$(curl -fsS "$base/login")
echo "$page" | grep -q "Sign in" || { echo "no sign-in page" >&2; exit 1; }
css=$(echo "$page" | grep -o '/pkg/bi-console\.[^"]*\.css' | head -1)
[ -n "$css" ] && curl -fsS -o /dev/null "$base$css" || { echo "the site's stylesheet is not served" >&2; exit 1; }
pm logs "$name" 2>&1 | grep -q "First run: created operator 'admin'" || { echo "no first admin" >&2; exit 1; }
user=$(pm image inspect --format '{{.Config.User}}' "$image")
[ "$user" = "65532:65532" ] || { echo "the image runs as '$user', not its own user" >&2; exit 1; }
if pm run "${run_flags[@]}" --rm --network=host --entrypoint /bin/sh "$image" -c true >/dev/null 2>&1; then
  echo "the image holds a shell" >&2
  exit 1
fi
pm cp "$name:/data/console.db" - | tar -t | grep -qx console.db || { echo "no database in /data" >&2; exit 1; }

# Stopped (SIGTERM: a clean stop) and started again: the same data, no second first run.
pm stop -t 20 "$name" >/dev/null
pm logs "$name" 2>&1 | grep -q "stopped" || { echo "the console did not stop cleanly" >&2; exit 1; }
pm start "$name" >/dev/null
wait_alive
runs=$(pm logs "$name" 2>&1 | grep -c "First run: created operator" || true)
[ "$runs" = 1 ] || { echo "the data was not kept across a restart ($runs first runs)" >&2; exit 1; }
size=$(pm image inspect --format '{{.Size}}' "$image")
echo "the container image runs: alive, ready, its pages and files served, as its own user, no shell, its data kept across a restart ($((size / 1000000)) MB, debug build)"
