//! Benchmarks of the ad exchange, each on its most expensive path: full registries,
//! full participant and validator lists, disputes whose panel draws and slashes the most
//! validators, the longest payout proof, claims that create the beneficiary's account.

use super::*;
use crate::Pallet as AdExchange;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use paratii_primitives::adx;
use sp_core::H256;
use sp_runtime::{traits::Saturating, AccountId32, Perbill};

const PLENTY: u128 = 1u128 << 100;

fn fund<T: Config>(who: &AccountId32) {
	T::Currency::set_balance(who, PLENTY);
}

/// Fills the registry with `n` validators (`validator` 0..n), each applying and admitted.
fn register<T: Config>(n: u32) -> Vec<AccountId32> {
	(0..n)
		.map(|i| {
			let v: AccountId32 = account("validator", i, 0);
			fund::<T>(&v);
			AdExchange::<T>::register_validator(RawOrigin::Signed(v.clone()).into())
				.expect("a first application");
			admit::<T>(&v);
			v
		})
		.collect()
}

fn admit<T: Config>(v: &AccountId32) {
	let origin = T::GovernanceOrigin::try_successful_origin().expect("governance can admit");
	AdExchange::<T>::admit_validator(origin, v.clone()).expect("the registry has room");
}

fn shares() -> Shares {
	Shares {
		viewer: Perbill::from_percent(50),
		producer: Perbill::from_percent(30),
		fund: Perbill::from_percent(20),
	}
}

fn advertiser<T: Config>() -> AccountId32 {
	let who: AccountId32 = account("advertiser", 0, 0);
	fund::<T>(&who);
	who
}

fn participants<T: Config>(p: u32) -> Vec<AccountId32> {
	(0..p)
		.map(|i| {
			let who: AccountId32 = account("participant", i, 0);
			fund::<T>(&who);
			who
		})
		.collect()
}

/// A campaign validated by `validators`, with `p` participants, every validator accepting.
fn campaign<T: Config>(validators: Vec<AccountId32>, p: u32) -> CampaignId {
	let id = created::<T>(validators, p);
	for v in Campaigns::<T>::get(id).expect("created").validators {
		AdExchange::<T>::accept_campaign(RawOrigin::Signed(v).into(), id).expect("named");
	}
	id
}

/// A campaign validated by `validators`, with `p` participants, not yet accepted.
fn created<T: Config>(validators: Vec<AccountId32>, p: u32) -> CampaignId {
	let id = NextCampaignId::<T>::get();
	let now = frame_system::Pallet::<T>::block_number();
	AdExchange::<T>::create_campaign(
		RawOrigin::Signed(advertiser::<T>()).into(),
		PLENTY / 4,
		PLENTY / 8,
		shares(),
		validators.try_into().expect("within MaxValidators"),
		participants::<T>(p).try_into().expect("within MaxParticipants"),
		Some(account("participant", 0, 0)),
		now.saturating_add(T::MaxCampaignDuration::get()),
		T::MinChallengePeriod::get(),
		H256::repeat_byte(1),
	)
	.expect("valid terms");
	id
}

/// Disputes block 0 of `campaign`: its first validator posts seed 7, its second seed 8.
fn conflicting<T: Config>(campaign: CampaignId, validators: &[AccountId32]) {
	collected::<T>(campaign);
	post::<T>(&validators[0], campaign, 7);
	post::<T>(&validators[1], campaign, 8);
}

/// Moves past a dispute's drawing block and gives that block a hash.
fn drawable<T: Config>(campaign: CampaignId) -> Result<(), BenchmarkError> {
	let Some(BlockStatus::Disputed { draw_at: Some(at), .. }) =
		Pending::<T>::get(campaign, 0).map(|p| p.status)
	else {
		return Err(BenchmarkError::Stop("no panel to draw"));
	};
	let mut hash = T::Hash::default();
	hash.as_mut().fill(9);
	frame_system::BlockHash::<T>::insert(at, hash);
	frame_system::Pallet::<T>::set_block_number(at.saturating_add(1u32.into()));
	Ok(())
}

