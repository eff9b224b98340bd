//! The channel node posts its parts: for each channel block it holds messages of, once
//! the block's collection window is about to close (another participant opened it), or
//! once its first message is `open_after` old (this node opens it), the part is sealed
//! (no message joins it any more: later ones are told to sign for the next block) and
//! its hash posted with `adExchange.submitPart`, signed by the participant's key, with
//! the URL where this node serves it as its location.

use crate::{
	channel::{Campaigns, ChannelNode},
	log::{Key, MessageLog},
};
use paratii_client::{adx, api, Chain};
use paratii_primitives::adx::part_hash;
use std::{collections::HashSet, time::Duration};
use subxt_signer::sr25519::Keypair;

/// Chain blocks before a window's end when the part is posted (its transaction must be
/// in a block before `collect_until`).
const MARGIN_BLOCKS: u64 = 3;

pub struct Poster {
	pub chain: Chain,
	pub key: Keypair,
	/// This node's address as others reach it, e.g. `http://adx.example.org:8100`.
	pub public_url: String,
	pub open_after: Duration,
	pub http: reqwest::Client,
	/// Puts each part on the storage clusters too (its location then names its hash).
	pub to_clusters: bool,
	/// Validator nodes to bring each sealed block's key to once its part is posted.
	pub validators: Vec<String>,
}

impl Poster {
	/// Looks at the node's parts every second, for ever.
	pub async fn run<L: MessageLog, C: Campaigns>(self, node: std::sync::Arc<ChannelNode<L, C>>) {
		let mut done: HashSet<Key> = HashSet::new();
		// Sealed, but the chain refused the post (e.g. a validator has not accepted the
		// campaign yet): tried again, sealed as it is.
		let mut unposted: HashSet<Key> = HashSet::new();
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		loop {
			tick.tick().await;
			let mut candidates = node.open_parts();
			candidates.extend(unposted.iter().map(|key| (*key, std::time::Instant::now())));
			for (key, first_at) in candidates {
				if done.contains(&key) {
					continue;
				}
				let age =
					if unposted.contains(&key) { self.open_after } else { first_at.elapsed() };
				match self.due(key, age).await {
					Ok(Due::Now) => match self.post(&node, key).await {
						Ok(()) => {
							done.insert(key);
							unposted.remove(&key);
						},
						Err(e) => {
							tracing::warn!("posting part {key:?}: {e:#}; trying again");
							unposted.insert(key);
						},
					},
					Ok(Due::Later) => {},
					Ok(Due::Never(why)) => {
						tracing::info!("part {key:?} is not posted: {why}");
						let _ = node.seal(key).await;
						done.insert(key);
						unposted.remove(&key);
					},
					Err(e) => tracing::warn!("reading campaign {}: {e:#}", key.0),
				}
			}
		}
	}

	async fn due(&self, (campaign, block): Key, age: Duration) -> anyhow::Result<Due> {
		let at = self.chain.at_best().await?;
		let storage = at.storage();
		let Some(record) =
			storage.try_fetch(api::storage().ad_exchange().campaigns(), (campaign,)).await?
		else {
			return Ok(Due::Never("the campaign is gone".into()));
		};
		let next = record.decode()?.next_block;
		if next > block {
			return Ok(Due::Never(format!("the campaign is at block {next}")));
		}
		if next < block {
			// Kept for when it opens, after block `next` is settled.
			return Ok(Due::Later);
		}
		let pending =
			storage.try_fetch(api::storage().ad_exchange().pending(), (campaign, block)).await?;
		let me = subxt::utils::AccountId32(self.key.public_key().0);
		Ok(match pending {
			None if age >= self.open_after => Due::Now,
			None => Due::Later,
			Some(pending) => {
				let pending = pending.decode()?;
				if pending.parts.0.iter().any(|p| p.participant == me) {
					Due::Never("its hash is on chain already".into())
				} else if at.block_number() + MARGIN_BLOCKS >= u64::from(pending.collect_until) {
					Due::Now
				} else {
					Due::Later
				}
			},
		})
	}

	async fn post<L: MessageLog, C: Campaigns>(
		&self,
		node: &ChannelNode<L, C>,
		(campaign, block): Key,
	) -> anyhow::Result<()> {
		let part = node.seal((campaign, block)).await?;
		let hash = part_hash(&part);
		let mut location = format!(
			"{}/campaigns/{campaign}/blocks/{block}/part",
			self.public_url.trim_end_matches('/')
		);
		// The bytes as this node serves them (sealed when the campaign has a secret).
		let (served, block_key) = node.served(&part, (campaign, block))?;
		if self.to_clusters {
			// A failure leaves this node the only source, not the part unposted.
			match adx::stored::put(&self.chain, &self.http, &self.key, campaign, block, served)
				.await
			{
				Ok((sha256, clusters)) => {
					tracing::info!(
						"block {block} of campaign {campaign}: part {} on clusters {clusters:?}",
						paratii_client::content::hex_hash(&sha256)
					);
					location = adx::stored::location(&location, &sha256);
				},
				Err(e) => tracing::warn!(
					"block {block} of campaign {campaign}: the part is not on the clusters \
					 ({e:#}); validators read it from this node"
				),
			}
		}
		let call = api::tx().ad_exchange().submit_part(
			campaign,
			block,
			subxt::utils::H256(hash),
			api::runtime_types::bounded_collections::bounded_vec::BoundedVec(location.into_bytes()),
		);
		let mut tx = self.chain.client().tx().await?;
		tx.sign_and_submit_then_watch_default(&call, &self.key)
			.await?
			.wait_for_finalized_success()
			.await?;
		tracing::info!(
			"posted block {block} of campaign {campaign}: {} messages, part hash {}",
			part.len(),
			paratii_client::content::hex_hash(&hash)
		);
		if let Some(key) = block_key {
			for validator in &self.validators {
				if let Err(e) = self.bring_key(validator, campaign, block, &key).await {
					tracing::warn!("the key of block {block} of campaign {campaign} to {validator}: {e:#}; it will ask");
				}
			}
		}
		Ok(())
	}
}

impl Poster {
	/// `POST {validator}/campaigns/{c}/blocks/{b}/key?key=…`, signed as the participant.
	async fn bring_key(
		&self,
		validator: &str,
		campaign: adx::CampaignId,
		block: adx::ChannelBlock,
		key: &[u8; 32],
	) -> anyhow::Result<()> {
		let path = format!("/campaigns/{campaign}/blocks/{block}/key?key=0x{}", hex::encode(key));
		let request = paratii_client::signed::sign_request(
			self.http.post(format!("{}{path}", validator.trim_end_matches('/'))),
			&self.key,
			&self.chain.genesis_hash(),
			"POST",
			&path,
			None,
		);
		let answer = request.send().await?;
		let status = answer.status();
		anyhow::ensure!(
			status.is_success(),
			"{status}: {}",
			answer.text().await.unwrap_or_default()
		);
		Ok(())
	}
}

enum Due {
	Now,
	Later,
	Never(String),
}
