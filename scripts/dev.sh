#!/usr/bin/env bash
# The README's run command: builds what is needed and starts a development chain
# (one validator, Alice; dev accounts and the Hardhat dev keys funded) with the
# Ethereum JSON-RPC next to it, the web player (:8088), and the media services: the dev preset's two storage
# clusters (//Cluster1 on :4001 run by //Eve, //Cluster2 on :4002 run by //Ferdie) and
# the gateway (upload role :8080 with one video transcoder, download role :8081 with HLS
# streaming; it counts views on chain as //Gateway, the dev view recorder) and the
# indexer (search, :8090); and the Ethereum
# bridge: a local Ethereum node (Hardhat, :8546), ParatiiAnchor deployed on it and
# paratii-relayer anchoring the chain there (metrics :9617), so proofs report their
# Ethereum anchor; and the ad exchange: Dave and Eve admitted as ad validators (their
# nodes :8110, :8111), the exchange's channel node (//Bob, :8100) and the advertiser's
# (//Charlie, :8101), a reference bidder (//Charlie, :8120; its bids scaled by the
# indexer's valuation), the campaign's auditor (//Ferdie, :8130) and a demo campaign of
# //Alice's with a generated creative, so the player shows a pre-roll before videos.
# Ctrl-C stops them all.
#
#   scripts/dev.sh [extra paratii-node arguments]
#
# The chain and the stored files live in a temporary directory and are gone on exit,
# unless PARATII_BASE_PATH=<dir> is set: then the node keeps its database in <dir>,
# the eth-rpc its receipt index in <dir>/eth-rpc and the services their files in
# <dir>/services.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RPC_PORT="${RPC_PORT:-9944}"
P2P_PORT="${P2P_PORT:-30333}"
ETH_RPC_PORT="${ETH_RPC_PORT:-8545}"
UPLOAD_PORT="${UPLOAD_PORT:-8080}"
DOWNLOAD_PORT="${DOWNLOAD_PORT:-8081}"
INDEXER_PORT="${INDEXER_PORT:-8090}"
PLAYER_PORT="${PLAYER_PORT:-8088}"
HARDHAT_PORT="${HARDHAT_PORT:-8546}"
RELAYER_METRICS_PORT="${RELAYER_METRICS_PORT:-9617}"
# The ad exchange's nodes.
EXCHANGE_CHANNEL_PORT="${EXCHANGE_CHANNEL_PORT:-8100}"
ADVERTISER_CHANNEL_PORT="${ADVERTISER_CHANNEL_PORT:-8101}"
BIDDER_PORT="${BIDDER_PORT:-8120}"
AUDITOR_PORT="${AUDITOR_PORT:-8130}"
# Anchor every 16 blocks (about 1.6 minutes) on the dev chain; mainnet relayers anchor
# far less often (see the README).
RELAYER_EVERY_BLOCKS="${RELAYER_EVERY_BLOCKS:-16}"
CHAIN_ID=7272844

ensure_rust
ensure_node_js
ensure_ffmpeg
command -v curl >/dev/null || apt_install curl
npm_install "$ROOT/contracts/ethereum"
build_node
build_web

node_args=(--dev --rpc-port "$RPC_PORT" --port "$P2P_PORT" --rpc-cors all)
eth_args=(--node-rpc-url "ws://127.0.0.1:$RPC_PORT" --rpc-port "$ETH_RPC_PORT" --rpc-cors all --no-prometheus)
if [ -n "${PARATII_BASE_PATH:-}" ]; then
	# An archive node, so the eth-rpc can index every block's receipts.
	node_args+=(--base-path "$PARATII_BASE_PATH" --state-pruning archive)
	eth_args+=(--base-path "$PARATII_BASE_PATH/eth-rpc")
	services_dir="$PARATII_BASE_PATH/services"
else
	# Receipts of the latest 100,000 blocks (about a week) kept in memory.
	node_args+=(--tmp)
	eth_args+=(--eth-pruning 100000)
	services_dir="$(mktemp -d "${TMPDIR:-/tmp}/paratii-services.XXXXXX")"
fi
mkdir -p "$services_dir"
bin_dir="$(dirname "$PARATII_NODE")"

pids=()
stop() {
	say "stopping the services, paratii-eth-rpc and paratii-node"
	for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
}
trap stop INT TERM

"$PARATII_NODE" "${node_args[@]}" "$@" &
node_pid=$!
pids+=("$node_pid")

