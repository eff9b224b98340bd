//! Named genesis presets. The node builds its `dev` and `local` chain specs from
//! these; `paratii-node export-chain-spec` writes them out in full.
//!
//! - `development`: one validator (Alice), the well-known dev accounts funded, Alice
//!   as sudo, and the first five accounts of the standard Hardhat/Anvil mnemonic
//!   (`test test test test test test test test test test test junk`) funded for
//!   Ethereum tools; a council of Alice, Bob and Charlie; ten-minute sessions. What
//!   `paratii-node --dev` runs. `//Gateway` records views (see [`dev_view_recorder`]);
//!   `//Distributor` signs PTI claims and has a funded claims pot ([`dev_distributor`]).
//! - `local_testnet`: four validators (Alice, Bob, Charlie, Dave) for a local
//!   multi-node network, the same funded accounts, Alice as sudo, the four as the
//!   council, one-minute sessions (the shortest allowed, so test networks see
//!   validator changes within two minutes).
//! - `production`: what a real consortium chain starts from — **no sudo key**, at
//!   least [`PRODUCTION_MIN_VALIDATORS`] validators, the council made of the
//!   validators' operators, one-hour sessions, no dev account. The named preset is the
//!   template (no validators yet); [`production_config_genesis`] fills in the
//!   consortium's validators, their session keys and the initial balances, which
//!   `paratii-node build-spec --chain production:<validators.json>` does (see the
//!   README's "Run a real network").

