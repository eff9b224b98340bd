//! The gateway's Prometheus metrics (`GET /metrics` on either role's listener).

use axum::response::Response;
use paratii_client::http::{metrics_response, registered};
use prometheus::{IntCounter, IntCounterVec, Opts, Registry};

pub struct Metrics {
	registry: Registry,
	/// Uploads by outcome (`stored` or the refusal's status code).
	pub uploads: IntCounterVec,
	/// Downloads by outcome (`ok`, `head`: answered from the record, `gone`, `not_found`,
	/// `failed`, `payment_required`, `forbidden`).
	pub downloads: IntCounterVec,
	/// A cluster that failed and the next one was tried, by reason (`store`,
	/// `unreachable`, `status`, `mismatch`, `io`).
	pub cluster_fallbacks: IntCounterVec,
	pub cache_hits: IntCounter,
	pub cache_misses: IntCounter,
	/// Completed views by fate (`queued`, `dropped`: queue full, `repeated`: same
	/// viewer and item within the view window, `counted`: by the chain, `unregistered`:
	/// refused by the chain, the viewer not being a registered user).
	pub views: IntCounterVec,
	/// `users.recordViews` batches by outcome (`submitted`, `refused`, `failed`).
	pub view_batches: IntCounterVec,
	/// `/media/{id}/proof` answers by source (`cache`: built before at the same best
	/// block, `chain`: built now).
	pub proofs: IntCounterVec,
	/// Records downloads read (an item with its price, a purchase, a CID's holder) by
	/// source (`cache`: read before at the same finalized block, `chain`: read now).
	pub records: IntCounterVec,
	/// Video jobs by outcome (`queued`, `done`, `failed`).
	pub jobs: IntCounterVec,
	/// Seconds of video transcoded.
	pub transcoded_seconds: IntCounter,
	/// Pay-as-you-watch vouchers by outcome (`accepted`, `refused`).
	pub vouchers: IntCounterVec,
	/// `micropay.settle` calls by outcome (`settled`, `failed`).
	pub settlements: IntCounterVec,
	/// The ad role's.
	pub ads: crate::ads::AdMetrics,
}

impl Metrics {
	pub fn new() -> anyhow::Result<Self> {
		let registry = Registry::new_custom(Some("paratii_gateway".into()), None)?;
		let r = &registry;
		Ok(Self {
			uploads: registered(
				r,
				IntCounterVec::new(Opts::new("uploads_total", "uploads by outcome"), &["outcome"])?,
			)?,
			downloads: registered(
				r,
				IntCounterVec::new(
					Opts::new("downloads_total", "downloads by outcome"),
					&["outcome"],
				)?,
			)?,
			cluster_fallbacks: registered(
				r,
				IntCounterVec::new(
					Opts::new("cluster_fallbacks_total", "a cluster failed and the next was tried"),
					&["reason"],
				)?,
			)?,
			cache_hits: registered(
				r,
				IntCounter::new("cache_hits_total", "objects served from the cache")?,
			)?,
			cache_misses: registered(
				r,
				IntCounter::new("cache_misses_total", "objects fetched from clusters")?,
			)?,
			views: registered(
				r,
				IntCounterVec::new(Opts::new("views_total", "completed views by fate"), &["fate"])?,
			)?,
			view_batches: registered(
				r,
				IntCounterVec::new(
					Opts::new("view_batches_total", "users.recordViews batches by outcome"),
					&["outcome"],
				)?,
			)?,
			proofs: registered(
				r,
				IntCounterVec::new(
					Opts::new("proofs_total", "proofs answered by source"),
					&["source"],
				)?,
			)?,
			records: registered(
				r,
				IntCounterVec::new(
					Opts::new("record_reads_total", "chain records downloads read, by source"),
					&["source"],
				)?,
			)?,
			jobs: registered(
				r,
				IntCounterVec::new(Opts::new("jobs_total", "video jobs by outcome"), &["outcome"])?,
			)?,
			transcoded_seconds: registered(
				r,
				IntCounter::new("transcoded_seconds_total", "seconds of video transcoded")?,
			)?,
			vouchers: registered(
				r,
				IntCounterVec::new(
					Opts::new("vouchers_total", "pay-as-you-watch vouchers by outcome"),
					&["outcome"],
				)?,
			)?,
			settlements: registered(
				r,
				IntCounterVec::new(
					Opts::new("settlements_total", "micropay.settle calls by outcome"),
					&["outcome"],
				)?,
			)?,
			ads: crate::ads::AdMetrics::new(r)?,
			registry,
		})
	}

	pub fn render(&self) -> Response {
		metrics_response(&self.registry)
	}
}
