//! # paratii — the user's tool for Paratii chain
//!
//! ```text
//! paratii upload FILE --title T --suri //Alice   upload, sign registerMedia, wait for finality
//! paratii upload CLIP.mp4 --title T --suri //A  a video: upload, transcoding progress, register
//! paratii download ID|CID [-o FILE]             download, verified against the chain
//! paratii download ID --rendition 480p -o F.mp4 a video's rendition as one MP4, verified
//! paratii proof ID|FILE                         who registered it, when, and the receipts
//! paratii delete ID --suri //Alice              delete (the proof stays)
//! paratii search QUERY [--limit N] [--owner A]  search titles (the indexer)
//! paratii buy ID --suri //Bob                   buy a priced item (pti.buy), wait for finality
//! paratii download ID --suri //Bob              a paid original: signs a viewer session
//! paratii ad campaign create|top-up|close|status  an advertiser's campaigns (see [`ad`])
//! paratii channel open|top-up|close|status|price  pay as you watch (see [`channel`])
//! paratii download ID --pay --suri //Bob        a per-minute-priced video, a voucher a segment
//! ```
//!
//! Exit codes, for scripts: 0 done; 1 not found / not registered / gone;
//! 2 wrong usage; 3 refused (by the gateway or the chain); 4 a service or the node
//! cannot be reached or failed.

mod ad;
mod channel;
mod watch;

use clap::{Parser, Subcommand};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use paratii_client::{api, content, wire, Chain, MediaId};
use sha2::{Digest, Sha256};
use std::{path::PathBuf, process::ExitCode, time::Duration};
use tokio::io::AsyncWriteExt;

/// Upload, download, check and delete media on Paratii chain.
#[derive(Debug, Parser)]
#[command(name = "paratii", version, about)]
struct Cli {
	/// The node's WebSocket RPC.
	#[arg(long, global = true, default_value = "ws://127.0.0.1:9944")]
	chain: String,
	/// The gateway's upload role.
	#[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
	upload_url: String,
	/// The gateway's download role.
	#[arg(long, global = true, default_value = "http://127.0.0.1:8081")]
	download_url: String,
	/// The indexer's search API.
	#[arg(long, global = true, default_value = "http://127.0.0.1:8090")]
	indexer_url: String,
	/// Print results as JSON (for scripts) instead of text.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Upload a picture or video, register it on chain, wait for finality.
	Upload {
		file: PathBuf,
		#[arg(long)]
		title: String,
		/// The owner's secret URI (dev: //Alice); it signs `media.registerMedia`.
		#[arg(long)]
		suri: String,
		/// Where it was captured: "latitude,longitude" in degrees.
		#[arg(long)]
		location: Option<String>,
		/// When it was captured, Unix milliseconds.
		#[arg(long)]
		captured_at: Option<u64>,
	},
	/// Download a media item's original (by id) or any object (by CID), verified.
	Download {
		/// A media id or a CID (bafkrei…).
		what: String,
		/// Where to write it (default: the CID, in the current directory).
		#[arg(short, long)]
		output: Option<PathBuf>,
		/// For a priced item: the owner's or a buyer's secret URI; it signs a short-lived
		/// viewer session (the key never leaves this machine).
		#[arg(long)]
		suri: Option<String>,
		/// A video's rendition (`240p`, `480p`, `720p`, `1080p`) instead of the original:
		/// its segments in one fragmented MP4, each verified against the rendition
		/// manifest the chain's record commits to.
		#[arg(long)]
		rendition: Option<String>,
		/// Pay as you watch: a video priced per minute, its tallest rendition (or
		/// `--rendition`), each segment paid with a voucher of your channel to the
		/// gateway's hub, signed with --suri (see `paratii channel open`).
		#[arg(long, requires = "suri")]
		pay: bool,
	},
	/// Buy a priced media item: pays its price (at most --max-price, default the
	/// current price) with `pti.buy` and waits for finality.
	Buy {
		id: MediaId,
		#[arg(long)]
		suri: String,
		/// The most you accept to pay, in planck (10^-18 PTI); default: the price now.
		#[arg(long)]
		max_price: Option<u128>,
	},
	/// Show the proof of existence of a media item (by id) or of a local file.
	Proof {
		/// A media id, or the path of a file to hash and look up.
		what: String,
	},
	/// Delete a media item you own; its proof of existence stays.
	Delete {
		id: MediaId,
		#[arg(long)]
		suri: String,
	},
	/// Pay as you watch: payment channels to a gateway's hub, per-minute prices.
	Channel {
		#[command(subcommand)]
		command: channel::ChannelCommand,
	},
	/// The ad exchange: an advertiser's campaigns.
	Ad {
		#[command(subcommand)]
		command: ad::AdCommand,
	},
	/// Search media by title: words in any order, the last one may be a prefix,
	/// one typo allowed in words of five letters or more, accents ignored.
	Search {
		/// The words to look for.
		#[arg(required = true, num_args = 1..)]
		query: Vec<String>,
		/// Results to show (1..=100).
		#[arg(long, default_value_t = 20)]
		limit: usize,
		/// Only media of this account (SS58 or 0x hex).
		#[arg(long)]
		owner: Option<String>,
	},
}

