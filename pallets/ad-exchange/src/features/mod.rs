//! The logic of each feature, called by the pallet's calls after they check the origin.

pub mod campaigns;
pub mod channel_blocks;
pub mod claims;
pub mod disputes;
pub mod validators;
