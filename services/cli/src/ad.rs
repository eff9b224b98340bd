//! `paratii ad`: the ad exchange for advertisers.
//!
//! ```text
//! paratii ad campaign create --suri //Alice --budget 100 --max-price 1 \
//!     --validator ADDR --validator ADDR --participant ADDR [--auditor ADDR]
//! paratii ad campaign top-up ID --amount 50 --suri //Alice
//! paratii ad campaign close ID --suri //Alice
//! paratii ad campaign status ID
//! paratii ad claim CAMPAIGN --suri //Viewer [--validator-url URL]
//! paratii ad watch MEDIA --suri //Viewer       the pre-roll, played, its View signed
//! ```
//!
//! Amounts are PTI with up to 18 decimals (`0.25`); shares are percents of a paid view
//! with up to 7 decimals, adding up to 100.

use crate::{connect, not_found, submit, Cli, Failure};
use clap::Subcommand;
use paratii_client::api::{
	self,
	runtime_types::{
		bounded_collections::bounded_vec::BoundedVec,
		pallet_ad_exchange::pallet::{BlockStatus, CampaignStatus, Shares},
		sp_arithmetic::per_things::Perbill,
	},
};

#[derive(Debug, Subcommand)]
pub enum AdCommand {
	/// An advertiser's campaigns: create, top up, close, status.
	Campaign {
		#[command(subcommand)]
		command: CampaignCommand,
	},
	/// The ad validators' registry: apply (holding the bond), admit (governance).
	Validator {
		#[command(subcommand)]
		command: ValidatorCommand,
	},
	/// Watch the pre-roll before a media item as the web player plays it: the VAST tag,
	/// the creative streamed at its pace with its trackers, then the View signed with
	/// your key (a paid impression: your share of the price once the block settles).
	Watch {
		media: u64,
		/// The viewer's secret URI: it signs the viewer session and the View. Without it
		/// the ad plays unpaid.
		#[arg(long)]
		suri: Option<String>,
	},
	/// Claim what you earned in a campaign (as a viewer, a producer, the fund): a
	/// validator of the campaign proves your cumulative earnings against the settled
	/// root, and `adExchange.claim` pays what was not claimed yet.
	Claim {
		campaign: u64,
		/// Your secret URI; it signs the claim (anyone may claim for anyone: the PTI goes
		/// to the earner).
		#[arg(long)]
		suri: String,
		/// The earner, if not the signer (SS58 or 0x hex).
		#[arg(long)]
		account: Option<String>,
		/// A validator node of the campaign (`paratii-adx validator --listen`).
		#[arg(long, default_value = "http://127.0.0.1:8110")]
		validator_url: String,
	},
}

#[derive(Debug, clap::Subcommand)]
pub enum ValidatorCommand {
	/// Apply to the registry as the signer (`adExchange.registerValidator`): holds the
	/// validator bond until governance admits it, or it leaves.
	Apply {
		/// The validator's secret URI (dev: //Dave).
		#[arg(long)]
		suri: String,
	},
	/// Admit an applicant (`adExchange.admitValidator`) through `sudo`: the development
	/// chain's governance; a consortium chain admits through its council.
	Admit {
		/// The applicant (SS58 or 0x hex).
		validator: String,
		/// The sudo key's secret URI (dev: //Alice).
		#[arg(long)]
		suri: String,
	},
}

/// A validator's answer to `GET /campaigns/{c}/earnings/{account}`.
#[derive(serde::Deserialize)]
struct Earnings {
	block: u32,
	cumulative: String,
	proof: ProofJson,
}

