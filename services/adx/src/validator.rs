//! The validator node: for every campaign that names this validator, once a channel
//! block's collection window has closed it fetches every part from the location its
//! participant posted, checks it against the posted hash, runs the block's processing
//! (`AdExchangeApi.processBlock`: `paratii_primitives::adx::process` over the parts, the
//! campaign's terms and the previous cumulative earnings, executed by its node's runtime)
//! and posts the result with `submitResult`; when the results agreed and the challenge
//! period is over it calls `finalize`. When results differ the block is disputed: once
//! the panel is drawable it draws it (`drawPanel`, anyone may), and a validator drawn
//! onto the panel posts its own result like the campaign's validators. A part served
//! sealed ([`paratii_client::adx::sealed`]) is opened with the block key, asked (a request
//! signed with the validator's key) from the participant's channel node next to the
//! part (`…/blocks/{b}/key` beside `…/blocks/{b}/part`) — unless a participant has
//! brought it: `POST /campaigns/{c}/blocks/{b}/key?key=0x…`, a request signed by one of
//! the campaign's participants (a channel node with `--validator-url` sends it when it
//! posts its part); a key that opens nothing is dropped and the channel node asked
//! instead. It keeps each campaign's
//! cumulative earnings after
//! the last finalized block (what the next block starts from) in a file, so a restart
//! carries on, and serves each earner's proof against the settled root:
//!
//! ```text
//! GET /campaigns/{campaign}/earnings/{account}   (SS58 or 0x hex)
//!   200 {"campaign", "block", "account", "cumulative", "proof": {"leaf_index",
//!        "number_of_leaves", "path": ["0x…"]}}   what adExchange.claim takes
//!   404 no earnings of the account in the campaign's last block settled with this
//!       validator's root
//! ```

use paratii_client::{
	adx::sealed,
	api,
	content::{hex_hash, parse_hash},
	AtBlock, Chain,
};
use paratii_primitives::adx::{decode_part, part_hash, CampaignId, ChannelBlock, Message};
use std::{collections::BTreeMap, path::PathBuf, time::Duration};
use subxt_signer::sr25519::Keypair;

type Cumulative = Vec<([u8; 32], u128)>;

/// A campaign's cumulative earnings after a block this validator computed.
#[derive(serde::Serialize, serde::Deserialize, Clone, Default)]
struct Known {
	/// Per campaign: the block and the cumulative earnings after it (hex accounts,
	/// decimal amounts).
	after: BTreeMap<CampaignId, (ChannelBlock, Vec<(String, String)>)>,
}

pub struct Validator {
	pub chain: Chain,
	pub key: Keypair,
	pub state: PathBuf,
	pub http: reqwest::Client,
	/// Accept every active campaign that names this validator (`acceptCampaign`).
	pub accept_campaigns: bool,
	/// Results posted and not settled yet: per campaign, the block and the cumulative
	/// earnings after it (what earners see as pending).
	pub pending: std::sync::Mutex<BTreeMap<CampaignId, (ChannelBlock, Cumulative)>>,
	/// Block keys participants brought, by (campaign, block); dropped once the block is
	/// processed (at most [`MAX_BROUGHT_KEYS`]).
	pub keys: std::sync::Mutex<BTreeMap<(CampaignId, ChannelBlock), [u8; 32]>>,
}

/// Block keys held at once; beyond it the oldest blocks' go.
const MAX_BROUGHT_KEYS: usize = 4096;

enum Step {
	/// Nothing to do for the campaign now.
	Wait,
	/// The result to post for `block`, with the cumulative earnings after it.
	Post {
		block: ChannelBlock,
		output: Box<Output>,
	},
	Finalize {
		block: ChannelBlock,
	},
	DrawPanel {
		block: ChannelBlock,
	},
	Accept,
}

type Output = api::runtime_types::paratii_primitives::adx::BlockOutput;

impl Validator {
	fn known(&self) -> Known {
		std::fs::read(&self.state)
			.ok()
			.and_then(|bytes| serde_json::from_slice(&bytes).ok())
			.unwrap_or_default()
	}

