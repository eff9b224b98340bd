//! Tests of the real runtime, executed natively: genesis presets, PTI fees, metadata.

use codec::{Decode, Encode};
use frame_support::{
	dispatch::GetDispatchInfo,
	traits::{fungible::Inspect, Get},
};
use paratii_runtime::configs::CouncilCollective;
use paratii_runtime::{
	genesis_config_presets::{self, DEV_ACCOUNT_BALANCE},
	AccountId, Balances, BalancesCall, Executive, Runtime, RuntimeCall, RuntimeGenesisConfig,
	SignedPayload, System, TransactionPayment, TxExtension, UncheckedExtrinsic, PTI,
};
use serde_json::Value;
use sp_core::H256;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	traits::{Header as _, StaticLookup},
	BuildStorage,
};

/// Overlays a preset's JSON patch on the default genesis config, as the chain-spec
/// builder does.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

fn genesis_config(preset: &str) -> RuntimeGenesisConfig {
	let patch = genesis_config_presets::get_preset(&PresetId::from(preset))
		.unwrap_or_else(|| panic!("preset {preset} exists"));
	config_from_patch(serde_json::from_slice(&patch).unwrap())
}

/// The default genesis config with `patch` over it.
fn config_from_patch(patch: Value) -> RuntimeGenesisConfig {
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, patch);
	serde_json::from_value(config).expect("the patch is a valid genesis config")
}

fn ext(preset: &str) -> sp_io::TestExternalities {
	genesis_config(preset).build_storage().expect("genesis builds").into()
}

#[test]
fn every_preset_is_listed_and_builds() {
	let names = genesis_config_presets::preset_names();
	assert_eq!(names.len(), 3);
	for name in names {
		let name: &[u8] = name.as_ref();
		let name = String::from_utf8(name.to_vec()).unwrap();
		ext(&name).execute_with(|| {
			assert_eq!(System::block_hash(0), H256::repeat_byte(69), "genesis state built");
		});
	}
	assert!(genesis_config_presets::get_preset(&PresetId::from("no-such-preset")).is_none());
}

#[test]
fn development_preset_has_one_authority_and_funded_dev_accounts() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_authorities(1);
		assert_eq!(pallet_collective::Members::<Runtime, CouncilCollective>::get().len(), 3);
		for account in Sr25519Keyring::well_known() {
			// Free plus held: Alice's user deposit is held, not spent.
			assert_eq!(Balances::total_balance(&account.to_account_id()), DEV_ACCOUNT_BALANCE);
		}
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
	});
}

#[test]
fn local_testnet_preset_has_four_authorities() {
	ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_authorities(4);
		assert_eq!(pallet_collective::Members::<Runtime, CouncilCollective>::get().len(), 4);
		assert_eq!(
			pallet_consortium::SessionPeriod::<Runtime>::get(),
			genesis_config_presets::LOCAL_SESSION_PERIOD
		);
	});
}

/// The consortium's validators are the session's, and Aura, GRANDPA and BEEFY got their
/// session keys; the BEEFY MMR leaf commits to the same set.
fn assert_authorities(n: usize) {
	let validators = pallet_consortium::Validators::<Runtime>::get();
	assert_eq!(validators.len(), n);
	assert_eq!(pallet_session::Validators::<Runtime>::get(), validators.into_inner());
	assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), n);
	assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), n);
	assert_eq!(pallet_beefy::Authorities::<Runtime>::get().len(), n);
	assert_eq!(pallet_beefy::GenesisBlock::<Runtime>::get(), Some(1));
	assert_eq!(pallet_beefy_mmr::BeefyNextAuthorities::<Runtime>::get().len, n as u32);
}

/// Signs `call` as `signer` the way a wallet does, against the given genesis hash.
fn signed(call: RuntimeCall, signer: Sr25519Keyring, nonce: u32) -> UncheckedExtrinsic {
	let genesis_hash = System::block_hash(0);
	let extension: TxExtension = (
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		pallet_revive::evm::tx_extension::SetOrigin::default(),
		frame_system::WeightReclaim::new(),
	);
	let version = paratii_runtime::VERSION;
	let implicit = (
		(),
		version.spec_version,
		version.transaction_version,
		genesis_hash,
		genesis_hash,
		(),
		(),
		(),
		None,
		(),
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	// pallet-revive's extrinsic wraps the generic one (to admit `eth_transact`).
	pallet_revive::evm::runtime::UncheckedExtrinsic(
		sp_runtime::generic::UncheckedExtrinsic::new_signed(
			call,
			<Runtime as frame_system::Config>::Lookup::unlookup(signer.to_account_id()),
			signature.into(),
			extension,
		),
	)
}

fn start_block(number: u32) {
	let header = paratii_runtime::Header::new(
		number,
		H256::zero(),
		H256::zero(),
		System::parent_hash(),
		Default::default(),
	);
	Executive::initialize_block(&header);
}

#[test]
fn balance_transfer_charges_a_fee_in_pti() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		// `block_hash(0)` is the genesis hash the extension checks against.
		frame_system::BlockHash::<Runtime>::insert(0, H256::repeat_byte(7));
		start_block(1);

		let alice: AccountId = Sr25519Keyring::Alice.to_account_id();
		let bob: AccountId = Sr25519Keyring::Bob.to_account_id();
		let amount = 10 * PTI;
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: bob.clone().into(),
			value: amount,
		});
		let xt = signed(call, Sr25519Keyring::Alice, 0);
		let len = xt.encoded_size() as u32;
		// The quote covers the call and the transaction extensions' weight.
		let expected_fee = TransactionPayment::compute_fee(len, &xt.get_dispatch_info(), 0);

		let alice_before = Balances::balance(&alice);
		let bob_before = Balances::balance(&bob);
		Executive::apply_extrinsic(xt).expect("valid").expect("dispatched");

		let fee = alice_before - amount - Balances::balance(&alice);
		assert_eq!(Balances::balance(&bob), bob_before + amount);
		assert!(fee > 0, "a transfer costs PTI");
		// Weight reclaim may refund unused weight, never charge more than quoted.
		assert!(fee <= expected_fee, "fee {fee} exceeds the quoted {expected_fee}");
		// About a thousandth of a PTI: fees are meaningful but small.
		assert!(fee > PTI / 100_000 && fee < PTI / 100, "fee {fee} out of the expected range");
		System::assert_has_event(
			pallet_transaction_payment::Event::TransactionFeePaid {
				who: alice.clone(),
				actual_fee: fee,
				tip: 0,
			}
			.into(),
		);
	});
}

