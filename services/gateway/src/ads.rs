//! The ad role of the download side: a real-time auction per ad slot and its VAST tag.
//!
//! ```text
//! GET  /ads/vast?media={id}        VAST 4.2: the auction's winning ad (InLine), or no Ad
//! GET  /ads/views?impression={id}  the channel block to sign the View for
//! POST /ads/views                  the viewer's signed View record (JSON, see [`adx::ViewRecord`])
//! GET  /ads/events/{impression}/{event}   Impression and quartile trackers (204)
//! ```
//!
//! **The auction.** For a pre-roll before media `id` the gateway, the exchange (one of
//! the campaigns' participants, its key given with `--ad-exchange-suri`), sends an
//! OpenRTB 2.6 bid request ([`paratii_client::adx::openrtb`]: the media's title words,
//! kind, place and producer, the viewer) to every `--ad-bidder` at once and takes the
//! bids that arrive within `--ad-tmax-ms` (100 ms; later ones are dropped and counted).
//! A bid counts when its campaign is active and collecting a channel block, names the
//! exchange among its participants, has that much budget not settled, its price (exact
//! plancks per view in `ext.paratii.price`) is within the campaign's maximum price and
//! at least the reserve (`--ad-floor`), and its creative is a free video on chain. It is
//! sealed-bid second price: the highest bid wins and pays the second highest (or the
//! reserve, alone); ties go to the bidder listed first. With a viewer session a bid
//! also needs room in the exchange's part of its campaign's block: at most
//! [`adx::MAX_SALES_PER_BLOCK`] paid sales per campaign and block (bids beyond it are
//! counted `full` and take no part), so no impression is sold that the chain could not
//! pay.
//!
//! **The records.** With a viewer session the gateway signs the campaign's `Win`
//! (impression, viewer, the media's owner as producer, the clearing price) for the
//! collecting block and queues it for its channel node (`--ad-channel`, batched every
//! 20 ms), and calls the winner's win notice with that message so the bidder co-signs
//! it. After the ad has played the player asks which block to sign the viewer's `View`
//! for (the auction's, or a later one if the channel node sealed its part of that block
//! meanwhile: then the gateway signs the Win again for that block, so the pair settles
//! together) and posts it, signed by the viewer's account; the gateway checks it against
//! the impression it sold that viewer and queues it too. Anonymous viewers see ads as well, with no win signed: their
//! views are not paid.