say "waiting for the node's RPC on port $RPC_PORT"
for _ in $(seq 1 120); do
	curl -sf -H 'content-type: application/json' \
		-d '{"jsonrpc":"2.0","id":1,"method":"system_health"}' "http://127.0.0.1:$RPC_PORT" >/dev/null && break
	kill -0 "$node_pid" 2>/dev/null || die "paratii-node exited during start-up"
	sleep 1
done

"$PARATII_ETH_RPC" "${eth_args[@]}" &
pids+=("$!")

chain_ws="ws://127.0.0.1:$RPC_PORT"

# The bridge: Hardhat's first dev key deploys ParatiiAnchor and pays the anchors.
say "starting a local Ethereum node (Hardhat) on port $HARDHAT_PORT"
(cd "$ROOT/contracts/ethereum" && HARDHAT_DISABLE_TELEMETRY_PROMPT=true exec node node_modules/hardhat/internal/cli/cli.js \
	node --hostname 127.0.0.1 --port "$HARDHAT_PORT" >"$services_dir/hardhat.log" 2>&1) &
pids+=("$!")
eth_url="http://127.0.0.1:$HARDHAT_PORT"
for _ in $(seq 1 120); do
	curl -sf -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' "$eth_url" >/dev/null && break
	sleep 1
done
relayer_key="$services_dir/relayer-eth.key"
echo 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$relayer_key"
chmod 600 "$relayer_key"
say "deploying ParatiiAnchor for this chain"
anchor_contract="$("$bin_dir/paratii-relayer" deploy --chain "$chain_ws" --eth-rpc "$eth_url" --eth-key-file "$relayer_key")" ||
	die "deploying ParatiiAnchor failed (see above)"
say "starting paratii-relayer (anchors every $RELAYER_EVERY_BLOCKS blocks, metrics :$RELAYER_METRICS_PORT)"
"$bin_dir/paratii-relayer" run --chain "$chain_ws" --eth-rpc "$eth_url" --eth-key-file "$relayer_key" \
	--contract "$anchor_contract" --every-blocks "$RELAYER_EVERY_BLOCKS" --metrics-listen "127.0.0.1:$RELAYER_METRICS_PORT" &
pids+=("$!")

