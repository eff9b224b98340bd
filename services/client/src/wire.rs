//! The JSON the services answer with, shared by the servers and the CLI so both sides
//! read and write the same shapes.

use crate::{
	api::{
		self,
		runtime_types::pallet_media::types::{ObjectInput, ObjectKind, StorageReceipt},
	},
	chain::Kind,
	content, ClusterId, MediaId,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use subxt::utils::H256;

/// A storage cluster's receipt for an object: its signature over
/// [`crate::receipt_message`] for this cluster, object and owner, made at `issued_at`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Receipt {
	pub cluster: ClusterId,
	/// When the cluster signed it, Unix milliseconds: the chain takes it for
	/// `media.ReceiptLifetime` (an hour) after that.
	pub issued_at: u64,
	/// `0x` + 128 hex digits: the ed25519 signature.
	pub signature: String,
}

/// What a storage node answers to a successful `PUT`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct StoredObject {
	pub cluster: ClusterId,
	pub content_hash: String,
	pub size: u64,
	/// The owner the receipt is for, as `0x` hex.
	pub owner: String,
	/// When the cluster signed the receipt, Unix milliseconds.
	pub issued_at: u64,
	pub signature: String,
	/// The cluster's ed25519 public key, `0x` hex.
	pub public_key: String,
	/// `false` when the object was stored before and was not written again.
	pub newly_written: bool,
}

/// One object of an upload: the original or a thumbnail, with its receipts.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct UploadedObject {
	pub kind: Kind,
	pub content_hash: String,
	pub cid: String,
	pub size: u64,
	pub content_type: String,
	pub receipts: Vec<Receipt>,
}

/// The gateway's answer to `POST /uploads`: every object stored on
/// `ReplicationFactor` clusters, and the `media.registerMedia` call for the owner to
/// sign and submit (the gateway never holds users' keys).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct UploadResponse {
	/// The owner's account, SS58.
	pub owner: String,
	pub title: String,
	/// `(latitude, longitude)` in microdegrees.
	pub location: Option<(i32, i32)>,
	/// Unix milliseconds.
	pub captured_at: Option<u64>,
	/// The original's CID and content hash.
	pub cid: String,
	pub content_hash: String,
	pub objects: Vec<UploadedObject>,
	/// SCALE-encoded `media.registerMedia(...)` call data, `0x` hex: sign it with any
	/// wallet (`api.tx(call)` in polkadot.js).
	pub call: String,
	/// The ring epoch the objects were placed in.
	pub ring_epoch: u32,
}

impl UploadResponse {
	/// The `media.registerMedia` call this upload stands for.
	pub fn register_call(
		&self,
	) -> anyhow::Result<subxt::tx::StaticPayload<api::media::calls::RegisterMedia>> {
		let objects = self
			.objects
			.iter()
			.map(|o| {
				let content_hash = content::parse_hash(&o.content_hash)
					.ok_or_else(|| anyhow::anyhow!("bad content hash {}", o.content_hash))?;
				let receipts = o
					.receipts
					.iter()
					.map(|r| {
						let signature: [u8; 64] = hex::decode(r.signature.trim_start_matches("0x"))
							.ok()
							.and_then(|s| s.try_into().ok())
							.ok_or_else(|| anyhow::anyhow!("bad receipt signature"))?;
						Ok(StorageReceipt { cluster: r.cluster, issued_at: r.issued_at, signature })
					})
					.collect::<anyhow::Result<Vec<_>>>()?;
				Ok(ObjectInput {
					kind: match &o.kind {
						Kind::Original => ObjectKind::Original,
						Kind::Thumbnail { width, height } => {
							ObjectKind::Thumbnail { width: *width, height: *height }
						},
						Kind::Transcoded { label } => {
							ObjectKind::Transcoded { label: label.as_bytes().to_vec() }
						},
						Kind::ChunkHashes => ObjectKind::ChunkHashes,
					},
					content_hash: H256(content_hash),
					size: o.size,
					receipts,
				})
			})
			.collect::<anyhow::Result<Vec<_>>>()?;
		Ok(api::tx().media().register_media(
			self.title.as_bytes().to_vec(),
			self.location,
			self.captured_at,
			objects,
		))
	}
}

