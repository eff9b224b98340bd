//! When the relayer anchors, and how it follows the validator sets.
//!
//! The contract knows the **current** BEEFY set and the **next** one: from its
//! deployment (`paratii-relayer deploy` reads both at one block), then from the MMR leaf
//! of each handover, which names the set after the signing one. For each justification
//! of block `b` signed by set `s`:
//!
//! - `b` ≤ the contract's latest block: nothing to do (already covered);
//! - `s` = current: anchored with `submitWithHandover` when the contract does not
//!   know the next set (only a contract deployed before it took the next set in its
//!   constructor), otherwise with `submit` when `--every-blocks` blocks or `--every-secs` seconds passed since the last
//!   anchor — the gas/freshness trade-off;
//! - `s` = current + 1 (a session changed: BEEFY's first justification of a session
//!   is its mandatory block, signed by the new set): anchored at once with
//!   `submitWithHandover`, which moves the contract to the new set and learns the one
//!   after it;
//! - `s` further ahead (the relayer was away over session changes): it walks the
//!   sessions in between with the justifications the node stores with blocks —
//!   each session's mandatory block, found by a binary search over the MMR leaves
//!   (their `next_authority_set_id` is the set id + 1 at each block; the MMR is kept
//!   off-chain for every block, where old state may be pruned).
//!
//! A transaction that would revert is not sent (`eth_estimateGas` first); one that a
//! competing relayer made stale (`StaleCommitment`, refused at estimation or mined and
//! reverted: the wallet replays a mined revert to decode it) only refreshes the position.
//! An anchor not mined within `--replace-after-secs` is replaced with fees an eighth
//! higher, within the bound (`Wallet::send`).
//! Above the gas price bound nothing is sent; it retries every few seconds.

use alloy_primitives::Address;
use anyhow::{anyhow, bail, Context};
use paratii_client::{
	bridge::SignedCommitment,
	ethereum::{
		keyset_address, quorum, revert_reason, Anchor, AnchorState, GasPriceTooHigh, Wallet,
	},
	http::{metrics_response, registered, serve},
	Chain,
};
use prometheus::{IntCounter, IntGauge, Registry};
use std::{
	net::SocketAddr,
	sync::Arc,
	time::{Duration, Instant},
};

/// How often to anchor.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
	pub every_blocks: u32,
	pub every: Duration,
}

/// The relayer's Prometheus metrics.
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
	last_anchored_block: IntGauge,
	beefy_block: IntGauge,
	lag_blocks: IntGauge,
	last_anchor_gas: IntGauge,
	anchors: IntCounter,
	handovers: IntCounter,
	gas_used: IntCounter,
	validator_set_id: IntGauge,
}

impl Metrics {
	fn new() -> anyhow::Result<Self> {
		let registry = Registry::new_custom(Some("paratii_relayer".into()), None)?;
		let gauge = |name: &str, help: &str| registered(&registry, IntGauge::new(name, help)?);
		let counter = |name: &str, help: &str| registered(&registry, IntCounter::new(name, help)?);
		Ok(Self {
			last_anchored_block: gauge(
				"last_anchored_block",
				"The latest block anchored on Ethereum",
			)?,
			beefy_block: gauge(
				"beefy_block",
				"The latest block BEEFY finalized, as the relayer saw it",
			)?,
			lag_blocks: gauge("lag_blocks", "BEEFY-finalized blocks not anchored yet")?,
			last_anchor_gas: gauge("last_anchor_gas", "Gas used by the latest anchor transaction")?,
			anchors: counter("anchors_total", "Anchor transactions sent and mined")?,
			handovers: counter(
				"handovers_total",
				"Anchors that moved the contract to a new validator set",
			)?,
			gas_used: counter("gas_used_total", "Gas used by all anchor transactions")?,
			validator_set_id: gauge("validator_set_id", "The contract's current validator set id")?,
			registry,
		})
	}
}

