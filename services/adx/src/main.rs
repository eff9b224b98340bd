//! # paratii-adx
//!
//! The off-chain nodes of Paratii's ad exchange (the Papyrus design's scalability
//! layer): the **channel node**, the **validator** ([`validator`]), the reference
//! **bidder** ([`bidder`]) and the **auditor** ([`auditor`]). The channel node ([`channel`]), one per campaign
//! participant, it takes its participant's signed messages (the exchange's wins, the
//! viewers' views, the auditor's checks) over HTTP, verifies their signatures in
//! batches and keeps them in a durable log ([`log`]) before acknowledging them, and
//! serves each channel block's part and its hash for `adExchange.submitPart`.
//!
//! ```text
//! paratii-adx channel --chain ws://127.0.0.1:9944 --listen 127.0.0.1:8100 --data-dir adx-data
//! ```

mod auditor;
mod bench;
mod bidder;
mod channel;
mod log;
mod nats;
mod poster;
mod validator;

use clap::{Parser, Subcommand};
use paratii_client::{http::serve, Chain};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

/// The Paratii ad exchange's off-chain nodes.
#[derive(Debug, Parser)]
#[command(name = "paratii-adx", version, about)]
struct Args {
	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// A participant's channel node: signed messages in, a durable log, block parts out.
	Channel {
		/// The node's WebSocket RPC.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		chain: String,
		/// The HTTP API's address.
		#[arg(long, default_value = "127.0.0.1:8100")]
		listen: SocketAddr,
		/// Where the log lives: one directory per chain (by genesis hash) inside it.
		#[arg(long, default_value = "paratii-adx-data")]
		data_dir: PathBuf,
		/// Keep the log in NATS JetStream instead (`nats://127.0.0.1:4222`, a server
		/// started with `-js`): see the `nats` module.
		#[arg(long)]
		log: Option<String>,
		/// This node's name in the JetStream server (one per channel node sharing it).
		#[arg(long, default_value = "channel")]
		log_name: String,
		/// The participant's sr25519 account key as a secret URI (dev: `//Bob`); it signs
		/// `submitPart`. Without it (or `--participant-key-file`) the node only collects.
		#[arg(long)]
		participant_suri: Option<String>,
		/// A file holding the participant's secret URI, seed or mnemonic.
		#[arg(long)]
		participant_key_file: Option<PathBuf>,
		/// This node's address as the campaign's validators reach it: the parts'
		/// location on chain.
		#[arg(long, default_value = "http://127.0.0.1:8100")]
		public_url: String,
		/// Seconds after a block's first message when this node opens the block (posts
		/// its part) if no other participant has.
		#[arg(long, default_value_t = 30)]
		open_after_secs: u64,
		/// Keep the parts on this node only, not on the storage clusters too (whose
		/// ring and replication factor the chain gives; a part's location then names
		/// only this node).
		#[arg(long)]
		no_cluster_parts: bool,
		/// A validator node (`http://…:8110`) to bring each sealed block's key to once the
		/// part is posted (signed as this participant), so it need not ask; repeat for
		/// several.
		#[arg(long = "validator-url")]
		validator_urls: Vec<String>,
		/// A JSON object of campaign id → the 32-byte block secret the campaign's
		/// participants share (`0x` hex): those campaigns' parts are served sealed with
		/// each block's key, which only their validators get.
		#[arg(long)]
		block_secrets: Option<PathBuf>,
	},
	/// A validator: processes the channel blocks of the campaigns that name it, posts
	/// its results, finalizes agreed blocks after their challenge period.
	Validator {
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		chain: String,
		/// The validator's sr25519 account key as a secret URI (dev: `//Dave`).
		#[arg(long)]
		validator_suri: Option<String>,
		/// A file holding the validator's secret URI, seed or mnemonic.
		#[arg(long)]
		validator_key_file: Option<PathBuf>,
		/// Where it keeps each campaign's earnings after its last finalized block.
		#[arg(long, default_value = "paratii-adx-validator")]
		data_dir: PathBuf,
		/// Where it serves earners' proofs (`GET /campaigns/{c}/earnings/{account}`).
		#[arg(long, default_value = "127.0.0.1:8110")]
		listen: SocketAddr,
		/// Accept (`adExchange.acceptCampaign`) every active campaign that names this
		/// validator; without it the operator accepts each one.
		#[arg(long)]
		accept_campaigns: bool,
	},
	/// The reference bidder: answers the exchange's OpenRTB bid requests for the
	/// campaigns of `--campaigns` and co-signs its wins.
	Bidder {
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		chain: String,
		/// The HTTP API's address (`POST /openrtb2/bid`, `GET /win`).
		#[arg(long, default_value = "127.0.0.1:8120")]
		listen: SocketAddr,
		/// This bidder's address as the exchange reaches it (its win notices).
		#[arg(long, default_value = "http://127.0.0.1:8120")]
		public_url: String,
		/// The campaigns it bids for: a JSON list (see the `bidder` module's docs).
		#[arg(long)]
		campaigns: PathBuf,
		/// The advertiser's participant key as a secret URI (dev: `//Charlie`): it signs
		/// the wins. The campaigns must name it among their participants.
		#[arg(long)]
		bidder_suri: Option<String>,
		/// A file holding the bidder's secret URI, seed or mnemonic.
		#[arg(long)]
		bidder_key_file: Option<PathBuf>,
		/// The participant's channel node, which keeps the wins it signs.
		#[arg(long, default_value = "http://127.0.0.1:8101")]
		channel_url: String,
		/// A valuation service (the indexer, `http://127.0.0.1:8090`): each bid is scaled
		/// by what it says a view of the media is worth.
		#[arg(long)]
		valuation: Option<String>,
	},
	/// The auditor: takes the VAST trackers of the ads of the campaigns that name it and
	/// signs a `Check` per ad played (`VIEW`, or `FRAUD` for trackers no player fired).
	Auditor {
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		chain: String,
		/// The HTTP API's address (`GET /events/{campaign}/{impression}/{event}`).
		#[arg(long, default_value = "127.0.0.1:8130")]
		listen: SocketAddr,
		/// The auditor's sr25519 account key as a secret URI (dev: `//Ferdie`); campaigns
		/// name it as their auditor.
		#[arg(long)]
		auditor_suri: Option<String>,
		/// A file holding the auditor's secret URI, seed or mnemonic.
		#[arg(long)]
		auditor_key_file: Option<PathBuf>,
		/// The channel node its checks go to (the exchange's, which keeps the wins and
		/// views).
		#[arg(long, default_value = "http://127.0.0.1:8100")]
		channel_url: String,
	},
	/// A channel node without a chain, for benchmarks and crash tests: campaign 1 of a
	/// chain whose genesis hash is zero, every block collecting.
	Synthetic {
		#[arg(long, default_value = "127.0.0.1:8100")]
		listen: SocketAddr,
		#[arg(long, default_value = "paratii-adx-synthetic")]
		data_dir: PathBuf,
		/// The log in NATS JetStream instead (`nats://…`).
		#[arg(long)]
		log: Option<String>,
	},
	/// Ingest throughput: starts `synthetic` in a second process, signs `messages`
	/// views and posts them in batches from concurrent clients.
	Bench {
		#[arg(long, default_value_t = 100_000)]
		messages: usize,
		#[arg(long, default_value_t = 8)]
		clients: usize,
		#[arg(long, default_value_t = 1_000)]
		batch: usize,
	},
	/// A load generator for the auction: closed-loop clients asking `url` (a VAST tag
	/// URL) with the viewer sessions of `sessions` (a file, one token a line), each
	/// keeping one request in flight, for `seconds`; prints the auctions per second and
	/// the latency quantiles as JSON.
	LoadVast {
		#[arg(long)]
		url: String,
		#[arg(long)]
		sessions: PathBuf,
		#[arg(long, default_value_t = 32)]
		concurrency: usize,
		#[arg(long, default_value_t = 20)]
		seconds: u64,
	},
}

