#!/usr/bin/env bash
# Benchmark of search: p50/p90/p99 latency of the indexer's GET /search over 10,000
# synthetic titles (generated with a fixed seed) from 50 concurrent keep-alive HTTP
# clients on loopback. The index is served by one paratii-indexer process and queried
# from a second one; both are the release build (what a deployment runs).
#
#   scripts/bench-search.sh [--titles N] [--clients C] [--requests R]
#
# The figures are printed and written to $PARATII_BENCH_OUT (default
# target/bench-search.json under the target directory).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
say "building paratii-indexer (release profile; a few minutes the first time)"
tree_cargo build --locked --release -p paratii-indexer
out="${PARATII_BENCH_OUT:-$CARGO_TARGET_DIR/bench-search.json}"
say "running the search benchmark"
"$CARGO_TARGET_DIR/release/paratii-indexer" bench --json "$out" "$@"
