//! # The ad exchange's channel blocks
//!
//! One state channel per campaign (the AdEx OUTPACE shape, grown from Papyrus's block
//! parts): the campaign's participants collect signed messages off chain, and every
//! channel block each of them posts the hash of its **part** (the messages it saw) on
//! chain. The campaign's validators fetch the parts, check them against those hashes and
//! run [`process`] — the same code in the runtime (`AdExchangeApi`) and in the services —
//! which merges the parts, drops duplicates, bad signatures and fraud, pays each view by
//! the campaign's [`Split`] and returns the Merkle root of every account's **cumulative**
//! earnings. Validators post [`result_hash`]es; the pallet finalizes a block when they
//! agree, and earners claim with a [`PayoutProof`] against the latest root.
//!
//! ## Messages
//! A [`Message`] is `author ‖ body ‖ sr25519 signature`, the signature over
//! [`signing_payload`]: the SCALE encoding of
//! `(MESSAGE_TAG, genesis_hash, campaign: u64, block: u32, author: [u8; 32], body)` —
//! the tag's 14 raw bytes, the chain's genesis hash, the campaign id and the channel
//! block number little-endian, then the body. A message is valid for one chain, one
//! campaign and one channel block: replaying it anywhere else fails its signature.
//! The [`Body`]s:
//! - `Win` (index 0) — signed by a campaign participant (the exchange that ran the
//!   auction): the campaign won `impression` for `viewer`, watching a media item of
//!   `producer`, at `price`;
//! - `View` (index 1) — signed by that viewer: the ad was shown;
//! - `Check` (index 2) — signed by the campaign's auditor: [`flags`] `VIEW`, `CLICK`,
//!   `FRAUD`.
//!
//! A browser wallet's `signRaw` signs the payload wrapped as `<Bytes>` ‖ payload ‖
//! `</Bytes>` ([`wallet_wrapped`]); a signature over either form is valid.
//!
//! An impression is paid when its `Win`s agree — one body, whichever participants signed
//! it (the exchange that ran the auction and the winning advertiser's bidder each sign
//! it; two different wins for one impression get neither paid) — with a `View` by its
//! viewer, no
//! `FRAUD` check, a price in `1..=max_price_per_view`, and fits in what is left of the
//! budget (impressions in id order; one that does not fit is skipped).
//!
//! ## Payout leaves and root
//! Leaf = `0x01 ‖ account (32 bytes) ‖ cumulative amount (u128 big-endian)`, 49 bytes,
//! hashed with keccak-256; one leaf per account with earnings, in account order; the
//! root is binary-merkle-tree's (`merkle_root::<Keccak256>`: pairs hashed left ‖ right,
//! an odd last node promoted unhashed), `0x00…00` with no leaves. The test vectors at the
//! end of this file are shared by the runtime's and the services' tests.

use alloc::{collections::BTreeMap, vec::Vec};
use codec::{Decode, DecodeAll, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_crypto_hashing::{blake2_256, keccak_256};

/// An account id (sr25519 public key / `AccountId32`).
pub type Account = [u8; 32];
/// Sequential id of a campaign, allocated by the chain.
pub type CampaignId = u64;
/// Number of a campaign's channel block, allocated by the chain (0, 1, 2, …).
pub type ChannelBlock = u32;
/// An impression's id, unique within a channel block.
pub type ImpressionId = u64;
/// An amount of PTI in plancks.
pub type Amount = u128;

/// Opens every signed message (14 raw bytes).
pub const MESSAGE_TAG: [u8; 14] = *b"paratii/adx/v1";
/// Opens every result hash's preimage (21 raw bytes).
pub const RESULT_TAG: [u8; 21] = *b"paratii/adx/result/v1";
/// First byte of a payout leaf.
pub const PAYOUT_LEAF_PREFIX: u8 = 0x01;
/// Length of a payout leaf.
pub const PAYOUT_LEAF_LEN: usize = 49;
/// Parts per channel block (one per participant).
pub const MAX_PARTS: usize = 16;
/// Messages per part; a longer part is ignored as a whole.
pub const MAX_MESSAGES_PER_PART: usize = 4096;
/// Distinct valid messages per channel block; the excess (in message order) is ignored.
pub const MAX_MESSAGES_PER_BLOCK: usize = 16_384;
/// The largest encoded message: a `Win` (32 + 1 + 8 + 32 + 32 + 16 + 64 bytes).
pub const MAX_MESSAGE_LEN: usize = 185;
/// The largest encoded part (compact length prefix included).
pub const MAX_PART_BYTES: usize = MAX_MESSAGES_PER_PART * MAX_MESSAGE_LEN + 4;
/// Parts per billion: a [`Split`]'s shares add up to this.
pub const PPB: u32 = 1_000_000_000;

/// An auditor's findings about an impression (`Check::flags`, bits).
pub mod flags {
	/// The auditor saw the ad shown.
	pub const VIEW: u8 = 1;
	/// The viewer clicked.
	pub const CLICK: u8 = 2;
	/// Fraud: the impression is not paid.
	pub const FRAUD: u8 = 4;
}

/// What a message says.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, TypeInfo)]
pub enum Body {
	/// The campaign won `impression` for `viewer` on a media item of `producer`.
	Win { impression: ImpressionId, viewer: Account, producer: Account, price: Amount },
	/// The viewer saw the ad of `impression`.
	View { impression: ImpressionId },
	/// The auditor's [`flags`] for `impression`.
	Check { impression: ImpressionId, flags: u8 },
}

impl Body {
	/// The impression the message is about.
	pub fn impression(&self) -> ImpressionId {
		match self {
			Body::Win { impression, .. }
			| Body::View { impression }
			| Body::Check { impression, .. } => *impression,
		}
	}
}

/// A signed message of a channel block.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Message {
	pub author: Account,
	pub body: Body,
	pub signature: [u8; 64],
}