/// A failure with the exit code it maps to.
struct Failure(u8, String);

impl<E: std::fmt::Display> From<E> for Failure {
	fn from(e: E) -> Self {
		Failure(4, format!("{e:#}"))
	}
}

fn not_found(message: impl Into<String>) -> Failure {
	Failure(1, message.into())
}

fn refused(message: impl Into<String>) -> Failure {
	Failure(3, message.into())
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	let result = match &cli.command {
		Command::Upload { file, title, suri, location, captured_at } => {
			upload(&cli, file, title, suri, location.as_deref(), *captured_at).await
		},
		Command::Download { what, output, suri, rendition, pay } if rendition.is_some() || *pay => {
			let suri = suri.as_deref();
			download_rendition(&cli, what, rendition.as_deref(), output.clone(), suri, *pay).await
		},
		Command::Download { what, output, suri, .. } => {
			download(&cli, what, output.clone(), suri.as_deref()).await
		},
		Command::Buy { id, suri, max_price } => buy(&cli, *id, suri, *max_price).await,
		Command::Proof { what } => proof(&cli, what).await,
		Command::Delete { id, suri } => delete(&cli, *id, suri).await,
		Command::Ad { command } => ad::run(&cli, command).await,
		Command::Channel { command } => channel::run(&cli, command).await,
		Command::Search { query, limit, owner } => {
			search(&cli, &query.join(" "), *limit, owner.as_deref()).await
		},
	};
	match result {
		Ok(()) => ExitCode::SUCCESS,
		Err(Failure(code, message)) => {
			eprintln!("error: {message}");
			ExitCode::from(code)
		},
	}
}

fn bar(len: u64, what: &str) -> ProgressBar {
	let bar = ProgressBar::new(len);
	bar.set_style(
		ProgressStyle::with_template(
			"{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
		)
		.expect("a valid template")
		.progress_chars("=> "),
	);
	bar.set_message(what.to_string());
	bar
}

fn spinner(what: &str) -> ProgressBar {
	let s = ProgressBar::new_spinner();
	s.set_message(what.to_string());
	s.enable_steady_tick(Duration::from_millis(120));
	s
}

/// Turns a service's non-success answer into a failure with the right exit code.
async fn check(response: reqwest::Response) -> Result<reqwest::Response, Failure> {
	let status = response.status();
	if status.is_success() {
		return Ok(response);
	}
	let text = response.text().await.unwrap_or_default();
	let message = serde_json::from_str::<wire::ErrorBody>(&text).map(|e| e.error).unwrap_or(text);
	let message = format!("{status}: {message}");
	Err(match status.as_u16() {
		404 | 410 => not_found(message),
		400..=499 => refused(message),
		_ => Failure(4, message),
	})
}

async fn connect(cli: &Cli) -> Result<Chain, Failure> {
	Ok(Chain::connect(&cli.chain, Duration::from_secs(5)).await?)
}

