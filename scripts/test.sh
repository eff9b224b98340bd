#!/usr/bin/env bash
# The README's test command: runs every test tier, prints a summary line per tier
# and exits non-zero if any tier fails. Nothing is skipped silently. Tiers 1-5b run in
# order; the node tiers 6-9 (and the production runtime's run) in three lanes at once;
# clippy last.
#
#   tier 1  format        cargo fmt --check
#   tier 2  rust          pallet unit tests and runtime tests (native), cargo test
#   tier 3  node build    the binaries the next tiers run: paratii-node, paratii-eth-rpc,
#                         paratii-storage, paratii-gateway, paratii (CLI)
#   tier 4  contracts     contracts/chain compiled with solc-js
#   tier 4b contracts ethereum  ParatiiAnchor.sol (solc-js) against a local Hardhat node:
#                         BEEFY commitments, handovers, media proofs, rejections, gas
#   tier 5  node smoke    --dev node finalizes blocks, reports PTI, exits cleanly;
#                         export-chain-spec for dev, local and production:<file>
#   tier 5b production runtime  the runtime built without runtime-benchmarks (what ships;
#                         own target dir) runs a dev chain on the node: finality, a
#                         transfer, no benchmarking API
#   tier 6  e2e clients   polkadot.js against a running dev node: PTI transfer, the
#                         media pallets (clusters, receipts signed in JS, proofs), the
#                         PTI store, unsigned claims and vouchers, a treasury spend; the
#                         ad exchange (a campaign settled and claimed, a dispute won
#                         against a lying validator, the refund)
#   tier 7  e2e evm       ethers against node + eth-rpc: EIP-1559 transfers, contract
#                         deploys, eth_call/eth_getLogs, reverts, rejected transactions,
#                         an OpenZeppelin ERC20, //Alice through her mapped H160, the
#                         PTI ERC20 and media-proofs precompiles (an OpenZeppelin
#                         ERC20Wrapper over PTI, MediaBadge), and the eth-rpc latency
#                         (p50 over 100 calls)
#   tier 7b e2e bridge    a media item registered on a dev node verified on Hardhat by
#                         ParatiiAnchor through the node's BEEFY justification and MMR proof;
#                         paratii-relayer anchoring, handing over at every session change,
#                         killed and restarted across sessions (nothing twice, no set skipped)
#   tier 8  e2e services  paratii-storage (filesystem and S3 backends, against a local
#                         S3 server), paratii-gateway and the paratii CLI against a dev
#                         node: upload, thumbnails, receipts, proofs, downloads with
#                         Range, a dead and a lying cluster, deletion, refusals;
#                         paratii-indexer: search by prefix/typo/accents, ranking,
#                         filters, 400s, deletion after finality, kill and resume,
#                         catching up with 500 media, views through the gateway;
#                         paid originals (access tokens, pti.buy, paratii buy)
#   tier 9  zombienet     a 4-validator local network (zombienet, native provider):
#                         every validator authors, GRANDPA and BEEFY finalize; one
#                         validator killed and restarted on its database; on a
#                         production spec (no sudo), council motions add a fifth
#                         validator, remove it and register a storage cluster, while
#                         paratii-relayer hands ParatiiAnchor (on Hardhat) over to each set
#   tier 10 clippy        cargo clippy -D warnings over the workspace
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ensure_rust
ensure_node_js
ensure_moto
npm_install "$ROOT/tests/e2e"
npm_install "$ROOT/contracts/chain"
npm_install "$ROOT/contracts/ethereum"
npm_install "$ROOT/zombienet"

LOGS="$(mktemp -d "${TMPDIR:-/tmp}/paratii-test.XXXXXX")"
mkdir -p "$LOGS/results"
# What the node tiers share: wasmtime's cache of the compiled runtime and the raw chain
# specs their nodes start from (tests/e2e/lib/node.mjs), so the runtime is compiled and
# each genesis built once per run, not once per node (about 30 s each on 2 cores).
export PARATII_TEST_CACHE="$LOGS/cache"
# Interrupted, the lanes (and the test runners they started) stop too.
trap 'pkill -TERM -P $$ 2>/dev/null; exit 130' INT TERM
tier_seq=0

# Sums the passed/failed counts cargo test and node --test print.
count_tests() {
	awk '
		/^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;/) p += $i; if ($(i+1) ~ /^failed;/) f += $i } }
		/^ℹ pass [0-9]+/ { p += $3 }
		/^ℹ fail [0-9]+/ { f += $3 }
		END { print p + 0, f + 0 }
	' "$1"
}