/// Where a message is valid: one chain, one campaign, one channel block.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Channel {
	pub genesis: [u8; 32],
	pub campaign: CampaignId,
	pub block: ChannelBlock,
}

/// The bytes `author` signs (sr25519) for `body` in `channel`.
pub fn signing_payload(channel: &Channel, author: &Account, body: &Body) -> Vec<u8> {
	(MESSAGE_TAG, channel.genesis, channel.campaign, channel.block, author, body).encode()
}

/// What a browser wallet's `signRaw` signs for `payload`: `<Bytes>` ‖ payload ‖ `</Bytes>`.
pub fn wallet_wrapped(payload: &[u8]) -> Vec<u8> {
	[b"<Bytes>".as_slice(), payload, b"</Bytes>".as_slice()].concat()
}

/// Whether `message`'s signature is its author's over its [`signing_payload`] in
/// `channel`, as signed or wallet-wrapped ([`wallet_wrapped`]).
pub fn verify_message(
	channel: &Channel,
	message: &Message,
	verify: impl Fn(&[u8; 64], &[u8], &Account) -> bool,
) -> bool {
	let payload = signing_payload(channel, &message.author, &message.body);
	verify(&message.signature, &payload, &message.author)
		|| verify(&message.signature, &wallet_wrapped(&payload), &message.author)
}

/// The hash a participant posts for its part: blake2-256 of the SCALE-encoded
/// `Vec<Message>`, in the order the participant chose.
pub fn part_hash(messages: &[Message]) -> [u8; 32] {
	blake2_256(&messages.encode())
}

/// Decodes a part fetched from its location: `None` when it is larger than
/// [`MAX_PART_BYTES`] or [`MAX_MESSAGES_PER_PART`], or not exactly a `Vec<Message>`.
pub fn decode_part(bytes: &[u8]) -> Option<Vec<Message>> {
	if bytes.len() > MAX_PART_BYTES {
		return None;
	}
	let messages = Vec::<Message>::decode_all(&mut &bytes[..]).ok()?;
	(messages.len() <= MAX_MESSAGES_PER_PART).then_some(messages)
}

/// How a paid view is divided, in parts per billion; the shares add up to [`PPB`].
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Split {
	pub viewer: u32,
	pub producer: u32,
	pub fund: u32,
}

impl Split {
	/// A split whose shares add up to exactly 100 %.
	pub fn new(viewer: u32, producer: u32, fund: u32) -> Option<Self> {
		let sum = u64::from(viewer) + u64::from(producer) + u64::from(fund);
		(sum == u64::from(PPB)).then_some(Split { viewer, producer, fund })
	}

	/// Whether the shares add up to exactly 100 %.
	pub fn is_valid(&self) -> bool {
		Self::new(self.viewer, self.producer, self.fund).is_some()
	}

	/// `(viewer, producer, fund)` of `amount`: the first two rounded down, the fund
	/// the remainder, so they always add up to `amount` exactly.
	pub fn divide(&self, amount: Amount) -> (Amount, Amount, Amount) {
		let share = |ppb: u32| {
			let (ppb, whole) = (Amount::from(ppb), Amount::from(PPB));
			(amount / whole) * ppb + (amount % whole) * ppb / whole
		};
		let viewer = share(self.viewer);
		let producer = share(self.producer);
		(viewer, producer, amount - viewer - producer)
	}
}

