#!/usr/bin/env bash
# The README's test command: runs every test tier, prints a summary line per tier
# and exits non-zero if any tier fails. Nothing is skipped silently. The test files are
# checked, the format, then the build (with clippy's lints) and the contracts compile in
# turn, node smoke runs alone, then everything else runs in lanes at once: the node
# tiers, and at the lowest CPU priority the rust tier and the production runtime's build
# (which starts when the main build ends).
# What each tier covers (the order below is docs/testing.md's numbering, not the run's):
#
#   tier 0  docs          the README's and docs/'s links reach their pages and headings
#   tier 1  format        cargo fmt --check
#   tier 2  rust          pallet unit tests and runtime tests (native), cargo test
#   tier 3  build and clippy  the binaries the next tiers run (paratii-node, paratii-eth-rpc,
#                         the services, the CLI) and every test target, in one build, with
#                         clippy's lints (-D warnings) on every workspace crate as it compiles
#   tier 4  contracts     contracts/chain compiled with solc-js
#   tier 4c web build     the web player (web/): types from the services' OpenAPI
#                         documents, tsc, Vite
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
#                         against a lying validator, the refund); the ad exchange's
#                         channel node (paratii-adx) keeping a real campaign's messages
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
#                         videos: transcoding (killed and resumed), HLS, previews;
#                         paratii-indexer: search by prefix/typo/accents, ranking,
#                         filters, 400s, deletion after finality, kill and resume,
#                         catching up with 500 media, views through the gateway;
#                         paid originals (access tokens, pti.buy, paratii buy)
#   tier 8b e2e player    the web player in Debian's Chromium (playwright-core): uploads
#                         of pictures and a video with a dev account and an injected
#                         wallet (<Bytes>-wrapped signRaw), HLS playback and rendition
#                         switches, search as you type, the proof finalized then anchored
#                         on Hardhat, a purchase and a like by keyboard only, no console
#                         errors; first paint, keystroke→results and first-frame figures
#   tier 8c e2e ads       the ad exchange as viewers meet it: a campaign from the CLI,
#                         three bidders (one past tmax), the gateway's second-price
#                         auction and VAST, the pre-roll and the View in Chromium, the
#                         channel nodes' parts, the validators' settlement, claims on the
#                         account page and with the CLI
#   tier 9  zombienet     a 4-validator local network (zombienet, native provider):
#                         every validator authors, GRANDPA and BEEFY finalize; one
#                         validator killed and restarted on its database; on a
#                         production spec (no sudo), council motions add a fifth
#                         validator, remove it and register a storage cluster, while
#                         paratii-relayer hands ParatiiAnchor (on Hardhat) over to each set
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ensure_rust
ensure_node_js
ensure_ffmpeg
ensure_chromium
ensure_moto
ensure_nats_server
npm_install "$ROOT/tests/e2e"
npm_install "$ROOT/contracts/chain"
npm_install "$ROOT/contracts/ethereum"
npm_install "$ROOT/zombienet"

# The run's directory: the tiers' logs and results, and, as TMPDIR for everything the run
# starts, the nodes' databases, the services' data and the tests' own temporary files.
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/paratii-test.XXXXXX")"
LOGS="$RUN_DIR/logs"
RESULTS="$RUN_DIR/results"
mkdir -p "$LOGS" "$RESULTS" "$RUN_DIR/tmp"
export TMPDIR="$RUN_DIR/tmp"
# What the node tiers share: wasmtime's cache of the compiled runtime and the raw chain
# specs their nodes start from (tests/e2e/lib/node.mjs), so the runtime is compiled and
# each genesis built once per run, not once per node (about 30 s each on 2 cores).
export PARATII_TEST_CACHE="$RUN_DIR/tmp/cache"

# Every tier, in the summary's order: its name, its time limit in seconds (it is killed,
# with every process it started, when the limit passes), and whether it runs tests (a
# test tier that ran none fails). The limits are several times the warm figures in
# docs/measurements.md; the build tiers' are for a cold machine.
TIERS=(
	"test files|60|no"
	"docs|60|yes"
	"format|300|no"
	"build and clippy|3600|no"
	"rust|1800|yes"
	"contracts|300|no"
	"web build|600|no"
	"production runtime build|2400|no"
	"node smoke|600|yes"
	"contracts ethereum|600|yes"
	"production runtime|600|yes"
	"e2e clients|1200|yes"
	"e2e evm|900|yes"
	"e2e bridge|1200|yes"
	"e2e services|1200|yes"
	"e2e player|900|yes"
	"e2e ads|900|yes"
	"zombienet|1500|yes"
)
declare -A TIER_INDEX TIER_LIMIT TIER_TESTS
for i in "${!TIERS[@]}"; do
	IFS='|' read -r name limit tests <<<"${TIERS[$i]}"
	TIER_INDEX[$name]=$(printf %02d "$i")
	TIER_LIMIT[$name]=$limit
	TIER_TESTS[$name]=$tests
