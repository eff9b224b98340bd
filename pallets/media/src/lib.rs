//! # Media pallet
//!
//! Proofs of existence for media. A user registers a media item — a title, optional
//! place and time of capture, and its objects (the original file, thumbnails,
//! transcodings) — and for every object the SHA-256 of its bytes with storage
//! receipts from `ReplicationFactor` distinct active storage clusters. The chain
//! verifies each receipt's ed25519 signature against the cluster's registered key
//! (pallet-topology), allocates the next sequential [`MediaId`], and records who
//! registered which content hash in which block. The first registrant of a hash wins:
//! a hash registered before is rejected, and the record outlives deletion as a
//! tombstone, so the proof of existence stays.
//!
//! ## Chunk hashes
//!
//! An original larger than [`paratii_primitives::CHUNK_BYTES`] (1 MiB) may come with an
//! object of kind `ChunkHashes`: the SHA-256 of each MiB of the original, concatenated
//! (32 bytes per started MiB, checked). A gateway then streams the original to a viewer
//! chunk by chunk, each verified against what the chain commits to before it is sent,
//! instead of fetching and hashing the whole file first; a range of it is verified the
//! same way.
//!
//! ## The storage receipt
//!
//! A cluster signs, with its ed25519 key, the SCALE encoding of
//! `(*b"paratii/receipt/v2", genesis_hash, cluster: u32, content_hash, size: u64, owner,
//! issued_at: u64)` — 134 bytes: the 18-byte tag, this chain's genesis hash, the
//! cluster's id, the content hash, the size, the owner's 32-byte account id and the
//! time it signed (Unix milliseconds), integers little-endian (see
//! [`paratii_primitives::receipt_message`]). It signs only after the bytes are on disk.
//!
//! The chain takes a receipt only while it is fresh: signed at most `ReceiptLifetime`
//! before the block's timestamp and at most `ReceiptClockSkew` after it. A receipt
//! says that the cluster held the bytes *when it signed*; the first version carried no
//! cluster id and no time, so after an Offline cluster came back anyone could re-add it
//! to an object with its receipt from the original registration, even if it had dropped
//! the data. Media registered with first-version receipts (before runtime 111) keep
//! them in their registering extrinsics, verifiable with
//! [`paratii_primitives::receipt_message_v1`]; the chain takes only the second version.
//!
//! ## Calls
//!
//! - `register_media(title, location, captured_at, objects)` — a registered user; holds
//!   the storage deposit (below).
//! - `delete_media(id)` — the owner; the record stays as a tombstone.
//! - `add_receipts(id, object_index, receipts)` — anyone with valid receipts for the
//!   object from clusters that do not hold it yet (re-replication). When the object's
//!   `MaxReceipts` slots are full, receipts of clusters that no longer serve it
//!   (`Offline` or `Retired`) are replaced, so an object can be repaired any number of
//!   times.
//!
//! ## The storage deposit
//!
//! A media item stores, for good, its record and one hash-index entry per object.
//! `register_media` holds `DepositPerItem` for each of those entries plus
//! `DepositPerByte` for each byte of the encoded record, from the owner's free balance
//! (error `CannotPayDeposit`); the record says how much it holds.
//!
//! `delete_media` erases what the owner said about the media — its title, place and
//! time of capture — and releases `DepositPerByte` for each byte that frees. The rest
//! stays held for as long as the chain keeps the tombstone — forever — because the
//! tombstone *is* the proof of existence: who registered which content hash in which
//! block stays checkable after the files are gone, and the deposit is what makes that
//! permanent storage cost its registrant rather than every validator.
//!
//! ## What is stored, and what is not
//!
//! A registration writes the record, one hash-index entry per object (the
//! first-registrant-wins rule needs it), the next id and the deposit's hold: each
//! write the chain itself needs. Lists by owner and search by title are
//! `paratii-indexer`'s (it follows finalized blocks); the chain keeps no index for
//! them, so they cost no validator a write.
//!
//! ## Runtime API
//!
//! [`MediaApi`](runtime_api::MediaApi): `media`, `media_by_hash` and
//! `proof_of_existence` (which lists only the clusters that still serve the object).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// Most results a list query of the runtime API returns.
pub const MAX_QUERY_RESULTS: u32 = 100;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, MutateHold},
			tokens::Precision,
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use paratii_primitives::{chunk_hashes_len, ClusterId, ClusterRegistry, MediaId, UserRegistry};
	use sp_core::{ed25519, H256};
	use sp_runtime::traits::{Saturating, Zero};

	/// The balance type of the currency deposits are held in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A title as stored.
	pub type TitleOf<T> = BoundedVec<u8, <T as Config>::MaxTitleLen>;
	/// A transcoding label as stored.
	pub type LabelOf<T> = BoundedVec<u8, <T as Config>::MaxLabelLen>;
	/// The clusters holding one object.
	pub type ClustersOf<T> = BoundedVec<ClusterId, <T as Config>::MaxReceipts>;
	/// An object as stored.
	pub type ObjectOf<T> = MediaObject<LabelOf<T>, ClustersOf<T>>;
	/// A media item as stored.
	pub type MediaOf<T> = MediaRecord<
		<T as frame_system::Config>::AccountId,
		BlockNumberFor<T>,
		TitleOf<T>,
		BoundedVec<ObjectOf<T>, <T as Config>::MaxObjects>,
		BalanceOf<T>,
	>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<Hash = sp_core::H256> {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// Who is a registered user (pallet-users).
		type Users: UserRegistry<Self::AccountId>;
		/// The storage clusters and their keys (pallet-topology).
		type Clusters: ClusterRegistry;
		/// The time of the current block (pallet-timestamp).
		type Time: UnixTime;
		/// Distinct active clusters that must sign a receipt for every object.
		#[pallet::constant]
		type ReplicationFactor: Get<u32>;
		/// Most objects one media item may have.
		#[pallet::constant]
		type MaxObjects: Get<u32>;
		/// Most clusters (receipts) one object may have.
		#[pallet::constant]
		type MaxReceipts: Get<u32>;
		/// Longest title, in bytes (UTF-8).
		#[pallet::constant]
		type MaxTitleLen: Get<u32>;
		/// Longest transcoding label, in bytes.
		#[pallet::constant]
		type MaxLabelLen: Get<u32>;
		/// How long after a cluster signed a receipt the chain takes it (milliseconds).
		#[pallet::constant]
		type ReceiptLifetime: Get<u64>;
		/// How far ahead of the block's timestamp a receipt's time may be (milliseconds):
		/// the clusters' clocks and the chain's differ a little.
		#[pallet::constant]
		type ReceiptClockSkew: Get<u64>;
		/// The currency storage deposits are held in (PTI).
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ frame_support::traits::fungible::Mutate<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Deposit per storage entry a media item adds.
		#[pallet::constant]
		type DepositPerItem: Get<BalanceOf<Self>>;
		/// Deposit per byte of a media item's encoded record.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;
		/// Told of every registration (pallet-bridge: the block's media root).
		type OnRegistered: OnMediaRegistered<Self::AccountId>;
		/// Told of every deletion (the PTI store: the item's price goes).
		type OnDeleted: OnMediaDeleted;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The storage deposit of a media item.
		MediaDeposit,
	}

	/// The id the next registered media item gets.
	#[pallet::storage]
	pub type NextMediaId<T> = StorageValue<_, MediaId, ValueQuery>;

	/// Every media item ever registered, deleted ones as tombstones.
	#[pallet::storage]
	pub type Media<T: Config> = StorageMap<_, Twox64Concat, MediaId, MediaOf<T>>;

	/// Which media item and object a content hash belongs to; never removed.
	#[pallet::storage]
	pub type ObjectByHash<T> = StorageMap<_, Identity, H256, (MediaId, u32)>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A media item was registered; `content_hash` is its original's. `deposit` is
		/// held from the owner.
		MediaRegistered {
			media_id: MediaId,
			owner: T::AccountId,
			content_hash: H256,
			deposit: BalanceOf<T>,
		},
		/// A media item was deleted by its owner; its record stays as a tombstone and
		/// `released` of its deposit is returned.
		MediaDeleted { media_id: MediaId, owner: T::AccountId, released: BalanceOf<T> },
		/// More clusters now hold an object; `replaced` are clusters that stopped serving
		/// it (Offline or Retired) and whose receipts made room.
		ReceiptsAdded {
			media_id: MediaId,
			object_index: u32,
			clusters: Vec<ClusterId>,
			replaced: Vec<ClusterId>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Register as a user first (`users.register`).
		NotRegisteredUser,
		/// The title is empty.
		EmptyTitle,
		/// The title is longer than `MaxTitleLen` (128) bytes.
		TitleTooLong,
		/// The title is not valid UTF-8.
		TitleNotUtf8,
		/// Latitude must be within ±90,000,000 and longitude within ±180,000,000
		/// microdegrees.
		InvalidLocation,
		/// A media item needs at least one object, its original.
		NoObjects,
		/// More objects than `MaxObjects`.
		TooManyObjects,
		/// No object is of kind `Original`.
		NoOriginal,
		/// More than one object is of kind `Original`.
		MultipleOriginals,
		/// More than one object is of kind `ChunkHashes`.
		MultipleChunkHashes,
		/// The `ChunkHashes` object's size is not 32 bytes per started MiB of the
		/// original (`paratii_primitives::chunk_hashes_len`).
		ChunkHashesSizeMismatch,
		/// An object has size zero.
		EmptyObject,
		/// A transcoding label is longer than `MaxLabelLen` bytes.
		LabelTooLong,
		/// Two objects of this media item have the same content hash.
		DuplicateObject,
		/// This content hash is registered already; `MediaApi::media_by_hash` names the
		/// media item (first registrant wins).
		ContentAlreadyRegistered,
		/// An object has fewer receipts than `ReplicationFactor`.
		InsufficientReceipts,
		/// An object has more receipts than `MaxReceipts`.
		TooManyReceipts,
		/// Two receipts come from the same cluster.
		DuplicateReceipt,
		/// A receipt's cluster is unknown or not `Active`.
		ClusterNotActive,
		/// A receipt's signature does not verify against its cluster's key for this
		/// cluster, object, size, owner, chain and time.
		InvalidReceiptSignature,
		/// A receipt was signed more than `ReceiptLifetime` ago: ask the cluster for a
		/// new one (a `PUT` of the object again).
		ReceiptExpired,
		/// A receipt's time is ahead of the chain's by more than `ReceiptClockSkew`: the
		/// cluster's clock is wrong.
		ReceiptFromTheFuture,
		/// Media ids are exhausted.
		MediaIdOverflow,
		/// No media item has this id.
		UnknownMedia,
		/// Only the media item's owner may do this.
		NotOwner,
		/// The media item is deleted.
		MediaDeleted,
		/// The media item has no object at this index.
		UnknownObject,
		/// A receipt's cluster already holds this object.
		ClusterAlreadyHolds,
		/// Give at least one receipt.
		NoReceipts,
		/// The free balance cannot cover the media item's storage deposit.
		CannotPayDeposit,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a media item with its objects and their storage receipts.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_media(
			objects.len() as u32,
			objects.iter().map(|o| o.receipts.len() as u32).max().unwrap_or(0),
		).saturating_add(T::OnRegistered::weight()))]
		pub fn register_media(
			origin: OriginFor<T>,
			title: Vec<u8>,
			location: Option<(i32, i32)>,
			captured_at: Option<u64>,
			objects: Vec<ObjectInput>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, title, location, captured_at, objects).map(|_| ())
		}

		/// Deletes the caller's media item `id`. Its record, and so the proof that its
		/// content existed, stays.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::delete_media().saturating_add(T::OnDeleted::weight()))]
		pub fn delete_media(origin: OriginFor<T>, id: MediaId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut media = Media::<T>::get(id).ok_or(Error::<T>::UnknownMedia)?;
			ensure!(media.owner == who, Error::<T>::NotOwner);
			ensure!(media.status == MediaStatus::Active, Error::<T>::MediaDeleted);
			// The owner's words go; the proof of existence stays (see the crate docs).
			let before = media.encoded_size() as u32;
			media.status = MediaStatus::Deleted;
			media.title = Default::default();
			media.location = None;
			media.captured_at = None;
			let freed = before.saturating_sub(media.encoded_size() as u32);
			let released = T::DepositPerByte::get().saturating_mul(freed.into()).min(media.deposit);
			let released = T::Currency::release(
				&HoldReason::MediaDeposit.into(),
				&who,
				released,
				Precision::BestEffort,
			)?;
			media.deposit = media.deposit.saturating_sub(released);
			Media::<T>::insert(id, media);
			T::OnDeleted::on_media_deleted(id);
			Self::deposit_event(Event::MediaDeleted { media_id: id, owner: who, released });
			Ok(())
		}

		/// Adds receipts from clusters that newly store object `object_index` of media
		/// item `id` (re-replication after a cluster is lost).
		#[pallet::call_index(2)]
		// The receipts' freshness reads `Timestamp::Now`: one read more than the committed
		// weights (benchmarked before receipts carried a time; docs/measurements.md).
		#[pallet::weight(T::WeightInfo::add_receipts(receipts.len() as u32)
			.saturating_add(T::DbWeight::get().reads(1)))]
		pub fn add_receipts(
			origin: OriginFor<T>,
			id: MediaId,
			object_index: u32,
			receipts: Vec<StorageReceipt>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			ensure!(!receipts.is_empty(), Error::<T>::NoReceipts);
			let mut media = Media::<T>::get(id).ok_or(Error::<T>::UnknownMedia)?;
			ensure!(media.status == MediaStatus::Active, Error::<T>::MediaDeleted);
			let object =
				media.objects.get_mut(object_index as usize).ok_or(Error::<T>::UnknownObject)?;
			let (serving, stale): (Vec<ClusterId>, Vec<ClusterId>) =
				object.clusters.iter().partition(|c| T::Clusters::is_serving(**c));
			// A stale cluster cannot sign (its key is not active), but one back online
			// holds the object already.
			ensure!(
				!receipts.iter().any(|r| stale.contains(&r.cluster)),
				Error::<T>::ClusterAlreadyHolds
			);
			let added = Self::verify_receipts(
				&media.owner,
				&object.content_hash,
				object.size,
				&receipts,
				&serving,
			)?;
			// Receipts of clusters that stopped serving make room, oldest first, only as
			// many as needed: an Offline cluster that comes back still holds the data.
			let excess = (object.clusters.len() + added.len())
				.saturating_sub(T::MaxReceipts::get() as usize);
			let replaced: Vec<ClusterId> = stale.into_iter().take(excess).collect();
			object.clusters.retain(|c| !replaced.contains(c));
			for cluster in &added {
				object.clusters.try_push(*cluster).map_err(|_| Error::<T>::TooManyReceipts)?;
			}
			Media::<T>::insert(id, media);
			Self::deposit_event(Event::ReceiptsAdded {
				media_id: id,
				object_index,
				clusters: added,
				replaced,
			});
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn do_register(
			owner: T::AccountId,
			title: Vec<u8>,
			location: Option<(i32, i32)>,
			captured_at: Option<u64>,
			objects: Vec<ObjectInput>,
		) -> Result<MediaId, DispatchError> {
			ensure!(T::Users::is_registered(&owner), Error::<T>::NotRegisteredUser);
			ensure!(!title.is_empty(), Error::<T>::EmptyTitle);
			let title: TitleOf<T> = title.try_into().map_err(|_| Error::<T>::TitleTooLong)?;
			ensure!(core::str::from_utf8(&title).is_ok(), Error::<T>::TitleNotUtf8);
			if let Some((lat, lon)) = location {
				ensure!(
					(-90_000_000..=90_000_000).contains(&lat)
						&& (-180_000_000..=180_000_000).contains(&lon),
					Error::<T>::InvalidLocation
				);
			}
			ensure!(!objects.is_empty(), Error::<T>::NoObjects);
			ensure!(objects.len() <= T::MaxObjects::get() as usize, Error::<T>::TooManyObjects);
			let originals = objects.iter().filter(|o| o.kind == ObjectKind::Original).count();
			ensure!(originals > 0, Error::<T>::NoOriginal);
			ensure!(originals == 1, Error::<T>::MultipleOriginals);
			let mut chunk_hashes = objects.iter().filter(|o| o.kind == ObjectKind::ChunkHashes);
			if let Some(index) = chunk_hashes.next() {
				ensure!(chunk_hashes.next().is_none(), Error::<T>::MultipleChunkHashes);
				let original = objects.iter().find(|o| o.kind == ObjectKind::Original);
				ensure!(
					original.is_some_and(|o| index.size == chunk_hashes_len(o.size)),
					Error::<T>::ChunkHashesSizeMismatch
				);
			}

			let mut stored: BoundedVec<ObjectOf<T>, T::MaxObjects> = BoundedVec::new();
			for (i, object) in objects.iter().enumerate() {
				ensure!(object.size > 0, Error::<T>::EmptyObject);
				ensure!(
					!objects[..i].iter().any(|o| o.content_hash == object.content_hash),
					Error::<T>::DuplicateObject
				);
				ensure!(
					!ObjectByHash::<T>::contains_key(object.content_hash),
					Error::<T>::ContentAlreadyRegistered
				);
				let clusters = Self::verify_receipts(
					&owner,
					&object.content_hash,
					object.size,
					&object.receipts,
					&[],
				)?;
				ensure!(
					clusters.len() >= T::ReplicationFactor::get() as usize,
					Error::<T>::InsufficientReceipts
				);
				let kind = match &object.kind {
					ObjectKind::Original => ObjectKind::Original,
					ObjectKind::Thumbnail { width, height } => {
						ObjectKind::Thumbnail { width: *width, height: *height }
					},
					ObjectKind::Transcoded { label } => ObjectKind::Transcoded {
						label: label.clone().try_into().map_err(|_| Error::<T>::LabelTooLong)?,
					},
					ObjectKind::ChunkHashes => ObjectKind::ChunkHashes,
				};
				let clusters: ClustersOf<T> =
					clusters.try_into().map_err(|_| Error::<T>::TooManyReceipts)?;
				stored
					.try_push(MediaObject {
						kind,
						content_hash: object.content_hash,
						size: object.size,
						clusters,
					})
					.map_err(|_| Error::<T>::TooManyObjects)?;
			}

			let media_id = NextMediaId::<T>::get();
			let next = media_id.checked_add(1).ok_or(Error::<T>::MediaIdOverflow)?;
			let original = objects
				.iter()
				.find(|o| o.kind == ObjectKind::Original)
				.map(|o| o.content_hash)
				.unwrap_or_default();
			let mut record = MediaRecord {
				owner: owner.clone(),
				title,
				location,
				captured_at,
				objects: stored,
				status: MediaStatus::Active,
				registered_at: frame_system::Pallet::<T>::block_number(),
				registered_at_ms: T::Time::now().as_millis() as u64,
				deposit: Zero::zero(),
			};
			// The deposit's own field has a fixed size: setting it keeps the record's size.
			let deposit = Self::deposit_for(&record);
			record.deposit = deposit;
			T::Currency::hold(&HoldReason::MediaDeposit.into(), &owner, deposit)
				.map_err(|_| Error::<T>::CannotPayDeposit)?;
			for (index, object) in record.objects.iter().enumerate() {
				ObjectByHash::<T>::insert(object.content_hash, (media_id, index as u32));
			}
			Media::<T>::insert(media_id, record);
			NextMediaId::<T>::put(next);
			T::OnRegistered::on_media_registered(media_id, &original, &owner)?;
			Self::deposit_event(Event::MediaRegistered {
				media_id,
				owner,
				content_hash: original,
				deposit,
			});
			Ok(media_id)
		}

		/// The deposit for `record`: one `DepositPerItem` for the record and each object's
		/// hash-index entry, and `DepositPerByte` per byte of the encoded record.
		pub fn deposit_for(record: &MediaOf<T>) -> BalanceOf<T> {
			let items = 1u32.saturating_add(record.objects.len() as u32);
			let bytes = record.encoded_size() as u32;
			T::DepositPerItem::get()
				.saturating_mul(items.into())
				.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
		}

		/// Checks `receipts` for one object and returns their clusters. Every receipt
		/// must be from a distinct active cluster not in `existing`, fresh, with a valid
		/// signature; one bad receipt rejects them all.
		pub(crate) fn verify_receipts(
			owner: &T::AccountId,
			content_hash: &H256,
			size: u64,
			receipts: &[StorageReceipt],
			existing: &[ClusterId],
		) -> Result<Vec<ClusterId>, DispatchError> {
			ensure!(
				receipts.len().saturating_add(existing.len()) <= T::MaxReceipts::get() as usize,
				Error::<T>::TooManyReceipts
			);
			let genesis = paratii_primitives::genesis_hash::<T>();
			let now = T::Time::now().as_millis() as u64;
			let mut clusters = Vec::with_capacity(receipts.len());
			for receipt in receipts {
				ensure!(!clusters.contains(&receipt.cluster), Error::<T>::DuplicateReceipt);
				ensure!(!existing.contains(&receipt.cluster), Error::<T>::ClusterAlreadyHolds);
				ensure!(
					receipt.issued_at <= now.saturating_add(T::ReceiptClockSkew::get()),
					Error::<T>::ReceiptFromTheFuture
				);
				ensure!(
					receipt.issued_at.saturating_add(T::ReceiptLifetime::get()) >= now,
					Error::<T>::ReceiptExpired
				);
				let key = T::Clusters::active_cluster_key(receipt.cluster)
					.ok_or(Error::<T>::ClusterNotActive)?;
				let message = paratii_primitives::receipt_message(
					&genesis,
					receipt.cluster,
					content_hash,
					size,
					owner,
					receipt.issued_at,
				);
				ensure!(
					sp_io::crypto::ed25519_verify(
						&ed25519::Signature::from_raw(receipt.signature),
						&message,
						&ed25519::Public::from_raw(key),
					),
					Error::<T>::InvalidReceiptSignature
				);
				clusters.push(receipt.cluster);
			}
			Ok(clusters)
		}

		fn view(id: MediaId, media: MediaOf<T>) -> MediaView<T::AccountId, BlockNumberFor<T>> {
			MediaView {
				id,
				owner: media.owner,
				title: media.title.into_inner(),
				location: media.location,
				captured_at: media.captured_at,
				objects: media
					.objects
					.into_iter()
					.map(|o| ObjectView {
						kind: match o.kind {
							ObjectKind::Original => ObjectKind::Original,
							ObjectKind::Thumbnail { width, height } => {
								ObjectKind::Thumbnail { width, height }
							},
							ObjectKind::Transcoded { label } => {
								ObjectKind::Transcoded { label: label.into_inner() }
							},
							ObjectKind::ChunkHashes => ObjectKind::ChunkHashes,
						},
						content_hash: o.content_hash,
						size: o.size,
						clusters: o.clusters.into_inner(),
					})
					.collect(),
				status: media.status,
				registered_at: media.registered_at,
				registered_at_ms: media.registered_at_ms,
			}
		}

		/// `MediaApi::media`.
		pub fn media(id: MediaId) -> Option<MediaView<T::AccountId, BlockNumberFor<T>>> {
			Media::<T>::get(id).map(|m| Self::view(id, m))
		}

		/// `MediaApi::media_by_hash`.
		pub fn media_by_hash(content_hash: H256) -> Option<MediaId> {
			ObjectByHash::<T>::get(content_hash).map(|(id, _)| id)
		}

		/// The proof of existence without the clusters holding the object: media id,
		/// owner, registration block and Unix milliseconds, status. Two storage reads
		/// (what the runtime's media-proofs precompile answers from Solidity).
		pub fn existence(
			content_hash: H256,
		) -> Option<(MediaId, T::AccountId, BlockNumberFor<T>, u64, MediaStatus)> {
			let (media_id, _) = ObjectByHash::<T>::get(content_hash)?;
			let media = Media::<T>::get(media_id)?;
			Some((media_id, media.owner, media.registered_at, media.registered_at_ms, media.status))
		}

		/// `MediaApi::proof_of_existence`.
		pub fn proof_of_existence(
			content_hash: H256,
		) -> Option<ProofOfExistence<T::AccountId, BlockNumberFor<T>>> {
			let (media_id, object_index) = ObjectByHash::<T>::get(content_hash)?;
			let media = Media::<T>::get(media_id)?;
			let clusters = media
				.objects
				.get(object_index as usize)?
				.clusters
				.iter()
				.copied()
				.filter(|c| T::Clusters::is_serving(*c))
				.collect();
			Some(ProofOfExistence {
				media_id,
				object_index,
				owner: media.owner,
				block_number: media.registered_at,
				timestamp: media.registered_at_ms,
				status: media.status,
				clusters,
			})
		}
	}

	impl<T: Config> MediaOfBlock<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
		fn registered_at(media_id: MediaId) -> Option<BlockNumberFor<T>> {
			Media::<T>::get(media_id).map(|m| m.registered_at)
		}

		/// Ids are given in registration order, so the media of a block are a run of ids:
		/// found by bisection on `registered_at` (records are never removed).
		fn registered_in(block: BlockNumberFor<T>) -> Vec<(MediaId, H256, T::AccountId)> {
			let (mut low, mut high) = (0, NextMediaId::<T>::get());
			while low < high {
				let mid = low + (high - low) / 2;
				match Media::<T>::get(mid) {
					Some(m) if m.registered_at < block => low = mid + 1,
					_ => high = mid,
				}
			}
			(low..NextMediaId::<T>::get())
				.map_while(|id| Media::<T>::get(id).map(|m| (id, m)))
				.take_while(|(_, m)| m.registered_at == block)
				.map(|(id, m)| {
					let original = m
						.objects
						.iter()
						.find(|o| o.kind == ObjectKind::Original)
						.map(|o| o.content_hash)
						.unwrap_or_default();
					(id, original, m.owner)
				})
				.collect()
		}
	}

	impl<T: Config> paratii_primitives::MediaRegistry for Pallet<T> {
		fn is_active(id: MediaId) -> bool {
			Media::<T>::get(id).is_some_and(|m| m.status == MediaStatus::Active)
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn create_for_benchmark() -> MediaId {
			let owner: T::AccountId = frame_benchmarking::account("owner", 0, 0);
			<Self as paratii_primitives::MediaOwnership<T::AccountId>>::create_owned_for_benchmark(
				&owner,
			)
		}
	}

	impl<T: Config> paratii_primitives::MediaOwnership<T::AccountId> for Pallet<T> {
		fn active_owner(id: MediaId) -> Option<T::AccountId> {
			Media::<T>::get(id).filter(|m| m.status == MediaStatus::Active).map(|m| m.owner)
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn create_owned_for_benchmark(owner: &T::AccountId) -> MediaId {
			let id = NextMediaId::<T>::get();
			Media::<T>::insert(
				id,
				MediaRecord {
					owner: owner.clone(),
					title: BoundedVec::truncate_from(b"benchmark".to_vec()),
					location: None,
					captured_at: None,
					objects: BoundedVec::new(),
					status: MediaStatus::Active,
					registered_at: frame_system::Pallet::<T>::block_number(),
					registered_at_ms: 0,
					deposit: Zero::zero(),
				},
			);
			NextMediaId::<T>::put(id + 1);
			id
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn delete_for_benchmark(id: MediaId) {
			Media::<T>::mutate(id, |m| {
				if let Some(m) = m {
					m.status = MediaStatus::Deleted;
				}
			});
		}
	}
}
