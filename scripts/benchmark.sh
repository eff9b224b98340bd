#!/usr/bin/env bash
# Regenerates the pallets' weights.rs by running their benchmarks on the real runtime
# (wasm) through `paratii-node benchmark pallet`.
#
#   scripts/benchmark.sh [pallet_media ... | overhead]   (default: every Paratii pallet
#                                                         and the overhead)
#
# `overhead` is `benchmark overhead`: the time of an empty block and of a no-op
# extrinsic, written to runtime/src/weights/{block,extrinsic}_weights.rs, which the
# runtime's block weights use as its base weights.
#
# STEPS and REPEAT (default 50 and 20) trade time for precision. PROFILE=release (the
# default) builds and runs a release node: the weights the runtime charges. PROFILE=dev
# runs the test command's node instead, no second build, for trying a benchmark out:
# its host functions, storage overlay and trie run unoptimised, so it overstates.
# Each weights.rs says which. Run it on the reference validator hardware for
# production weights.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_topology pallet_users pallet_media pallet_consortium pallet_pti pallet_bridge pallet_ad_exchange pallet_micropay overhead)

PROFILE="${PROFILE:-release}"
ensure_rust
case "$PROFILE" in
	dev)
		# The test build with the `benchmark` subcommand (it recompiles the node crate).
		PARATII_FEATURES="$PARATII_FEATURES,benchmark-cli" build_node
		profile_note="the dev profile (the test build: host functions unoptimised, so these overstate)"
		;;
	release)
		build_release
		PARATII_NODE="$CARGO_TARGET_DIR/release/paratii-node"
		profile_note="the release profile"
		;;
	*) die "PROFILE must be dev or release, not $PROFILE" ;;
esac
header="$(mktemp)"
trap 'rm -f "$header"' EXIT
printf '// Measured with a paratii-node built with %s.\n' "$profile_note" >"$header"
cd "$ROOT"
for pallet in "${pallets[@]}"; do
	if [ "$pallet" = overhead ]; then
		say "benchmarking the block and extrinsic overhead"
		mkdir -p runtime/src/weights
		"$PARATII_NODE" benchmark overhead --chain dev --header "$header" --weight-path runtime/src/weights/
		continue
	fi
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
		--header "$header" \
		--output "$dir/src/weights.rs"
done
say "weights written; review the diff and commit it"
