//! `paratii channel`: pay as you watch (`pallet-micropay`).
//!
//! ```text
//! paratii channel open --deposit 5 --suri //Bob [--hub ADDR] [--valid-for BLOCKS]
//! paratii channel top-up ID --amount 5 --suri //Bob [--valid-for BLOCKS]
//! paratii channel close ID --suri //Bob       the payer's close, after expiry + challenge
//! paratii channel status ID                   the chain's record and the gateway's vouchers
//! paratii channel price MEDIA --per-minute 0.6 --suri //Alice   (or --none)
//! paratii download ID --pay --suri //Bob      a per-minute-priced video, paid per segment
//! ```
//!
//! A channel is opened to the gateway's hub (`GET /micropay` says which account) with a
//! held deposit; `paratii download --pay` signs one voucher per segment with the
//! payer's key (the channel's signer) and the gateway settles them on chain.

use crate::{
	ad::{account, pti},
	connect, not_found, refused, submit, Cli, Failure,
};
use clap::Subcommand;
use paratii_client::{api, format_pti, micropay, AccountId, MediaId};

#[derive(Debug, Subcommand)]
pub enum ChannelCommand {
	/// Open a channel to the gateway's hub: the deposit is held from you (not paid)
	/// until vouchers are settled or the channel closes.
	Open {
		/// The payer's secret URI (dev: //Bob); its key signs the vouchers.
		#[arg(long)]
		suri: String,
		/// The deposit, in PTI: the most the channel can pay.
		#[arg(long)]
		deposit: String,
		/// The hub (SS58 or 0x hex); default: the gateway's (`GET /micropay`).
		#[arg(long)]
		hub: Option<String>,
		/// Chain blocks from now until the channel expires (default a day of 6-second
		/// blocks); the gateway stops serving against it a margin before.
		#[arg(long, default_value_t = 14_400)]
		valid_for: u32,
	},
	/// Add to a channel's deposit, and move its expiry later.
	TopUp {
		id: micropay::ChannelId,
		/// PTI to add.
		#[arg(long)]
		amount: String,
		/// Chain blocks from now until the new expiry (default: keep it).
		#[arg(long)]
		valid_for: Option<u32>,
		#[arg(long)]
		suri: String,
	},
	/// The payer's close, from the expiry plus the challenge period on: what was not
	/// settled comes back.
	Close {
		id: micropay::ChannelId,
		#[arg(long)]
		suri: String,
	},
	/// A channel's deposit, payments and expiry, and the vouchers the gateway holds.
	Status { id: micropay::ChannelId },
	/// Price a media item you own per minute of video (pay as you watch).
	Price {
		media: MediaId,
		/// PTI per minute of video.
		#[arg(long, conflicts_with = "none", required_unless_present = "none")]
		per_minute: Option<String>,
		/// Not pay-as-you-watch any more.
		#[arg(long)]
		none: bool,
		#[arg(long)]
		suri: String,
	},
}

async fn hub_info(cli: &Cli) -> Result<micropay::HubInfo, Failure> {
	let url = format!("{}/micropay", cli.download_url);
	let response = reqwest::get(&url).await?;
	Ok(crate::check(response).await?.json().await?)
}

/// The vouchers the gateway holds of a channel.
async fn held(cli: &Cli, channel: micropay::ChannelId) -> Result<micropay::HeldVouchers, Failure> {
	let url = format!("{}/micropay/channels/{channel}", cli.download_url);
	Ok(crate::check(reqwest::get(&url).await?).await?.json().await?)
}

fn expiry(now: u64, blocks: u32) -> Result<u32, Failure> {
	u32::try_from(now)
		.ok()
		.and_then(|n| n.checked_add(blocks))
		.ok_or_else(|| Failure(2, "--valid-for is too far".into()))
}

