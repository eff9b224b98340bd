//! Submitting a phase's extrinsics and following the finalized chain to see what each
//! block included: counts, weight, block times, inclusion latency.

use crate::Tx;
use codec::{Compact, Decode};
use futures::StreamExt;
use paratii_client::{api, ethereum::EthRpc, AtBlock, Chain, ChainConfig};
use serde::Serialize;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use subxt::{
	client::OfflineClientAtBlockT, events::Phase, extrinsics::Extrinsic, rpcs::rpc_params,
};

/// What the runtime admits per block and how long a block is.
#[derive(Clone, Debug, Serialize)]
pub struct Limits {
	/// Most weight normal extrinsics may use in a block, picoseconds.
	pub normal_max_weight: u64,
	/// Weight every extrinsic is charged on top of its call, picoseconds.
	pub base_extrinsic_weight: u64,
	/// Most bytes normal extrinsics may fill in a block.
	pub normal_max_length: u32,
	/// The Aura slot: one block per slot.
	pub slot_ms: u64,
}

impl Limits {
	pub fn read(at: &AtBlock) -> anyhow::Result<Self> {
		let weights = at.constants().entry(api::constants().system().block_weights())?;
		let length = at.constants().entry(api::constants().system().block_length())?;
		let normal = weights.per_class.normal;
		let minimum_period = at.constants().entry(api::constants().timestamp().minimum_period())?;
		Ok(Self {
			normal_max_weight: normal.max_total.map_or(weights.max_block.ref_time, |w| w.ref_time),
			base_extrinsic_weight: normal.base_extrinsic.ref_time,
			normal_max_length: length.max.normal,
			slot_ms: minimum_period * 2,
		})
	}
}

/// What the weights predict for one kind of extrinsic.
#[derive(Clone, Debug, Serialize)]
pub struct Ceiling {
	/// The call's weight (`TransactionPaymentApi::query_info`), picoseconds.
	pub call_weight: u64,
	/// Call weight plus the base extrinsic weight: what a block charges for it.
	pub charged_weight: u64,
	pub length_bytes: u32,
	pub partial_fee: u128,
	pub per_block_by_weight: u64,
	pub per_block_by_length: u64,
	pub per_block: u64,
	pub per_second: f64,
}

impl Ceiling {
	/// How many extrinsics charged `call_weight` (plus the base extrinsic weight) and
	/// `length_bytes` long fit in a block, and per second.
	pub fn new(limits: &Limits, call_weight: u64, length_bytes: u32, partial_fee: u128) -> Self {
		let charged = call_weight.saturating_add(limits.base_extrinsic_weight).max(1);
		let by_weight = limits.normal_max_weight / charged;
		let by_length = u64::from(limits.normal_max_length) / u64::from(length_bytes.max(1));
		let per_block = by_weight.min(by_length);
		Self {
			call_weight,
			charged_weight: charged,
			length_bytes,
			partial_fee,
			per_block_by_weight: by_weight,
			per_block_by_length: by_length,
			per_block,
			per_second: per_block as f64 * 1000.0 / limits.slot_ms as f64,
		}
	}

	/// For Ethereum transactions, whose weight before dispatch is only their gas limit:
	/// the normal weight the phase's blocks were charged per included transaction (after
	/// refunds, as a block builder counts it) and their mean length.
	pub fn measured(limits: &Limits, phase: &PhaseReport) -> Option<Self> {
		let blocks = phase.blocks.iter().filter(|b| b.included > 0);
		let (weight, included, bytes) = blocks.fold((0u64, 0u64, 0u64), |(w, n, l), b| {
			(w.saturating_add(b.normal_weight), n + u64::from(b.included), l + b.bytes)
		});
		let charged = weight.checked_div(included)?;
		let length = (bytes / included) as u32;
		Some(Self::new(limits, charged.saturating_sub(limits.base_extrinsic_weight), length, 0))
	}
}

