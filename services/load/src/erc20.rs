//! The ERC20 workload: an OpenZeppelin ERC20 (`ExampleToken`, compiled by
//! `contracts/chain/compile.mjs`) deployed on the chain's EVM, and `transfer`s between
//! many Ethereum keys, every transaction signed here as raw EIP-1559 and sent through
//! an Ethereum JSON-RPC (`paratii-eth-rpc`) with `eth_sendRawTransaction`, the way a
//! wallet or an exchange sends them.
//!
//! The set-up: `--funder` pays each key's account (pallet-revive's fallback account of
//! its address) on the Substrate side; the first key deploys the token with the whole
//! supply and sends every other key one token. The measured phase then has key `i % n`
//! send the smallest unit to key `(i + 1) % n`.

use crate::{
	track::{Steps, Via},
	workload, Tx,
};
use alloy_consensus::TxEip1559;
use alloy_primitives::{keccak256, Address, TxKind, U256};
use alloy_sol_types::SolCall;
use anyhow::{bail, Context};
use futures::{StreamExt, TryStreamExt};
use paratii_client::{
	ethereum::{sign_eip1559, EthRpc, GasBounds, Wallet},
	AccountId,
};
use std::{
	path::Path,
	time::{Duration, Instant},
};
use subxt_signer::{eth, sr25519};

alloy_sol_types::sol! {
	function transfer(address to, uint256 value) external returns (bool);
	function balanceOf(address owner) external view returns (uint256);
}

/// One whole PTI or token: both have 18 decimals, like ether.
const UNIT: u128 = 10u128.pow(18);
/// What the deployer is sent before anything else: the deployment's fees, with room.
const DEPLOYER_FUND: u128 = 1_000 * UNIT;
/// The token's supply: all of it goes to the deployer.
const SUPPLY: u128 = 1_000_000_000 * UNIT;
/// What the deployer sends each other key: one token, far more than its transfers move.
const PER_KEY: u128 = UNIT;

/// The run's Ethereum keys, derived from the run: `keccak256("paratii-load/eth/<run>/<i>")`.
pub struct EthAccounts {
	pub keys: Vec<eth::Keypair>,
	pub addresses: Vec<Address>,
	/// Each address's account on the Substrate side (pallet-revive's fallback account:
	/// the address followed by twelve `0xEE` bytes), where its PTI is.
	pub ids: Vec<AccountId>,
}

impl EthAccounts {
	pub fn derive(run: &str, count: u32) -> anyhow::Result<Self> {
		let mut accounts = Self { keys: Vec::new(), addresses: Vec::new(), ids: Vec::new() };
		for i in 0..count {
			let secret = keccak256(format!("paratii-load/eth/{run}/{i}"));
			let key = eth::Keypair::from_secret_key(secret.0)
				.map_err(|e| anyhow::anyhow!("key {i} of run {run}: {e}"))?;
			let address = Address::from(key.public_key().to_account_id().0);
			let mut id = [0xEE; 32];
			id[..20].copy_from_slice(address.as_slice());
			accounts.keys.push(key);
			accounts.addresses.push(address);
			accounts.ids.push(AccountId::from(id));
		}
		Ok(accounts)
	}
}

/// The token's creation code from a solc artifact (`{ "bytecode": "0x…" }`).
pub fn creation_code(artifact: &Path) -> anyhow::Result<Vec<u8>> {
	let text = std::fs::read_to_string(artifact).with_context(|| {
		format!(
			"cannot read {}: compile the contracts first (node contracts/chain/compile.mjs)",
			artifact.display()
		)
	})?;
	let json: serde_json::Value = serde_json::from_str(&text)
		.with_context(|| format!("{} is not JSON", artifact.display()))?;
	let code = json["bytecode"]
		.as_str()
		.with_context(|| format!("{} has no \"bytecode\"", artifact.display()))?;
	hex::decode(code.trim_start_matches("0x"))
		.with_context(|| format!("the bytecode in {} is not hex", artifact.display()))
}

/// A transfer's fee terms: gas limit and price, the same for every transaction.
#[derive(Clone, Copy)]
struct Terms {
	chain_id: u64,
	gas_limit: u64,
	max_fee_per_gas: u128,
}

impl Terms {
	async fn new(rpc: &EthRpc, chain_id: u64, gas: u64) -> anyhow::Result<Self> {
		// The base fee doubled: the price it pays does not move during a run.
		let max_fee_per_gas = rpc.base_fee().await?.saturating_mul(2).max(1);
		// 10 % over the estimate, as wallets add.
		Ok(Self { chain_id, gas_limit: gas + gas / 10, max_fee_per_gas })
	}

	/// The most one transaction can cost.
	fn max_fee(&self) -> u128 {
		u128::from(self.gas_limit).saturating_mul(self.max_fee_per_gas)
	}

