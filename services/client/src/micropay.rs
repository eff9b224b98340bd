//! Pay as you watch, off chain: the vouchers of `pallet-micropay` and the ledger a hub's
//! gateway keeps of them.
//!
//! A voucher is the channel signer's sr25519 signature over [`voucher_payload`] — SCALE
//! `(b"paratii/micropay/v1", genesis, channel u64, media u64, cumulative u128)`, 83 bytes —
//! or over that payload wrapped in `<Bytes>…</Bytes>` (a wallet's `signRaw`), exactly what
//! the pallet's `settle` checks. Each covers everything owed for one media item in one
//! channel so far.
//!
//! The [`Ledger`] is what the hub's gateway keeps before it serves a segment: the highest
//! voucher per channel and item, written to an append-only file and flushed
//! (`fdatasync`, [`crate::records`] framing) before [`Ledger::accept`] returns, so a gateway killed after serving a
//! segment has the voucher that paid for it. A voucher is taken when it is signed by the
//! channel's signer, pays at least the segment's price on top of the item's previous
//! voucher, and keeps the channel's vouchers within its deposit less what was settled —
//! the rule that makes a payee lose nothing the hub accepted.

use crate::AccountId;
use codec::{Decode, Encode};
use std::{
	collections::HashMap,
	fs::{File, OpenOptions},
	io::{Read, Write},
	path::Path,
	sync::Mutex,
};

/// Opens every voucher's payload (19 raw bytes).
pub const VOUCHER_TAG: [u8; 19] = *b"paratii/micropay/v1";

/// A channel's id on chain.
pub type ChannelId = u64;

/// The bytes a channel's signer signs for a voucher.
pub fn voucher_payload(
	genesis: &[u8; 32],
	channel: ChannelId,
	media: u64,
	cumulative: u128,
) -> Vec<u8> {
	(VOUCHER_TAG, genesis, channel, media, cumulative).encode()
}

/// `key`'s voucher signature.
pub fn sign_voucher(
	key: &subxt_signer::sr25519::Keypair,
	genesis: &[u8; 32],
	channel: ChannelId,
	media: u64,
	cumulative: u128,
) -> [u8; 64] {
	key.sign(&voucher_payload(genesis, channel, media, cumulative)).0
}

/// What the gateway knows of a channel from the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelTerms {
	pub signer: [u8; 32],
	pub hub: AccountId,
	pub deposit: u128,
	/// Settled on chain so far.
	pub paid: u128,
}

/// The largest record of the ledger: one encoded [`Held`].
const MAX_RECORD: usize = 8 + 8 + 16 + 64;

/// A voucher the ledger holds.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Held {
	pub channel: ChannelId,
	pub media: u64,
	pub cumulative: u128,
	pub signature: [u8; 64],
}

/// Why a voucher is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
	/// Not the channel signer's signature over this chain, channel, item and amount.
	BadSignature,
	/// It does not pay the segment: `cumulative` is below the item's last voucher plus
	/// the segment's price (`needed`).
	TooLow { needed: u128 },
	/// The channel's vouchers would pass its deposit less what was settled.
	OverDeposit { available: u128 },
}

impl std::fmt::Display for Refusal {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::BadSignature => write!(
				f,
				"the voucher is not the channel signer's signature over this chain, channel, \
				 media item and amount"
			),
			Self::TooLow { needed } => {
				write!(f, "the voucher must cover {needed} plancks for this item")
			},
			Self::OverDeposit { available } => write!(
				f,
				"the channel's deposit has {available} plancks left for vouchers: top it up"
			),
		}
	}
}

/// The hub gateway's vouchers: the highest per channel and item, durable.
pub struct Ledger {
	genesis: [u8; 32],
	state: Mutex<State>,
}

struct State {
	file: File,
	highest: HashMap<(ChannelId, u64), Held>,
	/// The sum of each channel's highest vouchers.
	owed: HashMap<ChannelId, u128>,
}

impl Ledger {
	/// The ledger in `path` (created if missing), read back up to its last whole record.
	pub fn open(path: &Path, genesis: [u8; 32]) -> anyhow::Result<Self> {
		let mut file = OpenOptions::new().create(true).read(true).append(true).open(path)?;
		let mut bytes = Vec::new();
		file.read_to_end(&mut bytes)?;
		let mut state = State { file, highest: HashMap::new(), owed: HashMap::new() };
		let (records, at) = crate::records::whole(&bytes, MAX_RECORD);
		for payload in records {
			// A record that does not decode ends the read as a damaged one does.
			let Ok(held) = Held::decode(&mut &payload[..]) else { break };
			state.keep(held);
		}
		if at < bytes.len() {
			// A write cut short: drop the torn tail so later records follow whole ones.
			state.file.set_len(at as u64)?;
			state.file.sync_data()?;
		}
		Ok(Self { genesis, state: Mutex::new(state) })
	}

	/// Checks a voucher for a segment of `media` costing `price` and keeps it durably.
	/// Returns what the channel's vouchers owe in all.
	pub fn accept(
		&self,
		terms: &ChannelTerms,
		channel: ChannelId,
		media: u64,
		cumulative: u128,
		signature: &[u8; 64],
		price: u128,
	) -> anyhow::Result<Result<u128, Refusal>> {
		let payload = voucher_payload(&self.genesis, channel, media, cumulative);
		if !crate::signed::verify_sr25519(&terms.signer, &payload, signature) {
			return Ok(Err(Refusal::BadSignature));
		}
		let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
		let previous = state.highest.get(&(channel, media)).map_or(0, |h| h.cumulative);
		let needed = previous.saturating_add(price);
		if cumulative < needed || cumulative == 0 {
			return Ok(Err(Refusal::TooLow { needed: needed.max(1) }));
		}
		let owed = state.owed.get(&channel).copied().unwrap_or(0);
		let after = owed - previous + cumulative;
		let available = terms.deposit.saturating_sub(terms.paid);
		if after > available {
			return Ok(Err(Refusal::OverDeposit {
				available: available.saturating_sub(owed - previous),
			}));
		}
		let held = Held { channel, media, cumulative, signature: *signature };
		state.file.write_all(&crate::records::frame(&held.encode()))?;
		state.file.sync_data()?;
		state.keep(held);
		Ok(Ok(after))
	}