/// Serves `/metrics` and `/health`.
pub async fn serve_metrics(metrics: Arc<Metrics>, addr: SocketAddr) -> anyhow::Result<()> {
	use axum::routing::get;
	let router = axum::Router::new()
		.route("/metrics", get(move || async move { metrics_response(&metrics.registry) }))
		.route("/health", get(|| async { "ok" }));
	serve(router, addr, "relayer metrics").await
}

pub struct Relayer {
	chain: Chain,
	anchor: Anchor,
	wallet: Wallet,
	policy: Policy,
	pub metrics: Arc<Metrics>,
	state: AnchorState,
	last_anchor: Instant,
	/// The newest justification seen, retried on a timer (gas price, time policy).
	newest: Option<SignedCommitment>,
}

/// What an anchor transaction is for, in the logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
	/// `submit`: the same set as the contract's current one.
	Plain,
	/// `submitWithHandover` signed by the current set: learns the next one.
	LearnNext,
	/// `submitWithHandover` signed by the next set: the contract moves to it.
	Handover,
}

impl Relayer {
	pub async fn new(
		chain: Chain,
		anchor: Anchor,
		wallet: Wallet,
		policy: Policy,
	) -> anyhow::Result<Self> {
		anchor.check_deployed().await?;
		let genesis = anchor.genesis_hash().await?;
		if genesis != chain.genesis_hash() {
			bail!(
				"the contract {} follows the chain with genesis {}, the node is on {}",
				anchor.address,
				paratii_client::content::hex_hash(&genesis),
				paratii_client::content::hex_hash(&chain.genesis_hash())
			);
		}
		let state = anchor.state().await?;
		let metrics = Arc::new(Metrics::new()?);
		tracing::info!(
			"ParatiiAnchor {}: latest anchored block {}, set {} ({} validators), next set {}",
			anchor.address,
			state.latest_block,
			state.current.id,
			state.current.len,
			if state.knows_next() {
				format!("{} known", state.next.id)
			} else {
				"not known yet".into()
			}
		);
		let relayer = Self {
			chain,
			anchor,
			wallet,
			policy,
			metrics,
			state,
			last_anchor: Instant::now(),
			newest: None,
		};
		relayer.update_metrics();
		Ok(relayer)
	}

	fn update_metrics(&self) {
		let m = &self.metrics;
		m.last_anchored_block.set(self.state.latest_block.into());
		m.validator_set_id.set(self.state.current.id as i64);
		if let Some(j) = &self.newest {
			m.beefy_block.set(j.block_number.into());
			m.lag_blocks.set(j.block_number.saturating_sub(self.state.latest_block).into());
		}
	}

	async fn refresh(&mut self) -> anyhow::Result<()> {
		self.state = self.anchor.state().await?;
		self.update_metrics();
		Ok(())
	}

	/// Follows BEEFY until the node goes away.
	pub async fn run(mut self) -> anyhow::Result<()> {
		// What BEEFY finalized while the relayer was not running (BEEFY's RPC answers
		// once the voter has started, a few blocks into a new chain).
		let started = Instant::now();
		let mut backoff = paratii_client::Backoff::new(Duration::from_secs(4));
		let head = loop {
			match self.chain.beefy_finalized_head().await {
				Ok(head) => break head,
				Err(e) if started.elapsed() < Duration::from_secs(600) => {
					backoff.wait("waiting for BEEFY", &e).await;
				},
				Err(e) => return Err(e),
			}
		};
		if let Some(j) = self.chain.beefy_justification_at(head).await? {
			tracing::info!("BEEFY finalized block {} (set {})", j.block_number, j.validator_set_id);
			self.newest = Some(j);
			self.step_logged().await;
		}
		let mut justifications = self.chain.subscribe_beefy_justifications().await?;
		let mut retry = tokio::time::interval(Duration::from_secs(5));
		retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		loop {
			tokio::select! {
				next = justifications.next() => {
					let bytes = match next {
						Some(Ok(bytes)) => bytes,
						Some(Err(e)) => {
							tracing::warn!("BEEFY justification subscription: {e}");
							continue;
						},
						None => bail!("the node closed the BEEFY justification subscription"),
					};
					match SignedCommitment::decode(&bytes.0) {
						Ok(j) => {
							tracing::debug!("justification of block {} (set {})", j.block_number, j.validator_set_id);
							self.newest = Some(j);
							self.update_metrics();
							self.step_logged().await;
						},
						Err(e) => tracing::warn!("undecodable BEEFY justification: {e:#}"),
					}
				},
				_ = retry.tick() => self.step_logged().await,
			}
		}
	}