use crate::{download::requester, stream, Gateway};
use axum::{
	extract::{Path, Query, State},
	http::{header, HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use paratii_client::{
	adx::{
		self, openrtb, Body, Campaign, CampaignId, Channel, ChannelBlock, ImpressionId, Message,
	},
	http::error,
	AccountId, MediaId,
};
use serde::Deserialize;
use std::{
	collections::HashMap,
	hash::{BuildHasher, Hasher},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex, RwLock,
	},
	time::{Duration, Instant},
};
use subxt_signer::sr25519::Keypair;
use tokio::sync::mpsc;

/// The auction's settings (the gateway's `--ad-*` flags).
#[derive(Clone, Debug, clap::Args)]
pub struct AdArgs {
	/// The exchange's participant key as a secret URI (dev: //Bob): it signs the wins.
	/// Without it the gateway runs no auctions (`/ads/vast` answers no ad).
	#[arg(long)]
	pub ad_exchange_suri: Option<String>,
	/// A bidder's OpenRTB endpoint (`paratii-adx bidder`: `http://…/openrtb2/bid`);
	/// repeat for several.
	#[arg(long = "ad-bidder")]
	pub ad_bidders: Vec<String>,
	/// The exchange's channel node, which keeps the wins and views.
	#[arg(long, default_value = "http://127.0.0.1:8100")]
	pub ad_channel: String,
	/// How long the auction waits for bids, in milliseconds (later bids are dropped).
	#[arg(long, default_value_t = 100)]
	pub ad_tmax_ms: u64,
	/// The reserve price in plancks per view.
	#[arg(long, default_value_t = 1)]
	pub ad_floor: u128,
	/// The download role's address as viewers reach it (VAST's tracker and media URLs).
	#[arg(long, default_value = "http://127.0.0.1:8081")]
	pub ad_public_url: String,
	/// An auditor's tracker base (`paratii-adx auditor`, `http://…:8130`) whose trackers
	/// the exchange adds to the ads of the campaigns naming an auditor, when the winning
	/// bid asks for it; the web player's policy lets it reach them. Repeat for several;
	/// a bid naming any other is served without auditor trackers.
	#[arg(long = "ad-auditor")]
	pub ad_auditors: Vec<String>,
}

/// An impression sold to a viewer, waiting for their View.
#[derive(Clone)]
struct Sold {
	campaign: CampaignId,
	block: ChannelBlock,
	/// The Win's body (signed again for a later block if the View comes after the
	/// channel node sealed this one).
	win: Body,
	viewer: [u8; 32],
}

pub struct Ads {
	key: Keypair,
	genesis: [u8; 32],
	bidders: Vec<String>,
	/// The auditors' tracker bases the exchange accepts in bids.
	auditors: Vec<String>,
	channel: String,
	public_url: String,
	tmax: Duration,
	floor: u128,
	http: reqwest::Client,
	campaigns: RwLock<HashMap<CampaignId, Campaign>>,
	/// The block the exchange's channel node takes messages for, per campaign.
	blocks: RwLock<HashMap<CampaignId, ChannelBlock>>,
	/// Paid sales per campaign and channel block (blocks before the taken one dropped).
	sales: Mutex<HashMap<(CampaignId, ChannelBlock), u32>>,
	sold: moka::sync::Cache<ImpressionId, Sold>,
	outbox: mpsc::Sender<(CampaignId, ChannelBlock, Message)>,
	next_impression: AtomicU64,
	metrics: Arc<crate::metrics::Metrics>,
}

/// The ad role's Prometheus metrics.
pub struct AdMetrics {
	/// Auctions by outcome (`won`, `no_bid`).
	pub auctions: prometheus::IntCounterVec,
	/// Bids by fate (`valid`, `late`, `invalid`, `full`, `no_bid`, `failed`).
	pub bids: prometheus::IntCounterVec,
	/// Tracker hits by event.
	pub events: prometheus::IntCounterVec,
	/// Records queued for the channel node, by kind (`win`, `view`, `dropped`).
	pub records: prometheus::IntCounterVec,
}

/// Wins and views posted to the channel node at once at most.
const BATCH: usize = 512;
/// How long a sold impression waits for its View.
const VIEW_WINDOW: Duration = Duration::from_secs(600);
/// VAST's tracking events (the quartiles are the auditor's checks).
const EVENTS: [&str; 6] =
	["impression", "start", "firstQuartile", "midpoint", "thirdQuartile", "complete"];

impl Ads {
	pub fn start(
		args: &AdArgs,
		chain: paratii_client::Chain,
		metrics: Arc<crate::metrics::Metrics>,
	) -> anyhow::Result<Option<Arc<Self>>> {
		let Some(suri) = &args.ad_exchange_suri else { return Ok(None) };
		let (outbox, queue) = mpsc::channel(65_536);
		let seed = std::collections::hash_map::RandomState::new().build_hasher().finish();
		let ads = Arc::new(Self {
			key: paratii_client::keys::account_key(suri)?,
			genesis: chain.genesis_hash(),
			bidders: args.ad_bidders.clone(),
			auditors: args
				.ad_auditors
				.iter()
				.map(|a| a.trim_end_matches('/').to_string())
				.collect(),
			channel: args.ad_channel.clone(),
			public_url: args.ad_public_url.trim_end_matches('/').to_string(),
			tmax: Duration::from_millis(args.ad_tmax_ms),
			floor: args.ad_floor.max(1),
			http: reqwest::Client::builder()
				.pool_max_idle_per_host(64)
				.timeout(Duration::from_secs(10))
				.build()?,
			campaigns: RwLock::default(),
			blocks: RwLock::default(),
			sales: Mutex::default(),
			sold: moka::sync::Cache::builder()
				.max_capacity(1_000_000)
				.time_to_live(VIEW_WINDOW)
				.build(),
			outbox,
			// Unique per process (a random start): two gateways of one exchange do not
			// sell the same impression id.
			next_impression: AtomicU64::new(seed >> 1),
			metrics,
		});
		tokio::spawn(ads.clone().follow(chain));
		tokio::spawn(ads.clone().post(queue));
		tracing::info!(
			"ad auctions among {} bidder(s), tmax {} ms, records to {}",
			ads.bidders.len(),
			args.ad_tmax_ms,
			ads.channel
		);
		Ok(Some(ads))
	}

	/// Reads the active campaigns, and the block the channel node takes for each of
	/// those naming the exchange, every second, for ever.
	async fn follow(self: Arc<Self>, chain: paratii_client::Chain) {
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		let me = self.key.public_key().0;
		loop {
			tick.tick().await;
			let list = match async { adx::campaigns(&chain.at_best().await?).await }.await {
				Ok(list) => list,
				Err(e) => {
					tracing::warn!("reading the ad campaigns: {e:#}");
					continue;
				},
			};
			let mut blocks = HashMap::new();
			for c in list.iter().filter(|c| c.participants.contains(&me)) {
				match self.node_block(c.id).await {
					Ok(block) => {
						blocks.insert(c.id, block);
					},
					Err(e) => tracing::debug!("campaign {}: {e:#}", c.id),
				}
			}
			self.sales
				.lock()
				.unwrap_or_else(|e| e.into_inner())
				.retain(|(c, b), _| blocks.get(c).is_some_and(|taken| b >= taken));
			*self.blocks.write().unwrap_or_else(|e| e.into_inner()) = blocks;
			*self.campaigns.write().unwrap_or_else(|e| e.into_inner()) =
				list.into_iter().map(|c| (c.id, c)).collect();
		}
	}

	/// The block the exchange's channel node takes messages for now.
	async fn node_block(&self, campaign: CampaignId) -> anyhow::Result<ChannelBlock> {
		adx::collecting(&self.http, &self.channel, campaign).await
	}

	/// Posts the queued records to the channel node in batches, for ever.
	async fn post(self: Arc<Self>, mut queue: mpsc::Receiver<(CampaignId, ChannelBlock, Message)>) {
		let mut batch = Vec::with_capacity(BATCH);
		loop {
			if queue.recv_many(&mut batch, BATCH).await == 0 {
				return;
			}
			tokio::time::sleep(Duration::from_millis(20)).await;
			while batch.len() < BATCH {
				match queue.try_recv() {
					Ok(record) => batch.push(record),
					Err(_) => break,
				}
			}
			let mut by_block: HashMap<(CampaignId, ChannelBlock), Vec<Message>> = HashMap::new();
			for (campaign, block, message) in batch.drain(..) {
				by_block.entry((campaign, block)).or_default().push(message);
			}
			for ((campaign, block), messages) in by_block {
				let n = messages.len();
				if let Err(e) =
					adx::post_messages(&self.http, &self.channel, campaign, block, &messages).await
				{
					self.metrics.ads.records.with_label_values(&["dropped"]).inc_by(n as u64);
					tracing::warn!("{n} ad record(s) of campaign {campaign} block {block}: {e:#}");
				}
			}
		}
	}

	/// Asks every bidder; the bids that came in time.
	async fn collect(&self, request: &openrtb::BidRequest) -> Vec<(usize, openrtb::Bid)> {
		let deadline = tokio::time::Instant::now() + self.tmax;
		// Serialized once for every bidder.
		let body = match serde_json::to_vec(request) {
			Ok(body) => bytes::Bytes::from(body),
			Err(e) => {
				tracing::warn!("bid request {}: {e}", request.id);
				return Vec::new();
			},
		};
		let body = &body;
		let asks = self.bidders.iter().enumerate().map(|(n, url)| async move {
			let ask = async {
				let answer = self
					.http
					.post(url)
					.header(header::CONTENT_TYPE, "application/json")
					.body(body.clone())
					.send()
					.await?;
				if answer.status() == StatusCode::NO_CONTENT {
					return Ok(None);
				}
				let answer: openrtb::BidResponse = answer.error_for_status()?.json().await?;
				anyhow::Ok(Some(answer))
			};
			match tokio::time::timeout_at(deadline, ask).await {
				Err(_) => {
					self.metrics.ads.bids.with_label_values(&["late"]).inc();
					vec![]
				},
				Ok(Err(e)) => {
					tracing::debug!("bidder {url}: {e:#}");
					self.metrics.ads.bids.with_label_values(&["failed"]).inc();
					vec![]
				},
				Ok(Ok(None)) => {
					self.metrics.ads.bids.with_label_values(&["no_bid"]).inc();
					vec![]
				},
				Ok(Ok(Some(answer))) if answer.id == request.id => answer
					.seatbid
					.into_iter()
					.flat_map(|s| s.bid)
					.map(|bid| (n, bid))
					.collect::<Vec<_>>(),
				Ok(Ok(Some(_))) => {
					self.metrics.ads.bids.with_label_values(&["invalid"]).inc();
					vec![]
				},
			}
		});
		futures::future::join_all(asks).await.into_iter().flatten().collect()
	}

	/// A bid's campaign, its block, the price and the creative, if it may take part;
	/// else its fate (`invalid`, or `full`: a paid sale the exchange's part has no room
	/// for).
	fn valid(
		&self,
		bid: &openrtb::Bid,
		paid: bool,
	) -> Result<(Campaign, ChannelBlock, u128, MediaId), &'static str> {
		let campaigns = self.campaigns.read().unwrap_or_else(|e| e.into_inner());
		let c = campaigns.get(&bid.ext.paratii.campaign).ok_or("invalid")?;
		let blocks = self.blocks.read().unwrap_or_else(|e| e.into_inner());
		let block = *blocks.get(&bid.ext.paratii.campaign).ok_or("invalid")?;
		let price: u128 = bid.ext.paratii.price.parse().map_err(|_| "invalid")?;
		let creative: MediaId = bid.crid.parse().map_err(|_| "invalid")?;
		if !(c.participants.contains(&self.key.public_key().0)
			&& price >= self.floor
			&& price <= c.max_price_per_view
			&& price <= c.remaining())
		{
			return Err("invalid");
		}
		if paid && self.sales_of(c.id, block) >= adx::MAX_SALES_PER_BLOCK {
			return Err("full");
		}
		Ok((c.clone(), block, price, creative))
	}

	fn sales_of(&self, campaign: CampaignId, block: ChannelBlock) -> u32 {
		let sales = self.sales.lock().unwrap_or_else(|e| e.into_inner());
		sales.get(&(campaign, block)).copied().unwrap_or(0)
	}

	/// Counts a paid sale of `campaign` in `block`, if its part has room for it.
	fn reserve(&self, campaign: CampaignId, block: ChannelBlock) -> bool {
		let mut sales = self.sales.lock().unwrap_or_else(|e| e.into_inner());
		let n = sales.entry((campaign, block)).or_default();
		if *n >= adx::MAX_SALES_PER_BLOCK {
			return false;
		}
		*n += 1;
		true
	}
}

