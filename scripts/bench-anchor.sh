#!/usr/bin/env bash
# Gas of the Ethereum bridge contract: ParatiiAnchor.sol on a local Hardhat node (cancun),
# with synthetic BEEFY keys: gas per anchor for 4, 8, 16 and 32 validators, a handover
# (learning the next set, rotating to it) and verifyMedia. Targets: ≤ 80,000 gas per
# anchor with 4 validators, ≤ 200,000 with 32 (the test asserts them).
#
#   scripts/bench-anchor.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_node_js
npm_install "$ROOT/contracts/ethereum"
cd "$ROOT/contracts/ethereum"
say "compiling ParatiiAnchor.sol"
node compile.mjs
say "measuring gas on a local Hardhat node"
node --test --test-concurrency=1 --test-reporter=spec --test-name-pattern='gas per anchor' test/anchor.test.mjs