# The dev chain spec registers //Cluster1 at :4001 and //Cluster2 at :4002. They answer
# object requests signed by the gateway's key, //Gateway, only.
gateway_key="$("$bin_dir/paratii-node" key inspect //Gateway | awk '/Public key \(hex\)/ { print $4 }')"
[[ "$gateway_key" == 0x* ]] || die "could not derive the dev gateway's key with paratii-node key inspect"
for cluster in 1 2; do
	operator=("" //Eve //Ferdie)
	say "starting storage cluster $cluster on port 400$cluster"
	"$bin_dir/paratii-storage" --listen "127.0.0.1:400$cluster" --chain "$chain_ws" \
		--data-dir "$services_dir/cluster$cluster" --cluster-suri "//Cluster$cluster" \
		--operator-suri "${operator[$cluster]}" --heartbeat-secs 60 \
		--trusted-gateway "$gateway_key" &
	pids+=("$!")
done
say "starting the gateway (upload :$UPLOAD_PORT with a video transcoder, download :$DOWNLOAD_PORT, the web player :$PLAYER_PORT)"
"$bin_dir/paratii-gateway" --chain "$chain_ws" --data-dir "$services_dir/gateway" \
	--upload-listen "127.0.0.1:$UPLOAD_PORT" --download-listen "127.0.0.1:$DOWNLOAD_PORT" \
	--max-upload-bytes $((1024 * 1024 * 1024)) --transcoders 1 \
	--gateway-suri //Gateway --view-recorder-suri //Gateway --hub-suri //Gateway \
	--eth-rpc "$eth_url" --anchor-contract "$anchor_contract" \
	--web-dir "$ROOT/web/dist" --web-listen "127.0.0.1:$PLAYER_PORT" --web-dev-accounts \
	--web-upload-url "http://127.0.0.1:$UPLOAD_PORT" --web-download-url "http://127.0.0.1:$DOWNLOAD_PORT" \
	--web-indexer-url "http://127.0.0.1:$INDEXER_PORT" --web-chain-url "$chain_ws" \
	--web-ad-validator http://127.0.0.1:8110 --web-ad-validator http://127.0.0.1:8111 \
	--ad-exchange-suri //Bob --ad-channel "http://127.0.0.1:$EXCHANGE_CHANNEL_PORT" \
	--ad-bidder "http://127.0.0.1:$BIDDER_PORT/openrtb2/bid" --ad-public-url "http://127.0.0.1:$DOWNLOAD_PORT" \
	--ad-auditor "http://127.0.0.1:$AUDITOR_PORT" &
pids+=("$!")
say "starting the indexer (search :$INDEXER_PORT)"
"$bin_dir/paratii-indexer" --chain "$chain_ws" --data-dir "$services_dir/indexer" \
	--listen "127.0.0.1:$INDEXER_PORT" &
pids+=("$!")
for url in http://127.0.0.1:4001 http://127.0.0.1:4002 "http://127.0.0.1:$UPLOAD_PORT" "http://127.0.0.1:$DOWNLOAD_PORT" \
	"http://127.0.0.1:$INDEXER_PORT" "http://127.0.0.1:$RELAYER_METRICS_PORT"; do
	for _ in $(seq 1 120); do
		curl -sf "$url/health" >/dev/null && break
		kill -0 "$node_pid" 2>/dev/null || die "paratii-node exited during start-up"
		sleep 1
	done
	curl -sf "$url/health" >/dev/null || die "$url/health does not answer (see the log above)"
done

# The ad exchange: Dave and Eve apply as ad validators and the dev chain's governance
# (sudo, //Alice) admits them; their nodes accept the campaigns naming them.
paratii=("$bin_dir/paratii" --chain "$chain_ws" --upload-url "http://127.0.0.1:$UPLOAD_PORT" \
	--download-url "http://127.0.0.1:$DOWNLOAD_PORT")
dev_address() { "$bin_dir/paratii-node" key inspect "$1" | awk '/SS58 Address/ { print $3 }'; }
say "ad exchange: //Dave and //Eve apply as ad validators, //Alice (sudo) admits them"
for v in Dave Eve; do
	"${paratii[@]}" ad validator apply --suri "//$v" >&2
	"${paratii[@]}" ad validator admit "$(dev_address "//$v")" --suri //Alice >&2
done
port=8110
for v in Dave Eve; do
	RUST_LOG="${RUST_LOG:-info,paratii_client::http=warn}" "$bin_dir/paratii-adx" validator --chain "$chain_ws" --validator-suri "//$v" --accept-campaigns \
		--data-dir "$services_dir/adx-validator-$v" --listen "127.0.0.1:$port" &
	pids+=("$!")
	port=$((port + 1))
done
# The exchange's channel node posts its part at the window's end; the advertiser's opens
# each block 10 s after its first message.
RUST_LOG="${RUST_LOG:-info,paratii_client::http=warn}" "$bin_dir/paratii-adx" channel --chain "$chain_ws" --participant-suri //Bob --open-after-secs 600 \
	--data-dir "$services_dir/adx-exchange" --listen "127.0.0.1:$EXCHANGE_CHANNEL_PORT" \
	--public-url "http://127.0.0.1:$EXCHANGE_CHANNEL_PORT" --validator-url http://127.0.0.1:8110 \
	--validator-url http://127.0.0.1:8111 &
pids+=("$!")
RUST_LOG="${RUST_LOG:-info,paratii_client::http=warn}" "$bin_dir/paratii-adx" channel --chain "$chain_ws" --participant-suri //Charlie --open-after-secs 10 \
	--data-dir "$services_dir/adx-advertiser" --listen "127.0.0.1:$ADVERTISER_CHANNEL_PORT" \
	--public-url "http://127.0.0.1:$ADVERTISER_CHANNEL_PORT" &
pids+=("$!")
say "ad exchange: a demo campaign of //Alice's (its creative a generated 6-second clip)"
creative_file="$services_dir/demo-ad.mp4"
ffmpeg -hide_banner -nostdin -loglevel error -y -f lavfi -i "testsrc2=size=640x360:rate=25:duration=6" \
	-f lavfi -i "sine=frequency=660:duration=6" -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac \
	-shortest "$creative_file"
creative="$("${paratii[@]}" --json upload "$creative_file" --title "Paratii demo advertisement" --suri //Alice |
	sed -n 's/.*"media_id":\([0-9]*\).*/\1/p')"
[ -n "$creative" ] || die "the demo creative did not upload (see above)"
campaign="$("${paratii[@]}" --json ad campaign create --suri //Alice --budget 1000 --max-price 0.01 \
	--validator "$(dev_address //Dave)" --validator "$(dev_address //Eve)" \
	--participant "$(dev_address //Bob)" --participant "$(dev_address //Charlie)" \
	--auditor "$(dev_address //Ferdie)" --challenge-period 20 |
	sed -n 's/.*"campaign":\([0-9]*\).*/\1/p')"
