#!/usr/bin/env bash
# Block time on the four-validator network (zombienet, every node on this machine):
# for each Aura slot length, a release node whose runtime was built with it
# (`PARATII_BLOCK_MS`, see runtime/src/lib.rs), an idle window, then paratii-load's
# registerMedia and transferKeepAlive runs against Alice. Prints per slot: blocks and
# missed slots, finality lag (block seen → finalized), throughput and submission →
# finalized latency; writes the JSON reports.
#
#   scripts/block-time.sh                         6 s, 3 s and 2 s slots
#   SLOTS="6000 2000" COUNT=6000 ACCOUNTS=600 WORKLOADS=register-media scripts/block-time.sh
#
# Each slot length is one release build of the runtime and the node (a few minutes
# each once the release build is warm); the default (DEFAULT_MS, the runtime's
# MILLI_SECS_PER_BLOCK without PARATII_BLOCK_MS) is built last, so the release target
# directory ends as scripts/bench.sh and scripts/benchmark.sh use it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SLOTS="${SLOTS:-6000 3000 2000}"
COUNT="${COUNT:-3000}"
ACCOUNTS="${ACCOUNTS:-300}"
WORKLOADS="${WORKLOADS:-register-media transfer}"
IDLE_BLOCKS="${IDLE_BLOCKS:-10}"
OUT="${OUT:-$CARGO_TARGET_DIR/block-time}"
DEFAULT_MS=3000

ensure_rust
ensure_node_js
npm_install "$ROOT/zombienet"
mkdir -p "$OUT"

# The default slot last: the target directory is left with the runtime that ships.
ordered=()
for ms in $SLOTS; do [ "$ms" = "$DEFAULT_MS" ] || ordered+=("$ms"); done
for ms in $SLOTS; do [ "$ms" != "$DEFAULT_MS" ] || ordered+=("$ms"); done
for ms in "${ordered[@]}"; do
	say "release build with $ms ms slots"
	if [ "$ms" = "$DEFAULT_MS" ]; then
		(unset PARATII_BLOCK_MS && build_release)
	else
		PARATII_BLOCK_MS="$ms" build_release
	fi
	mkdir -p "$OUT/$ms"
	cp "$CARGO_TARGET_DIR/release/paratii-node" "$OUT/$ms/paratii-node"
done
cp "$CARGO_TARGET_DIR/release/paratii-load" "$OUT/paratii-load"

workload_args=()
for w in $WORKLOADS; do workload_args+=(--workload "$w"); done
for ms in "${ordered[@]}"; do
	say "four validators with $ms ms slots: $IDLE_BLOCKS idle blocks, then $COUNT × ($WORKLOADS)"
	(cd "$ROOT/zombienet" && PARATII_NODE="$OUT/$ms/paratii-node" node block-time.mjs \
		--load "$OUT/paratii-load" --out "$OUT/$ms.json" "${workload_args[@]}" \
		--count "$COUNT" --accounts "$ACCOUNTS" --idle-blocks "$IDLE_BLOCKS") | tee "$OUT/$ms.txt"
done
say "summary ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)):"
for ms in "${ordered[@]}"; do grep -E "^$ms ms " "$OUT/$ms.txt" || true; done
say "reports in $OUT"