#[derive(Deserialize)]
pub struct VastQuery {
	media: MediaId,
}

/// `GET /ads/vast?media={id}`.
pub async fn vast(
	State(gw): State<Gateway>,
	Query(query): Query<VastQuery>,
	Query(params): Query<HashMap<String, String>>,
	headers: HeaderMap,
) -> Response {
	let Some(ads) = gw.ads.clone() else { return no_ad("this gateway runs no ad auctions") };
	let who = match requester(&params, &headers) {
		Ok(who) => who,
		Err(refused) => return refused,
	};
	let viewer = match who.viewer(&gw, query.media) {
		Ok(viewer) => viewer,
		Err(refused) => return refused,
	};
	let at = match gw.records.at().await {
		Ok(at) => at,
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	};
	let item = match crate::download::live_item(&gw, &at, query.media).await {
		Ok(item) => item,
		Err(refused) => return refused,
	};
	let impression = ads.next_impression.fetch_add(1, Ordering::Relaxed);
	let request = bid_request(&ads, impression, &item.media, viewer.as_ref());
	let started = Instant::now();
	let bids = ads.collect(&request).await;
	// Valid bids, dearest first (the earlier bidder first among equals).
	let mut valid: Vec<_> = Vec::new();
	for (n, bid) in bids {
		match ads.valid(&bid, viewer.is_some()) {
			Ok((campaign, block, price, creative)) => {
				ads.metrics.ads.bids.with_label_values(&["valid"]).inc();
				valid.push((price, n, bid, (campaign, block), creative));
			},
			Err(fate) => ads.metrics.ads.bids.with_label_values(&[fate]).inc(),
		}
	}
	valid.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
	// The creative must be a free video on chain, and a paid sale needs room in the part
	// (taken now: auctions run at once).
	let mut winner = None;
	// Bids passed over take no part in the price either.
	let mut out = Vec::new();
	for (i, (_, _, _, (campaign, block), creative)) in valid.iter().enumerate() {
		let Some(ad) = creative_of(&gw, &at, *creative).await else {
			ads.metrics.ads.bids.with_label_values(&["invalid"]).inc();
			out.push(i);
			continue;
		};
		if viewer.is_some() && !ads.reserve(campaign.id, *block) {
			ads.metrics.ads.bids.with_label_values(&["full"]).inc();
			out.push(i);
			continue;
		}
		winner = Some((i, ad));
		break;
	}
	let Some((i, ad)) = winner else {
		ads.metrics.ads.auctions.with_label_values(&["no_bid"]).inc();
		return no_ad("no bid");
	};
	let (price, _, bid, (campaign, block), creative) = &valid[i];
	let block = *block;
	let second = valid
		.iter()
		.enumerate()
		.filter(|(j, _)| *j != i && !out.contains(j))
		.map(|(_, v)| v.0)
		.max();
	let clearing = second.unwrap_or(ads.floor).max(ads.floor).min(*price);
	ads.metrics.ads.auctions.with_label_values(&["won"]).inc();
	if let Some(viewer) = &viewer {
		let channel = Channel { genesis: ads.genesis, campaign: campaign.id, block };
		let body = Body::Win {
			impression,
			viewer: viewer.0,
			producer: item.media.owner.0,
			price: clearing,
		};
		let win = adx::sign(&ads.key, &channel, body.clone());
		let sold = Sold { campaign: campaign.id, block, win: body, viewer: viewer.0 };
		ads.sold.insert(impression, sold);
		queue(&ads, campaign.id, block, win.clone(), "win");
		if let Some(nurl) = &bid.nurl {
			notify(&ads, nurl, clearing, block, &win);
		}
	}
	tracing::debug!(
		"auction {impression}: campaign {} won at {clearing} of {price} in {:?}",
		campaign.id,
		started.elapsed()
	);
	let sale = Sale {
		impression,
		campaign: campaign.id,
		block,
		price: clearing,
		creative: *creative,
		paid: viewer.is_some(),
		auditor: campaign
			.auditor
			.and(bid.ext.paratii.auditor.as_deref())
			.map(|url| url.trim_end_matches('/'))
			.filter(|url| ads.auditors.iter().any(|a| a == url))
			.map(str::to_string),
	};
	let vast = vast_inline(&ads, &sale, &ad);
	([(header::CONTENT_TYPE, "application/xml"), (header::CACHE_CONTROL, "no-store")], vast)
		.into_response()
}

