//! # paratii-gateway
//!
//! The HTTP front of Paratii's media storage, in two roles of one binary, each with
//! its own listener and limits so uploads cannot exhaust the download side (the seed
//! design's separate upload and download servers). Run both in one process
//! (`--role both`, the default) or each on its own machine.
//!
//! - **upload** (`POST /uploads`, see [`upload`]): hashes, checks and stores files
//!   with thumbnails on `ReplicationFactor` storage clusters and answers the
//!   `media.registerMedia` call for the owner to sign; it never holds users' keys.
//!   Videos become jobs (`GET /jobs/{id}`, see [`jobs`]) that transcoders take.
//! - **transcode** (no listener, see [`jobs`] and [`transcode`]): workers that make a
//!   video's HLS ladder with ffmpeg and store it. The upload role runs
//!   `--transcoders` of them (one by default); `--role transcode` processes sharing
//!   its `--data-dir` add more.
//! - **download** (`GET /media/{id}`, `/media/{id}/objects/{n}`, `/ipfs/{cid}`,
//!   `/media/{id}/hls/…`, `/media/{id}/proof`, `POST /media/{id}/link`, see
//!   [`download`] and [`stream`]): serves verified bytes, HLS streams and proofs, to
//!   viewer sessions where it matters (paid items, views); with
//!   `--ad-exchange-suri`, the ad auction and its VAST tag (`GET /ads/vast?media={id}`,
//!   see [`ads`]); with `--hub-suri`, pay as you watch: per-minute-priced videos
//!   served against payment-channel vouchers, settled on chain (see [`pay`]).
//!
//! The listening roles answer `/health` and `/metrics` (Prometheus text).

mod ads;
mod cache;
mod clusters;
mod download;
mod fill;
mod jobs;
mod metrics;
mod openapi;
mod pay;
mod records;
mod stream;
mod thumbnails;
mod transcode;
mod tus;
mod upload;
mod views;
mod web;

