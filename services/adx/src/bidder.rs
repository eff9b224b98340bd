//! The reference bidder: a DSP an advertiser runs for its campaigns.
//!
//! ```text
//! POST /openrtb2/bid   OpenRTB 2.6 BidRequest → BidResponse, or 204: no bid
//! GET  /win?campaign={c}&block={b}&paratii_win={hex}&price=${AUCTION_PRICE}
//!                      the win notice: the exchange's signed Win, co-signed here
//! GET  /health
//! ```
//!
//! It bids for each campaign of its campaigns file (see [`Spec`]) that is active, names
//! this bidder's key among its participants and has budget left for the bid (what the
//! chain has not settled, less what this bidder won in blocks not settled yet), when the
//! request's media matches the campaign's targeting: any of its title words, its kind
//! (`video`, `picture`) and its place (within `km` of a point). It bids for each
//! matching campaign (a seat each, dearest first), at the campaign's `bid` capped by its
//! `max_price_per_view`: the exchange takes the dearest it can sell, so a campaign whose
//! part of the channel block is full there leaves the impression to the next.
//!
//! On the win notice it checks the exchange's `Win` message — a participant's valid
//! signature for that campaign's open channel block or the next, for an impression this
//! bidder bid on (each is answered once), the viewer and producer of the request and a
//! price no higher than its bid — then signs the same `Win` with its own key and posts
//! it to its participant's channel node (with the other wins of the moment, in one
//! batch), answering the notice once the node has it. The chain pays an impression only when the wins
//! its participants signed agree, so an exchange cannot charge more than a bidder bid
//! and had co-signed, and a forged notice gets nothing signed.
//!
//! The campaigns file is a JSON list:
//! ```json
//! [{ "campaign": 0, "creative": 12, "bid": "1000000000000000",
//!    "words": ["sunrise"], "kinds": ["video"], "near": { "lat": 52.37, "lon": 4.9, "km": 50 } }]
//! ```
//! `bid` is plancks per view; `words`, `kinds` and `near` are optional (absent: any);
//! `auditor`, the campaign's auditor's tracker base (`http://…:8130`), is optional too.
//!
//! With `--valuation URL` the bid is scaled by what a valuation service says a view of
//! the media is worth (see [`Valuation`]).

use crate::channel::verify_batch;
use axum::{
	extract::{Query, State},
	http::StatusCode,
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use codec::Decode;
use paratii_client::{
	adx::{
		self, openrtb, Body, Campaign, CampaignId, Channel, ChannelBlock, ImpressionId, Message,
	},
	http::error,
	Chain,
};
use serde::Deserialize;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex, RwLock},
	time::{Duration, Instant},
};
use subxt_signer::sr25519::Keypair;

/// One campaign the bidder bids for.
#[derive(Clone, Debug, Deserialize)]
pub struct Spec {
	pub campaign: CampaignId,
	/// The creative: a media item (a video) on the clusters.
	pub creative: u64,
	/// Plancks per view (a decimal string: amounts pass `u64`).
	pub bid: String,
	#[serde(default)]
	pub words: Vec<String>,
	#[serde(default)]
	pub kinds: Vec<String>,
	#[serde(default)]
	pub near: Option<Near>,
	/// The campaign's auditor's tracker base (`paratii-adx auditor`), passed in the bid so
	/// the exchange adds the auditor's trackers to the ad.
	#[serde(default)]
	pub auditor: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Near {
	pub lat: f64,
	pub lon: f64,
	pub km: f64,
}

/// A bid waiting for its win notice.
struct Outstanding {
	price: u128,
	viewer: Option<[u8; 32]>,
	producer: Option<[u8; 32]>,
	at: Instant,
}

/// Bids remembered for their notice at most; the oldest go first past it.
const MAX_OUTSTANDING: usize = 100_000;
/// How long a bid waits for its win notice.
const NOTICE_WINDOW: Duration = Duration::from_secs(60);

pub struct Bidder {
	pub chain: Chain,
	pub key: Keypair,
	pub genesis: [u8; 32],
	/// This bidder's address as the exchange reaches it (win notices).
	pub public_url: String,
	pub specs: Vec<(Spec, u128)>,
	/// The co-signed wins on their way to the participant's channel node.
	wins: adx::Batcher,
	/// The valuation service, if the bidder asks one.
	pub valuation: Option<Valuation>,
	campaigns: RwLock<HashMap<CampaignId, Campaign>>,
	outstanding: Mutex<HashMap<(CampaignId, ImpressionId), Outstanding>>,
	/// Won (co-signed) per channel block not yet settled.
	won: Mutex<HashMap<(CampaignId, ChannelBlock), u128>>,
}

impl Bidder {
	pub fn new(
		chain: Chain,
		key: Keypair,
		channel_url: String,
		public_url: String,
		specs: Vec<Spec>,
		valuation: Option<String>,
	) -> anyhow::Result<Self> {
		let specs = specs
			.into_iter()
			.map(|s| {
				let bid = s.bid.parse::<u128>().map_err(|_| {
					anyhow::anyhow!("campaign {}: bid {:?} is not plancks", s.campaign, s.bid)
				})?;
				anyhow::ensure!(bid > 0, "campaign {}: bid 0", s.campaign);
				Ok((s, bid))
			})
			.collect::<anyhow::Result<_>>()?;
		let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
		Ok(Self {
			genesis: chain.genesis_hash(),
			chain,
			key,
			wins: adx::Batcher::spawn(http, channel_url),
			public_url,
			specs,
			valuation: valuation.map(Valuation::new).transpose()?,
			campaigns: RwLock::default(),
			outstanding: Mutex::default(),
			won: Mutex::default(),
		})
	}

