//! What the ad exchange's services share: the campaigns as the chain holds them, signing
//! channel messages ([`paratii_primitives::adx`]) with an operator's key, posting them to
//! a channel node, and the OpenRTB 2.6 subset the gateway's auction and the bidders speak
//! ([`openrtb`]).

use crate::{api, AtBlock};
use codec::Encode;
pub use paratii_primitives::adx::{
	flags, signing_payload, verify_message, Body, CampaignId, Channel, ChannelBlock, ImpressionId,
	Message, MAX_PART_BYTES, PPB,
};
use subxt_signer::sr25519::Keypair;

/// The most paid sales of one campaign per channel block an exchange makes and a
/// bidder bids for: a sale puts up to three messages in the exchange's part (its Win,
/// the viewer's View, the auditor's Check), which holds
/// [`paratii_primitives::adx::MAX_MESSAGES_PER_PART`]. An impression sold beyond it could
/// not be recorded: a viewer would watch an ad nobody pays for.
pub const MAX_SALES_PER_BLOCK: u32 = (paratii_primitives::adx::MAX_MESSAGES_PER_PART / 3) as u32;

/// An active campaign, as the auction and the bidders need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
	pub id: CampaignId,
	pub advertiser: [u8; 32],
	pub budget: u128,
	pub settled: u128,
	pub max_price_per_view: u128,
	pub participants: Vec<[u8; 32]>,
	/// The auditor, whose checks (`VIEW`, `CLICK`, `FRAUD`) count.
	pub auditor: Option<[u8; 32]>,
	/// The channel block that is (or will be) open: earlier ones are settled.
	pub next_block: ChannelBlock,
	/// The channel block taking messages now, if its collection window is open.
	pub collecting: Option<ChannelBlock>,
}

impl Campaign {
	/// Budget not yet settled by finalized channel blocks.
	pub fn remaining(&self) -> u128 {
		self.budget.saturating_sub(self.settled)
	}
}

/// Campaign `id` at `at`: `None` if there is none, `Some(None)` if it is closed.
pub async fn campaign(at: &AtBlock, id: CampaignId) -> anyhow::Result<Option<Option<Campaign>>> {
	use api::runtime_types::pallet_ad_exchange::pallet::{BlockStatus, CampaignStatus};
	let storage = at.storage();
	let Some(record) = storage.try_fetch(api::storage().ad_exchange().campaigns(), (id,)).await?
	else {
		return Ok(None);
	};
	let record = record.decode()?;
	if !matches!(record.status, CampaignStatus::Active) {
		return Ok(Some(None));
	}
	let block = record.next_block;
	let pending = storage.try_fetch(api::storage().ad_exchange().pending(), (id, block)).await?;
	let collecting = match pending {
		None => Some(block),
		Some(pending) => {
			let pending = pending.decode()?;
			(matches!(pending.status, BlockStatus::Collecting)
				&& at.block_number() <= u64::from(pending.collect_until))
			.then_some(block)
		},
	};
	Ok(Some(Some(Campaign {
		id,
		advertiser: record.advertiser.0,
		budget: record.budget,
		settled: record.settled,
		max_price_per_view: record.max_price_per_view,
		participants: record.participants.0.iter().map(|a| a.0).collect(),
		auditor: record.auditor.map(|a| a.0),
		next_block: block,
		collecting,
	})))
}

/// Every active campaign at `at` (closed ones are left out).
pub async fn campaigns(at: &AtBlock) -> anyhow::Result<Vec<Campaign>> {
	let next: CampaignId =
		match at.storage().try_fetch(api::storage().ad_exchange().next_campaign_id(), ()).await? {
			Some(v) => v.decode()?,
			None => 0,
		};
	let mut active = Vec::new();
	for id in 0..next {
		if let Some(Some(c)) = campaign(at, id).await? {
			active.push(c);
		}
	}
	Ok(active)
}

