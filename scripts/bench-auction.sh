#!/usr/bin/env bash
# Benchmark of the ad auction on loopback: the gateway's GET /ads/vast with 8 reference
# bidders, auctions per second and latency quantiles (tests/e2e/bench/auction.mjs says
# how). Builds the node (scripts/benchmark.sh's release build), the gateway, the storage
# node and paratii-adx with the release profile; starts its own dev node, storage
# clusters, channel nodes and bidders, and paratii-adx load-vast as the clients.
# CONCURRENCY (32) requests in flight for SECONDS_ (20) seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
ensure_node_js
command -v ffmpeg >/dev/null || apt_install ffmpeg
npm_install "$ROOT/tests/e2e"
build_node
build_release
say "building paratii-gateway, paratii-storage and paratii-adx with the release profile"
tree_cargo build --locked --release -p paratii-gateway -p paratii-storage -p paratii-adx
cd "$ROOT/tests/e2e"
# The services log as scripts/dev.sh runs them: no line per HTTP request.
RUST_LOG="${RUST_LOG:-info,paratii_client::http=warn}" PARATII_NODE="$CARGO_TARGET_DIR/release/paratii-node" \
	PARATII_SERVICES_PROFILE=release node bench/auction.mjs
