//! The storage node: its HTTP routes and the tasks that follow the chain.

use crate::backend::{Backend, Hash};
use axum::{
	body::Body,
	extract::{Path, Query, State},
	http::{header, HeaderMap, Method, StatusCode, Uri},
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use futures::StreamExt;
use paratii_client::{
	api, content,
	http::{error, metrics_response, registered},
	wire, Chain, ClusterId,
};
use prometheus::{IntCounter, IntCounterVec, IntGauge, Opts, Registry};
use sha2::{Digest, Sha256};
use sp_core::{ed25519, Pair};
use std::{
	path::PathBuf,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::Duration,
};
use subxt_signer::sr25519;
use tokio::io::AsyncWriteExt;

/// The header that names the owner a receipt is for (SS58 or `0x` hex).
pub const OWNER_HEADER: &str = "x-paratii-owner";

pub struct Config {
	pub staging: PathBuf,
	/// Where the marks of objects not yet registered on chain are kept: a file per
	/// object, named by its hash, holding the time of its last `PUT` (and, for a part of
	/// another object, that object's hash).
	pub pending: PathBuf,
	/// Which objects are parts of which: a file per registered object (a video's
	/// original) listing the hashes of its parts (the video's segments), one per line.
	/// Parts are not in the media record: they stay while their object is registered
	/// and go when its media item is deleted.
	pub parts: PathBuf,
	pub max_object_bytes: u64,
	pub heartbeat: Duration,
	/// The gateways (sr25519 public keys) whose signed requests the cluster answers.
	pub trusted_gateways: Vec<[u8; 32]>,
	/// How long an object may stay without a finalized registration naming this cluster.
	pub unregistered_grace: Duration,
	/// The ad exchange's block parts: a file per participant and block,
	/// `{campaign}-{block}-{participant hex}`, holding the part's hash (and, once the
	/// chain has settled the block, when it saw that).
	pub adx: PathBuf,
	/// How long a part stays after its block settled.
	pub adx_retain: Duration,
}

struct Metrics {
	registry: Registry,
	puts: IntCounterVec,
	gets: IntCounter,
	deletions: IntCounter,
	unregistered_deletions: IntCounter,
	refused: IntCounterVec,
	pending: IntGauge,
	heartbeats: IntCounterVec,
	objects: IntGauge,
	bytes: IntGauge,
}

impl Metrics {
	fn new(cluster: ClusterId) -> anyhow::Result<Self> {
		let registry = Registry::new_custom(
			Some("paratii_storage".into()),
			Some([("cluster".to_string(), cluster.to_string())].into()),
		)?;
		let r = &registry;
		Ok(Self {
			puts: registered(
				r,
				IntCounterVec::new(
					Opts::new(
						"puts_total",
						"PUT requests by outcome (written, existing, rejected)",
					),
					&["outcome"],
				)?,
			)?,
			gets: registered(
				r,
				IntCounter::new("gets_total", "GET requests answered with bytes")?,
			)?,
			deletions: registered(
				r,
				IntCounter::new("deletions_total", "objects deleted after the chain")?,
			)?,
			unregistered_deletions: registered(
				r,
				IntCounter::new(
					"unregistered_deletions_total",
					"objects deleted because no finalized registration named this cluster \
					 within the grace period",
				)?,
			)?,
			refused: registered(
				r,
				IntCounterVec::new(
					Opts::new(
						"refused_total",
						"object requests refused: unsigned, badly signed or expired \
						 (unauthorized), or signed by a gateway not trusted (forbidden)",
					),
					&["reason"],
				)?,
			)?,
			pending: registered(
				r,
				IntGauge::new("unregistered_objects", "objects waiting for their registration")?,
			)?,
			heartbeats: registered(
				r,
				IntCounterVec::new(
					Opts::new("heartbeats_total", "heartbeats by outcome (ok, failed)"),
					&["outcome"],
				)?,
			)?,
			objects: registered(r, IntGauge::new("objects", "objects stored")?)?,
			bytes: registered(r, IntGauge::new("bytes", "bytes stored")?)?,
			registry,
		})
	}
}

pub struct Inner {
	chain: Chain,
	backend: Arc<dyn Backend>,
	cluster_id: ClusterId,
	key: ed25519::Pair,
	genesis: [u8; 32],
	config: Config,
	metrics: Metrics,
	used_bytes: AtomicU64,
	objects: AtomicU64,
	staging_seq: AtomicU64,
	/// The hashes of the ad exchange's parts held (served without a signature).
	adx_parts: std::sync::Mutex<std::collections::HashSet<Hash>>,
}

#[derive(Clone)]
pub struct StorageNode(Arc<Inner>);

impl StorageNode {
	/// Finds this cluster on chain by its key, counts what the backend holds, deletes
	/// what the chain deleted meanwhile, and starts the heartbeat and deletion tasks.
	pub async fn start(
		chain: Chain,
		backend: Arc<dyn Backend>,
		key: ed25519::Pair,
		operator: sr25519::Keypair,
		config: Config,
	) -> anyhow::Result<Self> {
		let public = key.public().0;
		let cluster_id = chain.cluster_by_key(public).await?.ok_or_else(|| {
			anyhow::anyhow!(
				"no cluster on chain has the receipt key 0x{}: governance registers clusters \
				 with topology.registerCluster(operator, key, endpoint, capacity)",
				hex::encode(public)
			)
		})?;
		let cluster = chain.cluster(cluster_id).await?;
		if let Some(cluster) = &cluster {
			if cluster.operator != operator.public_key().to_account_id() {
				tracing::warn!(
					"cluster {cluster_id}'s operator on chain is {}, not the --operator key: \
					 its heartbeats will be refused",
					cluster.operator
				);
			}
		}
		let stored = backend.list().await?;
		let metrics = Metrics::new(cluster_id)?;
		let adx_parts = adx_records(&config.adx)?.into_iter().map(|r| r.hash).collect();
		let node = StorageNode(Arc::new(Inner {
			genesis: chain.genesis_hash(),
			used_bytes: AtomicU64::new(stored.iter().map(|(_, s)| s).sum()),
			objects: AtomicU64::new(stored.len() as u64),
			chain,
			backend,
			cluster_id,
			key,
			config,
			metrics,
			staging_seq: AtomicU64::new(0),
			adx_parts: std::sync::Mutex::new(adx_parts),
		}));
		node.update_gauges();
		tracing::info!(
			"cluster {cluster_id} ({}), endpoint on chain {:?}; {} objects, {} bytes stored",
			node.0.backend.describe(),
			cluster.map(|c| c.endpoint).unwrap_or_default(),
			node.0.objects.load(Ordering::Relaxed),
			node.0.used_bytes.load(Ordering::Relaxed),
		);
		node.sweep_deleted(stored).await;
		tokio::spawn(node.clone().heartbeats(operator));
		tokio::spawn(node.clone().follow_deletions());
		tokio::spawn(node.clone().expire_unregistered());
		tokio::spawn(node.clone().expire_adx_parts());
		Ok(node)
	}

	pub fn router(&self) -> Router {
		Router::new()
			.route("/objects/:hash", get(get_object).head(get_object).put(put_object))
			.route("/health", get(health))
			.route("/metrics", get(metrics))
			.with_state(self.clone())
	}

	/// Answers `None` when the request is signed by a gateway this cluster trusts, for
	/// this method, path and owner, and not expired; else the refusal.
	fn refuse_unless_gateway(
		&self,
		method: &Method,
		uri: &Uri,
		owner: Option<&[u8; 32]>,
		headers: &HeaderMap,
	) -> Option<Response> {
		let verified = paratii_client::signed::verify_request(
			&self.0.genesis,
			method.as_str(),
			uri,
			owner,
			headers,
		);
		let (status, reason, message) = match verified {
			Ok(gateway) if self.0.config.trusted_gateways.contains(&gateway) => return None,
			Ok(gateway) => (
				StatusCode::FORBIDDEN,
				"forbidden",
				format!("gateway 0x{} is not one this cluster trusts", hex::encode(gateway)),
			),
			Err(e) => (
				StatusCode::UNAUTHORIZED,
				"unauthorized",
				format!(
					"objects are served to the gateways this cluster trusts, by signed \
					 requests only ({e})"
				),
			),
		};
		self.0.metrics.refused.with_label_values(&[reason]).inc();
		Some(error(status, message))
	}

	fn is_adx_part(&self, hash: &Hash) -> bool {
		self.0.adx_parts.lock().unwrap_or_else(|e| e.into_inner()).contains(hash)
	}

	/// Whoever signed this `PUT ?adx=` may write block `block`'s part of `campaign`: their
	/// account (the owner named), or the refusal.
	async fn adx_writer(
		&self,
		campaign: u64,
		block: u32,
		uri: &Uri,
		owner: &[u8; 32],
		headers: &HeaderMap,
	) -> Result<(), Response> {
		let signer = paratii_client::signed::verify_request(
			&self.0.genesis,
			"PUT",
			uri,
			Some(owner),
			headers,
		)
		.map_err(|e| {
			self.0.metrics.refused.with_label_values(&["unauthorized"]).inc();
			error(
				StatusCode::UNAUTHORIZED,
				format!("a part's PUT is signed by its participant ({e})"),
			)
		})?;
		if signer != *owner {
			return Err(error(
				StatusCode::FORBIDDEN,
				"the owner of a part is the participant who signs",
			));
		}
		let at = self
			.0
			.chain
			.at_finalized()
			.await
			.map_err(|e| error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")))?;
		let found = paratii_client::adx::campaign(&at, campaign)
			.await
			.map_err(|e| error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")))?;
		let Some(Some(c)) = found else {
			return Err(error(StatusCode::NOT_FOUND, format!("no active campaign {campaign}")));
		};
		if !c.participants.contains(&signer) {
			self.0.metrics.refused.with_label_values(&["forbidden"]).inc();
			return Err(error(
				StatusCode::FORBIDDEN,
				format!("0x{} is not a participant of campaign {campaign}", hex::encode(signer)),
			));
		}
		if block < c.next_block || block > c.next_block + 1 {
			return Err(error(
				StatusCode::CONFLICT,
				format!(
					"campaign {campaign} settles block {} next: a part of block {block} is not \
					 taken",
					c.next_block
				),
			));
		}
		Ok(())
	}

	/// Records `hash` as `participant`'s part of `campaign`'s `block`, deleting the part
	/// it replaces.
	async fn record_adx_part(
		&self,
		campaign: u64,
		block: u32,
		participant: &[u8; 32],
		hash: &Hash,
	) {
		let name = format!("{campaign}-{block}-{}", hex::encode(participant));
		let path = self.0.config.adx.join(&name);
		let replaced = tokio::fs::read_to_string(&path)
			.await
			.ok()
			.and_then(|t| t.split_whitespace().next().and_then(content::parse_hash));
		if let Err(e) = tokio::fs::write(&path, hex::encode(hash)).await {
			tracing::error!("recording part {name}: {e}");
		}
		self.0.adx_parts.lock().unwrap_or_else(|e| e.into_inner()).insert(*hash);
		if let Some(old) = replaced.filter(|old| old != hash) {
			self.forget_adx_part(&old).await;
		}
	}

	/// Deletes part `hash` unless another record names it.
	async fn forget_adx_part(&self, hash: &Hash) {
		let named =
			adx_records(&self.0.config.adx).is_ok_and(|r| r.iter().any(|r| r.hash == *hash));
		if !named {
			self.0.adx_parts.lock().unwrap_or_else(|e| e.into_inner()).remove(hash);
			self.delete(hash).await;
		}
	}

	/// Deletes the parts of blocks the chain settled `adx_retain` ago. Runs for ever.
	async fn expire_adx_parts(self) {
		let mut interval = tokio::time::interval(Duration::from_secs(60));
		loop {
			interval.tick().await;
			if let Err(e) = self.expire_adx_parts_once().await {
				tracing::warn!("checking the ad exchange's parts: {e:#}");
			}
		}
	}

	async fn expire_adx_parts_once(&self) -> anyhow::Result<()> {
		let records = adx_records(&self.0.config.adx)?;
		if records.is_empty() {
			return Ok(());
		}
		let at = self.0.chain.at_finalized().await?;
		let now = paratii_client::unix_millis();
		// The block each campaign settles next (`None`: the campaign is gone), read once.
		let mut next_blocks = std::collections::HashMap::new();
		for record in records {
			let next = match next_blocks.get(&record.campaign) {
				Some(next) => *next,
				None => {
					let campaign = paratii_client::adx::campaign(&at, record.campaign).await?;
					let next = campaign.flatten().map(|c| c.next_block);
					*next_blocks.entry(record.campaign).or_insert(next)
				},
			};
			let settled = next.is_none_or(|next| next > record.block);
			if !settled {
				continue;
			}
			match record.settled_at {
				None => {
					let text = format!("{} {now}", hex::encode(record.hash));
					tokio::fs::write(&record.path, text).await?;
				},
				Some(at)
					if now.saturating_sub(at) >= self.0.config.adx_retain.as_millis() as u64 =>
				{
					tokio::fs::remove_file(&record.path).await?;
					tracing::info!(
						"deleting part {}: its block settled {} s ago",
						content::hex_hash(&record.hash),
						now.saturating_sub(at) / 1000
					);
					self.forget_adx_part(&record.hash).await;
				},
				Some(_) => {},
			}
		}
		Ok(())
	}

	/// Marks `hash` as waiting for its registration (or, for a part, its object's), from
	/// now.
	async fn mark_pending(&self, hash: &Hash, part_of: Option<&Hash>) {
		let path = self.0.config.pending.join(hex::encode(hash));
		let fresh = !tokio::fs::try_exists(&path).await.unwrap_or(false);
		let mut mark = paratii_client::unix_millis().to_string();
		if let Some(parent) = part_of {
			mark.push(' ');
			mark.push_str(&hex::encode(parent));
			if let Err(e) = self.add_part(parent, hash).await {
				tracing::error!("recording {} as a part: {e}", content::hex_hash(hash));
			}
		}
		match tokio::fs::write(&path, mark).await {
			Ok(()) if fresh => self.0.metrics.pending.inc(),
			Ok(()) => {},
			Err(e) => tracing::error!("marking {} unregistered: {e}", content::hex_hash(hash)),
		}
	}

	/// Records `part` as a part of `parent` (once).
	async fn add_part(&self, parent: &Hash, part: &Hash) -> std::io::Result<()> {
		let list = self.0.config.parts.join(hex::encode(parent));
		let line = format!("{}\n", hex::encode(part));
		let known = tokio::fs::read_to_string(&list).await.unwrap_or_default();
		if known.lines().any(|l| l == line.trim_end()) {
			return Ok(());
		}
		let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(&list).await?;
		file.write_all(line.as_bytes()).await
	}

	/// Deletes the parts of `parent` (its media item was deleted) and their list.
	async fn delete_parts(&self, parent: &Hash) {
		let list = self.0.config.parts.join(hex::encode(parent));
		let Ok(known) = tokio::fs::read_to_string(&list).await else { return };
		for part in known.lines().filter_map(content::parse_hash) {
			self.delete(&part).await;
		}
		let _ = tokio::fs::remove_file(&list).await;
	}

	/// Deletes the objects that no finalized registration names this cluster for within
	/// the grace period after their last `PUT`, and forgets the marks of those that one
	/// does. Runs for ever.
	async fn expire_unregistered(self) {
		let grace = self.0.config.unregistered_grace;
		let every = (grace / 2).clamp(Duration::from_secs(1), Duration::from_secs(60));
		let mut interval = tokio::time::interval(every);
		loop {
			interval.tick().await;
			if let Err(e) = self.expire_unregistered_once(grace).await {
				tracing::warn!("checking unregistered objects: {e:#}");
			}
		}
	}

	async fn expire_unregistered_once(&self, grace: Duration) -> anyhow::Result<()> {
		let mut marks = tokio::fs::read_dir(&self.0.config.pending).await?;
		let mut waiting = 0;
		while let Some(mark) = marks.next_entry().await? {
			let Some(hash) = mark.file_name().to_str().and_then(content::parse_hash) else {
				continue;
			};
			let text = tokio::fs::read_to_string(mark.path()).await.unwrap_or_default();
			let mut fields = text.split_whitespace();
			let since: u64 = fields.next().and_then(|t| t.parse().ok()).unwrap_or(0);
			let part_of = fields.next().and_then(content::parse_hash);
			if paratii_client::unix_millis().saturating_sub(since) < grace.as_millis() as u64 {
				waiting += 1;
				continue;
			}
			// An object is kept when a finalized registration names this cluster for it;
			// a part, when its object is registered (on whichever clusters).
			let registered = match part_of {
				Some(parent) => {
					let proof = self.0.chain.proof_of_existence(parent).await?;
					proof.as_ref().is_some_and(|p| !p.deleted)
				},
				None => {
					let proof = self.0.chain.proof_of_existence(hash).await?;
					proof
						.as_ref()
						.is_some_and(|p| !p.deleted && p.clusters.contains(&self.0.cluster_id))
				},
			};
			if !registered {
				tracing::info!(
					"deleting {}: no finalized registration names {} {} s after it was stored",
					content::hex_hash(&hash),
					match part_of {
						Some(parent) =>
							format!("the object it is a part of ({})", content::hex_hash(&parent)),
						None => format!("cluster {} for it", self.0.cluster_id),
					},
					grace.as_secs()
				);
				self.delete(&hash).await;
				self.0.metrics.unregistered_deletions.inc();
			}
			let _ = tokio::fs::remove_file(mark.path()).await;
		}
		self.0.metrics.pending.set(waiting);
		Ok(())
	}

	fn update_gauges(&self) {
		self.0.metrics.objects.set(self.0.objects.load(Ordering::Relaxed) as i64);
		self.0.metrics.bytes.set(self.0.used_bytes.load(Ordering::Relaxed) as i64);
	}

	/// A receipt for `(hash, size)` stored for `owner`, signed now: `(issued_at, signature)`.
	fn receipt(&self, hash: &Hash, size: u64, owner: &paratii_client::AccountId) -> (u64, String) {
		let issued_at = paratii_client::unix_millis();
		let message = paratii_client::receipt_message(
			&sp_core::H256(self.0.genesis),
			self.0.cluster_id,
			&sp_core::H256(*hash),
			size,
			&owner.0,
			issued_at,
		);
		(issued_at, format!("0x{}", hex::encode(self.0.key.sign(&message).0)))
	}

	async fn delete(&self, hash: &Hash) {
		let deleted = async {
			let Some(size) = self.0.backend.size(hash).await? else { return Ok(None) };
			self.0.backend.delete(hash).await.map(|gone| gone.then_some(size))
		};
		match deleted.await {
			Ok(Some(size)) => {
				tracing::info!(
					"deleted {} (its media was deleted on chain)",
					content::hex_hash(hash)
				);
				self.0.metrics.deletions.inc();
				self.0.objects.fetch_sub(1, Ordering::Relaxed);
				self.0.used_bytes.fetch_sub(size, Ordering::Relaxed);
				self.update_gauges();
			},
			Ok(None) => {},
			Err(e) => tracing::error!("deleting {}: {e:#}", content::hex_hash(hash)),
		}
	}

	/// Deletes stored objects whose media is deleted on chain (missed while down), and
	/// the parts of deleted objects.
	async fn sweep_deleted(&self, stored: Vec<(Hash, u64)>) {
		let mut parents = Vec::new();
		if let Ok(mut lists) = tokio::fs::read_dir(&self.0.config.parts).await {
			while let Ok(Some(list)) = lists.next_entry().await {
				parents.extend(list.file_name().to_str().and_then(content::parse_hash));
			}
		}
		for (hash, is_parent) in stored
			.into_iter()
			.map(|(h, _)| (h, false))
			.chain(parents.into_iter().map(|h| (h, true)))
		{
			match self.0.chain.proof_of_existence(hash).await {
				Ok(Some(proof)) if proof.deleted && is_parent => self.delete_parts(&hash).await,
				Ok(Some(proof)) if proof.deleted => self.delete(&hash).await,
				Ok(_) => {},
				Err(e) => {
					tracing::warn!("start-up sweep stopped: {e:#}");
					return;
				},
			}
		}
	}

	async fn heartbeats(self, operator: sr25519::Keypair) {
		let mut interval = tokio::time::interval(self.0.config.heartbeat);
		loop {
			interval.tick().await;
			let used = self.0.used_bytes.load(Ordering::Relaxed);
			let call = api::tx().topology().heartbeat(self.0.cluster_id, used);
			let result = async {
				let mut tx = self.0.chain.client().tx().await?;
				tx.sign_and_submit_then_watch_default(&call, &operator)
					.await?
					.wait_for_finalized_success()
					.await?;
				anyhow::Ok(())
			}
			.await;
			match result {
				Ok(()) => {
					tracing::debug!("heartbeat: {used} bytes used");
					self.0.metrics.heartbeats.with_label_values(&["ok"]).inc();
				},
				Err(e) => {
					tracing::warn!("heartbeat failed: {e:#}");
					self.0.metrics.heartbeats.with_label_values(&["failed"]).inc();
				},
			}
		}
	}

	/// Follows finalized blocks and deletes the objects of media deleted in them.
	/// After a lost connection it sweeps again, so no deletion is missed.
	async fn follow_deletions(self) {
		let mut backoff = paratii_client::Backoff::new(Duration::from_secs(30));
		loop {
			let started = std::time::Instant::now();
			let e = match self.follow_deletions_once().await {
				Ok(()) => anyhow::anyhow!("the finalized block stream ended"),
				Err(e) => e,
			};
			if started.elapsed() > Duration::from_secs(60) {
				backoff.reset();
			}
			backoff.wait("following finalized blocks", &e).await;
			if let Ok(stored) = self.0.backend.list().await {
				self.sweep_deleted(stored).await;
			}
		}
	}

	async fn follow_deletions_once(&self) -> anyhow::Result<()> {
		let mut blocks = self.0.chain.client().stream_blocks().await?;
		while let Some(block) = blocks.next().await {
			let at = block?.at().await?;
			let events = at.events().fetch().await?;
			for deleted in events.find::<api::media::events::MediaDeleted>() {
				let deleted = deleted?;
				let media = at
					.runtime_apis()
					.call(api::runtime_apis().media_api().media(deleted.media_id))
					.await?;
				for object in media.map(|m| m.objects).unwrap_or_default() {
					self.delete(&object.content_hash.0).await;
					self.delete_parts(&object.content_hash.0).await;
				}
			}
		}
		anyhow::bail!("the finalized block stream ended")
	}
}

/// A part of the ad exchange's kept here.
struct AdxRecord {
	path: PathBuf,
	campaign: u64,
	block: u32,
	hash: Hash,
	/// When this node saw the chain had settled its block.
	settled_at: Option<u64>,
}

fn adx_records(dir: &std::path::Path) -> std::io::Result<Vec<AdxRecord>> {
	let mut records = Vec::new();
	for entry in std::fs::read_dir(dir)? {
		let entry = entry?;
		let name = entry.file_name().to_string_lossy().to_string();
		let mut fields = name.splitn(3, '-');
		let (Some(Ok(campaign)), Some(Ok(block))) =
			(fields.next().map(str::parse), fields.next().map(str::parse))
		else {
			continue;
		};
		let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
		let mut words = text.split_whitespace();
		let Some(hash) = words.next().and_then(content::parse_hash) else { continue };
		let settled_at = words.next().and_then(|t| t.parse().ok());
		records.push(AdxRecord { path: entry.path(), campaign, block, hash, settled_at });
	}
	Ok(records)
}

/// `{campaign}-{block}` of a part's `PUT ?adx=`.
fn parse_adx_param(value: &str) -> Option<(u64, u32)> {
	let (campaign, block) = value.split_once('-')?;
	Some((campaign.parse().ok()?, block.parse().ok()?))
}

fn parse_hash_param(hash: &str) -> Result<Hash, Response> {
	if hash.len() != 64 {
		return Err(error(
			StatusCode::BAD_REQUEST,
			"an object is named by 64 hex digits: its SHA-256",
		));
	}
	content::parse_hash(hash).ok_or_else(|| {
		error(StatusCode::BAD_REQUEST, "an object is named by 64 hex digits: its SHA-256")
	})
}

async fn get_object(
	State(node): State<StorageNode>,
	Path(hash): Path<String>,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
) -> Response {
	let hash = match parse_hash_param(&hash) {
		Ok(h) => h,
		Err(r) => return r,
	};
	// The ad exchange's parts are sealed: anyone may fetch them.
	if !node.is_adx_part(&hash) {
		if let Some(refusal) = node.refuse_unless_gateway(&method, &uri, None, &headers) {
			return refusal;
		}
	}
	let size = match node.0.backend.size(&hash).await {
		Ok(Some(size)) => size,
		Ok(None) => return error(StatusCode::NOT_FOUND, "this cluster does not store that object"),
		Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
	};
	if method == Method::GET {
		node.0.metrics.gets.inc();
	}
	let backend = node.0.backend.clone();
	paratii_client::http::serve_object(
		&method,
		&headers,
		size,
		&hex::encode(hash),
		"application/octet-stream",
		|range| async move { backend.read(&hash, range).await },
	)
	.await
}

#[derive(serde::Deserialize)]
struct PutQuery {
	#[serde(rename = "part-of")]
	part_of: Option<String>,
	/// `{campaign}-{block}`: an ad exchange's block part.
	adx: Option<String>,
}

/// Removes a staging file when dropped, unless it was committed.
struct Staged(Option<PathBuf>);
impl Drop for Staged {
	fn drop(&mut self) {
		if let Some(path) = self.0.take() {
			let _ = std::fs::remove_file(path);
		}
	}
}

/// `PUT /objects/{hash}[?part-of={hash}]`: `part-of` names the registered object (a
/// video's original) this one is a part of (one of its segments).
async fn put_object(
	State(node): State<StorageNode>,
	Path(hash): Path<String>,
	Query(query): Query<PutQuery>,
	uri: Uri,
	headers: HeaderMap,
	body: Body,
) -> Response {
	let reject = |status, message: String| {
		node.0.metrics.puts.with_label_values(&["rejected"]).inc();
		error(status, message)
	};
	let raw_hash = hash;
	let hash = match parse_hash_param(&raw_hash) {
		Ok(h) => h,
		Err(r) => {
			node.0.metrics.puts.with_label_values(&["rejected"]).inc();
			return r;
		},
	};
	let Some(owner) = headers.get(OWNER_HEADER).and_then(|v| v.to_str().ok()) else {
		return reject(
			StatusCode::BAD_REQUEST,
			format!("the {OWNER_HEADER} header names the owner"),
		);
	};
	let owner = match paratii_client::parse_account(owner) {
		Ok(owner) => owner,
		Err(e) => return reject(StatusCode::BAD_REQUEST, format!("{OWNER_HEADER}: {e}")),
	};
	let adx = match query.adx.as_deref().map(parse_adx_param) {
		None => None,
		Some(Some(key)) if query.part_of.is_none() => Some(key),
		Some(_) => {
			return reject(
				StatusCode::BAD_REQUEST,
				"adx: {campaign}-{block}, and not with part-of".into(),
			)
		},
	};
	if let Some((campaign, block)) = adx {
		if let Err(refusal) = node.adx_writer(campaign, block, &uri, &owner.0, &headers).await {
			node.0.metrics.puts.with_label_values(&["rejected"]).inc();
			return refusal;
		}
	} else if let Some(refusal) =
		node.refuse_unless_gateway(&Method::PUT, &uri, Some(&owner.0), &headers)
	{
		node.0.metrics.puts.with_label_values(&["rejected"]).inc();
		return refusal;
	}
	let part_of = match query.part_of.as_deref().map(parse_hash_param).transpose() {
		Ok(part_of) => part_of,
		Err(r) => {
			node.0.metrics.puts.with_label_values(&["rejected"]).inc();
			return r;
		},
	};
	let claimed_len = headers
		.get(header::CONTENT_LENGTH)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.parse::<u64>().ok());
	let max = match adx {
		// A part and its seal (magic, nonce, tag).
		Some(_) => {
			node.0.config.max_object_bytes.min(paratii_client::adx::MAX_PART_BYTES as u64 + 64)
		},
		None => node.0.config.max_object_bytes,
	};
	if claimed_len.is_some_and(|len| len > max) {
		return reject(StatusCode::PAYLOAD_TOO_LARGE, format!("objects are at most {max} bytes"));
	}
	if claimed_len == Some(0) {
		return reject(StatusCode::BAD_REQUEST, "an object cannot be empty".into());
	}

	// Stored already: a receipt for this owner, nothing written.
	match node.0.backend.size(&hash).await {
		// Only a part may be a part again: a participant cannot claim a media object
		// (whose hash the chain shows) and make it open to all.
		Ok(Some(_)) if adx.is_some() && !node.is_adx_part(&hash) => {
			return reject(
				StatusCode::CONFLICT,
				"an object with this hash is stored here and is not a block part".into(),
			)
		},
		Ok(Some(size)) => {
			// Read the body to its end, so the client can finish sending it — but no more
			// than an object may have.
			let mut stream = body.into_data_stream();
			let mut read: u64 = 0;
			while let Some(Ok(chunk)) = stream.next().await {
				read += chunk.len() as u64;
				if read > max {
					return reject(
						StatusCode::PAYLOAD_TOO_LARGE,
						format!("objects are at most {max} bytes"),
					);
				}
			}
			node.0.metrics.puts.with_label_values(&["existing"]).inc();
			match adx {
				Some((campaign, block)) => {
					node.record_adx_part(campaign, block, &owner.0, &hash).await
				},
				None => node.mark_pending(&hash, part_of.as_ref()).await,
			}
			return stored_answer(&node, &hash, size, &owner, false);
		},
		Ok(None) => {},
		Err(e) => return reject(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
	}

	let seq = node.0.staging_seq.fetch_add(1, Ordering::Relaxed);
	let path = node.0.config.staging.join(format!("{}-{seq}.part", hex::encode(hash)));
	let mut staged = Staged(Some(path.clone()));
	let mut file = match tokio::fs::File::create(&path).await {
		Ok(f) => f,
		Err(e) => return reject(StatusCode::INTERNAL_SERVER_ERROR, format!("staging: {e}")),
	};
	let mut hasher = Sha256::new();
	let mut size: u64 = 0;
	let mut stream = body.into_data_stream();
	while let Some(chunk) = stream.next().await {
		let chunk = match chunk {
			Ok(c) => c,
			Err(e) => return reject(StatusCode::BAD_REQUEST, format!("reading the body: {e}")),
		};
		size += chunk.len() as u64;
		if size > max {
			return reject(
				StatusCode::PAYLOAD_TOO_LARGE,
				format!("objects are at most {max} bytes"),
			);
		}
		hasher.update(&chunk);
		if let Err(e) = file.write_all(&chunk).await {
			return reject(StatusCode::INTERNAL_SERVER_ERROR, format!("staging: {e}"));
		}
	}
	if let Err(e) = file.flush().await {
		return reject(StatusCode::INTERNAL_SERVER_ERROR, format!("staging: {e}"));
	}
	drop(file);
	if size == 0 {
		return reject(StatusCode::BAD_REQUEST, "an object cannot be empty".into());
	}
	if claimed_len.is_some_and(|len| len != size) {
		return reject(
			StatusCode::UNPROCESSABLE_ENTITY,
			format!("the body has {size} bytes, Content-Length said {}", claimed_len.unwrap_or(0)),
		);
	}
	let actual: Hash = hasher.finalize().into();
	if actual != hash {
		return reject(
			StatusCode::UNPROCESSABLE_ENTITY,
			format!(
				"the body's SHA-256 is {}, not {}: nothing was stored",
				hex::encode(actual),
				hex::encode(hash)
			),
		);
	}
	if let Err(e) = node.0.backend.commit(&hash, &path, size).await {
		return reject(StatusCode::INTERNAL_SERVER_ERROR, format!("storing: {e:#}"));
	}
	staged.0 = None;
	node.0.used_bytes.fetch_add(size, Ordering::Relaxed);
	node.0.objects.fetch_add(1, Ordering::Relaxed);
	node.update_gauges();
	node.0.metrics.puts.with_label_values(&["written"]).inc();
	match adx {
		Some((campaign, block)) => node.record_adx_part(campaign, block, &owner.0, &hash).await,
		None => node.mark_pending(&hash, part_of.as_ref()).await,
	}
	tracing::info!("stored {} ({size} bytes) for {owner}", content::hex_hash(&hash));
	stored_answer(&node, &hash, size, &owner, true)
}

fn stored_answer(
	node: &StorageNode,
	hash: &Hash,
	size: u64,
	owner: &paratii_client::AccountId,
	newly_written: bool,
) -> Response {
	let status = if newly_written { StatusCode::CREATED } else { StatusCode::OK };
	let (issued_at, signature) = node.receipt(hash, size, owner);
	let body = wire::StoredObject {
		cluster: node.0.cluster_id,
		content_hash: content::hex_hash(hash),
		size,
		owner: format!("0x{}", hex::encode(owner.0)),
		issued_at,
		signature,
		public_key: format!("0x{}", hex::encode(node.0.key.public().0)),
		newly_written,
	};
	(status, Json(body)).into_response()
}

async fn health(State(node): State<StorageNode>) -> Response {
	let fields: std::collections::BTreeMap<&str, String> = [
		("status", "ok".to_string()),
		("cluster", node.0.cluster_id.to_string()),
		("backend", node.0.backend.describe()),
		("objects", node.0.objects.load(Ordering::Relaxed).to_string()),
		("used_bytes", node.0.used_bytes.load(Ordering::Relaxed).to_string()),
	]
	.into();
	Json(fields).into_response()
}

async fn metrics(State(node): State<StorageNode>) -> Response {
	metrics_response(&node.0.metrics.registry)
}
