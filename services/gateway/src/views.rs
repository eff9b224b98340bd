//! Counting views on chain without one transaction per request.
//!
//! The download role reports a **completed view** — a `GET` of a media item's original
//! or a transcoding (not a thumbnail) by a viewer who named their account
//! (`?viewer=<SS58>` or `X-Paratii-Viewer`), whose response carried the object's
//! last byte to the end — to the [`ViewRecorder`]. It drops repeats of the same
//! viewer and item within the chain's view window, and submits the rest in batches
//! (up to `users.MaxViewBatch`, every `--view-batch-secs`) as `users.recordViews`,
//! signed by the gateway's view-recorder key, an account the council admitted (the
//! dev chain admits `//Gateway`). The chain counts a viewer once per item per
//! `users.ViewWindow` blocks whatever gateway reports it, so this local filter only
//! saves fees and block space.

use crate::metrics::Metrics;
use futures::Stream;
use paratii_client::{api, AccountId, Chain, ChainConfig, MediaId};
use std::{
	collections::HashMap,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
	time::{Duration, Instant},
};
use subxt_signer::sr25519::Keypair;
use tokio::sync::mpsc;

/// Views waiting for a batch; more are dropped (and counted in a metric).
const QUEUE: usize = 65_536;
/// Most (viewer, item) pairs remembered for the local repeat filter.
const MAX_REMEMBERED: usize = 1_000_000;
/// Block time the view window is converted with.
const BLOCK_TIME: Duration = Duration::from_secs(6);

/// A view to count: this viewer watched this item.
pub type View = (MediaId, AccountId);

/// The handle the download role reports views to.
#[derive(Clone)]
pub struct ViewRecorder {
	queue: mpsc::Sender<View>,
	metrics: Arc<Metrics>,
}

impl ViewRecorder {
	/// Starts the batching task, signing with `key`.
	pub async fn start(
		chain: Chain,
		key: Keypair,
		every: Duration,
		metrics: Arc<Metrics>,
	) -> anyhow::Result<Self> {
		let at = chain.at_finalized().await?;
		let users = api::constants().users();
		let batch = at.constants().entry(users.max_view_batch())? as usize;
		let window = BLOCK_TIME * at.constants().entry(users.view_window())?;
		let recorder = key.public_key().to_account_id();
		let admitted = at
			.storage()
			.try_fetch(api::storage().users().view_recorders(), (recorder,))
			.await?
			.is_some();
		if !admitted {
			tracing::warn!(
				"{recorder} is not a view recorder on chain: its batches will fail until the \
				 council admits it (users.addViewRecorder)"
			);
		}
		tracing::info!(
			"recording views as {recorder}: batches of up to {batch} every {}s",
			every.as_secs()
		);
		let (queue, rx) = mpsc::channel(QUEUE);
		let task = Batcher {
			chain,
			nonce: None,
			resync: Default::default(),
			key,
			batch,
			window,
			every,
			metrics: metrics.clone(),
		};
		tokio::spawn(task.run(rx));
		Ok(Self { queue, metrics })
	}

	/// Reports a completed view; never blocks the download.
	pub fn report(&self, view: View) {
		let outcome = if self.queue.try_send(view).is_ok() { "queued" } else { "dropped" };
		self.metrics.views.with_label_values(&[outcome]).inc();
	}
}

struct Batcher {
	chain: Chain,
	/// The recorder's next nonce, kept here: batches go out faster than finality,
	/// so the finalized state's nonce would repeat a pending batch's. `None`: ask the
	/// node's pool.
	nonce: Option<u64>,
	/// Set when a submitted batch failed: its nonce may be free again.
	resync: Arc<std::sync::atomic::AtomicBool>,
	key: Keypair,
	batch: usize,
	window: Duration,
	every: Duration,
	metrics: Arc<Metrics>,
}

impl Batcher {
	async fn run(mut self, mut rx: mpsc::Receiver<View>) {
		let mut pending: Vec<View> = Vec::new();
		// Keyed by (media, viewer bytes): subxt's account id is not `Hash`.
		let mut recent: HashMap<(MediaId, [u8; 32]), Instant> = HashMap::new();
		let mut tick = tokio::time::interval(self.every);
		loop {
			tokio::select! {
				view = rx.recv() => {
					let Some(view) = view else { break };
					let now = Instant::now();
					let key = (view.0, view.1.0);
					if recent.get(&key).is_some_and(|t| now.duration_since(*t) < self.window) {
						self.metrics.views.with_label_values(&["repeated"]).inc();
						continue;
					}
					if recent.len() >= MAX_REMEMBERED {
						recent.retain(|_, t| now.duration_since(*t) < self.window);
					}
					recent.insert(key, now);
					pending.push(view);
					if pending.len() >= self.batch {
						self.submit(&mut pending).await;
					}
				},
				_ = tick.tick() => {
					if !pending.is_empty() {
						self.submit(&mut pending).await;
					}
					let now = Instant::now();
					recent.retain(|_, t| now.duration_since(*t) < self.window);
				},
			}
		}
		if !pending.is_empty() {
			self.submit(&mut pending).await;
		}
	}

