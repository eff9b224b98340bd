//! # paratii-relayer
//!
//! Anchors Paratii chain on Ethereum. It follows the node's BEEFY justifications
//! (`beefy_subscribeJustifications`) and submits them to `ParatiiAnchor.sol`, which
//! checks ⅔ of the validators' signatures and stores the MMR root: every media item
//! registered up to that block can then be verified on Ethereum with one view call
//! (`verifyMedia`). See [`relay`] for when it anchors and how it hands over to a new
//! validator set.
//!
//! ```text
//! paratii-relayer deploy --chain ws://… --eth-rpc http://… --eth-key-file KEY [--out FILE]
//! paratii-relayer run    --chain ws://… --eth-rpc http://… --eth-key-file KEY --contract 0x…
//!                        [--every-blocks 64] [--every-secs 600] [--max-fee-gwei 100]
//!                        [--priority-fee-gwei 1] [--metrics-listen 127.0.0.1:9617]
//! paratii-relayer status --eth-rpc http://… --contract 0x…
//! ```
//!
//! It keeps no state of its own: the contract's latest anchored block and validator
//! sets are the position, so a restart (or a second relayer) neither anchors a block
//! twice nor skips one; what BEEFY finalized while it was away it finds in the
//! justifications the node stores with each block.

mod relay;

use alloy_primitives::Address;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use paratii_client::{
	ethereum::{Anchor, EthRpc, GasBounds, Wallet},
	Chain,
};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The Paratii bridge relayer.
#[derive(Debug, Parser)]
#[command(name = "paratii-relayer", version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Args)]
struct ChainArgs {
	/// The Paratii node's WebSocket RPC (with BEEFY and the MMR RPCs).
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	chain: String,
}

#[derive(Debug, Args)]
struct EthArgs {
	/// The Ethereum node's JSON-RPC (HTTP).
	#[arg(long, default_value = "http://127.0.0.1:8546")]
	eth_rpc: String,
}

#[derive(Debug, Args)]
struct WalletArgs {
	/// A file holding the relayer's Ethereum private key (32 bytes in hex). Its
	/// account pays the anchors' gas.
	#[arg(long)]
	eth_key_file: PathBuf,
	/// The most it pays per gas, base fee and tip together, in gwei; above it, it
	/// waits (and says so) rather than anchor.
	#[arg(long, default_value_t = 100.0)]
	max_fee_gwei: f64,
	/// The tip per gas to Ethereum's block producer, in gwei.
	#[arg(long, default_value_t = 1.0)]
	priority_fee_gwei: f64,
	/// A transaction not mined after this many seconds is replaced by one with the same
	/// nonce and fees an eighth higher, within --max-fee-gwei.
	#[arg(long, default_value_t = 60)]
	replace_after_secs: u64,
}

/// A node, an Ethereum node and the account that pays.
#[derive(Debug, Args)]
struct Connection {
	#[command(flatten)]
	chain: ChainArgs,
	#[command(flatten)]
	eth: EthArgs,
	#[command(flatten)]
	wallet: WalletArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Deploy ParatiiAnchor for this chain: its genesis hash, current and next BEEFY sets.
	Deploy {
		#[command(flatten)]
		connection: Connection,
		/// Also write the contract's address to this file.
		#[arg(long)]
		out: Option<PathBuf>,
	},
	/// Follow BEEFY and anchor on Ethereum.
	Run {
		#[command(flatten)]
		connection: Connection,
		/// The ParatiiAnchor contract.
		#[arg(long)]
		contract: Address,
		/// Anchor when this many blocks were finalized since the last anchor…
		#[arg(long, default_value_t = 64)]
		every_blocks: u32,
		/// …or this many seconds passed, whichever comes first. Handovers to a new
		/// validator set are anchored at once.
		#[arg(long, default_value_t = 600)]
		every_secs: u64,
		/// Prometheus metrics (`/metrics`) and `/health`.
		#[arg(long, default_value = "127.0.0.1:9617")]
		metrics_listen: SocketAddr,
	},
	/// What the contract has anchored: latest block, current and next sets.
	Status {
		#[command(flatten)]
		eth: EthArgs,
		#[arg(long)]
		contract: Address,
	},
}