# run_tier NAME COMMAND...: runs the command, logging to a file and the terminal, and
# records its result (a line of the summary and its counts) under $LOGS/results, so a
# tier run in a lane (a background subshell) reports like one run in the foreground.
# In a lane (LANE set) each line it prints is prefixed with the tier's name.
run_tier() {
	local name="$1"; shift
	local log="$LOGS/${name// /-}.log"
	local start=$SECONDS status
	say "tier: $name${LANE:+ (lane $LANE)}"
	if [ -n "${LANE:-}" ]; then
		"$@" 2>&1 | tee "$log" | sed -u "s/^/[$name] /"
	else
		"$@" 2>&1 | tee "$log"
	fi
	status=${PIPESTATUS[0]}
	local secs=$(( SECONDS - start ))
	local passed failed
	read -r passed failed < <(count_tests "$log")
	local counts=""
	[ $(( passed + failed )) -gt 0 ] && counts=" ($passed passed, $failed failed)"
	if [ "$status" -eq 0 ]; then
		record "PASS  $name$counts in ${secs}s" "$passed" "$failed"
		say "tier: $name passed in ${secs}s"
	else
		record "FAIL  $name$counts in ${secs}s (exit $status; log $log)" "$passed" "$failed"
		say "tier: $name FAILED (exit $status) in ${secs}s"
	fi
	return "$status"
}

# record LINE PASSED FAILED: a tier's summary line and counts, in run order.
record() {
	tier_seq=$(( tier_seq + 1 ))
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >"$LOGS/results/$(printf %02d "$tier_seq")-${LANE:-0}"
}

# run_tier_if STATUS WHY NAME COMMAND...: the tier, if what it needs succeeded
# (STATUS 0); otherwise it counts as failed, not run because of WHY.
run_tier_if() {
	local status="$1" why="$2"; shift 2
	if [ "$status" -eq 0 ]; then
		run_tier "$@"
	else
		record "FAIL  $1: not run, $why" 0 0
	fi
}

# The node-based tiers, each started from its own directory.
e2e() { (cd "$ROOT/tests/e2e" && node --test --test-concurrency=1 --test-force-exit --test-reporter=spec "$@"); }
zombienet_tests() { (cd "$ROOT/zombienet" && node --test --test-concurrency=1 --test-force-exit --test-reporter=spec "$@"); }

run_tier "format" cargo fmt --all --check
run_tier "rust" cargo test --locked --workspace --features "$PARATII_FEATURES"
if run_tier "node build" build_node; then
	contracts_ok=0
	run_tier "contracts" node "$ROOT/contracts/chain/compile.mjs" || contracts_ok=$?
	run_tier "contracts ethereum" bash -c 'cd "$0/contracts/ethereum" && node compile.mjs &&
		node --test --test-concurrency=1 --test-reporter=spec test/' "$ROOT"
	run_tier "node smoke" e2e smoke.test.mjs chain-spec.test.mjs
	production_ok=0
	run_tier "production runtime build" build_production_runtime || production_ok=$?
	# The rest start their own nodes on free ports and spend most of their time waiting
	# for 3-second blocks, not computing: three lanes run at once, each a few tiers in
	# turn, which cuts the wall time by about half on 2 cores. Everything that compiles
	# ran before them, so no lane competes with a build; zombienet (five nodes) has a
	# lane to itself.
	say "three lanes of node tiers at once; each line is prefixed with its tier"
	(
		LANE=1
		run_tier "zombienet" zombienet_tests \
			0001-four-validators.test.mjs 0002-validator-restart.test.mjs 0003-governance.test.mjs
	) &
	lane1=$!
	(
		LANE=2
		run_tier_if "$production_ok" "the production runtime did not build" \
			"production runtime" e2e production-runtime.test.mjs
		run_tier "e2e clients" e2e transfer.test.mjs media.test.mjs pti.test.mjs ad-exchange.test.mjs load.test.mjs
		run_tier_if "$contracts_ok" "the contracts did not compile" \
			"e2e evm" e2e evm.test.mjs precompiles.test.mjs evm-latency.test.mjs eth-rpc-index.test.mjs
	) &
	lane2=$!
	(
		LANE=3
		run_tier_if "$contracts_ok" "the contracts did not compile" \
			"e2e bridge" e2e bridge.test.mjs relayer.test.mjs
		run_tier "e2e services" e2e storage.test.mjs services.test.mjs paid.test.mjs search.test.mjs
	) &
	lane3=$!
	wait "$lane1" "$lane2" "$lane3"
	tier_seq=$(( tier_seq + 10 ))
else
	run_tier_if 1 "the binaries did not build" "contracts, node smoke, production runtime, e2e, zombienet"
fi
run_tier "clippy" cargo clippy --locked --workspace --all-targets --features "$PARATII_FEATURES" -- -D warnings

summary=()
total_passed=0
total_failed=0
failed_tiers=0
for result in "$LOGS"/results/*; do
	IFS=$'\t' read -r line passed failed <"$result"
	summary+=("$line")
	total_passed=$(( total_passed + passed ))
	total_failed=$(( total_failed + failed ))
	[ "${line#FAIL}" = "$line" ] || failed_tiers=$(( failed_tiers + 1 ))
done
echo
echo "Summary (tier logs in $LOGS)"
printf '  %s\n' "${summary[@]}"
echo
echo "$total_passed passed, $total_failed failed"
[ "$failed_tiers" -eq 0 ]
