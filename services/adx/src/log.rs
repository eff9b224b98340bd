//! The channel node's durable log of accepted messages.
//!
//! A batch is acknowledged only once it is on disk: appended to its channel block's file
//! and flushed (`fdatasync`). One writer thread takes every batch waiting at the moment
//! and flushes each touched file once for all of them (group commit), so the flush's
//! cost is shared by whatever arrived while the last one ran.
//!
//! A file per channel block, `{campaign}-{block}.log`; a record is
//! `payload length (u32 LE) ‖ CRC-32 of the payload (u32 LE) ‖ payload`, the payload the
//! SCALE encoding of the batch's `Vec<Message>`. On opening, each file is read up to its
//! first incomplete or damaged record and cut there: a batch is in the log whole (and may
//! have been acknowledged) or not at all (and was not) — a node killed mid-write loses
//! only what it had not acknowledged.
//!
//! [`MessageLog`] is the interface the channel node needs; [`FileLog`] is the embedded
//! implementation, [`crate::nats::NatsLog`] the one in NATS JetStream.

use codec::{Decode, Encode};
use paratii_primitives::adx::{CampaignId, ChannelBlock, Message};
use std::{
	collections::{HashMap, HashSet},
	fs::{File, OpenOptions},
	io::{Read, Seek, SeekFrom, Write},
	path::{Path, PathBuf},
	sync::mpsc,
};
use tokio::sync::oneshot;

/// A channel block: the campaign and the block number.
pub type Key = (CampaignId, ChannelBlock);

/// The largest record payload: a batch is at most a part's worth of messages.
const MAX_RECORD: usize = paratii_primitives::adx::MAX_PART_BYTES;
/// Batches flushed together at most.
const MAX_GROUP: usize = 4096;

/// Where accepted messages are kept until their block's part is posted.
pub trait MessageLog: Send + Sync + 'static {
	/// Appends `messages` to `key`'s block; resolves once they are durable.
	fn append(
		&self,
		key: Key,
		messages: &[Message],
	) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;
	/// Every message of `key`'s block, in the order they were appended.
	fn read(&self, key: Key) -> anyhow::Result<Vec<Message>>;
	/// The blocks the log holds messages of.
	fn blocks(&self) -> anyhow::Result<Vec<Key>>;
}

/// The log a channel node was given: the embedded one, or a JetStream stream.
pub enum AnyLog {
	File(FileLog),
	Nats(crate::nats::NatsLog),
}

impl AnyLog {
	/// The JetStream log at `url` (`nats://…`) for node `name`, or the embedded one in `dir`.
	pub async fn open(
		url: Option<&str>,
		dir: &Path,
		genesis: &[u8; 32],
		name: &str,
	) -> anyhow::Result<Self> {
		Ok(match url {
			Some(url) => Self::Nats(crate::nats::NatsLog::open(url, genesis, name).await?),
			None => {
				tracing::info!("channel node: log in {}", dir.display());
				Self::File(FileLog::open(dir)?)
			},
		})
	}
}

impl MessageLog for AnyLog {
	async fn append(&self, key: Key, messages: &[Message]) -> anyhow::Result<()> {
		match self {
			Self::File(log) => log.append(key, messages).await,
			Self::Nats(log) => log.append(key, messages).await,
		}
	}

	fn read(&self, key: Key) -> anyhow::Result<Vec<Message>> {
		match self {
			Self::File(log) => log.read(key),
			Self::Nats(log) => log.read(key),
		}
	}

	fn blocks(&self) -> anyhow::Result<Vec<Key>> {
		match self {
			Self::File(log) => log.blocks(),
			Self::Nats(log) => log.blocks(),
		}
	}
}

struct Append {
	key: Key,
	record: Vec<u8>,
	done: oneshot::Sender<Result<(), String>>,
}

/// The embedded log: files in a directory, one writer thread.
pub struct FileLog {
	dir: PathBuf,
	writer: mpsc::Sender<Append>,
}

fn file_name((campaign, block): Key) -> String {
	format!("{campaign}-{block}.log")
}

fn parse_name(name: &str) -> Option<Key> {
	let (campaign, block) = name.strip_suffix(".log")?.split_once('-')?;
	Some((campaign.parse().ok()?, block.parse().ok()?))
}

/// The record of `messages` (their SCALE encoding, framed).
fn record(messages: &[Message]) -> Vec<u8> {
	paratii_client::records::frame(&messages.encode())
}

/// The whole records at the start of `bytes`, and how many bytes they take.
fn records(bytes: &[u8]) -> (Vec<&[u8]>, usize) {
	paratii_client::records::whole(bytes, MAX_RECORD)
}

impl FileLog {
	/// The log in `dir` (created if needed), each file cut after its last whole record.
	pub fn open(dir: &Path) -> anyhow::Result<Self> {
		std::fs::create_dir_all(dir)?;
		for entry in std::fs::read_dir(dir)? {
			let path = entry?.path();
			let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
			if parse_name(name).is_none() {
				continue;
			}
			let mut file = OpenOptions::new().read(true).write(true).open(&path)?;
			let mut bytes = Vec::new();
			file.read_to_end(&mut bytes)?;
			let (_, whole) = records(&bytes);
			if whole < bytes.len() {
				tracing::warn!(
					"{}: {} bytes after the last whole record (a write cut short) removed",
					path.display(),
					bytes.len() - whole
				);
				file.set_len(whole as u64)?;
				file.sync_all()?;
			}
		}
		let (writer, batches) = mpsc::channel();
		let files_dir = dir.to_path_buf();
		std::thread::Builder::new()
			.name("adx-log".into())
			.spawn(move || write_loop(&files_dir, batches))?;
		Ok(Self { dir: dir.to_path_buf(), writer })
	}
}

