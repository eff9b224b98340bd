//! The logic of each feature, called by the pallet's calls after they check the origin.

pub mod allowances;
pub mod claims;
pub mod store;
pub mod vouchers;
