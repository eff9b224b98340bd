//! # paratii-load
//!
//! Measures what a Paratii chain includes per second. It derives fresh accounts
//! (`//load//<run>//<i>`), funds them from `--funder` and, for `register-media`,
//! registers them as users; then it pre-signs `--count` extrinsics of the workload
//! round-robin over the accounts (media receipts signed with the dev clusters' keys,
//! `--cluster`), submits them with `author_submitExtrinsic` as fast as the node's pool
//! takes them (`--in-flight` at once; a full pool is retried after the next block) and
//! follows the finalized chain. `--workload erc20` does the same with an OpenZeppelin
//! ERC20 on the chain's EVM: fresh Ethereum keys, raw EIP-1559 `transfer`s sent with
//! `eth_sendRawTransaction` through `--eth-url` (paratii-eth-rpc), found in blocks as
//! `Revive::eth_transact` by their Ethereum hash.
//!
//! It prints one line per block (extrinsics of the run included, failed, the normal
//! class's weight used against its limit, block time) and a summary: included exactly
//! once, duplicates, failures, achieved extrinsics per second over the steady window
//! (the full blocks between the first and the last), submission → finalized latency, and
//! the ceiling the runtime's weights predict (`TransactionPaymentApi::query_info` and
//! `System::BlockWeights`). `--json` writes the same as JSON.
//!
//! Bounded: at most 1,000,000 extrinsics, 10,000 accounts and one hour; it talks only to
//! a node on loopback. `--expect-all` exits non-zero unless every extrinsic was included
//! exactly once and dispatched without error (the test command's smoke uses it).
//!
//! ```text
//! paratii-load --workload register-media --count 30000 --accounts 500 --json out.json
//! ```

mod erc20;
mod track;
mod workload;

use anyhow::{bail, Context};
use clap::Parser;
use paratii_client::{api, ethereum::EthRpc, keys, Chain};
use serde::Serialize;
use std::{
	path::PathBuf,
	time::{Duration, Instant},
};
use track::{Ceiling, Limits, PhaseReport, Steps, Via};
use workload::{Accounts, Workload};

/// A signed extrinsic, SCALE-encoded, and its hash (blake2-256 of the bytes).
#[derive(Clone)]
pub struct Tx {
	pub bytes: Vec<u8>,
	pub hash: [u8; 32],
}

const MAX_COUNT: u32 = 1_000_000;
const MAX_ACCOUNTS: u32 = 10_000;
const MAX_SECONDS: u64 = 3_600;

#[derive(Parser, Debug)]
#[command(name = "paratii-load", about = "Load generator and throughput report for a Paratii node")]
struct Args {
	/// The node's WebSocket RPC (loopback only).
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// What to submit.
	#[arg(long, value_enum, default_value = "register-media")]
	workload: Workload,
	/// Extrinsics to submit in the measured phase.
	#[arg(long, default_value_t = 1_000)]
	count: u32,
	/// Accounts to spread them over (each signs `count / accounts` in nonce order).
	#[arg(long, default_value_t = 100)]
	accounts: u32,
	/// Submissions in flight at once.
	#[arg(long, default_value_t = 256)]
	in_flight: usize,
	/// Give up on each phase after this long.
	#[arg(long, default_value_t = 600)]
	max_seconds: u64,
	/// The account that funds the run's accounts (secret URI).
	#[arg(long, default_value = "//Alice")]
	funder: String,
	/// Receipt keys (ed25519 secret URIs) of registered clusters, one per receipt.
	#[arg(long = "cluster", default_values_t = ["//Cluster1".to_string(), "//Cluster2".to_string()])]
	clusters: Vec<String>,
	/// The Ethereum JSON-RPC (paratii-eth-rpc) the ERC20 workload sends through
	/// (loopback only).
	#[arg(long, default_value = "http://127.0.0.1:8545")]
	eth_url: String,
	/// The ERC20 the ERC20 workload deploys: a solc artifact with its creation code.
	#[arg(long, default_value = "contracts/chain/build/ExampleToken.json")]
	erc20_artifact: PathBuf,
	/// Write the report here as JSON.
	#[arg(long)]
	json: Option<PathBuf>,
	/// Exit with an error unless every extrinsic was included exactly once and succeeded.
	#[arg(long)]
	expect_all: bool,
}

#[derive(Serialize)]
struct Report {
	workload: Workload,
	call: &'static str,
	count: u32,
	accounts: u32,
	node: String,
	limits: Limits,
	/// `None` when nothing was included to measure it by (Ethereum transactions).
	ceiling: Option<Ceiling>,
	/// `query_info` (the runtime's weight of one extrinsic before dispatch) or
	/// `measured` (Ethereum transactions: what blocks charged each one).
	ceiling_source: &'static str,
	setup: Vec<PhaseReport>,
	measured: PhaseReport,
	/// The ERC20 workload's token and keys, for checking the chain against the report.
	#[serde(skip_serializing_if = "Option::is_none")]
	erc20: Option<Erc20Report>,
}

#[derive(Serialize)]
struct Erc20Report {
	token: alloy_primitives::Address,
	accounts: Vec<alloy_primitives::Address>,
}

