#!/usr/bin/env bash
# Rewrites the services' OpenAPI documents committed in docs/openapi/ from the code (the
# gateway's and the indexer's tests fail until then), and the web player's TypeScript
# types generated from them. Run it after changing a JSON answer or a route.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
say "writing the services' OpenAPI documents to docs/openapi/"
PARATII_UPDATE_OPENAPI="$ROOT/docs/openapi" tree_cargo test --locked \
	-p paratii-gateway -p paratii-indexer the_committed_documents_are_the_served_ones
if [ -d "$ROOT/web" ]; then
	ensure_node_js
	npm_install "$ROOT/web"
	say "generating the web player's types from them (web/src/api/)"
	(cd "$ROOT/web" && npm run --silent types)
fi
