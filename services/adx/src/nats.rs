//! The channel node's log in NATS JetStream, for operators who outgrow one machine's
//! disk: `paratii-adx channel --log nats://host:4222`.
//!
//! Each accepted batch is one JetStream message on the subject
//! `paratii.adx.{genesis}.{name}.{campaign}.{block}` (the genesis hash's first 8 hex
//! digits, `--log-name`, default `channel`: one name per channel node sharing a
//! server) of the stream `PARATII_ADX_{GENESIS}_{NAME}` (file storage, created if
//! missing, no expiry: parts are served until their block settles), its payload the
//! batch's SCALE `Vec<Message>`. A batch is acknowledged to its sender only once the
//! server acknowledged the publish (`{"stream", "seq"}`), i.e. once it is in the stream;
//! the node keeps a copy of the stream in memory, read back in sequence order at start
//! (`$JS.API.STREAM.MSG.GET`), so parts are served without a round trip.
//!
//! The client speaks the NATS text protocol itself over one TCP connection (CONNECT, PUB
//! with a reply inbox, SUB, PING/PONG, MSG/HMSG): the log needs only requests and their
//! replies, and no NATS client crate is in the workspace's lock. If the connection drops,
//! appends fail (their batches are not acknowledged) until the node is restarted.

use crate::log::{Key, MessageLog};
use anyhow::{bail, Context};
use base64::Engine;
use codec::{Decode, Encode};
use paratii_primitives::adx::Message;
use serde::Deserialize;
use std::{
	collections::{BTreeMap, HashMap},
	hash::{BuildHasher, Hasher},
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};
use tokio::{
	io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
	net::{tcp::OwnedWriteHalf, TcpStream},
	sync::oneshot,
};

/// How long a request waits for its reply.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest protocol line taken from the server.
const MAX_LINE: usize = 64 * 1024;

/// A reply: its payload, or the NATS status of a header-only one (e.g. `503`: nothing
/// listens on the subject — JetStream is off).
type Reply = Result<Vec<u8>, String>;

/// One connection to a NATS server: requests and their replies.
struct Connection {
	writer: tokio::sync::Mutex<OwnedWriteHalf>,
	inbox: String,
	next: AtomicU64,
	waiting: Mutex<HashMap<String, oneshot::Sender<Reply>>>,
	alive: AtomicBool,
	max_payload: usize,
}

#[derive(Deserialize)]
struct Info {
	#[serde(default)]
	max_payload: usize,
	#[serde(default)]
	jetstream: bool,
}

impl Connection {
	/// Connects to `url` (`nats://host:port`), greets the server and listens for replies.
	async fn open(url: &str) -> anyhow::Result<Arc<Self>> {
		let address = url.strip_prefix("nats://").unwrap_or(url);
		let stream = tokio::time::timeout(TIMEOUT, TcpStream::connect(address))
			.await
			.with_context(|| format!("connecting to {url}: timed out"))?
			.with_context(|| format!("connecting to {url}"))?;
		stream.set_nodelay(true)?;
		let (read, mut write) = stream.into_split();
		let mut read = BufReader::new(read);
		let line = read_line(&mut read).await.context("the server's INFO")?;
		let info: Info = serde_json::from_str(
			line.strip_prefix("INFO ").with_context(|| format!("not a NATS server: {line}"))?,
		)?;
		anyhow::ensure!(info.jetstream, "{url}: JetStream is off (start nats-server with -js)");
		let connect = serde_json::json!({
			"verbose": false, "pedantic": false, "headers": true, "no_responders": true,
			"protocol": 1, "lang": "rust", "version": env!("CARGO_PKG_VERSION"), "name": "paratii-adx",
		});
		let seed = std::collections::hash_map::RandomState::new().build_hasher().finish();
		let inbox = format!("_INBOX.paratii-adx.{seed:016x}");
		write
			.write_all(format!("CONNECT {connect}\r\nSUB {inbox}.* 1\r\nPING\r\n").as_bytes())
			.await?;
		loop {
			let line = read_line(&mut read).await?;
			match line.as_str() {
				"PONG" => break,
				"+OK" | "PING" => {},
				_ if line.starts_with("-ERR") => bail!("{url}: {line}"),
				_ if line.starts_with("INFO ") => {},
				_ => bail!("{url}: unexpected {line:?} while connecting"),
			}
		}
		let connection = Arc::new(Self {
			writer: tokio::sync::Mutex::new(write),
			inbox,
			next: AtomicU64::new(0),
			waiting: Mutex::default(),
			alive: AtomicBool::new(true),
			max_payload: if info.max_payload == 0 { 1 << 20 } else { info.max_payload },
		});
		let reader = connection.clone();
		tokio::spawn(async move {
			if let Err(e) = reader.read_replies(read).await {
				tracing::error!("the NATS connection: {e:#}; appends fail until a restart");
			}
			reader.alive.store(false, Ordering::Relaxed);
			// Every request waiting fails now (its sender dropped).
			reader.waiting.lock().unwrap_or_else(|e| e.into_inner()).clear();
		});
		Ok(connection)
	}