/// An sr25519 signature check as the runtime makes it (`sp_io::crypto::sr25519_verify`).
pub fn verify_sr25519(signature: &[u8; 64], message: &[u8], public: &[u8; 32]) -> bool {
	use sp_core::Pair;
	sp_core::sr25519::Pair::verify(
		&sp_core::sr25519::Signature::from_raw(*signature),
		message,
		&sp_core::sr25519::Public::from_raw(*public),
	)
}

/// `body` signed by `key` for `channel`.
pub fn sign(key: &Keypair, channel: &Channel, body: Body) -> Message {
	let author = key.public_key().0;
	let signature = key.sign(&signing_payload(channel, &author, &body)).0;
	Message { author, body, signature }
}

/// Posts `messages` to a channel node (`POST {node}/campaigns/{c}/blocks/{b}/messages`);
/// the node has them on disk when this returns `Ok`.
pub async fn post_messages(
	http: &reqwest::Client,
	node: &str,
	campaign: CampaignId,
	block: ChannelBlock,
	messages: &[Message],
) -> anyhow::Result<()> {
	let url =
		format!("{}/campaigns/{campaign}/blocks/{block}/messages", node.trim_end_matches('/'));
	let answer = http.post(&url).body(messages.encode()).send().await?;
	let status = answer.status();
	anyhow::ensure!(status.is_success(), "{url}: {status}: {}", answer.text().await?);
	Ok(())
}

/// Block parts on the storage clusters. A channel node puts the bytes it serves at
/// `GET …/part` (sealed, for a campaign with a block secret) on the clusters the
/// placement ring names for their SHA-256, as many as the chain's replication factor,
/// with a request signed by its participant key and `?adx={campaign}-{block}`: a
/// cluster takes it from a participant of that campaign for a block not settled yet,
/// keeps one part per participant and block, serves it without a signature (it is
/// sealed, and the channel node serves the same bytes openly) and deletes it a while
/// after the block settles. The part's on-chain location then carries `sha256=`, and a
/// validator reads it from the clusters, the channel node being the fallback.
pub mod stored {
	use crate::{content, signed, Chain, ClusterInfo};
	use subxt_signer::sr25519::Keypair;

	/// The query parameter of a location that names the part's bytes on the clusters.
	pub const LOCATION_PARAM: &str = "sha256=";

	/// The clusters holding (or to hold) `hash`, in the ring's order.
	async fn placed(chain: &Chain, hash: &[u8; 32]) -> anyhow::Result<Vec<ClusterInfo>> {
		let (_, active) = chain.ring().await?;
		Ok(crate::placed(hash, &active).into_iter().cloned().collect())
	}

	/// Puts `bytes` (block `block`'s part of `campaign`, as served) on the replication
	/// factor's number of clusters, going on along the ring past one that fails: their
	/// SHA-256 and the clusters that took them.
	pub async fn put(
		chain: &Chain,
		http: &reqwest::Client,
		key: &Keypair,
		campaign: super::CampaignId,
		block: super::ChannelBlock,
		bytes: Vec<u8>,
	) -> anyhow::Result<([u8; 32], Vec<crate::ClusterId>)> {
		let hash = content::sha256(&bytes);
		let wanted = chain.replication_factor().await? as usize;
		let owner = key.public_key().0;
		let mut stored = Vec::new();
		let mut errors = Vec::new();
		for cluster in placed(chain, &hash).await? {
			if stored.len() == wanted {
				break;
			}
			let path = format!("/objects/{}?adx={campaign}-{block}", hex::encode(hash));
			let url = format!("{}{path}", cluster.endpoint.trim_end_matches('/'));
			let request = signed::sign_request(
				http.put(&url).header("x-paratii-owner", format!("0x{}", hex::encode(owner))),
				key,
				&chain.genesis_hash(),
				"PUT",
				&path,
				Some(&owner),
			)
			.body(bytes.clone());
			match request.send().await {
				Ok(answer) if answer.status().is_success() => stored.push(cluster.id),
				Ok(answer) => {
					let status = answer.status();
					let why = answer.text().await.unwrap_or_default();
					errors.push(format!("cluster {}: {status}: {why}", cluster.id));
				},
				Err(e) => errors.push(format!("cluster {}: {e}", cluster.id)),
			}
		}
		anyhow::ensure!(
			stored.len() == wanted,
			"the part went to {} of {wanted} clusters: {}",
			stored.len(),
			errors.join("; ")
		);
		Ok((hash, stored))
	}

