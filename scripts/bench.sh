#!/usr/bin/env bash
# Throughput of a dev node, measured by paratii-load: registerMedia (2 objects × 2
# receipts) and transferKeepAlive, each pre-signed from many accounts and submitted as
# fast as the node's pool takes them. Prints each run's per-block table and summary
# (achieved per second over the steady window, the ceiling the weights predict,
# submission → finalized latency) and writes the JSON reports.
#
#   scripts/bench.sh                      release build (what the targets are about)
#   PROFILE=dev scripts/bench.sh          the test command's build, no second compile
#   REGISTRATIONS=30000 TRANSFERS=30000 ACCOUNTS=1000 scripts/bench.sh
#
# It builds what it needs, starts its own node on loopback (a --tmp dev chain with a
# pool large enough for the whole run) and stops it at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PROFILE="${PROFILE:-release}"
REGISTRATIONS="${REGISTRATIONS:-20000}"
TRANSFERS="${TRANSFERS:-20000}"
ACCOUNTS="${ACCOUNTS:-1000}"
OUT="${OUT:-$CARGO_TARGET_DIR/bench}"

ensure_rust
command -v curl >/dev/null || apt_install curl
case "$PROFILE" in
	dev)
		build_node
		bin="$CARGO_TARGET_DIR/debug"
		;;
	release)
		say "building paratii-node and paratii-load with the release profile (cold: about an hour on 2 cores)"
		cargo build --locked --release -p paratii-node -p paratii-load
		bin="$CARGO_TARGET_DIR/release"
		;;
	*) die "PROFILE must be release or dev, not $PROFILE" ;;
esac
mkdir -p "$OUT"

port=9977
log="$OUT/node.log"
say "starting $bin/paratii-node --dev --tmp on 127.0.0.1:$port (log: $log)"
"$bin/paratii-node" --dev --tmp --rpc-port "$port" --port 30377 --no-prometheus --no-telemetry --no-mdns \
	--pool-limit 200000 --pool-kbytes 1048576 --rpc-max-connections 100 >"$log" 2>&1 &
node_pid=$!
trap 'kill -INT $node_pid 2>/dev/null; wait $node_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
	curl -sf -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"system_health"}' \
		"http://127.0.0.1:$port" >/dev/null 2>&1 && break
	kill -0 "$node_pid" 2>/dev/null || die "the node exited; see $log"
	sleep 1
done

run() {
	local workload="$1" count="$2"
	say "paratii-load: $count × $workload from $ACCOUNTS accounts"
	"$bin/paratii-load" --url "ws://127.0.0.1:$port" --workload "$workload" --count "$count" \
		--accounts "$ACCOUNTS" --in-flight 512 --max-seconds 1800 --json "$OUT/$workload.json" |
		tee "$OUT/$workload.txt"
}
run register-media "$REGISTRATIONS"
run transfer "$TRANSFERS"
say "reports in $OUT ($(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), profile $PROFILE)"
