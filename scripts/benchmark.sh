#!/usr/bin/env bash
# Regenerates the pallets' weights.rs by running their benchmarks on the real runtime
# (wasm) through `paratii-node benchmark pallet`.
#
#   scripts/benchmark.sh [pallet_media ...]     (default: every Paratii pallet)
#
# STEPS and REPEAT (default 50 and 20) trade time for precision. Run it on the
# reference validator hardware for production weights.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_topology pallet_users pallet_media pallet_consortium pallet_pti pallet_bridge pallet_ad_exchange)

ensure_rust
build_node
cd "$ROOT"
for pallet in "${pallets[@]}"; do
	dir="pallets/$(tr _ - <<<"${pallet#pallet_}")"
	[ -d "$dir" ] || die "no crate for $pallet at $dir"
	say "benchmarking $pallet (steps $STEPS, repeat $REPEAT)"
	"$PARATII_NODE" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--wasm-execution compiled \
		--template scripts/weight-template.hbs \
		--output "$dir/src/weights.rs"
done
say "weights written; review the diff and commit it"