/// Weight and fee of `tx` as the runtime computes them, and the resulting ceiling.
pub async fn ceiling(chain: &Chain, limits: &Limits, tx: &Tx) -> anyhow::Result<Ceiling> {
	let mut args = tx.bytes.clone();
	args.extend((tx.bytes.len() as u32).to_le_bytes());
	let out: String = chain
		.raw_rpc()
		.request(
			"state_call",
			rpc_params!["TransactionPaymentApi_query_info", format!("0x{}", hex::encode(args))],
		)
		.await?;
	let bytes = hex::decode(out.trim_start_matches("0x"))?;
	let (Compact(ref_time), Compact(_proof), _class, partial_fee) =
		<(Compact<u64>, Compact<u64>, u8, u128)>::decode(&mut &bytes[..])?;
	Ok(Ceiling::new(limits, ref_time, tx.bytes.len() as u32, partial_fee))
}

/// One finalized block of a phase.
#[derive(Clone, Debug, Serialize)]
pub struct BlockStat {
	pub number: u32,
	/// Its timestamp minus its parent's.
	pub block_time_ms: u64,
	pub timestamp_ms: u64,
	/// Every extrinsic in it, inherents included.
	pub extrinsics: u32,
	/// The phase's extrinsics in it.
	pub included: u32,
	/// Of those, how many failed to dispatch (`System.ExtrinsicFailed`).
	pub failed: u32,
	/// Weight normal extrinsics used (`System.BlockWeight`), picoseconds.
	pub normal_weight: u64,
	/// Bytes of the phase's extrinsics in it.
	pub bytes: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
	pub p50_ms: u64,
	pub p90_ms: u64,
	pub max_ms: u64,
}

/// The steady window: full blocks between the phase's first and last (partial) ones.
#[derive(Clone, Debug, Serialize)]
pub struct Window {
	pub first_block: u32,
	pub last_block: u32,
	pub seconds: f64,
	pub included: u64,
	pub per_second: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhaseReport {
	pub name: String,
	pub submitted: u64,
	/// Refused by the node's pool at submission (not retried).
	pub rejected: u64,
	/// Included in a finalized block (each counted once).
	pub included: u64,
	/// Extrinsics seen in more than one block (must be zero).
	pub duplicates: u64,
	pub failed: u64,
	/// Submitted but not seen in a finalized block when the phase ended.
	pub missing: u64,
	pub submit_seconds: f64,
	pub seconds: f64,
	/// Submission to finalized inclusion.
	pub latency: Latency,
	pub window: Option<Window>,
	pub rejections: Vec<String>,
	pub blocks: Vec<BlockStat>,
}

impl PhaseReport {
	/// Every extrinsic submitted, included exactly once, dispatched without error.
	pub fn all_included_once(&self) -> bool {
		self.rejected == 0 && self.duplicates == 0 && self.failed == 0 && self.missing == 0
	}
}

#[derive(Default)]
struct State {
	submitted_at: Vec<Option<Instant>>,
	rejected: Vec<bool>,
	rejections: Vec<String>,
	submitted_all: bool,
}

/// Where a phase's transactions go.
#[derive(Clone, Copy)]
pub enum Via<'a> {
	/// The node's `author_submitExtrinsic`: signed extrinsics.
	Node,
	/// An Ethereum JSON-RPC's `eth_sendRawTransaction` (paratii-eth-rpc): raw Ethereum
	/// transactions, which reach blocks as `Revive::eth_transact` extrinsics.
	Eth(&'a EthRpc),
}

impl Via<'_> {
	/// Submits one transaction, `hex` its bytes as `0x…` (both RPCs take them so).
	async fn submit(&self, chain: &Chain, hex: &str) -> Result<(), String> {
		match self {
			Via::Node => chain
				.raw_rpc()
				.request::<serde_json::Value>("author_submitExtrinsic", rpc_params![hex])
				.await
				.map(drop)
				.map_err(|e| e.to_string()),
			Via::Eth(rpc) => rpc
				.request("eth_sendRawTransaction", serde_json::json!([hex]))
				.await
				.map(drop)
				.map_err(|e| format!("{e:#}")),
		}
	}
}