#[test]
fn transfer_with_a_bad_signature_is_rejected_and_changes_nothing() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		frame_system::BlockHash::<Runtime>::insert(0, H256::repeat_byte(7));
		start_block(1);
		let bob: AccountId = Sr25519Keyring::Bob.to_account_id();
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: bob.clone().into(),
			value: PTI,
		});
		// Signed by Bob's key but claiming to come from Alice.
		let mut xt = signed(call, Sr25519Keyring::Bob, 0);
		if let sp_runtime::generic::Preamble::Signed(address, _, _) = &mut xt.0.preamble {
			*address = <Runtime as frame_system::Config>::Lookup::unlookup(
				Sr25519Keyring::Alice.to_account_id(),
			);
		}
		let before = Balances::balance(&Sr25519Keyring::Alice.to_account_id());
		assert!(Executive::apply_extrinsic(xt).is_err());
		assert_eq!(Balances::balance(&Sr25519Keyring::Alice.to_account_id()), before);
	});
}

#[test]
fn metadata_lists_the_runtime_pallets() {
	use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
	// What clients read: the SCALE-encoded metadata the `Metadata` runtime API returns
	// (built against chain state: pallet-revive's storage defaults read the fee multiplier).
	let bytes =
		ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| Runtime::metadata().encode());
	let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).expect("valid metadata");
	let RuntimeMetadata::V14(metadata) = prefixed.1 else { panic!("metadata v14 expected") };
	let names: Vec<&str> = metadata.pallets.iter().map(|p| p.name.as_str()).collect();
	for pallet in [
		"System",
		"Timestamp",
		"Aura",
		"Grandpa",
		"Balances",
		"TransactionPayment",
		"Sudo",
		"Authorship",
		"Consortium",
		"Session",
		"Council",
		"CouncilMembership",
		"Beefy",
		"Mmr",
		"BeefyMmrLeaf",
		"Topology",
		"Users",
		"Media",
		"Treasury",
		"Pti",
		"Bridge",
		"AdExchange",
		"Revive",
	] {
		assert!(names.contains(&pallet), "{pallet} missing from metadata: {names:?}");
	}
}

/// The metadata the off-chain services are generated from (`services/client`) must
/// be the runtime's, so a runtime change breaks their build instead of production.
/// `scripts/update-metadata.sh` rewrites the file.
#[test]
fn service_metadata_matches_the_runtime() {
	let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../services/client/metadata/paratii.scale");
	let bytes = ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		// The newest stable metadata version (u32::MAX marks the unstable one).
		let version = Runtime::metadata_versions()
			.into_iter()
			.filter(|v| *v != u32::MAX)
			.max()
			.expect("the runtime has metadata versions");
		let opaque = Runtime::metadata_at_version(version).expect("a listed version exists");
		// The bytes `state_getMetadata` returns: the prefixed metadata, no length.
		Vec::<u8>::decode(&mut &opaque.encode()[..]).expect("OpaqueMetadata is a Vec<u8>")
	});
	if std::env::var_os("PARATII_WRITE_METADATA").is_some() {
		std::fs::write(&path, &bytes).expect("writing the services' metadata");
	}
	let committed = std::fs::read(&path).unwrap_or_default();
	assert!(
		committed == bytes,
		"{} is not the runtime's metadata ({} bytes committed, {} now): run \
		 scripts/update-metadata.sh and rebuild the services",
		path.display(),
		committed.len(),
		bytes.len()
	);
}

#[test]
fn the_runtime_wasm_is_built() {
	let wasm = paratii_runtime::WASM_BINARY.expect("the wasm runtime is built with the crate");
	assert!(wasm.len() > 100_000, "wasm suspiciously small: {} bytes", wasm.len());
}

// ---------------------------------------------------------------- media domain

use paratii_runtime::{
	genesis_config_presets::{DEV_CLUSTER_1_KEY, DEV_CLUSTER_2_KEY},
	Media, RuntimeOrigin, Topology,
};

#[test]
fn dev_cluster_keys_are_the_documented_dev_seed_derivations() {
	use sp_core::{ed25519, Pair};
	let key = |uri: &str| ed25519::Pair::from_string(uri, None).unwrap().public().0;
	assert_eq!(key("//Cluster1"), DEV_CLUSTER_1_KEY);
	assert_eq!(key("//Cluster2"), DEV_CLUSTER_2_KEY);
}

#[test]
fn development_preset_has_two_clusters_and_alice_as_a_user() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (_, ring) = Topology::ring();
		assert_eq!(
			ring.iter().map(|c| c.public_key).collect::<Vec<_>>(),
			vec![DEV_CLUSTER_1_KEY, DEV_CLUSTER_2_KEY]
		);
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert!(pallet_users::Users::<Runtime>::contains_key(&alice));
		assert_eq!(
			Balances::balance(&alice),
			DEV_ACCOUNT_BALANCE - <Runtime as pallet_users::Config>::UserDeposit::get()
		);
	});
}

#[test]
fn media_registers_on_the_real_runtime_with_dev_cluster_receipts() {
	use frame_support::traits::Get;
	use sp_core::{ed25519, Pair};
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let content_hash = H256(sp_io::hashing::sha2_256(b"a picture"));
		let size = 9u64;
		let genesis = System::block_hash(0);
		let now = 1_700_000_000_000u64;
		pallet_timestamp::Now::<Runtime>::put(now);
		let receipts = ["//Cluster1", "//Cluster2"]
			.iter()
			.enumerate()
			.map(|(id, uri)| {
				let message = paratii_primitives::receipt_message(
					&genesis,
					id as u32,
					&content_hash,
					size,
					&alice,
					now,
				);
				assert_eq!(message.len(), 134);
				pallet_media::StorageReceipt {
					cluster: id as u32,
					issued_at: now,
					signature: ed25519::Pair::from_string(uri, None).unwrap().sign(&message).0,
				}
			})
			.collect::<Vec<_>>();
		let replication_factor: u32 = <Runtime as pallet_media::Config>::ReplicationFactor::get();
		assert_eq!(replication_factor, paratii_runtime::configs::REPLICATION_FACTOR);
		frame_support::assert_ok!(Media::register_media(
			RuntimeOrigin::signed(alice.clone()),
			b"a picture".to_vec(),
			None,
			None,
			vec![pallet_media::ObjectInput {
				kind: pallet_media::ObjectKind::Original,
				content_hash,
				size,
				receipts,
			}],
		));
		let proof = Media::proof_of_existence(content_hash).expect("registered");
		assert_eq!((proof.media_id, proof.owner, proof.clusters), (0, alice, vec![0, 1]));
	});
}

/// Media registrations per second the runtime's weights must leave room for, at 2 objects x
/// 2 receipts each: a block must hold `target x block time` of them, so one may be charged at
/// most the block's normal-class budget divided by that many. The throughput issue's goal is 1,000/s; the
/// weights measured on the release node allow the figure below (README, "Throughput"), and the
/// test fails if a weight regeneration or a heavier `register_media` drops under it.
const MEDIA_REGISTRATIONS_PER_SECOND: u64 = 120;

