//! A minimal runtime for the bridge pallet's tests: the media of each block come from a
//! list the tests fill.

use crate as pallet_bridge;
use core::cell::RefCell;
use frame_support::{derive_impl, traits::ConstU32};
use paratii_primitives::MediaId;
use sp_core::H256;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Bridge: pallet_bridge,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = sp_runtime::AccountId32;
	type Lookup = sp_runtime::traits::IdentityLookup<Self::AccountId>;
}

pub const MAX_MEDIA_PER_BLOCK: u32 = 4;

thread_local! {
	/// (id, original's hash, owner, block): what pallet-media would have recorded.
	static MEDIA: RefCell<Vec<(MediaId, H256, sp_runtime::AccountId32, u64)>> =
		const { RefCell::new(Vec::new()) };
}

/// The media records, as pallet-media keeps them.
pub struct MockMedia;
impl MockMedia {
	/// Registers a media item in the current block the way pallet-media does: the record,
	/// then the hook.
	pub fn register(
		content_hash: H256,
		owner: sp_runtime::AccountId32,
	) -> Result<MediaId, sp_runtime::DispatchError> {
		use pallet_media::OnMediaRegistered;
		let id = MEDIA.with(|m| m.borrow().len() as MediaId);
		Bridge::on_media_registered(id, &content_hash, &owner)?;
		MEDIA.with(|m| m.borrow_mut().push((id, content_hash, owner, System::block_number())));
		Ok(id)
	}
}
impl pallet_media::MediaOfBlock<sp_runtime::AccountId32, u64> for MockMedia {
	fn registered_at(media_id: MediaId) -> Option<u64> {
		MEDIA.with(|m| m.borrow().get(media_id as usize).map(|e| e.3))
	}
	fn registered_in(block: u64) -> Vec<(MediaId, H256, sp_runtime::AccountId32)> {
		MEDIA.with(|m| {
			m.borrow().iter().filter(|e| e.3 == block).map(|e| (e.0, e.1, e.2.clone())).collect()
		})
	}
}

impl pallet_bridge::Config for Test {
	type Media = MockMedia;
	type MaxMediaPerBlock = ConstU32<MAX_MEDIA_PER_BLOCK>;
	type WeightInfo = ();
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		MEDIA.with(|m| m.borrow_mut().clear());
	});
	ext
}
