#!/usr/bin/env bash
# Checks the release archive as an installer would meet it: made from the debug build (./scripts/package.sh --debug),
# unpacked into an empty directory, its systemd unit accepted by `systemd-analyze verify` (with the unpacked paths),
# and the console started from it with the example settings: alive, ready, its sign-in page and site files served.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$(./scripts/package.sh --debug | tail -1)
root=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT
tar -xzf "$archive" -C "$root"
app=$(echo "$root"/bi-console-*)
for f in bin/bi-console bin/hash.txt site/pkg bi-console.service bi-console.env.example INSTALL.md; do
  [ -e "$app/$f" ] || { echo "the archive lacks $f" >&2; exit 1; }
done

# The unit, pointed at where it was unpacked, as systemd reads it.
if command -v systemd-analyze >/dev/null 2>&1; then
  sed "s#/opt/bi-console#$app#g" "$app/bi-console.service" > "$root/bi-console.service"
  systemd-analyze verify "$root/bi-console.service"
  echo "systemd-analyze verify: the unit is accepted"
else
  echo "systemd-analyze is not installed: the unit was not verified" >&2
  [ -z "${CI:-}" ] || exit 1
fi

# Started as the unit starts it: the example settings, the unit's environment, an empty state directory.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
state="$root/state"
mkdir -m 0700 "$state"
(
  set -a
  # shellcheck disable=SC1091
  . "$app/bi-console.env.example"
  set +a
  eval "$(sed -n 's/^Environment=//p' "$app/bi-console.service" | sed "s#/opt/bi-console#$app#g;s#/var/lib/bi-console#$state#g;s/^/export /")"
  export LEPTOS_SITE_ADDR="127.0.0.1:$port" CONSOLE_DOTENV=0
  cd "$app"
  exec env -u CONSOLE_OPERATORS -u CONSOLE_DATABASE_URL -u SANDBOX_TOKEN "$app/bin/bi-console" serve
) > "$root/console.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { cat "$root/console.log"; echo "the unpacked console did not start" >&2; exit 1; }
ready=$(curl -sS "$base/readyz")
echo "$ready" | grep -q '"ready":true' || { echo "not ready: $ready" >&2; exit 1; }
page=$(curl -fsS "$base/login")
echo "$page" | grep -q "Sign in" || { echo "no sign-in page" >&2; exit 1; }
css=$(echo "$page" | grep -o '/pkg/bi-console\.[^"]*\.css' | head -1)
[ -n "$css" ] && curl -fsS -o /dev/null "$base$css" || { echo "the site's stylesheet is not served" >&2; exit 1; }
grep -q "First run: created operator 'admin'" "$root/console.log" || { echo "no first admin" >&2; exit 1; }
[ -f "$state/console.db" ] || { echo "the state directory holds no database" >&2; exit 1; }
echo "the unpacked console runs: alive, ready, its pages and files served, its data in its state directory"
