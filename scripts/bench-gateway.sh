#!/usr/bin/env bash
# Benchmark of the media services on loopback: the gateway's download throughput for a
# 64 MiB file next to nginx serving the same file, and upload → finalized proof
# latency (p50/p90 over 20 uploads). Builds what it needs, starts its own dev node,
# storage clusters (ports 4001/4002, as the dev chain spec says) and gateway.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
ensure_node_js
command -v nginx >/dev/null || apt_install nginx
command -v curl >/dev/null || apt_install curl
npm_install "$ROOT/tests/e2e"
build_node
cd "$ROOT/tests/e2e"
node bench/gateway.mjs