#[derive(serde::Deserialize)]
struct ProofJson {
	leaf_index: u32,
	number_of_leaves: u32,
	path: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
	/// Create a campaign: its budget is escrowed; its validators must each accept it
	/// before its first channel block opens.
	Create {
		/// The advertiser's secret URI (dev: //Alice).
		#[arg(long)]
		suri: String,
		/// The budget, in PTI.
		#[arg(long)]
		budget: String,
		/// The most a view may cost, in PTI.
		#[arg(long)]
		max_price: String,
		/// The viewer's share of a paid view, in percent.
		#[arg(long, default_value = "50")]
		viewer_share: String,
		/// The media producer's share, in percent.
		#[arg(long, default_value = "30")]
		producer_share: String,
		/// The redistribution fund's share, in percent.
		#[arg(long, default_value = "20")]
		fund_share: String,
		/// A validator from the registry (at least two); repeat.
		#[arg(long = "validator", required = true)]
		validators: Vec<String>,
		/// A participant (the exchange whose wins count, its channel node posts parts);
		/// repeat.
		#[arg(long = "participant", required = true)]
		participants: Vec<String>,
		/// The auditor, whose checks (views, clicks, fraud) count.
		#[arg(long)]
		auditor: Option<String>,
		/// How many chain blocks from now the campaign runs (default a day of 3-second
		/// blocks).
		#[arg(long, default_value_t = 28_800)]
		valid_for: u32,
		/// Chain blocks between agreement and settlement, when anyone may dispute (at
		/// least the chain's minimum).
		#[arg(long, default_value_t = 200)]
		challenge_period: u32,
		/// The hash of the targeting and creative spec, `0x` hex (default zero).
		#[arg(long)]
		spec_hash: Option<String>,
	},
	/// Add PTI to a campaign's budget.
	TopUp {
		id: u64,
		/// In PTI.
		#[arg(long)]
		amount: String,
		#[arg(long)]
		suri: String,
	},
	/// Close a campaign: what was never settled goes back to the advertiser.
	Close {
		id: u64,
		#[arg(long)]
		suri: String,
	},
	/// A campaign's budget, settlement and channel block.
	Status { id: u64 },
}

/// `s` in units of 10^-`decimals` (`"0.25"` with 18 decimals is 250000000000000000).
pub fn parse_decimal(s: &str, decimals: u32) -> Option<u128> {
	let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
	if whole.is_empty() && fraction.is_empty() || fraction.len() > decimals as usize {
		return None;
	}
	let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
	if !digits(whole) || !digits(fraction) {
		return None;
	}
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
	let padded = format!("{fraction:0<width$}", width = decimals as usize);
	let fraction: u128 = if padded.is_empty() { 0 } else { padded.parse().ok()? };
	whole.checked_mul(10u128.checked_pow(decimals)?)?.checked_add(fraction)
}

pub(crate) fn pti(s: &str, what: &str) -> Result<u128, Failure> {
	parse_decimal(s, 18)
		.ok_or_else(|| Failure(2, format!("{what}: {s:?} is not an amount of PTI such as 12.5")))
}

fn share(s: &str, what: &str) -> Result<Perbill, Failure> {
	match parse_decimal(s, 7).and_then(|ppb| u32::try_from(ppb).ok()) {
		Some(ppb) if ppb <= 1_000_000_000 => Ok(Perbill(ppb)),
		_ => Err(Failure(2, format!("{what}: {s:?} is not a percentage between 0 and 100"))),
	}
}

pub(crate) fn account(s: &str) -> Result<subxt::utils::AccountId32, Failure> {
	paratii_client::parse_account(s).map_err(|e| Failure(2, format!("{s}: {e:#}")))
}

async fn validator(cli: &Cli, command: &ValidatorCommand) -> Result<(), Failure> {
	let chain = connect(cli).await?;
	match command {
		ValidatorCommand::Apply { suri } => {
			submit(&chain, &api::tx().ad_exchange().register_validator(), suri).await?;
			println!("applied to the ad validators' registry: governance admits (adExchange.admitValidator)");
		},
		ValidatorCommand::Admit { validator, suri } => {
			let validator = account(validator)?;
			let call = api::Call::AdExchange(
				api::runtime_types::pallet_ad_exchange::pallet::Call::admit_validator { validator },
			);
			let events = submit(&chain, &api::tx().sudo().sudo(call), suri).await?;
			let done = events
				.find_first::<api::sudo::events::Sudid>()
				.ok_or_else(|| Failure(4, "no sudo.Sudid event".into()))??;
			if let Err(e) = done.sudo_result {
				return Err(Failure(3, format!("admitValidator was refused: {e:?}")));
			}
			println!("{validator} admitted to the ad validators' registry");
		},
	}
	Ok(())
}

