//! Streaming an original from a cluster while it is verified, for originals registered
//! with chunk hashes (`Kind::ChunkHashes`: the SHA-256 of each MiB).
//!
//! The first request for such an original that is not cached starts one *filling*: a
//! task fetches it from the first holding cluster, checks each MiB against the chain's
//! chunk hash before it writes it to a file and publishes the verified mark, and moves
//! on to the next cluster (from the first unverified byte, with a `Range` request) when
//! one fails or sends a wrong chunk. Every request for the object meanwhile — this one
//! and any that come while it runs — reads the file up to the mark and waits for more,
//! so the first byte goes out once the first MiB is verified, and a range is served as
//! soon as the filling has verified it. The last chunk is published only once the whole
//! object also matches its registered SHA-256: a response that ends has sent exactly the
//! registered original. The filled file then enters the cache.

use crate::{
	cache::{Fill, Filling, Progress},
	download::{body_of, verified_file, Watching},
	Gateway,
};
use axum::body::Body;
use bytes::BytesMut;
use futures::StreamExt;
use paratii_client::{chain::ObjectInfo, content, ClusterInfo};
use sha2::{Digest, Sha256};
use std::{ops::Range, sync::Arc};
use tokio::{
	io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt},
	sync::watch,
};

/// How much of a filling a response reads at a time.
const READ_BYTES: u64 = 256 * 1024;

/// Where a download's bytes come from.
pub enum Source {
	/// A verified, complete file (the cache, or fetched whole).
	File(tokio::fs::File),
	/// A filling, readable up to its verified mark.
	Filling(tokio::fs::File, watch::Receiver<Progress>),
}

/// Original `object` with chunk hashes `index`: cached, or read along a filling (one
/// started when none runs).
pub async fn source(
	gw: &Gateway,
	object: &ObjectInfo,
	index: &ObjectInfo,
) -> anyhow::Result<Source> {
	let hash = object.content_hash;
	// A filling's file may move into the cache between finding it and opening it: then,
	// once that filling has ended, the next look finds it cached.
	for _ in 0..3 {
		match gw.cache.fill(&hash).await? {
			Fill::Cached(file) => {
				gw.metrics.cache_hits.inc();
				return Ok(Source::File(file));
			},
			Fill::Filling(filling) => {
				if let Ok(file) = tokio::fs::File::open(&filling.path).await {
					gw.metrics.cache_hits.inc();
					return Ok(Source::Filling(file, filling.progress.clone()));
				}
				// Moved into the cache, or failed: then once it has ended, filled anew.
				if let Some(file) = gw.cache.open(&hash).await {
					gw.metrics.cache_hits.inc();
					return Ok(Source::File(file));
				}
				let mut ending = filling.progress.clone();
				let _ = ending.wait_for(|p| p.end.is_some()).await;
			},
			Fill::Start { filling, file, progress } => {
				gw.metrics.cache_misses.inc();
				// The filling runs (and ends, whatever happens here) before this request
				// opens its file, so nobody waits on a filling that never runs.
				let (path, watching) = (filling.path.clone(), filling.progress.clone());
				let (filler, object, index) = (gw.clone(), object.clone(), index.clone());
				tokio::spawn(
					async move { run(filler, object, index, filling, file, progress).await },
				);
				match tokio::fs::File::open(&path).await {
					Ok(reader) => return Ok(Source::Filling(reader, watching)),
					// Filled already (a small object, a fast cluster): in the cache.
					Err(e) => match gw.cache.open(&hash).await {
						Some(file) => return Ok(Source::File(file)),
						None => return Err(e.into()),
					},
				}
			},
		}
	}
	anyhow::bail!("object {} kept moving while it was opened", content::hex_hash(&hash))
}

/// The media type of a filling's object, from its first verified bytes (waiting for
/// them).
pub async fn sniff(
	file: &mut tokio::fs::File,
	progress: &mut watch::Receiver<Progress>,
	size: u64,
) -> anyhow::Result<Option<&'static str>> {
	let needed = size.min(content::SNIFF_BYTES as u64);
	let at = progress.wait_for(|p| p.verified >= needed || p.end.is_some()).await?.clone();
	if at.verified < needed {
		anyhow::bail!("{}", failure(&at));
	}
	Ok(crate::download::sniff_file(file).await)
}

fn failure(p: &Progress) -> String {
	match &p.end {
		Some(Err(e)) => e.clone(),
		_ => "the fetch from the storage clusters stopped".into(),
	}
}

/// The bytes `range` of a filling as a response body: read as they are verified; the
/// body fails (the client sees a cut transfer) if the filling does.
pub async fn body(
	mut file: tokio::fs::File,
	progress: watch::Receiver<Progress>,
	range: Range<u64>,
	watching: Option<Watching>,
) -> anyhow::Result<Body> {
	file.seek(std::io::SeekFrom::Start(range.start)).await?;
	let reader = Reader { file, progress, at: range.start, end: range.end };
	let stream = futures::stream::unfold(Some(reader), |reader| async move {
		let mut reader = reader?;
		match reader.next().await {
			Ok(Some(bytes)) => Some((Ok(bytes), Some(reader))),
			Ok(None) => None,
			Err(e) => Some((Err(e), None)),
		}
	});
	Ok(body_of(stream, watching))
}

