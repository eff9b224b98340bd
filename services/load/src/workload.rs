//! The extrinsics a run submits: the accounts' set-up (funding, user registration) and
//! the measured workload, all signed ahead of time with explicit nonces.

use crate::Tx;
use anyhow::Context;
use paratii_client::{
	api::{
		self,
		runtime_types::pallet_media::types::{ObjectInput, ObjectKind, StorageReceipt},
	},
	keys, AccountId, Chain, ChainConfig, ClusterId,
};
use sha2::{Digest, Sha256};
use sp_core::Pair;
use subxt::{
	client::OfflineClientAtBlockT, config::DefaultExtrinsicParamsBuilder, tx::Payload, utils::H256,
};
use subxt_signer::sr25519::Keypair;

/// What the measured phase submits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
	/// `media.registerMedia`: an original and a thumbnail, each with receipts from
	/// `ReplicationFactor` clusters (2 objects × 2 receipts on the dev chain).
	RegisterMedia,
	/// `balances.transferKeepAlive` between the run's accounts.
	Transfer,
	/// An OpenZeppelin ERC20's `transfer` between Ethereum keys, sent as raw
	/// transactions through an Ethereum JSON-RPC (`--eth-url`, paratii-eth-rpc).
	Erc20,
}

impl Workload {
	pub fn call_name(self) -> &'static str {
		match self {
			Workload::RegisterMedia => "media.registerMedia",
			Workload::Transfer => "balances.transferKeepAlive",
			Workload::Erc20 => "ERC20.transfer",
		}
	}
}

/// A storage cluster whose receipt key the run holds.
pub struct Cluster {
	pub id: ClusterId,
	pub key: sp_core::ed25519::Pair,
}

/// The run's signers: fresh accounts derived from `//load//<run>//<i>`.
pub struct Accounts {
	pub keys: Vec<Keypair>,
	pub ids: Vec<AccountId>,
}

impl Accounts {
	pub fn derive(run: &str, count: u32) -> anyhow::Result<Self> {
		let keys = (0..count)
			.map(|i| keys::account_key(&format!("//load//{run}//{i}")))
			.collect::<anyhow::Result<Vec<_>>>()?;
		let ids = keys.iter().map(|k| k.public_key().to_account_id()).collect();
		Ok(Self { keys, ids })
	}
}

/// Signs `call` from `signer` with `nonce`, immortal (the run is short and its
/// accounts are its own).
pub fn sign<Call: Payload, C: OfflineClientAtBlockT<ChainConfig>>(
	tx: &mut subxt::transactions::TransactionsClient<ChainConfig, C>,
	call: &Call,
	signer: &Keypair,
	nonce: u64,
) -> anyhow::Result<Tx> {
	let params =
		DefaultExtrinsicParamsBuilder::<ChainConfig>::new().nonce(nonce).immortal().build();
	let signed = tx.create_signable_offline(call, params)?.sign(signer)?;
	Ok(Tx { hash: signed.hash().0, bytes: signed.into_encoded() })
}

/// The clusters of `uris` (ed25519 secret URIs) as the chain knows them: each must be
/// registered and active.
pub async fn clusters(chain: &Chain, uris: &[String]) -> anyhow::Result<Vec<Cluster>> {
	let mut clusters = Vec::new();
	for uri in uris {
		let key = keys::cluster_key(uri)?;
		let id = chain
			.cluster_by_key(key.public().0)
			.await?
			.with_context(|| format!("no cluster on chain has the key of {uri}"))?;
		clusters.push(Cluster { id, key });
	}
	Ok(clusters)
}

/// `funder` sends each account its amount (`transferKeepAlive`, consecutive nonces).
pub async fn fund(
	chain: &Chain,
	funder: &Keypair,
	amounts: &[(AccountId, u128)],
) -> anyhow::Result<Vec<Tx>> {
	let mut tx = chain.client().tx().await?;
	let first = chain.next_nonce(&funder.public_key().to_account_id()).await?;
	amounts
		.iter()
		.zip(first..)
		.map(|((id, amount), nonce)| {
			let call = api::tx().balances().transfer_keep_alive((*id).into(), *amount);
			sign(&mut tx, &call, funder, nonce)
		})
		.collect()
}

/// The set-up: `funder` sends each account `amount`; for `register-media` each account
/// then registers as a user. Returns the two steps (the second needs the first).
pub async fn setup(
	chain: &Chain,
	workload: Workload,
	funder: &Keypair,
	accounts: &Accounts,
	amount: u128,
) -> anyhow::Result<(Vec<Tx>, Vec<Tx>)> {
	let amounts: Vec<_> = accounts.ids.iter().map(|id| (*id, amount)).collect();
	let funding = fund(chain, funder, &amounts).await?;
	let mut users = Vec::new();
	if workload == Workload::RegisterMedia {
		let mut tx = chain.client().tx().await?;
		for (i, key) in accounts.keys.iter().enumerate() {
			let call = api::tx().users().register(format!("load-{i}").into_bytes(), None);
			users.push(sign(&mut tx, &call, key, 0)?);
		}
	}
	Ok((funding, users))
}