/// Refuses `url` (of option `option`, one of `schemes`) unless its host is loopback.
fn ensure_loopback(option: &str, url: &str, schemes: [&str; 2]) -> anyhow::Result<()> {
	let rest = schemes
		.iter()
		.find_map(|scheme| url.strip_prefix(scheme))
		.with_context(|| format!("{option} must be {} or {}", schemes[0], schemes[1]))?;
	let host = rest.split('/').next().unwrap_or_default();
	let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
	if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
		bail!("paratii-load talks to a node on loopback only (127.0.0.1, localhost, [::1]), not {host}");
	}
	Ok(())
}

fn check_bounds(args: &Args) -> anyhow::Result<()> {
	if args.count == 0 || args.count > MAX_COUNT {
		bail!("--count must be 1..={MAX_COUNT}");
	}
	if args.accounts == 0 || args.accounts > MAX_ACCOUNTS {
		bail!("--accounts must be 1..={MAX_ACCOUNTS}");
	}
	if args.max_seconds == 0 || args.max_seconds > MAX_SECONDS {
		bail!("--max-seconds must be 1..={MAX_SECONDS}");
	}
	if args.in_flight == 0 {
		bail!("--in-flight must be at least 1");
	}
	Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	paratii_client::init_logging();
	let args = Args::parse();
	check_bounds(&args)?;
	ensure_loopback("--url", &args.url, ["ws://", "wss://"])?;
	if args.workload == Workload::Erc20 {
		ensure_loopback("--eth-url", &args.eth_url, ["http://", "https://"])?;
	}
	let chain = Chain::connect(&args.url, Duration::from_secs(60)).await?;
	// One state for the run's constants: the limits, deposits and existential deposit.
	let at = chain.at_best().await?;
	let limits = Limits::read(&at)?;
	let run = format!(
		"{}",
		std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis()
	);
	let funder = keys::account_key(&args.funder)?;
	let rpc = EthRpc::new(&args.eth_url);
	let mut steps = Steps {
		chain: &chain,
		in_flight: args.in_flight,
		patience: Duration::from_secs(args.max_seconds),
		reports: Vec::new(),
	};
	let mut erc20 = None;
	let (txs, via, ceiling) = if args.workload == Workload::Erc20 {
		let accounts = erc20::EthAccounts::derive(&run, args.accounts)?;
		let prepared =
			erc20::prepare(&mut steps, &rpc, &funder, &accounts, &args.erc20_artifact, args.count)
				.await?;
		tracing::info!("ERC20 at {}: transfers go through {}", prepared.token, args.eth_url);
		erc20 = Some(Erc20Report { token: prepared.token, accounts: accounts.addresses });
		(prepared.transfers, Via::Eth(&rpc), None)
	} else {
		let (txs, ceiling) =
			substrate_workload(&args, &chain, &at, &limits, &run, &funder, &mut steps).await?;
		(txs, Via::Node, Some(ceiling))
	};
	let measured = track::run_phase(
		&chain,
		args.workload.call_name(),
		&txs,
		via,
		args.in_flight,
		Instant::now() + Duration::from_secs(args.max_seconds),
	)
	.await?;
	let ceiling_source = if ceiling.is_some() { "query_info" } else { "measured" };
	let ceiling = ceiling.or_else(|| Ceiling::measured(&limits, &measured));

	let report = Report {
		workload: args.workload,
		call: args.workload.call_name(),
		count: args.count,
		accounts: args.accounts,
		node: args.url.clone(),
		limits,
		ceiling,
		ceiling_source,
		setup: steps.reports,
		measured,
		erc20,
	};
	print_table(&report);
	if let Some(path) = &args.json {
		std::fs::write(path, serde_json::to_vec_pretty(&report)?)
			.with_context(|| format!("writing {}", path.display()))?;
		eprintln!("report written to {}", path.display());
	}
	if args.expect_all && !report.measured.all_included_once() {
		bail!("not every extrinsic was included exactly once: {}", summary(&report.measured));
	}
	Ok(())
}

