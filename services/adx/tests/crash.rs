//! A channel node killed with SIGKILL while it ingests keeps every message it
//! acknowledged: the real binary (`paratii-adx synthetic`: the node without a chain),
//! four clients posting signed batches, a kill mid-stream, a restart on the same log.

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

fn start(dir: &std::path::Path) -> (Child, String) {
	let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	let child = Command::new(env!("CARGO_BIN_EXE_paratii-adx"))
		.args(["synthetic", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
		.arg(dir)
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
	let http = reqwest::Client::new();
	let (mut node, url) = start(dir.path());
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

	let (mut again, url) = start(dir.path());
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
