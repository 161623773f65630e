# Sourced by the scripts that make release builds (run.sh --release, the benchmarks), so they share one build.
# The wasm's components are type-erased: a bundle about a quarter smaller. The server's keep their types: a page
# renders with fewer allocations and indirect calls (docs/PERFORMANCE.md, "Rendering with typed views"). Debug
# builds (run.sh, test.sh) erase both: faster to compile.
unset RUSTFLAGS
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components"