fn queue(ads: &Ads, campaign: CampaignId, block: ChannelBlock, m: Message, kind: &str) {
	let fate = match ads.outbox.try_send((campaign, block, m)) {
		Ok(()) => kind,
		Err(_) => "dropped",
	};
	ads.metrics.ads.records.with_label_values(&[fate]).inc();
}

/// Calls the winner's win notice (in the background: the viewer does not wait for it).
fn notify(ads: &Arc<Ads>, nurl: &str, clearing: u128, block: ChannelBlock, win: &Message) {
	use codec::Encode;
	let separator = if nurl.contains('?') { '&' } else { '?' };
	let url = format!(
		"{}{separator}block={block}&paratii_win={}",
		nurl.replace("${AUCTION_PRICE}", &adx::cpm(clearing).to_string()),
		hex::encode(win.encode())
	);
	let http = ads.http.clone();
	tokio::spawn(async move {
		match http.get(&url).send().await {
			Ok(answer) if answer.status().is_success() => {},
			Ok(answer) => tracing::warn!("win notice {url}: {}", answer.status()),
			Err(e) => tracing::warn!("win notice {url}: {e}"),
		}
	});
}

/// The OpenRTB request for a pre-roll before `media`.
fn bid_request(
	ads: &Ads,
	impression: ImpressionId,
	media: &paratii_client::MediaInfo,
	viewer: Option<&AccountId>,
) -> openrtb::BidRequest {
	let words: Vec<String> = media
		.title
		.split(|c: char| !c.is_alphanumeric())
		.filter(|w| !w.is_empty())
		.map(str::to_lowercase)
		.collect();
	let kind = if stream_renditions(media) { "video" } else { "picture" };
	let (lat, lon) = match media.location {
		Some((lat, lon)) => (Some(f64::from(lat) / 1e6), Some(f64::from(lon) / 1e6)),
		None => (None, None),
	};
	openrtb::BidRequest {
		id: impression.to_string(),
		imp: vec![openrtb::Imp {
			id: "1".into(),
			video: Some(openrtb::Video {
				mimes: vec!["application/x-mpegURL".into()],
				startdelay: 0,
				protocols: vec![7],
			}),
			bidfloor: adx::cpm(ads.floor),
			bidfloorcur: Some("PTI".into()),
			ext: Some(openrtb::ImpExt {
				paratii: openrtb::ImpParatii { bidfloor: ads.floor.to_string() },
			}),
		}],
		site: Some(openrtb::Site {
			content: Some(openrtb::Content {
				id: media.id.to_string(),
				title: media.title.clone(),
				keywords: words.join(","),
				ext: Some(openrtb::ContentExt {
					paratii: openrtb::ContentParatii { kind: kind.into(), lat, lon },
				}),
			}),
			publisher: Some(openrtb::Publisher { id: media.owner.to_string() }),
		}),
		user: viewer.map(|v| openrtb::User { id: v.to_string() }),
		at: 2,
		tmax: ads.tmax.as_millis() as u64,
		cur: vec!["PTI".into()],
	}
}

