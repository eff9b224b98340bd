//! Following the chain: finalized blocks only, in order, from the index's position.
//!
//! Blocks are read in chunks (up to [`CHUNK_BLOCKS`]). The events of every block of a
//! chunk say which media items and clusters changed (media: registered, deleted,
//! receipts added; users: reactions, flags, views, and a profile registered, changed or
//! removed — every item of that owner; PTI: a price set; micropay: a price per minute set; topology: any cluster event); the
//! changed items are then read from the chain's state at the chunk's last block and
//! replace their documents, and the chunk is committed with that block as the
//! position. Reading state rather than adding up events makes a re-read chunk (after
//! a crash) harmless.

use crate::index::{Position, SearchIndex};
use anyhow::Context;
use futures::{StreamExt, TryStreamExt};
use paratii_client::{
	api,
	chain::AtBlock,
	content,
	wire::{GeoPoint, IndexedMedia, IndexedObject},
	Chain, ClusterId, MediaId,
};
use std::{
	collections::BTreeSet,
	sync::{
		atomic::{AtomicBool, AtomicU32, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

/// Blocks read before a commit while catching up.
pub const CHUNK_BLOCKS: u32 = 512;
/// Blocks (and later media items) fetched from the node at once.
const CONCURRENCY: usize = 16;
/// How often catching up prints its progress line.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// What `/health` reports.
#[derive(Default)]
pub struct Status {
	/// The last block in the index.
	pub indexed: AtomicU32,
	/// The chain's last finalized block, as last seen.
	pub finalized: AtomicU32,
	/// Whether the index has reached the finalized head at least once.
	pub caught_up: AtomicBool,
}

/// Follows the chain into `index` until the connection fails.
pub async fn follow(chain: &Chain, index: &SearchIndex, status: &Status) -> anyhow::Result<()> {
	let mut position = index.position()?;
	if position.block > 0 && !same_chain(chain, &position).await? {
		tracing::warn!(
			"the index stopped at #{} {}, which is not this chain's block (a dev chain \
			 restarted with the same genesis?): rebuilding it from genesis",
			position.block,
			position.hash
		);
		position = Position::default();
		index.clear()?;
	}
	if position.block > 0 {
		tracing::info!(
			"resuming after block #{} ({} media items indexed)",
			position.block,
			index.len()
		);
	} else {
		tracing::info!("indexing from genesis");
		let genesis = chain.at_number(0).await?;
		refresh_clusters(&genesis, &mut position).await?;
		position.hash = format!("0x{}", hex::encode(genesis.block_hash().0));
	}
	status.indexed.store(position.block, Ordering::Relaxed);

	let mut blocks = chain.client().stream_blocks().await?;
	let mut progress = Progress::new(position.block);
	loop {
		let finalized = chain.finalized_number().await? as u32;
		status.finalized.store(finalized, Ordering::Relaxed);
		while position.block < finalized {
			let to = finalized.min(position.block + CHUNK_BLOCKS);
			let media = index_chunk(chain, index, &mut position, to).await?;
			status.indexed.store(position.block, Ordering::Relaxed);
			progress.advance(position.block, finalized, media);
		}
		if !status.caught_up.swap(true, Ordering::Relaxed) {
			progress.done(position.block, index.len());
		}
		// Wait for the next finalized block.
		match blocks.next().await {
			Some(Ok(_)) => {},
			Some(Err(e)) => return Err(e).context("the finalized block stream failed"),
			None => anyhow::bail!("the node closed the finalized block stream"),
		}
	}
}

/// Whether the block the index stopped at is on this chain. Waits while the node has
/// not finalized that far yet (it may be syncing).
async fn same_chain(chain: &Chain, position: &Position) -> anyhow::Result<bool> {
	loop {
		let finalized = chain.finalized_number().await? as u32;
		if finalized >= position.block {
			break;
		}
		tracing::info!(
			"the node has finalized #{finalized}; the index is at #{}: waiting for the node",
			position.block
		);
		tokio::time::sleep(Duration::from_secs(5)).await;
	}
	let at = chain.at_number(position.block).await?;
	Ok(format!("0x{}", hex::encode(at.block_hash().0)) == position.hash)
}

/// What one block's events changed.
#[derive(Default)]
struct Changes {
	media: BTreeSet<MediaId>,
	/// Items whose users-pallet counters changed (the rest keep theirs, or have none yet).
	counters: BTreeSet<MediaId>,
	/// Owners whose display name changed: all their items are read again.
	owners: BTreeSet<[u8; 32]>,
	registered: usize,
	clusters: bool,
}

fn changes_of(
	events: &subxt::events::Events<paratii_client::ChainConfig>,
) -> anyhow::Result<Changes> {
	use api::{media::events as m, pti::events as p, topology::events as t, users::events as u};
	let mut changes = Changes::default();
	for event in events.iter() {
		let event = event?;
		let id = match (event.pallet_name(), event.event_name()) {
			("Media", "MediaRegistered") => {
				changes.registered += 1;
				event.decode_fields_unchecked_as::<m::MediaRegistered>()?.media_id
			},
			("Media", "MediaDeleted") => {
				event.decode_fields_unchecked_as::<m::MediaDeleted>()?.media_id
			},
			("Media", "ReceiptsAdded") => {
				event.decode_fields_unchecked_as::<m::ReceiptsAdded>()?.media_id
			},
			("Pti", "PriceSet") => event.decode_fields_unchecked_as::<p::PriceSet>()?.media_id,
			("Micropay", "MinutePriceSet") => {
				event.decode_fields_unchecked_as::<api::micropay::events::MinutePriceSet>()?.media
			},
			("Users", "UserRegistered") => {
				changes
					.owners
					.insert(event.decode_fields_unchecked_as::<u::UserRegistered>()?.who.0);
				continue;
			},
			("Users", "ProfileUpdated") => {
				changes
					.owners
					.insert(event.decode_fields_unchecked_as::<u::ProfileUpdated>()?.who.0);
				continue;
			},
			("Users", "UserUnregistered") => {
				changes
					.owners
					.insert(event.decode_fields_unchecked_as::<u::UserUnregistered>()?.who.0);
				continue;
			},
			("Users", name) => {
				let id = match name {
					"Reacted" => event.decode_fields_unchecked_as::<u::Reacted>()?.media_id,
					"Flagged" => event.decode_fields_unchecked_as::<u::Flagged>()?.media_id,
					"Unflagged" => event.decode_fields_unchecked_as::<u::Unflagged>()?.media_id,
					"ViewRecorded" => {
						event.decode_fields_unchecked_as::<u::ViewRecorded>()?.media_id
					},
					_ => continue,
				};
				changes.counters.insert(id);
				id
			},
			("Topology", _) => {
				// Decoded to be sure it is one we know; any of them may change a status.
				let known = event.is::<t::ClusterRegistered>()
					|| event.is::<t::ClusterStatusChanged>()
					|| event.is::<t::KeyRotated>()
					|| event.is::<t::RingEpochChanged>();
				changes.clusters |= known;
				continue;
			},
			_ => continue,
		};
		changes.media.insert(id);
	}
	Ok(changes)
}

/// Indexes blocks `position.block + 1 ..= to` and commits. Returns the media items
/// registered in them.
async fn index_chunk(
	chain: &Chain,
	index: &SearchIndex,
	position: &mut Position,
	to: u32,
) -> anyhow::Result<usize> {
	let from = position.block + 1;
	let mut changes = Changes::default();
	let mut blocks = futures::stream::iter(from..=to)
		.map(|n| async move {
			let at = chain.at_number(n).await.with_context(|| format!("block #{n}"))?;
			let events = at.events().fetch().await.with_context(|| format!("events of #{n}"))?;
			anyhow::Ok(changes_of(&events)?)
		})
		.buffered(CONCURRENCY);
	while let Some(block) = blocks.try_next().await? {
		changes.media.extend(block.media);
		changes.counters.extend(block.counters);
		changes.owners.extend(block.owners);
		changes.registered += block.registered;
		changes.clusters |= block.clusters;
	}

	for owner in &changes.owners {
		changes.media.extend(index.ids_of_owner(&owner_key(owner))?);
	}
	let at = chain.at_number(to).await?;
	let flag_threshold =
		at.constants().entry(api::constants().users().flag_threshold()).unwrap_or(u32::MAX);
	let records: Vec<_> = futures::stream::iter(changes.media.iter().copied())
		.map(|id| {
			// Counters are read when they changed; otherwise the indexed ones stay
			// (a new item has none).
			let counters = if changes.counters.contains(&id) {
				Counters::Read(flag_threshold)
			} else {
				Counters::Keep(index.get(id).ok().flatten().map(Box::new))
			};
			read_media(chain, &at, id, to, counters)
		})
		.buffered(CONCURRENCY)
		.try_collect()
		.await?;
	let mut records: Vec<_> = records.into_iter().flatten().collect();
	// Owners' display names: read once per owner, however many of their items changed.
	let owners: BTreeSet<[u8; 32]> =
		records.iter().filter_map(|(_, key)| owner_of_key(key)).collect();
	let names: std::collections::BTreeMap<[u8; 32], Option<String>> = futures::stream::iter(owners)
		.map(|owner| {
			let at = &at;
			async move { anyhow::Ok((owner, display_name(at, owner).await?)) }
		})
		.buffered(CONCURRENCY)
		.try_collect()
		.await?;
	for (record, key) in &mut records {
		record.owner_name = owner_of_key(key).and_then(|o| names.get(&o).cloned().flatten());
		index.upsert(record, key)?;
	}
	if changes.clusters {
		refresh_clusters(&at, position).await?;
	}
	position.block = to;
	position.hash = format!("0x{}", hex::encode(at.block_hash().0));
	index.commit(position)?;
	Ok(changes.registered)
}

/// Where an item's counters come from.
enum Counters {
	/// The chain's state (with `users.FlagThreshold`).
	Read(u32),
	/// The indexed record, if any (no users event touched the item).
	Keep(Option<Box<IndexedMedia>>),
}

/// A media item and its counters in the state `at`, with the owner's index key.
async fn read_media(
	chain: &Chain,
	at: &AtBlock,
	id: MediaId,
	block: u32,
	counters: Counters,
) -> anyhow::Result<Option<(IndexedMedia, String)>> {
	let Some(media) = chain.media_at(at, id).await? else { return Ok(None) };
	let (likes, dislikes, flags, flagged, views) = match counters {
		Counters::Read(flag_threshold) => {
			let users = api::storage().users();
			let tally = at.storage().fetch(users.reaction_counts(), (id,)).await?.decode()?;
			let flags = at.storage().fetch(users.flag_count(), (id,)).await?.decode()?;
			let views = at.storage().fetch(users.views(), (id,)).await?.decode()?;
			(tally.likes, tally.dislikes, flags, flags >= flag_threshold, views)
		},
		Counters::Keep(Some(old)) => (old.likes, old.dislikes, old.flags, old.flagged, old.views),
		Counters::Keep(None) => (0, 0, 0, false, 0),
	};
	let owner_key = owner_key(&media.owner.0);
	let price = at
		.storage()
		.try_fetch(api::storage().pti().prices(), (id,))
		.await?
		.map(|price| price.decode())
		.transpose()?
		.map(|planck: u128| planck.to_string());
	let minute_price =
		paratii_client::micropay::minute_price_at(at, id).await?.map(|p| p.to_string());
	use paratii_client::chain::Kind;
	let kind = if media.objects.iter().any(|o| matches!(o.kind, Kind::Transcoded { .. })) {
		"video"
	} else if media.objects.iter().any(|o| matches!(o.kind, Kind::Thumbnail { .. })) {
		"picture"
	} else {
		"other"
	};
	// The smallest thumbnail: what a catalogue's grid shows.
	let thumbnail = media
		.objects
		.iter()
		.enumerate()
		.filter_map(|(i, o)| match o.kind {
			Kind::Thumbnail { width, height } => Some((width.max(height), i)),
			_ => None,
		})
		.min()
		.map(|(_, i)| format!("/media/{id}/objects/{i}"));
	Ok(Some((
		IndexedMedia {
			id,
			owner: media.owner.to_string(),
			title: media.title,
			status: if media.deleted { "deleted" } else { "active" }.into(),
			flagged,
			flags,
			likes,
			dislikes,
			views,
			location: media.location.map(GeoPoint::from_micro),
			captured_at: media.captured_at,
			registered_block: media.registered_at,
			registered_at: media.registered_at_ms,
			objects: media
				.objects
				.into_iter()
				.map(|o| IndexedObject {
					kind: o.kind,
					cid: content::cid_of(&o.content_hash),
					size: o.size,
					clusters: o.clusters,
				})
				.collect(),
			indexed_at: block,
			kind: kind.into(),
			price,
			minute_price,
			// Filled in by `index_chunk`, once per owner of the chunk.
			owner_name: None,
			thumbnail,
		},
		owner_key,
	)))
}

/// `owner`'s display name (`users.users`) in the state `at`, while registered.
async fn display_name(at: &AtBlock, owner: [u8; 32]) -> anyhow::Result<Option<String>> {
	let account = paratii_client::AccountId::from(owner);
	Ok(at
		.storage()
		.try_fetch(api::storage().users().users(), (account,))
		.await?
		.map(|user| user.decode())
		.transpose()?
		.map(|user| String::from_utf8_lossy(&user.name.0).into_owned()))
}

/// The account an owner key ([`owner_key`]) names.
fn owner_of_key(key: &str) -> Option<[u8; 32]> {
	hex::decode(key.trim_start_matches("0x")).ok()?.try_into().ok()
}

/// How the index keys an owner: `0x` hex of the account's 32 bytes.
pub fn owner_key(account: &[u8; 32]) -> String {
	format!("0x{}", hex::encode(account))
}

/// Reads every cluster's status in the state `at` into the position.
async fn refresh_clusters(at: &AtBlock, position: &mut Position) -> anyhow::Result<()> {
	let topology = api::storage().topology();
	let next: ClusterId = at.storage().fetch(topology.next_cluster_id(), ()).await?.decode()?;
	position.clusters.clear();
	for id in 0..next {
		if let Some(cluster) = at.storage().try_fetch(topology.clusters(), (id,)).await? {
			let status = format!("{:?}", cluster.decode()?.status);
			position.clusters.insert(id, status);
		}
	}
	Ok(())
}

/// The catching-up progress line.
struct Progress {
	started: Instant,
	start_block: u32,
	last_print: Instant,
	media: usize,
}

impl Progress {
	fn new(block: u32) -> Self {
		let now = Instant::now();
		Self { started: now, start_block: block, last_print: now, media: 0 }
	}

	fn advance(&mut self, block: u32, head: u32, media: usize) {
		self.media += media;
		if self.last_print.elapsed() < PROGRESS_EVERY {
			return;
		}
		self.last_print = Instant::now();
		let secs = self.started.elapsed().as_secs_f64().max(1e-3);
		tracing::info!(
			"catching up: #{block} of #{head}, {} blocks left, {:.0} blocks/s, {:.0} media/s",
			head - block,
			f64::from(block - self.start_block) / secs,
			self.media as f64 / secs
		);
	}

	fn done(&self, block: u32, docs: u64) {
		let secs = self.started.elapsed().as_secs_f64().max(1e-3);
		tracing::info!(
			"caught up at #{block}: {} blocks and {} new media items in {secs:.1} s \
			 ({:.0} blocks/s, {:.0} media/s); {docs} media items in the index; following \
			 finalized blocks",
			block - self.start_block,
			self.media,
			f64::from(block - self.start_block) / secs,
			self.media as f64 / secs
		);
	}
}

/// Keeps following, reconnecting after failures, until the process stops.
pub async fn run(url: String, index: Arc<SearchIndex>, status: Arc<Status>) {
	let mut backoff = paratii_client::Backoff::new(Duration::from_secs(30));
	loop {
		let started = std::time::Instant::now();
		let result = async {
			let chain = Chain::connect(&url, Duration::from_secs(60)).await?;
			follow(&chain, &index, &status).await
		}
		.await;
		let e = result.err().unwrap_or_else(|| anyhow::anyhow!("the chain's stream ended"));
		// A connection that followed for a while and then broke: reconnect soon.
		if started.elapsed() > Duration::from_secs(60) {
			backoff.reset();
		}
		backoff.wait("following the chain", &e).await;
	}
}
