//! The search benchmark: a synthetic index of generated titles served by one process,
//! queried over HTTP by concurrent clients from another (`paratii-indexer bench`).

use crate::{
	follow::Status,
	index::{Position, SearchIndex},
};
use anyhow::Context;
use paratii_client::wire::{GeoPoint, IndexedMedia, SearchResults};
use std::{
	path::PathBuf,
	sync::{atomic::Ordering, Arc},
	time::{Duration, Instant},
};

const ADJECTIVES: &[&str] = &[
	"Golden", "Quiet", "Stormy", "Ancient", "Bright", "Frozen", "Hidden", "Misty", "Crimson",
	"Silent", "Wild", "Lonely", "Early", "Late", "Sunny", "Rainy", "Windy", "Little", "Grand",
	"Secret",
];
const SUBJECTS: &[&str] = &[
	"sunset",
	"sunrise",
	"harbour",
	"market",
	"cathedral",
	"bridge",
	"festival",
	"concert",
	"portrait",
	"garden",
	"street",
	"mountain",
	"river",
	"beach",
	"forest",
	"lighthouse",
	"skyline",
	"parade",
	"wedding",
	"tram",
	"café",
	"fountain",
	"vineyard",
	"canyon",
];
const PLACES: &[&str] = &[
	"Lisbon",
	"Porto",
	"São Paulo",
	"Zürich",
	"Kraków",
	"Reykjavík",
	"Málaga",
	"Montréal",
	"Berlin",
	"Nairobi",
	"Kyoto",
	"Oaxaca",
	"Bogotá",
	"Istanbul",
	"Dublin",
	"Hanoi",
	"Lima",
	"Québec",
	"Tromsø",
	"Córdoba",
];

/// A small deterministic generator (xorshift64*): the same titles every run.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
	}

	fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
		from[(self.next() % from.len() as u64) as usize]
	}
}

fn title(rng: &mut Rng) -> String {
	let (a, s, p) = (rng.pick(ADJECTIVES), rng.pick(SUBJECTS), rng.pick(PLACES));
	match rng.next() % 3 {
		0 => format!("{a} {s} in {p}"),
		1 => format!("{s} over {p}, {a} morning"),
		_ => format!("{p}: the {a} {s} #{}", rng.next() % 1000),
	}
}