	/// The bytes named `hash` from the first cluster holding them, checked against it.
	pub async fn get(
		chain: &Chain,
		http: &reqwest::Client,
		hash: &[u8; 32],
	) -> anyhow::Result<Vec<u8>> {
		let mut errors = Vec::new();
		for cluster in placed(chain, hash).await? {
			let url =
				format!("{}/objects/{}", cluster.endpoint.trim_end_matches('/'), hex::encode(hash));
			let fetched = async {
				let answer = http.get(&url).send().await?.error_for_status()?;
				anyhow::Ok(answer.bytes().await?.to_vec())
			};
			match fetched.await {
				Ok(bytes) if content::sha256(&bytes) == *hash => return Ok(bytes),
				Ok(_) => errors.push(format!("cluster {}: other bytes", cluster.id)),
				Err(e) => errors.push(format!("cluster {}: {e:#}", cluster.id)),
			}
		}
		anyhow::bail!("no cluster served part {}: {}", hex::encode(hash), errors.join("; "))
	}

	/// `location` with the part's hash added.
	pub fn location(url: &str, hash: &[u8; 32]) -> String {
		format!("{url}?{LOCATION_PARAM}{}", hex::encode(hash))
	}

	/// The part's hash a location names, if it names one.
	pub fn hash_in(location: &str) -> Option<[u8; 32]> {
		let query = location.split_once('?')?.1;
		let hex = query.split('&').find_map(|kv| kv.strip_prefix(LOCATION_PARAM))?;
		content::parse_hash(hex)
	}

	#[cfg(test)]
	mod tests {
		#[test]
		fn a_location_carries_the_parts_hash() {
			let url = "http://127.0.0.1:8100/campaigns/3/blocks/7/part";
			let located = super::location(url, &[0xab; 32]);
			assert!(located.len() < 256, "within the chain's location limit");
			assert_eq!(super::hash_in(&located), Some([0xab; 32]));
			assert_eq!(super::hash_in(url), None);
			assert_eq!(super::hash_in(&format!("{url}?sha256=zz")), None);
		}
	}
}

/// A message waiting in a [`Batcher`], with who waits for its answer.
type Waiting =
	(CampaignId, ChannelBlock, Message, tokio::sync::oneshot::Sender<Result<(), String>>);

/// Posts messages to a channel node in batches: the messages waiting while a batch is
/// posted go together in the next (one POST per campaign and block), and each sender
/// is answered once its batch is durable there — a group commit, so a message a
/// second costs a POST each while a thousand a second cost a few.
#[derive(Clone)]
pub struct Batcher {
	queue: tokio::sync::mpsc::Sender<Waiting>,
}

impl Batcher {
	/// Messages a batch holds at most.
	pub const MAX: usize = 1024;

	/// Starts posting to `node` (on the current Tokio runtime).
	pub fn spawn(http: reqwest::Client, node: String) -> Self {
		let (queue, mut waiting) = tokio::sync::mpsc::channel::<Waiting>(16 * Self::MAX);
		tokio::spawn(async move {
			let mut batch = Vec::with_capacity(Self::MAX);
			while waiting.recv_many(&mut batch, Self::MAX).await > 0 {
				let mut groups: std::collections::BTreeMap<(CampaignId, ChannelBlock), Vec<_>> =
					Default::default();
				for (campaign, block, message, answer) in batch.drain(..) {
					groups.entry((campaign, block)).or_default().push((message, answer));
				}
				for ((campaign, block), group) in groups {
					let (messages, answers): (Vec<_>, Vec<_>) = group.into_iter().unzip();
					let outcome = post_messages(&http, &node, campaign, block, &messages)
						.await
						.map_err(|e| format!("{e:#}"));
					for answer in answers {
						let _ = answer.send(outcome.clone());
					}
				}
			}
		});
		Self { queue }
	}