use anyhow::Context;
use axum::{
	extract::{DefaultBodyLimit, State},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use clap::{Parser, ValueEnum};
use paratii_client::{
	http::{serve_with, ServerLimits},
	wire::MediaProof,
	Chain,
};
use std::{
	net::SocketAddr,
	path::PathBuf,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::Duration,
};
use tokio::sync::Semaphore;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::cors::CorsLayer;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Role {
	Upload,
	Download,
	/// Upload and download (and the upload role's transcoders).
	Both,
	/// Transcoders only: video jobs from `--data-dir`.
	Transcode,
}

/// The Paratii gateway.
#[derive(Debug, Parser)]
#[command(name = "paratii-gateway", version, about)]
struct Args {
	/// Which role(s) this process serves.
	#[arg(long, value_enum, default_value = "both")]
	role: Role,
	/// The upload role's address.
	#[arg(long, default_value = "127.0.0.1:8080")]
	upload_listen: SocketAddr,
	/// The download role's address.
	#[arg(long, default_value = "127.0.0.1:8081")]
	download_listen: SocketAddr,
	/// The node's WebSocket RPC.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	chain: String,
	/// Largest file accepted by the upload role, in bytes (100 MiB).
	#[arg(long, default_value_t = 100 * 1024 * 1024)]
	max_upload_bytes: u64,
	/// Media types the upload role accepts (sniffed from the file's bytes).
	#[arg(
		long,
		value_delimiter = ',',
		default_value = "image/jpeg,image/png,image/webp,image/gif,video/mp4,video/webm,video/quicktime"
	)]
	allowed_types: Vec<String>,
	/// Video transcoders this process runs (with the upload or transcode role): each
	/// takes one job at a time, and ffmpeg uses every core for it.
	#[arg(long, default_value_t = 1)]
	transcoders: usize,
	/// Videos waiting for or in transcoding at most; more uploads of videos are refused
	/// (503) until some are done (each holds its source on disk).
	#[arg(long, default_value_t = 32)]
	max_queued_videos: usize,
	/// Seconds of a priced video anyone may watch (its segments starting before this
	/// are free).
	#[arg(long, default_value_t = 30.0)]
	preview_secs: f64,
	/// Longest video accepted, in seconds (three hours).
	#[arg(long, default_value_t = 3.0 * 3600.0)]
	max_video_secs: f64,
	/// Uploads processed at once; more wait.
	#[arg(long, default_value_t = 16)]
	max_concurrent_uploads: usize,
	/// Download requests in progress at once (each until its body is sent); more are
	/// answered 503 with `Retry-After`.
	#[arg(long, default_value_t = 512)]
	max_concurrent_downloads: usize,
	/// Working directory: upload staging and the download cache.
	#[arg(long, default_value = "paratii-gateway-data")]
	data_dir: PathBuf,
	/// Bytes of verified objects the download role keeps on disk (1 GiB).
	#[arg(long, default_value_t = 1 << 30)]
	cache_bytes: u64,
	/// An origin whose web pages may read the gateway's answers (CORS), e.g.
	/// `https://player.example.org`; repeat for several. `*` (the default): any page.
	#[arg(long = "cors-origin", default_value = "*")]
	cors_origins: Vec<String>,
	/// The gateway's sr25519 key as a secret URI (dev: //Gateway): it signs every request
	/// to the storage clusters, which answer only gateways whose key they trust
	/// (`paratii-storage --trusted-gateway`).
	#[arg(long)]
	gateway_suri: Option<String>,
	/// A file holding the gateway's secret URI, seed or mnemonic.
	#[arg(long)]
	gateway_key_file: Option<PathBuf>,
	/// The view-recorder account's secret URI (dev chain: //Gateway): completed views
	/// are submitted with it in `users.recordViews` batches. Without it views are not
	/// counted.
	#[arg(long)]
	view_recorder_suri: Option<String>,
	/// Seconds between view batches (a full batch goes at once).
	#[arg(long, default_value_t = 6)]
	view_batch_secs: u64,
	/// An Ethereum JSON-RPC (HTTP) where ParatiiAnchor anchors this chain: proofs then
	/// say whether each media item is anchored there, checked with `verifyMedia`.
	#[arg(long, requires = "anchor_contract")]
	eth_rpc: Option<String>,
	/// The ParatiiAnchor contract on `--eth-rpc` (what `paratii-relayer deploy` printed).
	#[arg(long, requires = "eth_rpc")]
	anchor_contract: Option<paratii_client::ethereum::Address>,
	#[command(flatten)]
	web: web::WebArgs,
	#[command(flatten)]
	ads: ads::AdArgs,
	#[command(flatten)]
	pay: pay::PayArgs,
}

pub struct Config {
	pub max_upload_bytes: u64,
	pub max_video_secs: f64,
	pub preview_secs: f64,
	pub max_queued_videos: usize,
	pub allowed_types: Vec<String>,
	pub max_title_len: usize,
}

