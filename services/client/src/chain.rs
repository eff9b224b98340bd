//! A connection to a Paratii node and the queries the services make, answered with
//! plain Rust types (the generated ones stay inside this crate where possible).

use crate::{
	api::{
		self,
		runtime_types::{
			pallet_media::types::{MediaStatus, ObjectKind},
			pallet_topology::types::ClusterStatus,
		},
	},
	AccountId, ChainConfig, ClusterId, MediaId, RingEpoch,
};
use anyhow::Context;
use std::time::Duration;
use subxt::{
	config::RpcConfigFor,
	rpcs::{LegacyRpcMethods, RpcClient},
	utils::H256,
	OnlineClient,
};

/// The chain's state at one block.
pub type AtBlock = subxt::OnlineClientAtBlock<ChainConfig>;

/// Legacy JSON-RPC methods (`chain_*`), for what the new client API does not cover.
pub type Rpc = LegacyRpcMethods<RpcConfigFor<ChainConfig>>;

/// A storage cluster as the topology pallet records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterInfo {
	pub id: ClusterId,
	pub operator: AccountId,
	pub public_key: [u8; 32],
	pub endpoint: String,
	pub active: bool,
	/// `Active`, `Offline`, `Draining` or `Retired`.
	pub status: &'static str,
}

/// What an object of a media item is, as the services say it.
#[derive(
	Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
	Original,
	Thumbnail {
		width: u32,
		height: u32,
	},
	Transcoded {
		label: String,
	},
	/// The SHA-256 of each MiB of the original, concatenated
	/// ([`paratii_primitives::CHUNK_BYTES`]): what a gateway verifies the original
	/// against chunk by chunk while it streams it.
	ChunkHashes,
}

/// An object of a media item, as recorded on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
	pub kind: Kind,
	pub content_hash: [u8; 32],
	pub size: u64,
	pub clusters: Vec<ClusterId>,
}

/// A media item as recorded on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaInfo {
	pub id: MediaId,
	pub owner: AccountId,
	pub title: String,
	pub location: Option<(i32, i32)>,
	pub captured_at: Option<u64>,
	pub objects: Vec<ObjectInfo>,
	pub deleted: bool,
	pub registered_at: u32,
	pub registered_at_ms: u64,
}

/// `MediaApi::proof_of_existence` of one content hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofInfo {
	pub media_id: MediaId,
	pub object_index: u32,
	pub owner: AccountId,
	pub block_number: u32,
	pub timestamp: u64,
	pub deleted: bool,
	pub clusters: Vec<ClusterId>,
}

/// A connection to a node.
#[derive(Clone)]
pub struct Chain {
	client: OnlineClient<ChainConfig>,
	rpc: Rpc,
	raw: RpcClient,
}

