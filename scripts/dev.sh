#!/usr/bin/env bash
# The README's run command: builds what is needed and starts a development chain
# (one validator, Alice; dev accounts and the Hardhat dev keys funded) with the
# Ethereum JSON-RPC next to it. Ctrl-C stops both cleanly.
#
#   scripts/dev.sh [extra paratii-node arguments]
#
# The chain lives in a temporary directory and is gone on exit, unless
# PARATII_BASE_PATH=<dir> is set: then the node keeps its database in <dir> and the
# eth-rpc its receipt index in <dir>/eth-rpc.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RPC_PORT="${RPC_PORT:-9944}"
P2P_PORT="${P2P_PORT:-30333}"
ETH_RPC_PORT="${ETH_RPC_PORT:-8545}"
CHAIN_ID=7272844

ensure_rust
command -v curl >/dev/null || apt_install curl
build_node

node_args=(--dev --rpc-port "$RPC_PORT" --port "$P2P_PORT" --rpc-cors all)
eth_args=(--node-rpc-url "ws://127.0.0.1:$RPC_PORT" --rpc-port "$ETH_RPC_PORT" --rpc-cors all --no-prometheus)
if [ -n "${PARATII_BASE_PATH:-}" ]; then
	# An archive node, so the eth-rpc can index every block's receipts.
	node_args+=(--base-path "$PARATII_BASE_PATH" --state-pruning archive)
	eth_args+=(--base-path "$PARATII_BASE_PATH/eth-rpc")
else
	# Receipts of the latest 100,000 blocks (about a week) kept in memory.
	node_args+=(--tmp)
	eth_args+=(--eth-pruning 100000)
fi

pids=()
stop() {
	say "stopping paratii-eth-rpc and paratii-node"
	for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
}
trap stop INT TERM

"$PARATII_NODE" "${node_args[@]}" "$@" &
node_pid=$!
pids+=("$node_pid")

say "waiting for the node's RPC on port $RPC_PORT"
for _ in $(seq 1 120); do
	curl -sf -H 'content-type: application/json' \
		-d '{"jsonrpc":"2.0","id":1,"method":"system_health"}' "http://127.0.0.1:$RPC_PORT" >/dev/null && break
	kill -0 "$node_pid" 2>/dev/null || die "paratii-node exited during start-up"
	sleep 1
done

"$PARATII_ETH_RPC" "${eth_args[@]}" &
pids+=("$!")

cat >&2 <<INFO

  Paratii development chain
  -------------------------
  Substrate RPC (HTTP + WebSocket)  ws://127.0.0.1:$RPC_PORT
  polkadot.js apps                  https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
  Ethereum JSON-RPC (MetaMask)      http://127.0.0.1:$ETH_RPC_PORT  chain id $CHAIN_ID, currency PTI
  p2p                               /ip4/127.0.0.1/tcp/$P2P_PORT
  Funded dev accounts               //Alice //Bob //Charlie //Dave //Eve //Ferdie (1,000,000 PTI each)
  Funded Ethereum dev keys          the first 5 of "test test test test test test test test test test test junk"
                                    (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 ...; 1,000,000 PTI each)
  Stop with Ctrl-C.

INFO

# `wait` returns early when a trapped signal arrives; wait again for the real exit.
status=0
wait "$node_pid" || status=$?
if kill -0 "$node_pid" 2>/dev/null; then
	wait "$node_pid" || status=$?
fi
# The node is gone (Ctrl-C or on its own): the eth-rpc goes with it.
stop
wait || true
exit "$status"
