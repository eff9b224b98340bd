//! The gateway's side of the storage clusters: where objects go (the shared
//! placement ring over the chain's active clusters, refreshed when the ring epoch
//! changes), storing them with receipts, and fetching them back verified, falling
//! back to the next cluster when one is down or sends bytes that do not match.

use crate::metrics::Metrics;
use futures::StreamExt;
use paratii_client::{
	content, receipts::FoundReceipt, wire::Receipt, AccountId, Chain, ClusterId, ClusterInfo,
	RingEpoch,
};
use sha2::{Digest, Sha256};
use std::{
	collections::HashMap,
	path::Path,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::{io::AsyncWriteExt, sync::RwLock};

/// How far a cluster's receipt time may be from the gateway's clock (a minute: well
/// inside the chain's two-minute `media.ReceiptClockSkew`).
const MAX_RECEIPT_SKEW_MS: u64 = 60_000;

/// How long a cluster's endpoint and key are trusted before asking the chain again.
const CLUSTER_TTL: Duration = Duration::from_secs(30);

/// The path of object `hash` on a cluster, and its URL there.
fn object_url(cluster: &ClusterInfo, hash: &[u8; 32]) -> (String, String) {
	let path = format!("/objects/{}", hex::encode(hash));
	let url = format!("{}{path}", cluster.endpoint.trim_end_matches('/'));
	(path, url)
}

/// Why an object could not be stored on enough clusters.
#[derive(Debug)]
pub struct NotEnoughClusters {
	pub stored: usize,
	pub needed: usize,
	pub errors: Vec<String>,
}

pub struct Clusters {
	chain: Chain,
	/// Signs every request to a cluster (`paratii_client::signed`).
	key: subxt_signer::sr25519::Keypair,
	http: reqwest::Client,
	genesis: [u8; 32],
	replication: usize,
	ring: RwLock<Option<(RingEpoch, Vec<ClusterInfo>)>>,
	known: RwLock<HashMap<ClusterId, (ClusterInfo, Instant)>>,
	metrics: Arc<Metrics>,
}

impl Clusters {
	pub async fn new(
		chain: Chain,
		key: subxt_signer::sr25519::Keypair,
		metrics: Arc<Metrics>,
	) -> anyhow::Result<Self> {
		Ok(Self {
			key,
			genesis: chain.genesis_hash(),
			replication: chain.replication_factor().await? as usize,
			chain,
			// Cluster endpoints come from chain state: a redirect (to another host, say) is
			// an answer like any other failure, not followed.
			http: reqwest::Client::builder()
				.connect_timeout(Duration::from_secs(3))
				.redirect(reqwest::redirect::Policy::none())
				.build()?,
			ring: RwLock::new(None),
			known: RwLock::new(HashMap::new()),
			metrics,
		})
	}

	pub fn replication(&self) -> usize {
		self.replication
	}

	/// The active clusters of the current ring epoch: one storage read per call, the
	/// ring itself fetched again only when the epoch changed.
	pub async fn ring(&self) -> anyhow::Result<(RingEpoch, Vec<ClusterInfo>)> {
		let epoch = self.chain.ring_epoch().await?;
		if let Some((cached, clusters)) = &*self.ring.read().await {
			if *cached == epoch {
				return Ok((epoch, clusters.clone()));
			}
		}
		let ring = self.chain.ring().await?;
		tracing::info!(
			"ring epoch {}: active clusters {:?}",
			ring.0,
			ring.1.iter().map(|c| c.id).collect::<Vec<_>>()
		);
		*self.ring.write().await = Some(ring.clone());
		Ok(ring)
	}

	/// A cluster by id (any status), cached for [`CLUSTER_TTL`].
	pub async fn cluster(&self, id: ClusterId) -> anyhow::Result<Option<ClusterInfo>> {
		if let Some((info, at)) = self.known.read().await.get(&id) {
			if at.elapsed() < CLUSTER_TTL {
				return Ok(Some(info.clone()));
			}
		}
		let info = self.chain.cluster(id).await?;
		if let Some(info) = &info {
			self.known.write().await.insert(id, (info.clone(), Instant::now()));
		}
		Ok(info)
	}

	/// Stores the file at `path` (SHA-256 `hash`, `size` bytes, for `owner`) on
	/// `ReplicationFactor` distinct active clusters in ring order — the placed ones
	/// first, the next on the ring for each that fails — and returns their receipts,
	/// each checked against the cluster's key on chain. `part_of` names the registered
	/// object this one is a part of (a video's original, for its segments): the clusters
	/// keep it while that object is registered and delete it with it.
	pub async fn store(
		&self,
		path: &Path,
		hash: [u8; 32],
		size: u64,
		owner: &AccountId,
		part_of: Option<&[u8; 32]>,
	) -> anyhow::Result<Result<Vec<Receipt>, NotEnoughClusters>> {
		let (_, active) = self.ring().await?;
		let candidates = paratii_client::placed(&hash, &active);
		let mut receipts = Vec::new();
		let mut errors = Vec::new();
		let mut next = 0;
		while receipts.len() < self.replication && next < candidates.len() {
			let wanted = (self.replication - receipts.len()).min(candidates.len() - next);
			let batch = &candidates[next..next + wanted];
			next += wanted;
			let results = futures::future::join_all(
				batch.iter().map(|c| self.put(c, path, hash, size, owner, part_of)),
			)
			.await;
			for (cluster, result) in batch.iter().zip(results) {
				match result {
					Ok(receipt) => receipts.push(receipt),
					Err(e) => {
						tracing::warn!(
							"cluster {} ({}) did not store {}: {e:#}; trying the next on the ring",
							cluster.id,
							cluster.endpoint,
							content::hex_hash(&hash)
						);
						self.metrics.cluster_fallbacks.with_label_values(&["store"]).inc();
						errors.push(format!("cluster {}: {e:#}", cluster.id));
					},
				}
			}
		}
		if receipts.len() < self.replication {
			return Ok(Err(NotEnoughClusters {
				stored: receipts.len(),
				needed: self.replication,
				errors,
			}));
		}
		Ok(Ok(receipts))
	}

	async fn put(
		&self,
		cluster: &ClusterInfo,
		path: &Path,
		hash: [u8; 32],
		size: u64,
		owner: &AccountId,
		part_of: Option<&[u8; 32]>,
	) -> anyhow::Result<Receipt> {
		let file = tokio::fs::File::open(path).await?;
		let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
			file,
			256 * 1024,
		));
		let (mut path, mut url) = object_url(cluster, &hash);
		if let Some(parent) = part_of {
			let query = format!("?part-of={}", hex::encode(parent));
			path.push_str(&query);
			url.push_str(&query);
		}
		let response = self
			.signed(self.http.put(&url), "PUT", &path, Some(&owner.0))
			.header("x-paratii-owner", format!("0x{}", hex::encode(owner.0)))
			.header(reqwest::header::CONTENT_LENGTH, size)
			.body(body)
			.send()
			.await?;
		let status = response.status();
		if !status.is_success() {
			// Its body is the cluster's, not ours to pass on: logged, at most 200 bytes.
			let body = response.text().await.unwrap_or_default();
			tracing::info!(
				"{url} answered {status}: {}",
				body.chars().take(200).collect::<String>()
			);
			anyhow::bail!("{url} answered {status}");
		}
		let stored: paratii_client::wire::StoredObject = response.json().await?;
		let signature = paratii_client::signed::parse_signature(&stored.signature)
			.ok_or_else(|| anyhow::anyhow!("{url} sent a malformed signature"))?;
		let receipt =
			FoundReceipt::V2 { cluster: cluster.id, issued_at: stored.issued_at, signature };
		if stored.cluster != cluster.id
			|| !receipt.verify(&self.genesis, &hash, size, &owner.0, &cluster.public_key)
		{
			anyhow::bail!(
				"{url} sent a receipt that does not verify against cluster {}'s key",
				cluster.id
			);
		}
		// The chain takes a receipt only near its time: a cluster whose clock is off
		// would make every registration fail, so it is refused here, by name.
		let skew = paratii_client::unix_millis().abs_diff(stored.issued_at);
		if skew > MAX_RECEIPT_SKEW_MS {
			anyhow::bail!(
				"{url} signed its receipt at {} ms, {skew} ms away from this gateway's clock",
				stored.issued_at
			);
		}
		Ok(Receipt {
			cluster: cluster.id,
			issued_at: stored.issued_at,
			signature: stored.signature,
		})
	}

	/// `request` with this gateway's signature of `method path` (and `owner`).
	fn signed(
		&self,
		request: reqwest::RequestBuilder,
		method: &str,
		path: &str,
		owner: Option<&[u8; 32]>,
	) -> reqwest::RequestBuilder {
		paratii_client::signed::gateway_request_headers(
			&self.key,
			&self.genesis,
			method,
			path,
			owner,
		)
		.into_iter()
		.fold(request, |request, (name, value)| request.header(name, value))
	}

	/// Fetches the object (`hash`, `size`) from the first of `holders` that sends the
	/// right bytes into `dest`, Active clusters first. Returns the cluster that did.
	pub async fn fetch_verified(
		&self,
		holders: &[ClusterId],
		hash: [u8; 32],
		size: u64,
		dest: &Path,
	) -> anyhow::Result<ClusterId> {
		let mut errors = Vec::new();
		for cluster in self.holders(holders, &hash).await? {
			match self.get(&cluster, hash, size, dest).await {
				Ok(()) => return Ok(cluster.id),
				Err((reason, e)) => {
					tracing::warn!(
						"cluster {} ({}) failed to serve {}: {e:#}; falling back to the next cluster",
						cluster.id,
						cluster.endpoint,
						content::hex_hash(&hash)
					);
					self.metrics.cluster_fallbacks.with_label_values(&[reason]).inc();
					errors.push(format!("cluster {}: {e:#}", cluster.id));
				},
			}
		}
		anyhow::bail!("no cluster served the object: {}", errors.join("; "))
	}

	/// The clusters of `holders` the chain knows, Active ones first: whom to ask for
	/// object `hash`.
	pub async fn holders(
		&self,
		holders: &[ClusterId],
		hash: &[u8; 32],
	) -> anyhow::Result<Vec<ClusterInfo>> {
		let mut clusters = Vec::new();
		for id in holders {
			match self.cluster(*id).await? {
				Some(c) => clusters.push(c),
				None => {
					tracing::warn!("cluster {id} holds {} but is unknown", content::hex_hash(hash))
				},
			}
		}
		clusters.sort_by_key(|c| !c.active);
		Ok(clusters)
	}

	/// Object `hash`'s bytes from `from` on, as `cluster` streams them — unverified: the
	/// caller checks them (chunk by chunk, against the chain's chunk hashes).
	pub async fn stream_from(
		&self,
		cluster: &ClusterInfo,
		hash: &[u8; 32],
		from: u64,
	) -> anyhow::Result<impl futures::Stream<Item = reqwest::Result<bytes::Bytes>>> {
		let (path, url) = object_url(cluster, hash);
		let mut request = self.signed(self.http.get(&url), "GET", &path, None);
		if from > 0 {
			request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
		}
		let response = request.send().await?;
		let expected =
			if from > 0 { reqwest::StatusCode::PARTIAL_CONTENT } else { reqwest::StatusCode::OK };
		anyhow::ensure!(response.status() == expected, "{url} answered {}", response.status());
		Ok(response.bytes_stream())
	}

	/// The first [`content::SNIFF_BYTES`] bytes of object `hash` as the first holding
	/// cluster that answers sends them — unverified (a prefix cannot be checked against
	/// the whole object's hash), so only for telling its media type, never for serving.
	pub async fn first_bytes(&self, holders: &[ClusterId], hash: [u8; 32]) -> Option<Vec<u8>> {
		for id in holders {
			let Ok(Some(cluster)) = self.cluster(*id).await else { continue };
			let (path, url) = object_url(&cluster, &hash);
			let range = format!("bytes=0-{}", content::SNIFF_BYTES - 1);
			let request = self.signed(self.http.get(&url), "GET", &path, None);
			match request.header(reqwest::header::RANGE, range).send().await {
				Ok(r) if r.status().is_success() => {
					// Read no more than asked for, whatever the cluster sends.
					let mut first = Vec::with_capacity(content::SNIFF_BYTES);
					let mut body = r.bytes_stream();
					while first.len() < content::SNIFF_BYTES {
						let Some(Ok(chunk)) = body.next().await else { break };
						let wanted = (content::SNIFF_BYTES - first.len()).min(chunk.len());
						first.extend_from_slice(&chunk[..wanted]);
					}
					return Some(first);
				},
				Ok(r) => tracing::debug!("cluster {id} answered {}", r.status()),
				Err(e) => tracing::debug!("cluster {id}: {e}"),
			}
		}
		None
	}

	async fn get(
		&self,
		cluster: &ClusterInfo,
		hash: [u8; 32],
		size: u64,
		dest: &Path,
	) -> Result<(), (&'static str, anyhow::Error)> {
		let (path, url) = object_url(cluster, &hash);
		let response = self
			.signed(self.http.get(&url), "GET", &path, None)
			.send()
			.await
			.map_err(|e| ("unreachable", anyhow::Error::from(e)))?;
		if !response.status().is_success() {
			return Err(("status", anyhow::anyhow!("{url} answered {}", response.status())));
		}
		let io = |e: std::io::Error| ("io", anyhow::Error::from(e));
		let mut file = tokio::fs::File::create(dest).await.map_err(io)?;
		let mut hasher = Sha256::new();
		let mut received: u64 = 0;
		let mut stream = response.bytes_stream();
		while let Some(chunk) = stream.next().await {
			let chunk = chunk.map_err(|e| ("unreachable", anyhow::Error::from(e)))?;
			received += chunk.len() as u64;
			if received > size {
				return Err((
					"mismatch",
					anyhow::anyhow!("sent more than the {size} bytes recorded"),
				));
			}
			hasher.update(&chunk);
			file.write_all(&chunk).await.map_err(io)?;
		}
		file.flush().await.map_err(io)?;
		let actual: [u8; 32] = hasher.finalize().into();
		if received != size || actual != hash {
			return Err((
				"mismatch",
				anyhow::anyhow!(
					"sent {received} bytes hashing to {}, which do not match the chain's record",
					content::hex_hash(&actual)
				),
			));
		}
		Ok(())
	}
}
