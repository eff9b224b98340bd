#!/usr/bin/env bash
# Starts a local multi-validator network of paratii-node with zombienet's native
# provider (processes on this machine): by default the four validators of the `local`
# chain, Alice, Bob, Charlie and Dave. Prints each node's WebSocket endpoint and its
# polkadot.js apps link; Ctrl-C stops the network.
#
#   scripts/network.sh [zombienet/<network>.toml]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ensure_rust
ensure_node_js
npm_install "$ROOT/zombienet"
build_node
cd "$ROOT/zombienet"
exec node spawn.mjs "$(basename "${1:-four-validators.toml}")"