#[test]
fn register_media_fits_the_per_second_target_share_of_a_block() {
	use frame_support::dispatch::DispatchClass;
	use pallet_media::WeightInfo;
	let block = paratii_runtime::configs::RuntimeBlockWeights::get();
	let normal = block.get(DispatchClass::Normal);
	let budget = normal.max_total.expect("the normal class is limited");
	let per_block = MEDIA_REGISTRATIONS_PER_SECOND * paratii_runtime::MILLI_SECS_PER_BLOCK / 1000;
	let share = budget.ref_time() / per_block;
	// What one registration is charged: the call's benchmarked weight, the transaction
	// extensions' (signature-independent checks, fee payment) and the extrinsic base weight.
	let call = <Runtime as pallet_media::Config>::WeightInfo::register_media(2, 2);
	let extensions = ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		signed(remark, Sr25519Keyring::Alice, 0).get_dispatch_info().extension_weight
	});
	let charged = call.saturating_add(extensions).saturating_add(normal.base_extrinsic);
	println!(
		"register_media(2 objects, 2 receipts): call {} µs + extensions {} µs + base {} µs = {} µs; \
		 share at {MEDIA_REGISTRATIONS_PER_SECOND}/s: {} µs; {} fit in a block's normal class",
		call.ref_time() / 1_000_000,
		extensions.ref_time() / 1_000_000,
		normal.base_extrinsic.ref_time() / 1_000_000,
		charged.ref_time() / 1_000_000,
		share / 1_000_000,
		budget.ref_time() / charged.ref_time(),
	);
	assert!(
		charged.ref_time() <= share,
		"register_media is charged {} µs, over the {} µs a block can give each of \
		 {MEDIA_REGISTRATIONS_PER_SECOND} registrations per second",
		charged.ref_time() / 1_000_000,
		share / 1_000_000,
	);
}

// ---------------------------------------------------------------- EVM (pallet-revive)

use pallet_revive::AddressMapper;
use paratii_runtime::genesis_config_presets::{eth_account, ETH_DEV_ACCOUNTS};

type Mapper = <Runtime as pallet_revive::Config>::AddressMapper;

#[test]
fn the_pallets_pass_their_integrity_tests() {
	// pallet-revive checks its fee wiring here: a non-zero gas price, BlockRatioFee
	// coefficients, memory limits that fit the runtime.
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		use frame_support::traits::IntegrityTest;
		paratii_runtime::AllPalletsWithSystem::integrity_test();
	});
}

#[test]
fn development_preset_funds_the_hardhat_dev_keys() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		for address in ETH_DEV_ACCOUNTS {
			let account = eth_account(address);
			assert_eq!(Balances::total_balance(&account), DEV_ACCOUNT_BALANCE);
			// An Ethereum key's account maps back to its own address.
			assert_eq!(Mapper::to_address(&account).0, address);
			assert_eq!(
				pallet_revive::Pallet::<Runtime>::evm_balance(&address.into()),
				(DEV_ACCOUNT_BALANCE - paratii_runtime::EXISTENTIAL_DEPOSIT).into(),
				"eth_getBalance shows the spendable PTI, 1:1 with wei"
			);
		}
	});
	// Only the development preset carries the (public) Hardhat keys.
	ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(Balances::total_balance(&eth_account(ETH_DEV_ACCOUNTS[0])), 0);
	});
}

#[test]
fn substrate_accounts_are_mapped_to_h160_automatically() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		// Genesis accounts were mapped when they were created.
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert!(Mapper::is_mapped(&alice));
		let h160 = Mapper::to_address(&alice);
		assert_eq!(Mapper::to_account_id(&h160), alice, "Alice's H160 leads back to her");

		// So is an account created later by a transfer, and it is unmapped when reaped.
		start_block(1);
		let newcomer: AccountId = Sr25519Keyring::One.to_account_id();
		assert!(!Mapper::is_mapped(&newcomer));
		assert!(Balances::transfer_keep_alive(
			RuntimeOrigin::signed(alice.clone()),
			newcomer.clone().into(),
			PTI
		)
		.is_ok());
		assert!(Mapper::is_mapped(&newcomer));
		assert!(Balances::transfer_all(
			RuntimeOrigin::signed(newcomer.clone()),
			alice.into(),
			false
		)
		.is_ok());
		assert!(!Mapper::is_mapped(&newcomer));
	});
}

#[test]
fn the_gas_price_is_a_flat_100_gwei_and_the_chain_id_is_ours() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(
			pallet_revive::Pallet::<Runtime>::evm_base_fee(),
			(100u64 * 1_000_000_000).into()
		);
		assert_eq!(
			<<Runtime as pallet_revive::Config>::ChainId as Get<u64>>::get(),
			paratii_runtime::configs::CHAIN_ID
		);
		assert_eq!(paratii_runtime::configs::CHAIN_ID, 7_272_844);
	});
}

mod consortium {
	use super::*;
	use codec::Encode;
	use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
	use paratii_runtime::{Consortium, Council, RuntimeOrigin, Session, SessionKeys};
	use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
	use sp_runtime::{traits::Hash as _, DispatchError};

	fn local() -> sp_io::TestExternalities {
		let mut ext = ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET);
		ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
		ext
	}

	/// `who` generates session keys in the keystore and registers them with the
	/// ownership proof, as `author_rotateKeysWithOwner` + `session.setKeys` do.
	fn set_keys(who: &AccountId) {
		let generated = SessionKeys::generate(&who.encode(), None);
		assert_ok!(Session::set_keys(
			RuntimeOrigin::signed(who.clone()),
			generated.keys,
			generated.proof.encode()
		));
	}

	#[test]
	fn a_council_motion_admits_a_validator_and_anyone_else_gets_bad_origin() {
		local().execute_with(|| {
			System::set_block_number(1);
			let eve = Sr25519Keyring::Eve.to_account_id();
			set_keys(&eve);

			// Neither a council member alone nor Eve herself may add a validator.
			for who in [Sr25519Keyring::Alice, Sr25519Keyring::Eve] {
				assert_noop!(
					Consortium::add_validator(
						RuntimeOrigin::signed(who.to_account_id()),
						eve.clone()
					),
					DispatchError::BadOrigin
				);
			}

			// A motion of more than half of the four members: proposed by Alice, with Bob's
			// and Charlie's votes, closed by anyone.
			let proposal: RuntimeCall =
				pallet_consortium::Call::add_validator { who: eve.clone() }.into();
			let length = proposal.encoded_size() as u32;
			let weight = proposal.get_dispatch_info().call_weight;
			let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&proposal);
			assert_ok!(Council::propose(
				RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
				3,
				Box::new(proposal),
				length
			));
			for who in [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
				assert_ok!(Council::vote(
					RuntimeOrigin::signed(who.to_account_id()),
					hash,
					0,
					true
				));
			}
			assert_ok!(Council::close(
				RuntimeOrigin::signed(Sr25519Keyring::Ferdie.to_account_id()),
				hash,
				0,
				weight,
				length
			));
			assert!(pallet_consortium::Validators::<Runtime>::get().contains(&eve));
			assert!(System::events().iter().any(|r| matches!(
				&r.event,
				paratii_runtime::RuntimeEvent::Consortium(pallet_consortium::Event::ValidatorAdded { who })
					if *who == eve
			)));
			// Her operator has a seat on the council now, and loses it with her removal.
			let council = || {
				pallet_collective::Members::<Runtime, paratii_runtime::configs::CouncilCollective>::get()
			};
			assert!(council().contains(&eve));
			assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), eve.clone()));
			assert!(!council().contains(&eve));
			assert_eq!(council().len(), 4);
		});
	}

	#[test]
	fn the_last_validator_of_the_dev_chain_cannot_be_removed() {
		ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			assert_noop!(
				Consortium::remove_validator(
					RuntimeOrigin::root(),
					Sr25519Keyring::Alice.to_account_id()
				),
				pallet_consortium::Error::<Runtime>::TooFewValidators
			);
		});
	}
}