done

# PARATII_TIERS="name,name" runs only those tiers (for working on one; the others are
# listed as not selected and a build they need is assumed done); CI runs them all.
selected() {
	[ -z "${PARATII_TIERS:-}" ] || [[ ",$PARATII_TIERS," == *",$1,"* ]]
}
if [ -n "${PARATII_TIERS:-}" ]; then
	IFS=',' read -ra wanted <<<"$PARATII_TIERS"
	for name in "${wanted[@]}"; do
		[ -n "${TIER_INDEX[$name]:-}" ] || die "PARATII_TIERS: no tier named '$name' (tiers: $(printf '%s, ' "${!TIER_INDEX[@]}"))"
	done
fi

# record NAME LINE PASSED FAILED: a tier's summary line and counts.
record() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >"$RESULTS/${TIER_INDEX[$1]}"
}
# Until a tier records its result it counts as failed: a tier whose lane died, or that
# never ran because the run was cut short, shows in the summary as such.
for name in "${!TIER_INDEX[@]}"; do
	if selected "$name"; then
		record "$name" "FAIL  $name: no result (it did not run to its end)" 0 0
	else
		record "$name" "SKIP  $name: not selected (PARATII_TIERS)" 0 0
	fi
done

# The process groups of the running tiers (each tier runs in one of its own, under
# `timeout`) and the lanes' shells: Ctrl-C or a TERM stops them all (the trap reads the
# groups from the run directory, which must outlive the run).
GROUPS_FILE="$RUN_DIR/groups"
LANE_PIDS=()
: >"$GROUPS_FILE"
stop_everything() {
	local signal="$1" g
	for g in "${LANE_PIDS[@]}"; do kill -TERM "$g" 2>/dev/null; done
	while read -r g; do kill "-$signal" -- "-$g" 2>/dev/null; done <"$GROUPS_FILE"
}
alive_groups() {
	local g
	while read -r g; do kill -0 -- "-$g" 2>/dev/null && return 0; done <"$GROUPS_FILE"
	return 1
}
# Keeps the logs (small), drops the databases and data the nodes and services wrote.
clean_run_dir() {
	find "$RUN_DIR/tmp" -type f ! -name '*.log' -delete 2>/dev/null
	find "$RUN_DIR/tmp" -depth -type d -empty -delete 2>/dev/null
}
on_signal() {
	trap - INT TERM
	say "interrupted: stopping every tier and the processes they started"
	stop_everything TERM
	local deadline=$(( SECONDS + 20 ))
	while alive_groups && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
	stop_everything KILL
	clean_run_dir
	say "stopped; logs in $LOGS"
	exit 130
}
trap on_signal INT TERM
trap clean_run_dir EXIT

# Sums the passed/failed counts cargo test and node --test print. A test cancelled (by
# its timeout) counts as failed, and so does a file that does not load; a file that
# defines no test, which node reports as a passing entry named by its path
# ("✔ /…/x.test.mjs (12ms)"), counts as nothing.
count_tests() {
	awk '
		/^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;/) p += $i; if ($(i+1) ~ /^failed;/) f += $i } }
		/^ℹ pass [0-9]+/ { p += $3 }
		/^ℹ fail [0-9]+/ { f += $3 }
		/^ℹ cancelled [0-9]+/ { f += $3 }
		/^✔ \/.*\.test\.mjs \([0-9.]+ms\)$/ { p -= 1 }
		END { print p + 0, f + 0 }
	' "$1"
}