/// A role's sr25519 account key, from its secret URI or its key file.
fn role_key(
	suri: Option<&str>,
	file: Option<&std::path::Path>,
	role: &str,
) -> anyhow::Result<subxt_signer::sr25519::Keypair> {
	paratii_client::keys::account_key(&paratii_client::keys::secret_uri(suri, file, role)?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	paratii_client::init_logging();
	match Args::parse().command {
		Command::Channel {
			chain,
			listen,
			data_dir,
			log,
			log_name,
			participant_suri,
			participant_key_file,
			public_url,
			open_after_secs,
			no_cluster_parts,
			validator_urls,
			block_secrets,
		} => {
			let chain = Chain::connect(&chain, Duration::from_secs(60)).await?;
			let genesis = chain.genesis_hash();
			let dir = data_dir.join(hex::encode(genesis)).join("log");
			let log = log::AnyLog::open(log.as_deref(), &dir, &genesis, &log_name).await?;
			let node = Arc::new(
				channel::ChannelNode::new(log, channel::OnChain(chain.clone()), genesis)?
					.with_block_secrets(block_secrets),
			);
			if participant_suri.is_some() || participant_key_file.is_some() {
				let key = role_key(
					participant_suri.as_deref(),
					participant_key_file.as_deref(),
					"participant",
				)?;
				let open_after = Duration::from_secs(open_after_secs);
				let poster = poster::Poster {
					chain,
					key,
					public_url,
					open_after,
					http: reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?,
					to_clusters: !no_cluster_parts,
					validators: validator_urls,
				};
				tokio::spawn(poster.run(node.clone()));
			}
			serve(channel::router(node), listen, "channel node").await
		},
		Command::Validator {
			chain,
			validator_suri,
			validator_key_file,
			data_dir,
			listen,
			accept_campaigns,
		} => {
			let key =
				role_key(validator_suri.as_deref(), validator_key_file.as_deref(), "validator")?;
			let chain = Chain::connect(&chain, Duration::from_secs(60)).await?;
			let dir = data_dir.join(hex::encode(chain.genesis_hash()));
			std::fs::create_dir_all(&dir)?;
			let state = dir.join("earnings.json");
			tracing::info!("validator: earnings kept in {}", state.display());
			let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
			let validator = Arc::new(validator::Validator {
				chain,
				key,
				state,
				http,
				accept_campaigns,
				pending: Default::default(),
				keys: Default::default(),
			});
			tokio::spawn(validator.clone().run());
			serve(validator::router(validator), listen, "validator").await
		},
		Command::Bidder {
			chain,
			listen,
			public_url,
			campaigns,
			bidder_suri,
			bidder_key_file,
			channel_url,
			valuation,
		} => {
			let key = role_key(bidder_suri.as_deref(), bidder_key_file.as_deref(), "bidder")?;
			let specs = std::fs::read(&campaigns)
				.map_err(anyhow::Error::from)
				.and_then(|bytes| Ok(serde_json::from_slice(&bytes)?))
				.map_err(|e| anyhow::anyhow!("--campaigns {}: {e:#}", campaigns.display()))?;
			let chain = Chain::connect(&chain, Duration::from_secs(60)).await?;
			let bidder = Arc::new(bidder::Bidder::new(
				chain,
				key,
				channel_url,
				public_url,
				specs,
				valuation,
			)?);
			tokio::spawn(bidder.clone().follow());
			serve(bidder::router(bidder), listen, "bidder").await
		},
		Command::Auditor { chain, listen, auditor_suri, auditor_key_file, channel_url } => {
			let key = role_key(auditor_suri.as_deref(), auditor_key_file.as_deref(), "auditor")?;
			let chain = Chain::connect(&chain, Duration::from_secs(60)).await?;
			let auditor = Arc::new(auditor::Auditor::new(chain, key, channel_url)?);
			tokio::spawn(auditor.clone().follow());
			serve(auditor::router(auditor), listen, "auditor").await
		},
		Command::Synthetic { listen, data_dir, log } => {
			let log =
				log::AnyLog::open(log.as_deref(), &data_dir, &bench::GENESIS, "synthetic").await?;
			let campaigns = channel::Synthetic(bench::CAMPAIGN);
			let node = channel::ChannelNode::new(log, campaigns, bench::GENESIS)?;
			serve(channel::router(Arc::new(node)), listen, "synthetic channel node").await
		},
		Command::Bench { messages, clients, batch } => bench::run(messages, clients, batch).await,
		Command::LoadVast { url, sessions, concurrency, seconds } => {
			bench::load_vast(&url, &sessions, concurrency, Duration::from_secs(seconds)).await
		},
	}
}