	fn remember(&self, campaign: CampaignId, block: ChannelBlock, cumulative: &Cumulative) {
		let mut known = self.known();
		let entries = cumulative.iter().map(|(a, v)| (hex_hash(a), v.to_string())).collect();
		known.after.insert(campaign, (block, entries));
		let written = serde_json::to_vec(&known).map_err(anyhow::Error::from).and_then(|bytes| {
			let temp = self.state.with_extension("tmp");
			std::fs::write(&temp, bytes)?;
			std::fs::rename(&temp, &self.state)?;
			Ok(())
		});
		if let Err(e) = written {
			tracing::warn!("keeping campaign {campaign}'s earnings: {e:#}");
		}
	}

	/// The last block of `campaign` settled with this validator's root, and the
	/// cumulative earnings after it, from what the file holds.
	fn settled_in(known: &Known, campaign: CampaignId) -> Option<(ChannelBlock, Cumulative)> {
		let (after, entries) = known.after.get(&campaign)?;
		let cumulative = entries
			.iter()
			.map(|(a, v)| Some((parse_hash(a)?, v.parse().ok()?)))
			.collect::<Option<_>>()?;
		Some((*after, cumulative))
	}

	/// The cumulative earnings block `block` of `campaign` starts from.
	fn previous(&self, campaign: CampaignId, block: ChannelBlock) -> Option<Cumulative> {
		if block == 0 {
			return Some(Vec::new());
		}
		let (after, cumulative) = Self::settled_in(&self.known(), campaign)?;
		(after + 1 == block).then_some(cumulative)
	}