/// Signs and submits `call`, waits for finality, and returns the events; a failed
/// dispatch is a refusal.
async fn submit<Call: subxt::tx::Payload>(
	chain: &Chain,
	call: &Call,
	suri: &str,
) -> Result<subxt::extrinsics::ExtrinsicEvents<paratii_client::ChainConfig>, Failure> {
	let signer =
		paratii_client::keys::account_key(suri).map_err(|e| Failure(2, format!("{e:#}")))?;
	let waiting = spinner("waiting for finality");
	// The next nonce as the node's pool sees it: subxt's default reads it at the last
	// finalized block, which reuses the nonce of a transaction of the same account that
	// is in a block but not final yet ("Transaction is outdated").
	let nonce = chain.next_nonce(&signer.public_key().to_account_id()).await?;
	let params = subxt::config::DefaultExtrinsicParamsBuilder::<paratii_client::ChainConfig>::new()
		.nonce(nonce)
		.build();
	let progress =
		chain.client().tx().await?.sign_and_submit_then_watch(call, &signer, params).await;
	let result = match progress {
		Ok(p) => p.wait_for_finalized_success().await.map_err(|e| refused(format!("{e}"))),
		Err(e) => Err(refused(format!("the node refused the transaction: {e}"))),
	};
	waiting.finish_and_clear();
	result
}

async fn upload(
	cli: &Cli,
	path: &PathBuf,
	title: &str,
	suri: &str,
	location: Option<&str>,
	captured_at: Option<u64>,
) -> Result<(), Failure> {
	let signer =
		paratii_client::keys::account_key(suri).map_err(|e| Failure(2, format!("{e:#}")))?;
	let owner = signer.public_key().to_account_id();
	// The owner signs the file's hash: the gateway takes uploads only from their owners.
	let local = sha256_file(path).await?;
	let chain = connect(cli).await?;
	let expires = paratii_client::unix_millis() + 10 * 60 * 1000;
	let signature =
		paratii_client::signed::sign_upload(&signer, &chain.genesis_hash(), &local, expires);
	let file = tokio::fs::File::open(path)
		.await
		.map_err(|e| Failure(2, format!("{}: {e}", path.display())))?;
	let size = file.metadata().await?.len();
	let progress = bar(size, "uploading");
	let sent = progress.clone();
	let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).map(move |chunk| {
		if let Ok(c) = &chunk {
			sent.inc(c.len() as u64);
		}
		chunk
	});
	let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
	let mut form = reqwest::multipart::Form::new()
		.text("title", title.to_string())
		.text("owner", owner.to_string())
		.text("expires", expires.to_string())
		.text("signature", signature);
	if let Some(location) = location {
		form = form.text("location", location.to_string());
	}
	if let Some(at) = captured_at {
		form = form.text("captured_at", at.to_string());
	}
	form = form.part(
		"file",
		reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
			.file_name(name),
	);
	let response = reqwest::Client::new()
		.post(format!("{}/uploads", cli.upload_url))
		.multipart(form)
		.send()
		.await;
	progress.finish_and_clear();
	let response = check(response?).await?;
	let answer: wire::UploadResponse = if response.status() == reqwest::StatusCode::ACCEPTED {
		let job: wire::JobAccepted = response.json().await?;
		follow_job(cli, &job).await?
	} else {
		response.json().await?
	};

	// Trust, but verify: the gateway stored this file, and its call is what we sign.
	let local = content::hex_hash(&local);
	if answer.content_hash != local {
		return Err(Failure(
			4,
			format!("the gateway stored {} but the file is {local}", answer.content_hash),
		));
	}
	let call = answer.register_call()?;
	let call_data = format!("0x{}", hex::encode(chain.client().tx().await?.call_data(&call)?));
	if call_data != answer.call {
		return Err(Failure(
			4,
			"the gateway's registerMedia call does not match its objects".into(),
		));
	}
	let events = submit(&chain, &call, suri).await?;
	let registered = events
		.find_first::<api::media::events::MediaRegistered>()
		.ok_or_else(|| Failure(4, "no MediaRegistered event".into()))??;
	let proof = fetch_proof(cli, registered.media_id).await?;
	let video = answer
		.objects
		.iter()
		.any(|o| matches!(o.kind, paratii_client::chain::Kind::Transcoded { .. }));
	let stream_url = video
		.then(|| format!("{}/media/{}/hls/master.m3u8", cli.download_url, registered.media_id));
	if cli.json {
		println!(
			"{}",
			serde_json::json!({ "media_id": registered.media_id, "cid": answer.cid,
				"view_url": format!("{}/media/{}", cli.download_url, registered.media_id),
				"stream_url": stream_url, "proof": proof })
		);
	} else {
		println!("media id   {}", registered.media_id);
		println!("cid        {}", answer.cid);
		println!("view       {}/media/{}", cli.download_url, registered.media_id);
		if let Some(url) = &stream_url {
			println!("stream     {url}");
		}
		println!("ipfs path  {}/ipfs/{}", cli.download_url, answer.cid);
		print_proof(&proof);
	}
	Ok(())
}