// ---------------------------------------------------------------- governance without sudo

use paratii_runtime::{Council, RuntimeEvent};

/// Runs `call` as a council motion: `proposer` proposes it, the other `ayes` vote for
/// it, and it is closed, as members do from polkadot.js. Whether the call was executed
/// and succeeded.
fn council_motion(call: RuntimeCall, proposer: Sr25519Keyring, ayes: &[Sr25519Keyring]) -> bool {
	let members = pallet_collective::Members::<Runtime, CouncilCollective>::get().len() as u32;
	// Two thirds of the council, rounded up.
	let threshold = (2 * members).div_ceil(3);
	let length = call.encoded_size() as u32;
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let index = pallet_collective::ProposalCount::<Runtime, CouncilCollective>::get();
	frame_support::assert_ok!(Council::propose(
		RuntimeOrigin::signed(proposer.to_account_id()),
		threshold,
		Box::new(call.clone()),
		length,
	));
	// The proposer and the `ayes` vote for it, every other member against.
	for member in pallet_collective::Members::<Runtime, CouncilCollective>::get() {
		let aye =
			member == proposer.to_account_id() || ayes.iter().any(|a| a.to_account_id() == member);
		frame_support::assert_ok!(Council::vote(RuntimeOrigin::signed(member), hash, index, aye));
	}
	frame_support::assert_ok!(Council::close(
		RuntimeOrigin::signed(proposer.to_account_id()),
		hash,
		index,
		call.get_dispatch_info().call_weight,
		length,
	));
	System::events().iter().any(|r| {
		matches!(
			&r.event,
			RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result: Ok(()) })
				if *proposal_hash == hash
		)
	})
}

use sp_runtime::traits::{Dispatchable, Hash as _};

/// A production chain of the four dev validators: no sudo key at all.
fn production_ext() -> sp_io::TestExternalities {
	let authorities = [
		(Sr25519Keyring::Alice, sp_keyring::Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, sp_keyring::Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, sp_keyring::Ed25519Keyring::Charlie),
		(Sr25519Keyring::Dave, sp_keyring::Ed25519Keyring::Dave),
	]
	.map(|(aura, grandpa)| genesis_config_presets::Authority::dev(aura, grandpa));
	let balances = authorities.iter().map(|a| (a.account.clone(), 1_000 * PTI)).collect();
	let patch = genesis_config_presets::production_config_genesis(&authorities, balances);
	let mut ext: sp_io::TestExternalities =
		config_from_patch(patch).build_storage().unwrap().into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

#[test]
fn production_preset_has_no_sudo_no_dev_accounts_and_a_minimum_of_three() {
	ext(genesis_config_presets::PRODUCTION_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		assert_eq!(
			pallet_consortium::MinimumValidators::<Runtime>::get(),
			paratii_runtime::configs::PRODUCTION_MIN_VALIDATORS
		);
		const { assert!(paratii_runtime::configs::PRODUCTION_MIN_VALIDATORS >= 3) };
		assert_eq!(
			pallet_consortium::SessionPeriod::<Runtime>::get(),
			genesis_config_presets::PRODUCTION_SESSION_PERIOD
		);
		for account in Sr25519Keyring::well_known() {
			assert_eq!(Balances::total_balance(&account.to_account_id()), 0);
		}
		assert!(pallet_topology::Clusters::<Runtime>::iter().next().is_none());
		assert!(!pallet_users::Users::<Runtime>::contains_key(
			Sr25519Keyring::Alice.to_account_id()
		));
	});
	production_ext().execute_with(|| {
		assert_authorities(4);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		// The council is the validators' operators.
		assert_eq!(
			pallet_collective::Members::<Runtime, CouncilCollective>::get(),
			pallet_consortium::Validators::<Runtime>::get().into_inner()
		);
		// Not even a two-thirds motion lowers the minimum below the genesis floor of 3
		// (the runtime's own floor is 1, for dev chains).
		let lower =
			|count| RuntimeCall::Consortium(pallet_consortium::Call::set_min_validators { count });
		assert_eq!(paratii_runtime::configs::MIN_VALIDATORS, 1);
		assert!(!council_motion(
			lower(2),
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		));
		assert_eq!(pallet_consortium::MinimumValidators::<Runtime>::get(), 3);
		assert!(council_motion(
			lower(4),
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		));
		assert_eq!(pallet_consortium::MinimumValidators::<Runtime>::get(), 4);
	});
}

#[test]
#[should_panic(expected = "fewer genesis validators than min_validators")]
fn production_genesis_refuses_fewer_than_three_validators() {
	let authorities = [genesis_config_presets::Authority::dev(
		Sr25519Keyring::Alice,
		sp_keyring::Ed25519Keyring::Alice,
	)];
	let patch = genesis_config_presets::production_config_genesis(&authorities, Vec::new());
	let _ = config_from_patch(patch).build_storage();
}

#[test]
fn a_council_motion_registers_a_storage_cluster_and_manages_view_recorders() {
	production_ext().execute_with(|| {
		let operator = Sr25519Keyring::Eve.to_account_id();
		let register = RuntimeCall::Topology(pallet_topology::Call::register_cluster {
			operator: operator.clone(),
			public_key: DEV_CLUSTER_1_KEY,
			endpoint: b"https://cluster-1.example".to_vec(),
			capacity_bytes: 1 << 40,
		});
		// A signed account, even a council member, cannot.
		assert!(register.clone().dispatch(RuntimeOrigin::signed(operator.clone())).is_err());
		// Half of the council (2 of 4) is not enough...
		assert!(!council_motion(register.clone(), Sr25519Keyring::Alice, &[Sr25519Keyring::Bob]));
		assert!(pallet_topology::Clusters::<Runtime>::get(0).is_none());
		// ...two thirds (3 of 4) is.
		assert!(council_motion(
			register,
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		));
		assert_eq!(pallet_topology::Clusters::<Runtime>::get(0).unwrap().operator, operator);

		let status = RuntimeCall::Topology(pallet_topology::Call::set_cluster_status {
			cluster_id: 0,
			status: pallet_topology::ClusterStatus::Draining,
		});
		assert!(council_motion(
			status,
			Sr25519Keyring::Bob,
			&[Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
		));
		assert_eq!(
			pallet_topology::Clusters::<Runtime>::get(0).unwrap().status,
			pallet_topology::ClusterStatus::Draining
		);

		let recorder =
			RuntimeCall::Users(pallet_users::Call::add_view_recorder { who: operator.clone() });
		assert!(council_motion(
			recorder,
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Dave]
		));
		assert!(pallet_users::ViewRecorders::<Runtime>::contains_key(&operator));
	});
}

