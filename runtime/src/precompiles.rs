//! Paratii's precompiles: what Solidity contracts see of the chain beyond the EVM.
//!
//! - [`PtiErc20`] at [`PTI_ERC20_ADDRESS`] (`0x…0001_0000`): PTI, the native token, as
//!   an ERC20 (`name` "Paratii", `symbol` "PTI", 18 decimals), over pallet-balances
//!   with the allowances of pallet-pti. Interface: `contracts/chain/src/IPTI.sol`.
//!   Transfers and approvals to `address(0)` revert as OpenZeppelin's ERC20 does (PTI
//!   sent there would sit in an account nobody holds).
//! - [`MediaProofs`] at [`MEDIA_PROOFS_ADDRESS`] (`0x…0002_0000`): the proof of
//!   existence of a content hash (pallet-media) and whether an account bought a media
//!   item (pallet-pti). Interface: `contracts/chain/src/IMediaProofs.sol`.
//!
//! The runtime parses calls with the same Solidity files contracts import, so the
//! interface and the implementation cannot drift apart. PTI moves as the EVM moves it
//! (`pallet_pti::Pallet::transfer_as_evm`): `balanceOf` is what `eth_getBalance` shows
//! (the balance above the existential deposit), and a transfer that creates an account
//! pays its existential deposit on top, so the receiver's `balanceOf` grows by exactly
//! the value. Precompiles run unmetered
//! code, so each call first charges its weight: the benchmarked weight of the pallet
//! function it runs (`balances.transfer_keep_alive`, `pti.approve`,
//! `pti.transfer_approved`), or the database reads it makes — and every address it
//! turns into an account (one read of `Revive::OriginalAccount` each, [`account_of`]),
//! and the mapping a transfer writes when it creates the receiver's account.

use alloc::{string::String, vec::Vec};
use core::num::NonZero;
use frame_support::{ensure, weights::Weight};
use pallet_balances::WeightInfo as _;
use pallet_pti::WeightInfo as _;
use pallet_revive::precompiles::{
	alloy::{
		primitives::{Address, IntoLogData, U256},
		sol_types::{Revert, SolCall},
	},
	AddressMapper, AddressMatcher, Error, Ext, Precompile, RuntimeCosts, H160, H256,
};
use sp_runtime::{DispatchError, TokenError};

use crate::{AccountId, Balance, Balances, Runtime};

pallet_revive::precompiles::alloy::sol!("../contracts/chain/src/IPTI.sol");
pallet_revive::precompiles::alloy::sol!("../contracts/chain/src/IMediaProofs.sol");

/// The PTI ERC20's address: `0x0000000000000000000000000000000000010000`.
pub const PTI_ERC20_ADDRESS: [u8; 20] = fixed_address(PTI_ERC20_INDEX);
/// The media proofs' address: `0x0000000000000000000000000000000000020000`.
pub const MEDIA_PROOFS_ADDRESS: [u8; 20] = fixed_address(MEDIA_PROOFS_INDEX);

const PTI_ERC20_INDEX: u16 = 1;
const MEDIA_PROOFS_INDEX: u16 = 2;

/// The address pallet-revive gives a precompile with `AddressMatcher::Fixed(index)`:
/// the index big-endian in bytes 16 and 17, every other byte zero.
const fn fixed_address(index: u16) -> [u8; 20] {
	let mut address = [0u8; 20];
	let bytes = index.to_be_bytes();
	address[16] = bytes[0];
	address[17] = bytes[1];
	address
}

const fn matcher(index: u16) -> AddressMatcher {
	match NonZero::new(index) {
		Some(index) => AddressMatcher::Fixed(index),
		None => panic!("precompile indices start at 1"),
	}
}

type DbWeight = <Runtime as frame_system::Config>::DbWeight;
type Mapper = <Runtime as pallet_revive::Config>::AddressMapper;

fn revert(reason: &str) -> Error {
	Error::Revert(Revert { reason: reason.into() })
}

/// The account of an EVM address: one storage read (`Revive::OriginalAccount`), which the
/// caller charges.
fn account_of(address: Address) -> AccountId {
	Mapper::to_account_id(&H160::from(address.into_array()))
}

/// The account PTI is transferred to: never `address(0)`'s (OpenZeppelin's ERC20 reverts
/// rather than burn tokens there).
fn receiver(to: Address) -> Result<AccountId, Error> {
	ensure!(to != Address::ZERO, revert("ERC20: transfer to the zero address"));
	Ok(account_of(to))
}

fn address_of(account: &AccountId) -> Address {
	Address::from(Mapper::to_address(account).0)
}

fn to_u256(balance: Balance) -> U256 {
	U256::from(balance)
}

fn caller(env: &impl Ext<T = Runtime>) -> Result<AccountId, Error> {
	env.caller()
		.account_id()
		.cloned()
		.map_err(|_| revert("PTI: root cannot hold PTI through the ERC20 interface"))
}