pub async fn run(cli: &Cli, command: &AdCommand) -> Result<(), Failure> {
	let command = match command {
		AdCommand::Campaign { command } => command,
		AdCommand::Claim { campaign, suri, account: earner, validator_url } => {
			return claim(cli, *campaign, suri, earner.as_deref(), validator_url).await
		},
		AdCommand::Validator { command } => return validator(cli, command).await,
		AdCommand::Watch { media, suri } => {
			return crate::watch::watch(cli, *media, suri.as_deref()).await
		},
	};
	match command {
		CampaignCommand::Create {
			suri,
			budget,
			max_price,
			viewer_share,
			producer_share,
			fund_share,
			validators,
			participants,
			auditor,
			valid_for,
			challenge_period,
			spec_hash,
		} => {
			let shares = Shares {
				viewer: share(viewer_share, "--viewer-share")?,
				producer: share(producer_share, "--producer-share")?,
				fund: share(fund_share, "--fund-share")?,
			};
			if shares.viewer.0 as u64 + shares.producer.0 as u64 + shares.fund.0 as u64
				!= 1_000_000_000
			{
				return Err(Failure(2, "the three shares must add up to 100 %".into()));
			}
			let spec_hash = match spec_hash {
				Some(h) => paratii_client::content::parse_hash(h).ok_or_else(|| {
					Failure(2, format!("--spec-hash: {h:?} is not 32 bytes of hex"))
				})?,
				None => [0; 32],
			};
			let budget = pti(budget, "--budget")?;
			let chain = connect(cli).await?;
			let now = chain.client().at_current_block().await?.block_number();
			let valid_until = u32::try_from(now)
				.ok()
				.and_then(|n| n.checked_add(*valid_for))
				.ok_or_else(|| Failure(2, "--valid-for is too far".into()))?;
			let call = api::tx().ad_exchange().create_campaign(
				budget,
				pti(max_price, "--max-price")?,
				shares,
				BoundedVec(validators.iter().map(|v| account(v)).collect::<Result<_, _>>()?),
				BoundedVec(participants.iter().map(|p| account(p)).collect::<Result<_, _>>()?),
				auditor.as_deref().map(account).transpose()?,
				valid_until,
				*challenge_period,
				subxt::utils::H256(spec_hash),
			);
			let events = submit(&chain, &call, suri).await?;
			let created = events
				.find_first::<api::ad_exchange::events::CampaignCreated>()
				.ok_or_else(|| Failure(4, "no adExchange.CampaignCreated event".into()))??;
			if cli.json {
				let answer = serde_json::json!({
					"campaign": created.campaign,
					"escrow": created.escrow.to_string(),
					"valid_until": valid_until,
				});
				println!("{answer}");
			} else {
				println!(
					"campaign {} created: {} escrowed in {}, running until block #{valid_until}; \
					 each validator now accepts it (adExchange.acceptCampaign)",
					created.campaign,
					paratii_client::format_pti(budget),
					created.escrow
				);
			}
			Ok(())
		},
		CampaignCommand::TopUp { id, amount, suri } => {
			let chain = connect(cli).await?;
			let amount = pti(amount, "--amount")?;
			submit(&chain, &api::tx().ad_exchange().top_up(*id, amount), suri).await?;
			println!("campaign {id}: {} added to its budget", paratii_client::format_pti(amount));
			Ok(())
		},
		CampaignCommand::Close { id, suri } => {
			let chain = connect(cli).await?;
			let events = submit(&chain, &api::tx().ad_exchange().close_campaign(*id), suri).await?;
			let closed = events
				.find_first::<api::ad_exchange::events::CampaignClosed>()
				.ok_or_else(|| Failure(4, "no adExchange.CampaignClosed event".into()))??;
			println!(
				"campaign {id} closed: {} refunded",
				paratii_client::format_pti(closed.refunded)
			);
			Ok(())
		},
		CampaignCommand::Status { id } => status(cli, *id).await,
	}
}

async fn claim(
	cli: &Cli,
	campaign: u64,
	suri: &str,
	earner: Option<&str>,
	validator_url: &str,
) -> Result<(), Failure> {
	let earner = match earner {
		Some(a) => account(a)?,
		None => paratii_client::keys::account_key(suri)
			.map_err(|e| Failure(2, format!("{e:#}")))?
			.public_key()
			.to_account_id(),
	};
	let url =
		format!("{}/campaigns/{campaign}/earnings/{earner}", validator_url.trim_end_matches('/'));
	let response = reqwest::get(&url).await.map_err(|e| {
		Failure(4, format!("the validator at {validator_url} cannot be reached: {e}"))
	})?;
	let earnings: Earnings = crate::check(response).await?.json().await?;
	let cumulative: u128 = earnings
		.cumulative
		.parse()
		.map_err(|_| Failure(4, "the validator's cumulative amount is not a number".into()))?;
	let path = earnings
		.proof
		.path
		.iter()
		.map(|h| paratii_client::content::parse_hash(h))
		.collect::<Option<Vec<_>>>()
		.ok_or_else(|| Failure(4, "the validator's proof is not a list of hashes".into()))?;
	let proof = api::runtime_types::paratii_primitives::adx::PayoutProof {
		leaf_index: earnings.proof.leaf_index,
		number_of_leaves: earnings.proof.number_of_leaves,
		path: BoundedVec(path),
	};
	let chain = connect(cli).await?;
	let call = api::tx().ad_exchange().claim(campaign, earner, cumulative, proof);
	let events = submit(&chain, &call, suri).await?;
	let claimed = events
		.find_first::<api::ad_exchange::events::Claimed>()
		.ok_or_else(|| Failure(4, "no adExchange.Claimed event".into()))??;
	if cli.json {
		let answer = serde_json::json!({
			"campaign": campaign,
			"account": earner.to_string(),
			"claimed": claimed.amount.to_string(),
			"cumulative": claimed.cumulative.to_string(),
			"block": earnings.block,
		});
		println!("{answer}");
	} else {
		println!(
			"claimed {} from campaign {campaign} for {earner} ({} earned in all, up to its block {})",
			paratii_client::format_pti(claimed.amount),
			paratii_client::format_pti(claimed.cumulative),
			earnings.block
		);
	}
	Ok(())
}