/// A campaign's terms, as the chain holds them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Terms {
	pub max_price_per_view: Amount,
	pub split: Split,
	/// Receives the fund's share (the redistribution fund).
	pub fund: Account,
	/// May sign wins (and post parts).
	pub participants: Vec<Account>,
	/// May sign checks.
	pub auditor: Option<Account>,
}

/// Everything [`process`] needs besides the parts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BlockInput<'a> {
	pub channel: Channel,
	pub terms: &'a Terms,
	/// Budget not yet settled by finalized blocks.
	pub remaining_budget: Amount,
	/// [`parts_digest`] of the parts posted on chain for this block.
	pub parts_digest: [u8; 32],
	/// Cumulative earnings after the previous finalized block, in account order.
	pub previous: &'a [(Account, Amount)],
}

/// The outcome of a channel block.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct BlockOutput {
	/// This block's earnings per account, in account order.
	pub payouts: Vec<(Account, Amount)>,
	/// Their sum: what the block settles.
	pub total: Amount,
	pub paid_views: u32,
	pub clicks: u32,
	/// Impressions the auditor flagged as fraud.
	pub fraud: u32,
	/// Messages dropped: bad signatures, unknown authors, beyond the block's limit.
	pub dropped_messages: u32,
	/// Parts ignored for exceeding [`MAX_MESSAGES_PER_PART`].
	pub dropped_parts: u32,
	/// Cumulative earnings after this block, in account order.
	pub cumulative: Vec<(Account, Amount)>,
	pub cumulative_total: Amount,
	/// [`payouts_root`] of the previous cumulative earnings.
	pub previous_root: [u8; 32],
	/// [`payouts_root`] of `cumulative`.
	pub payouts_root: [u8; 32],
	/// What the validators post: [`result_hash`].
	pub result_hash: [u8; 32],
}

/// Why [`process`] refused its input (the caller's mistake, never a participant's).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum ProcessError {
	/// More than [`MAX_PARTS`] parts.
	TooManyParts,
	/// `previous` is not in strictly increasing account order.
	PreviousNotSorted,
	/// The cumulative earnings overflow `u128`.
	Overflow,
}

/// blake2-256 of the SCALE-encoded `Vec<(participant, part hash)>` in the order the
/// chain recorded the parts.
pub fn parts_digest(parts: &[(Account, [u8; 32])]) -> [u8; 32] {
	blake2_256(&parts.encode())
}

/// blake2-256 of `(RESULT_TAG, genesis, campaign, block, parts_digest, previous_root,
/// payouts_root, total)`: binds a result to its chain, campaign, block, parts and
/// starting balances, so it cannot be replayed anywhere else.
pub fn result_hash(
	channel: &Channel,
	parts_digest: &[u8; 32],
	previous_root: &[u8; 32],
	payouts_root: &[u8; 32],
	total: Amount,
) -> [u8; 32] {
	blake2_256(
		&(
			RESULT_TAG,
			channel.genesis,
			channel.campaign,
			channel.block,
			parts_digest,
			previous_root,
			payouts_root,
			total,
		)
			.encode(),
	)
}