/// The Substrate workloads' set-up (funding; user registration for media) and their
/// signed extrinsics, with the ceiling `query_info` gives for one of them.
async fn substrate_workload(
	args: &Args,
	chain: &Chain,
	at: &paratii_client::AtBlock,
	limits: &Limits,
	run: &str,
	funder: &subxt_signer::sr25519::Keypair,
	steps: &mut Steps<'_>,
) -> anyhow::Result<(Vec<Tx>, Ceiling)> {
	let accounts = Accounts::derive(run, args.accounts)?;
	let clusters = if args.workload == Workload::RegisterMedia {
		let clusters = workload::clusters(chain, &args.clusters).await?;
		let needed = chain.replication_factor().await? as usize;
		if clusters.len() < needed {
			bail!(
				"registerMedia needs receipts from {needed} clusters; --cluster gave {}",
				clusters.len()
			);
		}
		clusters
	} else {
		Vec::new()
	};
	let ed = at.constants().entry(api::constants().balances().existential_deposit())?;
	let transfer_amount = ed;

	// The ceiling, from one extrinsic of the workload as the runtime weighs it.
	let sample =
		workload::build(chain, args.workload, run, &accounts, 1, &clusters, 1, transfer_amount)
			.await?;
	let ceiling = track::ceiling(chain, limits, &sample[0]).await?;
	tracing::info!(
		"{}: {:.0} µs charged per extrinsic ({} bytes): the weights admit {} per block, {:.0} per second",
		args.workload.call_name(),
		ceiling.charged_weight as f64 / 1e6,
		ceiling.length_bytes,
		ceiling.per_block,
		ceiling.per_second
	);

	// Funds: fees with a margin, what each extrinsic holds or sends, the user deposit.
	let per_account = u128::from(args.count.div_ceil(args.accounts));
	let (per_extrinsic, user_deposit) = match args.workload {
		Workload::RegisterMedia => {
			let item = at.constants().entry(api::constants().media().deposit_per_item())?;
			let byte = at.constants().entry(api::constants().media().deposit_per_byte())?;
			// The record and two hash-index entries; a record is well under 1 KiB.
			(3 * item + 1024 * byte, at.constants().entry(api::constants().users().user_deposit())?)
		},
		_ => (transfer_amount, 0),
	};
	let fund = 100 * ed
		+ user_deposit
		+ (per_account + 1) * (per_extrinsic + 2 * ceiling.partial_fee.max(ed));
	let (funding, users) = workload::setup(chain, args.workload, funder, &accounts, fund).await?;
	steps.run("fund accounts", funding, Via::Node).await?;
	steps.run("register users", users, Via::Node).await?;

	let first_nonce = u64::from(args.workload == Workload::RegisterMedia);
	let txs = workload::build(
		chain,
		args.workload,
		run,
		&accounts,
		first_nonce,
		&clusters,
		args.count,
		transfer_amount,
	)
	.await?;
	Ok((txs, ceiling))
}

pub(crate) fn summary(r: &PhaseReport) -> String {
	format!(
		"{} submitted, {} rejected, {} included, {} duplicated, {} failed, {} missing{}",
		r.submitted,
		r.rejected,
		r.included,
		r.duplicates,
		r.failed,
		r.missing,
		r.rejections.first().map(|m| format!(" (first rejection: {m})")).unwrap_or_default()
	)
}

fn print_table(r: &Report) {
	let m = &r.measured;
	let max_ms = r.limits.normal_max_weight as f64 / 1e9;
	println!("\n{} × {} from {} accounts", r.count, r.call, r.accounts);
	println!(
		"{:>8} {:>9} {:>9} {:>7} {:>12} {:>7}",
		"block", "time ms", "included", "failed", "weight ms", "full"
	);
	for b in &m.blocks {
		let used = b.normal_weight as f64 / 1e9;
		println!(
			"{:>8} {:>9} {:>9} {:>7} {:>12.1} {:>6.0}%",
			format!("#{}", b.number),
			b.block_time_ms,
			b.included,
			b.failed,
			used,
			100.0 * used / max_ms
		);
	}
	println!("\nsummary: {}", summary(m));
	if let Some(w) = &m.window {
		println!(
			"achieved: {:.1} per second over blocks #{}..#{} ({:.0} s, {} included)",
			w.per_second, w.first_block, w.last_block, w.seconds, w.included
		);
	}
	println!(
		"submission → finalized: p50 {} ms, p90 {} ms, max {} ms; submitted in {:.1} s",
		m.latency.p50_ms, m.latency.p90_ms, m.latency.max_ms, m.submit_seconds
	);
	let Some(c) = &r.ceiling else {
		println!("ceiling: not measured (nothing was included)");
		return;
	};
	println!(
		"ceiling ({}): {:.1} per second ({} per {} ms block; by weight {}, by length {}); {:.0} µs charged each ({:.0} µs call + {:.0} µs base), normal limit {:.0} ms",
		r.ceiling_source,
		c.per_second,
		c.per_block,
		r.limits.slot_ms,
		c.per_block_by_weight,
		c.per_block_by_length,
		c.charged_weight as f64 / 1e6,
		c.call_weight as f64 / 1e6,
		r.limits.base_extrinsic_weight as f64 / 1e6,
		max_ms
	);
	if let Some(w) = &m.window {
		if c.per_second > 0.0 {
			println!("achieved / ceiling: {:.0}%", 100.0 * w.per_second / c.per_second);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_loopback_nodes_are_loaded() {
		let ws = |url| ensure_loopback("--url", url, ["ws://", "wss://"]);
		assert!(ws("ws://127.0.0.1:9944").is_ok());
		assert!(ws("ws://localhost:9944/").is_ok());
		assert!(ws("ws://[::1]:9944").is_ok());
		assert!(ws("ws://10.0.0.5:9944").is_err());
		assert!(ws("wss://rpc.example.org").is_err());
		assert!(ws("http://127.0.0.1:9944").is_err());
		let http = |url| ensure_loopback("--eth-url", url, ["http://", "https://"]);
		assert!(http("http://127.0.0.1:8545").is_ok());
		assert!(http("https://mainnet.example.org").is_err());
		assert!(http("ws://127.0.0.1:8545").is_err());
	}
}
