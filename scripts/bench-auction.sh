#!/usr/bin/env bash
# Benchmark of the ad auction on loopback: the gateway's GET /ads/vast with 8 reference
# bidders, auctions per second and latency quantiles (tests/e2e/bench/auction.mjs says
# how). Builds the gateway, the storage node and paratii-adx with the release profile;
# starts its own dev node, storage clusters, channel nodes and bidders.
# CONCURRENCY (32) requests in flight for SECONDS_ (20) seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
ensure_node_js
command -v ffmpeg >/dev/null || apt_install ffmpeg
npm_install "$ROOT/tests/e2e"
build_node
say "building paratii-gateway, paratii-storage and paratii-adx with the release profile"
tree_cargo build --locked --release -p paratii-gateway -p paratii-storage -p paratii-adx
cd "$ROOT/tests/e2e"
PARATII_SERVICES_PROFILE=release node bench/auction.mjs
