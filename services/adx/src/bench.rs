//! `paratii-adx bench`: a channel node's ingest throughput. It starts
//! `paratii-adx synthetic` (the real node — HTTP, batched signature checks, the durable
//! log — with a fixed collecting block instead of the chain's answer) in a second
//! process, signs `messages` views with distinct keys, posts them in batches from
//! concurrent clients and times it from the first post to the last answer: every batch
//! is on disk before it is answered.
//!
//! `paratii-adx load-vast`: the load generator of `scripts/bench-auction.sh` — the
//! auction's clients, in Rust so that the load costs the two cores the gateway and the
//! bidders share as little as it can.

use codec::Encode;
use paratii_primitives::adx::{signing_payload, Body, Channel, Message};
use std::{
	process::{Command, Stdio},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// `synthetic`'s campaign and genesis hash (it collects every block of it).
pub const CAMPAIGN: u64 = 1;
pub const GENESIS: [u8; 32] = [0; 32];

/// `n` views in batches of `batch`, batch `k` for block `k` of [`CAMPAIGN`], each view
/// signed by one of 64 viewers; signed on every core.
pub fn signed_views(n: usize, batch: usize) -> Vec<Vec<Message>> {
	use schnorrkel::{signing_context, ExpansionMode, MiniSecretKey};
	let keys: Vec<_> = (0..64u8)
		.map(|i| {
			let seed = MiniSecretKey::from_bytes(&[i + 1; 32]).expect("32 bytes");
			seed.expand_to_keypair(ExpansionMode::Ed25519)
		})
		.collect();
	let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
	let per = n.div_ceil(threads);
	std::thread::scope(|scope| {
		let handles: Vec<_> = (0..threads)
			.map(|t| {
				let keys = &keys;
				scope.spawn(move || {
					let context = signing_context(b"substrate");
					(t * per..((t + 1) * per).min(n))
						.map(|i| {
							let key = &keys[i % keys.len()];
							let author = key.public.to_bytes();
							let body = Body::View { impression: i as u64 };
							let block = u32::try_from(i / batch).unwrap_or(u32::MAX);
							let channel = Channel { genesis: GENESIS, campaign: CAMPAIGN, block };
							let payload = signing_payload(&channel, &author, &body);
							let signature = key.sign(context.bytes(&payload)).to_bytes();
							Message { author, body, signature }
						})
						.collect::<Vec<_>>()
				})
			})
			.collect();
		let all: Vec<Message> =
			handles.into_iter().flat_map(|h| h.join().expect("signing thread")).collect();
		all.chunks(batch).map(<[Message]>::to_vec).collect()
	})
}

pub async fn run(messages: usize, clients: usize, batch: usize) -> anyhow::Result<()> {
	let dir = std::env::temp_dir().join(format!("paratii-adx-bench-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
	let url = format!("http://127.0.0.1:{port}");
	let mut node = Command::new(std::env::current_exe()?)
		.args(["synthetic", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
		.arg(&dir)
		.stdout(Stdio::null())
		.stderr(Stdio::null())
		.spawn()?;
	let outcome = async {
		let http = reqwest::Client::new();
		let started = Instant::now();
		while http.get(format!("{url}/health")).send().await.is_err() {
			anyhow::ensure!(started.elapsed() < Duration::from_secs(30), "the node did not start");
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
		eprintln!("signing {messages} views");
		let bodies: Vec<Vec<u8>> =
			signed_views(messages, batch).iter().map(|b| b.encode()).collect();
		let queue = Arc::new(Mutex::new(bodies.into_iter().enumerate()));
		eprintln!("posting them in batches of {batch} from {clients} clients");
		let started = Instant::now();
		let tasks: Vec<_> = (0..clients)
			.map(|_| {
				let (http, queue, url) = (http.clone(), queue.clone(), url.clone());
				tokio::spawn(async move {
					loop {
						let Some((n, body)) = queue.lock().expect("queue").next() else {
							return anyhow::Ok(());
						};
						// Each batch to a block of its own (a part holds 4,096 at most).
						let path = format!("{url}/campaigns/{CAMPAIGN}/blocks/{n}/messages");
						let answer = http.post(path).body(body).send().await?;
						anyhow::ensure!(answer.status().is_success(), "{}", answer.text().await?);
					}
				})
			})
			.collect();
		for task in tasks {
			task.await??;
		}
		let secs = started.elapsed().as_secs_f64();
		println!(
			"ingested {messages} signed messages in {secs:.2} s: {:.0} messages/s (batches of \
			 {batch} from {clients} clients, each durable before its answer)",
			messages as f64 / secs
		);
		Ok(())
	}
	.await;
	let _ = node.kill();
	let _ = node.wait();
	let _ = std::fs::remove_dir_all(&dir);
	outcome
}

/// Closed-loop clients of the VAST tag `url`, `concurrency` of them (client `i` with
/// session `i` of the file, round robin), for `length`; prints what they measured.
pub async fn load_vast(
	url: &str,
	sessions: &std::path::Path,
	concurrency: usize,
	length: Duration,
) -> anyhow::Result<()> {
	let sessions: Vec<String> = std::fs::read_to_string(sessions)?
		.lines()
		.filter(|l| !l.trim().is_empty())
		.map(str::to_string)
		.collect();
	anyhow::ensure!(!sessions.is_empty(), "no session in the sessions file");
	let http = reqwest::Client::builder()
		.pool_max_idle_per_host(concurrency)
		.timeout(Duration::from_secs(10))
		.build()?;
	let started = Instant::now();
	let end = started + length;
	let tasks: Vec<_> = (0..concurrency)
		.map(|i| {
			let (http, url) = (http.clone(), url.to_string());
			let session = sessions[i % sessions.len()].clone();
			tokio::spawn(async move {
				let (mut latencies, mut failed) = (Vec::new(), 0u64);
				while Instant::now() < end {
					let t0 = Instant::now();
					let answer = http
						.get(&url)
						.header(paratii_client::session::SESSION_HEADER, &session)
						.send()
						.await;
					let won = match answer {
						Ok(a) if a.status().is_success() => {
							a.text().await.is_ok_and(|body| body.contains("<InLine>"))
						},
						_ => false,
					};
					if won {
						latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
					} else {
						failed += 1;
					}
				}
				(latencies, failed)
			})
		})
		.collect();
	let (mut latencies, mut failed) = (Vec::new(), 0);
	for task in tasks {
		let (l, f) = task.await?;
		latencies.extend(l);
		failed += f;
	}
	let secs = started.elapsed().as_secs_f64();
	latencies.sort_by(f64::total_cmp);
	let quantile = |q: f64| {
		let i = ((q * latencies.len() as f64) as usize).min(latencies.len().saturating_sub(1));
		latencies.get(i).map_or(0.0, |ms| (ms * 10.0).round() / 10.0)
	};
	println!(
		"{}",
		serde_json::json!({
			"concurrency": concurrency,
			"seconds": (secs * 10.0).round() / 10.0,
			"auctions": latencies.len(),
			"failed": failed,
			"auctions_per_sec": (latencies.len() as f64 / secs).round(),
			"ms": { "p50": quantile(0.5), "p90": quantile(0.9), "p99": quantile(0.99) },
		})
	);
	Ok(())
}