	/// Reads the campaigns from the chain's best block every second, for ever.
	pub async fn follow(self: Arc<Self>) {
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		loop {
			tick.tick().await;
			let read = async { adx::campaigns(&self.chain.at_best().await?).await };
			match read.await {
				Ok(list) => {
					// Blocks the chain has moved past are settled (or discarded): the
					// budget's remaining amount says what they cost. (One lock at a time:
					// `choose` takes the campaigns' and then this one.)
					self.won
						.lock()
						.unwrap_or_else(|e| e.into_inner())
						.retain(|(c, b), _| list.iter().any(|x| x.id == *c && x.next_block <= *b));
					*self.campaigns.write().unwrap_or_else(|e| e.into_inner()) =
						list.into_iter().map(|c| (c.id, c)).collect();
				},
				Err(e) => tracing::warn!("reading the campaigns: {e:#}"),
			}
		}
	}

	/// The bids for `request`'s first impression, dearest first: (spec, price), each
	/// spec's bid scaled by the valuation's `factor` (parts per billion) when there is one.
	fn choose(&self, request: &openrtb::BidRequest, factor: Option<u32>) -> Vec<(&Spec, u128)> {
		let Some(imp) = request.imp.first() else { return Vec::new() };
		let floor = imp
			.ext
			.as_ref()
			.and_then(|e| e.paratii.bidfloor.parse::<u128>().ok())
			.unwrap_or(1)
			.max(1);
		let content = request.site.as_ref().and_then(|s| s.content.as_ref());
		let campaigns = self.campaigns.read().unwrap_or_else(|e| e.into_inner());
		let won = self.won.lock().unwrap_or_else(|e| e.into_inner());
		let me = self.key.public_key().0;
		let mut bids: Vec<_> = self
			.specs
			.iter()
			.filter_map(|(spec, bid)| {
				let c = campaigns.get(&spec.campaign)?;
				if !c.participants.contains(&me) || !targets(spec, content) {
					return None;
				}
				let price = scale((*bid).min(c.max_price_per_view), factor);
				let committed: u128 =
					won.iter().filter(|((id, _), _)| *id == c.id).map(|(_, v)| *v).sum();
				(price >= floor && c.remaining().saturating_sub(committed) >= price)
					.then_some((spec, price))
			})
			.collect();
		bids.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.campaign.cmp(&b.0.campaign)));
		bids
	}

	fn bid(
		&self,
		request: openrtb::BidRequest,
		factor: Option<u32>,
	) -> Option<openrtb::BidResponse> {
		let bids = self.choose(&request, factor);
		let imp = request.imp.first()?;
		let impression: ImpressionId = request.id.parse().ok()?;
		if bids.is_empty() {
			return None;
		}
		let account = |id: Option<&String>| {
			id.and_then(|id| paratii_client::parse_account(id).ok()).map(|a| a.0)
		};
		let viewer = account(request.user.as_ref().map(|u| &u.id));
		let producer =
			account(request.site.as_ref().and_then(|s| s.publisher.as_ref()).map(|p| &p.id));
		{
			let mut outstanding = self.outstanding.lock().unwrap_or_else(|e| e.into_inner());
			if outstanding.len() >= MAX_OUTSTANDING {
				outstanding.retain(|_, o| o.at.elapsed() < NOTICE_WINDOW / 4);
			}
			for (spec, price) in &bids {
				outstanding.insert(
					(spec.campaign, impression),
					Outstanding { price: *price, viewer, producer, at: Instant::now() },
				);
			}
		}
		let base = self.public_url.trim_end_matches('/');
		let seatbid = bids
			.into_iter()
			.map(|(spec, price)| openrtb::SeatBid {
				seat: Some(spec.campaign.to_string()),
				bid: vec![openrtb::Bid {
					id: format!("{}-{}", spec.campaign, request.id),
					impid: imp.id.clone(),
					price: adx::cpm(price),
					nurl: Some(format!(
						"{base}/win?campaign={}&impression={impression}&price=${{AUCTION_PRICE}}",
						spec.campaign
					)),
					crid: spec.creative.to_string(),
					ext: openrtb::BidExt {
						paratii: openrtb::BidParatii {
							campaign: spec.campaign,
							price: price.to_string(),
							auditor: spec.auditor.clone(),
						},
					},
				}],
			})
			.collect();
		Some(openrtb::BidResponse { id: request.id.clone(), cur: Some("PTI".into()), seatbid })
	}

	/// Checks the exchange's win and co-signs it: the message this bidder posts.
	fn countersign(&self, notice: &WinNotice) -> Result<(ChannelBlock, Message), String> {
		let bytes = hex::decode(notice.paratii_win.trim_start_matches("0x"))
			.map_err(|_| "paratii_win is not hex".to_string())?;
		let win = Message::decode(&mut &bytes[..])
			.map_err(|_| "paratii_win is not a SCALE-encoded message".to_string())?;
		let Body::Win { impression, viewer, producer, price } = win.body else {
			return Err("paratii_win is not a Win".into());
		};
		let block = {
			let campaigns = self.campaigns.read().unwrap_or_else(|e| e.into_inner());
			let c = campaigns
				.get(&notice.campaign)
				.ok_or_else(|| format!("campaign {} is not active", notice.campaign))?;
			if !c.participants.contains(&win.author) || win.author == self.key.public_key().0 {
				return Err("the win is not signed by another participant".into());
			}
			// The block the chain collects, or the next (the exchange's node signs for it
			// once its part of the current one is sealed).
			if notice.block != c.next_block && notice.block != c.next_block + 1 {
				return Err(format!(
					"block {} of campaign {} is neither its open block nor the next",
					notice.block, c.id
				));
			}
			notice.block
		};
		let channel = Channel { genesis: self.genesis, campaign: notice.campaign, block };
		if verify_batch(&channel, std::slice::from_ref(&win)).is_some() {
			return Err("the win's signature does not verify for that block".into());
		}
		let mut outstanding = self.outstanding.lock().unwrap_or_else(|e| e.into_inner());
		let bid = outstanding
			.get(&(notice.campaign, impression))
			.filter(|o| o.at.elapsed() < NOTICE_WINDOW)
			.ok_or_else(|| format!("no bid on impression {impression} waits for a notice"))?;
		if bid.viewer != Some(viewer) || bid.producer.is_some_and(|p| p != producer) {
			return Err("the win names another viewer or producer than the request".into());
		}
		if price > bid.price || price == 0 {
			return Err(format!("the win's price {price} is not within the bid {}", bid.price));
		}
		outstanding.remove(&(notice.campaign, impression));
		*self
			.won
			.lock()
			.unwrap_or_else(|e| e.into_inner())
			.entry((notice.campaign, block))
			.or_default() += price;
		Ok((block, adx::sign(&self.key, &channel, win.body)))
	}
}