/// What identifies an extrinsic of a phase in a block: an Ethereum transaction's hash
/// (keccak-256 of the raw transaction `Revive::eth_transact` carries), else the
/// extrinsic's own hash.
fn phase_key<C: OfflineClientAtBlockT<ChainConfig> + Clone>(
	ext: &Extrinsic<'_, ChainConfig, C>,
) -> [u8; 32] {
	if ext.pallet_name() == "Revive" && ext.call_name() == "eth_transact" {
		if let Ok(payload) = Vec::<u8>::decode(&mut ext.call_data_field_bytes()) {
			return alloy_primitives::keccak256(&payload).0;
		}
	}
	ext.hash().0
}

/// Whether `event` says extrinsic's dispatch failed: `System.ExtrinsicFailed`, or for an
/// Ethereum transaction `Revive.EthExtrinsicRevert` (a reverted call is included and
/// charged, but fails).
fn is_failure(pallet: &str, event: &str) -> bool {
	matches!((pallet, event), ("System", "ExtrinsicFailed") | ("Revive", "EthExtrinsicRevert"))
}

/// Errors after which the same extrinsic may be submitted again: the pool is full or
/// busy, which a block frees.
fn retryable(message: &str) -> bool {
	["1016", "Immediately Dropped", "pool is full", "1014"].iter().any(|m| message.contains(m))
}

/// Errors that say the extrinsic is in the pool already: a retried submission whose first
/// attempt got in after all (seen through paratii-eth-rpc under load). It was submitted.
fn already_in_pool(message: &str) -> bool {
	["1013", "Already Imported", "already imported"].iter().any(|m| message.contains(m))
}