/// Merges a channel block's parts and computes its payouts (see the module docs).
/// `verify(signature, message, public)` checks an sr25519 signature
/// (`sp_io::crypto::sr25519_verify` in the runtime, `sp_core` off chain).
pub fn process(
	input: &BlockInput<'_>,
	parts: &[Vec<Message>],
	verify: impl Fn(&[u8; 64], &[u8], &Account) -> bool,
) -> Result<BlockOutput, ProcessError> {
	if parts.len() > MAX_PARTS {
		return Err(ProcessError::TooManyParts);
	}
	if input.previous.windows(2).any(|w| w[0].0 >= w[1].0) {
		return Err(ProcessError::PreviousNotSorted);
	}
	let terms = input.terms;
	let mut dropped_parts = 0u32;
	let mut dropped_messages = 0u32;

	// Merge, then sort by (author, body, signature): equal messages are adjacent.
	let mut all: Vec<&Message> = Vec::new();
	for part in parts {
		if part.len() > MAX_MESSAGES_PER_PART {
			dropped_parts += 1;
		} else {
			all.extend(part.iter());
		}
	}
	all.sort_by(|a, b| (&a.author, &a.body, &a.signature).cmp(&(&b.author, &b.body, &b.signature)));

	// One valid copy of each (author, body); sr25519 signatures are randomised, so
	// copies of one message may carry different ones.
	let mut valid: Vec<&Message> = Vec::new();
	let mut i = 0;
	while i < all.len() {
		let mut j = i;
		let mut chosen = None;
		while j < all.len() && all[j].author == all[i].author && all[j].body == all[i].body {
			if chosen.is_none() && verify_message(&input.channel, all[j], &verify) {
				chosen = Some(all[j]);
			}
			j += 1;
		}
		match chosen {
			Some(m) if valid.len() < MAX_MESSAGES_PER_BLOCK => valid.push(m),
			_ => dropped_messages += 1,
		}
		i = j;
	}

	#[derive(Default)]
	struct Impression<'a> {
		wins: Vec<&'a Body>,
		views: Vec<Account>,
		flags: u8,
	}
	let mut impressions: BTreeMap<ImpressionId, Impression> = BTreeMap::new();
	for m in &valid {
		let entry = impressions.entry(m.body.impression()).or_default();
		match &m.body {
			Body::Win { .. } if terms.participants.contains(&m.author) => {
				// Participants agreeing on a win make one win.
				if !entry.wins.contains(&&m.body) {
					entry.wins.push(&m.body)
				}
			},
			Body::View { .. } => entry.views.push(m.author),
			Body::Check { flags, .. } if terms.auditor == Some(m.author) => entry.flags |= *flags,
			_ => dropped_messages += 1,
		}
	}

	let mut payouts: BTreeMap<Account, Amount> = BTreeMap::new();
	let (mut total, mut paid_views, mut clicks, mut fraud): (Amount, u32, u32, u32) = (0, 0, 0, 0);
	for impression in impressions.values() {
		if impression.flags & flags::CLICK != 0 {
			clicks += 1;
		}
		if impression.flags & flags::FRAUD != 0 {
			fraud += 1;
			continue;
		}
		let [Body::Win { viewer, producer, price, .. }] = impression.wins[..] else { continue };
		if *price == 0 || *price > terms.max_price_per_view || !impression.views.contains(viewer) {
			continue;
		}
		let Some(after) = total.checked_add(*price).filter(|t| *t <= input.remaining_budget) else {
			continue;
		};
		total = after;
		paid_views += 1;
		let (to_viewer, to_producer, to_fund) = terms.split.divide(*price);
		for (account, amount) in
			[(viewer, to_viewer), (producer, to_producer), (&terms.fund, to_fund)]
		{
			if amount > 0 {
				*payouts.entry(*account).or_default() += amount;
			}
		}
	}

	let mut cumulative: BTreeMap<Account, Amount> = input.previous.iter().copied().collect();
	for (account, amount) in &payouts {
		let entry = cumulative.entry(*account).or_default();
		*entry = entry.checked_add(*amount).ok_or(ProcessError::Overflow)?;
	}
	let cumulative: Vec<(Account, Amount)> =
		cumulative.into_iter().filter(|(_, amount)| *amount > 0).collect();
	let cumulative_total = cumulative
		.iter()
		.try_fold(0, |sum: Amount, (_, amount)| sum.checked_add(*amount))
		.ok_or(ProcessError::Overflow)?;
	let previous_root = payouts_root(input.previous);
	let root = payouts_root(&cumulative);
	Ok(BlockOutput {
		payouts: payouts.into_iter().collect(),
		total,
		paid_views,
		clicks,
		fraud,
		dropped_messages,
		dropped_parts,
		cumulative,
		cumulative_total,
		previous_root,
		payouts_root: root,
		result_hash: result_hash(&input.channel, &input.parts_digest, &previous_root, &root, total),
	})
}

/// `0x01 ‖ account ‖ cumulative (u128 big-endian)`.
pub fn payout_leaf(account: &Account, cumulative: Amount) -> [u8; PAYOUT_LEAF_LEN] {
	let mut leaf = [0u8; PAYOUT_LEAF_LEN];
	leaf[0] = PAYOUT_LEAF_PREFIX;
	leaf[1..33].copy_from_slice(account);
	leaf[33..].copy_from_slice(&cumulative.to_be_bytes());
	leaf
}

fn hash_pair(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
	let mut both = [0u8; 64];
	both[..32].copy_from_slice(left);
	both[32..].copy_from_slice(right);
	keccak_256(&both)
}

/// One level up: pairs hashed, an odd last node promoted.
fn next_level(level: &[[u8; 32]]) -> Vec<[u8; 32]> {
	level
		.chunks(2)
		.map(|pair| match pair {
			[left, right] => hash_pair(left, right),
			[single] => *single,
			_ => unreachable!("chunks(2) yields one or two"),
		})
		.collect()
}

