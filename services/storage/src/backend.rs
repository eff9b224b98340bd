//! Where a storage node keeps its objects: one trait, two implementations.
//!
//! Every incoming object is first streamed to a staging file on local disk while it
//! is hashed; only bytes whose SHA-256 and length match the claim are committed to
//! the backend, and a receipt is signed only after [`Backend::commit`] returns, i.e.
//! once the bytes are durable:
//!
//! - [`FsBackend`] (the default): `objects/<aa>/<hash>` under the data directory;
//!   commit = fsync the staging file, atomic rename, fsync the directories.
//! - [`S3Backend`]: an S3-compatible bucket (crate `object_store`); commit = a
//!   (multipart) upload that S3 acknowledges only once stored.

use anyhow::Context;
use async_trait::async_trait;
use axum::body::Body;
use futures::TryStreamExt;
use object_store::{aws::AmazonS3, path::Path as ObjectPath, GetOptions, GetRange, ObjectStore};
use std::{
	ops::Range,
	path::{Path, PathBuf},
	sync::Arc,
};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// A content hash (SHA-256).
pub type Hash = [u8; 32];

#[async_trait]
pub trait Backend: Send + Sync + 'static {
	/// The size of the object, if stored.
	async fn size(&self, hash: &Hash) -> anyhow::Result<Option<u64>>;
	/// Makes the verified staging file the object `hash`, durably. The staging file
	/// is consumed.
	async fn commit(&self, hash: &Hash, staged: &Path, size: u64) -> anyhow::Result<()>;
	/// The bytes `range` of the object.
	async fn read(&self, hash: &Hash, range: Range<u64>) -> anyhow::Result<Body>;
	/// Deletes the object; `false` if it was not there.
	async fn delete(&self, hash: &Hash) -> anyhow::Result<bool>;
	/// Every stored object with its size.
	async fn list(&self) -> anyhow::Result<Vec<(Hash, u64)>>;
	/// What the backend is, for logs.
	fn describe(&self) -> String;
}

fn parse_name(name: &str) -> Option<Hash> {
	if name.len() != 64 {
		return None;
	}
	hex::decode(name).ok()?.try_into().ok()
}

/// Objects as files under `<root>/objects/<first two hex digits>/<hash hex>`.
pub struct FsBackend {
	root: PathBuf,
}

impl FsBackend {
	pub fn new(root: PathBuf) -> anyhow::Result<Self> {
		std::fs::create_dir_all(root.join("objects"))
			.with_context(|| format!("creating {}", root.display()))?;
		Ok(Self { root })
	}

	fn path(&self, hash: &Hash) -> PathBuf {
		let name = hex::encode(hash);
		self.root.join("objects").join(&name[..2]).join(name)
	}
}

/// fsync of a directory, so a rename or unlink in it survives a crash.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
	std::fs::File::open(dir)?.sync_all()
}

#[async_trait]
impl Backend for FsBackend {
	async fn size(&self, hash: &Hash) -> anyhow::Result<Option<u64>> {
		match tokio::fs::metadata(self.path(hash)).await {
			Ok(m) => Ok(Some(m.len())),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
			Err(e) => Err(e.into()),
		}
	}

	async fn commit(&self, hash: &Hash, staged: &Path, _size: u64) -> anyhow::Result<()> {
		let target = self.path(hash);
		let staged = staged.to_path_buf();
		tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
			std::fs::File::open(&staged)?.sync_all()?;
			let dir = target.parent().expect("objects live in a directory");
			let new_dir = !dir.exists();
			std::fs::create_dir_all(dir)?;
			std::fs::rename(&staged, &target)?;
			sync_dir(dir)?;
			if new_dir {
				sync_dir(dir.parent().expect("objects/ has a parent"))?;
			}
			Ok(())
		})
		.await?
	}

	async fn read(&self, hash: &Hash, range: Range<u64>) -> anyhow::Result<Body> {
		let mut file = tokio::fs::File::open(self.path(hash)).await?;
		file.seek(std::io::SeekFrom::Start(range.start)).await?;
		let reader = file.take(range.end - range.start);
		Ok(Body::from_stream(tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024)))
	}

	async fn delete(&self, hash: &Hash) -> anyhow::Result<bool> {
		let path = self.path(hash);
		match tokio::fs::remove_file(&path).await {
			Ok(()) => {
				let dir = path.parent().expect("objects live in a directory").to_path_buf();
				tokio::task::spawn_blocking(move || sync_dir(&dir)).await??;
				Ok(true)
			},
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
			Err(e) => Err(e.into()),
		}
	}

	async fn list(&self) -> anyhow::Result<Vec<(Hash, u64)>> {
		let root = self.root.join("objects");
		tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(Hash, u64)>> {
			let mut out = Vec::new();
			for shard in std::fs::read_dir(&root)? {
				let shard = shard?;
				if !shard.file_type()?.is_dir() {
					continue;
				}
				for entry in std::fs::read_dir(shard.path())? {
					let entry = entry?;
					if let Some(hash) = entry.file_name().to_str().and_then(parse_name) {
						out.push((hash, entry.metadata()?.len()));
					}
				}
			}
			Ok(out)
		})
		.await?
	}

	fn describe(&self) -> String {
		format!("filesystem {}", self.root.display())
	}
}

