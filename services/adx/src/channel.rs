//! The channel node: one per campaign participant (the exchange, each advertiser, the
//! auditor). It takes signed messages for its participant over HTTP, checks them and
//! keeps them in its durable log before it acknowledges them:
//!
//! ```text
//! POST /campaigns/{campaign}/blocks/{block}/messages   body: SCALE Vec<Message>
//!   200 {"accepted": n, "duplicates": d, "part_messages": total}
//!   400 a message's signature or the body's encoding; 404 no such campaign;
//!   409 not a block this node takes, or the part is sealed or full
//! GET  /campaigns/{campaign}/collecting                {"campaign", "block"}: the block
//!   to sign messages for now
//! GET  /campaigns/{campaign}/blocks/{block}/part       the part: SCALE Vec<Message>, or
//!   sealed with the block key when the node has the campaign's block secret
//!   (x-paratii-part-sealed: chacha20poly1305); x-paratii-part-hash: the plain part's
//!   blake2-256 (what `submit_part` posts)
//! GET  /campaigns/{campaign}/blocks/{block}/key        {"key": "0x…"}: the block key, to
//!   the campaign's validators and its dispute panel only (a request signed as
//!   `paratii_client::signed::gateway_request_headers` signs one; 401 unsigned or badly
//!   signed, 403 anyone else, 404 no block secret for the campaign)
//! GET  /health
//! ```
//!
//! Which blocks it takes: while the chain collects block `b` of a campaign, messages of
//! `b` until this node has sealed its part of `b` (to post it), and messages of `b + 1`,
//! kept for when that block opens (once `b` is settled); after `b` stopped collecting,
//! those of `b + 1`. So signers never wait for the chain: `GET …/collecting` says `b`
//! until the part is sealed, then `b + 1`.
//!
//! **Sealed parts.** With `--block-secrets FILE` (a JSON object: campaign id → the
//! 32-byte block secret its participants share, `0x` hex; read at each use, so a new
//! campaign needs no restart) the node serves each part of those campaigns sealed with
//! its block's key ([`paratii_client::adx::sealed`]): anyone may fetch it from the
//! location on chain, only the campaign's validators get the key to read it.
//!
//! A batch is all or nothing: any message whose sr25519 signature does not verify over
//! [`signing_payload`] for this chain, campaign and block (as signed, or wrapped in
//! `<Bytes>…</Bytes>` by a browser wallet) refuses the whole batch (and
//! the answer names the first such message), so a sender knows exactly what was kept.
//! Signatures are verified in batches (schnorrkel's `verify_batch`), split over the
//! cores. A message the part holds already is counted as a duplicate and not kept
//! twice; a part holds at most [`MAX_MESSAGES_PER_PART`] messages.