/// Follows a video's job to its end, with its progress (percent, fps, speed, ETA), and
/// answers what it made.
async fn follow_job(cli: &Cli, job: &wire::JobAccepted) -> Result<wire::UploadResponse, Failure> {
	let url = format!("{}{}", cli.upload_url, job.status_url);
	let progress = ProgressBar::new(1000);
	progress.set_style(
		ProgressStyle::with_template("{msg:12} [{bar:30}] {percent:>3}% {prefix}")
			.expect("a valid template")
			.progress_chars("=> "),
	);
	// On stderr, as the progress: --json keeps stdout for the result.
	eprintln!(
		"transcoding {:.1} s of video into {} (job {})",
		job.duration_secs,
		job.renditions.join(", "),
		job.job
	);
	let http = reqwest::Client::new();
	let mut interval = tokio::time::interval(Duration::from_millis(500));
	loop {
		interval.tick().await;
		let status: wire::JobStatus = check(http.get(&url).send().await?).await?.json().await?;
		let stage = match status.state {
			wire::JobState::Queued => "queued",
			wire::JobState::Transcoding => "transcoding",
			wire::JobState::Storing => "storing",
			wire::JobState::Done => {
				progress.finish_and_clear();
				return status
					.result
					.ok_or_else(|| Failure(4, "a finished job without its result".into()));
			},
			wire::JobState::Failed => {
				progress.finish_and_clear();
				return Err(refused(format!(
					"the video could not be processed: {}",
					status.error.unwrap_or_default()
				)));
			},
		};
		progress.set_message(stage);
		progress.set_position((status.percent * 10.0) as u64);
		let mut details = Vec::new();
		if let Some(fps) = status.fps {
			details.push(format!("{fps:.0} fps"));
		}
		if let Some(speed) = status.speed {
			details.push(format!("{speed:.2}× realtime"));
		}
		if let Some(eta) = status.eta_secs {
			details.push(format!("eta {eta:.0} s"));
		}
		if let Some(n) = status.resumed_at_segment {
			details.push(format!("resumed at segment {n}"));
		}
		progress.set_prefix(details.join(", "));
	}
}

async fn sha256_file(path: &PathBuf) -> Result<[u8; 32], Failure> {
	let mut file = tokio_util::io::ReaderStream::new(tokio::fs::File::open(path).await?);
	let mut hasher = Sha256::new();
	while let Some(chunk) = file.next().await {
		hasher.update(&chunk?);
	}
	Ok(hasher.finalize().into())
}

async fn fetch_proof(cli: &Cli, id: MediaId) -> Result<wire::MediaProof, Failure> {
	let response = reqwest::get(format!("{}/media/{id}/proof", cli.download_url)).await?;
	Ok(check(response).await?.json().await?)
}

fn print_proof(proof: &wire::MediaProof) {
	println!("title      {}", proof.title);
	println!("owner      {}", proof.owner);
	println!(
		"registered block #{} {} ({}), timestamp {} ms",
		proof.block_number,
		proof.block_hash.as_deref().unwrap_or("?"),
		if proof.finalized { "finalized" } else { "not final yet" },
		proof.timestamp
	);
	println!("status     {}", proof.status);
	for object in &proof.objects {
		let receipts: Vec<String> = object
			.clusters
			.iter()
			.map(|c| format!("cluster {} {} ({})", c.cluster, c.receipt, c.status))
			.collect();
		println!(
			"object     {:?} {} {} bytes: {}",
			object.kind,
			object.cid,
			object.size,
			receipts.join(", ")
		);
	}
	if let Some(eth) = &proof.ethereum {
		let anchored = match (eth.anchored_block, eth.ethereum_block, &eth.ethereum_tx) {
			(Some(b), Some(e), Some(tx)) => {
				format!(", through the anchor of block #{b} (Ethereum block {e}, tx {tx})")
			},
			(Some(b), _, _) => format!(", latest anchor: block #{b}"),
			_ => String::new(),
		};
		println!(
			"ethereum   {}{anchored}; ParatiiAnchor {} on chain {}; media root {} in the MMR leaf of block #{}",
			match eth.status.as_str() {
				"anchored" => "anchored, verifyMedia = true",
				"pending" => "not anchored yet",
				"not_verified" => "anchored, but verifyMedia = false",
				_ => "unavailable",
			},
			eth.contract,
			eth.chain_id,
			eth.media_root,
			eth.mmr_leaf_block
		);
		if let Some(e) = &eth.error {
			println!("           {e}");
		}
	}
}

