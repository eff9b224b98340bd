//! A bounded disk cache of objects the gateway has verified against the chain's
//! content hash: repeated downloads are served from local disk, and past the byte
//! budget moka (TinyLFU admission, LRU eviction, weighed by bytes) decides what goes;
//! an evicted object's file is deleted. A budget of 0 keeps nothing after the response
//! that needed it (the open file outlives its unlinking).
//!
//! Concurrent requests for an object that is not cached fetch it once: the first takes
//! the object's flight ([`Cache::fetching`]), the others wait for it and then find the
//! object cached.
//!
//! An original with chunk hashes is not waited for: it is *filled* ([`Cache::fill`]).
//! One task streams it from a cluster into a file, verifying each chunk before it
//! counts it, and publishes how many bytes are verified; every request for the object
//! meanwhile reads that file up to the verified mark and waits for more. The filled file
//! enters the cache when the whole object is there and matches its hash.

use moka::{notification::RemovalCause, sync::Cache as Moka};
use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex, Weak,
	},
};

pub struct Cache {
	dir: PathBuf,
	/// Object hash → its size in bytes.
	entries: Moka<[u8; 32], u64>,
	flights: Mutex<HashMap<[u8; 32], Weak<tokio::sync::Mutex<()>>>>,
	fillings: Mutex<HashMap<[u8; 32], Arc<Filling>>>,
	temp_seq: AtomicU64,
}

/// An object being filled: its bytes so far, in `path`, verified up to the mark its
/// progress says.
pub struct Filling {
	pub path: PathBuf,
	pub progress: tokio::sync::watch::Receiver<Progress>,
}

/// How far a filling is.
#[derive(Clone, Debug, Default)]
pub struct Progress {
	/// Bytes from the start written and verified.
	pub verified: u64,
	/// `Some` once the filling ended: `Ok` with every byte verified, or why it failed.
	pub end: Option<Result<(), String>>,
}

/// What [`Cache::fill`] found.
pub enum Fill {
	/// The object is cached, opened.
	Cached(tokio::fs::File),
	/// Somebody fills it: read along.
	Filling(Arc<Filling>),
	/// Nobody did: the caller fills `file` (at `filling.path`) and reports through
	/// `progress`, then calls [`Cache::filled`].
	Start {
		filling: Arc<Filling>,
		file: tokio::fs::File,
		progress: tokio::sync::watch::Sender<Progress>,
	},
}

/// Held while an object is fetched: others asking for it wait.
pub struct Flight {
	_guard: tokio::sync::OwnedMutexGuard<()>,
}

fn path_in(dir: &Path, hash: &[u8; 32]) -> PathBuf {
	dir.join(hex::encode(hash))
}

