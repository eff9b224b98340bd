#!/usr/bin/env bash
# The README's run command: builds what is needed and starts a development chain
# (one validator, Alice; dev accounts funded). Ctrl-C stops it cleanly.
#
#   scripts/dev.sh [extra paratii-node arguments, e.g. --base-path /tmp/paratii]
#
# Without --base-path the chain lives in a temporary directory and is gone on exit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RPC_PORT="${RPC_PORT:-9944}"
P2P_PORT="${P2P_PORT:-30333}"

ensure_rust
build_node

args=(--dev --rpc-port "$RPC_PORT" --port "$P2P_PORT" --rpc-cors all)
case " $* " in *" --base-path "* | *" -d "*) ;; *) args+=(--tmp) ;; esac

cat >&2 <<INFO

  Paratii development chain
  -------------------------
  Substrate RPC (HTTP + WebSocket)  ws://127.0.0.1:$RPC_PORT
  polkadot.js apps                  https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
  p2p                               /ip4/127.0.0.1/tcp/$P2P_PORT
  Funded dev accounts               //Alice //Bob //Charlie //Dave //Eve //Ferdie (1,000,000 PTI each)
  Stop with Ctrl-C.

INFO

"$PARATII_NODE" "${args[@]}" "$@" &
node_pid=$!
stop() {
	say "stopping paratii-node"
	kill -INT "$node_pid" 2>/dev/null || true
}
trap stop INT TERM
# `wait` returns early when a trapped signal arrives; wait again for the real exit.
status=0
wait "$node_pid" || status=$?
if kill -0 "$node_pid" 2>/dev/null; then
	wait "$node_pid" || status=$?
fi
exit "$status"
