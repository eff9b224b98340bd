#!/usr/bin/env bash
# Benchmark of pay as you watch in the gateway (issue #39's targets): sr25519 voucher
# checks a second on one core, and what paying adds to a segment — parsing the voucher
# header, checking it and keeping it durably in the ledger (append + fdatasync) — at
# p50/p99 over 2,000 segments, in the ledger's directory (a temporary one, on the disk
# of $TMPDIR). Builds paratii-client's tests with the release profile and fails if a
# target is missed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
say "building and running the voucher benchmark (paratii-client, release profile)"
tree_cargo test --locked --release -p paratii-client --lib bench_voucher_checks_and_durable_acceptance \
	-- --ignored --nocapture --test-threads 1