# run_tier NAME COMMAND...: runs the command (a command, or a function of lib.sh) in a
# process group of its own under its time limit, its output to a log file and the
# terminal (in a lane each line prefixed with the tier's name), and records its result.
run_tier() {
	local name="$1"; shift
	selected "$name" || return 0
	local log="$LOGS/${name// /-}.log" limit="${TIER_LIMIT[$name]}"
	local start=$SECONDS status pid
	say "tier: $name${LANE:+ (lane $LANE)}, time limit ${limit}s"
	TIER_LOG="$log" TIER_PREFIX="${LANE:+[$name] }" \
		timeout --kill-after=20 "$limit" bash -c '. "$0"; set -o pipefail
			"$@" </dev/null 2>&1 | tee "$TIER_LOG" | sed -u "s/^/${TIER_PREFIX//\//\\/}/"' \
		"$ROOT/scripts/lib.sh" "$@" &
	pid=$!
	echo "$pid" >>"$GROUPS_FILE"
	wait "$pid"
	status=$?
	local secs=$(( SECONDS - start ))
	local passed failed counts="" why=""
	read -r passed failed < <(count_tests "$log")
	[ $(( passed + failed )) -gt 0 ] && counts=" ($passed passed, $failed failed)"
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		why="timed out after ${limit}s"
	elif [ "$status" -ne 0 ]; then
		why="exit $status"
	elif [ "${TIER_TESTS[$name]}" = yes ] && [ $(( passed + failed )) -eq 0 ]; then
		why="it ran no tests"
		status=1
	fi
	if [ "$status" -eq 0 ]; then
		record "$name" "PASS  $name$counts in ${secs}s" "$passed" "$failed"
		say "tier: $name passed in ${secs}s"
	else
		record "$name" "FAIL  $name$counts in ${secs}s ($why; log $log)" "$passed" "$failed"
		say "tier: $name FAILED ($why) in ${secs}s"
	fi
	return "$status"
}

# run_tier_if STATUS WHY NAME COMMAND...: the tier, if what it needs succeeded
# (STATUS 0); otherwise it counts as failed, not run because of WHY.
run_tier_if() {
	local status="$1" why="$2"; shift 2
	if [ "$status" -eq 0 ]; then
		run_tier "$@"
	elif selected "$1"; then
		record "$1" "FAIL  $1: not run, $why" 0 0
		return 1
	fi
}

# lane N COMMAND...: runs the command (tiers in turn) in the background as lane N.
lane() { ( LANE=$1; shift; "$@" ) & LANE_PIDS+=($!); }

# node_tier NAME [STATUS WHY]: a node tier (NODE_TIERS in lib.sh: its files are found
# in its directory), if what it needs succeeded (STATUS, default 0).
node_tier() {
	local name="$1" status="${2:-0}" why="${3:-}" dir jobs timeout
	read -r dir jobs timeout <<<"${NODE_TIERS[$name]}"
	run_tier_if "$status" "$why" "$name" node_tests "$ROOT/$dir" "$jobs" $timeout
}
# The node tiers wait for blocks far more than they compute, which leaves a core idle: the
# unit tests and the shipped runtime's build use it, at the lowest CPU priority (`nice`),
# so that they never take a core from a node that is authoring a block.
cpu_lane() {
	run_tier "rust" niced tree_cargo test --locked --no-fail-fast --workspace --features "$PARATII_FEATURES"
	# The shipped runtime's build started when the main build ended (lane 0): wait for it.
	local production_ok
	until [ -f "$PRODUCTION_STATUS" ]; do sleep 1; done
	production_ok="$(cat "$PRODUCTION_STATUS")"
	node_tier "production runtime" "$production_ok" "the production runtime did not build"
}
# The shipped runtime has a target directory of its own; its cold build (about 15
# minutes, mostly wasm) starts as soon as the main build ends, at the lowest CPU priority,
# beside node smoke and the lanes (which leave a core idle), instead of after the rust
# tier. Started beside the main build instead, it got almost no CPU from it and timed out
# at 2,400 s (cold run of 2026-12-06 at f2871dc). Its status goes to a file the CPU lane
# waits for.
PRODUCTION_STATUS="$RUN_DIR/production-build-status"
production_lane() {
	local status=0
	run_tier "production runtime build" niced build_production_runtime || status=$?
	echo "$status" >"$PRODUCTION_STATUS"
}
evm_lane() {
	node_tier "e2e clients"
	node_tier "e2e evm" "$contracts_ok" "the contracts did not compile"
}
# The web player's build (npm, tsc, Vite: light) runs in its tier's lane, not before
# the lanes.
# Its status goes to a file: the e2e ads tier, in the bridge lane, plays ads in the
# player too.
WEB_STATUS="$RUN_DIR/web-build-status"
player_lane() {
	local web_ok=0
	run_tier "web build" build_web || web_ok=$?
	echo "$web_ok" >"$WEB_STATUS"
	node_tier "e2e player" "$web_ok" "the web player did not build"
}
# The ad exchange's tier runs after the bridge's: the lane with the most room (the
# player's lane would be the longest with it).
bridge_lane() {
	node_tier "contracts ethereum" "$contracts_ok" "the contracts did not compile"
	node_tier "e2e bridge" "$contracts_ok" "the contracts did not compile"
	local web_ok
	until [ -f "$WEB_STATUS" ]; do sleep 1; done
	web_ok="$(cat "$WEB_STATUS")"
	node_tier "e2e ads" "$web_ok" "the web player did not build"
}

