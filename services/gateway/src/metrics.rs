//! The gateway's Prometheus metrics (`GET /metrics` on either role's listener).

use axum::{
	http::{header, StatusCode},
	response::{IntoResponse, Response},
};
use prometheus::{Encoder, IntCounter, IntCounterVec, Opts, Registry};

pub struct Metrics {
	registry: Registry,
	/// Uploads by outcome (`stored` or the refusal's status code).
	pub uploads: IntCounterVec,
	/// Downloads by outcome (`ok`, `gone`, `not_found`, `failed`).
	pub downloads: IntCounterVec,
	/// A cluster that failed and the next one was tried, by reason (`store`,
	/// `unreachable`, `status`, `mismatch`, `io`).
	pub cluster_fallbacks: IntCounterVec,
	pub cache_hits: IntCounter,
	pub cache_misses: IntCounter,
}

impl Metrics {
	pub fn new() -> anyhow::Result<Self> {
		let registry = Registry::new_custom(Some("paratii_gateway".into()), None)?;
		let uploads =
			IntCounterVec::new(Opts::new("uploads_total", "uploads by outcome"), &["outcome"])?;
		let downloads =
			IntCounterVec::new(Opts::new("downloads_total", "downloads by outcome"), &["outcome"])?;
		let cluster_fallbacks = IntCounterVec::new(
			Opts::new("cluster_fallbacks_total", "a cluster failed and the next was tried"),
			&["reason"],
		)?;
		let cache_hits = IntCounter::new("cache_hits_total", "objects served from the cache")?;
		let cache_misses = IntCounter::new("cache_misses_total", "objects fetched from clusters")?;
		registry.register(Box::new(uploads.clone()))?;
		registry.register(Box::new(downloads.clone()))?;
		registry.register(Box::new(cluster_fallbacks.clone()))?;
		registry.register(Box::new(cache_hits.clone()))?;
		registry.register(Box::new(cache_misses.clone()))?;
		Ok(Self { registry, uploads, downloads, cluster_fallbacks, cache_hits, cache_misses })
	}

	pub fn render(&self) -> Response {
		let mut out = Vec::new();
		if let Err(e) = prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut out) {
			return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
		}
		([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
	}
}