impl Cache {
	/// A cache in `dir` (emptied: entries are not trusted across restarts).
	pub fn new(dir: PathBuf, budget: u64) -> anyhow::Result<Self> {
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir)?;
		let evicted_dir = dir.clone();
		let entries = Moka::builder()
			.max_capacity(budget)
			.weigher(|_hash: &[u8; 32], size: &u64| -> u32 {
				u32::try_from(*size).unwrap_or(u32::MAX)
			})
			.eviction_listener(move |hash: Arc<[u8; 32]>, _size: u64, cause: RemovalCause| {
				// A replaced entry's file is the new one: it stays.
				if cause != RemovalCause::Replaced {
					let _ = std::fs::remove_file(path_in(&evicted_dir, &hash));
				}
			})
			.build();
		Ok(Self {
			dir,
			entries,
			flights: Mutex::new(HashMap::new()),
			fillings: Mutex::new(HashMap::new()),
			temp_seq: AtomicU64::new(0),
		})
	}

	/// A fresh path to download into before [`Cache::insert`].
	pub fn temp_path(&self) -> PathBuf {
		self.dir.join(format!("fetch-{}.part", self.temp_seq.fetch_add(1, Ordering::Relaxed)))
	}

	/// The cached, verified object, opened (so eviction cannot pull it away).
	pub async fn open(&self, hash: &[u8; 32]) -> Option<tokio::fs::File> {
		self.entries.get(hash)?;
		tokio::fs::File::open(path_in(&self.dir, hash)).await.ok()
	}

	/// Waits until nobody else fetches object `hash`, then holds its flight until the
	/// returned guard is dropped.
	pub async fn fetching(&self, hash: &[u8; 32]) -> Flight {
		let lock = {
			let mut flights = self.flights.lock().expect("flights lock");
			flights.retain(|_, flight| flight.strong_count() > 0);
			match flights.get(hash).and_then(Weak::upgrade) {
				Some(lock) => lock,
				None => {
					let lock = Arc::new(tokio::sync::Mutex::new(()));
					flights.insert(*hash, Arc::downgrade(&lock));
					lock
				},
			}
		};
		Flight { _guard: lock.lock_owned().await }
	}

	/// Object `hash` cached, being filled, or to be filled by the caller — decided under
	/// one lock, so one filling at most runs for an object.
	pub async fn fill(&self, hash: &[u8; 32]) -> std::io::Result<Fill> {
		loop {
			if let Some(file) = self.open(hash).await {
				return Ok(Fill::Cached(file));
			}
			let mut fillings = self.fillings.lock().expect("fillings lock");
			if let Some(filling) = fillings.get(hash) {
				return Ok(Fill::Filling(filling.clone()));
			}
			// Cached between the look and the lock: look again — unless its file is gone
			// already (evicted, the entry's removal still pending): then it is filled anew.
			if self.entries.contains_key(hash) {
				if path_in(&self.dir, hash).exists() {
					continue;
				}
				self.entries.invalidate(hash);
			}
			let path = self.temp_path();
			let file = tokio::fs::File::from_std(std::fs::File::create(&path)?);
			let (progress, watching) = tokio::sync::watch::channel(Progress::default());
			let filling = Arc::new(Filling { path, progress: watching });
			fillings.insert(*hash, filling.clone());
			return Ok(Fill::Start { filling, file, progress });
		}
	}

	/// Ends the filling of object `hash`: into the cache when `complete` (every byte
	/// verified), else its file removed. Readers still holding the file keep reading it.
	pub async fn filled(&self, hash: &[u8; 32], filling: &Filling, size: u64, complete: bool) {
		if complete {
			if let Err(e) = self.insert(hash, &filling.path, size).await {
				tracing::warn!("caching {}: {e:#}", hex::encode(hash));
			}
		} else {
			let _ = tokio::fs::remove_file(&filling.path).await;
		}
		self.fillings.lock().expect("fillings lock").remove(hash);
	}

	/// Adds the verified file at `temp` as object `hash` and opens it; objects past the
	/// budget are evicted (possibly this one, once opened).
	pub async fn insert(
		&self,
		hash: &[u8; 32],
		temp: &Path,
		size: u64,
	) -> anyhow::Result<tokio::fs::File> {
		let path = path_in(&self.dir, hash);
		tokio::fs::rename(temp, &path).await?;
		let file = tokio::fs::File::open(&path).await?;
		self.entries.insert(*hash, size);
		self.entries.run_pending_tasks();
		Ok(file)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::atomic::AtomicUsize;

	async fn put(cache: &Cache, hash: u8, size: usize) {
		let temp = cache.temp_path();
		tokio::fs::write(&temp, vec![hash; size]).await.unwrap();
		cache.insert(&[hash; 32], &temp, size as u64).await.unwrap();
	}

	#[tokio::test]
	async fn objects_past_the_budget_are_evicted_with_their_files() {
		let dir = std::env::temp_dir().join(format!("paratii-cache-{}", std::process::id()));
		let cache = Cache::new(dir.clone(), 1_000).unwrap();
		for n in 1..=5u8 {
			put(&cache, n, 400).await;
		}
		cache.entries.run_pending_tasks();
		assert!(cache.entries.weighted_size() <= 1_000, "{}", cache.entries.weighted_size());
		let files = std::fs::read_dir(&dir).unwrap().count() as u64;
		assert_eq!(files, cache.entries.entry_count(), "one file per entry, none left behind");
		assert!((1..=2).contains(&files));
		let _ = std::fs::remove_dir_all(dir);
	}

	#[tokio::test]
	async fn a_filling_is_joined_then_cached_or_filled_again_when_nothing_is_kept() {
		for (budget, kept) in [(1 << 20, true), (0, false)] {
			let dir = std::env::temp_dir()
				.join(format!("paratii-fillings-{}-{budget}", std::process::id()));
			let cache = Cache::new(dir.clone(), budget).unwrap();
			let Ok(Fill::Start { filling, file, progress: _progress }) = cache.fill(&[7; 32]).await
			else {
				panic!("nobody filled it");
			};
			drop(file);
			assert!(matches!(cache.fill(&[7; 32]).await, Ok(Fill::Filling(_))));
			tokio::fs::write(&filling.path, b"verified").await.unwrap();
			cache.filled(&[7; 32], &filling, 8, true).await;
			match cache.fill(&[7; 32]).await.unwrap() {
				Fill::Cached(_) => assert!(kept, "a budget of 0 keeps nothing"),
				Fill::Start { .. } => assert!(!kept, "a budget of a MiB keeps 8 bytes"),
				Fill::Filling(_) => panic!("the filling ended"),
			}
			let _ = std::fs::remove_dir_all(dir);
		}
	}

	#[tokio::test]
	async fn concurrent_misses_fetch_once() {
		let dir = std::env::temp_dir().join(format!("paratii-flights-{}", std::process::id()));
		let cache = Arc::new(Cache::new(dir.clone(), 1 << 20).unwrap());
		let fetches = Arc::new(AtomicUsize::new(0));
		let tasks: Vec<_> = (0..8)
			.map(|_| {
				let (cache, fetches) = (cache.clone(), fetches.clone());
				tokio::spawn(async move {
					if cache.open(&[9; 32]).await.is_some() {
						return;
					}
					let _flight = cache.fetching(&[9; 32]).await;
					if cache.open(&[9; 32]).await.is_some() {
						return;
					}
					fetches.fetch_add(1, Ordering::SeqCst);
					tokio::time::sleep(std::time::Duration::from_millis(50)).await;
					put(&cache, 9, 100).await;
				})
			})
			.collect();
		for task in tasks {
			task.await.unwrap();
		}
		assert_eq!(fetches.load(Ordering::SeqCst), 1);
		assert!(cache.flights.lock().unwrap().values().all(|f| f.strong_count() == 0));
		let _ = std::fs::remove_dir_all(dir);
	}
}