	/// Dispatches the server's replies to their requests, answers its pings.
	async fn read_replies(
		&self,
		mut read: BufReader<tokio::net::tcp::OwnedReadHalf>,
	) -> anyhow::Result<()> {
		loop {
			let line = read_line(&mut read).await?;
			let mut words = line.split_ascii_whitespace();
			match words.next() {
				Some("PING") => self.writer.lock().await.write_all(b"PONG\r\n").await?,
				Some("MSG") | Some("HMSG") => {
					let hmsg = line.starts_with('H');
					let words: Vec<&str> = words.collect();
					let subject = words.first().copied().unwrap_or_default().to_string();
					let total: usize =
						words.last().and_then(|w| w.parse().ok()).context("MSG size")?;
					let headers: usize = if hmsg {
						words
							.get(words.len().wrapping_sub(2))
							.and_then(|w| w.parse().ok())
							.context("HMSG")?
					} else {
						0
					};
					anyhow::ensure!(
						headers <= total && total <= (64 << 20),
						"MSG sizes {headers}/{total}"
					);
					let mut body = vec![0; total + 2];
					read.read_exact(&mut body).await?;
					body.truncate(total);
					let reply = if hmsg {
						let head = String::from_utf8_lossy(&body[..headers]).into_owned();
						let status = head.lines().next().unwrap_or_default().trim().to_string();
						// `NATS/1.0` alone: headers and a payload; `NATS/1.0 503`: a status.
						if status.len() > "NATS/1.0".len() && total == headers {
							Err(status)
						} else {
							Ok(body[headers..].to_vec())
						}
					} else {
						Ok(body)
					};
					let waiter =
						self.waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&subject);
					if let Some(waiter) = waiter {
						let _ = waiter.send(reply);
					}
				},
				Some("-ERR") => tracing::warn!("NATS: {line}"),
				_ => {},
			}
		}
	}

	/// Publishes `payload` on `subject` and waits for the reply.
	async fn request(&self, subject: &str, payload: &[u8]) -> anyhow::Result<Vec<u8>> {
		anyhow::ensure!(self.alive.load(Ordering::Relaxed), "the NATS connection is closed");
		anyhow::ensure!(
			payload.len() <= self.max_payload,
			"{} bytes: the server takes at most {} per message",
			payload.len(),
			self.max_payload
		);
		let reply = format!("{}.{}", self.inbox, self.next.fetch_add(1, Ordering::Relaxed));
		let (tx, rx) = oneshot::channel();
		self.waiting.lock().unwrap_or_else(|e| e.into_inner()).insert(reply.clone(), tx);
		let mut frame = format!("PUB {subject} {reply} {}\r\n", payload.len()).into_bytes();
		frame.extend_from_slice(payload);
		frame.extend_from_slice(b"\r\n");
		let sent = async {
			let mut writer = self.writer.lock().await;
			writer.write_all(&frame).await?;
			writer.flush().await
		}
		.await;
		if let Err(e) = sent {
			self.waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&reply);
			return Err(e).context("writing to NATS");
		}
		match tokio::time::timeout(TIMEOUT, rx).await {
			Ok(Ok(Ok(body))) => Ok(body),
			Ok(Ok(Err(status))) => bail!("{subject}: {status} (is JetStream serving it?)"),
			Ok(Err(_)) => bail!("the NATS connection closed"),
			Err(_) => {
				self.waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&reply);
				bail!("{subject}: no reply within {TIMEOUT:?}")
			},
		}
	}

	/// A JetStream API request: its JSON answer, or the API's error.
	async fn api<T: serde::de::DeserializeOwned>(
		&self,
		subject: &str,
		body: serde_json::Value,
	) -> anyhow::Result<Result<T, ApiError>> {
		let payload = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
		let answer = self.request(subject, &payload).await?;
		#[derive(Deserialize)]
		struct Failed {
			error: ApiError,
		}
		if let Ok(failed) = serde_json::from_slice::<Failed>(&answer) {
			return Ok(Err(failed.error));
		}
		Ok(Ok(serde_json::from_slice(&answer)
			.with_context(|| format!("{subject}: {}", String::from_utf8_lossy(&answer)))?))
	}
}