use crate::log::{Key, MessageLog};
use anyhow::Context;
use axum::{
	body::Bytes,
	extract::{Path, State},
	http::{HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use codec::{DecodeAll, Encode};
use paratii_client::{adx::sealed, http::error, Chain};
use paratii_primitives::adx::{
	part_hash, signing_payload, CampaignId, Channel, ChannelBlock, Message, MAX_MESSAGES_PER_PART,
	MAX_PART_BYTES,
};
use std::{
	collections::{HashMap, HashSet},
	path::PathBuf,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// How long what the chain said about a campaign's collection is trusted.
const CAMPAIGN_TTL: Duration = Duration::from_secs(1);
/// Signatures verified in one batch on one core.
const VERIFY_BATCH: usize = 256;

/// Where a campaign's messages go now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
	/// The chain collects `block`: its messages are taken until this node seals its part,
	/// and those of `block + 1` are kept for when it opens.
	Collecting { block: ChannelBlock },
	/// Block `next - 1` stopped collecting and is being settled: the messages of `next`
	/// are kept for when it opens.
	Between { next: ChannelBlock },
	/// Messages of any block are taken: `paratii-adx synthetic`, which has no chain.
	Any,
	/// The campaign takes no messages (why).
	Closed(String),
}

/// What the channel node asks the chain (a trait, so tests can answer for it).
pub trait Campaigns: Send + Sync + 'static {
	fn window(
		&self,
		campaign: CampaignId,
	) -> impl std::future::Future<Output = anyhow::Result<Option<Window>>> + Send;

	/// Who may read block `block`'s parts: the campaign's validators and, in a dispute,
	/// its panel.
	fn readers(
		&self,
		campaign: CampaignId,
		block: ChannelBlock,
	) -> impl std::future::Future<Output = anyhow::Result<Vec<[u8; 32]>>> + Send;
}

/// The chain's answer: the campaign's record and its pending block.
pub struct OnChain(pub Chain);

impl Campaigns for OnChain {
	async fn window(&self, campaign: CampaignId) -> anyhow::Result<Option<Window>> {
		let at = self.0.at_best().await?;
		Ok(paratii_client::adx::campaign(&at, campaign).await?.map(|active| match active {
			None => Window::Closed(format!("campaign {campaign} is closed")),
			Some(c) => match c.collecting {
				Some(block) => Window::Collecting { block },
				None => Window::Between { next: c.next_block + 1 },
			},
		}))
	}

	async fn readers(
		&self,
		campaign: CampaignId,
		block: ChannelBlock,
	) -> anyhow::Result<Vec<[u8; 32]>> {
		use paratii_client::api::{self, runtime_types::pallet_ad_exchange::pallet::BlockStatus};
		let at = self.0.at_best().await?;
		let storage = at.storage();
		let Some(record) =
			storage.try_fetch(api::storage().ad_exchange().campaigns(), (campaign,)).await?
		else {
			return Ok(Vec::new());
		};
		let mut readers: Vec<[u8; 32]> =
			record.decode()?.validators.0.iter().map(|v| v.0).collect();
		if let Some(pending) =
			storage.try_fetch(api::storage().ad_exchange().pending(), (campaign, block)).await?
		{
			if let BlockStatus::Disputed { added, .. } = pending.decode()?.status {
				readers.extend(added.0.iter().map(|v| v.0));
			}
		}
		Ok(readers)
	}
}

/// `paratii-adx synthetic`'s answer: one campaign, every block collecting.
pub struct Synthetic(pub CampaignId);

impl Campaigns for Synthetic {
	async fn window(&self, campaign: CampaignId) -> anyhow::Result<Option<Window>> {
		Ok((campaign == self.0).then_some(Window::Any))
	}

	async fn readers(&self, _: CampaignId, _: ChannelBlock) -> anyhow::Result<Vec<[u8; 32]>> {
		Ok(Vec::new())
	}
}

/// One participant's channel node.
pub struct ChannelNode<L, C> {
	log: L,
	campaigns: C,
	genesis: [u8; 32],
	parts: Mutex<HashMap<Key, PartState>>,
	windows: Mutex<HashMap<CampaignId, (Instant, Option<Window>)>>,
	/// Told when a batch's write ends (a seal waits for the writes under way).
	written: tokio::sync::Notify,
	/// The block secrets file (`--block-secrets`), if any.
	secrets: Option<PathBuf>,
}

/// What the node knows of a part it collects.
#[derive(Default)]
struct PartState {
	/// The blake2-256 of each message kept.
	seen: HashSet<[u8; 32]>,
	/// The part is being posted or was: no message joins it any more.
	sealed: bool,
	/// Batches reserved in the part whose write has not ended.
	writing: usize,
	/// When this node took the part's first message (since it started).
	first_at: Option<Instant>,
}

/// The answer to an accepted batch.
#[derive(serde::Serialize)]
pub struct Accepted {
	pub accepted: usize,
	pub duplicates: usize,
	pub part_messages: usize,
}

/// What tells two messages apart: the blake2-256 of their author and body. sr25519
/// signatures are randomized, so one statement signed twice is still one message.
fn message_id(message: &Message) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&(message.author, &message.body).encode())
}

impl<L: MessageLog, C: Campaigns> ChannelNode<L, C> {
	/// A node over `log` (its parts' state rebuilt from it).
	pub fn new(log: L, campaigns: C, genesis: [u8; 32]) -> anyhow::Result<Self> {
		let mut parts: HashMap<Key, PartState> = HashMap::new();
		for key in log.blocks()? {
			let state = parts.entry(key).or_default();
			for message in log.read(key)? {
				state.seen.insert(message_id(&message));
			}
		}
		Ok(Self {
			log,
			campaigns,
			genesis,
			parts: Mutex::new(parts),
			windows: Mutex::new(HashMap::new()),
			written: tokio::sync::Notify::new(),
			secrets: None,
		})
	}

