//! A channel node killed with SIGKILL while it ingests keeps every message it
//! acknowledged: the real binary (`paratii-adx synthetic`: the node without a chain),
//! four clients posting signed batches, a kill mid-stream, a restart on the same log —
//! the embedded log, and a NATS JetStream stream on a real `nats-server` (killed and
//! restarted too).

use codec::{DecodeAll, Encode};
use paratii_primitives::adx::{signing_payload, Body, Channel, Message};
use sp_core::{sr25519, Pair};
use std::{
	process::{Child, Command, Stdio},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

const BATCHES: usize = 200;
const PER_BATCH: usize = 100;

/// Batch `k`: views signed for block `k` of the synthetic node's campaign 1.
fn batch(k: usize) -> Vec<Message> {
	let viewer = sr25519::Pair::from_string(&format!("//Viewer{}", k % 8), None).unwrap();
	let channel = Channel { genesis: [0; 32], campaign: 1, block: k as u32 };
	(0..PER_BATCH as u64)
		.map(|i| {
			let (author, body) = (viewer.public().0, Body::View { impression: i });
			let signature = viewer.sign(&signing_payload(&channel, &author, &body)).0;
			Message { author, body, signature }
		})
		.collect()
}

fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(dir: &std::path::Path, log: Option<&str>) -> (Child, String) {
	let port = free_port();
	let child = Command::new(env!("CARGO_BIN_EXE_paratii-adx"))
		.args(["synthetic", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
		.arg(dir)
		.args(log.map(|url| ["--log", url]).into_iter().flatten())
		.stdout(Stdio::null())
		.stderr(Stdio::null())
		.spawn()
		.unwrap();
	(child, format!("http://127.0.0.1:{port}"))
}

async fn until_up(http: &reqwest::Client, url: &str) {
	let started = Instant::now();
	while http.get(format!("{url}/health")).send().await.is_err() {
		assert!(started.elapsed() < Duration::from_secs(30), "the node did not start");
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_node_killed_mid_ingest_keeps_every_acknowledged_message() {
	let dir = tempfile::tempdir().unwrap();
	killed_mid_ingest(dir.path(), None, || {}).await;
}

/// A JetStream server on `port` keeping its store in `dir`, up when this returns.
fn nats_server(dir: &std::path::Path, port: u16) -> Child {
	let child =
		Command::new("nats-server")
			.args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
			.arg(dir)
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.unwrap_or_else(|e| {
				panic!("nats-server: {e} (Debian: apt install nats-server; scripts/test.sh installs it)")
			});
	let started = Instant::now();
	while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
		assert!(started.elapsed() < Duration::from_secs(30), "nats-server did not start");
		std::thread::sleep(Duration::from_millis(20));
	}
	child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_node_on_jetstream_killed_mid_ingest_keeps_every_acknowledged_message() {
	let (store, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
	let port = free_port();
	let server = Mutex::new(nats_server(store.path(), port));
	let url = format!("nats://127.0.0.1:{port}");
	// Between the node's kill and its restart the server is killed and restarted too:
	// what it acknowledged is in its file store.
	killed_mid_ingest(dir.path(), Some(&url), || {
		let mut server = server.lock().unwrap();
		server.kill().unwrap();
		server.wait().unwrap();
		*server = nats_server(store.path(), port);
	})
	.await;
	let mut server = server.into_inner().unwrap();
	server.kill().unwrap();
	server.wait().unwrap();
}

async fn killed_mid_ingest(dir: &std::path::Path, log: Option<&str>, between: impl FnOnce()) {
	let http = reqwest::Client::new();
	let (mut node, url) = start(dir, log);
	until_up(&http, &url).await;
	let batches: Arc<Vec<Vec<Message>>> = Arc::new((0..BATCHES).map(batch).collect());
	let next = Arc::new(Mutex::new(0..BATCHES));
	let acked = Arc::new(Mutex::new(Vec::new()));
	let clients: Vec<_> = (0..4)
		.map(|_| {
			let (http, url, batches) = (http.clone(), url.clone(), batches.clone());
			let (next, acked) = (next.clone(), acked.clone());
			tokio::spawn(async move {
				loop {
					let Some(k) = next.lock().unwrap().next() else { return };
					let path = format!("{url}/campaigns/1/blocks/{k}/messages");
					match http.post(path).body(batches[k].encode()).send().await {
						Ok(answer) if answer.status().is_success() => acked.lock().unwrap().push(k),
						// The node is gone: what was not answered was not promised.
						_ => return,
					}
				}
			})
		})
		.collect();
	let started = Instant::now();
	while acked.lock().unwrap().len() < 20 {
		assert!(started.elapsed() < Duration::from_secs(60), "the node acknowledged too little");
		tokio::time::sleep(Duration::from_millis(5)).await;
	}
	node.kill().unwrap(); // SIGKILL
	node.wait().unwrap();
	for client in clients {
		client.await.unwrap();
	}
	let acked = acked.lock().unwrap().clone();
	assert!(acked.len() < BATCHES, "the kill came after everything was sent");
	between();

	let (mut again, url) = start(dir, log);
	until_up(&http, &url).await;
	for k in &acked {
		let part = http
			.get(format!("{url}/campaigns/1/blocks/{k}/part"))
			.send()
			.await
			.unwrap()
			.bytes()
			.await
			.unwrap();
		let kept = Vec::<Message>::decode_all(&mut &part[..]).unwrap();
		assert_eq!(kept, batches[*k], "block {k}: every acknowledged message, once, in order");
	}
	again.kill().unwrap();
	again.wait().unwrap();
}