pub async fn run(cli: &Cli, command: &ChannelCommand) -> Result<(), Failure> {
	let chain = connect(cli).await?;
	match command {
		ChannelCommand::Open { suri, deposit, hub, valid_for } => {
			let key = crate::key(suri)?;
			let hub = match hub {
				Some(h) => account(h)?,
				None => account(&hub_info(cli).await?.hub)?,
			};
			let now = chain.at_best().await?.block_number();
			let call = api::tx().micropay().open(
				hub,
				key.public_key().0,
				pti(deposit, "--deposit")?,
				expiry(now, *valid_for)?,
			);
			let events = submit(&chain, &call, suri).await?;
			let opened = events
				.find_first::<api::micropay::events::Opened>()
				.ok_or_else(|| Failure(4, "no micropay.Opened event".into()))??;
			if cli.json {
				println!(
					"{}",
					serde_json::json!({
						"channel": opened.channel,
						"hub": opened.hub.to_string(),
						"deposit": opened.deposit.to_string(),
						"expires_at": opened.expires_at,
					})
				);
			} else {
				println!(
					"channel {} open to {hub}: {} held, expires at block #{}",
					opened.channel,
					format_pti(opened.deposit),
					opened.expires_at
				);
			}
		},
		ChannelCommand::TopUp { id, amount, valid_for, suri } => {
			let now = chain.at_best().await?.block_number();
			let expires_at = valid_for.map(|v| expiry(now, v)).transpose()?;
			let call = api::tx().micropay().top_up(*id, pti(amount, "--amount")?, expires_at);
			let events = submit(&chain, &call, suri).await?;
			let topped = events
				.find_first::<api::micropay::events::ToppedUp>()
				.ok_or_else(|| Failure(4, "no micropay.ToppedUp event".into()))??;
			println!(
				"channel {id}: deposit {}, expires at block #{}",
				format_pti(topped.deposit),
				topped.expires_at
			);
		},
		ChannelCommand::Close { id, suri } => {
			let events = submit(&chain, &api::tx().micropay().close(*id), suri).await?;
			let closed = events
				.find_first::<api::micropay::events::Closed>()
				.ok_or_else(|| Failure(4, "no micropay.Closed event".into()))??;
			if cli.json {
				println!(
					"{}",
					serde_json::json!({ "channel": id, "refunded": closed.refunded.to_string() })
				);
			} else {
				println!("channel {id} closed: {} came back", format_pti(closed.refunded));
			}
		},
		ChannelCommand::Status { id } => {
			let at = chain.at_best().await?;
			let Some(c) = micropay::channel_at(&at, *id).await? else {
				return Err(not_found(format!("no open channel {id} (never opened, or closed)")));
			};
			// The gateway's view, if it is this channel's hub.
			let held = held(cli, *id).await.ok();
			if cli.json {
				let items = held.as_ref().map(|h| h.items.as_slice()).unwrap_or_default();
				println!(
					"{}",
					serde_json::json!({
						"channel": id,
						"payer": c.payer.to_string(),
						"hub": c.hub.to_string(),
						"deposit": c.deposit.to_string(),
						"paid": c.paid.to_string(),
						"expires_at": c.expires_at,
						"media_count": c.media_count,
						"vouchers_owed": held.as_ref().map(|h| h.owed.clone()),
						"vouchers": items,
					})
				);
			} else {
				println!("channel {id} of {} to {}", c.payer, c.hub);
				println!(
					"deposit {} · settled {} · expires at block #{} (now #{})",
					format_pti(c.deposit),
					format_pti(c.paid),
					c.expires_at,
					at.block_number()
				);
				if let Some(h) = held {
					let owed: u128 = h.owed.parse().unwrap_or(0);
					println!(
						"vouchers at the gateway: {} for {} item(s), {} not settled yet",
						format_pti(owed),
						h.items.len(),
						format_pti(owed.saturating_sub(c.paid))
					);
				}
			}
		},
		ChannelCommand::Price { media, per_minute, none: _, suri } => {
			let price = per_minute.as_deref().map(|p| pti(p, "--per-minute")).transpose()?;
			submit(&chain, &api::tx().micropay().set_minute_price(*media, price), suri).await?;
			match price {
				Some(p) => println!("media {media}: {} a minute of video", format_pti(p)),
				None => println!("media {media}: not pay-as-you-watch"),
			}
		},
	}
	Ok(())
}

/// Pays a video's segments with vouchers of the payer's channel to the gateway's hub.
pub struct Payer {
	key: subxt_signer::sr25519::Keypair,
	genesis: [u8; 32],
	pub channel: micropay::ChannelId,
	media: MediaId,
	/// The item's voucher so far.
	pub cumulative: u128,
	/// The item's voucher the gateway held when the download started.
	start: u128,
}

impl Payer {
	/// The payer's channel to the gateway's hub (the newest that has not expired), and
	/// the vouchers the gateway already holds for `media` in it.
	pub async fn new(
		cli: &Cli,
		chain: &paratii_client::Chain,
		suri: &str,
		media: MediaId,
	) -> Result<Self, Failure> {
		let key = crate::key(suri)?;
		let payer: AccountId = key.public_key().to_account_id();
		let info = hub_info(cli).await?;
		let hub = account(&info.hub)?;
		let at = chain.at_best().await?;
		let now = at.block_number();
		let open = micropay::channels_of(&at, &payer, &hub).await?;
		let Some((channel, _)) = open
			.into_iter()
			.rev()
			.find(|(_, c)| u64::from(c.expires_at) > now + u64::from(info.expiry_margin_blocks))
		else {
			return Err(refused(format!(
				"{payer} has no channel to the gateway's hub {hub} that runs more than {} blocks \
				 from now: `paratii channel open --deposit PTI --suri …` first",
				info.expiry_margin_blocks
			)));
		};
		let held = held(cli, channel).await?;
		let cumulative = held
			.items
			.iter()
			.find(|i| i.media == media)
			.and_then(|i| i.cumulative.parse().ok())
			.unwrap_or(0);
		Ok(Self {
			key,
			genesis: chain.genesis_hash(),
			channel,
			media,
			cumulative,
			start: cumulative,
		})
	}

	/// What this download paid.
	pub fn spent(&self) -> u128 {
		self.cumulative - self.start
	}

	/// The voucher header paying a segment of `price`: the item's amount so far plus it.
	pub fn voucher(&mut self, price: u128) -> String {
		self.cumulative = self.cumulative.saturating_add(price);
		let signature = micropay::sign_voucher(
			&self.key,
			&self.genesis,
			self.channel,
			self.media,
			self.cumulative,
		);
		micropay::format_voucher(self.channel, self.cumulative, &signature)
	}
}