/// Reads a runtime's version the way the executor does, for a code blob that stands for
/// the next release: this runtime's version with `spec_version + 1`.
struct NextRelease;
impl sp_core::traits::ReadRuntimeVersion for NextRelease {
	fn read_runtime_version(
		&self,
		_wasm_code: &[u8],
		_ext: &mut dyn sp_core::traits::Externalities,
	) -> Result<Vec<u8>, String> {
		let mut version = paratii_runtime::VERSION;
		version.spec_version += 1;
		Ok(version.encode())
	}
}

#[test]
fn the_council_upgrades_the_runtime_through_the_whitelist_without_sudo() {
	let mut ext = production_ext();
	ext.register_extension(sp_core::traits::ReadRuntimeVersionExt::new(NextRelease));
	ext.execute_with(|| {
		let code = paratii_runtime::WASM_BINARY.expect("built").to_vec();
		let code_hash = <Runtime as frame_system::Config>::Hashing::hash(&code);
		let authorize = RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash });
		// A motion cannot call a root-only function directly...
		assert!(!council_motion(
			authorize.clone(),
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		));
		let authorized = || {
			System::events().iter().any(|r| {
				matches!(
					&r.event,
					RuntimeEvent::System(frame_system::Event::UpgradeAuthorized { code_hash: h, check_version: true })
						if *h == code_hash
				)
			})
		};
		assert!(!authorized());

		// ...so one motion whitelists the call's hash, a second dispatches it as root.
		let call_hash = <Runtime as frame_system::Config>::Hashing::hash_of(&authorize);
		assert!(council_motion(
			RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash }),
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		));
		assert!(council_motion(
			RuntimeCall::Whitelist(pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
				call: Box::new(authorize),
			}),
			Sr25519Keyring::Bob,
			&[Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
		));
		assert!(authorized());

		// Anyone may now apply the authorized code; only that code is accepted.
		let apply = |code: Vec<u8>| {
			RuntimeCall::System(frame_system::Call::apply_authorized_upgrade { code })
				.dispatch(RuntimeOrigin::none())
		};
		assert!(apply(b"other code".to_vec()).is_err());
		frame_support::assert_ok!(apply(code.clone()));
		assert_eq!(sp_io::storage::get(sp_core::storage::well_known_keys::CODE).unwrap().to_vec(), code);
		System::assert_has_event(RuntimeEvent::System(frame_system::Event::CodeUpdated {
			hash: code_hash,
		}));
		assert!(pallet_sudo::Key::<Runtime>::get().is_none(), "no sudo involved");
	});
}

#[test]
fn session_purge_keys_is_filtered_and_the_consortium_refuses_validators() {
	production_ext().execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let purge = RuntimeCall::Session(pallet_session::Call::purge_keys {});
		let err = purge.dispatch(RuntimeOrigin::signed(alice.clone())).unwrap_err().error;
		assert_eq!(err, frame_system::Error::<Runtime>::CallFiltered.into());
		frame_support::assert_noop!(
			paratii_runtime::Consortium::purge_keys(RuntimeOrigin::signed(alice.clone())),
			pallet_consortium::Error::<Runtime>::StillValidator
		);
		assert!(pallet_session::NextKeys::<Runtime>::get(&alice).is_some());
	});
}

#[test]
fn block_coinbase_is_the_authors_account_even_when_its_keys_differ() {
	use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
	use sp_runtime::{generic::Digest, DigestItem};
	production_ext().execute_with(|| {
		// Validators' Aura keys that are not their accounts' keys (as on a real chain,
		// where operators generate session keys on the node).
		let keys: Vec<sp_consensus_aura::sr25519::AuthorityId> =
			(0..4u8).map(|i| sp_core::sr25519::Public::from_raw([i + 1; 32]).into()).collect();
		pallet_aura::Authorities::<Runtime>::put(
			frame_support::BoundedVec::try_from(keys).unwrap(),
		);
		let validators = pallet_session::Validators::<Runtime>::get();
		for slot in 0..4u64 {
			let digest = Digest {
				logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())],
			};
			System::initialize(&(2 + slot as u32), &System::parent_hash(), &digest);
			let author = &validators[(slot % 4) as usize];
			assert_eq!(
				pallet_revive::Pallet::<Runtime>::block_author(),
				Mapper::to_address(author)
			);
		}
	});
}

#[test]
fn block_coinbase_on_a_rotation_block_is_the_author_of_the_set_that_authored_it() {
	use frame_support::traits::OnInitialize;
	use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
	use sp_runtime::{generic::Digest, DigestItem};
	production_ext().execute_with(|| {
		let before = pallet_session::Validators::<Runtime>::get();
		assert_eq!(before.len(), 4);
		// The set queued a session ago lacks the fourth validator, and the session ends
		// with the next block.
		let mut queued = pallet_session::QueuedKeys::<Runtime>::get();
		queued.retain(|(validator, _)| *validator != before[3]);
		pallet_session::QueuedKeys::<Runtime>::put(queued);
		pallet_session::QueuedChanged::<Runtime>::put(true);
		let number = System::block_number() + 1;
		pallet_consortium::NextSessionAt::<Runtime>::put(number);
		// Slot 3: the fourth validator's in the set that authors this block.
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(3u64).encode())],
		};
		System::initialize(&number, &System::parent_hash(), &digest);
		paratii_runtime::AllPalletsWithSystem::on_initialize(number);
		let after = pallet_session::Validators::<Runtime>::get();
		assert_eq!(after.len(), 3, "the session rotated in this block");
		// The slot indexes someone else in the new set; the author is still the fourth.
		assert_ne!(after[3 % after.len()], before[3]);
		assert_eq!(
			pallet_revive::Pallet::<Runtime>::block_author(),
			Mapper::to_address(&before[3])
		);
	});
}