#[derive(Debug, Deserialize)]
struct ApiError {
	#[serde(default)]
	err_code: u32,
	#[serde(default)]
	description: String,
}

impl std::fmt::Display for ApiError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "JetStream error {}: {}", self.err_code, self.description)
	}
}

/// A `\r\n`-terminated protocol line, without it.
async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(read: &mut R) -> anyhow::Result<String> {
	let mut line = Vec::new();
	let n = read.take(MAX_LINE as u64).read_until(b'\n', &mut line).await?;
	anyhow::ensure!(n > 0, "the server closed the connection");
	anyhow::ensure!(line.ends_with(b"\n"), "a protocol line longer than {MAX_LINE} bytes");
	Ok(String::from_utf8_lossy(&line).trim_end().to_string())
}

#[derive(Deserialize)]
struct StreamInfo {
	#[serde(default)]
	state: StreamState,
}

#[derive(Default, Deserialize)]
struct StreamState {
	first_seq: u64,
	last_seq: u64,
	messages: u64,
}

#[derive(Deserialize)]
struct Got {
	message: Stored,
}

#[derive(Deserialize)]
struct Stored {
	subject: String,
	#[serde(default)]
	data: String,
}

#[derive(Deserialize)]
struct Ack {
	seq: u64,
}

/// The JetStream log: the stream, and its batches in memory by block and sequence.
pub struct NatsLog {
	connection: Arc<Connection>,
	prefix: String,
	blocks: Mutex<BTreeMap<Key, BTreeMap<u64, Vec<Message>>>>,
}

/// JetStream's "stream not found".
const STREAM_NOT_FOUND: u32 = 10059;
/// JetStream's "no message found".
const NO_MESSAGE: u32 = 10037;