/// One cluster's part in a proof: does its receipt, found in the registering block,
/// verify against the key topology has for it?
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ClusterProof {
	pub cluster: ClusterId,
	/// The cluster's status now (`Active`, `Offline`, `Draining`, `Retired`).
	pub status: String,
	/// `verified`, `invalid`, or `not_found` (added later by `addReceipts`, or the
	/// cluster is unknown).
	pub receipt: String,
}

/// One object in a proof.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ObjectProof {
	pub kind: Kind,
	pub content_hash: String,
	pub cid: String,
	pub size: u64,
	pub clusters: Vec<ClusterProof>,
}

/// The gateway's `GET /media/{id}/proof`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct MediaProof {
	pub media_id: MediaId,
	pub title: String,
	/// SS58.
	pub owner: String,
	pub block_number: u32,
	pub block_hash: Option<String>,
	/// Unix milliseconds of the registering block.
	pub timestamp: u64,
	/// `active` or `deleted`.
	pub status: String,
	/// Whether the registering block is finalized.
	pub finalized: bool,
	pub objects: Vec<ObjectProof>,
	/// The media item's anchor on Ethereum, when the gateway is given one
	/// (`--eth-rpc`, `--anchor-contract`).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub ethereum: Option<EthereumAnchorProof>,
}

/// A media item on Ethereum: is a block covering it anchored in ParatiiAnchor, and
/// does `verifyMedia` (an `eth_call`) confirm it there?
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct EthereumAnchorProof {
	/// The ParatiiAnchor contract.
	pub contract: String,
	pub chain_id: u64,
	/// `anchored` (verifyMedia returned true), `pending` (the latest anchor is older than
	/// the block whose MMR leaf carries the media root), `not_verified` (anchored, but
	/// verifyMedia returned false) or `unavailable` (see `error`).
	pub status: String,
	/// The Paratii block whose MMR leaf carries the media item's block media root.
	pub mmr_leaf_block: u32,
	/// The block's media root (hex).
	pub media_root: String,
	/// The Paratii block of the anchor verifyMedia was checked against (the latest).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub anchored_block: Option<u32>,
	/// The Ethereum block and transaction that anchored it.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub ethereum_block: Option<u64>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub ethereum_tx: Option<String>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub error: Option<String>,
}

/// The gateway's answer to `POST /media/{id}/link`: a URL (path) that opens the media
/// item for the session's viewer until `expires_ms`, and the link token itself (for
/// `?link=` on the item's other objects).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct MediaLink {
	pub url: String,
	pub link: String,
	pub expires_ms: u64,
}

/// An error a service answers with: `{"error": "..."}`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
	pub error: String,
}

/// A point on Earth in degrees (WGS 84), converted from the chain's microdegrees.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct GeoPoint {
	pub latitude: f64,
	pub longitude: f64,
}

impl GeoPoint {
	/// From the chain's `(latitude, longitude)` in microdegrees.
	pub fn from_micro((lat, lon): (i32, i32)) -> Self {
		Self { latitude: f64::from(lat) / 1e6, longitude: f64::from(lon) / 1e6 }
	}
}

/// One object of an indexed media item.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IndexedObject {
	pub kind: Kind,
	pub cid: String,
	pub size: u64,
	/// Clusters whose receipts the chain holds for it.
	pub clusters: Vec<ClusterId>,
}

/// A media item as the indexer keeps it: the chain's record with the users pallet's
/// counters, as of the finalized block `indexed_at`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IndexedMedia {
	pub id: MediaId,
	/// SS58.
	pub owner: String,
	pub title: String,
	/// `active` or `deleted`.
	pub status: String,
	/// Whether `users.FlagThreshold` users flagged it (moderators look at it).
	pub flagged: bool,
	pub flags: u32,
	pub likes: u32,
	pub dislikes: u32,
	pub views: u64,
	pub location: Option<GeoPoint>,
	/// Unix milliseconds.
	pub captured_at: Option<u64>,
	pub registered_block: u32,
	/// Unix milliseconds of the registering block.
	pub registered_at: u64,
	pub objects: Vec<IndexedObject>,
	/// The finalized block this record was read at.
	pub indexed_at: u32,
	/// `picture` (it has thumbnails), `video` (it has transcodings) or `other`.
	#[serde(default)]
	pub kind: String,
	/// Its price in planck (PTI has 18 decimals), as a decimal string; `None`: free.
	#[serde(default)]
	pub price: Option<String>,
	/// Its price per minute of video in planck (pay as you watch, `micropay`), as a
	/// decimal string; `None`: not priced so.
	#[serde(default)]
	pub minute_price: Option<String>,
	/// The owner's display name (`users.register`), while they are registered.
	#[serde(default)]
	pub owner_name: Option<String>,
	/// The gateway path of its smallest thumbnail (`/media/{id}/objects/{n}`), if any.
	#[serde(default)]
	pub thumbnail: Option<String>,
}