#[test]
fn purchases_pay_thirty_percent_to_the_treasury_which_the_council_spends() {
	use paratii_runtime::{configs::TreasuryAccount, Pti, Treasury};
	production_ext().execute_with(|| {
		let (alice, bob) =
			(Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id());
		assert_eq!(
			pallet_pti::RedistributionShare::<Runtime>::get(),
			sp_runtime::Perbill::from_percent(30)
		);
		assert!(
			pallet_pti::CurrentDistributor::<Runtime>::get().is_none(),
			"production: the council sets one"
		);
		let fund = TreasuryAccount::get();
		assert_eq!(fund, Treasury::account_id());
		assert!(
			Balances::balance(&fund) >= Balances::minimum_balance(),
			"the pot exists from genesis"
		);

		let media =
			<paratii_runtime::Media as paratii_primitives::MediaOwnership<AccountId>>::active_owner(
				0,
			);
		assert!(media.is_none());
		// A media item of Alice's, priced at 10 PTI, bought by Bob.
		insert_media(0, &alice, 0);
		frame_support::assert_ok!(Pti::set_price(
			RuntimeOrigin::signed(alice.clone()),
			0,
			Some(10 * PTI)
		));
		let (alice_before, fund_before) = (Balances::balance(&alice), Balances::balance(&fund));
		let issuance = Balances::total_issuance();
		frame_support::assert_ok!(Pti::buy(RuntimeOrigin::signed(bob.clone()), 0, 10 * PTI));
		assert_eq!(Balances::balance(&alice) - alice_before, 7 * PTI);
		assert_eq!(Balances::balance(&fund) - fund_before, 3 * PTI);
		assert_eq!(Balances::total_issuance(), issuance);
		// Deleting the item takes it off sale; the purchase stays on record.
		frame_support::assert_ok!(paratii_runtime::Media::delete_media(
			RuntimeOrigin::signed(alice.clone()),
			0
		));
		assert_eq!(pallet_pti::Prices::<Runtime>::get(0), None);
		assert!(pallet_pti::Purchases::<Runtime>::contains_key(0, &bob));

		// Nobody but the council spends the fund.
		let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: PTI,
			beneficiary: Box::new(Sr25519Keyring::Ferdie.to_account_id()),
			valid_from: None,
		});
		assert!(spend.clone().dispatch(RuntimeOrigin::signed(alice.clone())).is_err());
		assert!(council_motion(
			spend,
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		));
		frame_support::assert_ok!(Treasury::payout(RuntimeOrigin::signed(bob), 0));
		assert_eq!(Balances::balance(&Sr25519Keyring::Ferdie.to_account_id()), PTI);
	});
}

#[test]
fn the_dev_distributor_claims_pot_is_funded_and_its_key_is_the_documented_one() {
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (account, key) = genesis_config_presets::dev_distributor();
		let distributor =
			pallet_pti::CurrentDistributor::<Runtime>::get().expect("a dev distributor");
		assert_eq!((distributor.account, distributor.key), (account, key));
		assert_eq!(
			key,
			sp_core::Pair::public(
				&<sp_core::sr25519::Pair as sp_core::Pair>::from_string("//Distributor", None)
					.unwrap()
			)
		);
		assert_eq!(
			Balances::balance(&pallet_pti::Pallet::<Runtime>::claims_pot()),
			genesis_config_presets::DEV_CLAIMS_POT
		);
	});
}

// ---------------------------------------------------------------- precompiles

use pallet_revive::precompiles::alloy::{
	primitives::{Address, U256 as EvmU256},
	sol_types::{Revert, SolCall, SolError},
};
use paratii_runtime::precompiles::{IMediaProofs, IPTI, MEDIA_PROOFS_ADDRESS, PTI_ERC20_ADDRESS};

/// Calls a precompile from `from` as a Substrate-signed `revive.call` would: what it
/// answered, and the weight it consumed.
fn bare_call_precompile(
	from: Sr25519Keyring,
	precompile: [u8; 20],
	data: Vec<u8>,
) -> (pallet_revive::ExecReturnValue, u64) {
	let result = pallet_revive::Pallet::<Runtime>::bare_call(
		RuntimeOrigin::signed(from.to_account_id()),
		precompile.into(),
		Default::default(),
		pallet_revive::TransactionLimits::WeightAndDeposit {
			weight_limit: frame_support::weights::Weight::from_parts(500_000_000_000, 10_000_000),
			deposit_limit: PTI,
		},
		data,
		&pallet_revive::ExecConfig::new_substrate_tx(),
	);
	(result.result.expect("the precompile executes"), result.weight_consumed.ref_time())
}

/// What a precompile answered `from`.
fn call_precompile(
	from: Sr25519Keyring,
	precompile: [u8; 20],
	data: Vec<u8>,
) -> pallet_revive::ExecReturnValue {
	bare_call_precompile(from, precompile, data).0
}

/// The weight a successful precompile call consumes (its charges, and what every call
/// costs).
fn precompile_weight(from: Sr25519Keyring, precompile: [u8; 20], data: Vec<u8>) -> u64 {
	let (output, weight) = bare_call_precompile(from, precompile, data);
	assert!(!output.did_revert(), "the call succeeds");
	weight
}

#[test]
fn precompiles_charge_every_read_and_write_and_emit_what_they_store() {
	use pallet_balances::WeightInfo as _;
	use Sr25519Keyring::{Alice, Bob, Charlie};
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		start_block(1);
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		// A precompile call consumes what it charges (plus, for a transfer, its event).
		let allowance =
			IPTI::allowanceCall { owner: evm_address(Alice), spender: evm_address(Charlie) };
		// Two addresses mapped to accounts, and the allowance.
		let charged = precompile_weight(Bob, PTI_ERC20_ADDRESS, allowance.abi_encode());
		assert!(charged >= db.reads(3).ref_time(), "allowance: {charged}");
		// The buyer's address mapped, and the purchase.
		let bought = IMediaProofs::hasPurchasedCall { mediaId: 0, buyer: evm_address(Alice) };
		let charged = precompile_weight(Bob, MEDIA_PROOFS_ADDRESS, bought.abi_encode());
		assert!(charged >= db.reads(2).ref_time(), "hasPurchased: {charged}");
		// A transfer that creates the receiver's account writes its address mapping too.
		let fresh = Address::repeat_byte(0x77);
		let transfer = IPTI::transferCall { to: fresh, value: EvmU256::from(PTI) };
		let charged = precompile_weight(Alice, PTI_ERC20_ADDRESS, transfer.abi_encode());
		let expected = <Runtime as pallet_balances::Config>::WeightInfo::transfer_keep_alive()
			+ db.reads_writes(2, 1);
		assert!(charged >= expected.ref_time(), "transfer: {charged} < {expected:?}");

		// An approval above the largest balance is stored as the largest balance: the
		// Approval event says so, as `allowance` does.
		System::reset_events();
		assert!(erc20(Alice, IPTI::approveCall { spender: evm_address(Bob), value: EvmU256::MAX }));
		let stored = EvmU256::from(u128::MAX);
		assert_eq!(
			erc20(
				Bob,
				IPTI::allowanceCall { owner: evm_address(Alice), spender: evm_address(Bob) }
			),
			stored
		);
		let emitted = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::Revive(pallet_revive::Event::ContractEmitted { data, .. }) => {
					Some(data)
				},
				_ => None,
			})
			.expect("an Approval event");
		assert_eq!(EvmU256::from_be_slice(&emitted), stored);
	});
}

