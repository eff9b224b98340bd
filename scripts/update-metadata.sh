#!/usr/bin/env bash
# Rewrites services/client/metadata/paratii.scale — the runtime metadata the off-chain
# services' types are generated from — from the runtime itself. Run it after changing
# the runtime; the runtime test `service_metadata_matches_the_runtime` fails until then.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_rust
say "writing the runtime's metadata to services/client/metadata/paratii.scale"
PARATII_WRITE_METADATA=1 tree_cargo test --locked --workspace --features "$PARATII_FEATURES" \
	--test runtime service_metadata_matches_the_runtime
# The test wrote the file in the build tree (lib.sh's tree_cargo): bring it to the checkout.
if [ "$PARATII_BUILD_TREE" != "$ROOT" ]; then
	cp "$PARATII_BUILD_TREE/services/client/metadata/paratii.scale" "$ROOT/services/client/metadata/paratii.scale"
fi
