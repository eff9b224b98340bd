#!/usr/bin/env bash
# The README's test command: runs every test tier, prints a summary line per tier
# and exits non-zero if any tier fails. Nothing is skipped silently.
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
summary=()
total_passed=0
total_failed=0
failed_tiers=0

# Sums the passed/failed counts cargo test and node --test print.
count_tests() {
	awk '
		/^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;/) p += $i; if ($(i+1) ~ /^failed;/) f += $i } }
		/^ℹ pass [0-9]+/ { p += $3 }
		/^ℹ fail [0-9]+/ { f += $3 }
		END { print p + 0, f + 0 }
	' "$1"
}

# run_tier NAME COMMAND...: runs the command, logging to a file and the terminal.
run_tier() {
	local name="$1"; shift
	local log="$LOGS/${name// /-}.log"
	local start=$SECONDS status
	say "tier: $name"
	"$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	local secs=$(( SECONDS - start ))
	read -r passed failed < <(count_tests "$log")
	total_passed=$(( total_passed + passed ))
	total_failed=$(( total_failed + failed ))
	local counts=""
	[ $(( passed + failed )) -gt 0 ] && counts=" ($passed passed, $failed failed)"
	if [ "$status" -eq 0 ]; then
		summary+=("PASS  $name$counts in ${secs}s")
	else
		summary+=("FAIL  $name$counts in ${secs}s (exit $status; log $log)")
		failed_tiers=$(( failed_tiers + 1 ))
	fi
	return "$status"
}

run_tier "format" cargo fmt --all --check
run_tier "rust" cargo test --locked --workspace --features "$PARATII_FEATURES"
contracts_ok=0
if run_tier "node build" build_node; then
	run_tier "contracts" node "$ROOT/contracts/chain/compile.mjs" || contracts_ok=$?
	cd "$ROOT/contracts/ethereum" || die "contracts/ethereum missing"
	run_tier "contracts ethereum" bash -c 'node compile.mjs && node --test --test-concurrency=1 --test-reporter=spec test/'
	cd "$ROOT" || exit 1
	cd "$ROOT/tests/e2e" || die "tests/e2e missing"
	run_tier "node smoke" node --test --test-concurrency=1 --test-reporter=spec \
		smoke.test.mjs chain-spec.test.mjs
	cd "$ROOT" || exit 1
	if run_tier "production runtime build" build_production_runtime; then
		cd "$ROOT/tests/e2e" || exit 1
		run_tier "production runtime" node --test --test-concurrency=1 --test-reporter=spec \
			production-runtime.test.mjs
	fi
	cd "$ROOT/tests/e2e" || exit 1
	run_tier "e2e clients" node --test --test-concurrency=1 --test-reporter=spec \
		transfer.test.mjs media.test.mjs pti.test.mjs ad-exchange.test.mjs load.test.mjs
	if [ "$contracts_ok" -eq 0 ]; then
		run_tier "e2e evm" node --test --test-concurrency=1 --test-reporter=spec \
			evm.test.mjs precompiles.test.mjs evm-latency.test.mjs eth-rpc-index.test.mjs
		run_tier "e2e bridge" node --test --test-concurrency=1 --test-reporter=spec bridge.test.mjs relayer.test.mjs
	else
		summary+=("FAIL  e2e evm: not run, the contracts did not compile")
		failed_tiers=$(( failed_tiers + 1 ))
	fi
	run_tier "e2e services" node --test --test-concurrency=1 --test-reporter=spec \
		storage.test.mjs services.test.mjs paid.test.mjs search.test.mjs
	cd "$ROOT/zombienet" || die "zombienet/ missing"
	run_tier "zombienet" node --test --test-concurrency=1 --test-force-exit --test-reporter=spec \
		0001-four-validators.test.mjs 0002-validator-restart.test.mjs 0003-governance.test.mjs
	cd "$ROOT" || exit 1
else
	summary+=("FAIL  contracts, node smoke, e2e clients, e2e evm, e2e services, zombienet: not run, the binaries did not build")
	failed_tiers=$(( failed_tiers + 1 ))
fi
run_tier "clippy" cargo clippy --locked --workspace --all-targets --features "$PARATII_FEATURES" -- -D warnings

echo
echo "Summary"
printf '  %s\n' "${summary[@]}"
echo
echo "$total_passed passed, $total_failed failed"
[ "$failed_tiers" -eq 0 ]