/// One search result.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct SearchHit {
	/// Relevance (higher is better; 0 when sorted by something else).
	pub score: f32,
	/// The title, HTML-escaped, with each word the query matched in `<mark>…</mark>`.
	pub highlighted_title: String,
	pub media: IndexedMedia,
}

/// How many of a search's matches have each value of a facet.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Facets {
	/// `picture`, `video`, `other`.
	pub kind: std::collections::BTreeMap<String, u64>,
	/// `free`, `paid`.
	pub price: std::collections::BTreeMap<String, u64>,
	/// Year of registration (UTC).
	pub year: std::collections::BTreeMap<String, u64>,
	/// The owners with the most matches (at most ten), most first.
	pub owner: Vec<FacetCount>,
}

/// A facet value and its count.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct FacetCount {
	pub value: String,
	pub count: u64,
}

/// The indexer's `GET /search`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct SearchResults {
	pub query: String,
	/// Matching media items in all (not only this page).
	pub total: usize,
	pub offset: usize,
	pub limit: usize,
	/// `relevance`, `newest`, `most_viewed`, `most_liked`, `price_asc` or `price_desc`.
	pub sort: String,
	pub hits: Vec<SearchHit>,
	/// Counts of the matches by kind, price, year and owner (with `facets=true`).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub facets: Option<Facets>,
	/// The last finalized block the index has seen.
	pub indexed_block: u32,
}

/// The indexer's `GET /media`: one page of the catalogue.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct MediaPage {
	pub order: String,
	pub items: Vec<IndexedMedia>,
	/// Pass as `cursor` for the next page; absent on the last page.
	pub next_cursor: Option<String>,
	pub indexed_block: u32,
}

/// Where a video upload's job is (`GET /jobs/{id}` on the gateway's upload role).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
	/// Waiting for a transcoder.
	Queued,
	/// ffmpeg is making the HLS ladder.
	Transcoding,
	/// The original, thumbnails, segments and manifests go to the clusters.
	Storing,
	/// `result` holds the objects and the `media.registerMedia` call.
	Done,
	/// `error` says why; nothing of it is left stored.
	Failed,
}

impl JobState {
	/// Done or failed: no worker will take it again.
	pub fn is_finished(self) -> bool {
		matches!(self, JobState::Done | JobState::Failed)
	}
}

/// The gateway's answer to `POST /uploads` of a video (202 Accepted): it is transcoded
/// by a job; follow it at `status_url`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct JobAccepted {
	pub job: String,
	/// `/jobs/{job}` on the upload role.
	pub status_url: String,
	/// The original's content hash.
	pub content_hash: String,
	pub duration_secs: f64,
	/// The rungs it will have, e.g. `["240p", "480p", "720p"]`.
	pub renditions: Vec<String>,
}

/// A video job's status.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct JobStatus {
	pub job: String,
	pub state: JobState,
	/// Percent of the current stage (transcoding: of the video's length; storing: of
	/// the pieces).
	pub percent: f64,
	/// Frames encoded per second (transcoding).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub fps: Option<f64>,
	/// Encoding speed, × realtime (transcoding).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub speed: Option<f64>,
	/// Seconds left in the current stage, estimated.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub eta_secs: Option<f64>,
	pub duration_secs: f64,
	/// Set when a transcoder took over a job another one had started: the segment it
	/// went on from (the ones before were not made again).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub resumed_at_segment: Option<usize>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub error: Option<String>,
	/// When done: what a picture upload answers, with the video's objects.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub result: Option<UploadResponse>,
	/// Unix milliseconds of this status.
	pub updated_ms: u64,
}