fn location<T: Config>() -> BoundedVec<u8, T::MaxLocationLength> {
	vec![b'x'; T::MaxLocationLength::get() as usize].try_into().expect("exactly the maximum")
}

/// Posts one part and closes the collection window of the campaign's block 0.
fn collected<T: Config>(campaign: CampaignId) {
	let participant: AccountId32 = account("participant", 0, 0);
	AdExchange::<T>::submit_part(
		RawOrigin::Signed(participant).into(),
		campaign,
		0,
		H256::repeat_byte(2),
		location::<T>(),
	)
	.expect("the block is open");
	let until = Pending::<T>::get(campaign, 0).expect("open").collect_until;
	frame_system::Pallet::<T>::set_block_number(until);
}

/// A result for block 0 of `campaign` with a hash the pallet accepts; `seed` tells
/// different results apart.
fn result<T: Config>(campaign: CampaignId, seed: u8) -> (H256, H256, u128) {
	let c = Campaigns::<T>::get(campaign).expect("exists");
	let pending = Pending::<T>::get(campaign, 0).expect("open");
	let root = [seed; 32];
	let total = u128::from(seed);
	let hash = adx::result_hash(
		&AdExchange::<T>::channel(campaign, 0),
		&AdExchange::<T>::parts_digest(&pending),
		&c.balance_root.0,
		&root,
		total,
	);
	(H256(hash), H256(root), total)
}

fn post<T: Config>(validator: &AccountId32, campaign: CampaignId, seed: u8) {
	let (hash, root, total) = result::<T>(campaign, seed);
	AdExchange::<T>::submit_result(
		RawOrigin::Signed(validator.clone()).into(),
		campaign,
		0,
		hash,
		root,
		total,
	)
	.expect("a valid result");
}

fn disputed_set<T: Config>(campaign: CampaignId) -> Vec<AccountId32> {
	let c = Campaigns::<T>::get(campaign).expect("exists");
	let mut set = c.validators.to_vec();
	if let Some(BlockStatus::Disputed { added, .. }) =
		Pending::<T>::get(campaign, 0).map(|p| p.status)
	{
		set.extend(added);
	}
	set
}

