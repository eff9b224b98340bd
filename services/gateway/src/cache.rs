//! A bounded disk cache of objects the gateway has verified against the chain's
//! content hash: repeated downloads are served from local disk, least recently used
//! objects are evicted past the byte budget. A budget of 0 keeps nothing after the
//! response that needed it (the open file outlives its unlinking).

use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU64, Ordering},
		Mutex,
	},
};

struct Entry {
	size: u64,
	last_used: u64,
}

pub struct Cache {
	dir: PathBuf,
	budget: u64,
	entries: Mutex<HashMap<[u8; 32], Entry>>,
	clock: AtomicU64,
	temp_seq: AtomicU64,
}

impl Cache {
	/// A cache in `dir` (emptied: entries are not trusted across restarts).
	pub fn new(dir: PathBuf, budget: u64) -> anyhow::Result<Self> {
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir)?;
		Ok(Self {
			dir,
			budget,
			entries: Mutex::new(HashMap::new()),
			clock: AtomicU64::new(0),
			temp_seq: AtomicU64::new(0),
		})
	}

	fn path(&self, hash: &[u8; 32]) -> PathBuf {
		self.dir.join(hex::encode(hash))
	}

	/// A fresh path to download into before [`Cache::insert`].
	pub fn temp_path(&self) -> PathBuf {
		self.dir.join(format!("fetch-{}.part", self.temp_seq.fetch_add(1, Ordering::Relaxed)))
	}

	/// The cached, verified object, opened (so eviction cannot pull it away).
	pub async fn open(&self, hash: &[u8; 32]) -> Option<tokio::fs::File> {
		{
			let mut entries = self.entries.lock().expect("cache lock");
			let entry = entries.get_mut(hash)?;
			entry.last_used = self.clock.fetch_add(1, Ordering::Relaxed);
		}
		tokio::fs::File::open(self.path(hash)).await.ok()
	}

	/// Adds the verified file at `temp` as object `hash` and opens it; evicts least
	/// recently used objects past the budget (possibly this one, once opened).
	pub async fn insert(
		&self,
		hash: &[u8; 32],
		temp: &Path,
		size: u64,
	) -> anyhow::Result<tokio::fs::File> {
		let path = self.path(hash);
		tokio::fs::rename(temp, &path).await?;
		let file = tokio::fs::File::open(&path).await?;
		let evicted = {
			let mut entries = self.entries.lock().expect("cache lock");
			entries.insert(
				*hash,
				Entry { size, last_used: self.clock.fetch_add(1, Ordering::Relaxed) },
			);
			let mut total: u64 = entries.values().map(|e| e.size).sum();
			let mut evicted = Vec::new();
			while total > self.budget {
				let Some((&oldest, _)) = entries.iter().min_by_key(|(_, e)| e.last_used) else {
					break;
				};
				if let Some(e) = entries.remove(&oldest) {
					total -= e.size;
				}
				evicted.push(oldest);
			}
			evicted
		};
		for hash in evicted {
			let _ = tokio::fs::remove_file(self.path(&hash)).await;
		}
		Ok(file)
	}
}