async fn download(
	cli: &Cli,
	what: &str,
	output: Option<PathBuf>,
	suri: Option<&str>,
) -> Result<(), Failure> {
	let (url, expected) = if let Ok(id) = what.parse::<MediaId>() {
		let chain = connect(cli).await?;
		let media = chain.media(id).await?.ok_or_else(|| not_found(format!("no media {id}")))?;
		let original = media
			.objects
			.iter()
			.find(|o| o.kind == paratii_client::chain::Kind::Original)
			.ok_or_else(|| not_found("the media has no original"))?;
		(format!("{}/media/{id}", cli.download_url), original.content_hash)
	} else {
		let hash = content::hash_of_cid(what)
			.ok_or_else(|| Failure(2, format!("{what:?} is neither a media id nor a raw CIDv1")))?;
		(format!("{}/ipfs/{what}", cli.download_url), hash)
	};
	let mut request = reqwest::Client::new().get(&url);
	if let Some(session) = session(cli, suri).await? {
		request = request.header(paratii_client::session::SESSION_HEADER, session);
	}
	let response = check(request.send().await?).await?;
	let output = output.unwrap_or_else(|| PathBuf::from(content::cid_of(&expected)));
	let progress = bar(response.content_length().unwrap_or(0), "downloading");
	let mut file = tokio::fs::File::create(&output)
		.await
		.map_err(|e| Failure(2, format!("{}: {e}", output.display())))?;
	let mut hasher = Sha256::new();
	let mut stream = response.bytes_stream();
	while let Some(chunk) = stream.next().await {
		let chunk = chunk?;
		hasher.update(&chunk);
		file.write_all(&chunk).await?;
		progress.inc(chunk.len() as u64);
	}
	file.flush().await?;
	progress.finish_and_clear();
	let actual: [u8; 32] = hasher.finalize().into();
	if actual != expected {
		let _ = tokio::fs::remove_file(&output).await;
		return Err(Failure(
			4,
			"the downloaded bytes do not match the chain's hash; removed".into(),
		));
	}
	println!("{} ({}, verified)", output.display(), content::cid_of(&actual));
	Ok(())
}

/// A viewer session signed by `suri`'s key, if given: an hour, long enough for a slow
/// download.
/// The key of secret URI `suri` (a bad one is wrong usage).
fn key(suri: &str) -> Result<subxt_signer::sr25519::Keypair, Failure> {
	paratii_client::keys::account_key(suri).map_err(|e| Failure(2, format!("{e:#}")))
}

async fn session(cli: &Cli, suri: Option<&str>) -> Result<Option<String>, Failure> {
	let Some(suri) = suri else { return Ok(None) };
	let key = key(suri)?;
	let genesis = connect(cli).await?.genesis_hash();
	let expires = paratii_client::unix_millis() + 60 * 60 * 1000;
	Ok(Some(paratii_client::session::session(&key, &genesis, expires)))
}

/// `GET url` (with the session and voucher, if any), its bytes checked against `hash`.
async fn get_verified(
	http: &reqwest::Client,
	url: &str,
	session: Option<&str>,
	hash: &[u8; 32],
	voucher: Option<String>,
) -> Result<bytes::Bytes, Failure> {
	let mut request = http.get(url);
	if let Some(session) = session {
		request = request.header(paratii_client::session::SESSION_HEADER, session);
	}
	if let Some(voucher) = voucher {
		request = request.header(paratii_client::micropay::VOUCHER_HEADER, voucher);
	}
	let bytes = check(request.send().await?).await?.bytes().await?;
	if content::sha256(&bytes) != *hash {
		return Err(Failure(4, format!("{url}: the bytes do not match the committed hash")));
	}
	Ok(bytes)
}