	/// Seals the parts of the campaigns that `file` holds a block secret for.
	pub fn with_block_secrets(mut self, file: Option<PathBuf>) -> Self {
		self.secrets = file;
		self
	}

	/// The key of block `key`, if the node has the campaign's block secret.
	pub fn block_key(&self, (campaign, block): Key) -> anyhow::Result<Option<[u8; 32]>> {
		let Some(file) = &self.secrets else { return Ok(None) };
		let secrets: HashMap<String, String> = serde_json::from_slice(
			&std::fs::read(file).with_context(|| format!("reading {}", file.display()))?,
		)
		.with_context(|| format!("{}: not a JSON object of hex secrets", file.display()))?;
		let Some(secret) = secrets.get(&campaign.to_string()) else { return Ok(None) };
		let secret: [u8; 32] = hex::decode(secret.trim_start_matches("0x"))
			.ok()
			.and_then(|s| s.try_into().ok())
			.with_context(|| {
				format!("{}: campaign {campaign}'s secret is not 32 bytes of hex", file.display())
			})?;
		Ok(Some(paratii_client::adx::sealed::block_key(&secret, campaign, block)))
	}

	async fn window(&self, campaign: CampaignId) -> anyhow::Result<Option<Window>> {
		if let Some((at, window)) = self.windows.lock().expect("windows").get(&campaign) {
			if at.elapsed() < CAMPAIGN_TTL {
				return Ok(window.clone());
			}
		}
		let window = self.campaigns.window(campaign).await?;
		self.windows.lock().expect("windows").insert(campaign, (Instant::now(), window.clone()));
		Ok(window)
	}