[ -n "$campaign" ] || die "the demo campaign was not created (see above)"
printf '[{"campaign": %s, "creative": %s, "bid": "5000000000000000", "auditor": "%s"}]\n' \
	"$campaign" "$creative" "http://127.0.0.1:$AUDITOR_PORT" >"$services_dir/bidder-campaigns.json"
RUST_LOG="${RUST_LOG:-info,paratii_client::http=warn}" "$bin_dir/paratii-adx" bidder --chain "$chain_ws" --bidder-suri //Charlie \
	--campaigns "$services_dir/bidder-campaigns.json" --listen "127.0.0.1:$BIDDER_PORT" \
	--public-url "http://127.0.0.1:$BIDDER_PORT" --channel-url "http://127.0.0.1:$ADVERTISER_CHANNEL_PORT" \
	--valuation "http://127.0.0.1:$INDEXER_PORT" &
pids+=("$!")
RUST_LOG="${RUST_LOG:-info,paratii_client::http=warn}" "$bin_dir/paratii-adx" auditor --chain "$chain_ws" --auditor-suri //Ferdie \
	--listen "127.0.0.1:$AUDITOR_PORT" --channel-url "http://127.0.0.1:$EXCHANGE_CHANNEL_PORT" &
pids+=("$!")

cat >&2 <<INFO

  Paratii development chain
  -------------------------
  The Paratii Player (web)          http://127.0.0.1:$PLAYER_PORT  (pick "Development accounts" to sign as //Alice …)
  Substrate RPC (HTTP + WebSocket)  ws://127.0.0.1:$RPC_PORT
  polkadot.js apps                  https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
  Ethereum JSON-RPC (MetaMask)      http://127.0.0.1:$ETH_RPC_PORT  chain id $CHAIN_ID, currency PTI
  p2p                               /ip4/127.0.0.1/tcp/$P2P_PORT
  Funded dev accounts               //Alice //Bob //Charlie //Dave //Eve //Ferdie (1,000,000 PTI each)
  Gateway upload role               http://127.0.0.1:$UPLOAD_PORT/uploads
  Gateway download role             http://127.0.0.1:$DOWNLOAD_PORT/media/<id>  /ipfs/<cid>  /media/<id>/proof
                                    views count in viewer sessions (X-Paratii-Session; batched on chain as //Gateway)
  Search (indexer)                  http://127.0.0.1:$INDEXER_PORT/search?q=<words>  /media?order=newest  /media/<id>
  Storage clusters                  http://127.0.0.1:4001 (//Cluster1)  http://127.0.0.1:4002 (//Cluster2)
  Ethereum (Hardhat, chain 31337)   $eth_url
  ParatiiAnchor                     $anchor_contract
  Relayer metrics                   http://127.0.0.1:$RELAYER_METRICS_PORT/metrics
  Ad exchange                       campaign $campaign (//Alice; creative media $creative), bidder :$BIDDER_PORT (//Charlie)
                                    auditor :$AUDITOR_PORT (//Ferdie), valuation http://127.0.0.1:$INDEXER_PORT/media/<id>/valuation
                                    VAST http://127.0.0.1:$DOWNLOAD_PORT/ads/vast?media=<id>
                                    channel nodes :$EXCHANGE_CHANNEL_PORT (//Bob) :$ADVERTISER_CHANNEL_PORT (//Charlie)
                                    validators http://127.0.0.1:8110 (//Dave) http://127.0.0.1:8111 (//Eve)
                                    $bin_dir/paratii ad campaign status $campaign
                                    $bin_dir/paratii ad watch <id> --suri //Bob   (the pre-roll, paid)
  CLI                               $bin_dir/paratii upload FILE --title T --suri //Alice
                                    $bin_dir/paratii search WORDS
                                    $bin_dir/paratii proof FILE   (with its Ethereum anchor)
  Funded Ethereum dev keys          the first 5 of "test test test test test test test test test test test junk"
                                    (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 ...; 1,000,000 PTI each)
  Stop with Ctrl-C.

INFO

# `wait` returns early when a trapped signal arrives; wait again for the real exit.
status=0
wait "$node_pid" || status=$?
if kill -0 "$node_pid" 2>/dev/null; then
	wait "$node_pid" || status=$?
fi
# The node is gone (Ctrl-C or on its own): the eth-rpc goes with it.
stop
wait || true
exit "$status"
