//! # paratii-indexer
//!
//! Search and the media catalogue for Paratii chain. The chain keeps media records
//! and an exact-title index; this service follows **finalized** blocks through subxt
//! (no reorg can show a result that later disappears), decodes the media, users and
//! topology events, and keeps a full-text index of titles (tantivy) with each item's
//! owner, objects, capture time and place, registration block and time, reactions,
//! views, flags and status. See [`index`] for the matching rules and how the
//! position is kept, [`follow`] for how blocks are read, [`api`] for the HTTP API:
//!
//! ```text
//! GET /search?q=sun&limit=&offset=&owner=&from=&to=&bbox=   relevance-ranked
//! GET /media?owner=&order=newest|most_liked|most_viewed&limit=&cursor=
//! GET /media/{id}
//! GET /health
//! ```
//!
//! `paratii-indexer bench` measures search latency over a synthetic index
//! (`scripts/bench-search.sh`).

mod api;
mod bench;
mod follow;
mod index;
mod openapi;

use clap::{Parser, Subcommand};
use paratii_client::{http::serve, Chain};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

/// The Paratii indexer: search and the media catalogue.
#[derive(Debug, Parser)]
#[command(name = "paratii-indexer", version, about)]
struct Args {
	/// The node's WebSocket RPC.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	chain: String,
	/// The HTTP API's address.
	#[arg(long, default_value = "127.0.0.1:8090")]
	listen: SocketAddr,
	/// Where the index lives: one directory per chain (by genesis hash) inside it.
	#[arg(long, default_value = "paratii-indexer-data")]
	data_dir: PathBuf,
	#[command(subcommand)]
	command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Serve a synthetic index of generated titles (no chain), for benchmarks.
	Synthetic {
		/// Titles to generate.
		#[arg(long, default_value_t = 10_000)]
		titles: usize,
	},
	/// Search latency: starts `synthetic` in a second process and queries it from
	/// concurrent clients; prints p50/p90/p99 and throughput.
	Bench {
		#[arg(long, default_value_t = 10_000)]
		titles: usize,
		/// Concurrent clients (each with its own keep-alive connection).
		#[arg(long, default_value_t = 50)]
		clients: usize,
		/// Requests in all, after a warm-up of one per client.
		#[arg(long, default_value_t = 20_000)]
		requests: usize,
		/// Write the figures as JSON here too.
		#[arg(long)]
		json: Option<PathBuf>,
	},
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	paratii_client::init_logging();
	let args = Args::parse();
	match args.command {
		Some(Command::Synthetic { titles }) => {
			let (index, status) = bench::synthetic_index(titles)?;
			serve(api::router(api::Api { index, status }), args.listen, "search API").await
		},
		Some(Command::Bench { titles, clients, requests, json }) => {
			bench::run(titles, clients, requests, json).await
		},
		None => {
			let chain = Chain::connect(&args.chain, Duration::from_secs(120)).await?;
			let dir = args.data_dir.join(hex::encode(chain.genesis_hash()));
			let index = Arc::new(index::SearchIndex::open(&dir)?);
			tracing::info!("index in {}", dir.display());
			let status = Arc::new(follow::Status::default());
			drop(chain);
			let follower = tokio::spawn(follow::run(args.chain, index.clone(), status.clone()));
			let served =
				serve(api::router(api::Api { index, status }), args.listen, "search API").await;
			follower.abort();
			served
		},
	}
}