use crate::{
	configs::{DEFAULT_REDISTRIBUTION_SHARE, MIN_VALIDATORS, PRODUCTION_MIN_VALIDATORS},
	AccountId, Balance, BalancesConfig, BlockNumber, RuntimeGenesisConfig, SessionKeys, SudoConfig,
	HOURS, MINUTES, PTI,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_beefy::ecdsa_crypto::AuthorityId as BeefyId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::crypto::get_public_from_string_or_panic;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// PTI given to each funded dev account: enough for any test, far from overflow.
pub const DEV_ACCOUNT_BALANCE: crate::Balance = 1_000_000 * PTI;

/// The first five accounts of the Hardhat/Anvil dev mnemonic
/// (`test test test test test test test test test test test junk`, path
/// `m/44'/60'/0'/0/i`), as H160 addresses. Public knowledge: dev chains only.
pub const ETH_DEV_ACCOUNTS: [[u8; 20]; 5] = [
	hex_literal::hex!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
	hex_literal::hex!("70997970C51812dc3A010C7d01b50e0d17dc79C8"),
	hex_literal::hex!("3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
	hex_literal::hex!("90F79bf6EB2c4f870365E785982E1f101E93b906"),
	hex_literal::hex!("15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
];

/// The Substrate account of an Ethereum key's address: the H160 followed by twelve
/// `0xEE` bytes (pallet-revive's `AccountId32Mapper`).
pub fn eth_account(address: [u8; 20]) -> AccountId {
	let mut raw = [0xEE; 32];
	raw[..20].copy_from_slice(&address);
	AccountId::new(raw)
}

/// A validator: its account and its session keys.
pub struct Authority {
	pub account: AccountId,
	pub aura: AuraId,
	pub grandpa: GrandpaId,
	pub beefy: BeefyId,
}

impl Authority {
	/// The keys `paratii-node --<name>` (e.g. `--alice`) puts in its keystore: the same
	/// well-known seed (`//Alice`) as sr25519 for Aura, ed25519 for GRANDPA and ecdsa for
	/// BEEFY; the account is the sr25519 one.
	pub fn dev(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> Self {
		let name: &'static str = aura.into();
		Self {
			account: aura.to_account_id(),
			aura: aura.public().into(),
			grandpa: grandpa.public().into(),
			beefy: get_public_from_string_or_panic::<BeefyId>(name),
		}
	}

	pub fn session_keys(&self) -> SessionKeys {
		SessionKeys {
			aura: self.aura.clone(),
			grandpa: self.grandpa.clone(),
			beefy: self.beefy.clone(),
		}
	}
}

/// ed25519 public key of the dev storage cluster `//Cluster1` (dev seed phrase).
pub const DEV_CLUSTER_1_KEY: [u8; 32] =
	hex_literal::hex!("6c27c53f547dd76cbb94273bfa0f128af06cb8a6b32e82c73ccd491fd5518627");
/// ed25519 public key of the dev storage cluster `//Cluster2` (dev seed phrase).
pub const DEV_CLUSTER_2_KEY: [u8; 32] =
	hex_literal::hex!("e570a70faaca59d6c2b665f135d3fd953247a98b8ee8c5d3e8ea8c9e36967169");
/// Capacity the dev clusters advertise: 1 TiB.
const DEV_CLUSTER_CAPACITY: u64 = 1 << 40;

/// The two dev storage clusters: keys `//Cluster1` and `//Cluster2`, run by Eve and
/// Ferdie, listening on 127.0.0.1:4001 and :4002.
fn dev_clusters() -> Vec<(AccountId, [u8; 32], Vec<u8>, u64)> {
	vec![
		(
			Sr25519Keyring::Eve.to_account_id(),
			DEV_CLUSTER_1_KEY,
			b"http://127.0.0.1:4001".to_vec(),
			DEV_CLUSTER_CAPACITY,
		),
		(
			Sr25519Keyring::Ferdie.to_account_id(),
			DEV_CLUSTER_2_KEY,
			b"http://127.0.0.1:4002".to_vec(),
			DEV_CLUSTER_CAPACITY,
		),
	]
}

/// The dev chains' view recorder: `//Gateway` (sr25519, dev seed phrase), the key the
/// dev gateway submits `users.recordViews` batches with. Funded for its fees.
pub fn dev_view_recorder() -> AccountId {
	get_public_from_string_or_panic::<sp_core::sr25519::Public>("Gateway").into()
}

/// The dev chains' PTI distributor: `//Distributor` is both its account (it may create
/// vouchers) and its claim-signing key. Its claims pot starts with 100,000 PTI.
pub fn dev_distributor() -> (AccountId, sp_core::sr25519::Public) {
	let key = get_public_from_string_or_panic::<sp_core::sr25519::Public>("Distributor");
	(key.into(), key)
}

/// PTI in the dev chains' claims pot.
pub const DEV_CLAIMS_POT: Balance = 100_000 * PTI;

/// Builds the JSON patch over the default genesis config that every dev preset shares.
///
/// The validators enter through the consortium pallet and their session keys through
/// pallet-session, which hands them to Aura, GRANDPA and BEEFY: those pallets' own
/// genesis authorities stay empty.
fn genesis(
	authorities: Vec<Authority>,
	council: Vec<AccountId>,
	session_period: BlockNumber,
	endowed: Vec<AccountId>,
	root: AccountId,
) -> Value {
	let mut patch = consortium_genesis(
		&authorities,
		council,
		session_period,
		MIN_VALIDATORS,
		endowed
			.into_iter()
			.chain([dev_view_recorder(), dev_distributor().0])
			.map(|account| (account, DEV_ACCOUNT_BALANCE))
			.chain([(pallet_pti::Pallet::<crate::Runtime>::claims_pot(), DEV_CLAIMS_POT)])
			.collect(),
	);
	let dev = build_struct_json_patch!(RuntimeGenesisConfig {
		sudo: SudoConfig { key: Some(root) },
		topology: pallet_topology::GenesisConfig { clusters: dev_clusters() },
		users: pallet_users::GenesisConfig {
			users: vec![(Sr25519Keyring::Alice.to_account_id(), b"alice".to_vec())],
			view_recorders: vec![dev_view_recorder()],
		},
		pti: pallet_pti::GenesisConfig {
			redistribution_share: DEFAULT_REDISTRIBUTION_SHARE,
			distributor: Some(dev_distributor()),
		},
	});
	if let (Value::Object(patch), Value::Object(dev)) = (&mut patch, dev) {
		patch.extend(dev);
	}
	patch
}

/// The part of the genesis every chain has, dev or production: balances, the
/// consortium's validators and their session keys, the council, the fee multiplier.
fn consortium_genesis(
	authorities: &[Authority],
	council: Vec<AccountId>,
	session_period: BlockNumber,
	min_validators: u32,
	balances: Vec<(AccountId, Balance)>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		consortium: pallet_consortium::GenesisConfig {
			validators: authorities.iter().map(|a| a.account.clone()).collect::<Vec<_>>(),
			session_period,
			min_validators,
		},
		session: pallet_session::GenesisConfig {
			keys: authorities
				.iter()
				.map(|a| (a.account.clone(), a.account.clone(), a.session_keys()))
				.collect::<Vec<_>>(),
		},
		council_membership: pallet_membership::GenesisConfig {
			members: council.try_into().expect("a council fits CouncilMaxMembers"),
		},
		// The constant fee multiplier from block 0 on (`on_finalize` would only set it at
		// the end of block 1), so the EVM gas price is 100 gwei from genesis.
		transaction_payment: pallet_transaction_payment::GenesisConfig {
			multiplier: crate::configs::FeeMultiplier::get(),
		},
		// Purchases pay 30 % to the fund from genesis; the council sets a distributor.
		pti: pallet_pti::GenesisConfig {
			redistribution_share: DEFAULT_REDISTRIBUTION_SHARE,
			distributor: None,
		},
	})
}

/// Sessions of a production chain: one hour.
pub const PRODUCTION_SESSION_PERIOD: BlockNumber = HOURS;

/// A production chain: `authorities` validate and their accounts (the operators) form
/// the council; `balances` are the only funded accounts; no sudo key (pallet-sudo's
/// genesis key stays `None`), at least [`PRODUCTION_MIN_VALIDATORS`] validators.
/// Storage clusters and view recorders are admitted later by council motions.
pub fn production_config_genesis(
	authorities: &[Authority],
	balances: Vec<(AccountId, Balance)>,
) -> Value {
	consortium_genesis(
		authorities,
		authorities.iter().map(|a| a.account.clone()).collect(),
		PRODUCTION_SESSION_PERIOD,
		PRODUCTION_MIN_VALIDATORS,
		balances,
	)
}

/// Sessions of the `development` chain: ten minutes.
pub const DEV_SESSION_PERIOD: BlockNumber = 10 * MINUTES;
/// Sessions of the `local_testnet` chain: one minute (`MinSessionPeriod`), so
/// validator changes show within two minutes on test networks.
pub const LOCAL_SESSION_PERIOD: BlockNumber = MINUTES;

/// The id of the production preset.
pub const PRODUCTION_RUNTIME_PRESET: &str = "production";

/// The council's members: the given dev accounts.
fn council(members: &[Sr25519Keyring]) -> Vec<AccountId> {
	members.iter().map(|k| k.to_account_id()).collect()
}

/// The well-known dev accounts (Alice..Ferdie and their `//stash` accounts).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: a single validator, Alice; Ethereum dev keys funded too.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![Authority::dev(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		council(&[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]),
		DEV_SESSION_PERIOD,
		dev_accounts().into_iter().chain(ETH_DEV_ACCOUNTS.map(eth_account)).collect(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `local_testnet`: four validators, Alice, Bob, Charlie and Dave.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			Authority::dev(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			Authority::dev(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			Authority::dev(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			Authority::dev(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		council(&[
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]),
		LOCAL_SESSION_PERIOD,
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The preset with the given id, as JSON, or `None` for an unknown id.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		PRODUCTION_RUNTIME_PRESET => production_config_genesis(&[], Vec::new()),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The ids of every preset this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(PRODUCTION_RUNTIME_PRESET),
	]
}