fn gwei(g: f64) -> u128 {
	(g * 1e9) as u128
}

/// Connects to both chains.
async fn connect(c: &Connection, patience: Duration) -> anyhow::Result<(Chain, Wallet)> {
	let chain = Chain::connect(&c.chain.chain, patience).await?;
	Ok((chain, wallet(&c.eth, &c.wallet).await?))
}

async fn wallet(eth: &EthArgs, w: &WalletArgs) -> anyhow::Result<Wallet> {
	let bounds = GasBounds {
		max_fee_per_gas: gwei(w.max_fee_gwei),
		priority_fee_per_gas: gwei(w.priority_fee_gwei),
		replace_after: Duration::from_secs(w.replace_after_secs),
	};
	let wallet = Wallet::new(EthRpc::new(&eth.eth_rpc), Wallet::read_key(&w.eth_key_file)?, bounds)
		.await
		.with_context(|| format!("cannot reach the Ethereum node at {}", eth.eth_rpc))?;
	let balance = wallet.rpc.balance(wallet.address).await?;
	tracing::info!(
		"Ethereum account {} on chain {} ({:.4} ETH)",
		wallet.address,
		wallet.chain_id,
		balance as f64 / 1e18
	);
	Ok(wallet)
}

#[tokio::main]
async fn main() {
	paratii_client::init_logging();
	if let Err(e) = run(Cli::parse()).await {
		eprintln!("paratii-relayer: {e:#}");
		std::process::exit(1);
	}
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	match cli.command {
		Command::Deploy { connection, out } => {
			let (chain, wallet) = connect(&connection, Duration::from_secs(60)).await?;
			let (set, next) = chain.beefy_set_commitments().await?;
			tracing::info!(
				"deploying ParatiiAnchor for genesis {}, BEEFY set {} ({} validators), next \
				 set {} ({} validators)",
				paratii_client::content::hex_hash(&chain.genesis_hash()),
				set.id,
				set.len,
				next.id,
				next.len
			);
			let code = Anchor::deploy_code(chain.genesis_hash(), &set, &next)?;
			let receipt = wallet.send(None, code).await?;
			let address = receipt
				.contract_address
				.context("the deployment receipt has no contract address")?;
			tracing::info!(
				"ParatiiAnchor at {address} (Ethereum block {}, {} gas)",
				receipt.block_number,
				receipt.gas_used
			);
			if let Some(out) = out {
				std::fs::write(&out, format!("{address}\n"))
					.with_context(|| format!("writing {}", out.display()))?;
			}
			println!("{address}");
			Ok(())
		},
		Command::Run { connection, contract, every_blocks, every_secs, metrics_listen } => {
			let (chain, wallet) = connect(&connection, Duration::from_secs(120)).await?;
			let anchor = Anchor::new(wallet.rpc.clone(), contract);
			let policy = relay::Policy {
				every_blocks: every_blocks.max(1),
				every: Duration::from_secs(every_secs),
			};
			let relayer = relay::Relayer::new(chain, anchor, wallet, policy).await?;
			let metrics = relayer.metrics.clone();
			tokio::select! {
				r = relayer.run() => r,
				r = relay::serve_metrics(metrics, metrics_listen) => r,
			}
		},
		Command::Status { eth, contract } => {
			let anchor = Anchor::new(EthRpc::new(&eth.eth_rpc), contract);
			anchor.check_deployed().await?;
			let s = anchor.state().await?;
			println!("contract        {contract}");
			println!(
				"genesis         {}",
				paratii_client::content::hex_hash(&anchor.genesis_hash().await?)
			);
			println!("latest block    {}", s.latest_block);
			println!("current set     id {} ({} validators)", s.current.id, s.current.len);
			if s.next.len == 0 {
				println!("next set        not known yet");
			} else {
				println!("next set        id {} ({} validators)", s.next.id, s.next.len);
			}
			Ok(())
		},
	}
}
