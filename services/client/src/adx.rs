//! What the ad exchange's services share: the campaigns as the chain holds them, signing
//! channel messages ([`paratii_primitives::adx`]) with an operator's key, posting them to
//! a channel node, and the OpenRTB 2.6 subset the gateway's auction and the bidders speak
//! ([`openrtb`]).

use crate::{api, AtBlock};
use codec::Encode;
pub use paratii_primitives::adx::{
	signing_payload, verify_message, Body, CampaignId, Channel, ChannelBlock, ImpressionId, Message,
};
use subxt_signer::sr25519::Keypair;

/// An active campaign, as the auction and the bidders need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
	pub id: CampaignId,
	pub advertiser: [u8; 32],
	pub budget: u128,
	pub settled: u128,
	pub max_price_per_view: u128,
	pub participants: Vec<[u8; 32]>,
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
}
