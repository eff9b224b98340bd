//! `paratii-eth-rpc`: the Ethereum JSON-RPC server of Paratii chain.
//!
//! It is pallet-revive's eth-rpc server (`pallet-revive-eth-rpc`, the release that
//! pairs with our polkadot-sdk), built as part of this workspace so it shares the
//! node's dependency build and `Cargo.lock`. It connects to a `paratii-node` over
//! WebSocket (`--node-rpc-url`, default `ws://127.0.0.1:9944`), translates
//! `eth_*` calls into `Revive` runtime-API calls and `eth_transact` extrinsics, and
//! serves them on `--rpc-port` (default 8545) for MetaMask, ethers and viem.
//!
//! Before the upstream server starts, [`index`] gives its receipt and log index a
//! directory of its own per chain and drops an index whose blocks are not on the chain
//! the node runs, so a new chain is never served the receipts of an old one. The port
//! wallets talk to is served by [`front`], which passes everything through to the
//! upstream server and answers rejected transactions as geth does ("nonce too low",
//! "insufficient funds for gas * price + value", ...).
//!
//! Run `paratii-eth-rpc --help` for the options; `scripts/dev.sh` starts it next to
//! the dev node.

mod front;
mod index;

use std::time::{Duration, Instant};

/// A WebSocket JSON-RPC client of `url`, built by `builder`, retried every `interval`
/// until `timeout` (the node and the upstream server may still be starting); `what`
/// names the endpoint in the messages.
async fn connect_ws(
	url: &str,
	builder: jsonrpsee::ws_client::WsClientBuilder,
	what: &str,
	interval: Duration,
	timeout: Duration,
) -> anyhow::Result<jsonrpsee::ws_client::WsClient> {
	let started = Instant::now();
	loop {
		match builder.clone().build(url).await {
			Ok(client) => return Ok(client),
			Err(e) if started.elapsed() < timeout => {
				if interval >= Duration::from_secs(1) {
					eprintln!("💾 waiting for {what} at {url}: {e}");
				}
				tokio::time::sleep(interval).await;
			},
			Err(e) => return Err(anyhow::anyhow!("{what} at {url} did not answer: {e}")),
		}
	}
}

fn main() -> anyhow::Result<()> {
	let mut cmd = pallet_revive_eth_rpc::cli::CliCommand::parse_cli()?;
	index::prepare(&mut cmd)?;
	front::Front::configure(&mut cmd)?.spawn()?;
	pallet_revive_eth_rpc::cli::run(cmd)
}
