# Sourced by the benchmark scripts. `bench_client NAME` builds examples/NAME.rs (release, `ssr`) and prints the
# binary's path. The clients have a target directory of their own: an example also builds the dev-dependencies, whose
# features change shared crates' builds, so in the console's directory each build would undo the other's.
bench_client() {
  local dir="$CARGO_TARGET_DIR/bench-clients"
  CARGO_TARGET_DIR="$dir" cargo build --release --features ssr --example "$1" >&2 || return 1
  printf '%s\n' "$dir/release/examples/$1"
}
