//! The eth-rpc's receipt and log index (SQLite, `eth-rpc.db`), one per chain.
//!
//! Upstream keeps one database in `--base-path` or, without it, in
//! `~/.local/share/eth-rpc/`, shared by every chain the server is ever pointed at. Two
//! dev chains have the same genesis hash (same preset, same genesis), so its own
//! genesis check cannot tell them apart: the second chain was served the first one's
//! receipts and logs (an ERC20 transfer showed three and four `Transfer` logs), or the
//! server panicked at start (`SyncBoundaryMismatch`). Here:
//!
//! - the index lives in `<base>/chains/<genesis hash>/`, a directory per chain;
//! - before serving, the latest blocks the index holds are looked up on the node: if
//!   the node knows none of them (same genesis, another history), the index is removed
//!   and rebuilt from the chain. (One known block is enough to keep it: an index also
//!   holds blocks of forks the node has since dropped. Upstream's own `sync_state`
//!   cannot serve here: its head stays at genesis on a chain that was indexed live.)
//!
//! In-memory indexes (`--eth-pruning N`) and `--dev` (a fresh temporary directory)
//! need neither.

use anyhow::Context;
use jsonrpsee::{core::client::ClientT, rpc_params, ws_client::WsClientBuilder};
use pallet_revive_eth_rpc::cli::CliCommand;
use sc_service::BasePath;
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};
use std::{
	path::{Path, PathBuf},
	time::Duration,
};

/// The database file upstream creates in its directory.
const DATABASE: &str = "eth-rpc.db";
/// How long to wait for the node's RPC at start.
const NODE_TIMEOUT: Duration = Duration::from_secs(120);

/// Points `cmd` at this chain's index directory and removes an index of another chain.
pub fn prepare(cmd: &mut CliCommand) -> anyhow::Result<()> {
	if !cmd.eth_pruning.is_archive()
		|| (cmd.shared_params.is_dev() && cmd.shared_params.base_path.is_none())
	{
		return Ok(());
	}
	let base = match cmd.shared_params.base_path()? {
		Some(base) => base.path().to_path_buf(),
		None => BasePath::from_project("", "", "eth-rpc").path().to_path_buf(),
	};
	let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
	let dir = runtime.block_on(check(&cmd.node_rpc_url, &base))?;
	cmd.shared_params.base_path = Some(dir);
	Ok(())
}

async fn check(node_url: &str, base: &Path) -> anyhow::Result<PathBuf> {
	let node = crate::connect_ws(
		node_url,
		WsClientBuilder::default(),
		"the node",
		Duration::from_secs(2),
		NODE_TIMEOUT,
	)
	.await?;
	let genesis: String = node
		.request("chain_getBlockHash", rpc_params![0])
		.await
		.context("reading the genesis hash from the node")?;
	let dir = base.join("chains").join(&genesis);
	eprintln!("💾 eth-rpc index of chain {genesis}: {}", dir.display());
	let db = dir.join(DATABASE);
	if !db.exists() {
		return Ok(dir);
	}
	if let Some(ours) = another_chains_block(&db, &node, &genesis).await? {
		eprintln!(
			"💾 the index holds block {ours} and others the node does not know (another \
			 chain with the same genesis): removing it and re-indexing"
		);
		for suffix in ["", "-wal", "-shm"] {
			let file = dir.join(format!("{DATABASE}{suffix}"));
			if file.exists() {
				std::fs::remove_file(&file)
					.with_context(|| format!("removing the stale index {}", file.display()))?;
			}
		}
	}
	Ok(dir)
}

/// How many of the index's latest blocks are looked up on the node.
const SAMPLE: i64 = 32;

/// A block of the index's latest ones, if the node knows none of them.
async fn another_chains_block(
	db: &Path,
	node: &jsonrpsee::ws_client::WsClient,
	genesis: &str,
) -> anyhow::Result<Option<String>> {
	let mut conn = SqliteConnectOptions::new()
		.filename(db)
		.read_only(true)
		.connect()
		.await
		.with_context(|| format!("opening {}", db.display()))?;
	let latest: Vec<(Vec<u8>,)> = match sqlx::query_as(
		"SELECT substrate_block_hash FROM eth_to_substrate_blocks ORDER BY rowid DESC LIMIT ?",
	)
	.bind(SAMPLE)
	.fetch_all(&mut conn)
	.await
	{
		Ok(rows) => rows,
		// No table yet: nothing indexed.
		Err(_) => return Ok(None),
	};
	let mut unknown = None;
	for (hash,) in latest {
		let hash = format!("0x{}", hex::encode(&hash));
		if hash == genesis {
			continue;
		}
		let header: Option<serde_json::Value> =
			node.request("chain_getHeader", rpc_params![&hash]).await?;
		if header.is_some() {
			return Ok(None);
		}
		unknown.get_or_insert(hash);
	}
	Ok(unknown)
}