	/// Posts `message` for `campaign`'s `block` with the others waiting; `Ok` once the
	/// channel node has it durably.
	pub async fn post(
		&self,
		campaign: CampaignId,
		block: ChannelBlock,
		message: Message,
	) -> anyhow::Result<()> {
		let (answer, outcome) = tokio::sync::oneshot::channel();
		self.queue
			.send((campaign, block, message, answer))
			.await
			.map_err(|_| anyhow::anyhow!("the batcher has stopped"))?;
		outcome
			.await
			.map_err(|_| anyhow::anyhow!("the batcher has stopped"))?
			.map_err(|e| anyhow::anyhow!(e))
	}
}

/// The block a channel node takes a campaign's messages for now
/// (`GET {node}/campaigns/{c}/collecting`).
pub async fn collecting(
	http: &reqwest::Client,
	node: &str,
	campaign: CampaignId,
) -> anyhow::Result<ChannelBlock> {
	#[derive(serde::Deserialize)]
	struct Collecting {
		block: ChannelBlock,
	}
	let url = format!("{}/campaigns/{campaign}/collecting", node.trim_end_matches('/'));
	let answer = http.get(&url).timeout(std::time::Duration::from_secs(2)).send().await?;
	let status = answer.status();
	anyhow::ensure!(status.is_success(), "{url}: {status}: {}", answer.text().await?);
	Ok(answer.json::<Collecting>().await?.block)
}

/// `POST /ads/views` (the gateway's download role): the viewer's View of an impression
/// the gateway sold them, signed over [`signing_payload`] (or wallet-wrapped) for the
/// chain, campaign and block of the VAST's `paratii` extension.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ViewRecord {
	/// The VAST `Ad id`, a decimal string (it may pass 2^53).
	pub impression: String,
	/// The block the View is signed for (absent: the VAST's), from
	/// `GET /ads/views?impression=`.
	#[serde(default)]
	pub block: Option<ChannelBlock>,
	/// The viewer's sr25519 signature, 64 bytes of `0x` hex.
	pub signature: String,
}

/// `GET /ads/views?impression=`: the block to sign an impression's View for.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ViewBlock {
	pub impression: String,
	pub campaign: CampaignId,
	pub block: ChannelBlock,
}

/// Plancks in one PTI (18 decimals).
pub const PLANCKS_PER_PTI: u128 = 1_000_000_000_000_000_000;

/// A price per view in plancks as OpenRTB's `price`: PTI per thousand views (CPM).
pub fn cpm(per_view: u128) -> f64 {
	per_view as f64 * 1000.0 / PLANCKS_PER_PTI as f64
}

/// The OpenRTB 2.6 subset the gateway's auction sends and the bidders answer (the fields
/// Paratii uses; every other field may be present and is ignored). Amounts are exact in
/// `ext.paratii` (plancks per view, decimal strings); `price` and `bidfloor` carry the
/// same amounts as OpenRTB tools expect them: PTI per thousand views.
pub mod openrtb {
	use serde::{Deserialize, Serialize};

