//! What downloads read from the chain — a media item's record and prices, whether a
//! viewer bought it, which item a CID belongs to — read once per finalized block.
//!
//! Every answer is keyed by the finalized block's hash, so a new block makes them all
//! fresh (a purchase or a deletion shows at the block that finalizes it), and the state
//! comes from the followed finalized head ([`paratii_client::Finalized`]): a download
//! whose record was read before at the same block asks the node nothing; before, each
//! download made three to five requests for the head and two to three queries. A
//! negative answer (no such item, not bought) is checked again at the node's own
//! finalized block when that is newer than the followed one.

use crate::metrics::Metrics;
use moka::sync::Cache;
use paratii_client::{AccountId, AtBlock, Chain, Finalized, MediaId, MediaInfo, ProofInfo};
use std::{sync::Arc, time::Duration};

/// A media item as downloads need it.
pub struct Item {
	pub media: MediaInfo,
	/// Its price, if its owner put it on sale.
	pub price: Option<u128>,
	/// Its price per minute of video, if its owner priced it so (pay as you watch).
	pub minute_price: Option<u128>,
}

pub struct Records {
	chain: Chain,
	finalized: Finalized,
	items: Cache<([u8; 32], MediaId), Option<Arc<Item>>>,
	purchases: Cache<([u8; 32], MediaId, [u8; 32]), bool>,
	holders: Cache<([u8; 32], [u8; 32]), Option<Arc<ProofInfo>>>,
	metrics: Arc<Metrics>,
}

/// Entries kept: each block's answers are useless after the next one, so this only
/// bounds memory under many distinct requests within one block.
const CAPACITY: u64 = 50_000;
/// Blocks finalize every few seconds; older entries are never read again.
const TTL: Duration = Duration::from_secs(60);

fn cache<K, V>() -> Cache<K, V>
where
	K: std::hash::Hash + Eq + Send + Sync + 'static,
	V: Clone + Send + Sync + 'static,
{
	Cache::builder().max_capacity(CAPACITY).time_to_live(TTL).build()
}

impl Records {
	/// Starts following `chain`'s finalized blocks.
	pub fn new(chain: &Chain, metrics: Arc<Metrics>) -> Self {
		Self {
			finalized: chain.follow_finalized(),
			chain: chain.clone(),
			items: cache(),
			purchases: cache(),
			holders: cache(),
			metrics,
		}
	}

	/// The number of the finalized block the records are read at (none while the
	/// stream of finalized blocks is down): a change on chain shows in downloads from
	/// then on.
	pub fn followed_block(&self) -> Option<u64> {
		self.finalized.followed().map(|at| at.block_number())
	}

	/// The finalized state one request reads everything from.
	pub async fn at(&self) -> anyhow::Result<AtBlock> {
		self.finalized.at().await
	}

	fn counted<V>(&self, cached: Option<V>) -> Option<V> {
		let source = if cached.is_some() { "cache" } else { "chain" };
		self.metrics.records.with_label_values(&[source]).inc();
		cached
	}

	/// The node's finalized state, if it is newer than `at`. The followed head can be a
	/// moment behind the node: a client that has just seen its registration or purchase
	/// finalized and asks at once must not be told "no" because of that moment, so a
	/// negative answer is checked again there (a positive one never needs to be).
	async fn newer_than(&self, at: &AtBlock) -> anyhow::Result<Option<AtBlock>> {
		let latest = self.chain.at_finalized().await?;
		Ok((latest.block_number() > at.block_number()).then_some(latest))
	}

	/// Media item `id` and its price, at `at` or, if it has no such item, at the node's
	/// newer finalized block (`None`: no such item).
	pub async fn item(&self, at: &AtBlock, id: MediaId) -> anyhow::Result<Option<Arc<Item>>> {
		match self.item_at(at, id).await? {
			Some(item) => Ok(Some(item)),
			None => match self.newer_than(at).await? {
				Some(latest) => self.item_at(&latest, id).await,
				None => Ok(None),
			},
		}
	}

	async fn item_at(&self, at: &AtBlock, id: MediaId) -> anyhow::Result<Option<Arc<Item>>> {
		let key = (at.block_hash().0, id);
		if let Some(item) = self.counted(self.items.get(&key)) {
			return Ok(item);
		}
		// The queries at once: a video's first frame waits on them after every new block.
		let (media, price, minute_price) = tokio::try_join!(
			self.chain.media_at(at, id),
			self.chain.price_at(at, id),
			paratii_client::micropay::minute_price_at(at, id)
		)?;
		let item = media.map(|media| Arc::new(Item { media, price, minute_price }));
		self.items.insert(key, item.clone());
		Ok(item)
	}

	/// Whether `who` bought media item `id`, at `at` or the node's newer finalized block.
	pub async fn purchased(
		&self,
		at: &AtBlock,
		id: MediaId,
		who: &AccountId,
	) -> anyhow::Result<bool> {
		if self.purchased_at(at, id, who).await? {
			return Ok(true);
		}
		match self.newer_than(at).await? {
			Some(latest) => self.purchased_at(&latest, id, who).await,
			None => Ok(false),
		}
	}

	async fn purchased_at(
		&self,
		at: &AtBlock,
		id: MediaId,
		who: &AccountId,
	) -> anyhow::Result<bool> {
		let key = (at.block_hash().0, id, who.0);
		if let Some(bought) = self.counted(self.purchases.get(&key)) {
			return Ok(bought);
		}
		let bought = self.chain.has_purchased_at(at, id, who).await?;
		self.purchases.insert(key, bought);
		Ok(bought)
	}

	/// The media item and object whose content hash is `hash`, at `at` or the node's
	/// newer finalized block.
	pub async fn holder(
		&self,
		at: &AtBlock,
		hash: [u8; 32],
	) -> anyhow::Result<Option<Arc<ProofInfo>>> {
		match self.holder_at(at, hash).await? {
			Some(holder) => Ok(Some(holder)),
			None => match self.newer_than(at).await? {
				Some(latest) => self.holder_at(&latest, hash).await,
				None => Ok(None),
			},
		}
	}

	async fn holder_at(
		&self,
		at: &AtBlock,
		hash: [u8; 32],
	) -> anyhow::Result<Option<Arc<ProofInfo>>> {
		let key = (at.block_hash().0, hash);
		if let Some(holder) = self.counted(self.holders.get(&key)) {
			return Ok(holder);
		}
		let holder = self.chain.proof_of_existence_at(at, hash).await?.map(Arc::new);
		self.holders.insert(key, holder.clone());
		Ok(holder)
	}
}