	/// Checks `messages` for block `key` and keeps the new ones durably.
	pub async fn accept(&self, key: Key, messages: Vec<Message>) -> Result<Accepted, Response> {
		let (campaign, block) = key;
		match self.window(campaign).await {
			Err(e) => {
				return Err(error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")))
			},
			Ok(None) => {
				return Err(error(StatusCode::NOT_FOUND, format!("no campaign {campaign}")))
			},
			Ok(Some(Window::Closed(why))) => return Err(error(StatusCode::CONFLICT, why)),
			Ok(Some(window)) => {
				let allowed = match window {
					Window::Collecting { block: open } => block == open || block == open + 1,
					Window::Between { next } => block == next,
					Window::Any | Window::Closed(_) => true,
				};
				if !allowed {
					let taken = self.taking(campaign, &window).unwrap_or_default();
					return Err(error(
						StatusCode::CONFLICT,
						format!(
							"campaign {campaign} collects block {taken}, not {block}: sign for \
							 {taken} (GET /campaigns/{campaign}/collecting says which)"
						),
					));
				}
			},
		}
		let channel = Channel { genesis: self.genesis, campaign, block };
		if let Some(bad) = verify(channel, &messages).await {
			return Err(error(
				StatusCode::BAD_REQUEST,
				format!(
					"message {bad}'s signature does not verify for this chain, campaign \
					 {campaign} and block {block}; nothing of the batch was kept"
				),
			));
		}
		// Reserve the new messages' places in the part, then write them; a failed write
		// gives the places back.
		let ids: Vec<[u8; 32]> = messages.iter().map(message_id).collect();
		let (fresh, total) = {
			let mut parts = self.parts.lock().expect("parts");
			let part = parts.entry(key).or_default();
			if part.sealed {
				return Err(error(
					StatusCode::CONFLICT,
					format!(
						"block {block}'s part is posted (or being posted): sign for block {}",
						block + 1
					),
				));
			}
			let mut batch = HashSet::new();
			let fresh: Vec<usize> = (0..messages.len())
				.filter(|&i| !part.seen.contains(&ids[i]) && batch.insert(ids[i]))
				.collect();
			if part.seen.len() + fresh.len() > MAX_MESSAGES_PER_PART {
				return Err(error(
					StatusCode::CONFLICT,
					format!(
						"block {block}'s part holds {} messages; {} more would pass the {} a \
						 part may have",
						part.seen.len(),
						fresh.len(),
						MAX_MESSAGES_PER_PART
					),
				));
			}
			part.seen.extend(fresh.iter().map(|&i| ids[i]));
			if !fresh.is_empty() {
				part.writing += 1;
				part.first_at.get_or_insert_with(Instant::now);
			}
			(fresh, part.seen.len())
		};
		let kept: Vec<Message> = fresh.iter().map(|&i| messages[i].clone()).collect();
		if !kept.is_empty() {
			let written = self.log.append(key, &kept).await;
			{
				let mut parts = self.parts.lock().expect("parts");
				if let Some(part) = parts.get_mut(&key) {
					part.writing -= 1;
					if written.is_err() {
						for &i in &fresh {
							part.seen.remove(&ids[i]);
						}
					}
				}
			}
			self.written.notify_waiters();
			if let Err(e) = written {
				return Err(error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")));
			}
		}
		Ok(Accepted {
			accepted: kept.len(),
			duplicates: messages.len() - kept.len(),
			part_messages: total,
		})
	}

	/// Part `messages` of block `key` as this node serves it and stores it on the
	/// clusters — SCALE, sealed with the block key when the campaign has a secret — and
	/// that key.
	pub fn served(
		&self,
		messages: &[Message],
		key: Key,
	) -> anyhow::Result<(Vec<u8>, Option<[u8; 32]>)> {
		let plain = messages.encode();
		let block_key = self.block_key(key)?;
		Ok(match block_key {
			Some(k) => (sealed::seal(&k, &self.genesis, key.0, key.1, &plain), block_key),
			None => (plain, None),
		})
	}

	/// The part of block `key` as kept so far.
	pub fn part(&self, key: Key) -> anyhow::Result<Vec<Message>> {
		self.log.read(key)
	}

	/// The blocks this node holds messages of, with when it took each one's first (now,
	/// for parts from before a restart), leaving out sealed ones.
	/// The block whose messages this node takes now for `campaign` (`None`: any).
	fn taking(&self, campaign: CampaignId, window: &Window) -> Option<ChannelBlock> {
		match window {
			Window::Collecting { block } => {
				let parts = self.parts.lock().expect("parts");
				let sealed = parts.get(&(campaign, *block)).is_some_and(|p| p.sealed);
				Some(if sealed { block + 1 } else { *block })
			},
			Window::Between { next } => Some(*next),
			Window::Any | Window::Closed(_) => None,
		}
	}

	/// `GET /campaigns/{c}/collecting`: the block to sign messages for now.
	pub async fn collecting(&self, campaign: CampaignId) -> Result<ChannelBlock, Response> {
		match self.window(campaign).await {
			Err(e) => Err(error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}"))),
			Ok(None) => Err(error(StatusCode::NOT_FOUND, format!("no campaign {campaign}"))),
			Ok(Some(Window::Closed(why))) => Err(error(StatusCode::CONFLICT, why)),
			Ok(Some(window)) => self
				.taking(campaign, &window)
				.ok_or_else(|| error(StatusCode::CONFLICT, "this node takes any block")),
		}
	}

	pub fn open_parts(&self) -> Vec<(Key, Instant)> {
		let mut parts = self.parts.lock().expect("parts");
		parts
			.iter_mut()
			.filter(|(_, part)| !part.sealed && !part.seen.is_empty())
			.map(|(key, part)| (*key, *part.first_at.get_or_insert_with(Instant::now)))
			.collect()
	}

	/// Closes block `key`'s part to new messages, waits for the writes under way, and
	/// answers it as it will be posted.
	pub async fn seal(&self, key: Key) -> anyhow::Result<Vec<Message>> {
		loop {
			let wait = self.written.notified();
			{
				let mut parts = self.parts.lock().expect("parts");
				let part = parts.entry(key).or_default();
				part.sealed = true;
				if part.writing == 0 {
					break;
				}
			}
			wait.await;
		}
		self.log.read(key)
	}
}

/// The index of the first message whose signature does not verify, if any. Batches of
/// [`VERIFY_BATCH`] are verified on the blocking pool, in parallel.
async fn verify(channel: Channel, messages: &[Message]) -> Option<usize> {
	let batches: Vec<_> = messages
		.chunks(VERIFY_BATCH)
		.enumerate()
		.map(|(n, batch)| {
			let batch = batch.to_vec();
			tokio::task::spawn_blocking(move || {
				verify_batch(&channel, &batch).map(|bad| n * VERIFY_BATCH + bad)
			})
		})
		.collect();
	let mut first_bad: Option<usize> = None;
	for batch in batches {
		let bad = batch.await.unwrap_or(Some(0));
		first_bad = match (first_bad, bad) {
			(Some(a), Some(b)) => Some(a.min(b)),
			(a, b) => a.or(b),
		};
	}
	first_bad
}

/// [`verify`] of one batch on this thread: one batched check, and one by one only to
/// find the culprit when it fails.
pub fn verify_batch(channel: &Channel, messages: &[Message]) -> Option<usize> {
	use schnorrkel::{signing_context, PublicKey, Signature};
	let context = signing_context(b"substrate");
	let mut keys = Vec::with_capacity(messages.len());
	let mut signatures = Vec::with_capacity(messages.len());
	let mut payloads = Vec::with_capacity(messages.len());
	for (i, m) in messages.iter().enumerate() {
		let (Ok(key), Ok(signature)) =
			(PublicKey::from_bytes(&m.author), Signature::from_bytes(&m.signature))
		else {
			return Some(i);
		};
		keys.push(key);
		signatures.push(signature);
		payloads.push(signing_payload(channel, &m.author, &m.body));
	}
	let transcripts = payloads.iter().map(|p| context.bytes(p));
	if schnorrkel::verify_batch(transcripts, &signatures, &keys, false).is_ok() {
		return None;
	}
	// One by one, accepting a browser wallet's `<Bytes>`-wrapped signature too.
	(0..messages.len()).find(|&i| {
		let valid = |payload: &[u8]| keys[i].verify(context.bytes(payload), &signatures[i]).is_ok();
		!valid(&payloads[i]) && !valid(&paratii_primitives::adx::wallet_wrapped(&payloads[i]))
	})
}

type Node<L, C> = Arc<ChannelNode<L, C>>;

/// The channel node's routes.
pub fn router<L: MessageLog, C: Campaigns>(node: Node<L, C>) -> Router {
	Router::new()
		.route("/campaigns/:campaign/blocks/:block/messages", post(post_messages::<L, C>))
		.route("/campaigns/:campaign/blocks/:block/part", get(get_part::<L, C>))
		.route("/campaigns/:campaign/blocks/:block/key", get(get_key::<L, C>))
		.route("/campaigns/:campaign/collecting", get(get_collecting::<L, C>))
		.route("/health", get(|| async { Json(serde_json::json!({ "status": "ok" })) }))
		.layer(axum::extract::DefaultBodyLimit::max(MAX_PART_BYTES))
		.with_state(node)
}

async fn get_collecting<L: MessageLog, C: Campaigns>(
	State(node): State<Node<L, C>>,
	Path(campaign): Path<CampaignId>,
) -> Response {
	match node.collecting(campaign).await {
		Ok(block) => {
			Json(serde_json::json!({ "campaign": campaign, "block": block })).into_response()
		},
		Err(refused) => refused,
	}
}

async fn post_messages<L: MessageLog, C: Campaigns>(
	State(node): State<Node<L, C>>,
	Path((campaign, block)): Path<(CampaignId, ChannelBlock)>,
	body: Bytes,
) -> Response {
	let messages = match Vec::<Message>::decode_all(&mut &body[..]) {
		Ok(messages) if messages.len() <= MAX_MESSAGES_PER_PART => messages,
		Ok(messages) => {
			return error(
				StatusCode::BAD_REQUEST,
				format!("{} messages; a batch has at most {MAX_MESSAGES_PER_PART}", messages.len()),
			)
		},
		Err(e) => {
			return error(
				StatusCode::BAD_REQUEST,
				format!("the body is not a SCALE-encoded Vec<Message>: {e}"),
			)
		},
	};
	match node.accept((campaign, block), messages).await {
		Ok(accepted) => Json(accepted).into_response(),
		Err(refused) => refused,
	}
}

async fn get_part<L: MessageLog, C: Campaigns>(
	State(node): State<Node<L, C>>,
	Path((campaign, block)): Path<(CampaignId, ChannelBlock)>,
) -> Response {
	let read = || -> anyhow::Result<(Vec<Message>, (Vec<u8>, Option<[u8; 32]>))> {
		let messages = node.part((campaign, block))?;
		let served = node.served(&messages, (campaign, block))?;
		Ok((messages, served))
	};
	match read() {
		Ok((messages, (served, key))) => {
			let hash = paratii_client::content::hex_hash(&part_hash(&messages));
			let mut response = match key {
				Some(_) => {
					([("x-paratii-part-sealed", "chacha20poly1305")], served).into_response()
				},
				None => served.into_response(),
			};
			if let Ok(value) = HeaderValue::from_str(&hash) {
				response.headers_mut().insert("x-paratii-part-hash", value);
			}
			response
		},
		Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
	}
}

/// `GET …/key`: the block key, to a reader of the block (a signed request).
async fn get_key<L: MessageLog, C: Campaigns>(
	State(node): State<Node<L, C>>,
	Path((campaign, block)): Path<(CampaignId, ChannelBlock)>,
	uri: axum::http::Uri,
	headers: axum::http::HeaderMap,
) -> Response {
	let reader =
		match paratii_client::signed::verify_request(&node.genesis, "GET", &uri, None, &headers) {
			Ok(reader) => reader,
			Err(e) => return error(StatusCode::UNAUTHORIZED, format!("sign the request: {e}")),
		};
	match node.campaigns.readers(campaign, block).await {
		Ok(readers) if readers.contains(&reader) => {},
		Ok(_) => {
			return error(
				StatusCode::FORBIDDEN,
				format!(
				"only the validators of campaign {campaign} (and its dispute panel) get block keys"
			),
			)
		},
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	}
	match node.block_key((campaign, block)) {
		Ok(Some(key)) => {
			Json(serde_json::json!({ "key": format!("0x{}", hex::encode(key)) })).into_response()
		},
		Ok(None) => error(
			StatusCode::NOT_FOUND,
			format!("no block secret for campaign {campaign}: its parts are plain"),
		),
		Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::log::FileLog;
	use paratii_primitives::adx::Body;
	use sp_core::{sr25519, Pair};

	const GENESIS: [u8; 32] = [0x11; 32];

	/// A campaign 7 collecting block 3; no other campaign.
	struct Fixed;

	impl Campaigns for Fixed {
		async fn window(&self, campaign: CampaignId) -> anyhow::Result<Option<Window>> {
			Ok((campaign == 7).then_some(Window::Collecting { block: 3 }))
		}

		async fn readers(&self, _: CampaignId, _: ChannelBlock) -> anyhow::Result<Vec<[u8; 32]>> {
			Ok(Vec::new())
		}
	}

	fn signed(who: &sr25519::Pair, block: ChannelBlock, body: Body) -> Message {
		let channel = Channel { genesis: GENESIS, campaign: 7, block };
		let author = who.public().0;
		let signature = who.sign(&signing_payload(&channel, &author, &body)).0;
		Message { author, body, signature }
	}

	fn views(n: u64, block: ChannelBlock) -> Vec<Message> {
		let viewer = sr25519::Pair::from_string("//Viewer", None).unwrap();
		(0..n).map(|i| signed(&viewer, block, Body::View { impression: i })).collect()
	}

	fn node(dir: &std::path::Path) -> ChannelNode<FileLog, Fixed> {
		ChannelNode::new(FileLog::open(dir).unwrap(), Fixed, GENESIS).unwrap()
	}

	fn status(refused: Response) -> StatusCode {
		refused.status()
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn signed_messages_are_kept_once_and_survive_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let first = node(dir.path());
		let batch = views(600, 3);
		let accepted = first.accept((7, 3), batch.clone()).await.ok().unwrap();
		assert_eq!((accepted.accepted, accepted.duplicates, accepted.part_messages), (600, 0, 600));
		let again = first.accept((7, 3), batch[..10].to_vec()).await.ok().unwrap();
		assert_eq!((again.accepted, again.duplicates, again.part_messages), (0, 10, 600));
		drop(first);
		// A new node over the same log: the part, and what it has seen, are still there.
		let second = node(dir.path());
		assert_eq!(second.part((7, 3)).unwrap(), batch);
		let more = second.accept((7, 3), views(601, 3)[595..].to_vec()).await.ok().unwrap();
		assert_eq!((more.accepted, more.duplicates, more.part_messages), (1, 5, 601));
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn a_batch_with_one_bad_signature_is_refused_whole() {
		let dir = tempfile::tempdir().unwrap();
		let node = node(dir.path());
		let mut batch = views(300, 3);
		// Signed for block 2: its signature does not verify for block 3.
		batch[270] = views(271, 2).pop().unwrap();
		let refused = node.accept((7, 3), batch.clone()).await.err().unwrap();
		assert_eq!(status(refused), StatusCode::BAD_REQUEST);
		batch[270].signature[5] ^= 1;
		assert!(node.accept((7, 3), batch).await.is_err());
		assert!(node.part((7, 3)).unwrap().is_empty(), "nothing of the batch was kept");
		assert_eq!(
			verify_batch(&Channel { genesis: GENESIS, campaign: 7, block: 3 }, &{
				let mut b = views(20, 3);
				b[13].signature[0] ^= 1;
				b
			}),
			Some(13)
		);
		// A browser wallet's signature over the <Bytes>-wrapped payload is valid.
		let channel = Channel { genesis: GENESIS, campaign: 7, block: 3 };
		let viewer = sr25519::Pair::from_string("//Viewer", None).unwrap();
		let mut batch = views(20, 3);
		let payload = signing_payload(&channel, &batch[4].author, &batch[4].body);
		batch[4].signature = viewer.sign(&paratii_primitives::adx::wallet_wrapped(&payload)).0;
		assert_eq!(verify_batch(&channel, &batch), None);
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn a_sealed_part_takes_no_more_messages() {
		let dir = tempfile::tempdir().unwrap();
		let node = node(dir.path());
		let batch = views(6, 3);
		node.accept((7, 3), batch[..5].to_vec()).await.ok().unwrap();
		assert_eq!(node.open_parts().len(), 1);
		assert_eq!(node.seal((7, 3)).await.unwrap(), batch[..5]);
		let late = node.accept((7, 3), batch[5..].to_vec()).await.err().unwrap();
		assert_eq!(status(late), StatusCode::CONFLICT);
		assert!(node.open_parts().is_empty());
		assert_eq!(node.part((7, 3)).unwrap().len(), 5);
	}

	#[tokio::test]
	async fn the_collecting_block_and_the_next_of_a_known_campaign_take_messages_up_to_a_part() {
		let dir = tempfile::tempdir().unwrap();
		let node = node(dir.path());
		assert_eq!(
			status(node.accept((8, 3), views(1, 3)).await.err().unwrap()),
			StatusCode::NOT_FOUND
		);
		assert_eq!(
			status(node.accept((7, 5), views(1, 5)).await.err().unwrap()),
			StatusCode::CONFLICT
		);
		// The next block's messages are kept for when it opens; once this node sealed
		// its part of block 3, signers are told to sign for 4.
		node.accept((7, 4), views(1, 4)).await.ok().unwrap();
		assert_eq!(node.collecting(7).await.ok().unwrap(), 3);
		node.accept((7, 2), vec![]).await.err().unwrap();
		let full = views(MAX_MESSAGES_PER_PART as u64 + 1, 3);
		node.accept((7, 3), full[..MAX_MESSAGES_PER_PART].to_vec()).await.ok().unwrap();
		let over = node.accept((7, 3), full[MAX_MESSAGES_PER_PART..].to_vec()).await;
		assert_eq!(status(over.err().unwrap()), StatusCode::CONFLICT);
		assert_eq!(node.part((7, 3)).unwrap().len(), MAX_MESSAGES_PER_PART);
		node.seal((7, 3)).await.unwrap();
		assert_eq!(node.collecting(7).await.ok().unwrap(), 4);
		assert_eq!(node.part((7, 4)).unwrap().len(), 1);
	}
}