impl NatsLog {
	/// The log of channel node `name` for the chain of `genesis` on the server at `url`:
	/// its stream created if missing, its batches read back.
	pub async fn open(url: &str, genesis: &[u8; 32], name: &str) -> anyhow::Result<Self> {
		anyhow::ensure!(
			!name.is_empty()
				&& name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
			"--log-name {name:?}: letters, digits, - and _ only"
		);
		let connection = Connection::open(url).await?;
		let chain = hex::encode(&genesis[..4]);
		let stream = format!("PARATII_ADX_{}_{}", chain, name).to_uppercase().replace('-', "_");
		let prefix = format!("paratii.adx.{chain}.{name}");
		let info_subject = format!("$JS.API.STREAM.INFO.{stream}");
		let state =
			match connection.api::<StreamInfo>(&info_subject, serde_json::Value::Null).await? {
				Ok(info) => info.state,
				Err(e) if e.err_code == STREAM_NOT_FOUND => {
					let config = serde_json::json!({
						"name": stream, "subjects": [format!("{prefix}.>")], "storage": "file",
						"retention": "limits", "discard": "old", "num_replicas": 1,
						"max_msg_size": connection.max_payload,
					});
					let created = connection
						.api::<StreamInfo>(&format!("$JS.API.STREAM.CREATE.{stream}"), config)
						.await?
						.map_err(|e| anyhow::anyhow!("creating stream {stream}: {e}"))?;
					tracing::info!("channel node log: created JetStream stream {stream} at {url}");
					created.state
				},
				Err(e) => bail!("stream {stream}: {e}"),
			};
		let log = Self { connection, prefix, blocks: Mutex::default() };
		if state.messages > 0 {
			log.replay(&stream, state.first_seq, state.last_seq).await?;
		}
		tracing::info!(
			"channel node log: JetStream stream {stream} at {url}, {} batches read back",
			state.messages
		);
		Ok(log)
	}

	/// Reads the stream's batches `first..=last` into memory.
	async fn replay(&self, stream: &str, first: u64, last: u64) -> anyhow::Result<()> {
		let subject = format!("$JS.API.STREAM.MSG.GET.{stream}");
		for seq in first..=last {
			let got = match self
				.connection
				.api::<Got>(&subject, serde_json::json!({ "seq": seq }))
				.await?
			{
				Ok(got) => got.message,
				Err(e) if e.err_code == NO_MESSAGE => continue,
				Err(e) => bail!("reading message {seq} of {stream}: {e}"),
			};
			let Some(key) = self.key_of(&got.subject) else { continue };
			let data = base64::engine::general_purpose::STANDARD
				.decode(&got.data)
				.with_context(|| format!("message {seq} of {stream}: not base64"))?;
			let messages = Vec::<Message>::decode(&mut &data[..])
				.with_context(|| format!("message {seq} of {stream}: not a batch"))?;
			self.keep(key, seq, messages);
		}
		Ok(())
	}

	fn key_of(&self, subject: &str) -> Option<Key> {
		let rest = subject.strip_prefix(&self.prefix)?.strip_prefix('.')?;
		let (campaign, block) = rest.split_once('.')?;
		Some((campaign.parse().ok()?, block.parse().ok()?))
	}

	fn keep(&self, key: Key, seq: u64, messages: Vec<Message>) {
		self.blocks
			.lock()
			.unwrap_or_else(|e| e.into_inner())
			.entry(key)
			.or_default()
			.insert(seq, messages);
	}
}

impl MessageLog for NatsLog {
	async fn append(&self, key: Key, messages: &[Message]) -> anyhow::Result<()> {
		let subject = format!("{}.{}.{}", self.prefix, key.0, key.1);
		let answer = self.connection.request(&subject, &messages.encode()).await?;
		#[derive(Deserialize)]
		struct Failed {
			error: ApiError,
		}
		if let Ok(failed) = serde_json::from_slice::<Failed>(&answer) {
			bail!("JetStream refused the batch: {}", failed.error);
		}
		let ack: Ack = serde_json::from_slice(&answer).with_context(|| {
			format!("not a JetStream ack: {}", String::from_utf8_lossy(&answer))
		})?;
		self.keep(key, ack.seq, messages.to_vec());
		Ok(())
	}

	fn read(&self, key: Key) -> anyhow::Result<Vec<Message>> {
		let blocks = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
		Ok(blocks
			.get(&key)
			.map(|batches| batches.values().flatten().cloned().collect())
			.unwrap_or_default())
	}

	fn blocks(&self) -> anyhow::Result<Vec<Key>> {
		Ok(self.blocks.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().collect())
	}
}