# What compiles for the node tiers runs first, in turn; node smoke alone; then the rest
# in lanes at once.
run_tier "test files" check_test_files
node_tier "docs"
run_tier "format" cargo fmt --all --check
# The build compiles the test targets too (build_node), so the rust tier only runs them,
# and lints as it compiles (lint_while_building in lib.sh), so there is no clippy pass.
# The checkout is copied into the build tree once; every build of the run then shares it.
sync_tree_once || die "copying the checkout into the build tree $PARATII_BUILD_TREE failed"
build_ok=0
run_tier "build and clippy" build_node || build_ok=$?
if selected "production runtime build"; then
	lane 0 production_lane
else
	echo 0 >"$PRODUCTION_STATUS"
fi
contracts_ok=0
run_tier "contracts" compile_contracts || contracts_ok=$?
if [ "$build_ok" -eq 0 ]; then
	# The smoke tier exports the raw dev spec and fills wasmtime's cache that every later
	# node starts from, so it runs alone first.
	node_tier "node smoke"
	# The rest start their own nodes on free ports and spend most of their time waiting
	# for blocks, not computing: the tiers run in lanes at once, and a tier's files side
	# by side, so the wall time is about that of the longest lane.
	say "the other tiers in lanes at once; each line is prefixed with its tier"
	lane 1 node_tier "zombienet"
	lane 2 cpu_lane
	lane 3 evm_lane
	lane 4 bridge_lane
	lane 5 node_tier "e2e services"
	selected "web build" || echo 0 >"$WEB_STATUS"
	lane 6 player_lane
	wait "${LANE_PIDS[@]}"
	LANE_PIDS=()
else
	run_tier_if 1 "the build failed" rust
	wait "${LANE_PIDS[@]}"
	LANE_PIDS=()
	for name in "${!NODE_TIERS[@]}"; do
		[ "$name" = docs ] || node_tier "$name" 1 "the binaries did not build"
	done
fi

# failure_excerpt LOG: the few lines of a failed tier's log that say what failed (the
# runner's list of failing tests, a Rust test's panic, else the log's end), so the end
# of the run's output names the failure even when only its last lines are kept.
failure_excerpt() {
	local log="$1"
	[ -f "$log" ] || return 0
	if grep -q 'failing tests:' "$log"; then
		sed -n '/failing tests:/,$p' "$log" | grep -E '^\s*(✖|[A-Za-z]*Error)' | grep -v 'failing tests:'
	elif grep -q 'panicked at' "$log"; then
		grep -A2 'panicked at' "$log"
	else
		tail -n 8 "$log"
	fi | sed 's/\x1b\[[0-9;]*m//g' | head -n 12 | sed 's/^/    /'
}

summary=()
failed_tiers=()
total_passed=0
total_failed=0
for result in "$RESULTS"/*; do
	IFS=$'\t' read -r name line passed failed <"$result"
	summary+=("$line")
	total_passed=$(( total_passed + passed ))
	total_failed=$(( total_failed + failed ))
	[ "${line#FAIL}" = "$line" ] || failed_tiers+=("$name")
done
echo
echo "Summary (tier logs in $LOGS)"
printf '  %s\n' "${summary[@]}"
echo
for name in "${failed_tiers[@]}"; do
	echo "What failed in $name:"
	failure_excerpt "$LOGS/${name// /-}.log"
done
if [ "${#failed_tiers[@]}" -gt 0 ]; then
	echo "FAILED tiers (${#failed_tiers[@]}): $(IFS=,; echo "${failed_tiers[*]}" | sed 's/,/, /g')"
elif [ -n "${PARATII_TIERS:-}" ]; then
	echo "every selected tier passed (PARATII_TIERS=$PARATII_TIERS: a partial run)"
else
	echo "every tier passed"
fi
echo "$total_passed passed, $total_failed failed"
[ "${#failed_tiers[@]}" -eq 0 ]