/// Content hash `object` of registration `index` of run `run`: unique per run.
fn content_hash(run: &str, index: u32, object: u8) -> [u8; 32] {
	let mut h = Sha256::new();
	h.update(b"paratii-load");
	h.update(run.as_bytes());
	h.update(index.to_le_bytes());
	h.update([object]);
	h.finalize().into()
}

/// `count` workload extrinsics, round-robin over the accounts (registration `i` from
/// account `i % accounts`, nonces from `first_nonce`), signed on all cores.
#[allow(clippy::too_many_arguments)]
pub async fn build(
	chain: &Chain,
	workload: Workload,
	run: &str,
	accounts: &Accounts,
	first_nonce: u64,
	clusters: &[Cluster],
	count: u32,
	transfer_amount: u128,
) -> anyhow::Result<Vec<Tx>> {
	let tx = chain.client().tx().await?;
	let genesis = sp_core::H256(chain.genesis_hash());
	let n = accounts.keys.len() as u32;
	let threads = std::thread::available_parallelism().map_or(1, |p| p.get()) as u32;
	let chunk = count.div_ceil(threads).max(1);
	let started = std::time::Instant::now();
	let done = std::sync::atomic::AtomicU32::new(0);
	let parts: Vec<anyhow::Result<Vec<Tx>>> = std::thread::scope(|s| {
		let handles: Vec<_> = (0..count)
			.step_by(chunk as usize)
			.map(|from| {
				let mut tx = tx.clone();
				let done = &done;
				s.spawn(move || {
					let to = (from + chunk).min(count);
					let mut out = Vec::with_capacity((to - from) as usize);
					for i in from..to {
						let account = (i % n) as usize;
						let nonce = first_nonce + u64::from(i / n);
						let signer = &accounts.keys[account];
						let owner = &accounts.ids[account];
						let signed = match workload {
							Workload::RegisterMedia => {
								let call = register_media(run, i, owner, &genesis, clusters);
								sign(&mut tx, &call, signer, nonce)?
							},
							Workload::Erc20 => {
								anyhow::bail!("ERC20 transfers are signed by the erc20 module")
							},
							Workload::Transfer => {
								let to = accounts.ids[((i + 1) % n) as usize];
								let call = api::tx()
									.balances()
									.transfer_keep_alive(to.into(), transfer_amount);
								sign(&mut tx, &call, signer, nonce)?
							},
						};
						out.push(signed);
						let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
						if d.is_multiple_of(5_000) {
							tracing::info!("signed {d}/{count}");
						}
					}
					anyhow::Ok(out)
				})
			})
			.collect();
		handles.into_iter().map(|h| h.join().expect("a signing thread panicked")).collect()
	});
	let mut all = Vec::with_capacity(count as usize);
	for part in parts {
		all.extend(part?);
	}
	tracing::info!(
		"signed {} {} extrinsics in {:.1} s",
		all.len(),
		workload.call_name(),
		started.elapsed().as_secs_f64()
	);
	Ok(all)
}

/// `media.registerMedia` number `index`: an original (1 MB) and a 320×180 thumbnail
/// (20 kB), each with a receipt from every cluster in `clusters`.
fn register_media(
	run: &str,
	index: u32,
	owner: &AccountId,
	genesis: &sp_core::H256,
	clusters: &[Cluster],
) -> subxt::transactions::StaticPayload<api::media::calls::RegisterMedia> {
	let objects = [
		(ObjectKind::Original, 1_000_000u64),
		(ObjectKind::Thumbnail { width: 320, height: 180 }, 20_000),
	]
	.into_iter()
	.enumerate()
	.map(|(o, (kind, size))| {
		let hash = content_hash(run, index, o as u8);
		// Pre-signed receipts must be submitted within `media.ReceiptLifetime` (an hour).
		let issued_at = paratii_client::unix_millis();
		let receipts = clusters
			.iter()
			.map(|c| {
				let message = paratii_client::receipt_message(
					genesis,
					c.id,
					&sp_core::H256(hash),
					size,
					&owner.0,
					issued_at,
				);
				StorageReceipt { cluster: c.id, issued_at, signature: c.key.sign(&message).0 }
			})
			.collect();
		ObjectInput { kind, content_hash: H256(hash), size, receipts }
	})
	.collect();
	api::tx().media().register_media(
		format!("load {run} #{index}").into_bytes(),
		None,
		None,
		objects,
	)
}