fn evm_address(who: Sr25519Keyring) -> Address {
	Address::from(Mapper::to_address(&who.to_account_id()).0)
}

fn revert_reason(output: &pallet_revive::ExecReturnValue) -> String {
	assert!(output.did_revert(), "the call reverts");
	Revert::abi_decode(&output.data).expect("a revert with a reason").reason
}

fn erc20<C: SolCall>(from: Sr25519Keyring, call: C) -> C::Return {
	let output = call_precompile(from, PTI_ERC20_ADDRESS, call.abi_encode());
	assert!(!output.did_revert(), "reverted: {:?}", Revert::abi_decode(&output.data));
	C::abi_decode_returns(&output.data).expect("ABI-encoded answer")
}

#[test]
fn pti_is_an_erc20_over_the_native_balances_with_pallet_pti_allowances() {
	use Sr25519Keyring::{Alice, Bob, Charlie, Dave};
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		start_block(1);
		let pti = |n: u128| EvmU256::from(n * PTI);
		assert_eq!(erc20(Alice, IPTI::nameCall {}), "Paratii");
		assert_eq!(erc20(Alice, IPTI::symbolCall {}), "PTI");
		assert_eq!(erc20(Alice, IPTI::decimalsCall {}), 18);
		let issuance = Balances::total_issuance();
		assert_eq!(erc20(Alice, IPTI::totalSupplyCall {}), EvmU256::from(issuance));
		let alice_evm = pallet_revive::Pallet::<Runtime>::evm_balance(&Mapper::to_address(
			&Alice.to_account_id(),
		));
		assert_eq!(
			erc20(Bob, IPTI::balanceOfCall { account: evm_address(Alice) }),
			EvmU256::from_limbs(alice_evm.0),
			"balanceOf is what eth_getBalance answers"
		);

		// transfer moves native PTI.
		let bob_before = Balances::balance(&Bob.to_account_id());
		assert!(erc20(Alice, IPTI::transferCall { to: evm_address(Bob), value: pti(3) }));
		assert_eq!(Balances::balance(&Bob.to_account_id()) - bob_before, 3 * PTI);
		assert_eq!(Balances::total_issuance(), issuance);

		// approve and transferFrom: pallet-pti's allowances, a deposit while one stands.
		let free_before = Balances::balance(&Alice.to_account_id());
		assert!(erc20(Alice, IPTI::approveCall { spender: evm_address(Charlie), value: pti(5) }));
		assert_eq!(
			pallet_pti::Pallet::<Runtime>::allowance(
				&Alice.to_account_id(),
				&Charlie.to_account_id()
			),
			5 * PTI
		);
		assert_eq!(
			free_before - Balances::balance(&Alice.to_account_id()),
			paratii_runtime::configs::AllowanceDeposit::get(),
			"the allowance holds its deposit"
		);
		assert_eq!(
			erc20(
				Bob,
				IPTI::allowanceCall { owner: evm_address(Alice), spender: evm_address(Charlie) }
			),
			pti(5)
		);
		let dave_before = Balances::balance(&Dave.to_account_id());
		assert!(erc20(
			Charlie,
			IPTI::transferFromCall {
				from: evm_address(Alice),
				to: evm_address(Dave),
				value: pti(2)
			}
		));
		assert_eq!(Balances::balance(&Dave.to_account_id()) - dave_before, 2 * PTI);
		assert_eq!(
			erc20(
				Bob,
				IPTI::allowanceCall { owner: evm_address(Alice), spender: evm_address(Charlie) }
			),
			pti(3)
		);

		// Over the allowance, over the balance, and someone else's allowance: reverted
		// with a reason, nothing changed.
		let state =
			(Balances::balance(&Alice.to_account_id()), Balances::balance(&Dave.to_account_id()));
		let over = IPTI::transferFromCall {
			from: evm_address(Alice),
			to: evm_address(Dave),
			value: pti(4),
		};
		let output = call_precompile(Charlie, PTI_ERC20_ADDRESS, over.abi_encode());
		assert_eq!(revert_reason(&output), "ERC20: insufficient allowance");
		let output = call_precompile(Dave, PTI_ERC20_ADDRESS, over.abi_encode());
		assert_eq!(revert_reason(&output), "ERC20: insufficient allowance");
		let too_much = IPTI::transferCall { to: evm_address(Dave), value: EvmU256::from(issuance) };
		let output = call_precompile(Alice, PTI_ERC20_ADDRESS, too_much.abi_encode());
		assert!(revert_reason(&output).starts_with("ERC20: transfer amount exceeds balance"));
		assert_eq!(
			state,
			(Balances::balance(&Alice.to_account_id()), Balances::balance(&Dave.to_account_id()))
		);
		assert_eq!(
			erc20(
				Bob,
				IPTI::allowanceCall { owner: evm_address(Alice), spender: evm_address(Charlie) }
			),
			pti(3)
		);
	});
}

#[test]
fn pti_transfers_and_approvals_to_address_zero_revert_as_openzeppelin_does() {
	use Sr25519Keyring::{Alice, Charlie};
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		start_block(1);
		let zero = Address::ZERO;
		let value = EvmU256::from(PTI);
		assert!(erc20(Alice, IPTI::approveCall { spender: evm_address(Charlie), value }));
		let issuance = Balances::total_issuance();
		let alice = Balances::balance(&Alice.to_account_id());
		let zero_account = Mapper::to_account_id(&sp_core::H160::zero());
		for (from, call, reason) in [
			(
				Alice,
				IPTI::transferCall { to: zero, value }.abi_encode(),
				"ERC20: transfer to the zero address",
			),
			(
				Alice,
				IPTI::approveCall { spender: zero, value }.abi_encode(),
				"ERC20: approve to the zero address",
			),
			(
				Charlie,
				IPTI::transferFromCall { from: evm_address(Alice), to: zero, value }.abi_encode(),
				"ERC20: transfer to the zero address",
			),
		] {
			let output = call_precompile(from, PTI_ERC20_ADDRESS, call);
			assert_eq!(revert_reason(&output), reason);
		}
		// Nothing moved, nothing was burnt into the zero address's account.
		assert_eq!(Balances::balance(&Alice.to_account_id()), alice);
		assert_eq!(Balances::balance(&zero_account), 0);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(
			pallet_pti::Pallet::<Runtime>::allowance(&Alice.to_account_id(), &zero_account),
			0
		);
	});
}

/// Puts an active media item `id` of `owner`'s, registered in block 1 at `registered_at_ms`,
/// straight into storage (no objects, no deposit): what the PTI and precompile tests
/// need of a media item.
fn insert_media(id: u64, owner: &AccountId, registered_at_ms: u64) {
	pallet_media::Media::<Runtime>::insert(
		id,
		pallet_media::MediaRecord {
			owner: owner.clone(),
			title: Default::default(),
			location: None,
			captured_at: None,
			objects: Default::default(),
			status: pallet_media::MediaStatus::Active,
			registered_at: 1,
			registered_at_ms,
			deposit: 0,
		},
	);
}