/// A failed transfer or approval as a revert with a reason Solidity and ethers show.
fn token_error(e: DispatchError) -> Error {
	let reason = match e {
		DispatchError::Token(TokenError::FundsUnavailable) |
		DispatchError::Token(TokenError::NotExpendable) |
		DispatchError::Token(TokenError::Frozen) => {
			"ERC20: transfer amount exceeds balance (the sender keeps 0.001 PTI, the existential deposit)"
		},
		DispatchError::Token(TokenError::BelowMinimum) => {
			"PTI: a transfer to a new account must be at least the existential deposit, 0.001 PTI"
		},
		e if e == pallet_pti::Error::<Runtime>::InsufficientAllowance.into() => {
			"ERC20: insufficient allowance"
		},
		e if e == pallet_pti::Error::<Runtime>::CannotPayAllowanceDeposit.into() => {
			"PTI: a new allowance holds a deposit the owner cannot pay"
		},
		e => return Error::from(e),
	};
	revert(reason)
}

/// A state-changing ERC20 call (`transfer`, `approve`, `transferFrom`): charges `weight`
/// first (precompiles run unmetered code), runs `act` as the calling account, emits the
/// event it returns and answers `true`; a failure reverts with its reason.
fn state_change(
	env: &mut impl Ext<T = Runtime>,
	weight: Weight,
	act: impl FnOnce(AccountId) -> Result<IPTI::IPTIEvents, Error>,
) -> Result<Vec<u8>, Error> {
	env.charge(weight)?;
	let event = act(caller(env)?)?;
	emit(env, event)?;
	// The three calls return one `bool`: the same encoding.
	Ok(IPTI::transferCall::abi_encode_returns(&true))
}

/// Emits an EVM log from the precompile's address, charged like a contract's.
fn emit(env: &mut impl Ext<T = Runtime>, event: IPTI::IPTIEvents) -> Result<(), Error> {
	let (topics, data) = event.into_log_data().split();
	let topics = topics.into_iter().map(|t| H256(t.0)).collect::<Vec<_>>();
	env.frame_meter_mut().charge_weight_token(RuntimeCosts::DepositEvent {
		num_topic: topics.len() as u32,
		len: data.len() as u32,
	})?;
	env.deposit_event(topics, data.to_vec());
	Ok(())
}

/// PTI as an ERC20 (see the module docs and `IPTI.sol`).
pub struct PtiErc20;

