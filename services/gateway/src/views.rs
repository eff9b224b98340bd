//! Counting views on chain without one transaction per request.
//!
//! The download role reports a **completed view** to the [`ViewRecorder`]: a viewer
//! with a session (signed by their own key: nobody names someone else, or a made-up
//! account, for free) to whom the gateway has sent as many bytes of a media item's
//! original or transcoding (not a thumbnail) as it has — in one response or over many
//! Range requests, as a video player reads. A `Range: bytes=-1` probe sends one byte:
//! it takes as many probes as the object has bytes to make a view. It drops repeats of the same
//! viewer and item within the chain's view window, and submits the rest in batches
//! (up to `users.MaxViewBatch`, every `--view-batch-secs`) as `users.recordViews`,
//! signed by the gateway's view-recorder key, an account the council admitted (the
//! dev chain admits `//Gateway`). The chain counts only registered users' views, each
//! once per item per window of `users.ViewWindow` blocks whatever gateway reports it,
//! so this local filter only saves fees and block space.

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
/// Most (viewer, item) pairs whose bytes sent so far are remembered; past it, the
/// oldest half is forgotten (a partly watched item then starts from zero).
const MAX_IN_PROGRESS: usize = 100_000;
/// Block time the view window is converted with.
const BLOCK_TIME: Duration = Duration::from_secs(6);

/// A view to count: this viewer watched this item.
pub type View = (MediaId, AccountId);

/// The handle the download role reports views to.
#[derive(Clone)]
pub struct ViewRecorder {
	queue: mpsc::Sender<View>,
	metrics: Arc<Metrics>,
	progress: Arc<std::sync::Mutex<Progress>>,
}

/// Bytes sent so far to each viewer of each item, until they make a view.
#[derive(Default)]
pub struct Progress {
	sent: HashMap<(MediaId, [u8; 32]), (u64, u64)>,
	next: u64,
}

impl Progress {
	/// Adds `bytes` sent of an object of `size` bytes: `true` when that completes a view
	/// (the count then starts again).
	pub fn add(&mut self, key: (MediaId, [u8; 32]), bytes: u64, size: u64) -> bool {
		if self.sent.len() >= MAX_IN_PROGRESS && !self.sent.contains_key(&key) {
			let mut ages: Vec<u64> = self.sent.values().map(|(_, age)| *age).collect();
			ages.sort_unstable();
			let median = ages[ages.len() / 2];
			self.sent.retain(|_, (_, age)| *age >= median);
		}
		self.next += 1;
		let age = self.next;
		let entry = self.sent.entry(key).or_insert((0, age));
		entry.0 = entry.0.saturating_add(bytes);
		entry.1 = age;
		if entry.0 >= size {
			self.sent.remove(&key);
			return true;
		}
		false
	}
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
		Ok(Self { queue, metrics, progress: Default::default() })
	}

	/// `bytes` more of an object of `size` bytes were sent to the view's viewer: reports
	/// the view once they add up to the object.
	pub fn delivered(&self, view: &View, bytes: u64, size: u64) {
		let complete = self
			.progress
			.lock()
			.map(|mut p| p.add((view.0, view.1 .0), bytes, size))
			.unwrap_or(false);
		if complete {
			self.report(*view);
		}
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
									 deleted media, {} by unregistered accounts",
									e.counted,
									e.repeated,
									e.unknown,
									e.unregistered
								);
								for (fate, n) in
									[("counted", e.counted), ("unregistered", e.unregistered)]
								{
									metrics.views.with_label_values(&[fate]).inc_by(n.into());
								}
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

/// A response body that tells `sent` how many bytes each chunk handed to the connection
/// had; an error ends the counting.
pub struct Delivered<S> {
	inner: Pin<Box<S>>,
	sent: Option<Box<dyn Fn(u64) + Send>>,
}

impl<S> Delivered<S> {
	pub fn new(inner: S, sent: impl Fn(u64) + Send + 'static) -> Self {
		Self { inner: Box::pin(inner), sent: Some(Box::new(sent)) }
	}
}

impl<S: Stream<Item = std::io::Result<T>>, T: AsRef<[u8]>> Stream for Delivered<S> {
	type Item = std::io::Result<T>;

	fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
		let polled = self.inner.as_mut().poll_next(cx);
		match &polled {
			Poll::Ready(Some(Ok(chunk))) => {
				if let Some(sent) = &self.sent {
					sent(chunk.as_ref().len() as u64);
				}
			},
			Poll::Ready(Some(Err(_))) => self.sent = None,
			_ => {},
		}
		polled
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use futures::StreamExt;
	use std::sync::atomic::{AtomicU64, Ordering};

	#[tokio::test]
	async fn a_body_reports_the_bytes_it_sends_until_an_error() {
		let total = Arc::new(AtomicU64::new(0));
		let counted = total.clone();
		let stream = Delivered::new(
			futures::stream::iter(vec![
				Ok(vec![0u8; 3]),
				Ok(vec![0; 2]),
				Err(std::io::Error::other("gone")),
				Ok(vec![0; 4]),
			]),
			move |n| {
				counted.fetch_add(n, Ordering::SeqCst);
			},
		);
		let _: Vec<_> = stream.collect().await;
		assert_eq!(total.load(Ordering::SeqCst), 5);
	}

	#[test]
	fn a_view_takes_as_many_bytes_as_the_object_has() {
		let mut progress = Progress::default();
		let bob = (7, [2u8; 32]);
		// The whole picture in one response: a view.
		assert!(progress.add(bob, 1_000, 1_000));
		// One-byte probes: no view until they add up to the object.
		for _ in 0..999 {
			assert!(!progress.add(bob, 1, 1_000));
		}
		assert!(progress.add(bob, 1, 1_000));
		// A video read in Range requests, seeking back: counted once the bytes add up.
		assert!(!progress.add(bob, 600, 1_000));
		assert!(!progress.add((7, [3u8; 32]), 600, 1_000), "another viewer's bytes are theirs");
		assert!(progress.add(bob, 400, 1_000));
	}

	#[test]
	fn progress_is_bounded_and_forgets_the_oldest() {
		let mut progress = Progress::default();
		for i in 0..MAX_IN_PROGRESS as u64 + 10 {
			progress.add((i, [0; 32]), 1, 10);
		}
		assert!(progress.sent.len() <= MAX_IN_PROGRESS);
		assert!(progress.sent.contains_key(&(MAX_IN_PROGRESS as u64 + 9, [0; 32])));
		assert!(!progress.sent.contains_key(&(0, [0; 32])));
	}
}