	/// `POST {bidder}` body.
	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct BidRequest {
		/// The auction: the impression id, decimal.
		pub id: String,
		pub imp: Vec<Imp>,
		#[serde(default)]
		pub site: Option<Site>,
		#[serde(default)]
		pub user: Option<User>,
		/// 2: second price.
		#[serde(default)]
		pub at: u8,
		/// Milliseconds the exchange waits for bids.
		#[serde(default)]
		pub tmax: u64,
		#[serde(default)]
		pub cur: Vec<String>,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct Imp {
		pub id: String,
		#[serde(default)]
		pub video: Option<Video>,
		/// The reserve price, CPM in PTI.
		#[serde(default)]
		pub bidfloor: f64,
		#[serde(default)]
		pub bidfloorcur: Option<String>,
		#[serde(default)]
		pub ext: Option<ImpExt>,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct ImpExt {
		pub paratii: ImpParatii,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct ImpParatii {
		/// The reserve price in plancks per view.
		pub bidfloor: String,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct Video {
		#[serde(default)]
		pub mimes: Vec<String>,
		/// 1: pre-roll.
		#[serde(default)]
		pub startdelay: i32,
		/// VAST versions accepted (7: VAST 4.0).
		#[serde(default)]
		pub protocols: Vec<u32>,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct Site {
		#[serde(default)]
		pub content: Option<Content>,
		/// The media item's owner (its producer), SS58.
		#[serde(default)]
		pub publisher: Option<Publisher>,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct Publisher {
		pub id: String,
	}

	/// The media item the ad plays before.
	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct Content {
		/// The media id, decimal.
		pub id: String,
		#[serde(default)]
		pub title: String,
		/// The title's words, lower case, comma-separated.
		#[serde(default)]
		pub keywords: String,
		#[serde(default)]
		pub ext: Option<ContentExt>,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct ContentExt {
		pub paratii: ContentParatii,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct ContentParatii {
		/// `video` or `picture`.
		pub kind: String,
		/// Where it was captured, degrees.
		#[serde(default)]
		pub lat: Option<f64>,
		#[serde(default)]
		pub lon: Option<f64>,
	}

	/// The viewer (absent: anonymous, whose views are not paid).
	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct User {
		/// The viewer's account, SS58.
		pub id: String,
	}

	/// The bidder's answer (HTTP 204 or no `seatbid`: no bid).
	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct BidResponse {
		/// The request's `id`.
		pub id: String,
		#[serde(default)]
		pub seatbid: Vec<SeatBid>,
		#[serde(default)]
		pub cur: Option<String>,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct SeatBid {
		pub bid: Vec<Bid>,
		/// The advertiser, SS58.
		#[serde(default)]
		pub seat: Option<String>,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct Bid {
		pub id: String,
		pub impid: String,
		/// CPM in PTI (informative: `ext.paratii.price` is what counts).
		pub price: f64,
		/// The win notice URL; `${AUCTION_PRICE}` is replaced with the clearing CPM, and
		/// the exchange adds `paratii_win`: its signed `Win` message (SCALE, hex).
		#[serde(default)]
		pub nurl: Option<String>,
		/// The creative: a media id, decimal.
		pub crid: String,
		pub ext: BidExt,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct BidExt {
		pub paratii: BidParatii,
	}

	#[derive(Clone, Debug, Default, Serialize, Deserialize)]
	pub struct BidParatii {
		pub campaign: u64,
		/// The bid in plancks per view.
		pub price: String,
		/// The campaign's auditor's tracker base (`paratii-adx auditor`): the exchange adds
		/// `{auditor}/events/{campaign}/{impression}/{event}?d={ms}` to the ad's VAST
		/// trackers, so the auditor sees the ad played and signs its checks.
		#[serde(default, skip_serializing_if = "Option::is_none")]
		pub auditor: Option<String>,
	}
}

/// Channel block parts sealed with the block key: what a participant's channel node
/// serves at the location it posts, so that only the campaign's participants and the
/// validators they give the key to can read who watched what.
///
/// The campaign's participants share a 32-byte **block secret** (agreed off chain, e.g. in
/// the campaign's spec document); the key of block `b` is
/// `blake2_256(SCALE(b"paratii/adx/block-key/v1", secret, campaign u64, b u32))`, so a
/// validator given one block's key learns nothing of another's. A sealed part is
/// `MAGIC ‖ nonce (12 bytes) ‖ ChaCha20-Poly1305(part)` with the associated data
/// `MAGIC ‖ genesis ‖ campaign ‖ block`, the nonce the first 12 bytes of
/// `blake2_256(b"paratii/adx/nonce" ‖ part_hash)` (one nonce per distinct part under a
/// key). The part hash posted on chain is the plain part's, so the validators check
/// what they decrypted against it.
pub mod sealed {
	use super::{CampaignId, ChannelBlock};
	use chacha20poly1305::{
		aead::{Aead, KeyInit, Payload},
		ChaCha20Poly1305,
	};
	use codec::Encode;
	use sp_crypto_hashing::blake2_256;

	/// Opens every sealed part.
	pub const MAGIC: [u8; 8] = *b"PXPART\x01\x00";
	/// Opens the block key's preimage.
	pub const KEY_TAG: &[u8] = b"paratii/adx/block-key/v1";

	/// The key of `block` of `campaign` under the participants' block `secret`.
	pub fn block_key(secret: &[u8; 32], campaign: CampaignId, block: ChannelBlock) -> [u8; 32] {
		blake2_256(&(KEY_TAG, secret, campaign, block).encode())
	}

	fn associated(genesis: &[u8; 32], campaign: CampaignId, block: ChannelBlock) -> Vec<u8> {
		[&MAGIC[..], genesis, &campaign.to_le_bytes(), &block.to_le_bytes()].concat()
	}

	/// Whether `bytes` are a sealed part (else a plain SCALE part).
	pub fn is_sealed(bytes: &[u8]) -> bool {
		bytes.starts_with(&MAGIC)
	}

	/// `part` (SCALE, as served in the clear) sealed with `key`.
	pub fn seal(
		key: &[u8; 32],
		genesis: &[u8; 32],
		campaign: CampaignId,
		block: ChannelBlock,
		part: &[u8],
	) -> Vec<u8> {
		let hash = blake2_256(part);
		let nonce: [u8; 12] =
			blake2_256(&[&b"paratii/adx/nonce"[..], &hash].concat())[..12].try_into().expect("12");
		let aad = associated(genesis, campaign, block);
		let cipher = ChaCha20Poly1305::new(key.into());
		let sealed = cipher
			.encrypt(&nonce.into(), Payload { msg: part, aad: &aad })
			.expect("ChaCha20-Poly1305 seals any part shorter than 256 GiB");
		[&MAGIC[..], &nonce, &sealed].concat()
	}

	/// The plain part of a sealed one, if `key` opens it for that chain, campaign and block.
	pub fn open(
		key: &[u8; 32],
		genesis: &[u8; 32],
		campaign: CampaignId,
		block: ChannelBlock,
		bytes: &[u8],
	) -> Option<Vec<u8>> {
		let rest = bytes.strip_prefix(&MAGIC[..])?;
		if rest.len() < 12 {
			return None;
		}
		let (nonce, sealed) = rest.split_at(12);
		let nonce: [u8; 12] = nonce.try_into().ok()?;
		let aad = associated(genesis, campaign, block);
		ChaCha20Poly1305::new(key.into())
			.decrypt(&nonce.into(), Payload { msg: sealed, aad: &aad })
			.ok()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn signed_messages_verify_as_the_runtime_checks_them() {
		let key = crate::keys::account_key("//Alice").unwrap();
		let channel = Channel { genesis: [1; 32], campaign: 2, block: 3 };
		let m = sign(&key, &channel, Body::View { impression: 9 });
		assert!(verify_message(&channel, &m, verify_sr25519));
		let other = Channel { block: 4, ..channel };
		assert!(!verify_message(&other, &m, verify_sr25519));
		assert_eq!(cpm(1_000_000_000_000_000), 1.0, "a milli-PTI per view is 1 PTI per thousand");
	}

	#[test]
	fn sealed_parts_open_with_their_block_key_only() {
		let secret = [9u8; 32];
		let genesis = [1u8; 32];
		let part = vec![8u8, 1, 2, 3, 4, 5];
		let key = sealed::block_key(&secret, 3, 7);
		assert_ne!(key, sealed::block_key(&secret, 3, 8), "one key per block");
		assert_ne!(key, sealed::block_key(&secret, 4, 7), "one key per campaign");
		let bytes = sealed::seal(&key, &genesis, 3, 7, &part);
		assert!(sealed::is_sealed(&bytes) && !sealed::is_sealed(&part));
		assert!(!bytes.windows(part.len()).any(|w| w == part.as_slice()), "not in the clear");
		assert_eq!(sealed::open(&key, &genesis, 3, 7, &bytes), Some(part.clone()));
		// Another block's key, another block or chain named, a flipped byte: nothing.
		assert_eq!(sealed::open(&sealed::block_key(&secret, 3, 8), &genesis, 3, 7, &bytes), None);
		assert_eq!(sealed::open(&key, &genesis, 3, 8, &bytes), None);
		assert_eq!(sealed::open(&key, &[2; 32], 3, 7, &bytes), None);
		let mut flipped = bytes.clone();
		*flipped.last_mut().unwrap() ^= 1;
		assert_eq!(sealed::open(&key, &genesis, 3, 7, &flipped), None);
		assert_eq!(sealed::open(&key, &genesis, 3, 7, &bytes[..10]), None);
	}
}

#[cfg(test)]
mod batcher_tests {
	use super::*;
	use codec::Decode;
	use std::sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	};

	/// A channel node that counts the POSTs and messages it takes, and refuses block 9.
	async fn node() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
		use axum::{extract::Path, http::StatusCode, routing::post};
		let (posts, messages) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
		let (p, m) = (posts.clone(), messages.clone());
		let app = axum::Router::new().route(
			"/campaigns/:campaign/blocks/:block/messages",
			post(move |Path((_, block)): Path<(u64, u32)>, body: axum::body::Bytes| {
				let (p, m) = (p.clone(), m.clone());
				async move {
					p.fetch_add(1, Ordering::SeqCst);
					if block == 9 {
						return (StatusCode::CONFLICT, "block 9 is sealed".to_string());
					}
					let batch = Vec::<Message>::decode(&mut &body[..]).unwrap();
					m.fetch_add(batch.len(), Ordering::SeqCst);
					// A durable write takes a moment: what arrives meanwhile waits.
					tokio::time::sleep(std::time::Duration::from_millis(20)).await;
					(StatusCode::OK, String::new())
				}
			}),
		);
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		tokio::spawn(async move { axum::serve(listener, app).await });
		(url, posts, messages)
	}

	fn message(n: u64) -> Message {
		Message { author: [1; 32], body: Body::View { impression: n }, signature: [0; 64] }
	}

	#[tokio::test]
	async fn messages_of_a_moment_go_in_one_post_and_each_sender_hears_its_outcome() {
		let (url, posts, messages) = node().await;
		let batcher = Batcher::spawn(reqwest::Client::new(), url);
		let sent = futures::future::join_all(
			(0..200).map(|n| batcher.post(1, if n % 2 == 0 { 3 } else { 4 }, message(n))),
		)
		.await;
		assert!(sent.iter().all(Result::is_ok), "{sent:?}");
		assert_eq!(messages.load(Ordering::SeqCst), 200, "every message arrived once");
		let posted = posts.load(Ordering::SeqCst);
		assert!(posted < 20, "200 messages of two blocks in {posted} posts");
		let refused =
			futures::future::join_all((0..3).map(|n| batcher.post(1, 9, message(n)))).await;
		assert!(refused
			.iter()
			.all(|r| r.as_ref().is_err_and(|e| e.to_string().contains("sealed"))));
	}
}