fn stream_renditions(media: &paratii_client::MediaInfo) -> bool {
	media.objects.iter().any(|o| matches!(o.kind, paratii_client::chain::Kind::Transcoded { .. }))
}

/// An auction's outcome, as VAST tells it.
struct Sale {
	impression: ImpressionId,
	campaign: CampaignId,
	block: ChannelBlock,
	/// The clearing price, plancks per view.
	price: u128,
	creative: MediaId,
	/// A viewer session came: a Win was signed.
	paid: bool,
	/// The campaign's auditor's tracker base, from the winning bid.
	auditor: Option<String>,
}

/// What VAST says of a creative: its top rendition and duration.
struct Creative {
	width: u32,
	height: u32,
	bandwidth: u64,
	duration: f64,
}

/// Creative `id` if it is a live, free video whose ladder the gateway can read.
async fn creative_of(gw: &Gateway, at: &paratii_client::AtBlock, id: MediaId) -> Option<Creative> {
	let item = gw.records.item(at, id).await.ok()??;
	if item.media.deleted || item.price.is_some() {
		return None;
	}
	let top = stream::top_rendition(&item.media)?;
	let manifest = stream::manifest(gw, top).await.ok()?;
	Some(Creative {
		width: manifest.width,
		height: manifest.height,
		bandwidth: manifest.bandwidth,
		duration: manifest.duration(),
	})
}

