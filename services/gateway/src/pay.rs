//! Pay as you watch on the download role (`--hub-suri`): videos their owners priced per
//! minute (`micropay.setMinutePrice`) are served segment by segment against vouchers of
//! a payment channel opened to this gateway's hub account (`pallet-micropay`).
//!
//! - `GET /micropay`: the hub account, the chain, and the terms (the expiry margin, the
//!   settlement threshold) — what a player needs to open a channel.
//! - `GET /media/{id}/hls/{label}/prices.json`: the minute price and each segment's
//!   price ([`paratii_client::micropay::segment_price`] of its duration).
//! - `GET /micropay/channels/{id}`: what the gateway holds of a channel — its highest
//!   voucher per item — so a player that restarts signs on from there.
//!
//! A segment of such a video costs a voucher in the `X-Paratii-Voucher` header whose
//! amount for the item is at least the item's previous voucher plus the segment's price
//! (the owner and buyers of the whole item watch free; a HEAD is free). The segment is
//! first fetched and verified, then the voucher is checked and written durably
//! ([`Ledger`]), then the bytes go out: a gateway killed at any point has every voucher
//! for what it served, and a viewer pays at most for the one segment in flight.
//!
//! The channel is read at the followed finalized block; a channel that is only in the
//! best block (its open not final yet) gets one segment of credit — the first — so
//! playback never waits on finality. The gateway stops serving against a channel
//! `--expiry-margin` blocks before its expiry, and settles on its own
//! (`micropay.settle`, up to `MaxVouchersPerSettlement` items a call): every
//! `--settle-every-secs`, each channel whose unsettled vouchers reach
//! `--settle-threshold`, or that is within the margin of its expiry — all of a round's
//! settlements submitted at once and their finality awaited together.