/// Submits `txs` (`via` the node or an Ethereum RPC, at most `in_flight` at once) and
/// follows finalized blocks until every accepted one is included or `deadline` passes.
pub async fn run_phase(
	chain: &Chain,
	name: &str,
	txs: &[Tx],
	via: Via<'_>,
	in_flight: usize,
	deadline: Instant,
) -> anyhow::Result<PhaseReport> {
	let started = Instant::now();
	let index: HashMap<[u8; 32], usize> =
		txs.iter().enumerate().map(|(i, tx)| (tx.hash, i)).collect();
	let state = Arc::new(Mutex::new(State {
		submitted_at: vec![None; txs.len()],
		rejected: vec![false; txs.len()],
		..Default::default()
	}));
	let first_block = chain.finalized_number().await? as u32 + 1;
	tracing::info!("{name}: submitting {} extrinsics from block #{first_block}", txs.len());

	let submit = {
		let state = state.clone();
		async move {
			futures::stream::iter(txs.iter().enumerate())
				.for_each_concurrent(in_flight, |(i, tx)| {
					let state = state.clone();
					async move {
						let hex = format!("0x{}", hex::encode(&tx.bytes));
						loop {
							let sent_at = Instant::now();
							let result = via.submit(chain, &hex).await;
							let mut s = state.lock().expect("state lock");
							match result {
								Ok(()) => {
									s.submitted_at[i] = Some(sent_at);
									return;
								},
								Err(message) if already_in_pool(&message) => {
									s.submitted_at[i].get_or_insert(sent_at);
									return;
								},
								Err(message) => {
									if retryable(&message) && Instant::now() < deadline {
										drop(s);
										// The pool frees room as blocks include extrinsics.
										tokio::time::sleep(Duration::from_millis(200)).await;
										continue;
									}
									s.rejected[i] = true;
									if s.rejections.len() < 10 {
										s.rejections.push(message);
									}
									return;
								},
							}
						}
					}
				})
				.await;
			state.lock().expect("state lock").submitted_all = true;
		}
	};

	let follow = async {
		let mut seen = vec![0u32; txs.len()];
		let mut finalized_at: Vec<Option<Instant>> = vec![None; txs.len()];
		let mut blocks = Vec::new();
		let mut next = first_block;
		let mut previous_ts = timestamp(chain, next - 1).await?;
		let mut last_progress = Instant::now();
		loop {
			let head = chain.finalized_number().await? as u32;
			while next <= head {
				let at = chain.at_number(next).await?;
				let extrinsics = at.extrinsics().fetch().await?;
				let mut ours = HashMap::new();
				let mut bytes = 0u64;
				for ext in extrinsics.iter() {
					let ext = ext?;
					if let Some(&i) = index.get(&phase_key(&ext)) {
						ours.insert(ext.index() as u32, i);
						bytes += ext.bytes().len() as u64;
						seen[i] += 1;
						finalized_at[i].get_or_insert_with(Instant::now);
					}
				}
				let events = at.events().fetch().await?;
				let mut failed = 0;
				for event in events.iter() {
					let event = event?;
					if let Phase::ApplyExtrinsic(x) = event.phase() {
						if ours.contains_key(&x)
							&& is_failure(event.pallet_name(), event.event_name())
						{
							failed += 1;
						}
					}
				}
				let weight = at
					.storage()
					.fetch(api::storage().system().block_weight(), ())
					.await?
					.decode()?;
				let ts = timestamp_at(&at).await?;
				let stat = BlockStat {
					number: next,
					// Genesis has no timestamp: block #1 has no block time.
					block_time_ms: if previous_ts == 0 {
						0
					} else {
						ts.saturating_sub(previous_ts)
					},
					timestamp_ms: ts,
					extrinsics: extrinsics.len() as u32,
					included: ours.len() as u32,
					failed,
					normal_weight: weight.normal.ref_time,
					bytes,
				};
				if stat.included > 0 {
					last_progress = Instant::now();
				}
				tracing::info!(
					"{name}: #{} +{} ms: {} of ours ({} failed), {} extrinsics, normal weight {:.1} ms",
					stat.number,
					stat.block_time_ms,
					stat.included,
					stat.failed,
					stat.extrinsics,
					stat.normal_weight as f64 / 1e9
				);
				previous_ts = ts;
				blocks.push(stat);
				next += 1;
			}
			let (done, submitted_all) = {
				let s = state.lock().expect("state lock");
				let pending = (0..txs.len()).any(|i| !s.rejected[i] && seen[i] == 0);
				(!pending && s.submitted_all, s.submitted_all)
			};
			if done {
				break;
			}
			if Instant::now() >= deadline {
				tracing::warn!("{name}: time is up with extrinsics still pending");
				break;
			}
			if submitted_all && last_progress.elapsed() > Duration::from_secs(60) {
				tracing::warn!("{name}: no extrinsic of ours included for 60 s; giving up");
				break;
			}
			// Polls the finalized head; blocks come every slot.
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
		anyhow::Ok((seen, finalized_at, blocks))
	};

	let ((), followed) = futures::join!(submit, follow);
	let (seen, finalized_at, blocks) = followed?;
	let s = state.lock().expect("state lock");
	let submit_end = s.submitted_at.iter().flatten().max().copied().unwrap_or(started);
	let mut latencies: Vec<u64> = (0..txs.len())
		.filter_map(
			|i| Some(finalized_at[i]?.duration_since(s.submitted_at[i]?).as_millis() as u64),
		)
		.collect();
	latencies.sort_unstable();
	let pick = |q: f64| -> u64 {
		if latencies.is_empty() {
			0
		} else {
			latencies[((latencies.len() - 1) as f64 * q).round() as usize]
		}
	};
	let rejected = s.rejected.iter().filter(|r| **r).count() as u64;
	Ok(PhaseReport {
		name: name.to_string(),
		submitted: s.submitted_at.iter().flatten().count() as u64,
		rejected,
		included: seen.iter().filter(|n| **n > 0).count() as u64,
		duplicates: seen.iter().filter(|n| **n > 1).count() as u64,
		failed: blocks.iter().map(|b| u64::from(b.failed)).sum(),
		missing: (0..txs.len()).filter(|&i| !s.rejected[i] && seen[i] == 0).count() as u64,
		submit_seconds: submit_end.duration_since(started).as_secs_f64(),
		seconds: started.elapsed().as_secs_f64(),
		latency: Latency { p50_ms: pick(0.5), p90_ms: pick(0.9), max_ms: pick(1.0) },
		window: steady_window(&blocks),
		rejections: s.rejections.clone(),
		blocks,
	})
}

/// A run's set-up steps, each run to completion (every transaction included once,
/// dispatched without error) before the next.
pub struct Steps<'a> {
	pub chain: &'a Chain,
	pub in_flight: usize,
	/// How long each step may take.
	pub patience: Duration,
	pub reports: Vec<PhaseReport>,
}