#[test]
fn the_media_proofs_precompile_answers_what_the_media_api_does() {
	use paratii_runtime::Pti;
	use Sr25519Keyring::{Alice, Bob};
	ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		start_block(1);
		let alice = Alice.to_account_id();
		let content_hash = H256(sp_io::hashing::sha2_256(b"a picture"));
		insert_media(0, &alice, 1_700_000_123_456);
		pallet_media::ObjectByHash::<Runtime>::insert(content_hash, (0, 0));
		let ask = |hash: H256| {
			let call = IMediaProofs::proofOfExistenceCall { contentHash: hash.0.into() };
			let output = call_precompile(Bob, MEDIA_PROOFS_ADDRESS, call.abi_encode());
			IMediaProofs::proofOfExistenceCall::abi_decode_returns(&output.data).unwrap()
		};
		let proof = ask(content_hash);
		assert!(proof.exists);
		assert_eq!(proof.mediaId, 0);
		assert_eq!(proof.owner.0, <[u8; 32]>::from(alice.clone()));
		assert_eq!(proof.ownerAddress, evm_address(Alice));
		assert_eq!((proof.blockNumber, proof.timestamp, proof.status), (1, 1_700_000_123, 1));
		let none = ask(H256::repeat_byte(7));
		assert!(!none.exists);
		assert_eq!((none.mediaId, none.ownerAddress, none.status), (0, Address::ZERO, 0));

		let bought = |who: Sr25519Keyring| {
			let call = IMediaProofs::hasPurchasedCall { mediaId: 0, buyer: evm_address(who) };
			let output = call_precompile(Bob, MEDIA_PROOFS_ADDRESS, call.abi_encode());
			IMediaProofs::hasPurchasedCall::abi_decode_returns(&output.data).unwrap()
		};
		assert!(!bought(Bob));
		frame_support::assert_ok!(Pti::set_price(
			RuntimeOrigin::signed(alice.clone()),
			0,
			Some(PTI)
		));
		frame_support::assert_ok!(Pti::buy(RuntimeOrigin::signed(Bob.to_account_id()), 0, PTI));
		assert!(bought(Bob));
		assert!(!bought(Alice));

		// Deleted: the proof stays, with its status.
		pallet_media::Media::<Runtime>::mutate(0, |m| {
			m.as_mut().unwrap().status = pallet_media::MediaStatus::Deleted
		});
		assert_eq!(ask(content_hash).status, 2);
	});
}

#[test]
fn the_council_resolves_a_deadlocked_ad_exchange_dispute() {
	use frame_support::traits::fungible::{InspectHold, Mutate};
	use paratii_primitives::adx;
	use paratii_runtime::{
		configs::TreasuryAccount, AdExchange, RuntimeHoldReason, DAYS, HOURS, MINUTES,
	};
	production_ext().execute_with(|| {
		let [alice, bob, charlie, dave] = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.map(|k| k.to_account_id());
		for who in [&alice, &bob, &charlie, &dave] {
			Balances::set_balance(who, 100_000 * PTI);
		}
		let signed = |who: &AccountId| paratii_runtime::RuntimeOrigin::signed(who.clone());
		// They apply; governance (root here; a council motion on a live chain) admits them.
		for v in [&bob, &charlie] {
			frame_support::assert_ok!(AdExchange::register_validator(signed(v)));
			frame_support::assert_ok!(AdExchange::admit_validator(
				paratii_runtime::RuntimeOrigin::root(),
				v.clone()
			));
		}
		let now = System::block_number();
		frame_support::assert_ok!(AdExchange::create_campaign(
			signed(&alice),
			1_000 * PTI,
			PTI,
			pallet_ad_exchange::Shares {
				viewer: sp_runtime::Perbill::from_percent(50),
				producer: sp_runtime::Perbill::from_percent(30),
				fund: sp_runtime::Perbill::from_percent(20),
			},
			vec![bob.clone(), charlie.clone()].try_into().unwrap(),
			vec![dave.clone()].try_into().unwrap(),
			None,
			now + DAYS,
			10,
			H256::zero(),
		));
		for v in [&bob, &charlie] {
			frame_support::assert_ok!(AdExchange::accept_campaign(signed(v), 0));
		}
		frame_support::assert_ok!(AdExchange::submit_part(
			signed(&dave),
			0,
			0,
			H256::repeat_byte(1),
			Default::default()
		));
		System::set_block_number(now + MINUTES);
		let pending = pallet_ad_exchange::Pending::<Runtime>::get(0, 0).unwrap();
		let result = |seed: u8| {
			let root = [seed; 32];
			let hash = adx::result_hash(
				&AdExchange::channel(0, 0),
				&AdExchange::parts_digest(&pending),
				&[0; 32],
				&root,
				u128::from(seed) * PTI,
			);
			(H256(hash), H256(root), u128::from(seed) * PTI)
		};
		let ((a, ra, ta), (b, rb, tb)) = (result(1), result(2));
		frame_support::assert_ok!(AdExchange::submit_result(signed(&bob), 0, 0, a, ra, ta));
		frame_support::assert_ok!(AdExchange::submit_result(signed(&charlie), 0, 0, b, rb, tb));
		// One against one and nobody else in the registry: a deadlock.
		let resolve = RuntimeCall::AdExchange(pallet_ad_exchange::Call::resolve_dispute {
			campaign: 0,
			block: 0,
			result_hash: Some(a),
		});
		assert!(
			!council_motion(
				resolve.clone(),
				Sr25519Keyring::Alice,
				&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			),
			"the council waits for the dispute's deadline"
		);
		let Some(pallet_ad_exchange::BlockStatus::Disputed { deadline, .. }) =
			pallet_ad_exchange::Pending::<Runtime>::get(0, 0).map(|p| p.status)
		else {
			panic!("two results differ: disputed")
		};
		// A panel drawn from the hash of a later block; nobody else is in the registry.
		assert_eq!(
			deadline,
			now + MINUTES
				+ <<Runtime as pallet_ad_exchange::Config>::PanelDrawDelay as Get<u32>>::get()
				+ HOURS
		);
		System::set_block_number(deadline);
		let fund = Balances::balance(&TreasuryAccount::get());
		assert!(council_motion(
			resolve,
			Sr25519Keyring::Alice,
			&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		));
		assert_eq!(pallet_ad_exchange::Campaigns::<Runtime>::get(0).unwrap().settled, PTI);
		let bond = <paratii_runtime::configs::AdValidatorBond as Get<u128>>::get();
		let reason = RuntimeHoldReason::AdExchange(pallet_ad_exchange::HoldReason::ValidatorBond);
		assert_eq!(Balances::balance_on_hold(&reason, &charlie), bond - bond / 10);
		assert_eq!(Balances::balance(&TreasuryAccount::get()) - fund, bond / 10);
	});
}