fn status_name(status: &ClusterStatus) -> &'static str {
	match status {
		ClusterStatus::Active => "Active",
		ClusterStatus::Offline => "Offline",
		ClusterStatus::Draining => "Draining",
		ClusterStatus::Retired => "Retired",
	}
}

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`), retrying for up to
	/// `patience` while the node starts.
	pub async fn connect(url: &str, patience: Duration) -> anyhow::Result<Self> {
		let deadline = tokio::time::Instant::now() + patience;
		loop {
			match Self::try_connect(url).await {
				Ok(chain) => return Ok(chain),
				Err(e) if tokio::time::Instant::now() < deadline => {
					tracing::info!("waiting for the node at {url}: {e:#}");
					tokio::time::sleep(Duration::from_secs(1)).await;
				},
				Err(e) => return Err(e.context(format!("cannot connect to the node at {url}"))),
			}
		}
	}

	async fn try_connect(url: &str) -> anyhow::Result<Self> {
		let rpc_client = RpcClient::from_insecure_url(url).await?;
		let client = OnlineClient::<ChainConfig>::from_rpc_client(rpc_client.clone()).await?;
		Ok(Self { client, rpc: Rpc::new(rpc_client.clone()), raw: rpc_client })
	}

	/// The node's legacy JSON-RPC methods (`chain_*`, `system_*`).
	pub fn rpc(&self) -> &Rpc {
		&self.rpc
	}

	/// The raw JSON-RPC client, for the node's own methods (`beefy_*`, `mmr_*`).
	pub fn raw_rpc(&self) -> &RpcClient {
		&self.raw
	}

	/// The subxt client, for transactions and subscriptions.
	pub fn client(&self) -> &OnlineClient<ChainConfig> {
		&self.client
	}

	/// The chain's genesis hash: every storage receipt is bound to it.
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.client.genesis_hash().0
	}

	/// `media.ReplicationFactor`: distinct clusters every object must be stored on.
	pub async fn replication_factor(&self) -> anyhow::Result<u32> {
		let at = self.client.at_current_block().await?;
		Ok(at.constants().entry(api::constants().media().replication_factor())?)
	}

	/// The active clusters and the ring epoch they form (`TopologyApi::ring`), at the
	/// latest finalized block.
	pub async fn ring(&self) -> anyhow::Result<(RingEpoch, Vec<ClusterInfo>)> {
		let at = self.client.at_current_block().await?;
		let (epoch, clusters) =
			at.runtime_apis().call(api::runtime_apis().topology_api().ring()).await?;
		Ok((epoch, clusters.into_iter().map(Self::cluster_info).collect()))
	}

	/// The ring epoch at the latest finalized block (one storage read).
	pub async fn ring_epoch(&self) -> anyhow::Result<RingEpoch> {
		let at = self.client.at_current_block().await?;
		let value =
			at.storage().try_fetch(api::storage().topology().current_ring_epoch(), ()).await?;
		Ok(match value {
			Some(v) => v.decode()?,
			None => 0,
		})
	}

	/// One cluster, any status (`TopologyApi::cluster`).
	pub async fn cluster(&self, id: ClusterId) -> anyhow::Result<Option<ClusterInfo>> {
		self.cluster_at(&self.at_finalized().await?, id).await
	}

	/// One cluster, any status, in the state `at` (`topology.Clusters`).
	pub async fn cluster_at(
		&self,
		at: &AtBlock,
		id: ClusterId,
	) -> anyhow::Result<Option<ClusterInfo>> {
		let Some(value) =
			at.storage().try_fetch(api::storage().topology().clusters(), (id,)).await?
		else {
			return Ok(None);
		};
		let c = value.decode()?;
		Ok(Some(ClusterInfo {
			id,
			operator: c.operator,
			public_key: c.public_key,
			endpoint: String::from_utf8_lossy(&c.endpoint.0).into_owned(),
			active: matches!(c.status, ClusterStatus::Active),
			status: status_name(&c.status),
		}))
	}

	fn cluster_info(
		c: api::runtime_types::pallet_topology::types::ClusterView<AccountId, u32>,
	) -> ClusterInfo {
		ClusterInfo {
			id: c.id,
			operator: c.operator,
			public_key: c.public_key,
			endpoint: String::from_utf8_lossy(&c.endpoint).into_owned(),
			active: matches!(c.status, ClusterStatus::Active),
			status: status_name(&c.status),
		}
	}

	/// The id of the cluster whose receipt key is `key`, if one is registered.
	pub async fn cluster_by_key(&self, key: [u8; 32]) -> anyhow::Result<Option<ClusterId>> {
		let at = self.client.at_current_block().await?;
		let value =
			at.storage().try_fetch(api::storage().topology().cluster_by_key(), (key,)).await?;
		Ok(match value {
			Some(v) => Some(v.decode()?),
			None => None,
		})
	}

	/// Whether `who` is a registered user (pallet-users), at the latest finalized block.
	pub async fn is_user(&self, who: &AccountId) -> anyhow::Result<bool> {
		let at = self.client.at_current_block().await?;
		Ok(at.storage().try_fetch(api::storage().users().users(), (*who,)).await?.is_some())
	}

	/// The state at the latest finalized block.
	pub async fn at_finalized(&self) -> anyhow::Result<AtBlock> {
		Ok(self.client.at_current_block().await?)
	}

	/// The state at the node's best block (possibly not final yet).
	pub async fn at_best(&self) -> anyhow::Result<AtBlock> {
		let hash = self
			.rpc
			.chain_get_block_hash(None)
			.await
			.context("chain_getBlockHash")?
			.context("the node has no best block")?;
		Ok(self.client.at_block(hash).await?)
	}

	/// The state at block `number` of the finalized chain.
	pub async fn at_number(&self, number: u32) -> anyhow::Result<AtBlock> {
		Ok(self.client.at_block(number as u64).await?)
	}

	/// A media item (`MediaApi::media`) at the latest finalized block.
	pub async fn media(&self, id: MediaId) -> anyhow::Result<Option<MediaInfo>> {
		self.media_at(&self.at_finalized().await?, id).await
	}

	/// A media item (`MediaApi::media`) in the state `at`.
	pub async fn media_at(&self, at: &AtBlock, id: MediaId) -> anyhow::Result<Option<MediaInfo>> {
		let view = at.runtime_apis().call(api::runtime_apis().media_api().media(id)).await?;
		Ok(view.map(|m| MediaInfo {
			id: m.id,
			owner: m.owner,
			title: String::from_utf8_lossy(&m.title).into_owned(),
			location: m.location,
			captured_at: m.captured_at,
			objects: m
				.objects
				.into_iter()
				.map(|o| ObjectInfo {
					kind: match o.kind {
						ObjectKind::Original => Kind::Original,
						ObjectKind::Thumbnail { width, height } => {
							Kind::Thumbnail { width, height }
						},
						ObjectKind::Transcoded { label } => {
							Kind::Transcoded { label: String::from_utf8_lossy(&label).into_owned() }
						},
						ObjectKind::ChunkHashes => Kind::ChunkHashes,
					},
					content_hash: o.content_hash.0,
					size: o.size,
					clusters: o.clusters,
				})
				.collect(),
			deleted: matches!(m.status, MediaStatus::Deleted),
			registered_at: m.registered_at,
			registered_at_ms: m.registered_at_ms,
		}))
	}

	/// Who registered the content with SHA-256 `hash`, when, and where it is stored
	/// (`MediaApi::proof_of_existence`), at the latest finalized block.
	pub async fn proof_of_existence(&self, hash: [u8; 32]) -> anyhow::Result<Option<ProofInfo>> {
		self.proof_of_existence_at(&self.at_finalized().await?, hash).await
	}

	/// [`Self::proof_of_existence`] in the state `at`.
	pub async fn proof_of_existence_at(
		&self,
		at: &AtBlock,
		hash: [u8; 32],
	) -> anyhow::Result<Option<ProofInfo>> {
		let proof = at
			.runtime_apis()
			.call(api::runtime_apis().media_api().proof_of_existence(H256(hash)))
			.await?;
		Ok(proof.map(|p| ProofInfo {
			media_id: p.media_id,
			object_index: p.object_index,
			owner: p.owner,
			block_number: p.block_number,
			timestamp: p.timestamp,
			deleted: matches!(p.status, MediaStatus::Deleted),
			clusters: p.clusters,
		}))
	}

	/// The next nonce of `who`, counting its transactions in the node's pool
	/// (`system_accountNextIndex`). subxt's default reads the finalized state, which
	/// reuses the nonce of a transaction that is still pending.
	pub async fn next_nonce(&self, who: &AccountId) -> anyhow::Result<u64> {
		self.rpc.system_account_next_index(who).await.context("system_accountNextIndex")
	}

	/// The price of `id` if its owner put it on sale (`pti.prices`), finalized.
	pub async fn price(&self, id: MediaId) -> anyhow::Result<Option<u128>> {
		self.price_at(&self.at_finalized().await?, id).await
	}

	/// The price of `id` in the state `at`.
	pub async fn price_at(&self, at: &AtBlock, id: MediaId) -> anyhow::Result<Option<u128>> {
		Ok(match at.storage().try_fetch(api::storage().pti().prices(), (id,)).await? {
			Some(v) => Some(v.decode()?),
			None => None,
		})
	}

	/// Whether `who` bought `id` (`pti.purchases`), finalized.
	pub async fn has_purchased(&self, id: MediaId, who: &AccountId) -> anyhow::Result<bool> {
		self.has_purchased_at(&self.at_finalized().await?, id, who).await
	}

	/// Whether `who` bought `id`, in the state `at`.
	pub async fn has_purchased_at(
		&self,
		at: &AtBlock,
		id: MediaId,
		who: &AccountId,
	) -> anyhow::Result<bool> {
		Ok(at.storage().try_fetch(api::storage().pti().purchases(), (id, *who)).await?.is_some())
	}

	/// The number of the latest finalized block.
	pub async fn finalized_number(&self) -> anyhow::Result<u64> {
		Ok(self.client.at_current_block().await?.block_number())
	}

	/// Follows the node's finalized blocks in the background: [`Finalized::at`] then
	/// hands out the latest finalized state without asking the node (taking it with
	/// [`Self::at_finalized`] costs three requests: the head, its header and the runtime
	/// version). The task reconnects the stream with [`crate::Backoff`] after a failure
	/// and ends when every [`Finalized`] is dropped.
	pub fn follow_finalized(&self) -> Finalized {
		let (tx, rx) = tokio::sync::watch::channel(None);
		let chain = self.clone();
		tokio::spawn(async move {
			let mut backoff = crate::Backoff::new(Duration::from_secs(30));
			while !tx.is_closed() {
				if let Err(e) = chain.send_finalized(&tx, &mut backoff).await {
					// Until the stream is back, `Finalized::at` asks the node each time.
					let _ = tx.send(None);
					backoff.wait("following finalized blocks", &e).await;
				}
			}
		});
		Finalized { chain: self.clone(), latest: rx }
	}

	/// Sends each finalized block's state to `tx` until the stream fails, or nobody
	/// listens any more (`Ok`).
	async fn send_finalized(
		&self,
		tx: &tokio::sync::watch::Sender<Option<AtBlock>>,
		backoff: &mut crate::Backoff,
	) -> anyhow::Result<()> {
		let mut blocks = self.client.stream_blocks().await?;
		// The stream opens with the finalized blocks the node still holds (a dozen or
		// more, older than its head): handed out, they would answer from a state before
		// changes finalized since (found when a restarted gateway refused a channel
		// opened half a minute before). Those before the head at the start are skipped.
		let head = self.finalized_number().await?;
		while let Some(block) = blocks.next().await {
			let block = block?;
			if block.number() < head {
				continue;
			}
			let at = block.at().await?;
			if tx.send(Some(at)).is_err() {
				return Ok(());
			}
			backoff.reset();
		}
		anyhow::bail!("the node closed the finalized block stream")
	}
}

/// The latest finalized state as [`Chain::follow_finalized`] keeps it.
#[derive(Clone)]
pub struct Finalized {
	chain: Chain,
	latest: tokio::sync::watch::Receiver<Option<AtBlock>>,
}

impl Finalized {
	/// The block the stream has reached, without asking the node (`None` while the
	/// stream is not running).
	pub fn followed(&self) -> Option<AtBlock> {
		self.latest.borrow().clone()
	}

	/// The latest finalized state: the followed one, or the node's answer while the
	/// stream is not (yet) running.
	pub async fn at(&self) -> anyhow::Result<AtBlock> {
		let latest = self.latest.borrow().clone();
		match latest {
			Some(at) => Ok(at),
			None => self.chain.at_finalized().await,
		}
	}
}
