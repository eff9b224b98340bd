#!/usr/bin/env bash
# Benchmark of the media services on loopback: the gateway's download throughput for a
# 64 MiB file next to nginx serving the same file, a cold download's first byte, a
# download's latency beside 1,000 slowloris connections, and upload → finalized proof
# latency (p50/p90 over 20 uploads). Builds what it needs (the gateway and the storage
# node with the release profile), starts its own dev node, storage clusters (ports
# 4001/4002, as the dev chain spec says) and gateways.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
ensure_node_js
command -v nginx >/dev/null || apt_install nginx
command -v curl >/dev/null || apt_install curl
npm_install "$ROOT/tests/e2e"
build_node
say "building paratii-gateway and paratii-storage with the release profile"
tree_cargo build --locked --release -p paratii-gateway -p paratii-storage
cd "$ROOT/tests/e2e"
PARATII_SERVICES_PROFILE=release node bench/gateway.mjs
