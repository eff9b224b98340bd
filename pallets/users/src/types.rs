//! Types of the users pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A view window's index, big-endian (see [`crate::ViewsSeen`]).
pub type ViewWindowKey = [u8; 4];

/// A user as stored.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct UserInfo<Name, ProfileCid, Balance, BlockNumber> {
	/// Display name (UTF-8).
	pub name: Name,
	/// CID of the user's profile document (e.g. on IPFS), if any.
	pub profile_cid: Option<ProfileCid>,
	/// PTI held while registered.
	pub deposit: Balance,
	/// Block of registration.
	pub registered_at: BlockNumber,
}

/// A user's reaction to a media item.
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
pub enum Reaction {
	Like,
	Dislike,
	/// No reaction (withdraws a previous one).
	None,
}

/// Likes and dislikes of one media item.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct ReactionTally {
	pub likes: u32,
	pub dislikes: u32,
}

impl ReactionTally {
	/// Counts `reaction`.
	pub fn add(&mut self, reaction: Reaction) {
		match reaction {
			Reaction::Like => self.likes = self.likes.saturating_add(1),
			Reaction::Dislike => self.dislikes = self.dislikes.saturating_add(1),
			Reaction::None => {},
		}
	}

	/// Uncounts `reaction`.
	pub fn remove(&mut self, reaction: Reaction) {
		match reaction {
			Reaction::Like => self.likes = self.likes.saturating_sub(1),
			Reaction::Dislike => self.dislikes = self.dislikes.saturating_sub(1),
			Reaction::None => {},
		}
	}
}