fn no_ad(why: &str) -> Response {
	(
		[
			(header::CONTENT_TYPE, "application/xml"),
			(header::CACHE_CONTROL, "no-store"),
			(header::HeaderName::from_static("x-paratii-no-ad"), why),
		],
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VAST version=\"4.2\"/>\n",
	)
		.into_response()
}

fn vast_duration(secs: f64) -> String {
	let ms = (secs.max(0.0) * 1000.0).round() as u64;
	format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// VAST 4.2 InLine for the winning creative (its `Pricing`: the clearing price as CPM in
/// PTI). Its `paratii` extension tells the player what to sign for the View — the chain,
/// campaign, channel block and impression — and the exact price in plancks per view.
fn vast_inline(ads: &Ads, sale: &Sale, ad: &Creative) -> String {
	let Sale { impression, campaign, block, price, creative, paid, ref auditor } = *sale;
	let base = &ads.public_url;
	let tracker = |event: &str| format!("{base}/ads/events/{impression}/{event}");
	let duration_ms = (ad.duration.max(0.0) * 1000.0).round() as u64;
	let audited = |event: &str| {
		auditor
			.as_ref()
			.map(|a| format!("{a}/events/{campaign}/{impression}/{event}?d={duration_ms}"))
	};
	let tracking: String = EVENTS[1..]
		.iter()
		.flat_map(|e| std::iter::once(tracker(e)).chain(audited(e)).map(move |url| (e, url)))
		.map(|(e, url)| format!("<Tracking event=\"{e}\"><![CDATA[{url}]]></Tracking>"))
		.collect();
	let impressions: String = std::iter::once(tracker(EVENTS[0]))
		.chain(audited(EVENTS[0]))
		.map(|url| format!("<Impression id=\"{impression}\"><![CDATA[{url}]]></Impression>"))
		.collect();
	format!(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
		<VAST version=\"4.2\" xmlns=\"http://www.iab.com/VAST\">\
		<Ad id=\"{impression}\"><InLine>\
		<AdSystem version=\"1\">Paratii</AdSystem>\
		<AdServingId>{impression}</AdServingId>\
		<AdTitle>Campaign {campaign}</AdTitle>\
		{impressions}\
		<Pricing model=\"CPM\" currency=\"PTI\">{cpm}</Pricing>\
		<Creatives><Creative id=\"{creative}\" adId=\"{campaign}\">\
		<UniversalAdId idRegistry=\"paratii-media\">{creative}</UniversalAdId>\
		<Linear><Duration>{duration}</Duration>\
		<TrackingEvents>{tracking}</TrackingEvents>\
		<MediaFiles><MediaFile delivery=\"streaming\" type=\"application/x-mpegURL\" \
		width=\"{width}\" height=\"{height}\" bitrate=\"{kbps}\" minBitrate=\"0\" \
		maxBitrate=\"{kbps}\"><![CDATA[{base}/media/{creative}/hls/master.m3u8]]>\
		</MediaFile></MediaFiles></Linear></Creative></Creatives>\
		<Extensions><Extension type=\"paratii\">\
		<Genesis>0x{genesis}</Genesis><Campaign>{campaign}</Campaign><Block>{block}</Block>\
		<Price>{price}</Price>\
		<Paid>{paid}</Paid><Views><![CDATA[{base}/ads/views]]></Views>\
		</Extension></Extensions>\
		</InLine></Ad></VAST>\n",
		cpm = adx::cpm(price),
		duration = vast_duration(ad.duration),
		width = ad.width,
		height = ad.height,
		kbps = ad.bandwidth / 1000,
		genesis = hex::encode(ads.genesis),
	)
}

/// The impression sold to a viewer that a View names, or the answer.
fn sold(ads: &Ads, impression: &str) -> Result<(ImpressionId, Sold), Response> {
	let Ok(impression) = impression.parse::<ImpressionId>() else {
		return Err(error(StatusCode::BAD_REQUEST, "impression: the VAST Ad id, a decimal string"));
	};
	match ads.sold.get(&impression) {
		Some(sold) => Ok((impression, sold)),
		None => Err(error(
			StatusCode::NOT_FOUND,
			format!(
				"impression {impression} was not sold to a viewer here in the last {} minutes \
				 (or its View came already)",
				VIEW_WINDOW.as_secs() / 60
			),
		)),
	}
}

#[derive(Deserialize)]
pub struct ViewQuery {
	impression: String,
}

/// `GET /ads/views?impression=`: the channel block the viewer signs the View for — the
/// auction's, or a later one when the exchange's channel node has sealed its part of
/// that block while the ad played.
pub async fn view_block(State(gw): State<Gateway>, Query(query): Query<ViewQuery>) -> Response {
	let Some(ads) = gw.ads.clone() else {
		return error(StatusCode::NOT_FOUND, "this gateway runs no ad auctions");
	};
	let (impression, sold) = match sold(&ads, &query.impression) {
		Ok(sold) => sold,
		Err(refused) => return refused,
	};
	match ads.node_block(sold.campaign).await {
		Ok(block) => Json(adx::ViewBlock {
			impression: impression.to_string(),
			campaign: sold.campaign,
			block: block.max(sold.block),
		})
		.into_response(),
		Err(e) => error(StatusCode::BAD_GATEWAY, format!("the channel node: {e:#}")),
	}
}

/// `POST /ads/views`.
pub async fn view(State(gw): State<Gateway>, Json(record): Json<adx::ViewRecord>) -> Response {
	let Some(ads) = gw.ads.clone() else {
		return error(StatusCode::NOT_FOUND, "this gateway runs no ad auctions");
	};
	let (impression, sold) = match sold(&ads, &record.impression) {
		Ok(sold) => sold,
		Err(refused) => return refused,
	};
	let signature: [u8; 64] = match hex::decode(record.signature.trim_start_matches("0x"))
		.ok()
		.and_then(|b| b.try_into().ok())
	{
		Some(s) => s,
		None => return error(StatusCode::BAD_REQUEST, "signature: 64 bytes of hex"),
	};
	// A later block than the auction's only if the channel node takes it now.
	let block = record.block.unwrap_or(sold.block);
	if block != sold.block {
		match ads.node_block(sold.campaign).await {
			Ok(taken) if taken == block => {},
			Ok(taken) => {
				return error(
					StatusCode::CONFLICT,
					format!("sign the View for block {taken} (GET /ads/views?impression=)"),
				)
			},
			Err(e) => return error(StatusCode::BAD_GATEWAY, format!("the channel node: {e:#}")),
		}
	}
	let message = Message { author: sold.viewer, body: Body::View { impression }, signature };
	let channel = Channel { genesis: ads.genesis, campaign: sold.campaign, block };
	if !adx::verify_message(&channel, &message, adx::verify_sr25519) {
		return error(
			StatusCode::BAD_REQUEST,
			"the signature is not the viewer's over this impression's View (for the chain, \
			 campaign and block of GET /ads/views?impression=)",
		);
	}
	ads.sold.invalidate(&impression);
	if block != sold.block {
		// The Win goes with its View: the exchange signs it for this block too (the one of
		// the auction's block, alone, pays nothing).
		queue(&ads, sold.campaign, block, adx::sign(&ads.key, &channel, sold.win), "win");
	}
	queue(&ads, sold.campaign, block, message, "view");
	StatusCode::ACCEPTED.into_response()
}

/// `GET /ads/events/{impression}/{event}`: counted; 204.
pub async fn event(
	State(gw): State<Gateway>,
	Path((_impression, event)): Path<(ImpressionId, String)>,
) -> Response {
	let Some(ads) = gw.ads.clone() else { return StatusCode::NOT_FOUND.into_response() };
	let Some(event) = EVENTS.iter().find(|e| **e == event) else {
		return error(StatusCode::NOT_FOUND, format!("no tracking event {event:?}"));
	};
	ads.metrics.ads.events.with_label_values(&[event]).inc();
	StatusCode::NO_CONTENT.into_response()
}

impl AdMetrics {
	pub fn new(r: &prometheus::Registry) -> anyhow::Result<Self> {
		use paratii_client::http::registered;
		use prometheus::{IntCounterVec, Opts};
		let counter = |name: &str, help: &str, label: &str| {
			registered(r, IntCounterVec::new(Opts::new(name, help), &[label])?)
		};
		Ok(Self {
			auctions: counter("ad_auctions_total", "ad auctions by outcome", "outcome")?,
			bids: counter("ad_bids_total", "bids by fate", "fate")?,
			events: counter("ad_events_total", "VAST tracker hits by event", "event")?,
			records: counter("ad_records_total", "records for the channel node", "kind")?,
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn exchange(campaign: &Campaign, block: ChannelBlock) -> Ads {
		let key = paratii_client::keys::account_key("//Bob").unwrap();
		let mut campaign = campaign.clone();
		campaign.participants.push(key.public_key().0);
		Ads {
			key,
			genesis: [0; 32],
			bidders: Vec::new(),
			auditors: Vec::new(),
			channel: String::new(),
			public_url: String::new(),
			tmax: Duration::from_millis(100),
			floor: 1,
			http: reqwest::Client::new(),
			campaigns: RwLock::new(HashMap::from([(campaign.id, campaign)])),
			blocks: RwLock::new(HashMap::from([(7, block)])),
			sales: Mutex::default(),
			sold: moka::sync::Cache::new(16),
			outbox: mpsc::channel(1).0,
			next_impression: AtomicU64::new(0),
			metrics: Arc::new(crate::metrics::Metrics::new().unwrap()),
		}
	}

	fn bid(campaign: CampaignId, price: u128) -> openrtb::Bid {
		openrtb::Bid {
			id: "1".into(),
			impid: "1".into(),
			price: 0.0,
			nurl: None,
			crid: "3".into(),
			ext: openrtb::BidExt {
				paratii: openrtb::BidParatii { campaign, price: price.to_string(), auditor: None },
			},
		}
	}

	#[test]
	fn paid_sales_stop_when_the_part_has_no_room() {
		let campaign = Campaign {
			id: 7,
			advertiser: [1; 32],
			budget: 1_000_000,
			settled: 0,
			max_price_per_view: 100,
			participants: Vec::new(),
			auditor: None,
			next_block: 4,
			collecting: Some(4),
		};
		let ads = exchange(&campaign, 4);
		assert_eq!(ads.valid(&bid(7, 101), true).err(), Some("invalid"), "over the maximum");
		assert_eq!(ads.valid(&bid(8, 10), true).err(), Some("invalid"), "no such campaign");
		assert!(ads.valid(&bid(7, 10), true).is_ok());
		for _ in 0..adx::MAX_SALES_PER_BLOCK {
			assert!(ads.reserve(7, 4));
		}
		assert!(!ads.reserve(7, 4), "one more paid sale than the part can record");
		assert_eq!(ads.valid(&bid(7, 10), true).err(), Some("full"));
		assert!(ads.valid(&bid(7, 10), false).is_ok(), "an anonymous sale records nothing");
		// The next block has room again.
		*ads.blocks.write().unwrap() = HashMap::from([(7, 5)]);
		assert!(ads.valid(&bid(7, 10), true).is_ok());
		assert!(ads.reserve(7, 5));
	}

	#[test]
	fn vast_durations() {
		assert_eq!(super::vast_duration(15.0), "00:00:15.000");
		assert_eq!(super::vast_duration(3725.5), "01:02:05.500");
	}
}