/// `price` × `factor` / 10⁹, rounded down (`None`: `price`).
fn scale(price: u128, factor: Option<u32>) -> u128 {
	let Some(f) = factor.map(u128::from) else { return price };
	let ppb = u128::from(adx::PPB);
	price / ppb * f + price % ppb * f / ppb
}

/// The valuation hook: before it bids, the bidder asks a valuation service what a view of
/// the media is worth, as a factor in parts per billion applied to every campaign's bid
/// (`GET {url}/media/{id}/valuation` → `{"factor_ppb": n, …}`, at most 10⁹; 0: do not
/// advertise there). The indexer serves one computed from the public history
/// (`paratii-indexer`: views, likes and dislikes, moderation flags). Answers are cached
/// for a minute; a service that does not answer within a quarter of the request's `tmax`
/// (at most 25 ms) leaves the bid unscaled, so a slow service costs no auction.
pub struct Valuation {
	url: String,
	http: reqwest::Client,
	cache: moka::sync::Cache<u64, u32>,
}

impl Valuation {
	pub fn new(url: String) -> anyhow::Result<Self> {
		Ok(Self {
			url: url.trim_end_matches('/').to_string(),
			http: reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?,
			cache: moka::sync::Cache::builder()
				.max_capacity(100_000)
				.time_to_live(Duration::from_secs(60))
				.build(),
		})
	}