/// An index of `n` generated titles with counters and places, on disk like the real
/// one (a temporary directory).
pub fn synthetic_index(n: usize) -> anyhow::Result<(Arc<SearchIndex>, Arc<Status>)> {
	let dir = std::env::temp_dir().join(format!("paratii-indexer-bench-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	let index = SearchIndex::open(&dir)?;
	let mut rng = Rng(0x5eed);
	let started = Instant::now();
	for id in 0..n as u64 {
		let media = IndexedMedia {
			id,
			owner: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
			title: title(&mut rng),
			status: "active".into(),
			flagged: false,
			flags: 0,
			likes: (rng.next() % 500) as u32,
			dislikes: (rng.next() % 50) as u32,
			views: rng.next() % 100_000,
			location: Some(GeoPoint {
				latitude: (rng.next() % 180_000) as f64 / 1000.0 - 90.0,
				longitude: (rng.next() % 360_000) as f64 / 1000.0 - 180.0,
			}),
			captured_at: Some(1_700_000_000_000 + id * 60_000),
			registered_block: id as u32 / 10,
			registered_at: 1_700_000_000_000 + id * 600,
			objects: Vec::new(),
			indexed_at: (n / 10) as u32,
			kind: if id % 3 == 0 { "video" } else { "picture" }.into(),
			price: (id % 5 == 0).then(|| format!("{}", (id % 7 + 1) * 10u64.pow(18))),
			minute_price: None,
			owner_name: Some(format!("owner {}", id % 97)),
			thumbnail: None,
		};
		index.upsert(&media, &format!("0x{:064x}", id % 97))?;
	}
	let position = Position { block: (n / 10) as u32, ..Default::default() };
	index.commit(&position)?;
	tracing::info!("indexed {n} synthetic titles in {:.1} s", started.elapsed().as_secs_f64());
	let status = Arc::new(Status::default());
	status.indexed.store(position.block, Ordering::Relaxed);
	status.caught_up.store(true, Ordering::Relaxed);
	Ok((Arc::new(index), status))
}

/// The query mix: whole titles, a word being typed, a word with a typo, two words
/// with the last one half typed, and a filtered search.
fn queries(n: usize) -> Vec<String> {
	let mut rng = Rng(0xbeef);
	(0..n)
		.map(|i| {
			let subject = rng.pick(SUBJECTS);
			let place = rng.pick(PLACES);
			let q = match i % 5 {
				0 => title(&mut rng),
				1 => subject.chars().take(3).collect(),
				2 => {
					// Drop one letter: one typo.
					let mut s: Vec<char> = subject.chars().collect();
					let at = (rng.next() % s.len() as u64) as usize;
					s.remove(at);
					s.into_iter().collect()
				},
				3 => format!("{subject} {}", place.chars().take(3).collect::<String>()),
				_ => format!("{place}&bbox=-45,-90,45,90"),
			};
			format!("/search?q={}", q.replace(' ', "%20").replace('#', "%23").replace(':', "%3A"))
		})
		.collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
	let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted[i].as_secs_f64() * 1000.0
}

pub async fn run(
	titles: usize,
	clients: usize,
	requests: usize,
	json: Option<PathBuf>,
) -> anyhow::Result<()> {
	let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
	let base = format!("http://127.0.0.1:{port}");
	println!("starting a synthetic index of {titles} titles on {base} (second process)");
	let mut server = tokio::process::Command::new(std::env::current_exe()?)
		.args(["--listen", &format!("127.0.0.1:{port}"), "synthetic", "--titles"])
		.arg(titles.to_string())
		.kill_on_drop(true)
		.spawn()
		.context("starting the synthetic index")?;
	let http = reqwest::Client::new();
	let deadline = Instant::now() + Duration::from_secs(300);
	loop {
		if let Ok(r) = http.get(format!("{base}/health")).send().await {
			if r.status().is_success() {
				break;
			}
		}
		anyhow::ensure!(server.try_wait()?.is_none(), "the synthetic index exited");
		anyhow::ensure!(Instant::now() < deadline, "the synthetic index did not answer in 300 s");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}

	let queries = Arc::new(queries(requests));
	let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
	println!("{requests} searches from {clients} concurrent clients");
	let started = Instant::now();
	let tasks: Vec<_> = (0..clients)
		.map(|_| {
			let (queries, next, base) = (queries.clone(), next.clone(), base.clone());
			tokio::spawn(async move {
				let client = reqwest::Client::builder().pool_max_idle_per_host(1).build()?;
				// Warm-up: open the connection.
				client.get(format!("{base}/health")).send().await?;
				let mut latencies = Vec::new();
				let mut with_hits = 0usize;
				loop {
					let i = next.fetch_add(1, Ordering::Relaxed);
					let Some(path) = queries.get(i) else { break };
					let t = Instant::now();
					let response = client.get(format!("{base}{path}")).send().await?;
					anyhow::ensure!(
						response.status().is_success(),
						"{path}: {}",
						response.status()
					);
					let results: SearchResults = response.json().await?;
					latencies.push(t.elapsed());
					with_hits += usize::from(!results.hits.is_empty());
				}
				anyhow::Ok((latencies, with_hits))
			})
		})
		.collect();
	let mut latencies = Vec::with_capacity(requests);
	let mut with_hits = 0;
	for task in tasks {
		let (l, h) = task.await??;
		latencies.extend(l);
		with_hits += h;
	}
	let wall = started.elapsed().as_secs_f64();
	let _ = server.kill().await;
	latencies.sort();
	let figures = serde_json::json!({
		"titles": titles,
		"clients": clients,
		"requests": latencies.len(),
		"with_hits": with_hits,
		"seconds": wall,
		"requests_per_second": latencies.len() as f64 / wall,
		"p50_ms": percentile(&latencies, 0.50),
		"p90_ms": percentile(&latencies, 0.90),
		"p99_ms": percentile(&latencies, 0.99),
		"max_ms": percentile(&latencies, 1.0),
	});
	println!(
		"search over {titles} titles, {clients} clients: {:.0} req/s; p50 {:.2} ms, p90 {:.2} ms, \
		 p99 {:.2} ms, max {:.2} ms; {with_hits} of {} queries had hits",
		figures["requests_per_second"].as_f64().unwrap_or_default(),
		figures["p50_ms"].as_f64().unwrap_or_default(),
		figures["p90_ms"].as_f64().unwrap_or_default(),
		figures["p99_ms"].as_f64().unwrap_or_default(),
		figures["max_ms"].as_f64().unwrap_or_default(),
		latencies.len()
	);
	if let Some(path) = json {
		std::fs::write(&path, serde_json::to_string_pretty(&figures)?)?;
		println!("figures written to {}", path.display());
	}
	Ok(())
}