	/// The account's earnings in every campaign this validator knows: settled (with a
	/// proof) and pending (posted, not settled yet).
	pub fn account(&self, account: [u8; 32]) -> AccountEarnings {
		let known = self.known();
		let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner()).clone();
		let ids: std::collections::BTreeSet<CampaignId> =
			known.after.keys().chain(pending.keys()).copied().collect();
		let campaigns = ids
			.into_iter()
			.filter_map(|campaign| {
				let settled = Self::earnings_in(&known, campaign, account);
				let pending = pending.get(&campaign).and_then(|(block, cumulative)| {
					let (_, amount) = cumulative.iter().find(|(a, _)| *a == account)?;
					Some(Pending { block: *block, cumulative: amount.to_string() })
				});
				(settled.is_some() || pending.is_some()).then_some(CampaignEarnings {
					campaign,
					settled,
					pending,
				})
			})
			.collect();
		AccountEarnings { account: hex_hash(&account), campaigns }
	}

	/// The account's cumulative earnings in `campaign` and their proof, from the last
	/// block settled with this validator's root.
	pub fn earnings(&self, campaign: CampaignId, account: [u8; 32]) -> Option<Earnings> {
		Self::earnings_in(&self.known(), campaign, account)
	}

	fn earnings_in(known: &Known, campaign: CampaignId, account: [u8; 32]) -> Option<Earnings> {
		let (block, cumulative) = Self::settled_in(known, campaign)?;
		let index = cumulative.iter().position(|(a, _)| *a == account)?;
		let proof = paratii_primitives::adx::payout_proof(&cumulative, index)?;
		Some(Earnings {
			campaign,
			block,
			account: hex_hash(&account),
			cumulative: cumulative[index].1.to_string(),
			proof: ProofJson {
				leaf_index: proof.leaf_index,
				number_of_leaves: proof.number_of_leaves,
				path: proof.path.iter().map(hex_hash).collect(),
			},
		})
	}

	/// Looks at every campaign every second, for ever.
	pub async fn run(self: std::sync::Arc<Self>) {
		let me = subxt::utils::AccountId32(self.key.public_key().0);
		let mut posted: BTreeMap<CampaignId, (ChannelBlock, Cumulative)> = BTreeMap::new();
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		loop {
			tick.tick().await;
			let at = match self.chain.at_best().await {
				Ok(at) => at,
				Err(e) => {
					tracing::warn!("reading the chain: {e:#}");
					continue;
				},
			};
			let next: CampaignId = match at
				.storage()
				.try_fetch(api::storage().ad_exchange().next_campaign_id(), ())
				.await
			{
				Ok(Some(v)) => v.decode().unwrap_or(0),
				Ok(None) => 0,
				Err(e) => {
					tracing::warn!("reading the campaigns: {e:#}");
					continue;
				},
			};
			for campaign in 0..next {
				match self.step(&at, &me, campaign, &posted).await {
					Ok(Step::Wait) => {},
					Ok(Step::Post { block, output }) => {
						match self.post_result(campaign, block, &output).await {
							Ok(()) => {
								let cumulative =
									output.cumulative.iter().map(|(a, v)| (*a, *v)).collect();
								posted.insert(campaign, (block, cumulative));
							},
							Err(e) => tracing::warn!(
								"posting the result of block {block} of campaign {campaign}: {e:#}"
							),
						}
					},
					Ok(Step::Accept) => {
						let call = api::tx().ad_exchange().accept_campaign(campaign);
						match self.submit(&call).await {
							Ok(()) => tracing::info!("accepted campaign {campaign}"),
							Err(e) => tracing::warn!("accepting campaign {campaign}: {e:#}"),
						}
					},
					Ok(Step::DrawPanel { block }) => {
						let call = api::tx().ad_exchange().draw_panel(campaign, block);
						match self.submit(&call).await {
							Ok(()) => tracing::info!(
								"drew the dispute panel of block {block} of campaign {campaign}"
							),
							Err(e) => tracing::debug!("draw_panel {campaign}/{block}: {e:#}"),
						}
					},
					Ok(Step::Finalize { block }) => {
						let call = api::tx().ad_exchange().finalize(campaign, block);
						match self.submit(&call).await {
							Ok(()) => {
								tracing::info!("finalized block {block} of campaign {campaign}")
							},
							Err(e) => tracing::debug!("finalize {campaign}/{block}: {e:#}"),
						}
					},
					Err(e) => tracing::warn!("campaign {campaign}: {e:#}"),
				}
			}
			*self.pending.lock().unwrap_or_else(|e| e.into_inner()) = posted.clone();
			// A block that moved on with the root this validator posted: its earnings are
			// what the next block starts from.
			for (campaign, (block, cumulative)) in std::mem::take(&mut posted) {
				match self.settled(&at, campaign, block).await {
					Ok(true) => self.remember(campaign, block, &cumulative),
					Ok(false) => {
						posted.insert(campaign, (block, cumulative));
					},
					Err(e) => {
						tracing::warn!("campaign {campaign}: {e:#}");
						posted.insert(campaign, (block, cumulative));
					},
				}
			}
		}
	}

	/// Whether `campaign` moved past `block`.
	async fn settled(
		&self,
		at: &AtBlock,
		campaign: CampaignId,
		block: ChannelBlock,
	) -> anyhow::Result<bool> {
		let record =
			at.storage().try_fetch(api::storage().ad_exchange().campaigns(), (campaign,)).await?;
		Ok(match record {
			Some(record) => record.decode()?.next_block > block,
			None => true,
		})
	}

	async fn step(
		&self,
		at: &AtBlock,
		me: &subxt::utils::AccountId32,
		campaign: CampaignId,
		posted: &BTreeMap<CampaignId, (ChannelBlock, Cumulative)>,
	) -> anyhow::Result<Step> {
		use api::runtime_types::pallet_ad_exchange::pallet::{BlockStatus, CampaignStatus};
		let storage = at.storage();
		let Some(record) =
			storage.try_fetch(api::storage().ad_exchange().campaigns(), (campaign,)).await?
		else {
			return Ok(Step::Wait);
		};
		let record = record.decode()?;
		if self.accept_campaigns && matches!(record.status, CampaignStatus::Active) {
			let named = record.validators.0.iter().position(|v| v == me);
			if named.is_some_and(|i| record.accepted & (1 << i) == 0) {
				return Ok(Step::Accept);
			}
		}
		let block = record.next_block;
		let Some(pending) =
			storage.try_fetch(api::storage().ad_exchange().pending(), (campaign, block)).await?
		else {
			return Ok(Step::Wait);
		};
		let pending = pending.decode()?;
		let now = at.block_number();
		let on_panel = match &pending.status {
			BlockStatus::Disputed { added, .. } => added.0.contains(me),
			_ => false,
		};
		if let BlockStatus::Disputed { draw_at: Some(draw_at), .. } = &pending.status {
			// Anyone draws the panel once the block that draws it is there; a validator
			// in the registry may be drawn onto it.
			return Ok(if now > u64::from(*draw_at) {
				Step::DrawPanel { block }
			} else {
				Step::Wait
			});
		}
		if !record.validators.0.contains(me) && !on_panel {
			return Ok(Step::Wait);
		}
		let mine_posted = pending.results.0.iter().any(|(who, _)| who == me);
		match pending.status {
			BlockStatus::Agreed { challenge_end } if now >= u64::from(challenge_end) => {
				return Ok(Step::Finalize { block });
			},
			BlockStatus::Collecting if now >= u64::from(pending.collect_until) => {},
			BlockStatus::Disputed { .. } => {},
			_ => return Ok(Step::Wait),
		}
		if mine_posted || posted.get(&campaign).is_some_and(|(b, _)| *b == block) {
			return Ok(Step::Wait);
		}
		let Some(previous) = self.previous(campaign, block) else {
			anyhow::bail!(
				"block {block} starts from block {}'s earnings, which this validator did not \
				 compute",
				block.saturating_sub(1)
			);
		};
		let mut parts: Vec<Vec<Message>> = Vec::new();
		// One key per block, whichever participant's node serves it.
		let mut key = None;
		for (i, part) in pending.parts.0.iter().enumerate() {
			let location = String::from_utf8_lossy(&part.location.0).into_owned();
			let bytes = self.fetch_part(&location).await?;
			let bytes = if sealed::is_sealed(&bytes) {
				let brought = self.brought_key(campaign, block);
				let key = match key {
					Some(key) => key,
					None => *key.insert(match brought {
						Some(brought) => brought,
						None => self.block_key(&location).await?,
					}),
				};
				let genesis = self.chain.genesis_hash();
				sealed::open(&key, &genesis, campaign, block, &bytes).ok_or_else(|| {
					if brought == Some(key) {
						// Ask the channel node the next time.
						self.keys
							.lock()
							.unwrap_or_else(|e| e.into_inner())
							.remove(&(campaign, block));
					}
					anyhow::anyhow!("part {i} at {location} does not open with its block key")
				})?
			} else {
				bytes.to_vec()
			};
			let messages = decode_part(&bytes)
				.ok_or_else(|| anyhow::anyhow!("part {i} at {location} is not a part"))?;
			anyhow::ensure!(
				part_hash(&messages) == part.part_hash.0,
				"part {i} at {location} is not the one its participant posted"
			);
			parts.push(messages);
		}
		let previous: Vec<(subxt::utils::AccountId32, u128)> =
			previous.into_iter().map(|(a, v)| (subxt::utils::AccountId32(a), v)).collect();
		let parts: Vec<Vec<GenMessage>> =
			parts.iter().map(|part| part.iter().map(generated).collect()).collect();
		let call =
			api::runtime_apis().ad_exchange_api().process_block(campaign, block, previous, parts);
		match at.runtime_apis().call(call).await? {
			Ok(output) => Ok(Step::Post { block, output: Box::new(output) }),
			Err(e) => anyhow::bail!("processing block {block}: {e:?}"),
		}
	}

	/// The part at `location`: from the storage clusters when the location names its
	/// hash, else (or if no cluster serves it) from the channel node.
	async fn fetch_part(&self, location: &str) -> anyhow::Result<Vec<u8>> {
		if let Some(sha256) = paratii_client::adx::stored::hash_in(location) {
			match paratii_client::adx::stored::get(&self.chain, &self.http, &sha256).await {
				Ok(bytes) => {
					tracing::info!(
						"read part {} from the clusters",
						paratii_client::content::hex_hash(&sha256)
					);
					return Ok(bytes);
				},
				Err(e) => tracing::warn!("{e:#}; reading {location} from its channel node"),
			}
		}
		Ok(self.http.get(location).send().await?.error_for_status()?.bytes().await?.to_vec())
	}

	fn brought_key(&self, campaign: CampaignId, block: ChannelBlock) -> Option<[u8; 32]> {
		self.keys.lock().unwrap_or_else(|e| e.into_inner()).get(&(campaign, block)).copied()
	}

	/// Keeps the block key a participant brought, if the signed request is one of the
	/// campaign's participants' for a block not settled yet.
	async fn take_key(
		&self,
		campaign: CampaignId,
		block: ChannelBlock,
		key: [u8; 32],
		uri: &axum::http::Uri,
		headers: &axum::http::HeaderMap,
	) -> Result<[u8; 32], (axum::http::StatusCode, String)> {
		use axum::http::StatusCode;
		let signer = paratii_client::signed::verify_request(
			&self.chain.genesis_hash(),
			"POST",
			uri,
			None,
			headers,
		)
		.map_err(|e| {
			(StatusCode::UNAUTHORIZED, format!("sign the request as a participant ({e})"))
		})?;
		let at =
			self.chain.at_best().await.map_err(|e| (StatusCode::BAD_GATEWAY, format!("{e:#}")))?;
		let Some(Some(c)) = paratii_client::adx::campaign(&at, campaign)
			.await
			.map_err(|e| (StatusCode::BAD_GATEWAY, format!("{e:#}")))?
		else {
			return Err((StatusCode::NOT_FOUND, format!("no active campaign {campaign}")));
		};
		if !c.participants.contains(&signer) {
			return Err((
				StatusCode::FORBIDDEN,
				format!("0x{} is not a participant of campaign {campaign}", hex::encode(signer)),
			));
		}
		if block < c.next_block {
			return Err((StatusCode::CONFLICT, format!("block {block} is settled")));
		}
		let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
		keys.retain(|(kc, kb), _| *kc != campaign || *kb >= c.next_block);
		while keys.len() >= MAX_BROUGHT_KEYS {
			keys.pop_first();
		}
		keys.insert((campaign, block), key);
		tracing::info!(
			"block key of block {block} of campaign {campaign} from participant 0x{}",
			hex::encode(signer)
		);
		Ok(signer)
	}

	/// The block key of the sealed part at `location`, from the channel node serving it.
	async fn block_key(&self, location: &str) -> anyhow::Result<[u8; 32]> {
		#[derive(serde::Deserialize)]
		struct Key {
			key: String,
		}
		let url = reqwest::Url::parse(location)?.join("key")?;
		let request = paratii_client::signed::sign_request(
			self.http.get(url.clone()),
			&self.key,
			&self.chain.genesis_hash(),
			"GET",
			url.path(),
			None,
		);
		let answer = request.send().await?;
		let status = answer.status();
		anyhow::ensure!(
			status.is_success(),
			"the block key at {url}: {status}: {}",
			answer.text().await?
		);
		let key = answer.json::<Key>().await?.key;
		parse_hash(&key).ok_or_else(|| anyhow::anyhow!("{url}: the key is not 32 bytes of hex"))
	}

	async fn post_result(
		&self,
		campaign: CampaignId,
		block: ChannelBlock,
		output: &Output,
	) -> anyhow::Result<()> {
		let call = api::tx().ad_exchange().submit_result(
			campaign,
			block,
			subxt::utils::H256(output.result_hash),
			subxt::utils::H256(output.payouts_root),
			output.total,
		);
		self.submit(&call).await?;
		tracing::info!(
			"posted the result of block {block} of campaign {campaign}: {} paid views, total {}",
			output.paid_views,
			output.total
		);
		Ok(())
	}

	async fn submit<Call: subxt::tx::Payload>(&self, call: &Call) -> anyhow::Result<()> {
		let mut tx = self.chain.client().tx().await?;
		tx.sign_and_submit_then_watch_default(call, &self.key)
			.await?
			.wait_for_finalized_success()
			.await?;
		Ok(())
	}
}

