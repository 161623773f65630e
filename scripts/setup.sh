#!/usr/bin/env bash
# Installs whatever the console needs and is missing; skips what is present (safe to run again).
#   - the wasm32 target, cargo-leptos 0.3.11, the wasm-bindgen CLI matching Cargo.lock
#   - OpenSSL's headers (libssl-dev, for the passkeys' library), from Debian when missing
#   - npm tools: Tailwind CSS and binaryen (root), Playwright (end2end/)
#   - with --browser (the test setup): Debian's chromium for the browser tests, redis-server for the Redis
#     session store test, postgresql for the tests on PostgreSQL, prometheus for its promtool, nginx and openssl
#     for the reverse proxy test, podman and runc for the container image's (needs root or sudo)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# OpenSSL's headers for the passkeys' library (webauthn-rs), from Debian.
if ! pkg-config --exists openssl 2>/dev/null; then
  log "installing from Debian: libssl-dev pkg-config"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libssl-dev pkg-config
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "0.3.11" ]; then
  log "installing cargo-leptos 0.3.11 (takes ~15 minutes, once per machine)"
  cargo install cargo-leptos --version 0.3.11 --locked --ignore-rust-version
fi

WB=$(cargo pkgid wasm-bindgen | sed 's/.*@//')
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB" ]; then
  log "installing wasm-bindgen-cli $WB (~3 minutes)"
  cargo install wasm-bindgen-cli --version "$WB" --locked || cargo install wasm-bindgen-cli --version "$WB"
fi

npm_install() {
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
}
if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ]; then
  log "npm: Tailwind CSS and binaryen"
  npm_install
fi
if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
  log "npm: Playwright (the browser is Debian's chromium, never a download)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_install)
fi

if [ "${1:-}" = "--browser" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # promtool, Prometheus's own check of the metrics' format.
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  # systemd-analyze, which checks the package's unit; curl, which the package test calls the console with.
  command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # nginx and openssl: the README's reverse proxy example, run in front of a console with a certificate of its own.
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  # podman (and runc, which runs containers where crun cannot): the container image, built and started.
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing from Debian: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
