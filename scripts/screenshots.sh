#!/usr/bin/env bash
# Refreshes the web player's screenshots in docs/images/player/ (shown in the README and
# docs/player.md): runs the e2e player tier's test, which takes them, with
# PARATII_SCREENSHOTS pointing there. Builds what it needs first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
ensure_node_js
ensure_ffmpeg
ensure_chromium
npm_install "$ROOT/tests/e2e"
npm_install "$ROOT/contracts/ethereum"
build_node
build_web
mkdir -p "$ROOT/docs/images/player"
say "running tests/e2e/player with screenshots to docs/images/player/"
cd "$ROOT/tests/e2e/player" &&
	PARATII_SCREENSHOTS="$ROOT/docs/images/player" node --test --test-force-exit --test-reporter=spec player.test.mjs