async fn status(cli: &Cli, id: u64) -> Result<(), Failure> {
	let chain = connect(cli).await?;
	let at = chain.at_best().await?;
	let storage = at.storage();
	let Some(record) = storage.try_fetch(api::storage().ad_exchange().campaigns(), (id,)).await?
	else {
		return Err(not_found(format!("no campaign {id}")));
	};
	let c = record.decode()?;
	let block = c.next_block;
	let pending =
		match storage.try_fetch(api::storage().ad_exchange().pending(), (id, block)).await? {
			Some(p) => Some(p.decode()?),
			None => None,
		};
	let accepted = (0..c.validators.0.len()).filter(|i| c.accepted & (1 << i) != 0).count();
	let block_state = match &pending {
		None => "not opened yet (the first part posted opens it)".to_string(),
		Some(p) => match &p.status {
			BlockStatus::Collecting => format!(
				"collecting until chain block #{} ({} parts posted)",
				p.collect_until,
				p.parts.0.len()
			),
			BlockStatus::Agreed { challenge_end } => {
				format!("agreed; settles after chain block #{challenge_end}")
			},
			BlockStatus::Disputed { deadline, .. } => {
				format!("disputed; decided by chain block #{deadline}")
			},
		},
	};
	let status = match c.status {
		CampaignStatus::Active => "active",
		CampaignStatus::Closed => "closed",
	};
	if cli.json {
		let answer = serde_json::json!({
			"campaign": id,
			"status": status,
			"advertiser": c.advertiser.to_string(),
			"budget": c.budget.to_string(),
			"settled": c.settled.to_string(),
			"claimed": c.claimed.to_string(),
			"refunded": c.refunded.to_string(),
			"max_price_per_view": c.max_price_per_view.to_string(),
			"validators": c.validators.0.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
			"validators_accepted": accepted,
			"participants": c.participants.0.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
			"auditor": c.auditor.as_ref().map(|a| a.to_string()),
			"valid_until": c.valid_until,
			"next_block": block,
			"block": block_state,
		});
		println!("{answer}");
	} else {
		println!("campaign {id} ({status}) of {}", c.advertiser);
		println!(
			"budget     {} · settled {} · claimed {} · refunded {}",
			paratii_client::format_pti(c.budget),
			paratii_client::format_pti(c.settled),
			paratii_client::format_pti(c.claimed),
			paratii_client::format_pti(c.refunded)
		);
		println!("max price  {} per view", paratii_client::format_pti(c.max_price_per_view));
		println!("validators {accepted} of {} accepted", c.validators.0.len());
		println!("runs until chain block #{}", c.valid_until);
		println!("block {block}    {block_state}");
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_and_shares_read_as_people_write_them() {
		assert_eq!(parse_decimal("12.5", 18), Some(12_500_000_000_000_000_000));
		assert_eq!(parse_decimal("0.000000000000000001", 18), Some(1));
		assert_eq!(parse_decimal(".5", 18), Some(500_000_000_000_000_000));
		assert_eq!(parse_decimal("50", 7), Some(500_000_000));
		for bad in ["", ".", "1.2.3", "-1", "1e3", "0.0000000000000000001"] {
			assert_eq!(parse_decimal(bad, 18), None, "{bad:?}");
		}
		assert!(share("100.1", "s").is_err());
		assert_eq!(paratii_client::format_pti(1_500_000_000_000_000_000), "1.5 PTI");
	}
}