pub struct Inner {
	pub chain: Chain,
	/// The gateway's key: it signs requests to the clusters and media links.
	pub key: subxt_signer::sr25519::Keypair,
	pub clusters: clusters::Clusters,
	pub cache: cache::Cache,
	pub metrics: Arc<metrics::Metrics>,
	/// What downloads read from the chain, once per finalized block.
	pub records: records::Records,
	pub config: Config,
	pub views: Option<views::ViewRecorder>,
	/// The video job queue (upload and transcode roles).
	pub jobs: Option<Arc<jobs::Jobs>>,
	/// Resumable (tus) uploads in progress (upload role).
	pub tus: Option<tus::Uploads>,
	/// Sessions whose signature verified: the account and the expiry, by token (a
	/// player sends the same one with every segment; its expiry is still checked).
	pub sessions: moka::sync::Cache<String, (paratii_client::AccountId, u64)>,
	/// Rendition manifests read (verified) from the clusters, by content hash.
	pub manifests: moka::sync::Cache<[u8; 32], Arc<paratii_client::hls::Manifest>>,
	/// Proofs built at a best block, by `(media id, block hash)`: the record, receipts
	/// and anchor do not change within a block, and a page may ask many times.
	pub proofs: moka::sync::Cache<(paratii_client::MediaId, [u8; 32]), Arc<MediaProof>>,
	/// Pictures decoded at once (for thumbnails): each may take up to
	/// [`thumbnails::MAX_DECODED_BYTES`] besides the file, so this bounds their memory.
	pub decoding: tokio::sync::Semaphore,
	/// ParatiiAnchor on Ethereum, when configured.
	pub anchor: Option<paratii_client::ethereum::Anchor>,
	/// The ad auctions (download role, with `--ad-exchange-suri`).
	pub ads: Option<Arc<ads::Ads>>,
	/// Pay as you watch (download role, with `--hub-suri`).
	pub pay: Option<Arc<pay::Pay>>,
	scratch: PathBuf,
	scratch_seq: AtomicU64,
}

/// The gateway's shared state.
#[derive(Clone)]
pub struct Gateway(Arc<Inner>);

impl std::ops::Deref for Gateway {
	type Target = Inner;
	fn deref(&self) -> &Inner {
		&self.0
	}
}

impl Inner {
	/// A fresh path for an upload's staging files.
	pub fn scratch_path(&self) -> PathBuf {
		self.scratch
			.join(format!("upload-{}.part", self.scratch_seq.fetch_add(1, Ordering::Relaxed)))
	}
}

async fn health(State(gw): State<Gateway>) -> Response {
	let finalized = gw.chain.finalized_number().await.ok();
	let fields: std::collections::BTreeMap<&str, String> = [
		("status", if finalized.is_some() { "ok" } else { "chain unreachable" }.to_string()),
		("finalized_block", finalized.map(|n| n.to_string()).unwrap_or_default()),
		// What downloads read the chain at: a price, purchase or deletion applies from
		// the moment this reaches its block.
		("followed_block", gw.records.followed_block().map(|n| n.to_string()).unwrap_or_default()),
	]
	.into();
	Json(fields).into_response()
}

async fn metrics(State(gw): State<Gateway>) -> Response {
	gw.metrics.render()
}

/// The CORS policy for `origins` (`*`: any).
fn cors(origins: &[String]) -> anyhow::Result<CorsLayer> {
	use tower_http::cors::{AllowOrigin, Any};
	let allow = if origins.iter().any(|o| o == "*") {
		AllowOrigin::any()
	} else {
		AllowOrigin::list(
			origins
				.iter()
				.map(|o| o.parse().with_context(|| format!("--cors-origin {o:?}")))
				.collect::<anyhow::Result<Vec<_>>>()?,
		)
	};
	Ok(CorsLayer::new()
		.allow_origin(allow)
		.allow_methods(Any)
		.allow_headers(Any)
		.expose_headers(Any)
		.max_age(Duration::from_secs(3600)))
}

async fn job_status(
	State(gw): State<Gateway>,
	axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
	match gw.jobs.as_ref().and_then(|jobs| jobs.status(&id)) {
		Some(status) => Json(status).into_response(),
		None => paratii_client::http::error(
			axum::http::StatusCode::NOT_FOUND,
			format!(
				"no job {id:?} (finished jobs are kept {} h)",
				jobs::RETENTION.as_secs() / 3600
			),
		),
	}
}