struct Reader {
	file: tokio::fs::File,
	progress: watch::Receiver<Progress>,
	at: u64,
	end: u64,
}

impl Reader {
	async fn next(&mut self) -> std::io::Result<Option<bytes::Bytes>> {
		if self.at >= self.end {
			return Ok(None);
		}
		loop {
			let now = self.progress.borrow_and_update().clone();
			let ready = now.verified.min(self.end);
			if self.at < ready {
				let mut bytes = vec![0u8; (ready - self.at).min(READ_BYTES) as usize];
				self.file.read_exact(&mut bytes).await?;
				self.at += bytes.len() as u64;
				return Ok(Some(bytes.into()));
			}
			if now.end.is_some() || self.progress.changed().await.is_err() {
				return Err(std::io::Error::other(failure(&now)));
			}
		}
	}
}

/// Fills `object` into `file`, then hands it to the cache (or removes it) and publishes
/// the end.
async fn run(
	gw: Gateway,
	object: ObjectInfo,
	index: ObjectInfo,
	filling: Arc<Filling>,
	mut file: tokio::fs::File,
	progress: watch::Sender<Progress>,
) {
	let hash = object.content_hash;
	let outcome = fill(&gw, &object, &index, &mut file, &progress).await;
	drop(file);
	if let Err(e) = &outcome {
		tracing::warn!("streaming {} from the clusters failed: {e:#}", content::hex_hash(&hash));
		gw.metrics.downloads.with_label_values(&["failed"]).inc();
	}
	gw.cache.filled(&hash, &filling, object.size, outcome.is_ok()).await;
	progress.send_modify(|p| p.end = Some(outcome.map_err(|e| format!("{e:#}"))));
}

async fn fill(
	gw: &Gateway,
	object: &ObjectInfo,
	index: &ObjectInfo,
	file: &mut tokio::fs::File,
	progress: &watch::Sender<Progress>,
) -> anyhow::Result<()> {
	let mut chunks = Vec::new();
	verified_file(gw, &index.clusters, index.content_hash, index.size)
		.await
		.map_err(|_| anyhow::anyhow!("the original's chunk hashes could not be fetched"))?
		.read_to_end(&mut chunks)
		.await?;
	anyhow::ensure!(
		chunks.len() as u64 == content::chunk_hashes_len(object.size),
		"the chunk hashes do not cover the original"
	);
	let mut state = Verified { whole: Sha256::new(), bytes: 0 };
	let mut errors = Vec::new();
	for cluster in gw.clusters.holders(&object.clusters, &object.content_hash).await? {
		match from_cluster(gw, &cluster, object, &chunks, &mut state, file, progress).await {
			Ok(()) => return Ok(()),
			Err(e) => {
				tracing::warn!(
					"cluster {} ({}) failed to stream {} at byte {}: {e:#}; falling back to \
					 the next cluster",
					cluster.id,
					cluster.endpoint,
					content::hex_hash(&object.content_hash),
					state.bytes
				);
				gw.metrics.cluster_fallbacks.with_label_values(&["stream"]).inc();
				errors.push(format!("cluster {}: {e:#}", cluster.id));
			},
		}
	}
	anyhow::bail!("no cluster served the object: {}", errors.join("; "))
}

/// What is verified so far: the bytes' count (a chunk boundary) and their SHA-256 state.
struct Verified {
	whole: Sha256,
	bytes: u64,
}

/// Streams `object` from `cluster` from the first unverified byte, chunk by chunk.
async fn from_cluster(
	gw: &Gateway,
	cluster: &ClusterInfo,
	object: &ObjectInfo,
	chunks: &[u8],
	state: &mut Verified,
	file: &mut tokio::fs::File,
	progress: &watch::Sender<Progress>,
) -> anyhow::Result<()> {
	let size = object.size;
	let mut stream =
		Box::pin(gw.clusters.stream_from(cluster, &object.content_hash, state.bytes).await?);
	let mut buf = BytesMut::with_capacity(content::CHUNK_BYTES as usize);
	while state.bytes < size {
		let wanted = (size - state.bytes).min(content::CHUNK_BYTES) as usize;
		while buf.len() < wanted {
			match stream.next().await {
				Some(piece) => buf.extend_from_slice(&piece?),
				None => anyhow::bail!("it sent {} of {size} bytes", state.bytes + buf.len() as u64),
			}
		}
		let chunk = buf.split_to(wanted);
		let index = state.bytes / content::CHUNK_BYTES;
		anyhow::ensure!(
			Some(content::sha256(&chunk)) == content::chunk_hash(chunks, index),
			"its chunk {index} does not match the chain's chunk hash"
		);
		let mut whole = state.whole.clone();
		whole.update(&chunk);
		let last = state.bytes + wanted as u64 == size;
		if last {
			anyhow::ensure!(buf.is_empty(), "it sent more than the {size} bytes recorded");
			anyhow::ensure!(
				<[u8; 32]>::from(whole.clone().finalize()) == object.content_hash,
				"every chunk matches its hash but the whole does not match the original's \
				 SHA-256: the chunk hashes were registered wrong"
			);
		}
		file.write_all(&chunk).await?;
		file.flush().await?;
		state.whole = whole;
		state.bytes += wanted as u64;
		progress.send_modify(|p| p.verified = state.bytes);
	}
	Ok(())
}
