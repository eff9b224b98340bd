#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test Paratii chain: the rustup
# wasm target, protoc, a C++ compiler, Node.js, the client tests' npm packages and
# solc-js for the contracts, zombienet for the multi-validator networks, moto (a local
# S3 server) for the storage node's tests, ffmpeg for videos, Chromium and the web
# player's npm packages for its browser tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ensure_rust
ensure_node_js
ensure_ffmpeg
ensure_chromium
ensure_moto
npm_install "$ROOT/tests/e2e"
npm_install "$ROOT/contracts/chain"
npm_install "$ROOT/contracts/ethereum"
npm_install "$ROOT/zombienet"
npm_install "$ROOT/web"
say "setup complete"