impl Precompile for PtiErc20 {
	type T = Runtime;
	type Interface = IPTI::IPTICalls;
	const MATCHER: AddressMatcher = matcher(PTI_ERC20_INDEX);
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Runtime>,
	) -> Result<Vec<u8>, Error> {
		use IPTI::IPTICalls;
		// Through a delegate call the caller would be the delegating contract's caller.
		ensure!(!env.is_delegate_call(), pallet_revive::Error::<Runtime>::PrecompileDelegateDenied);
		match input {
			IPTICalls::transfer(_) | IPTICalls::approve(_) | IPTICalls::transferFrom(_)
				if env.is_read_only() =>
			{
				Err(pallet_revive::Error::<Runtime>::StateChangeDenied.into())
			},
			IPTICalls::name(_) => {
				env.frame_meter_mut().charge_weight_token(RuntimeCosts::MinimumBalance)?;
				Ok(IPTI::nameCall::abi_encode_returns(&String::from("Paratii")))
			},
			IPTICalls::symbol(_) => {
				env.frame_meter_mut().charge_weight_token(RuntimeCosts::MinimumBalance)?;
				Ok(IPTI::symbolCall::abi_encode_returns(&String::from("PTI")))
			},
			IPTICalls::decimals(_) => {
				env.frame_meter_mut().charge_weight_token(RuntimeCosts::MinimumBalance)?;
				Ok(IPTI::decimalsCall::abi_encode_returns(&crate::TOKEN_DECIMALS))
			},
			IPTICalls::totalSupply(_) => {
				env.charge(DbWeight::get().reads(1))?;
				Ok(IPTI::totalSupplyCall::abi_encode_returns(&to_u256(Balances::total_issuance())))
			},
			IPTICalls::balanceOf(call) => {
				env.frame_meter_mut().charge_weight_token(RuntimeCosts::BalanceOf)?;
				// What `address.balance` and `eth_getBalance` answer.
				let balance = env.balance_of(&H160::from(call.account.into_array()));
				Ok(IPTI::balanceOfCall::abi_encode_returns(&U256::from_limbs(balance.0)))
			},
			IPTICalls::allowance(call) => {
				// The owner's and the spender's accounts, and the allowance.
				env.charge(DbWeight::get().reads(3))?;
				let value = pallet_pti::Pallet::<Runtime>::allowance(
					&account_of(call.owner),
					&account_of(call.spender),
				);
				Ok(IPTI::allowanceCall::abi_encode_returns(&to_u256(value)))
			},
			IPTICalls::transfer(call) => {
				// The transfer, the receiver's account, and the address mapping written when
				// the transfer creates that account (its existence read, the entry written).
				let weight =
					<Runtime as pallet_balances::Config>::WeightInfo::transfer_keep_alive()
						.saturating_add(DbWeight::get().reads_writes(2, 1));
				state_change(env, weight, |from| {
					let to = receiver(call.to)?;
					let value: Balance = call
						.value
						.try_into()
						.map_err(|_| revert("ERC20: transfer amount exceeds balance"))?;
					pallet_pti::Pallet::<Runtime>::transfer_as_evm(&from, &to, value)
						.map_err(token_error)?;
					Ok(IPTI::IPTIEvents::Transfer(IPTI::Transfer {
						from: address_of(&from),
						to: call.to,
						value: call.value,
					}))
				})
			},
			IPTICalls::approve(call) => {
				// The approval and the spender's account.
				let weight = <Runtime as pallet_pti::Config>::WeightInfo::approve()
					.saturating_add(DbWeight::get().reads(1));
				state_change(env, weight, |owner| {
					ensure!(
						call.spender != Address::ZERO,
						revert("ERC20: approve to the zero address")
					);
					// `type(uint256).max`, the "infinite approval" idiom (or anything above
					// the largest balance), is stored as the largest balance, which is never
					// decreased; the event says what is stored, as `allowance` answers.
					let value = Balance::try_from(call.value).unwrap_or(Balance::MAX);
					pallet_pti::Pallet::<Runtime>::do_approve(
						&owner,
						&account_of(call.spender),
						value,
					)
					.map_err(token_error)?;
					Ok(IPTI::IPTIEvents::Approval(IPTI::Approval {
						owner: address_of(&owner),
						spender: call.spender,
						value: to_u256(value),
					}))
				})
			},
			IPTICalls::transferFrom(call) => {
				// The transfer (its benchmark writes the new receiver's mapping), and the
				// owner's and the receiver's accounts.
				let weight = <Runtime as pallet_pti::Config>::WeightInfo::transfer_approved()
					.saturating_add(DbWeight::get().reads(2));
				state_change(env, weight, |spender| {
					let to = receiver(call.to)?;
					let value: Balance = call
						.value
						.try_into()
						.map_err(|_| revert("ERC20: insufficient allowance"))?;
					pallet_pti::Pallet::<Runtime>::do_transfer_approved(
						&spender,
						&account_of(call.from),
						&to,
						value,
					)
					.map_err(token_error)?;
					Ok(IPTI::IPTIEvents::Transfer(IPTI::Transfer {
						from: call.from,
						to: call.to,
						value: call.value,
					}))
				})
			},
		}
	}
}

/// Media proofs of existence and purchases (see the module docs and
/// `IMediaProofs.sol`).
pub struct MediaProofs;

impl Precompile for MediaProofs {
	type T = Runtime;
	type Interface = IMediaProofs::IMediaProofsCalls;
	const MATCHER: AddressMatcher = matcher(MEDIA_PROOFS_INDEX);
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Runtime>,
	) -> Result<Vec<u8>, Error> {
		use IMediaProofs::IMediaProofsCalls;
		match input {
			IMediaProofsCalls::proofOfExistence(call) => {
				// The content-hash index and the media record.
				env.charge(DbWeight::get().reads(2))?;
				let proof = pallet_media::Pallet::<Runtime>::existence(H256(call.contentHash.0));
				let answer = match proof {
					Some((media_id, owner, block, ms, status)) => {
						IMediaProofs::proofOfExistenceReturn {
							exists: true,
							mediaId: media_id,
							owner: <[u8; 32]>::from(owner.clone()).into(),
							ownerAddress: address_of(&owner),
							blockNumber: block,
							timestamp: ms / 1000,
							status: match status {
								pallet_media::MediaStatus::Active => 1,
								pallet_media::MediaStatus::Deleted => 2,
							},
						}
					},
					None => IMediaProofs::proofOfExistenceReturn {
						exists: false,
						mediaId: 0,
						owner: Default::default(),
						ownerAddress: Address::ZERO,
						blockNumber: 0,
						timestamp: 0,
						status: 0,
					},
				};
				Ok(IMediaProofs::proofOfExistenceCall::abi_encode_returns(&answer))
			},
			IMediaProofsCalls::hasPurchased(call) => {
				// The buyer's account and the purchase.
				env.charge(DbWeight::get().reads(2))?;
				let bought = pallet_pti::Purchases::<Runtime>::contains_key(
					call.mediaId,
					account_of(call.buyer),
				);
				Ok(IMediaProofs::hasPurchasedCall::abi_encode_returns(&bought))
			},
		}
	}
}