fn upload_router(gw: Gateway, limit: usize, cors: CorsLayer) -> Router {
	// One count for the uploads in progress, whole (POST /uploads) or resumable (PATCH).
	let uploading = GlobalConcurrencyLimitLayer::with_semaphore(Arc::new(Semaphore::new(limit)));
	Router::new()
		.route("/uploads", post(upload::upload).layer(uploading.clone()))
		.route("/tus", post(tus::create))
		.route(
			"/tus/:id",
			axum::routing::patch(tus::patch).layer(uploading).head(tus::head).delete(tus::delete),
		)
		.route("/tus/:id/result", get(tus::result))
		.route("/jobs/:id", get(job_status))
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.route("/openapi.json", get(paratii_client::openapi::serve(&openapi::upload())))
		// The limit is enforced while the file streams in, with a clear 413.
		.layer(DefaultBodyLimit::disable())
		.layer(cors)
		.layer(axum::middleware::from_fn_with_state(gw.clone(), tus::discovery))
		.with_state(gw)
}

/// Its concurrency limit is the server's (`serve_with`): one count for every route, each
/// request counted until its body has been sent.
fn download_router(gw: Gateway, cors: CorsLayer) -> Router {
	Router::new()
		.route("/media/:id", get(download::original).head(download::original))
		.route("/media/:id/objects/:index", get(download::object).head(download::object))
		.route("/media/:id/proof", get(download::proof))
		.route("/media/:id/link", axum::routing::post(download::link))
		.route("/ipfs/:cid", get(download::ipfs).head(download::ipfs))
		.route("/media/:id/hls/master.m3u8", get(stream::master))
		.route("/media/:id/hls/:label/:file", get(stream::piece).head(stream::piece))
		.route("/micropay", get(pay::info))
		.route("/micropay/channels/:id", get(pay::channel))
		.route("/ads/vast", get(ads::vast))
		.route("/ads/views", get(ads::view_block).post(ads::view))
		.route("/ads/events/:impression/:event", get(ads::event))
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.route("/openapi.json", get(paratii_client::openapi::serve(&openapi::download())))
		.layer(cors)
		.with_state(gw)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	paratii_client::init_logging();
	let args = Args::parse();
	let chain = Chain::connect(&args.chain, Duration::from_secs(120)).await?;
	let metrics = Arc::new(metrics::Metrics::new()?);
	let scratch = args.data_dir.join("uploads");
	let _ = std::fs::remove_dir_all(&scratch);
	std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
	let max_title_len = {
		let at = chain.at_finalized().await?;
		at.constants().entry(paratii_client::api::constants().media().max_title_len())? as usize
	};
	let views = match &args.view_recorder_suri {
		Some(suri) if matches!(args.role, Role::Download | Role::Both) => Some(
			views::ViewRecorder::start(
				chain.clone(),
				paratii_client::keys::account_key(suri)?,
				Duration::from_secs(args.view_batch_secs.max(1)),
				metrics.clone(),
			)
			.await?,
		),
		_ => None,
	};
	let key = paratii_client::keys::account_key(&paratii_client::keys::secret_uri(
		args.gateway_suri.as_deref(),
		args.gateway_key_file.as_deref(),
		"gateway (--gateway-suri or --gateway-key-file)",
	)?)?;
	let ads = match args.role {
		Role::Download | Role::Both => ads::Ads::start(&args.ads, chain.clone(), metrics.clone())?,
		_ => None,
	};
	let pay = match args.role {
		Role::Download | Role::Both => {
			pay::Pay::start(&args.pay, &args.data_dir, &chain, metrics.clone()).await?
		},
		_ => None,
	};
	let gw = Gateway(Arc::new(Inner {
		clusters: clusters::Clusters::new(chain.clone(), key.clone(), metrics.clone()).await?,
		key,
		cache: cache::Cache::new(args.data_dir.join("cache"), args.cache_bytes)?,
		records: records::Records::new(&chain, metrics.clone()),
		chain,
		metrics,
		jobs: match args.role {
			Role::Download => None,
			_ => Some(Arc::new(jobs::Jobs::new(args.data_dir.join("jobs"))?)),
		},
		tus: match args.role {
			Role::Upload | Role::Both => Some(tus::Uploads::new(args.data_dir.join("tus"))?),
			_ => None,
		},
		sessions: moka::sync::Cache::builder()
			.max_capacity(100_000)
			.time_to_idle(Duration::from_secs(600))
			.build(),
		manifests: moka::sync::Cache::builder()
			.weigher(|_, m: &Arc<paratii_client::hls::Manifest>| {
				(m.segments.len() as u32).saturating_mul(256).saturating_add(1024)
			})
			.max_capacity(64 * 1024 * 1024)
			.build(),
		config: Config {
			max_upload_bytes: args.max_upload_bytes,
			max_video_secs: args.max_video_secs,
			preview_secs: args.preview_secs,
			max_queued_videos: args.max_queued_videos,
			allowed_types: args.allowed_types,
			max_title_len,
		},
		views,
		decoding: tokio::sync::Semaphore::new(thumbnails::CONCURRENT_DECODES),
		proofs: moka::sync::Cache::builder()
			.max_capacity(10_000)
			.time_to_live(Duration::from_secs(60))
			.build(),
		anchor: match (args.eth_rpc, args.anchor_contract) {
			(Some(url), Some(address)) => {
				tracing::info!("proofs check ParatiiAnchor {address} on {url}");
				Some(paratii_client::ethereum::Anchor::new(
					paratii_client::ethereum::EthRpc::new(&url),
					address,
				))
			},
			_ => None,
		},
		ads,
		pay,
		scratch,
		scratch_seq: AtomicU64::new(0),
	}));
	// Uploads queue for their `max_concurrent_uploads` slots and may stream for long (a
	// stalled one is cut by the body's idle timeout); the server refuses beyond that.
	let upload_limits = ServerLimits {
		request_timeout: Duration::from_secs(3600),
		max_concurrent: args.max_concurrent_uploads.saturating_mul(4).max(64),
		..ServerLimits::default()
	};
	let cors = cors(&args.cors_origins)?;
	if let Some(jobs) = &gw.jobs {
		check_ffmpeg()?;
		for n in 0..args.transcoders {
			tokio::spawn(jobs::worker(gw.clone(), jobs.clone(), n));
		}
	}
	if args.role == Role::Transcode {
		// No listener: the workers run until the process is stopped.
		tokio::signal::ctrl_c().await?;
		return Ok(());
	}
	let upload = (args.role != Role::Download).then(|| {
		serve_with(
			upload_router(gw.clone(), args.max_concurrent_uploads, cors.clone()),
			args.upload_listen,
			"upload role",
			upload_limits,
		)
	});
	let download_limits =
		ServerLimits { max_concurrent: args.max_concurrent_downloads, ..ServerLimits::default() };
	let download = (args.role != Role::Upload).then(|| {
		serve_with(
			download_router(gw.clone(), cors),
			args.download_listen,
			"download role",
			download_limits,
		)
	});
	let web = args.web.web_dir.clone().map(|dir| {
		let router = web::router(&args.web, &args.ads.ad_auditors, dir);
		serve_with(router, args.web.web_listen, "web player", ServerLimits::default())
	});
	let servers = [upload, download, web].into_iter().flatten();
	futures::future::try_join_all(servers).await?;
	Ok(())
}

/// Videos need Debian's ffmpeg and ffprobe: say so at start, not at the first upload.
fn check_ffmpeg() -> anyhow::Result<()> {
	for tool in ["ffmpeg", "ffprobe"] {
		let found = std::process::Command::new(tool)
			.arg("-version")
			.stdout(std::process::Stdio::null())
			.stderr(std::process::Stdio::null())
			.status()
			.is_ok_and(|s| s.success());
		anyhow::ensure!(
			found,
			"{tool} is not installed: videos are transcoded with it (Debian: apt-get install \
			 ffmpeg); or run with --role download"
		);
	}
	Ok(())
}