use crate::{metrics::Metrics, records::Item, Gateway};
use axum::{
	extract::{Path, State},
	http::{HeaderMap, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use paratii_client::{
	api,
	http::error,
	micropay::{self, ChannelId, ChannelInfo, Held, Ledger},
	AccountId, AtBlock, Chain, ChainConfig, MediaId,
};
use std::{path::PathBuf, sync::Arc, time::Duration};
use subxt_signer::sr25519::Keypair;

/// Pay-as-you-watch options.
#[derive(Debug, clap::Args)]
pub struct PayArgs {
	/// The hub's secret URI (dev: //Gateway): the account viewers open payment channels
	/// to. With it, videos priced per minute are served against vouchers, which the
	/// gateway settles with this key; without it they are not served past the preview.
	#[arg(long)]
	pub hub_suri: Option<String>,
	/// Where the vouchers are kept (default: `vouchers.log` in `--data-dir`).
	#[arg(long)]
	pub voucher_ledger: Option<PathBuf>,
	/// Settle a channel once its unsettled vouchers reach this many plancks (1 PTI).
	#[arg(long, default_value_t = 1_000_000_000_000_000_000)]
	pub settle_threshold: u128,
	/// Blocks before a channel's expiry from which the gateway serves no more against it
	/// and settles what it holds (an hour of 6-second blocks).
	#[arg(long, default_value_t = 600)]
	pub expiry_margin: u32,
	/// Seconds between settlement rounds.
	#[arg(long, default_value_t = 30)]
	pub settle_every_secs: u64,
}

/// The hub's side of the channels.
pub struct Pay {
	key: Keypair,
	hub: AccountId,
	ledger: Ledger,
	max_vouchers: usize,
	threshold: u128,
	margin: u32,
	/// Channels given their first segment on credit, their open not final yet.
	credited: moka::sync::Cache<ChannelId, ()>,
}

impl Pay {
	/// Opens the ledger and starts the settlement rounds (with `--hub-suri`).
	pub async fn start(
		args: &PayArgs,
		data_dir: &std::path::Path,
		chain: &Chain,
		metrics: Arc<Metrics>,
	) -> anyhow::Result<Option<Arc<Self>>> {
		let Some(suri) = &args.hub_suri else { return Ok(None) };
		let key = paratii_client::keys::account_key(suri)?;
		let path = args.voucher_ledger.clone().unwrap_or_else(|| data_dir.join("vouchers.log"));
		let at = chain.at_finalized().await?;
		let ledger = Ledger::open(&path, chain.genesis_hash(), micropay::max_media(&at)?)
			.map_err(|e| anyhow::anyhow!("the voucher ledger {}: {e:#}", path.display()))?;
		let max_vouchers =
			at.constants().entry(api::constants().micropay().max_vouchers_per_settlement())?
				as usize;
		let pay = Arc::new(Self {
			hub: key.public_key().to_account_id(),
			key,
			ledger,
			max_vouchers: max_vouchers.max(1),
			threshold: args.settle_threshold,
			margin: args.expiry_margin,
			credited: moka::sync::Cache::builder()
				.max_capacity(100_000)
				.time_to_live(Duration::from_secs(600))
				.build(),
		});
		tracing::info!(
			"pay as you watch: hub {}, vouchers in {}, {} channel(s) held",
			pay.hub,
			path.display(),
			pay.ledger.channels().len()
		);
		let every = Duration::from_secs(args.settle_every_secs.max(1));
		tokio::spawn(settle_rounds(pay.clone(), chain.clone(), every, metrics));
		Ok(Some(pay))
	}
}

impl Pay {
	/// The hub account channels are opened to.
	pub fn hub(&self) -> &AccountId {
		&self.hub
	}
}

/// Why a segment is not served, as the answer.
fn payment_required(message: impl Into<String>, price: u128, held: u128) -> Response {
	let mut response = error(StatusCode::PAYMENT_REQUIRED, message);
	let headers = response.headers_mut();
	for (name, value) in [("x-paratii-price", price), ("x-paratii-paid", held)] {
		if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
			headers.insert(name, v);
		}
	}
	response
}

/// The channel's terms, at the finalized state or, for a channel opened since, at the
/// best block (`true`: on credit).
async fn terms(
	gw: &Gateway,
	pay: &Pay,
	at: &AtBlock,
	channel: ChannelId,
) -> anyhow::Result<Option<(ChannelInfo, bool)>> {
	let found = match micropay::channel_at(at, channel).await? {
		Some(c) => Some((c, false)),
		None => micropay::channel_at(&gw.chain.at_best().await?, channel).await?.map(|c| (c, true)),
	};
	Ok(found.filter(|(c, _)| c.hub == pay.hub))
}

/// Checks and keeps the voucher paying segment of `price` of `item` (a GET by someone
/// who neither owns nor bought it): `Ok(amount)` is the item's voucher now held.
pub async fn charge(
	gw: &Gateway,
	at: &AtBlock,
	item: &Item,
	price: u128,
	headers: &HeaderMap,
) -> Result<u128, Response> {
	let id = item.media.id;
	let Some(pay) = &gw.pay else {
		return Err(payment_required(
			format!(
				"media {id} is paid per minute and this gateway takes no pay-as-you-watch \
				 payments: watch it through a gateway with a hub"
			),
			price,
			0,
		));
	};
	let Some(value) = headers.get(micropay::VOUCHER_HEADER) else {
		return Err(payment_required(
			format!(
				"media {id} costs {} a minute: this segment costs {price} plancks; send a \
				 voucher of a channel to {} in {} (`paratii download {id} --pay`)",
				paratii_client::format_pti(item.minute_price.unwrap_or(0)),
				pay.hub,
				micropay::VOUCHER_HEADER
			),
			price,
			0,
		));
	};
	let Some((channel, cumulative, signature)) =
		value.to_str().ok().and_then(micropay::parse_voucher)
	else {
		return Err(error(
			StatusCode::BAD_REQUEST,
			format!(
				"{} is not {{channel}}:{{cumulative}}:{{signature hex}}",
				micropay::VOUCHER_HEADER
			),
		));
	};
	let held = pay.ledger.held(channel, id);
	let refuse = |message: String| {
		gw.metrics.vouchers.with_label_values(&["refused"]).inc();
		payment_required(message, price, held)
	};
	let found = terms(gw, pay, at, channel)
		.await
		.map_err(|e| error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")))?;
	let Some((c, on_credit)) = found else {
		return Err(refuse(format!(
			"no open channel {channel} to this gateway's hub {} (is it open, to this hub?)",
			pay.hub
		)));
	};
	let now = at.block_number();
	if expiring(now, pay.margin, c.expires_at) {
		return Err(refuse(format!(
			"channel {channel} expires at block {} and this gateway serves against a channel \
			 until {} blocks before: top it up with a later expiry",
			c.expires_at, pay.margin
		)));
	}
	if on_credit && (pay.ledger.owed(channel) > 0 || pay.credited.contains_key(&channel)) {
		return Err(refuse(format!(
			"channel {channel}'s open is not final yet: one segment is served on credit; \
			 the next once it is"
		)));
	}
	let accepted = {
		let pay = pay.clone();
		tokio::task::spawn_blocking(move || {
			pay.ledger.accept(&c, channel, id, cumulative, &signature, price)
		})
		.await
	};
	match accepted {
		Ok(Ok(Ok(_owed))) => {
			if on_credit {
				pay.credited.insert(channel, ());
			}
			gw.metrics.vouchers.with_label_values(&["accepted"]).inc();
			Ok(cumulative)
		},
		Ok(Ok(Err(refusal))) => Err(refuse(format!("voucher refused: {refusal}"))),
		Ok(Err(e)) => {
			Err(error(StatusCode::INTERNAL_SERVER_ERROR, format!("keeping the voucher: {e:#}")))
		},
		Err(e) => {
			Err(error(StatusCode::INTERNAL_SERVER_ERROR, format!("keeping the voucher: {e}")))
		},
	}
}

/// `GET /micropay`.
pub async fn info(State(gw): State<Gateway>) -> Response {
	let Some(pay) = &gw.pay else {
		return error(StatusCode::NOT_FOUND, "this gateway takes no pay-as-you-watch payments");
	};
	Json(micropay::HubInfo {
		hub: pay.hub.to_string(),
		hub_hex: format!("0x{}", hex::encode(pay.hub.0)),
		genesis: format!("0x{}", hex::encode(gw.chain.genesis_hash())),
		expiry_margin_blocks: pay.margin,
		settle_threshold: pay.threshold.to_string(),
		max_media_per_channel: pay.ledger.max_media(),
		voucher_header: micropay::VOUCHER_HEADER.into(),
	})
	.into_response()
}

/// `GET /micropay/channels/{id}`.
pub async fn channel(State(gw): State<Gateway>, Path(id): Path<ChannelId>) -> Response {
	let Some(pay) = &gw.pay else {
		return error(StatusCode::NOT_FOUND, "this gateway takes no pay-as-you-watch payments");
	};
	let items = pay
		.ledger
		.vouchers(id)
		.into_iter()
		.map(|h| micropay::HeldItem { media: h.media, cumulative: h.cumulative.to_string() })
		.collect();
	Json(micropay::HeldVouchers { channel: id, owed: pay.ledger.owed(id).to_string(), items })
		.into_response()
}

/// The prices of a rendition's segments (of these durations), for `prices.json`.
pub fn prices(
	id: MediaId,
	minute_price: u128,
	durations: impl Iterator<Item = f64>,
	hub: Option<&AccountId>,
) -> Response {
	let segments =
		durations.map(|d| micropay::segment_price(minute_price, d).to_string()).collect();
	Json(micropay::SegmentPrices {
		media: id,
		minute_price: minute_price.to_string(),
		segments,
		hub: hub.map(|h| h.to_string()),
	})
	.into_response()
}

/// Whether a channel expiring at `expires_at` is within `margin` blocks of it at `now`:
/// no more segments against it, and its vouchers are settled.
fn expiring(now: u64, margin: u32, expires_at: u32) -> bool {
	now.saturating_add(u64::from(margin)) >= u64::from(expires_at)
}

/// Whether a channel with `unsettled` plancks of vouchers is settled now: at the
/// threshold, or whatever it is once the expiry is near.
fn due(unsettled: u128, threshold: u128, now: u64, margin: u32, expires_at: u32) -> bool {
	unsettled > 0 && (unsettled >= threshold || expiring(now, margin, expires_at))
}

/// Settles, every `every`, the channels that are due.
async fn settle_rounds(pay: Arc<Pay>, chain: Chain, every: Duration, metrics: Arc<Metrics>) {
	let mut tick = tokio::time::interval(every);
	tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
	loop {
		tick.tick().await;
		if let Err(e) = settle_due(&pay, &chain, &metrics).await {
			tracing::warn!("settling payment channels: {e:#}");
		}
	}
}

async fn settle_due(pay: &Pay, chain: &Chain, metrics: &Metrics) -> anyhow::Result<()> {
	let at = chain.at_finalized().await?;
	let mut batches = Vec::new();
	for channel in pay.ledger.channels() {
		match due_vouchers(pay, chain, &at, channel).await {
			Ok(due) => batches.extend(due.chunks(pay.max_vouchers).map(|b| (channel, b.to_vec()))),
			Err(e) => tracing::warn!("reading channel {channel}: {e:#}"),
		}
	}
	if batches.is_empty() {
		return Ok(());
	}
	// Every settlement of the round is submitted at once (consecutive nonces), then their
	// finality is awaited together: a round takes a few blocks however many are due.
	let mut nonce = chain.next_nonce(&pay.hub).await?;
	let mut tx = chain.client().tx().await?;
	let mut watching = Vec::new();
	for (channel, batch) in &batches {
		let params =
			subxt::config::DefaultExtrinsicParamsBuilder::<ChainConfig>::new().nonce(nonce).build();
		let call = micropay::settle_call(*channel, batch);
		match tx.sign_and_submit_then_watch(&call, &pay.key, params).await {
			Ok(progress) => {
				nonce += 1;
				watching.push(async move {
					(*channel, batch, progress.wait_for_finalized_success().await)
				});
			},
			Err(e) => {
				// The rest waits for the next round, which asks the pool for the nonce again.
				metrics.settlements.with_label_values(&["failed"]).inc();
				tracing::warn!("the node refused the settlement of channel {channel}: {e:#}");
				break;
			},
		}
	}
	for (channel, batch, result) in futures::future::join_all(watching).await {
		match result {
			Ok(events) => {
				metrics.settlements.with_label_values(&["settled"]).inc();
				let paid = events
					.find::<api::micropay::events::Settled>()
					.flatten()
					.fold(0u128, |sum, e| sum.saturating_add(e.amount));
				tracing::info!(
					"settled channel {channel}: {} item(s), {} paid",
					batch.len(),
					paratii_client::format_pti(paid)
				);
			},
			Err(e) => {
				metrics.settlements.with_label_values(&["failed"]).inc();
				tracing::warn!("the settlement of channel {channel} failed: {e}");
			},
		}
	}
	Ok(())
}

/// The vouchers of `channel` to settle now (none if it is not due); forgets a closed
/// channel's.
async fn due_vouchers(
	pay: &Pay,
	chain: &Chain,
	at: &AtBlock,
	channel: ChannelId,
) -> anyhow::Result<Vec<Held>> {
	let Some(c) = micropay::channel_at(at, channel).await? else {
		// Its open not final yet, or closed: a closed channel's vouchers pay no more.
		if micropay::channel_at(&chain.at_best().await?, channel).await?.is_none() {
			tracing::info!("channel {channel} is closed: its vouchers are forgotten");
			pay.ledger.forget(channel);
		}
		return Ok(Vec::new());
	};
	let unsettled = pay.ledger.owed(channel).saturating_sub(c.paid);
	if !due(unsettled, pay.threshold, at.block_number(), pay.margin, c.expires_at) {
		return Ok(Vec::new());
	}
	let mut due = Vec::new();
	for held in pay.ledger.vouchers(channel) {
		if held.cumulative > micropay::settled_at(at, channel, held.media).await? {
			due.push(held);
		}
	}
	Ok(due)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_channel_is_settled_at_the_threshold_or_near_its_expiry_and_not_served_then() {
		// Threshold 100, expiry at block 1,000, a margin of 50 blocks.
		assert!(!due(0, 100, 990, 50, 1_000), "nothing to settle");
		assert!(!due(99, 100, 900, 50, 1_000), "below the threshold, far from the expiry");
		assert!(due(100, 100, 900, 50, 1_000), "at the threshold");
		assert!(due(1, 100, 950, 50, 1_000), "within the margin: whatever it is");
		assert!(!expiring(949, 50, 1_000) && expiring(950, 50, 1_000));
		assert!(expiring(u64::MAX, u32::MAX, 0), "no overflow");
	}
}