fn leaf_hashes(cumulative: &[(Account, Amount)]) -> Vec<[u8; 32]> {
	cumulative.iter().map(|(a, v)| keccak_256(&payout_leaf(a, *v))).collect()
}

/// The Merkle root of cumulative earnings (in account order); zero when empty.
pub fn payouts_root(cumulative: &[(Account, Amount)]) -> [u8; 32] {
	let mut level = leaf_hashes(cumulative);
	if level.is_empty() {
		return [0; 32];
	}
	while level.len() > 1 {
		level = next_level(&level);
	}
	level[0]
}

/// A proof that one account's cumulative earnings are in a payouts root.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct PayoutProof<Path> {
	pub leaf_index: u32,
	pub number_of_leaves: u32,
	/// Sibling hashes from the leaf up (none for promoted levels).
	pub path: Path,
}

/// The proof for the leaf at `index` of `cumulative`; `None` when out of range.
pub fn payout_proof(
	cumulative: &[(Account, Amount)],
	index: usize,
) -> Option<PayoutProof<Vec<[u8; 32]>>> {
	let number_of_leaves = u32::try_from(cumulative.len()).ok()?;
	if index >= cumulative.len() {
		return None;
	}
	let mut level = leaf_hashes(cumulative);
	let (mut position, mut path) = (index, Vec::new());
	while level.len() > 1 {
		if let Some(sibling) = level.get(position ^ 1) {
			path.push(*sibling);
		}
		level = next_level(&level);
		position /= 2;
	}
	Some(PayoutProof { leaf_index: index as u32, number_of_leaves, path })
}

/// Siblings a proof for `leaf_index` of `number_of_leaves` must have: one per level
/// where the node is not the promoted odd last one.
pub fn path_length(mut leaf_index: u32, mut number_of_leaves: u32) -> Option<usize> {
	if leaf_index >= number_of_leaves {
		return None;
	}
	let mut length = 0;
	while number_of_leaves > 1 {
		if leaf_index ^ 1 < number_of_leaves {
			length += 1;
		}
		leaf_index /= 2;
		number_of_leaves = number_of_leaves.div_ceil(2);
	}
	Some(length)
}

