//! # paratii-storage — a Paratii storage cluster node
//!
//! Stores content-addressed objects for the gateway and signs the storage receipts
//! the chain requires before it registers media. It answers object requests only to
//! the gateways it trusts (`--trusted-gateway`): each request carries the gateway's
//! sr25519 signature of the method, the path and the owner, with a short expiry
//! (`paratii_client::signed`); an unsigned or badly signed request gets 401, one
//! signed by another key 403. So nobody writes to a cluster behind the gateway's
//! checks (type, size, the owner's signature), and nobody fetches a priced original
//! straight from a cluster whose endpoint the chain lists.
//!
//! - `PUT /objects/{sha256-hex}` (header `x-paratii-owner`: the owner's account)
//!   streams the body to a staging file while hashing it; a body whose SHA-256 or
//!   length differs from the claim is refused (422) and nothing stays behind. The
//!   bytes are made durable (fsync, atomic rename, fsync of the directory; or the S3
//!   upload acknowledged) **before** the ed25519 receipt over
//!   `paratii_primitives::receipt_message(genesis, cluster, hash, size, owner, now)`
//!   is signed (the chain takes it for an hour). A second PUT of a stored object answers
//!   a new receipt without writing again.
//! - `GET`/`HEAD /objects/{sha256-hex}`: Range, ETag, `Cache-Control: immutable`.
//! - `/health` (JSON) and `/metrics` (Prometheus text), open to all.
//! - **The ad exchange's block parts** (`PUT /objects/{sha256-hex}?adx={campaign}-{block}`,
//!   `paratii_client::adx::stored`): taken from a participant of that campaign (the
//!   request signed by its account key, the owner header naming it, no trust list)
//!   for a block the chain has not settled (its next one or the one after), at most
//!   `MAX_PART_BYTES` and a seal's overhead, one part per participant and block (a
//!   second replaces the first). Parts are sealed by their channel nodes: they are
//!   served without a signature, and deleted `--adx-retain-secs` (a day) after the
//!   chain has settled their block or the campaign is gone.
//!
//! Next to the server: heartbeats (`topology.heartbeat(cluster, used_bytes)` signed
//! by the operator's key) well inside `HeartbeatTimeout`; a follower of finalized
//! blocks that deletes the bytes of media deleted on chain (`media.MediaDeleted`), and
//! at start-up those deleted while the node was down; and the expiry of unregistered
//! objects: an object stays marked as unregistered from its last `PUT` until a
//! finalized registration names this cluster for it, and is deleted if none does
//! within `--unregistered-grace-secs` (two hours: above the receipts' hour).