impl Steps<'_> {
	pub async fn run(&mut self, name: &str, txs: Vec<Tx>, via: Via<'_>) -> anyhow::Result<()> {
		if txs.is_empty() {
			return Ok(());
		}
		let deadline = Instant::now() + self.patience;
		let report = run_phase(self.chain, name, &txs, via, self.in_flight, deadline).await?;
		if !report.all_included_once() {
			anyhow::bail!("set-up step '{name}' did not complete: {}", crate::summary(&report));
		}
		self.reports.push(report);
		Ok(())
	}
}

async fn timestamp(chain: &Chain, number: u32) -> anyhow::Result<u64> {
	timestamp_at(&chain.at_number(number).await?).await
}

/// `Timestamp::Now` in the state `at`.
async fn timestamp_at(at: &AtBlock) -> anyhow::Result<u64> {
	Ok(at.storage().fetch(api::storage().timestamp().now(), ()).await?.decode()?)
}

/// The blocks that included the phase's extrinsics, without the first and the last
/// (filled only in part while submission ramps up and the pool drains); all of them
/// when there are fewer than three. Time is measured between block timestamps, from
/// the window's first block's parent.
pub fn steady_window(blocks: &[BlockStat]) -> Option<Window> {
	let first = blocks.iter().position(|b| b.included > 0)?;
	let last = blocks.iter().rposition(|b| b.included > 0)?;
	let (from, to) = if last >= first + 2 { (first + 1, last - 1) } else { (first, last) };
	let window = &blocks[from..=to];
	let ms: u64 = window.iter().map(|b| b.block_time_ms).sum();
	let included: u64 = window.iter().map(|b| u64::from(b.included)).sum();
	let seconds = ms as f64 / 1000.0;
	Some(Window {
		first_block: window[0].number,
		last_block: window[window.len() - 1].number,
		seconds,
		included,
		per_second: if seconds > 0.0 { included as f64 / seconds } else { 0.0 },
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn block(number: u32, included: u32) -> BlockStat {
		BlockStat {
			number,
			block_time_ms: 6_000,
			timestamp_ms: u64::from(number) * 6_000,
			extrinsics: included + 1,
			included,
			failed: 0,
			normal_weight: 0,
			bytes: 0,
		}
	}

	#[test]
	fn the_steady_window_leaves_out_the_ramp_up_and_the_drain() {
		let blocks = [block(1, 0), block(2, 10), block(3, 600), block(4, 600), block(5, 7)];
		let w = steady_window(&blocks).unwrap();
		assert_eq!((w.first_block, w.last_block, w.included), (3, 4, 1200));
		assert_eq!(w.per_second, 100.0);
		// Two blocks: both count.
		let w = steady_window(&[block(1, 5), block(2, 7)]).unwrap();
		assert_eq!((w.first_block, w.last_block, w.included), (1, 2, 12));
		assert!(steady_window(&[block(1, 0)]).is_none());
	}

	#[test]
	fn a_full_pool_is_retried_and_an_invalid_transaction_is_not() {
		assert!(retryable("1016: Immediately Dropped: The transaction couldn't enter the pool"));
		assert!(!retryable("1010: Invalid Transaction: Inability to pay some fees"));
		assert!(!retryable("1012: Transaction is temporarily banned"));
		assert!(already_in_pool("eth_sendRawTransaction: Transaction Already Imported"));
		assert!(already_in_pool("1013: Transaction Already Imported"));
		assert!(!already_in_pool("1010: Invalid Transaction: Inability to pay some fees"));
	}
}