type GenMessage = api::runtime_types::paratii_primitives::adx::Message;

/// A message as the chain's metadata types it.
fn generated(m: &Message) -> GenMessage {
	use api::runtime_types::paratii_primitives::adx::Body as B;
	use paratii_primitives::adx::Body;
	let body = match m.body.clone() {
		Body::Win { impression, viewer, producer, price } => {
			B::Win { impression, viewer, producer, price }
		},
		Body::View { impression } => B::View { impression },
		Body::Check { impression, flags } => B::Check { impression, flags },
	};
	GenMessage { author: m.author, body, signature: m.signature }
}

/// An earner's claim, as `GET /campaigns/{campaign}/earnings/{account}` answers it.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Earnings {
	pub campaign: CampaignId,
	/// The channel block whose settled root holds it.
	pub block: ChannelBlock,
	pub account: String,
	/// Planck, as a decimal string.
	pub cumulative: String,
	pub proof: ProofJson,
}

/// `GET /accounts/{account}/earnings`.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct AccountEarnings {
	pub account: String,
	pub campaigns: Vec<CampaignEarnings>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct CampaignEarnings {
	pub campaign: CampaignId,
	/// What the chain settled, with its proof (claimable: this less what was withdrawn).
	pub settled: Option<Earnings>,
	/// The cumulative earnings in a result posted and not settled yet.
	pub pending: Option<Pending>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Pending {
	pub block: ChannelBlock,
	/// Planck, as a decimal string.
	pub cumulative: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct ProofJson {
	pub leaf_index: u32,
	pub number_of_leaves: u32,
	pub path: Vec<String>,
}

/// The validator's routes: earners' proofs and health.
pub fn router(validator: std::sync::Arc<Validator>) -> axum::Router {
	use axum::{
		extract::{Path, State},
		http::StatusCode,
		routing::get,
		Json,
	};
	async fn earnings(
		State(v): State<std::sync::Arc<Validator>>,
		Path((campaign, account)): Path<(CampaignId, String)>,
	) -> axum::response::Response {
		use axum::response::IntoResponse;
		let Ok(who) = paratii_client::parse_account(&account) else {
			return paratii_client::http::error(
				StatusCode::BAD_REQUEST,
				format!("{account} is not an account (SS58 or 0x hex)"),
			);
		};
		match v.earnings(campaign, who.0) {
			Some(e) => Json(e).into_response(),
			None => paratii_client::http::error(
				StatusCode::NOT_FOUND,
				format!(
					"no earnings of {account} in campaign {campaign}'s last block settled with \
					 this validator's root"
				),
			),
		}
	}
	async fn account(
		State(v): State<std::sync::Arc<Validator>>,
		Path(account): Path<String>,
	) -> axum::response::Response {
		use axum::response::IntoResponse;
		match paratii_client::parse_account(&account) {
			Ok(who) => Json(v.account(who.0)).into_response(),
			Err(_) => paratii_client::http::error(
				StatusCode::BAD_REQUEST,
				format!("{account} is not an account (SS58 or 0x hex)"),
			),
		}
	}
	#[derive(serde::Deserialize)]
	struct KeyQuery {
		key: String,
	}
	async fn key(
		State(v): State<std::sync::Arc<Validator>>,
		Path((campaign, block)): Path<(CampaignId, ChannelBlock)>,
		axum::extract::Query(query): axum::extract::Query<KeyQuery>,
		uri: axum::http::Uri,
		headers: axum::http::HeaderMap,
	) -> axum::response::Response {
		use axum::response::IntoResponse;
		let Some(key) = parse_hash(&query.key) else {
			return paratii_client::http::error(StatusCode::BAD_REQUEST, "key: 32 bytes of hex");
		};
		match v.take_key(campaign, block, key, &uri, &headers).await {
			Ok(_) => StatusCode::ACCEPTED.into_response(),
			Err((status, why)) => paratii_client::http::error(status, why),
		}
	}
	axum::Router::new()
		.route("/campaigns/:campaign/blocks/:block/key", axum::routing::post(key))
		.route("/campaigns/:campaign/earnings/:account", get(earnings))
		.route("/accounts/:account/earnings", get(account))
		.route("/health", get(|| async { Json(serde_json::json!({ "status": "ok" })) }))
		.layer(tower_http::cors::CorsLayer::permissive())
		.with_state(validator)
}