/// Whether `(account, cumulative)` is the leaf at `proof.leaf_index` of a tree of
/// `proof.number_of_leaves` with `root`. The path must have exactly the length the
/// tree's shape gives ([`path_length`]).
pub fn verify_payout(
	root: &[u8; 32],
	account: &Account,
	cumulative: Amount,
	proof: &PayoutProof<impl AsRef<[[u8; 32]]>>,
) -> bool {
	let path = proof.path.as_ref();
	if path_length(proof.leaf_index, proof.number_of_leaves) != Some(path.len()) {
		return false;
	}
	let mut hash = keccak_256(&payout_leaf(account, cumulative));
	let (mut position, mut width, mut siblings) =
		(proof.leaf_index, proof.number_of_leaves, path.iter());
	while width > 1 {
		if position ^ 1 < width {
			let Some(sibling) = siblings.next() else { return false };
			hash = if position % 2 == 0 {
				hash_pair(&hash, sibling)
			} else {
				hash_pair(sibling, &hash)
			};
		}
		position /= 2;
		width = width.div_ceil(2);
	}
	&hash == root
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{sr25519, Pair};

	const GENESIS: [u8; 32] = [7; 32];

	fn pair(seed: &str) -> sr25519::Pair {
		sr25519::Pair::from_string(&alloc::format!("//{seed}"), None).unwrap()
	}
	fn account(p: &sr25519::Pair) -> Account {
		p.public().0
	}
	fn channel(block: ChannelBlock) -> Channel {
		Channel { genesis: GENESIS, campaign: 1, block }
	}
	fn sign(p: &sr25519::Pair, channel: &Channel, body: Body) -> Message {
		let author = account(p);
		let signature = p.sign(&signing_payload(channel, &author, &body)).0;
		Message { author, body, signature }
	}
	fn verify(signature: &[u8; 64], message: &[u8], public: &Account) -> bool {
		sr25519::Pair::verify(
			&sr25519::Signature::from_raw(*signature),
			message,
			&sr25519::Public::from_raw(*public),
		)
	}

	struct World {
		exchange: sr25519::Pair,
		auditor: sr25519::Pair,
		viewer: sr25519::Pair,
		producer: sr25519::Pair,
		terms: Terms,
	}

	fn world() -> World {
		let (exchange, auditor, viewer, producer) =
			(pair("Exchange"), pair("Auditor"), pair("Viewer"), pair("Producer"));
		let terms = Terms {
			max_price_per_view: 1_000,
			split: Split::new(500_000_000, 300_000_000, 200_000_000).unwrap(),
			fund: [0xfd; 32],
			participants: alloc::vec![account(&exchange)],
			auditor: Some(account(&auditor)),
		};
		World { exchange, auditor, viewer, producer, terms }
	}

	fn input<'a>(
		w: &'a World,
		block: ChannelBlock,
		budget: Amount,
		previous: &'a [(Account, Amount)],
	) -> BlockInput<'a> {
		BlockInput {
			channel: channel(block),
			terms: &w.terms,
			remaining_budget: budget,
			parts_digest: [1; 32],
			previous,
		}
	}

	fn win(w: &World, block: ChannelBlock, impression: ImpressionId, price: Amount) -> Message {
		let body = Body::Win {
			impression,
			viewer: account(&w.viewer),
			producer: account(&w.producer),
			price,
		};
		sign(&w.exchange, &channel(block), body)
	}
	fn view(w: &World, block: ChannelBlock, impression: ImpressionId) -> Message {
		sign(&w.viewer, &channel(block), Body::View { impression })
	}

	#[test]
	fn a_view_pays_viewer_producer_and_fund_exactly() {
		let w = world();
		let parts = alloc::vec![alloc::vec![win(&w, 0, 1, 999), view(&w, 0, 1)]];
		let out = process(&input(&w, 0, 10_000, &[]), &parts, verify).unwrap();
		assert_eq!(out.total, 999);
		assert_eq!(out.paid_views, 1);
		let get = |a: Account| out.payouts.iter().find(|(x, _)| *x == a).map(|(_, v)| *v);
		assert_eq!(get(account(&w.viewer)), Some(499));
		assert_eq!(get(account(&w.producer)), Some(299));
		assert_eq!(get(w.terms.fund), Some(201));
		assert_eq!(out.cumulative_total, 999);
		assert_eq!(out.payouts_root, payouts_root(&out.cumulative));
		assert_eq!(out.previous_root, [0; 32]);
	}

	#[test]
	fn duplicates_across_parts_count_once_and_order_does_not_matter() {
		let w = world();
		let (a, b) = (win(&w, 0, 1, 100), view(&w, 0, 1));
		// The same messages re-signed: sr25519 signatures differ, the message does not.
		let (a2, b2) = (win(&w, 0, 1, 100), view(&w, 0, 1));
		assert_ne!(a.signature, a2.signature);
		let one = process(&input(&w, 0, 10_000, &[]), &[alloc::vec![a.clone(), b.clone()]], verify)
			.unwrap();
		let two = process(
			&input(&w, 0, 10_000, &[]),
			&[alloc::vec![b2, a2], alloc::vec![b, a.clone(), a]],
			verify,
		)
		.unwrap();
		assert_eq!(one, two);
		assert_eq!(two.total, 100);
	}

	#[test]
	fn bad_signatures_unknown_authors_fraud_and_conflicts_are_not_paid() {
		let w = world();
		let mut forged = win(&w, 0, 1, 100);
		forged.signature[0] ^= 1;
		// Signed for another block: a replay.
		let replayed = win(&w, 1, 2, 100);
		// A win by someone who is not a participant.
		let outsider = sign(
			&w.viewer,
			&channel(0),
			Body::Win {
				impression: 3,
				viewer: account(&w.viewer),
				producer: account(&w.producer),
				price: 100,
			},
		);
		// Fraud flagged by the auditor; a fraud flag by someone else is ignored.
		let flagged = [
			win(&w, 0, 4, 100),
			view(&w, 0, 4),
			sign(&w.auditor, &channel(0), Body::Check { impression: 4, flags: flags::FRAUD }),
		];
		let not_auditor = [
			win(&w, 0, 5, 100),
			view(&w, 0, 5),
			sign(&w.producer, &channel(0), Body::Check { impression: 5, flags: flags::FRAUD }),
		];
		// Two different wins for one impression.
		let conflict = [win(&w, 0, 6, 100), win(&w, 0, 6, 200), view(&w, 0, 6)];
		// A view by someone other than the viewer; a price above the maximum; price zero.
		let wrong_viewer =
			[win(&w, 0, 7, 100), sign(&w.producer, &channel(0), Body::View { impression: 7 })];
		let too_dear = [win(&w, 0, 8, 1_001), view(&w, 0, 8)];
		let free = [win(&w, 0, 9, 0), view(&w, 0, 9)];
		let mut part =
			alloc::vec![forged, view(&w, 0, 1), replayed, view(&w, 0, 2), outsider, view(&w, 0, 3)];
		for group in [&flagged[..], &not_auditor, &conflict, &wrong_viewer, &too_dear, &free] {
			part.extend_from_slice(group);
		}
		let out = process(&input(&w, 0, 10_000, &[]), &[part], verify).unwrap();
		assert_eq!(out.paid_views, 1, "only impression 5 is paid");
		assert_eq!(out.total, 100);
		assert_eq!(out.fraud, 1);
		assert_eq!(out.dropped_messages, 4, "forged, replayed, outsider's win, producer's check");
	}

	#[test]
	fn participants_agreeing_on_a_win_make_one_and_wallet_signatures_count() {
		let mut w = world();
		let bidder = pair("Bidder");
		w.terms.participants.push(account(&bidder));
		let body = |impression, price| Body::Win {
			impression,
			viewer: account(&w.viewer),
			producer: account(&w.producer),
			price,
		};
		// A viewer's browser wallet signs the view wrapped in <Bytes>…</Bytes>.
		let wallet_view = |impression| {
			let body = Body::View { impression };
			let payload = signing_payload(&channel(0), &account(&w.viewer), &body);
			let signature = w.viewer.sign(&wallet_wrapped(&payload)).0;
			Message { author: account(&w.viewer), body, signature }
		};
		let part = alloc::vec![
			// The exchange and the bidder sign the same win: paid once.
			sign(&w.exchange, &channel(0), body(1, 100)),
			sign(&bidder, &channel(0), body(1, 100)),
			wallet_view(1),
			// They disagree on the price: neither is paid.
			sign(&w.exchange, &channel(0), body(2, 100)),
			sign(&bidder, &channel(0), body(2, 90)),
			view(&w, 0, 2),
		];
		let out = process(&input(&w, 0, 10_000, &[]), &[part], verify).unwrap();
		assert_eq!((out.paid_views, out.total, out.dropped_messages), (1, 100, 0));
	}

	#[test]
	fn the_budget_bounds_the_block_and_clicks_are_counted() {
		let w = world();
		let click = sign(
			&w.auditor,
			&channel(0),
			Body::Check { impression: 1, flags: flags::VIEW | flags::CLICK },
		);
		let part = alloc::vec![
			win(&w, 0, 1, 600),
			view(&w, 0, 1),
			click,
			win(&w, 0, 2, 600),
			view(&w, 0, 2),
			win(&w, 0, 3, 400),
			view(&w, 0, 3)
		];
		let out = process(&input(&w, 0, 1_000, &[]), &[part], verify).unwrap();
		assert_eq!(
			(out.paid_views, out.total, out.clicks),
			(2, 1_000, 1),
			"1 and 3 fit, 2 does not"
		);
	}

	#[test]
	fn cumulative_earnings_carry_over_and_viewer_may_be_producer() {
		let mut w = world();
		w.producer = pair("Viewer");
		let first = process(
			&input(&w, 0, 10_000, &[]),
			&[alloc::vec![win(&w, 0, 1, 1_000), view(&w, 0, 1)]],
			verify,
		)
		.unwrap();
		assert_eq!(first.payouts.len(), 2, "viewer = producer gets one summed entry");
		let second = process(
			&input(&w, 1, 9_000, &first.cumulative),
			&[alloc::vec![win(&w, 1, 1, 500), view(&w, 1, 1)]],
			verify,
		)
		.unwrap();
		assert_eq!(second.previous_root, first.payouts_root);
		assert_eq!(second.cumulative_total, 1_500);
		let viewer = second.cumulative.iter().find(|(a, _)| *a == account(&w.viewer)).unwrap().1;
		assert_eq!(viewer, 1_200, "(500 + 300) + (250 + 150)");
		assert_ne!(first.result_hash, second.result_hash);
	}

	#[test]
	fn limits_and_bad_input() {
		let w = world();
		let big = alloc::vec![view(&w, 0, 1); MAX_MESSAGES_PER_PART + 1];
		let out = process(&input(&w, 0, 10, &[]), &[big], verify).unwrap();
		assert_eq!((out.dropped_parts, out.dropped_messages), (1, 0));
		let many = alloc::vec![Vec::new(); MAX_PARTS + 1];
		assert_eq!(process(&input(&w, 0, 10, &[]), &many, verify), Err(ProcessError::TooManyParts));
		let unsorted = [([2; 32], 1), ([1; 32], 1)];
		assert_eq!(
			process(&input(&w, 0, 10, &unsorted), &[], verify),
			Err(ProcessError::PreviousNotSorted)
		);
		assert_eq!(decode_part(&alloc::vec![0u8; MAX_PART_BYTES + 1]), None);
		let part = alloc::vec![view(&w, 0, 1)];
		assert_eq!(decode_part(&part.encode()), Some(part.clone()));
		let mut trailing = part.encode();
		trailing.push(0);
		assert_eq!(decode_part(&trailing), None);
		assert_eq!(win(&w, 0, 1, u128::MAX).encode().len(), MAX_MESSAGE_LEN);
	}

	#[test]
	fn the_result_hash_binds_campaign_block_parts_and_balances() {
		let c = channel(3);
		let base = result_hash(&c, &[1; 32], &[2; 32], &[3; 32], 4);
		assert_ne!(base, result_hash(&Channel { block: 4, ..c }, &[1; 32], &[2; 32], &[3; 32], 4));
		assert_ne!(
			base,
			result_hash(&Channel { campaign: 2, ..c }, &[1; 32], &[2; 32], &[3; 32], 4)
		);
		assert_ne!(base, result_hash(&c, &[9; 32], &[2; 32], &[3; 32], 4));
		assert_ne!(base, result_hash(&c, &[1; 32], &[9; 32], &[3; 32], 4));
		assert_ne!(base, result_hash(&c, &[1; 32], &[2; 32], &[3; 32], 5));
	}

	#[test]
	fn split_divides_exactly() {
		assert_eq!(Split::new(1, 1, 1), None);
		let s = Split::new(333_333_333, 333_333_333, 333_333_334).unwrap();
		for amount in [0, 1, 2, 3, 999_999_999, 1_000_000_001, u128::MAX] {
			let (v, p, f) = s.divide(amount);
			assert_eq!(v + p + f, amount);
			assert!(v <= amount / 3 && p <= amount / 3);
		}
		assert_eq!(Split::new(PPB, 0, 0).unwrap().divide(u128::MAX), (u128::MAX, 0, 0));
	}

	/// The shared vectors: leaf bytes and roots the services' tests check too.
	#[test]
	fn payout_leaf_and_root_vectors() {
		let leaf = payout_leaf(&[0xaa; 32], 0x0102);
		assert_eq!(leaf[0], 1);
		assert_eq!(&leaf[47..], &[1, 2]);
		let accounts: Vec<(Account, Amount)> =
			(1..=3u8).map(|i| ([i; 32], u128::from(i) * 1_000)).collect();
		assert_eq!(
			payouts_root(&accounts),
			hex_literal::hex!("7041e90110729f54b30bc3967e8590981279e1c1cd2d52abc95891d2e2b3d5b7"),
		);
	}

	#[test]
	fn root_and_proofs_match_binary_merkle_tree() {
		for n in 1..=17u8 {
			let cumulative: Vec<(Account, Amount)> =
				(0..n).map(|i| ([i; 32], u128::from(i) + 1)).collect();
			let leaves: Vec<[u8; 49]> =
				cumulative.iter().map(|(a, v)| payout_leaf(a, *v)).collect();
			let root = payouts_root(&cumulative);
			assert_eq!(
				root,
				binary_merkle_tree::merkle_root::<sp_core::KeccakHasher, _>(&leaves).0,
				"{n} leaves"
			);
			for i in 0..usize::from(n) {
				let proof = payout_proof(&cumulative, i).unwrap();
				let theirs = binary_merkle_tree::merkle_proof::<sp_core::KeccakHasher, _, _>(
					&leaves, i as u32,
				);
				assert_eq!(
					proof.path,
					theirs.proof.iter().map(|h| h.0).collect::<Vec<_>>(),
					"{n}/{i}"
				);
				let (a, v) = cumulative[i];
				assert!(verify_payout(&root, &a, v, &proof));
				assert!(!verify_payout(&root, &a, v + 1, &proof));
				assert!(!verify_payout(&root, &[0xee; 32], v, &proof));
				let mut longer = proof.clone();
				longer.path.push([0; 32]);
				assert!(!verify_payout(&root, &a, v, &longer));
				let wrong_index =
					PayoutProof { leaf_index: (i as u32 + 1) % u32::from(n), ..proof.clone() };
				assert!(n == 1 || !verify_payout(&root, &a, v, &wrong_index));
			}
		}
		assert_eq!(payouts_root(&[]), [0; 32]);
		assert_eq!(payout_proof(&[], 0), None);
	}
}