	/// The factor for `media`, if known or answered within `wait`.
	async fn factor(&self, media: u64, wait: Duration) -> Option<u32> {
		if let Some(f) = self.cache.get(&media) {
			return Some(f);
		}
		#[derive(Deserialize)]
		struct Answer {
			factor_ppb: u32,
		}
		let url = format!("{}/media/{media}/valuation", self.url);
		let ask = async {
			let answer = self.http.get(&url).send().await?.error_for_status()?;
			anyhow::Ok(answer.json::<Answer>().await?.factor_ppb.min(adx::PPB))
		};
		match tokio::time::timeout(wait, ask).await {
			Ok(Ok(f)) => {
				self.cache.insert(media, f);
				Some(f)
			},
			Ok(Err(e)) => {
				tracing::debug!("valuation {url}: {e:#}");
				None
			},
			Err(_) => None,
		}
	}
}

/// Whether `spec` targets the media of `content` (no content: only untargeted specs).
fn targets(spec: &Spec, content: Option<&openrtb::Content>) -> bool {
	let untargeted = spec.words.is_empty() && spec.kinds.is_empty() && spec.near.is_none();
	let Some(content) = content else { return untargeted };
	let words: Vec<&str> = content.keywords.split(',').map(str::trim).collect();
	let paratii = content.ext.as_ref().map(|e| &e.paratii);
	let words_match = spec.words.is_empty()
		|| spec.words.iter().any(|w| words.iter().any(|k| k.eq_ignore_ascii_case(w)));
	let kind_match = spec.kinds.is_empty()
		|| paratii.is_some_and(|p| spec.kinds.iter().any(|k| k.eq_ignore_ascii_case(&p.kind)));
	let place_match = match &spec.near {
		None => true,
		Some(near) => match paratii.and_then(|p| p.lat.zip(p.lon)) {
			Some((lat, lon)) => kilometres((near.lat, near.lon), (lat, lon)) <= near.km,
			None => false,
		},
	};
	words_match && kind_match && place_match
}