	async fn step_logged(&mut self) {
		if let Err(e) = self.step().await {
			if let Some(high) = e.downcast_ref::<GasPriceTooHigh>() {
				tracing::warn!("not anchoring yet: {high}");
			} else {
				tracing::warn!("anchoring failed, retrying: {e:#}");
			}
			// The position may have moved (another relayer, a mined transaction).
			if let Err(e) = self.refresh().await {
				tracing::warn!("reading the contract: {e:#}");
			}
		}
	}

	/// Anchors what the newest justification calls for.
	async fn step(&mut self) -> anyhow::Result<()> {
		let Some(j) = self.newest.clone() else { return Ok(()) };
		loop {
			let s = &self.state;
			if j.block_number <= s.latest_block {
				return Ok(());
			}
			let current = s.current.id;
			if j.validator_set_id == current {
				if !s.knows_next() {
					return self.submit(&j, Kind::LearnNext).await;
				}
				let blocks = j.block_number - s.latest_block;
				if blocks >= self.policy.every_blocks
					|| self.last_anchor.elapsed() >= self.policy.every
				{
					return self.submit(&j, Kind::Plain).await;
				}
				return Ok(());
			}
			if j.validator_set_id < current {
				tracing::warn!(
					"justification of block {} by set {}, older than the contract's set {current}",
					j.block_number,
					j.validator_set_id
				);
				return Ok(());
			}
			if j.validator_set_id == current + 1 && s.knows_next() {
				return self.submit(&j, Kind::Handover).await;
			}
			// Sessions went by unanchored: one step toward `j`'s set, then look again.
			let (step, kind) = self.catch_up_step(j.block_number).await?;
			self.submit(&step, kind).await?;
		}
	}

	/// The next justification that moves the contract toward a later set: the
	/// mandatory block of the next set (when the contract knows it), else the latest
	/// justification by the current set (to learn the next one).
	async fn catch_up_step(&self, limit: u32) -> anyhow::Result<(SignedCommitment, Kind)> {
		let s = &self.state;
		let from = s.latest_block + 1;
		let next_start = self.chain.first_block_of_set(s.current.id + 1, from, limit).await?;
		if s.knows_next() {
			let next = s.current.id + 1;
			let m =
				next_start.ok_or_else(|| anyhow!("no block of set {next} in {from}..={limit}"))?;
			tracing::info!("catching up: set {next} starts at block {m}");
			// The mandatory block's justification, or if a copy padded with invalid
			// signatures was stored in its place (BEEFY keeps them: a quorum of valid ones
			// is enough for it), a later justification of the same set.
			for n in m..=limit {
				let Some(j) = self.chain.beefy_justification(n).await? else { continue };
				if j.validator_set_id != next {
					break;
				}
				if self.has_valid_quorum(&j).await? {
					return Ok((j, Kind::Handover));
				}
				tracing::warn!(
					"the justification of block {n} has no quorum of valid signatures; \
					 looking for a later one of set {next}"
				);
			}
			bail!(
				"no justification of set {next} with a quorum of valid signatures in {m}..={limit}"
			);
		}
		// A justification by the current set after the latest anchor: scan back from
		// the block before the next set starts.
		let end = next_start.map_or(limit, |m| m - 1);
		tracing::info!(
			"catching up: looking for a justification by set {} in blocks {from}..={end}",
			s.current.id
		);
		for n in (from..=end).rev() {
			if let Some(j) = self.chain.beefy_justification(n).await? {
				if j.validator_set_id == s.current.id && self.has_valid_quorum(&j).await? {
					return Ok((j, Kind::LearnNext));
				}
			}
		}
		bail!(
			"no BEEFY justification by set {} after block {}: the contract cannot learn the \
			 next set (was it deployed with a set the chain had already left?)",
			s.current.id,
			s.latest_block
		)
	}