	/// The highest voucher of each item of `channel` (what a settlement submits).
	pub fn vouchers(&self, channel: ChannelId) -> Vec<Held> {
		let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
		let mut held: Vec<Held> =
			state.highest.values().filter(|h| h.channel == channel).cloned().collect();
		held.sort_by_key(|h| h.media);
		held
	}
}

impl State {
	fn keep(&mut self, held: Held) {
		let key = (held.channel, held.media);
		let previous = self.highest.get(&key).map_or(0, |h| h.cumulative);
		if held.cumulative <= previous {
			return;
		}
		*self.owed.entry(held.channel).or_default() += held.cumulative - previous;
		self.highest.insert(key, held);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: [u8; 32] = [0x42; 32];

	fn terms(signer: &subxt_signer::sr25519::Keypair, deposit: u128) -> ChannelTerms {
		ChannelTerms {
			signer: signer.public_key().0,
			hub: crate::keys::account_key("//Bob").unwrap().public_key().to_account_id(),
			deposit,
			paid: 0,
		}
	}

	#[test]
	fn the_payload_is_the_pallets() {
		// pallet-micropay encodes (VOUCHER_TAG, genesis, channel u64, media u64, cumulative u128).
		let payload = voucher_payload(&GENESIS, 3, 7, 1_000);
		let expected = [
			b"paratii/micropay/v1".as_slice(),
			&GENESIS,
			&3u64.to_le_bytes(),
			&7u64.to_le_bytes(),
			&1_000u128.to_le_bytes(),
		]
		.concat();
		assert_eq!(payload, expected);
		assert_eq!(payload.len(), 83);
	}

	#[test]
	fn the_ledger_takes_vouchers_that_pay_the_segment_within_the_deposit_and_keeps_them() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("vouchers.log");
		let session = crate::keys::account_key("//Session").unwrap();
		let t = terms(&session, 100);
		let sign = |channel, media, c| sign_voucher(&session, &GENESIS, channel, media, c);
		let ledger = Ledger::open(&path, GENESIS).unwrap();
		assert_eq!(ledger.accept(&t, 1, 10, 10, &sign(1, 10, 10), 10).unwrap(), Ok(10));
		assert_eq!(ledger.accept(&t, 1, 11, 30, &sign(1, 11, 30), 10).unwrap(), Ok(40));
		// A replay, or one that does not pay the next segment.
		assert_eq!(
			ledger.accept(&t, 1, 10, 10, &sign(1, 10, 10), 10).unwrap(),
			Err(Refusal::TooLow { needed: 20 })
		);
		assert_eq!(
			ledger.accept(&t, 1, 10, 15, &sign(1, 10, 15), 10).unwrap(),
			Err(Refusal::TooLow { needed: 20 })
		);
		// Another key, another chain, another channel, an amount it does not sign.
		let stranger = crate::keys::account_key("//Stranger").unwrap();
		let bad = Err(Refusal::BadSignature);
		assert_eq!(
			ledger
				.accept(&t, 1, 10, 20, &sign_voucher(&stranger, &GENESIS, 1, 10, 20), 10)
				.unwrap(),
			bad
		);
		assert_eq!(
			ledger.accept(&t, 1, 10, 20, &sign_voucher(&session, &[0; 32], 1, 10, 20), 10).unwrap(),
			bad
		);
		assert_eq!(ledger.accept(&t, 1, 10, 20, &sign(2, 10, 20), 10).unwrap(), bad);
		assert_eq!(ledger.accept(&t, 1, 10, 90, &sign(1, 10, 20), 10).unwrap(), bad);
		// Within the deposit (100, 40 owed): item 10 may rise to 70, not to 71.
		assert_eq!(
			ledger.accept(&t, 1, 10, 71, &sign(1, 10, 71), 10).unwrap(),
			Err(Refusal::OverDeposit { available: 70 })
		);
		assert_eq!(ledger.accept(&t, 1, 10, 70, &sign(1, 10, 70), 10).unwrap(), Ok(100));
		// What was settled on chain is no longer available.
		let settled = ChannelTerms { paid: 50, deposit: 150, ..t.clone() };
		assert!(matches!(
			ledger.accept(&settled, 1, 11, 40, &sign(1, 11, 40), 10).unwrap(),
			Err(Refusal::OverDeposit { .. })
		));
		drop(ledger);
		// Reopened (a restart): the highest vouchers are there, and a torn tail is dropped.
		std::fs::OpenOptions::new()
			.append(true)
			.open(&path)
			.unwrap()
			.write_all(&[9, 0, 0])
			.unwrap();
		let again = Ledger::open(&path, GENESIS).unwrap();
		let held: Vec<_> = again.vouchers(1).iter().map(|h| (h.media, h.cumulative)).collect();
		assert_eq!(held, [(10, 70), (11, 30)]);
		assert_eq!(
			again.accept(&t, 1, 11, 30, &sign(1, 11, 30), 1).unwrap(),
			Err(Refusal::TooLow { needed: 31 })
		);
		let full = again.accept(&t, 1, 12, 1, &sign(1, 12, 1), 1).unwrap();
		assert_eq!(full, Err(Refusal::OverDeposit { available: 0 }));
	}
}