/// `paratii download ID --rendition LABEL`: the rendition's manifest (verified against
/// the chain's record), then its initialization section and segments (each verified
/// against the manifest), written one after the other: a fragmented MP4.
async fn download_rendition(
	cli: &Cli,
	what: &str,
	label: Option<&str>,
	output: Option<PathBuf>,
	suri: Option<&str>,
	pay: bool,
) -> Result<(), Failure> {
	use paratii_client::{chain::Kind, hls};
	let id: MediaId = what
		.parse()
		.map_err(|_| Failure(2, format!("--rendition and --pay take a media id, not {what:?}")))?;
	let chain = connect(cli).await?;
	let media = chain.media(id).await?.ok_or_else(|| not_found(format!("no media {id}")))?;
	let tallest = media
		.objects
		.iter()
		.filter_map(|o| match &o.kind {
			Kind::Transcoded { label } => Some(label.as_str()),
			_ => None,
		})
		.max_by_key(|l| l.trim_end_matches('p').parse::<u32>().unwrap_or(0));
	let label = label.or(tallest).unwrap_or("none");
	let wanted = Kind::Transcoded { label: label.to_string() };
	let Some(index) = media.objects.iter().position(|o| o.kind == wanted) else {
		let labels: Vec<String> = media
			.objects
			.iter()
			.filter_map(|o| match &o.kind {
				Kind::Transcoded { label } => Some(label.clone()),
				_ => None,
			})
			.collect();
		return Err(not_found(format!(
			"media {id} has no rendition {label}; it has: {}",
			if labels.is_empty() { "none (not a video)".into() } else { labels.join(", ") }
		)));
	};
	let session = session(cli, suri).await?;
	let http = reqwest::Client::new();
	let base = format!("{}/media/{id}", cli.download_url);
	let object = &media.objects[index];
	let manifest = get_verified(
		&http,
		&format!("{base}/objects/{index}"),
		session.as_deref(),
		&object.content_hash,
		None,
	)
	.await?;
	let mut payer = match (pay, suri) {
		(true, Some(suri)) => {
			let at = chain.at_finalized().await?;
			let Some(minute_price) = paratii_client::micropay::minute_price_at(&at, id).await?
			else {
				return Err(refused(format!(
					"media {id} is not priced per minute: download it without --pay"
				)));
			};
			Some((channel::Payer::new(cli, &chain, suri, id).await?, minute_price))
		},
		_ => None,
	};
	let manifest = hls::Manifest::parse(&manifest).map_err(|e| Failure(4, format!("{e:#}")))?;
	let total: u64 = manifest.inits.first().map_or(0, |p| p.size)
		+ manifest.segments.iter().map(|s| s.part.size).sum::<u64>();
	let output = output.unwrap_or_else(|| PathBuf::from(format!("{id}-{label}.mp4")));
	let mut file = tokio::fs::File::create(&output)
		.await
		.map_err(|e| Failure(2, format!("{}: {e}", output.display())))?;
	let progress = bar(total, &format!("downloading {label}"));
	// One file has one initialization section: the first. A rendition has a second
	// only if its transcoder was resumed with another codec configuration, which the
	// same settings do not make; its segments carry their absolute times.
	let pieces = std::iter::once((hls::Piece::Init(0), "init-0.mp4".to_string()))
		.chain((0..manifest.segments.len()).map(|n| (hls::Piece::Segment(n), format!("{n}.m4s"))));
	let result = async {
		for (piece, name) in pieces {
			let part = manifest.part(piece).ok_or_else(|| Failure(4, format!("no {piece:?}")))?;
			let hash = part.hash().ok_or_else(|| Failure(4, "a malformed hash".to_string()))?;
			let url = format!("{base}/hls/{label}/{name}");
			let voucher =
				match (&mut payer, piece) {
					(Some((payer, minute_price)), hls::Piece::Segment(n)) => {
						let duration = manifest.segments[n].duration;
						Some(payer.voucher(paratii_client::micropay::segment_price(
							*minute_price,
							duration,
						)))
					},
					_ => None,
				};
			let bytes = get_verified(&http, &url, session.as_deref(), &hash, voucher).await?;
			file.write_all(&bytes).await?;
			progress.inc(bytes.len() as u64);
		}
		file.flush().await?;
		Ok::<(), Failure>(())
	}
	.await;
	progress.finish_and_clear();
	if let Some((payer, _)) = &payer {
		// Said even when the download stopped: what was signed was spent.
		eprintln!(
			"paid {} with channel {} ({} for media {id} in all)",
			paratii_client::format_pti(payer.spent()),
			payer.channel,
			paratii_client::format_pti(payer.cumulative)
		);
	}
	if let Err(e) = result {
		let _ = tokio::fs::remove_file(&output).await;
		return Err(e);
	}
	println!(
		"{} ({label}, {}×{}, {} segments, {:.1} s, every piece verified)",
		output.display(),
		manifest.width,
		manifest.height,
		manifest.segments.len(),
		manifest.duration()
	);
	Ok(())
}

