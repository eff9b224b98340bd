//! The auditor: the campaign's independent witness of what viewers were shown.
//!
//! ```text
//! GET /events/{campaign}/{impression}/{event}?d={ms}   a VAST tracker hit: 204
//! GET /health
//! ```
//!
//! An advertiser names its auditor's account in the campaign (`--auditor`) and its
//! tracker base in its bidder's campaigns file (`"auditor": "http://…"`); the bidder passes
//! it in its bid (`ext.paratii.auditor`) and the exchange adds the auditor's trackers to the
//! ad's VAST next to its own, with the creative's duration in milliseconds as `d`. The
//! player fires them as the ad plays (`impression`, `start`, the quartiles, `complete`).
//!
//! On `complete` the auditor judges the impression once and signs a `Check` for it:
//! - `VIEW` when `start` and the three quartiles came (in any order: beacons travel on
//!   separate connections; up to a second after `complete` counts) and the ad ran at
//!   least half its duration from `start` to `complete`;
//! - `FRAUD` otherwise — a quartile missing, or `complete` sooner than half the ad could
//!   have played (a script hitting the trackers, not a player). The chain pays no
//!   impression its auditor flagged as fraud.
//!
//! The check is signed for the block the auditor's channel node (`--channel-url`, usually
//! the exchange's, where the impression's Win and View go) collects now and for the next
//! one (a View signed as the node seals its part goes to the next block), and posted there.
//! Trackers are beacons a viewer's browser sends: they show what a player did, and
//! a script that imitates one at the ad's pace is not caught here (nor by VAST
//! verification in general).

use axum::{
	extract::{Path, Query, State},
	http::StatusCode,
	response::{IntoResponse, Response},
	routing::get,
	Router,
};
use paratii_client::{
	adx::{self, flags, Body, CampaignId, Channel, ImpressionId},
	http::error,
	Chain,
};
use serde::Deserialize;
use std::{
	collections::HashSet,
	sync::{Arc, RwLock},
	time::{Duration, Instant},
};
use subxt_signer::sr25519::Keypair;

/// The tracking events in the order a player fires them.
const EVENTS: [&str; 6] =
	["impression", "start", "firstQuartile", "midpoint", "thirdQuartile", "complete"];
/// How long an impression's events are remembered.
const WINDOW: Duration = Duration::from_secs(600);
/// Impressions remembered at most (the least recently used go first).
const MAX_IMPRESSIONS: u64 = 1_000_000;
/// The longest ad duration `d` taken (an hour, in milliseconds).
const MAX_DURATION_MS: u64 = 3_600_000;

/// What the auditor saw of one impression.
#[derive(Clone, Default)]
struct Seen {
	/// When each event (by its index in [`EVENTS`]) first came.
	at: [Option<Instant>; 6],
	/// Judged already (a second `complete` changes nothing).
	judged: bool,
}

/// How long after `complete` the auditor judges: trackers travel on separate
/// connections, so a quartile fired just before `complete` may arrive just after it.
const GRACE: Duration = Duration::from_secs(1);

/// The auditor's judgement of an impression whose `complete` came at `complete`.
fn judge(seen: &Seen, complete: Instant, duration: Duration) -> u8 {
	let quartiles = seen.at[1..5].iter().all(Option::is_some);
	let played =
		seen.at[1].is_some_and(|start| complete.saturating_duration_since(start) >= duration / 2);
	if quartiles && played {
		flags::VIEW
	} else {
		flags::FRAUD
	}
}

pub struct Auditor {
	pub chain: Chain,
	pub key: Keypair,
	pub genesis: [u8; 32],
	/// The channel node the checks go to.
	pub channel_url: String,
	pub http: reqwest::Client,
	/// The active campaigns that name this auditor.
	campaigns: RwLock<HashSet<CampaignId>>,
	seen: moka::sync::Cache<(CampaignId, ImpressionId), Seen>,
	metrics: prometheus::IntCounterVec,
	pub registry: prometheus::Registry,
}

impl Auditor {
	pub fn new(chain: Chain, key: Keypair, channel_url: String) -> anyhow::Result<Self> {
		let registry = prometheus::Registry::new_custom(Some("paratii_adx_auditor".into()), None)?;
		let metrics = prometheus::IntCounterVec::new(
			prometheus::Opts::new("checks_total", "checks signed by flag (view, fraud)"),
			&["flag"],
		)?;
		registry.register(Box::new(metrics.clone()))?;
		Ok(Self {
			genesis: chain.genesis_hash(),
			chain,
			key,
			channel_url,
			http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
			campaigns: RwLock::default(),
			seen: moka::sync::Cache::builder()
				.max_capacity(MAX_IMPRESSIONS)
				.time_to_live(WINDOW)
				.build(),
			metrics,
			registry,
		})
	}

	/// Reads which active campaigns name this auditor, every second, for ever.
	pub async fn follow(self: Arc<Self>) {
		let me = self.key.public_key().0;
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		loop {
			tick.tick().await;
			match async { adx::campaigns(&self.chain.at_best().await?).await }.await {
				Ok(list) => {
					*self.campaigns.write().unwrap_or_else(|e| e.into_inner()) =
						list.iter().filter(|c| c.auditor == Some(me)).map(|c| c.id).collect()
				},
				Err(e) => tracing::warn!("reading the campaigns: {e:#}"),
			}
		}
	}

	/// Notes `event` of an impression; whether it is the impression's first `complete`.
	fn note(&self, campaign: CampaignId, impression: ImpressionId, event: usize) -> bool {
		let now = Instant::now();
		let mut first_complete = false;
		self.seen.entry((campaign, impression)).and_compute_with(|entry| {
			let mut seen = entry.map(|e| e.into_value()).unwrap_or_default();
			seen.at[event].get_or_insert(now);
			if event == EVENTS.len() - 1 && !seen.judged {
				seen.judged = true;
				first_complete = true;
			}
			moka::ops::compute::Op::Put(seen)
		});
		first_complete
	}

