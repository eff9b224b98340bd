#!/usr/bin/env bash
# Throughput of a dev node, measured by paratii-load: registerMedia (2 objects × 2
# receipts), transferKeepAlive and ERC20 transfers (an OpenZeppelin token on the EVM,
# raw Ethereum transactions sent through paratii-eth-rpc), each pre-signed from many
# accounts and submitted as fast as the node's pool takes them. Prints each run's per-block table and summary
# (achieved per second over the steady window, the ceiling the weights predict,
# submission → finalized latency) and writes the JSON reports.
#
#   scripts/bench.sh                      release build (what the targets are about)
#   PROFILE=dev scripts/bench.sh          the test command's build, no second compile
#   REGISTRATIONS=30000 TRANSFERS=30000 ERC20=30000 ACCOUNTS=1000 scripts/bench.sh
#   PERF=1 scripts/bench.sh               also profiles the node during each run (perf,
#                                         runtime functions named through wasmtime's
#                                         perfmap): where a block's time goes
#
# It builds what it needs (the binaries, the Solidity contracts with solc-js), starts
# its own node and Ethereum RPC on loopback (a --tmp dev chain with a pool large enough
# for the whole run) and stops them at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PROFILE="${PROFILE:-release}"
REGISTRATIONS="${REGISTRATIONS:-20000}"
TRANSFERS="${TRANSFERS:-20000}"
ERC20="${ERC20:-20000}"
ACCOUNTS="${ACCOUNTS:-1000}"
OUT="${OUT:-$CARGO_TARGET_DIR/bench}"
PERF="${PERF:-0}"

ensure_rust
command -v curl >/dev/null || apt_install curl
ensure_node_js
npm_install "$ROOT/contracts/chain"
node "$ROOT/contracts/chain/compile.mjs" >/dev/null || die "the Solidity contracts did not compile"
case "$PROFILE" in
	dev)
		build_node
		bin="$CARGO_TARGET_DIR/debug"
		;;
	release)
		build_release
		bin="$CARGO_TARGET_DIR/release"
		;;
	*) die "PROFILE must be release or dev, not $PROFILE" ;;
esac
mkdir -p "$OUT"
if [ "$PERF" = 1 ]; then
	command -v perf >/dev/null || apt_install linux-perf
	# The runtime's compiled functions by name in the profile.
	export WASMTIME_PROFILING_STRATEGY=perfmap
fi

port=9977
log="$OUT/node.log"
say "starting $bin/paratii-node --dev --tmp on 127.0.0.1:$port (log: $log)"
"$bin/paratii-node" --dev --tmp --rpc-port "$port" --port 30377 --no-prometheus --no-telemetry --no-mdns \
	--pool-limit 200000 --pool-kbytes 1048576 --rpc-max-connections 100 >"$log" 2>&1 &
node_pid=$!
eth_pid=""
trap 'kill -INT $eth_pid $node_pid 2>/dev/null; wait $eth_pid $node_pid 2>/dev/null || true' EXIT
# wait_for URL METHOD PID WHAT: until URL answers the JSON-RPC METHOD (two minutes at most).
wait_for() {
	for _ in $(seq 1 240); do
		curl -sf -H 'content-type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\"}" \
			"$1" >/dev/null 2>&1 && return 0
		kill -0 "$3" 2>/dev/null || die "$4 exited; see its log in $OUT"
		sleep 0.5
	done
	die "$4 did not answer $2 at $1 within two minutes"
}
wait_for "http://127.0.0.1:$port" system_health "$node_pid" "the node"
eth_port=8577
say "starting $bin/paratii-eth-rpc on 127.0.0.1:$eth_port (log: $OUT/eth-rpc.log)"
"$bin/paratii-eth-rpc" --node-rpc-url "ws://127.0.0.1:$port" --rpc-port "$eth_port" --eth-pruning 10000 \
	--no-prometheus --rpc-max-connections 1000 >"$OUT/eth-rpc.log" 2>&1 &
eth_pid=$!
wait_for "http://127.0.0.1:$eth_port" eth_chainId "$eth_pid" "paratii-eth-rpc"

run() {
	local workload="$1" count="$2" perf_pid=""
	say "paratii-load: $count × $workload from $ACCOUNTS accounts"
	if [ "$PERF" = 1 ]; then
		perf record -F 499 -p "$node_pid" -o "$OUT/$workload.perf.data" >/dev/null 2>&1 &
		perf_pid=$!
	fi
	"$bin/paratii-load" --url "ws://127.0.0.1:$port" --workload "$workload" --count "$count" \
		--accounts "$ACCOUNTS" --in-flight 512 --max-seconds 1800 --json "$OUT/$workload.json" \
		--eth-url "http://127.0.0.1:$eth_port" --erc20-artifact "$ROOT/contracts/chain/build/ExampleToken.json" |
		tee "$OUT/$workload.txt"
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid" 2>/dev/null || true
		wait "$perf_pid" || true
		# By binary ([JIT] is the runtime's wasm), then by function.
		for sort in dso dso,symbol; do
			perf report -i "$OUT/$workload.perf.data" --no-children --sort "$sort" --percent-limit 0.5 \
				--stdio 2>/dev/null | grep -v '^#' | sed 's/  */ /g; /^ *$/d'
		done >"$OUT/$workload.profile.txt"
		say "the node's profile during $workload: $OUT/$workload.profile.txt"
	fi
}
run register-media "$REGISTRATIONS"
run transfer "$TRANSFERS"
run erc20 "$ERC20"
say "reports in $OUT ($(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), profile $PROFILE)"