async fn proof(cli: &Cli, what: &str) -> Result<(), Failure> {
	let path = PathBuf::from(what);
	if path.is_file() {
		let hash = sha256_file(&path).await?;
		let chain = connect(cli).await?;
		let Some(proof) = chain.proof_of_existence(hash).await? else {
			return Err(not_found(format!(
				"{} ({}) is not registered on chain",
				path.display(),
				content::cid_of(&hash)
			)));
		};
		let media = fetch_proof(cli, proof.media_id).await?;
		if cli.json {
			println!("{}", serde_json::json!({ "cid": content::cid_of(&hash), "proof": media }));
		} else {
			println!("file       {} ({})", path.display(), content::cid_of(&hash));
			println!("media id   {} (object {})", proof.media_id, proof.object_index);
			print_proof(&media);
		}
		return Ok(());
	}
	let id: MediaId = what
		.parse()
		.map_err(|_| Failure(2, format!("{what:?} is neither a file nor a media id")))?;
	let media = fetch_proof(cli, id).await?;
	if cli.json {
		println!("{}", serde_json::to_string(&media)?);
	} else {
		println!("media id   {id}");
		print_proof(&media);
	}
	Ok(())
}

async fn buy(cli: &Cli, id: MediaId, suri: &str, max_price: Option<u128>) -> Result<(), Failure> {
	let chain = connect(cli).await?;
	let Some(price) = chain.price(id).await? else {
		return Err(not_found(format!("media {id} is not for sale")));
	};
	let events = submit(&chain, &api::tx().pti().buy(id, max_price.unwrap_or(price)), suri).await?;
	let bought = events
		.find_first::<api::pti::events::Purchased>()
		.ok_or_else(|| Failure(4, "no pti.Purchased event".into()))??;
	println!(
		"bought media {id} for {} planck ({} to the owner, {} to the redistribution fund); \
		 download it with `paratii download {id} --suri ...`",
		bought.price, bought.to_owner, bought.to_fund
	);
	Ok(())
}

async fn delete(cli: &Cli, id: MediaId, suri: &str) -> Result<(), Failure> {
	let chain = connect(cli).await?;
	submit(&chain, &api::tx().media().delete_media(id), suri).await?;
	println!("media {id} deleted; its proof of existence stays on chain");
	Ok(())
}

async fn search(cli: &Cli, query: &str, limit: usize, owner: Option<&str>) -> Result<(), Failure> {
	let mut params = vec![("q", query.to_string()), ("limit", limit.to_string())];
	if let Some(owner) = owner {
		params.push(("owner", owner.to_string()));
	}
	let response = reqwest::Client::new()
		.get(format!("{}/search", cli.indexer_url))
		.query(&params)
		.send()
		.await
		.map_err(|e| {
			Failure(4, format!("the indexer at {} cannot be reached: {e}", cli.indexer_url))
		})?;
	let text = check(response).await?.text().await?;
	if cli.json {
		println!("{text}");
		return Ok(());
	}
	let results: wire::SearchResults = serde_json::from_str(&text)?;
	if results.hits.is_empty() {
		return Err(not_found(format!(
			"no media title matches {query:?} (indexed up to block #{})",
			results.indexed_block
		)));
	}
	println!("{:>8}  {:<40}  {:>6}  {:>6}  registered", "id", "title", "likes", "views");
	for hit in &results.hits {
		let m = &hit.media;
		let title: String = if m.title.chars().count() > 40 {
			m.title.chars().take(39).chain(['…']).collect()
		} else {
			m.title.clone()
		};
		println!(
			"{:>8}  {:<40}  {:>6}  {:>6}  block #{}{}",
			m.id,
			title,
			m.likes,
			m.views,
			m.registered_block,
			if m.flagged { "  (flagged)" } else { "" }
		);
	}
	println!(
		"{} of {} matches (indexed up to block #{})",
		results.hits.len(),
		results.total,
		results.indexed_block
	);
	Ok(())
}