	/// Whether a quorum of `j`'s signatures recover to their validators (what the
	/// contract checks; an anchor sends exactly such a quorum).
	async fn has_valid_quorum(&self, j: &SignedCommitment) -> anyhow::Result<bool> {
		let validators = self.validators(j).await?;
		Ok(j.valid_signatures(&validators).len() >= quorum(validators.len()))
	}

	/// The Ethereum addresses of the set that signed `j`, in authority order.
	async fn validators(&self, j: &SignedCommitment) -> anyhow::Result<Vec<Address>> {
		let hash = self.chain.block_hash(j.block_number).await?;
		let (id, keys) = match self.chain.beefy_authorities_at(hash).await {
			Ok(set) => set,
			// The state of an old block may be pruned; the set is the same for as long
			// as its session lasts.
			Err(e) => {
				tracing::debug!(
					"authorities at block {}: {e:#}; trying the finalized state",
					j.block_number
				);
				let finalized = self.chain.at_finalized().await?.block_hash();
				self.chain.beefy_authorities_at(finalized).await?
			},
		};
		if id != j.validator_set_id {
			bail!(
				"block {} was signed by set {}, the node's state has set {id} (run the relayer \
				 against an archive node to catch up this far)",
				j.block_number,
				j.validator_set_id
			);
		}
		Ok(keys.iter().map(keyset_address).collect())
	}

	async fn submit(&mut self, j: &SignedCommitment, kind: Kind) -> anyhow::Result<()> {
		let validators = self.validators(j).await?;
		let data = match kind {
			Kind::Plain => Anchor::submit_call(j, &validators)?,
			Kind::LearnNext | Kind::Handover => {
				let leaf = self.chain.mmr_proof(j.block_number, j.block_number).await?;
				Anchor::submit_with_handover_call(j, &validators, &leaf)?
			},
		};
		let receipt = match self.wallet.send(Some(self.anchor.address), data).await {
			Ok(receipt) => receipt,
			Err(e) => {
				// Refused at estimation, or mined after a competitor's anchor and reverted.
				if revert_reason(&e).is_some_and(|r| r.starts_with("StaleCommitment")) {
					tracing::info!(
						"block {} is anchored already (another relayer?)",
						j.block_number
					);
					return self.refresh().await;
				}
				return Err(e).with_context(|| format!("anchoring block {}", j.block_number));
			},
		};
		self.last_anchor = Instant::now();
		let m = &self.metrics;
		m.anchors.inc();
		m.gas_used.inc_by(receipt.gas_used);
		m.last_anchor_gas.set(receipt.gas_used as i64);
		if kind == Kind::Handover {
			m.handovers.inc();
		}
		tracing::info!(
			"anchored block {} (set {}, {} of {} signatures{}) in Ethereum block {}, tx {}: {} gas",
			j.block_number,
			j.validator_set_id,
			j.signer_count(),
			validators.len(),
			match kind {
				Kind::Plain => "",
				Kind::LearnNext => ", learning the next set",
				Kind::Handover => ", handover to this set",
			},
			receipt.block_number,
			receipt.tx_hash,
			receipt.gas_used
		);
		self.refresh().await
	}
}