/// Takes every batch waiting, appends each to its file, flushes each touched file once,
/// then answers them all.
fn write_loop(dir: &Path, batches: mpsc::Receiver<Append>) {
	let mut files: HashMap<Key, File> = HashMap::new();
	while let Ok(first) = batches.recv() {
		let mut group = vec![first];
		while group.len() < MAX_GROUP {
			match batches.try_recv() {
				Ok(next) => group.push(next),
				Err(_) => break,
			}
		}
		let mut failed: HashMap<Key, String> = HashMap::new();
		let mut touched = HashSet::new();
		for append in &group {
			if failed.contains_key(&append.key) {
				continue;
			}
			let written = match files.entry(append.key) {
				std::collections::hash_map::Entry::Occupied(file) => {
					file.into_mut().write_all(&append.record)
				},
				std::collections::hash_map::Entry::Vacant(slot) => OpenOptions::new()
					.create(true)
					.append(true)
					.open(dir.join(file_name(append.key)))
					.and_then(|file| slot.insert(file).write_all(&append.record)),
			};
			match written {
				Ok(()) => {
					touched.insert(append.key);
				},
				Err(e) => {
					failed.insert(append.key, e.to_string());
				},
			}
		}
		for key in touched {
			if let Some(Err(e)) = files.get(&key).map(File::sync_data) {
				failed.insert(key, e.to_string());
			}
		}
		for key in failed.keys() {
			// A failed write may have left part of a record: the file is cut back to its
			// last whole one when the log is opened again; meanwhile nothing more goes in.
			files.remove(key);
		}
		for append in group {
			let outcome = match failed.get(&append.key) {
				Some(e) => Err(e.clone()),
				None => Ok(()),
			};
			let _ = append.done.send(outcome);
		}
	}
}

impl MessageLog for FileLog {
	async fn append(&self, key: Key, messages: &[Message]) -> anyhow::Result<()> {
		let (done, written) = oneshot::channel();
		self.writer
			.send(Append { key, record: record(messages), done })
			.map_err(|_| anyhow::anyhow!("the log's writer stopped"))?;
		written
			.await
			.map_err(|_| anyhow::anyhow!("the log's writer stopped"))?
			.map_err(|e| anyhow::anyhow!("writing the log: {e}"))
	}

	fn read(&self, key: Key) -> anyhow::Result<Vec<Message>> {
		let mut file = match File::open(self.dir.join(file_name(key))) {
			Ok(file) => file,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
			Err(e) => return Err(e.into()),
		};
		let mut bytes = Vec::new();
		file.seek(SeekFrom::Start(0))?;
		file.read_to_end(&mut bytes)?;
		let mut messages = Vec::new();
		for payload in records(&bytes).0 {
			messages.extend(Vec::<Message>::decode(&mut &payload[..])?);
		}
		Ok(messages)
	}

	fn blocks(&self) -> anyhow::Result<Vec<Key>> {
		let mut keys = Vec::new();
		for entry in std::fs::read_dir(&self.dir)? {
			if let Some(key) = entry?.file_name().to_str().and_then(parse_name) {
				keys.push(key);
			}
		}
		keys.sort();
		Ok(keys)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use paratii_primitives::adx::Body;

	fn message(n: u64) -> Message {
		Message { author: [n as u8; 32], body: Body::View { impression: n }, signature: [7; 64] }
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn concurrent_batches_are_durable_in_order_per_block() {
		let dir = tempfile::tempdir().unwrap();
		let log = std::sync::Arc::new(FileLog::open(dir.path()).unwrap());
		let tasks: Vec<_> = (0..64u64)
			.map(|n| {
				let log = log.clone();
				tokio::spawn(async move {
					log.append((1, (n % 2) as u32), &[message(n), message(n + 1000)]).await
				})
			})
			.collect();
		for task in tasks {
			task.await.unwrap().unwrap();
		}
		for block in [0, 1] {
			let messages = log.read((1, block)).unwrap();
			assert_eq!(messages.len(), 64);
			assert!(messages
				.chunks(2)
				.all(|pair| pair[1].body.impression() == pair[0].body.impression() + 1000));
		}
		assert_eq!(log.blocks().unwrap(), [(1, 0), (1, 1)]);
		assert!(log.read((2, 0)).unwrap().is_empty());
	}

	#[tokio::test]
	async fn a_write_cut_short_is_removed_and_what_was_whole_stays() {
		let dir = tempfile::tempdir().unwrap();
		{
			let log = FileLog::open(dir.path()).unwrap();
			log.append((3, 9), &[message(1)]).await.unwrap();
			log.append((3, 9), &[message(2), message(3)]).await.unwrap();
		}
		let path = dir.path().join(file_name((3, 9)));
		let whole = std::fs::metadata(&path).unwrap().len();
		// A third record cut mid-payload, as a kill during the write leaves it.
		let cut = &record(&[message(4)])[..20];
		OpenOptions::new().append(true).open(&path).unwrap().write_all(cut).unwrap();
		let log = FileLog::open(dir.path()).unwrap();
		assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
		let kept: Vec<_> = log.read((3, 9)).unwrap().iter().map(|m| m.body.impression()).collect();
		assert_eq!(kept, [1, 2, 3]);
		// And a flipped byte in a record ends the log there.
		let mut bytes = std::fs::read(&path).unwrap();
		let last = bytes.len() - 1;
		bytes[last] ^= 1;
		std::fs::write(&path, bytes).unwrap();
		let log = FileLog::open(dir.path()).unwrap();
		assert_eq!(log.read((3, 9)).unwrap().len(), 1);
		log.append((3, 9), &[message(5)]).await.unwrap();
		assert_eq!(log.read((3, 9)).unwrap().len(), 2);
	}
}