/// The largest dispute: a campaign of `MaxValidators` whose first validator posts a lie
/// (seed 7) and second the truth (seed 8), with `MaxDisputeValidators` added. Returns the
/// campaign, the dispute's validators and the votes that decide it.
fn largest_dispute<T: Config>() -> Result<(CampaignId, Vec<AccountId32>, usize), BenchmarkError> {
	let (v, d) = (T::MaxValidators::get(), T::MaxDisputeValidators::get());
	let registry = register::<T>(v + d);
	let c = campaign::<T>(registry[..v as usize].to_vec(), 1);
	conflicting::<T>(c, &registry);
	drawable::<T>(c)?;
	AdExchange::<T>::draw_panel(RawOrigin::Signed(whitelisted_caller()).into(), c, 0)
		.map_err(|_| BenchmarkError::Stop("the panel is drawn"))?;
	let set = disputed_set::<T>(c);
	let needed = supermajority(set.len() as u32) as usize;
	Ok((c, set, needed))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_campaign(
		v: Linear<2, { T::MaxValidators::get() }>,
		p: Linear<1, { T::MaxParticipants::get() }>,
	) {
		let registry = register::<T>(T::MaxRegistered::get());
		let validators: BoundedVec<_, _> =
			registry[..v as usize].to_vec().try_into().expect("≤ max");
		let participants: BoundedVec<_, _> = participants::<T>(p).try_into().expect("≤ max");
		let who = advertiser::<T>();
		let until =
			frame_system::Pallet::<T>::block_number().saturating_add(T::MaxCampaignDuration::get());

		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			PLENTY / 4,
			1_000,
			shares(),
			validators,
			participants,
			Some(account("participant", 0, 0)),
			until,
			T::MinChallengePeriod::get(),
			H256::zero(),
		);

		assert_eq!(NextCampaignId::<T>::get(), 1);
	}

	#[benchmark]
	fn top_up() {
		let c = campaign::<T>(register::<T>(2), 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(account("advertiser", 0, 0)), c, 1_000);

		assert_eq!(Campaigns::<T>::get(c).map(|c| c.budget), Some(PLENTY / 4 + 1_000));
	}

	#[benchmark]
	fn register_validator() {
		let who: AccountId32 = account("newcomer", 0, 0);
		fund::<T>(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(Validators::<T>::contains_key(&who));
	}

	/// Into a registry one short of full.
	#[benchmark]
	fn admit_validator() -> Result<(), BenchmarkError> {
		register::<T>(T::MaxRegistered::get() - 1);
		let who: AccountId32 = account("newcomer", 0, 0);
		fund::<T>(&who);
		AdExchange::<T>::register_validator(RawOrigin::Signed(who.clone()).into())
			.map_err(|_| BenchmarkError::Stop("a first application"))?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Registry::<T>::get().contains(&who));
		Ok(())
	}

	/// The last of `MaxValidators` validators accepts, with a full registry.
	#[benchmark]
	fn accept_campaign() -> Result<(), BenchmarkError> {
		let registry = register::<T>(T::MaxRegistered::get());
		let v = T::MaxValidators::get() as usize;
		let id = created::<T>(registry[..v].to_vec(), 1);
		for validator in &registry[..v - 1] {
			AdExchange::<T>::accept_campaign(RawOrigin::Signed(validator.clone()).into(), id)
				.map_err(|_| BenchmarkError::Stop("named"))?;
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(registry[v - 1].clone()), id);

		let c = Campaigns::<T>::get(id).expect("exists");
		assert_eq!(c.accepted, AdExchange::<T>::all_accepted(&c));
		Ok(())
	}

	#[benchmark]
	fn unregister_validator() {
		let registry = register::<T>(T::MaxRegistered::get());
		let who = registry[0].clone();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Registry::<T>::get().contains(&who));
	}

	#[benchmark]
	fn withdraw_bond() {
		let who = register::<T>(1)[0].clone();
		AdExchange::<T>::unregister_validator(RawOrigin::Signed(who.clone()).into())
			.expect("registered");
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(Validators::<T>::get(&who).is_none());
	}

	#[benchmark]
	fn submit_part() {
		let max = T::MaxParticipants::get();
		let c = campaign::<T>(register::<T>(2), max);
		for i in 0..max - 1 {
			AdExchange::<T>::submit_part(
				RawOrigin::Signed(account("participant", i, 0)).into(),
				c,
				0,
				H256::repeat_byte(i as u8),
				location::<T>(),
			)
			.expect("open");
		}
		let last: AccountId32 = account("participant", max - 1, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(last), c, 0, H256::repeat_byte(0xff), location::<T>());

		assert_eq!(Pending::<T>::get(c, 0).map(|p| p.parts.len() as u32), Some(max));
	}

	/// The last of `v` agreeing validators: the challenge period starts.
	#[benchmark]
	fn submit_result_agreeing(v: Linear<2, { T::MaxValidators::get() }>) {
		let validators = register::<T>(v);
		let c = campaign::<T>(validators.clone(), 1);
		collected::<T>(c);
		for validator in &validators[..v as usize - 1] {
			post::<T>(validator, c, 7);
		}
		let (hash, root, total) = result::<T>(c, 7);

		#[extrinsic_call]
		submit_result(
			RawOrigin::Signed(validators[v as usize - 1].clone()),
			c,
			0,
			hash,
			root,
			total,
		);

		assert!(matches!(
			Pending::<T>::get(c, 0).map(|p| p.status),
			Some(BlockStatus::Agreed { .. })
		));
	}

	/// A second validator differs: the block is disputed (its panel drawn later).
	#[benchmark]
	fn submit_result_disputing() {
		let registry = register::<T>(2);
		let c = campaign::<T>(registry.clone(), 1);
		collected::<T>(c);
		post::<T>(&registry[0], c, 7);
		let (hash, root, total) = result::<T>(c, 8);

		#[extrinsic_call]
		submit_result(RawOrigin::Signed(registry[1].clone()), c, 0, hash, root, total);

		assert!(matches!(
			Pending::<T>::get(c, 0).map(|p| p.status),
			Some(BlockStatus::Disputed { draw_at: Some(_), .. })
		));
	}

	/// The largest draw: a full registry, a campaign of `MaxValidators` validators and
	/// `MaxParticipants` participants to leave out, a panel of `MaxDisputeValidators`.
	#[benchmark]
	fn draw_panel() -> Result<(), BenchmarkError> {
		let registry = register::<T>(T::MaxRegistered::get());
		let v = T::MaxValidators::get() as usize;
		let c = campaign::<T>(registry[..v].to_vec(), T::MaxParticipants::get());
		conflicting::<T>(c, &registry);
		drawable::<T>(c)?;
		let anyone: AccountId32 = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), c, 0);

		assert_eq!(disputed_set::<T>(c).len(), v + T::MaxDisputeValidators::get() as usize);
		Ok(())
	}

	/// The vote that gives a result ⅔ of the largest dispute set, slashing every other
	/// validator that could have posted a different one.
	#[benchmark]
	fn submit_result_resolving() -> Result<(), BenchmarkError> {
		let (c, set, needed) = largest_dispute::<T>()?;
		let (mut honest, mut liars) = (1usize, 1usize);
		let mut last = None;
		for validator in &set[2..] {
			if liars < set.len() - needed {
				post::<T>(validator, c, 7);
				liars += 1;
			} else if honest + 1 < needed {
				post::<T>(validator, c, 8);
				honest += 1;
			} else {
				last = Some(validator.clone());
				break;
			}
		}
		let last = last.expect("a validator is left to cast the deciding vote");
		let (hash, root, total) = result::<T>(c, 8);

		#[extrinsic_call]
		submit_result(RawOrigin::Signed(last), c, 0, hash, root, total);

		assert!(Pending::<T>::get(c, 0).is_none());
		Ok(())
	}

	/// A participant challenges an agreed block.
	#[benchmark]
	fn open_dispute() {
		let registry = register::<T>(2);
		let c = campaign::<T>(registry.clone(), 1);
		collected::<T>(c);
		post::<T>(&registry[0], c, 7);
		post::<T>(&registry[1], c, 7);

		#[extrinsic_call]
		_(RawOrigin::Signed(account("participant", 0, 0)), c, 0);

		assert!(matches!(
			Pending::<T>::get(c, 0).map(|p| p.status),
			Some(BlockStatus::Disputed { draw_at: Some(_), .. })
		));
	}

	#[benchmark]
	fn finalize() {
		let registry = register::<T>(2);
		let c = campaign::<T>(registry.clone(), 1);
		collected::<T>(c);
		post::<T>(&registry[0], c, 7);
		post::<T>(&registry[1], c, 7);
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::MinChallengePeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);
		let anyone: AccountId32 = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), c, 0);

		assert_eq!(Campaigns::<T>::get(c).map(|c| c.next_block), Some(1));
	}

	/// A deadlock in the largest dispute set, split as evenly as ⅔ allows; the council
	/// picks one result and the other side is slashed.
	#[benchmark]
	fn resolve_dispute() -> Result<(), BenchmarkError> {
		let (c, set, needed) = largest_dispute::<T>()?;
		let mut counts = [1usize, 1usize];
		for validator in &set[2..] {
			let side = if counts[0] <= counts[1] { 0 } else { 1 };
			if counts[side] + 1 >= needed {
				break;
			}
			post::<T>(validator, c, 7 + side as u8);
			counts[side] += 1;
		}
		let Some(BlockStatus::Disputed { deadline, .. }) =
			Pending::<T>::get(c, 0).map(|p| p.status)
		else {
			return Err(BenchmarkError::Stop("the dispute did not deadlock"));
		};
		frame_system::Pallet::<T>::set_block_number(deadline);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (hash, _, _) = result::<T>(c, 8);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, c, 0, Some(hash));

		assert!(Pending::<T>::get(c, 0).is_none());
		Ok(())
	}

	/// A proof of `p` siblings, paying a beneficiary whose account it creates.
	#[benchmark]
	fn claim(p: Linear<0, { T::MaxProofLength::get() }>) {
		let c = campaign::<T>(register::<T>(2), 1);
		let beneficiary: AccountId32 = account("beneficiary", 0, 0);
		let amount = T::Currency::minimum_balance().saturating_mul(1_000);
		let number_of_leaves = if p >= 32 { u32::MAX } else { 1u32 << p };
		let path: Vec<[u8; 32]> = (0..p).map(|i| [i as u8; 32]).collect();
		// The root of a tree where the beneficiary is leaf 0 and every sibling is given.
		let mut root = sp_io::hashing::keccak_256(&adx::payout_leaf(beneficiary.as_ref(), amount));
		for sibling in &path {
			let mut both = [0u8; 64];
			both[..32].copy_from_slice(&root);
			both[32..].copy_from_slice(sibling);
			root = sp_io::hashing::keccak_256(&both);
		}
		Campaigns::<T>::mutate(c, |campaign| {
			if let Some(campaign) = campaign {
				campaign.balance_root = H256(root);
				campaign.settled = amount;
			}
		});
		let proof = adx::PayoutProof {
			leaf_index: 0,
			number_of_leaves,
			path: path.try_into().expect("≤ max"),
		};
		let anyone: AccountId32 = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), c, beneficiary.clone(), amount, proof);

		assert_eq!(Withdrawn::<T>::get(c, &beneficiary), amount);
	}

	#[benchmark]
	fn close_campaign(v: Linear<2, { T::MaxValidators::get() }>) {
		let c = campaign::<T>(register::<T>(v), 1);
		let until = Campaigns::<T>::get(c).expect("exists").valid_until;
		frame_system::Pallet::<T>::set_block_number(until);

		#[extrinsic_call]
		_(RawOrigin::Signed(account("advertiser", 0, 0)), c);

		assert_eq!(Campaigns::<T>::get(c).map(|c| c.status), Some(CampaignStatus::Closed));
	}

	/// A closed, fully claimed campaign with `n` withdrawal records: all removed, and
	/// with them the campaign (the costliest call: the last batch that also reaps).
	#[benchmark]
	fn reap_campaign(n: Linear<0, MAX_REAP_BATCH>) {
		let c = campaign::<T>(register::<T>(2), 1);
		let until = Campaigns::<T>::get(c).expect("exists").valid_until;
		frame_system::Pallet::<T>::set_block_number(until);
		let advertiser: AccountId32 = account("advertiser", 0, 0);
		AdExchange::<T>::close_campaign(RawOrigin::Signed(advertiser.clone()).into(), c)
			.expect("expired");
		for i in 0..n {
			Withdrawn::<T>::insert(c, account::<AccountId32>("beneficiary", i, 0), 0);
		}
		Outcomes::<T>::insert(c, (0, Outcome::Discarded { at: until }));

		#[extrinsic_call]
		_(RawOrigin::Signed(advertiser), c, n);

		assert!(Campaigns::<T>::get(c).is_none());
		assert_eq!(Withdrawn::<T>::iter_prefix(c).count(), 0);
	}

	impl_benchmark_test_suite!(AdExchange, crate::mock::new_test_ext(), crate::mock::Test);
}