	fn transfer(
		&self,
		key: &eth::Keypair,
		nonce: u64,
		token: Address,
		to: Address,
		value: u128,
	) -> anyhow::Result<Tx> {
		let input = transferCall { to, value: U256::from(value) }.abi_encode();
		let tx = TxEip1559 {
			chain_id: self.chain_id,
			nonce,
			gas_limit: self.gas_limit,
			max_fee_per_gas: self.max_fee_per_gas,
			max_priority_fee_per_gas: 0,
			to: TxKind::Call(token),
			value: U256::ZERO,
			access_list: Default::default(),
			input: input.into(),
		};
		let (hash, bytes) = sign_eip1559(key, tx)?;
		Ok(Tx { hash: hash.0, bytes })
	}
}

/// What the set-up leaves for the measured phase.
pub struct Prepared {
	pub transfers: Vec<Tx>,
	pub token: Address,
}

/// Funds the keys, deploys the token, hands out tokens and signs `count` transfers.
pub async fn prepare(
	steps: &mut Steps<'_>,
	rpc: &EthRpc,
	funder: &sr25519::Keypair,
	accounts: &EthAccounts,
	artifact: &Path,
	count: u32,
) -> anyhow::Result<Prepared> {
	let chain = steps.chain;
	let code = creation_code(artifact)?;
	let n = accounts.keys.len() as u32;
	if n < 2 {
		bail!("the ERC20 workload needs at least 2 accounts (one sends to the next)");
	}

	let deployer = &accounts.addresses[0];
	let fund = workload::fund(chain, funder, &[(accounts.ids[0], DEPLOYER_FUND)]).await?;
	steps.run("fund the deployer", fund, Via::Node).await?;
	let wallet = Wallet::new(
		rpc.clone(),
		accounts.keys[0].secret_key(),
		GasBounds {
			max_fee_per_gas: u128::MAX,
			priority_fee_per_gas: 0,
			replace_after: Duration::from_secs(60),
		},
	)
	.await?;
	let mut deploy = code;
	deploy.extend_from_slice(&U256::from(SUPPLY).to_be_bytes::<32>());
	let receipt = wallet.send(None, deploy).await.context("deploying the ERC20")?;
	let token = receipt.contract_address.context("the deployment's receipt has no contract")?;
	tracing::info!("ExampleToken (ERC20) at {token}, {} gas to deploy", receipt.gas_used);

	// A transfer to an address without tokens: the dearest kind (a new balance slot).
	let first = transferCall { to: accounts.addresses[1], value: U256::from(PER_KEY) };
	let gas = rpc.estimate_gas(*deployer, Some(token), &first.abi_encode()).await?;
	let terms = Terms::new(rpc, wallet.chain_id, gas).await?;
	let per_key = u128::from(count.div_ceil(n)) + 1;
	let mut amounts: Vec<(AccountId, u128)> =
		accounts.ids.iter().map(|id| (*id, 2 * per_key * terms.max_fee())).collect();
	// The deployer also pays for handing the tokens out.
	amounts[0].1 += 2 * u128::from(n) * terms.max_fee();
	steps.run("fund accounts", workload::fund(chain, funder, &amounts).await?, Via::Node).await?;

	let mut nonce = rpc.nonce(*deployer).await?;
	let mut handouts = Vec::new();
	for to in &accounts.addresses[1..] {
		handouts.push(terms.transfer(&accounts.keys[0], nonce, token, *to, PER_KEY)?);
		nonce += 1;
	}
	steps.run("hand out tokens", handouts, Via::Eth(rpc)).await?;
	let held = balance_of(rpc, token, accounts.addresses[n as usize - 1]).await?;
	if held != U256::from(PER_KEY) {
		bail!("the last key holds {held} of the token after the hand-out, not {PER_KEY}");
	}

	// The measured transfers: between keys that hold tokens already.
	let between = transferCall { to: accounts.addresses[2 % n as usize], value: U256::from(1) };
	let gas = rpc.estimate_gas(accounts.addresses[1], Some(token), &between.abi_encode()).await?;
	let terms = Terms::new(rpc, wallet.chain_id, gas).await?;
	let nonces: Vec<u64> = futures::stream::iter(&accounts.addresses)
		.map(|a| rpc.nonce(*a))
		.buffered(64)
		.try_collect()
		.await?;
	let started = Instant::now();
	let transfers = (0..count)
		.map(|i| {
			let k = (i % n) as usize;
			let to = accounts.addresses[((i + 1) % n) as usize];
			terms.transfer(&accounts.keys[k], nonces[k] + u64::from(i / n), token, to, 1)
		})
		.collect::<anyhow::Result<Vec<_>>>()?;
	tracing::info!(
		"signed {count} ERC20 transfers ({} gas limit each) in {:.1} s",
		terms.gas_limit,
		started.elapsed().as_secs_f64()
	);
	Ok(Prepared { transfers, token })
}

/// `balanceOf(owner)` at the latest block.
async fn balance_of(rpc: &EthRpc, token: Address, owner: Address) -> anyhow::Result<U256> {
	let out = rpc.call(token, balanceOfCall { owner }.abi_encode()).await?;
	Ok(balanceOfCall::abi_decode_returns(&out)?)
}