mod backend;
mod node;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum BackendKind {
	/// Files under the data directory (fsync'd).
	Fs,
	/// An S3-compatible bucket (`--s3-bucket`, `--s3-endpoint`; credentials from
	/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`).
	S3,
}

/// A Paratii storage cluster node.
#[derive(Debug, Parser)]
#[command(name = "paratii-storage", version, about)]
struct Args {
	/// Address to listen on.
	#[arg(long, default_value = "127.0.0.1:4001")]
	listen: SocketAddr,
	/// Directory for staging uploads (and objects, with the fs backend).
	#[arg(long, default_value = "paratii-storage-data")]
	data_dir: PathBuf,
	/// Where objects are kept.
	#[arg(long, value_enum, default_value = "fs")]
	backend: BackendKind,
	/// S3 bucket (with `--backend s3`).
	#[arg(long)]
	s3_bucket: Option<String>,
	/// S3 endpoint URL, for S3-compatible servers (AWS when absent).
	#[arg(long)]
	s3_endpoint: Option<String>,
	/// S3 region.
	#[arg(long, default_value = "us-east-1")]
	s3_region: String,
	/// The node's WebSocket RPC.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	chain: String,
	/// The cluster's ed25519 receipt key as a secret URI (dev: `//Cluster1`).
	#[arg(long)]
	cluster_suri: Option<String>,
	/// A file holding the cluster's ed25519 secret URI, seed or mnemonic.
	#[arg(long)]
	cluster_key_file: Option<PathBuf>,
	/// The operator's sr25519 account key as a secret URI (dev: `//Eve`); it signs
	/// heartbeats.
	#[arg(long)]
	operator_suri: Option<String>,
	/// A file holding the operator's secret URI, seed or mnemonic.
	#[arg(long)]
	operator_key_file: Option<PathBuf>,
	/// Seconds between heartbeats (the chain marks a cluster offline after
	/// `topology.HeartbeatTimeout` blocks without one: one hour).
	#[arg(long, default_value_t = 300)]
	heartbeat_secs: u64,
	/// Largest object accepted, in bytes.
	#[arg(long, default_value_t = 1 << 30)]
	max_object_bytes: u64,
	/// A gateway's sr25519 public key (`0x` hex) whose signed requests this cluster
	/// answers; repeat for several. Object requests without a trusted gateway's
	/// signature are refused, so clients fetch through gateways, which check access.
	#[arg(long = "trusted-gateway", required = true)]
	trusted_gateways: Vec<String>,
	/// Seconds an object may stay without a finalized registration naming this cluster
	/// before it is deleted (counted from its last PUT). Keep it above the chain's
	/// receipt lifetime (an hour): a registration may come that late.
	#[arg(long, default_value_t = 2 * 60 * 60)]
	unregistered_grace_secs: u64,
	/// How long an ad exchange's block part stays after the chain settled its block (for
	/// claims' payout proofs and audits).
	#[arg(long, default_value_t = 24 * 60 * 60)]
	adx_retain_secs: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	paratii_client::init_logging();
	let args = Args::parse();
	let cluster_key = paratii_client::keys::cluster_key(&paratii_client::keys::secret_uri(
		args.cluster_suri.as_deref(),
		args.cluster_key_file.as_deref(),
		"cluster",
	)?)?;
	let operator = paratii_client::keys::account_key(&paratii_client::keys::secret_uri(
		args.operator_suri.as_deref(),
		args.operator_key_file.as_deref(),
		"operator",
	)?)?;
	let backend: std::sync::Arc<dyn backend::Backend> = match args.backend {
		BackendKind::Fs => std::sync::Arc::new(backend::FsBackend::new(args.data_dir.clone())?),
		BackendKind::S3 => std::sync::Arc::new(backend::S3Backend::new(
			args.s3_bucket.as_deref().context("--backend s3 needs --s3-bucket")?,
			args.s3_endpoint.as_deref(),
			&args.s3_region,
		)?),
	};
	let staging = args.data_dir.join("staging");
	let pending = args.data_dir.join("unregistered");
	let parts = args.data_dir.join("parts");
	let adx = args.data_dir.join("adx");
	for dir in [&staging, &pending, &parts, &adx] {
		std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
	}
	let trusted_gateways = args
		.trusted_gateways
		.iter()
		.map(|key| {
			hex::decode(key.trim().trim_start_matches("0x"))
				.ok()
				.and_then(|k| <[u8; 32]>::try_from(k).ok())
				.with_context(|| format!("--trusted-gateway {key:?} is not 32 bytes of hex"))
		})
		.collect::<anyhow::Result<Vec<_>>>()?;

	let chain = paratii_client::Chain::connect(&args.chain, Duration::from_secs(120)).await?;
	let config = node::Config {
		staging,
		pending,
		parts,
		max_object_bytes: args.max_object_bytes,
		heartbeat: Duration::from_secs(args.heartbeat_secs.max(1)),
		trusted_gateways,
		unregistered_grace: Duration::from_secs(args.unregistered_grace_secs.max(1)),
		adx,
		adx_retain: Duration::from_secs(args.adx_retain_secs),
	};
	let node = node::StorageNode::start(chain, backend, cluster_key, operator, config).await?;
	// A PUT streams an object of up to the size limit in: its handler may take long; a
	// stalled one is cut by the body's idle timeout.
	let limits = paratii_client::http::ServerLimits {
		request_timeout: std::time::Duration::from_secs(3600),
		..Default::default()
	};
	paratii_client::http::serve_with(node.router(), args.listen, "paratii-storage", limits).await?;
	tracing::info!("stopped");
	Ok(())
}
