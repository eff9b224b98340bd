#!/usr/bin/env bash
# Refreshes the web player's screenshots in docs/images/player/ (shown in the README and
# docs/player.md): runs the e2e player tier's test, which takes them, with
# PARATII_SCREENSHOTS pointing there. Installs (scripts/setup.sh) and builds what it
# needs first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
build_node
build_web
mkdir -p "$ROOT/docs/images/player"
say "running tests/e2e/player with screenshots to docs/images/player/"
cd "$ROOT/tests/e2e/player" &&
	PARATII_SCREENSHOTS="$ROOT/docs/images/player" node --test --test-force-exit --test-reporter=spec \
		player.test.mjs &&
	PARATII_SCREENSHOTS="$ROOT/docs/images/player" node --test --test-force-exit --test-reporter=spec \
		micropay.test.mjs &&
	cd "$ROOT/tests/e2e/ads" &&
	PARATII_SCREENSHOTS="$ROOT/docs/images/player" node --test --test-force-exit --test-reporter=spec ads.test.mjs