/// Great-circle distance (haversine, mean Earth radius).
fn kilometres((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
	let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
	let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
	let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
	2.0 * 6371.0 * a.sqrt().asin()
}

#[derive(Debug, Deserialize)]
struct WinNotice {
	campaign: CampaignId,
	block: ChannelBlock,
	paratii_win: String,
}

pub fn router(bidder: Arc<Bidder>) -> Router {
	async fn bid(
		State(b): State<Arc<Bidder>>,
		Json(request): Json<openrtb::BidRequest>,
	) -> Response {
		let media = request.site.as_ref().and_then(|s| s.content.as_ref()).map(|c| &c.id);
		let factor = match (&b.valuation, media.and_then(|id| id.parse::<u64>().ok())) {
			(Some(v), Some(media)) => {
				let wait = Duration::from_millis((request.tmax / 4).clamp(1, 25));
				v.factor(media, wait).await
			},
			_ => None,
		};
		match b.bid(request, factor) {
			Some(response) => Json(response).into_response(),
			None => StatusCode::NO_CONTENT.into_response(),
		}
	}
	async fn win(State(b): State<Arc<Bidder>>, Query(notice): Query<WinNotice>) -> Response {
		let (block, message) = match b.countersign(&notice) {
			Ok(signed) => signed,
			Err(why) => return error(StatusCode::BAD_REQUEST, why),
		};
		match b.wins.post(notice.campaign, block, message).await {
			Ok(()) => StatusCode::OK.into_response(),
			Err(e) => error(StatusCode::BAD_GATEWAY, format!("the channel node: {e:#}")),
		}
	}
	Router::new()
		.route("/openrtb2/bid", post(bid))
		.route("/win", get(win))
		.route("/health", get(|| async { "ok" }))
		.layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
		.with_state(bidder)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn spec(words: &[&str], kinds: &[&str], near: Option<Near>) -> Spec {
		Spec {
			campaign: 1,
			creative: 2,
			bid: "10".into(),
			words: words.iter().map(|w| w.to_string()).collect(),
			kinds: kinds.iter().map(|w| w.to_string()).collect(),
			near,
			auditor: None,
		}
	}

	fn content(keywords: &str, kind: &str, place: Option<(f64, f64)>) -> openrtb::Content {
		openrtb::Content {
			id: "5".into(),
			title: String::new(),
			keywords: keywords.into(),
			ext: Some(openrtb::ContentExt {
				paratii: openrtb::ContentParatii {
					kind: kind.into(),
					lat: place.map(|p| p.0),
					lon: place.map(|p| p.1),
				},
			}),
		}
	}

	#[test]
	fn targeting_by_words_kind_and_place() {
		let amsterdam = Some((52.37, 4.90));
		let c = content("sunrise,over,the,sea", "video", amsterdam);
		assert!(targets(&spec(&[], &[], None), Some(&c)));
		assert!(targets(&spec(&["Sea", "harbour"], &["video"], None), Some(&c)));
		assert!(!targets(&spec(&["harbour"], &[], None), Some(&c)));
		assert!(!targets(&spec(&[], &["picture"], None), Some(&c)));
		let near_paris = |km| Some(Near { lat: 48.86, lon: 2.35, km });
		assert!(!targets(&spec(&[], &[], near_paris(100.0)), Some(&c)), "Amsterdam is 430 km away");
		assert!(targets(&spec(&[], &[], near_paris(500.0)), Some(&c)));
		assert!(!targets(&spec(&[], &[], near_paris(500.0)), Some(&content("", "video", None))));
		assert!(!targets(&spec(&["sea"], &[], None), None));
		let d = kilometres((52.37, 4.90), (48.86, 2.35));
		assert!((420.0..440.0).contains(&d), "{d}");
	}

	#[test]
	fn bids_scale_by_the_valuation() {
		assert_eq!(scale(1_000, None), 1_000);
		assert_eq!(scale(1_000, Some(250_000_000)), 250);
		assert_eq!(scale(u128::MAX, Some(adx::PPB)), u128::MAX, "no overflow");
		assert_eq!(scale(7 * 10u128.pow(17), Some(0)), 0);
	}

	#[tokio::test]
	async fn the_valuation_hook_asks_caches_and_does_not_wait_past_its_budget() {
		let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
		let counter = asked.clone();
		let app = Router::new().route(
			"/media/:id/valuation",
			get(move |axum::extract::Path(id): axum::extract::Path<u64>| {
				let counter = counter.clone();
				async move {
					counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
					if id == 9 {
						tokio::time::sleep(Duration::from_millis(300)).await;
					}
					Json(serde_json::json!({ "media": id, "factor_ppb": 400_000_000u32 }))
				}
			}),
		);
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		tokio::spawn(async move { axum::serve(listener, app).await });
		let valuation = Valuation::new(url).unwrap();
		let wait = Duration::from_millis(200);
		assert_eq!(valuation.factor(5, wait).await, Some(400_000_000));
		assert_eq!(valuation.factor(5, wait).await, Some(400_000_000));
		assert_eq!(
			asked.load(std::sync::atomic::Ordering::Relaxed),
			1,
			"the second answer is cached"
		);
		// Slower than the wait: no factor (the bid goes unscaled), the auction not held up.
		let started = Instant::now();
		assert_eq!(valuation.factor(9, Duration::from_millis(25)).await, None);
		assert!(started.elapsed() < Duration::from_millis(200));
	}
}