	/// Judges an impression on its `complete` — at once when it came too soon after
	/// `start` (no later beacon changes that), else [`GRACE`] later — then signs and posts
	/// the check.
	async fn judge_later(
		&self,
		campaign: CampaignId,
		impression: ImpressionId,
		duration: Duration,
	) {
		let too_soon = self.seen.get(&(campaign, impression)).is_some_and(|seen| {
			matches!((seen.at[1], seen.at[EVENTS.len() - 1]),
				(Some(start), Some(complete)) if complete.saturating_duration_since(start) < duration / 2)
		});
		if !too_soon {
			tokio::time::sleep(GRACE).await;
		}
		let Some(seen) = self.seen.get(&(campaign, impression)) else { return };
		let Some(complete) = seen.at[EVENTS.len() - 1] else { return };
		self.check(campaign, impression, judge(&seen, complete, duration)).await
	}

	/// Signs the check for the block the channel node collects and the next, and posts them.
	async fn check(&self, campaign: CampaignId, impression: ImpressionId, flags: u8) {
		let block = match adx::collecting(&self.http, &self.channel_url, campaign).await {
			Ok(block) => block,
			Err(e) => {
				tracing::warn!("campaign {campaign}: the channel node: {e:#}");
				return;
			},
		};
		for (n, block) in [block, block + 1].into_iter().enumerate() {
			let channel = Channel { genesis: self.genesis, campaign, block };
			let check = adx::sign(&self.key, &channel, Body::Check { impression, flags });
			if let Err(e) =
				adx::post_messages(&self.http, &self.channel_url, campaign, block, &[check]).await
			{
				// The next block is refused while the node is between blocks: fine.
				if n == 0 {
					tracing::warn!("check of impression {impression} (block {block}): {e:#}");
				}
			}
		}
		let flag = if flags & adx::flags::FRAUD != 0 { "fraud" } else { "view" };
		self.metrics.with_label_values(&[flag]).inc();
	}
}

#[derive(Deserialize)]
struct Tracker {
	/// The ad's duration in milliseconds, as the exchange's VAST says it.
	#[serde(default)]
	d: u64,
}

pub fn router(auditor: Arc<Auditor>) -> Router {
	async fn event(
		State(a): State<Arc<Auditor>>,
		Path((campaign, impression, event)): Path<(CampaignId, ImpressionId, String)>,
		Query(tracker): Query<Tracker>,
	) -> Response {
		let Some(index) = EVENTS.iter().position(|e| *e == event) else {
			return error(StatusCode::NOT_FOUND, format!("no tracking event {event:?}"));
		};
		if !a.campaigns.read().unwrap_or_else(|e| e.into_inner()).contains(&campaign) {
			return error(
				StatusCode::NOT_FOUND,
				format!("campaign {campaign} is not active or does not name this auditor"),
			);
		}
		let duration = Duration::from_millis(tracker.d.min(MAX_DURATION_MS));
		if a.note(campaign, impression, index) {
			// The player does not wait for the judgement, the signing and the posting.
			let a = a.clone();
			tokio::spawn(async move { a.judge_later(campaign, impression, duration).await });
		}
		StatusCode::NO_CONTENT.into_response()
	}
	async fn metrics(State(a): State<Arc<Auditor>>) -> Response {
		paratii_client::http::metrics_response(&a.registry)
	}
	Router::new()
		.route("/events/:campaign/:impression/:event", get(event))
		.route("/metrics", get(metrics))
		.route("/health", get(|| async { "ok" }))
		.layer(tower_http::cors::CorsLayer::permissive())
		.with_state(auditor)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn seen(offsets_ms: &[Option<u64>]) -> (Seen, Instant) {
		let t0 = Instant::now();
		let mut seen = Seen::default();
		for (i, offset) in offsets_ms.iter().enumerate() {
			seen.at[i] = offset.map(|ms| t0 + Duration::from_millis(ms));
		}
		(seen, t0)
	}

	#[test]
	fn a_played_ad_is_a_view_and_a_scripted_one_fraud() {
		let ten = Duration::from_secs(10);
		let at = |t0: Instant, ms| t0 + Duration::from_millis(ms);
		// A player: start, the quartiles, complete after 10 s.
		let (s, t0) = seen(&[Some(0), Some(50), Some(2_600), Some(5_100), Some(7_600)]);
		assert_eq!(judge(&s, at(t0, 10_050), ten), flags::VIEW);
		// The third quartile's beacon overtaken by complete's: still a view.
		let (s, t0) = seen(&[Some(0), Some(50), Some(2_600), Some(5_100), Some(10_060)]);
		assert_eq!(judge(&s, at(t0, 10_050), ten), flags::VIEW);
		// Tracker hits one after another: complete 30 ms after start.
		let (s, t0) = seen(&[Some(0), Some(1), Some(2), Some(3), Some(4)]);
		assert_eq!(judge(&s, at(t0, 30), ten), flags::FRAUD);
		// A quartile missing; no start at all.
		let (s, t0) = seen(&[Some(0), Some(50), Some(2_600), None, Some(7_600)]);
		assert_eq!(judge(&s, at(t0, 10_050), ten), flags::FRAUD);
		let (s, t0) = seen(&[Some(0), None, Some(2_600), Some(5_100), Some(7_600)]);
		assert_eq!(judge(&s, at(t0, 10_050), ten), flags::FRAUD);
	}
}
