//! `AdExchangeApi`: what an ad validator (or a client) asks the chain, running the same
//! channel-block code the pallet's results are checked against.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use paratii_primitives::adx::{
	BlockOutput, CampaignId, ChannelBlock, Message, PayoutProof, ProcessError,
};
use scale_info::TypeInfo;
use sp_runtime::AccountId32;

/// Why `process_block` could not run.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum ProcessBlockError {
	UnknownCampaign,
	/// The block is not pending (no part yet, or already ended).
	NoOpenBlock,
	/// One part per part posted on chain, in the chain's order.
	PartCount {
		expected: u32,
	},
	/// The part at `index` does not hash to what its participant posted.
	PartMismatch {
		index: u32,
	},
	/// `previous` is not what the campaign's balance root commits to.
	PreviousMismatch,
	Process(ProcessError),
}

sp_api::decl_runtime_apis! {
	/// Channel blocks of the ad exchange.
	pub trait AdExchangeApi {
		/// The outcome of a pending channel block, given its parts (fetched from their
		/// locations, in the order the chain lists them) and the cumulative earnings
		/// after the previous block; its `result_hash`, `payouts_root` and `total` are
		/// what `submit_result` takes.
		fn process_block(
			campaign: CampaignId,
			block: ChannelBlock,
			previous: Vec<(AccountId32, u128)>,
			parts: Vec<Vec<Message>>,
		) -> Result<BlockOutput, ProcessBlockError>;

		/// The proof of `account`'s cumulative earnings in the payouts root of
		/// `cumulative` (in account order), as `claim` takes it. `None` when the account
		/// has no earnings there.
		fn payout_proof(
			cumulative: Vec<(AccountId32, u128)>,
			account: AccountId32,
		) -> Option<(u128, PayoutProof<Vec<[u8; 32]>>)>;
	}
}