	/// Submits up to one batch; the rest stays pending. Inclusion is awaited in the
	/// background so reports keep flowing.
	async fn submit(&mut self, pending: &mut Vec<View>) {
		if self.resync.swap(false, std::sync::atomic::Ordering::Relaxed) {
			self.nonce = None;
		}
		let n = pending.len().min(self.batch);
		let views: Vec<View> = pending.drain(..n).collect();
		let call = api::tx()
			.users()
			.record_views(api::runtime_types::bounded_collections::bounded_vec::BoundedVec(views));
		let submitted = async {
			let nonce = match self.nonce {
				Some(n) => n,
				None => self.chain.next_nonce(&self.key.public_key().to_account_id()).await?,
			};
			let params = subxt::config::DefaultExtrinsicParamsBuilder::<ChainConfig>::new()
				.nonce(nonce)
				.build();
			let mut tx = self.chain.client().tx().await?;
			let progress = tx.sign_and_submit_then_watch(&call, &self.key, params).await?;
			self.nonce = Some(nonce + 1);
			anyhow::Ok(progress)
		}
		.await;
		let metrics = self.metrics.clone();
		let resync = self.resync.clone();
		match submitted {
			Ok(progress) => {
				metrics.view_batches.with_label_values(&["submitted"]).inc();
				tokio::spawn(async move {
					match progress.wait_for_finalized_success().await {
						Ok(events) => {
							for e in events.find::<api::users::events::ViewsRecorded>().flatten() {
								tracing::info!(
									"views recorded on chain: {} counted, {} repeated, {} for \
									 deleted media",
									e.counted,
									e.repeated,
									e.unknown
								);
								metrics
									.views
									.with_label_values(&["counted"])
									.inc_by(e.counted.into());
							}
						},
						Err(e) => {
							// Dropped or invalid: the next batch asks the pool for the nonce.
							resync.store(true, std::sync::atomic::Ordering::Relaxed);
							metrics.view_batches.with_label_values(&["failed"]).inc();
							tracing::warn!("a batch of {n} views failed on chain: {e}");
						},
					}
				});
			},
			Err(e) => {
				self.nonce = None;
				metrics.view_batches.with_label_values(&["refused"]).inc();
				tracing::warn!("the node refused a batch of {n} views: {e:#}");
			},
		}
	}
}

/// A response body of `len` bytes that calls `done` once its last byte has been handed
/// to the connection (hyper stops polling a body with a known length at that byte, so
/// the count, not the end of the stream, says it is complete). An error first, or a
/// client that goes away before, and `done` is never called.
pub struct OnComplete<S> {
	inner: Pin<Box<S>>,
	remaining: u64,
	done: Option<Box<dyn FnOnce() + Send>>,
}

impl<S> OnComplete<S> {
	pub fn new(inner: S, len: u64, done: impl FnOnce() + Send + 'static) -> Self {
		Self { inner: Box::pin(inner), remaining: len, done: Some(Box::new(done)) }
	}
}

impl<S: Stream<Item = std::io::Result<T>>, T: AsRef<[u8]>> Stream for OnComplete<S> {
	type Item = std::io::Result<T>;

	fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
		let polled = self.inner.as_mut().poll_next(cx);
		match &polled {
			Poll::Ready(Some(Ok(chunk))) => {
				self.remaining = self.remaining.saturating_sub(chunk.as_ref().len() as u64);
				if self.remaining == 0 {
					if let Some(done) = self.done.take() {
						done();
					}
				}
			},
			Poll::Ready(Some(Err(_))) => self.done = None,
			Poll::Ready(None) if self.remaining == 0 => {
				if let Some(done) = self.done.take() {
					done();
				}
			},
			_ => {},
		}
		polled
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use futures::StreamExt;
	use std::sync::atomic::{AtomicBool, Ordering};

	fn body(
		chunks: Vec<std::io::Result<Vec<u8>>>,
		len: u64,
	) -> (OnComplete<impl Stream<Item = std::io::Result<Vec<u8>>>>, Arc<AtomicBool>) {
		let fired = Arc::new(AtomicBool::new(false));
		let flag = fired.clone();
		(
			OnComplete::new(futures::stream::iter(chunks), len, move || {
				flag.store(true, Ordering::SeqCst)
			}),
			fired,
		)
	}

	#[tokio::test]
	async fn fires_at_the_last_byte_and_not_before() {
		let (mut stream, fired) = body(vec![Ok(vec![0; 3]), Ok(vec![0; 2])], 5);
		stream.next().await;
		assert!(!fired.load(Ordering::SeqCst));
		stream.next().await;
		assert!(fired.load(Ordering::SeqCst), "without polling for the end");
	}

	#[tokio::test]
	async fn an_error_or_a_short_body_is_not_a_view() {
		let (stream, fired) =
			body(vec![Ok(vec![0; 3]), Err(std::io::Error::other("gone")), Ok(vec![0; 2])], 5);
		let _: Vec<_> = stream.collect().await;
		assert!(!fired.load(Ordering::SeqCst));
		let (stream, fired) = body(vec![Ok(vec![0; 3])], 5);
		let _: Vec<_> = stream.collect().await;
		assert!(!fired.load(Ordering::SeqCst));
	}
}