/// Objects in an S3-compatible bucket, as `objects/<hash hex>`.
pub struct S3Backend {
	store: Arc<AmazonS3>,
	bucket: String,
}

/// Parts of a multipart upload (S3's minimum part size is 5 MiB).
const S3_PART: usize = 8 * 1024 * 1024;

impl S3Backend {
	/// A bucket at `endpoint` (any S3-compatible server; AWS when `None`), with
	/// credentials from the usual `AWS_*` environment variables.
	pub fn new(bucket: &str, endpoint: Option<&str>, region: &str) -> anyhow::Result<Self> {
		let mut builder = object_store::aws::AmazonS3Builder::from_env()
			.with_bucket_name(bucket)
			.with_region(region);
		if let Some(endpoint) = endpoint {
			builder = builder
				.with_endpoint(endpoint)
				.with_allow_http(endpoint.starts_with("http://"))
				.with_virtual_hosted_style_request(false);
		}
		Ok(Self { store: Arc::new(builder.build()?), bucket: bucket.to_string() })
	}

	fn path(hash: &Hash) -> ObjectPath {
		ObjectPath::from(format!("objects/{}", hex::encode(hash)))
	}
}

#[async_trait]
impl Backend for S3Backend {
	async fn size(&self, hash: &Hash) -> anyhow::Result<Option<u64>> {
		match self.store.head(&Self::path(hash)).await {
			Ok(meta) => Ok(Some(meta.size)),
			Err(object_store::Error::NotFound { .. }) => Ok(None),
			Err(e) => Err(e.into()),
		}
	}

	async fn commit(&self, hash: &Hash, staged: &Path, size: u64) -> anyhow::Result<()> {
		let mut file = tokio::fs::File::open(staged).await?;
		if size as usize <= S3_PART {
			let mut bytes = Vec::with_capacity(size as usize);
			file.read_to_end(&mut bytes).await?;
			self.store.put(&Self::path(hash), bytes.into()).await?;
		} else {
			let mut upload = self.store.put_multipart(&Self::path(hash)).await?;
			loop {
				let mut part = vec![0u8; S3_PART];
				let mut filled = 0;
				while filled < S3_PART {
					let n = file.read(&mut part[filled..]).await?;
					if n == 0 {
						break;
					}
					filled += n;
				}
				if filled == 0 {
					break;
				}
				part.truncate(filled);
				if let Err(e) = upload.put_part(part.into()).await {
					let _ = upload.abort().await;
					return Err(e.into());
				}
			}
			upload.complete().await?;
		}
		tokio::fs::remove_file(staged).await?;
		Ok(())
	}

	async fn read(&self, hash: &Hash, range: Range<u64>) -> anyhow::Result<Body> {
		let options = GetOptions {
			range: Some(GetRange::Bounded(range.start..range.end)),
			..Default::default()
		};
		let result = self.store.get_opts(&Self::path(hash), options).await?;
		Ok(Body::from_stream(result.into_stream().map_err(std::io::Error::other)))
	}

	async fn delete(&self, hash: &Hash) -> anyhow::Result<bool> {
		if self.size(hash).await?.is_none() {
			return Ok(false);
		}
		self.store.delete(&Self::path(hash)).await?;
		Ok(true)
	}

	async fn list(&self) -> anyhow::Result<Vec<(Hash, u64)>> {
		let prefix = ObjectPath::from("objects");
		let metas: Vec<_> = self.store.list(Some(&prefix)).try_collect().await?;
		Ok(metas
			.into_iter()
			.filter_map(|m| m.location.filename().and_then(parse_name).map(|h| (h, m.size)))
			.collect())
	}

	fn describe(&self) -> String {
		format!("S3 bucket {}", self.bucket)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sha2::{Digest, Sha256};

	async fn body_bytes(body: Body) -> Vec<u8> {
		axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec()
	}

	#[tokio::test]
	async fn fs_backend_commits_reads_ranges_lists_and_deletes() {
		let dir = tempfile::tempdir().unwrap();
		let backend = FsBackend::new(dir.path().to_path_buf()).unwrap();
		let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
		let hash: Hash = Sha256::digest(&bytes).into();
		assert_eq!(backend.size(&hash).await.unwrap(), None);

		let staged = dir.path().join("staged.part");
		std::fs::write(&staged, &bytes).unwrap();
		backend.commit(&hash, &staged, bytes.len() as u64).await.unwrap();
		assert!(!staged.exists(), "the staging file became the object");
		assert_eq!(backend.size(&hash).await.unwrap(), Some(bytes.len() as u64));
		assert_eq!(body_bytes(backend.read(&hash, 0..10_000).await.unwrap()).await, bytes);
		assert_eq!(
			body_bytes(backend.read(&hash, 100..200).await.unwrap()).await,
			&bytes[100..200]
		);
		assert_eq!(backend.list().await.unwrap(), vec![(hash, bytes.len() as u64)]);

		assert!(backend.delete(&hash).await.unwrap());
		assert!(!backend.delete(&hash).await.unwrap());
		assert_eq!(backend.size(&hash).await.unwrap(), None);
		assert!(backend.list().await.unwrap().is_empty());
	}
}
