#!/usr/bin/env bash
# Sets up what is missing (chromium included), then runs every test:
#   formatting and lints (ssr and hydrate), unit tests, integration tests of the BI client against the sandbox,
#   the session store against a real redis-server (started by the test itself), the integration tests again with
#   the console's database in a private PostgreSQL cluster (scripts/with-postgres.sh), and the browser tests
#   (Playwright + Debian chromium) against a console started on a fresh sandbox with three test operators.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
# cargo-leptos builds with this flag; the same flag lets plain cargo reuse its build.
export RUSTFLAGS="--cfg erase_components"
started=$SECONDS phase_started=$SECONDS
# Each phase's wall time, printed as the next one starts (and a summary at the end).
timings=()
log() {
  if [ -n "${phase:-}" ]; then timings+=("$(printf '%5ds  %s' $((SECONDS - phase_started)) "$phase")"); fi
  phase="$*" phase_started=$SECONDS
  printf '\033[1m==> %s\033[0m\n' "$*"
}

# cargo-leptos answers 0 even when the build it starts fails (the browser tests then run an older build, or none):
# each of its runs is read back, and a build error or a test run that did not happen fails the command.
checked() {
  local out status=0
  out=$(mktemp)
  "$@" 2>&1 | tee "$out" || status=$?
  if [ "$status" -ne 0 ] || grep -Eq '^error(\[E[0-9]+\])?:|could not compile' "$out"; then
    rm -f "$out"
    echo "failed: $*" >&2
    exit 1
  fi
  case "$*" in
    *end-to-end*)
      if ! grep -Eq '^ +[0-9]+ passed' "$out" || grep -Eq '^ +[0-9]+ (failed|flaky)' "$out"; then
        rm -f "$out"
        echo "the browser tests did not all run and pass: $*" >&2
        exit 1
      fi
      ;;
  esac
  rm -f "$out"
}

log "setup (installs only what is missing)"
./scripts/setup.sh --browser
# Old test binaries and stale incremental caches go first: a build directory that fills the disk fails the run.
./scripts/prune-target.sh
# A CI run builds from a fresh clone each time: incremental caches would only pile up.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
log "cargo fmt --check"
cargo fmt --all -- --check
log "clippy (ssr)"
cargo clippy --all-targets --features ssr -- -D warnings
log "clippy (hydrate, wasm)"
cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings
log "clippy (hydrate, split by route, as release builds are)"
cargo clippy --lib --features hydrate,split --target wasm32-unknown-unknown -- -D warnings

log "unit and integration tests (the replicas' beside a private PostgreSQL cluster)"
checked ./scripts/with-postgres.sh cargo leptos test
log "integration tests again, each console's database in PostgreSQL (a private cluster, removed after)"
TEST_DATABASE=postgres ./scripts/with-postgres.sh cargo test --no-default-features --features ssr --test it

log "browser tests on a fresh sandbox"
checked cargo leptos build
data_dirs=()
trap 'rm -rf "${data_dirs[@]}"' EXIT
random() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
export SANDBOX_TOKEN="e2e-$(random)"
# One operator per role, with fresh passwords; the tests read them from the environment.
export E2E_ADMIN_PASSWORD="admin-$(random)" E2E_HELPDESK_PASSWORD="helpdesk-$(random)" E2E_VIEWER_PASSWORD="viewer-$(random)"
hash() { printf '%s\n' "$1" | "$CARGO_TARGET_DIR/debug/bi-console" hash-password; }
export CONSOLE_OPERATORS="admin:admin:$(hash "$E2E_ADMIN_PASSWORD") helpdesk:helpdesk:$(hash "$E2E_HELPDESK_PASSWORD") viewer:viewer:$(hash "$E2E_VIEWER_PASSWORD")"
unset CONSOLE_SESSION_STORE CONSOLE_PUBLIC_URL CONSOLE_COOKIE_SECURE
# The browser tests must not talk to a real tenant, whatever the environment says.
for key in BI_REGION BI_API_BASE_URL BI_TENANT_ID BI_REALM_ID BI_API_TOKEN BI_CLIENT_ID; do unset "$key"; done
export CONSOLE_DOTENV=0
# A protected group for the helpdesk browser test.
export CONSOLE_PROTECTED_GROUPS="Realm Administrators"
# A BI operator's role asked again every 2 s: the sign-in test sees a change at BI end a session.
export CONSOLE_OIDC_RECHECK_SECS=2
# The tests share one admin session signed in at the start: its authentication counts for the whole run (the
# step-up test runs a console of its own with a window of seconds, from this binary).
export CONSOLE_STEP_UP_SECS=3600
export E2E_CONSOLE_BIN="$CARGO_TARGET_DIR/debug/bi-console"
# Each run on a sandbox of its own (the tests change the demo tenant).
fresh_sandbox() {
  CONSOLE_DATA_DIR=$(mktemp -d)
  data_dirs+=("$CONSOLE_DATA_DIR")
  export CONSOLE_DATA_DIR
}

log "browser tests: every flow, on the build split by route (as \`./scripts/run.sh --release\` builds it)"
fresh_sandbox
E2E_ONLY="" checked cargo leptos end-to-end --split --features split
log "browser tests: the shell, the Identities list and its tools, before and after the wasm, on the unsplit build"
fresh_sandbox
E2E_ONLY="1-shell.spec.ts,2-identities.spec.ts,9-before-the-app.spec.ts" checked cargo leptos end-to-end
log "browser tests: identities, groups, passkeys and import with the console's database in PostgreSQL"
fresh_sandbox
E2E_ONLY="2-identities.spec.ts,4-groups.spec.ts,11-passkeys.spec.ts,12-import.spec.ts" \
  checked ./scripts/with-postgres.sh ./scripts/on-new-database.sh cargo leptos end-to-end
log "the release archive: unpacked into an empty directory, its systemd unit verified, the console started from it"
checked ./scripts/test-package.sh
log "the container image: built with podman from scratch, started, stopped and started again with its data"
checked ./scripts/test-container.sh
log "all tests passed"
printf '%s\n' "${timings[@]}" "$(printf '%5ds  total' $((SECONDS - started)))"
