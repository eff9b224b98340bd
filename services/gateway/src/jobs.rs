//! Video jobs: the queue between the upload role and the transcoders.
//!
//! A video upload that passes its checks (signature, owner, type, `ffprobe`) becomes a
//! job: a directory under `--data-dir`/`jobs/` holding the source, the request
//! (`job.json`) and its status (`status.json`, what `GET /jobs/{id}` answers). The
//! queue is the directory: it survives restarts, and every transcoder sharing the data
//! directory (this process's `--transcoders`, `--role transcode` processes) takes jobs
//! from it. A transcoder claims a job with an exclusive lock on its `lock` file (the
//! kernel's `flock`, released when the process dies), so a job has one worker at a
//! time and a killed worker's job goes to the next one, which resumes it (see
//! [`crate::transcode`]).
//!
//! A job transcodes, makes the poster and thumbnails, stores every piece on the
//! clusters (segments as parts of the original: `paratii-storage` keeps them while the
//! original is registered and deletes them with it), writes one manifest per rendition
//! ([`paratii_client::hls`]) and ends with what a picture upload answers: the objects
//! and the `media.registerMedia` call for the owner to sign. A failed job leaves nothing
//! stored; its status says why. Finished jobs' files are removed; their status is kept
//! for [`RETENTION`].

use crate::{thumbnails, transcode, upload, Gateway};
use futures::StreamExt;
use paratii_client::{
	chain::Kind,
	content, hls,
	wire::{JobState, JobStatus, UploadResponse, UploadedObject},
};
use serde::{Deserialize, Serialize};
use std::{
	path::{Path, PathBuf},
	sync::Arc,
	time::{Duration, Instant},
};

/// How long a finished or failed job's status stays readable.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);
/// Pieces stored on the clusters at once by one job.
const STORE_CONCURRENCY: usize = 4;
/// How often a running job's status is rewritten.
const STATUS_EVERY: Duration = Duration::from_millis(500);

/// What was asked: the upload's fields and the probe of its source.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
	pub id: String,
	/// SS58.
	pub owner: String,
	pub title: String,
	pub location: Option<(i32, i32)>,
	pub captured_at: Option<u64>,
	/// The source's SHA-256, `0x` hex.
	pub content_hash: String,
	pub size: u64,
	pub content_type: String,
	pub probe: transcode::Probe,
	pub created_ms: u64,
}

/// The queue.
pub struct Jobs {
	dir: PathBuf,
	/// Wakes this process's transcoders when its upload role queues a job.
	queued: tokio::sync::Notify,
}

/// A job a worker holds (its lock is released when this is dropped).
struct Claimed {
	dir: PathBuf,
	job: Job,
	status: JobStatus,
	_lock: std::fs::File,
}

/// A new job id: 128 random bits, hex.
pub fn new_id() -> std::io::Result<String> {
	use std::io::Read;
	let mut bytes = [0u8; 16];
	std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
	Ok(hex::encode(bytes))
}

/// Whether `id` can name a job (and so a directory: nothing else gets near the path).
fn valid_id(id: &str) -> bool {
	id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Writes `value` as JSON to `path` atomically (a temporary file renamed over it): a
/// reader, or a worker killed meanwhile, never sees half of it.
pub fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
	let tmp = path.with_extension("tmp");
	std::fs::write(&tmp, serde_json::to_vec_pretty(value)?)?;
	std::fs::rename(&tmp, path)?;
	Ok(())
}

/// `path`'s JSON, if it is there and parses.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
	std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

impl Jobs {
	pub fn new(dir: PathBuf) -> anyhow::Result<Self> {
		std::fs::create_dir_all(&dir)?;
		Ok(Self { dir, queued: tokio::sync::Notify::new() })
	}

	/// Queues a job for `source` (moved into the job), and answers its id.
	pub fn create(&self, mut job: Job, source: &Path) -> anyhow::Result<String> {
		job.id = new_id()?;
		let dir = self.dir.join(&job.id);
		std::fs::create_dir_all(&dir)?;
		std::fs::rename(source, dir.join("source"))?;
		write_json(&dir.join("job.json"), &job)?;
		let status = JobStatus {
			job: job.id.clone(),
			state: JobState::Queued,
			percent: 0.0,
			fps: None,
			speed: None,
			eta_secs: None,
			duration_secs: job.probe.duration,
			resumed_at_segment: None,
			error: None,
			result: None,
			updated_ms: paratii_client::unix_millis(),
		};
		write_json(&dir.join("status.json"), &status)?;
		self.queued.notify_one();
		Ok(job.id)
	}

	/// Every job's directory and status.
	fn statuses(&self) -> impl Iterator<Item = (PathBuf, JobStatus)> {
		std::fs::read_dir(&self.dir)
			.into_iter()
			.flatten()
			.flatten()
			.filter(|e| valid_id(&e.file_name().to_string_lossy()))
			.filter_map(|e| {
				let dir = e.path();
				read_json(&dir.join("status.json")).map(|status| (dir, status))
			})
	}

	/// How many jobs are not finished (queued or being worked on).
	pub fn unfinished(&self) -> usize {
		self.statuses().filter(|(_, s)| !s.state.is_finished()).count()
	}

	/// A job's status, if `id` names one.
	pub fn status(&self, id: &str) -> Option<JobStatus> {
		valid_id(id).then(|| read_json(&self.dir.join(id).join("status.json")))?
	}

	/// The oldest unfinished job no other worker holds, locked for this one.
	fn claim(&self) -> Option<Claimed> {
		let mut open: Vec<(u64, PathBuf, Job, JobStatus)> = self
			.statuses()
			.filter(|(_, status)| !status.state.is_finished())
			.filter_map(|(dir, status)| {
				let job: Job = read_json(&dir.join("job.json"))?;
				Some((job.created_ms, dir, job, status))
			})
			.collect();
		open.sort_by_key(|(created, ..)| *created);
		for (_, dir, job, status) in open {
			let Ok(lock) = std::fs::OpenOptions::new()
				.create(true)
				.truncate(false)
				.write(true)
				.open(dir.join("lock"))
			else {
				continue;
			};
			if lock.try_lock().is_ok() {
				return Some(Claimed { dir, job, status, _lock: lock });
			}
		}
		None
	}

	/// Removes finished jobs whose status has been kept for [`RETENTION`].
	fn sweep(&self) {
		let now = paratii_client::unix_millis();
		for (dir, status) in self.statuses() {
			let age = now.saturating_sub(status.updated_ms);
			if status.state.is_finished() && age > RETENTION.as_millis() as u64 {
				let _ = std::fs::remove_dir_all(dir);
			}
		}
	}
}

/// A transcoder: takes jobs from the queue for ever.
pub async fn worker(gw: Gateway, jobs: Arc<Jobs>, n: usize) {
	tracing::info!("transcoder {n} waiting for video jobs in {}", jobs.dir.display());
	let mut last_sweep = Instant::now();
	loop {
		if last_sweep.elapsed() > Duration::from_secs(600) {
			jobs.sweep();
			last_sweep = Instant::now();
		}
		let claimed = {
			let jobs = jobs.clone();
			tokio::task::spawn_blocking(move || jobs.claim()).await.ok().flatten()
		};
		match claimed {
			Some(claimed) => run(&gw, claimed).await,
			None => {
				tokio::select! {
					_ = jobs.queued.notified() => {},
					_ = tokio::time::sleep(Duration::from_secs(2)) => {},
				}
			},
		}
	}
}

/// Writes a job's status, at most every [`STATUS_EVERY`] unless `force`.
struct Reporter {
	path: PathBuf,
	status: JobStatus,
	last: Option<Instant>,
}

impl Reporter {
	fn update(&mut self, force: bool, f: impl FnOnce(&mut JobStatus)) {
		f(&mut self.status);
		if force || self.last.is_none_or(|l| l.elapsed() >= STATUS_EVERY) {
			self.status.updated_ms = paratii_client::unix_millis();
			if let Err(e) = write_json(&self.path, &self.status) {
				tracing::warn!("writing {}: {e:#}", self.path.display());
			}
			self.last = Some(Instant::now());
		}
	}
}

async fn run(gw: &Gateway, claimed: Claimed) {
	let Claimed { dir, job, status, _lock } = claimed;
	tracing::info!(
		"job {}: {:?} ({:.1} s), was {:?}",
		job.id,
		job.title,
		job.probe.duration,
		status.state
	);
	let mut reporter = Reporter { path: dir.join("status.json"), status, last: None };
	let started = Instant::now();
	let outcome = work(gw, &dir, &job, &mut reporter).await;
	match outcome {
		Ok(answer) => {
			tracing::info!(
				"job {}: done in {:.1} s, {} objects for registration",
				job.id,
				started.elapsed().as_secs_f64(),
				answer.objects.len()
			);
			reporter.update(true, |s| {
				s.state = JobState::Done;
				s.percent = 100.0;
				s.eta_secs = None;
				s.result = Some(answer);
			});
			gw.metrics.jobs.with_label_values(&["done"]).inc();
		},
		Err(e) => {
			tracing::warn!("job {} failed: {e:#}", job.id);
			reporter.update(true, |s| {
				s.state = JobState::Failed;
				s.eta_secs = None;
				s.error = Some(format!("{e:#}"));
			});
			gw.metrics.jobs.with_label_values(&["failed"]).inc();
		},
	}
	// Done or failed, its files go; the status stays for a while.
	let _ = std::fs::remove_file(dir.join("source"));
	let _ = std::fs::remove_dir_all(dir.join("out"));
}

async fn work(
	gw: &Gateway,
	dir: &Path,
	job: &Job,
	reporter: &mut Reporter,
) -> anyhow::Result<UploadResponse> {
	let source = dir.join("source");
	let out = dir.join("out");
	let owner = paratii_client::parse_account(&job.owner)?;
	let original = content::parse_hash(&job.content_hash)
		.ok_or_else(|| anyhow::anyhow!("job {}: bad content hash", job.id))?;
	let probe = &job.probe;
	let rungs = transcode::ladder(probe);

	// Transcoding, resumed where an earlier worker stopped.
	reporter.update(true, |s| s.state = JobState::Transcoding);
	let duration = probe.duration;
	let encoding = Instant::now();
	let started_at = transcode::transcode(&source, &out, probe, &rungs, |p| {
		reporter.update(false, |s| {
			s.percent = (p.position / duration * 100.0).clamp(0.0, 100.0);
			s.fps = Some(p.fps);
			s.speed = Some(p.speed);
			s.eta_secs = (p.speed > 0.0).then(|| (duration - p.position).max(0.0) / p.speed);
		})
	})
	.await?;
	if started_at.segment > 0 {
		reporter.update(true, |s| s.resumed_at_segment = Some(started_at.segment));
	}
	let encoded = (duration - started_at.secs).max(0.0);
	tracing::info!(
		"job {}: transcoded {encoded:.1} s of video into {} rungs in {:.1} s ({:.2}× realtime)",
		job.id,
		rungs.len(),
		encoding.elapsed().as_secs_f64(),
		encoded / encoding.elapsed().as_secs_f64().max(0.001)
	);
	gw.metrics.transcoded_seconds.inc_by(duration.max(0.0) as u64);
	let assembled = transcode::assemble(&out, &rungs).await?;

	// The poster and its thumbnails, as for pictures.
	let poster = out.join("poster.jpg");
	transcode::poster(&source, probe, &poster).await?;
	let poster_bytes = tokio::fs::read(&poster).await?;
	let thumbs = tokio::task::spawn_blocking(move || {
		thumbnails::decode(&poster_bytes).and_then(|p| thumbnails::poster_thumbnails(&p))
	})
	.await??;

	// Storing: the original, the thumbnails, every rung's pieces, then the manifests.
	reporter.update(true, |s| {
		s.state = JobState::Storing;
		s.percent = 0.0;
		s.fps = None;
		s.speed = None;
	});
	let total_pieces = 1
		+ usize::from(job.size > content::CHUNK_BYTES)
		+ thumbs.len()
		+ assembled.iter().map(|a| a.inits.len() + a.segments.len() + 1).sum::<usize>();
	let stored = std::sync::atomic::AtomicUsize::new(0);
	let storing = Instant::now();
	let report = |reporter: &mut Reporter| {
		let done = stored.load(std::sync::atomic::Ordering::Relaxed);
		reporter.update(false, |s| {
			s.percent = done as f64 * 100.0 / total_pieces as f64;
			let per_piece = storing.elapsed().as_secs_f64() / done.max(1) as f64;
			s.eta_secs = Some(per_piece * total_pieces.saturating_sub(done) as f64);
		});
	};
	let store = Store { gw, owner: &owner, stored: &stored };
	let mut objects = Vec::new();
	let (hashed, receipts) = store.hashed_piece(source.clone(), None).await?;
	anyhow::ensure!(
		hashed.hash == original,
		"the source changed on disk: its hash is not the upload's"
	);
	objects.push(uploaded(Kind::Original, original, hashed.size, &job.content_type, receipts));
	for (i, thumb) in thumbs.iter().enumerate() {
		let path = out.join(format!("thumbnail-{i}.jpg"));
		tokio::fs::write(&path, &thumb.jpeg).await?;
		let (hash, size, receipts) = store.piece(path, None).await?;
		let kind = Kind::Thumbnail { width: thumb.width, height: thumb.height };
		objects.push(uploaded(kind, hash, size, "image/jpeg", receipts));
	}
	report(reporter);
	for rung in &assembled {
		let mut inits = Vec::new();
		for init in &rung.inits {
			let (hash, size, receipts) = store.piece(init.clone(), Some(original)).await?;
			inits.push(hls::Part { sha256: content::hex_hash(&hash), size, receipts });
		}
		// The futures first, then the stream (a stream over a mapping closure of
		// borrowed items is not `Send` for every lifetime, as `tokio::spawn` needs).
		let segment_futures: Vec<_> = rung
			.segments
			.iter()
			.map(|(path, duration, init)| store.segment(path.clone(), *duration, *init, original))
			.collect();
		let mut pieces = futures::stream::iter(segment_futures).buffered(STORE_CONCURRENCY);
		let mut segments = Vec::with_capacity(rung.segments.len());
		while let Some(segment) = pieces.next().await {
			segments.push(segment?);
			report(reporter);
		}
		drop(pieces);
		let manifest = manifest(rung, probe, inits, segments);
		let path = out.join(format!("{}.json", rung.rung.label));
		tokio::fs::write(&path, serde_json::to_vec(&manifest)?).await?;
		let (hash, size, receipts) = store.piece(path, None).await?;
		let kind = Kind::Transcoded { label: rung.rung.label.clone() };
		objects.push(uploaded(kind, hash, size, "application/json", receipts));
		report(reporter);
	}
	// The original's chunk hashes last, as for pictures.
	if hashed.size > content::CHUNK_BYTES {
		let path = out.join("original.chunks");
		tokio::fs::write(&path, &hashed.chunks).await?;
		let (hash, size, receipts) = store.piece(path, None).await?;
		objects.push(uploaded(Kind::ChunkHashes, hash, size, "application/octet-stream", receipts));
		report(reporter);
	}
	let (ring_epoch, _) = gw.clusters.ring().await?;
	upload::answer(
		gw,
		&owner,
		job.title.clone(),
		job.location,
		job.captured_at,
		objects,
		ring_epoch,
	)
	.await
	.map_err(anyhow::Error::from)
}

/// Stores a job's pieces for its owner, counting them.
#[derive(Clone, Copy)]
struct Store<'a> {
	gw: &'a Gateway,
	owner: &'a paratii_client::AccountId,
	stored: &'a std::sync::atomic::AtomicUsize,
}

impl Store<'_> {
	/// Stores the file at `path` (a part of object `part_of`, if given): its hash, size
	/// and receipts.
	async fn piece(
		self,
		path: PathBuf,
		part_of: Option<[u8; 32]>,
	) -> anyhow::Result<([u8; 32], u64, Vec<paratii_client::wire::Receipt>)> {
		let (hashed, receipts) = self.hashed_piece(path, part_of).await?;
		Ok((hashed.hash, hashed.size, receipts))
	}

	/// [`Store::piece`], hashed a chunk at a time (never the whole file in memory), with
	/// the chunk hashes.
	async fn hashed_piece(
		self,
		path: PathBuf,
		part_of: Option<[u8; 32]>,
	) -> anyhow::Result<(content::Hashed, Vec<paratii_client::wire::Receipt>)> {
		let hashing = path.clone();
		let hashed = tokio::task::spawn_blocking(move || content::hash_file(&hashing)).await??;
		let receipts = upload::store_object(
			self.gw,
			&path,
			hashed.hash,
			hashed.size,
			self.owner,
			part_of.as_ref(),
		)
		.await?;
		self.stored.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		Ok((hashed, receipts))
	}

	/// Stores a segment of the video whose original is `original`.
	async fn segment(
		self,
		path: PathBuf,
		duration: f64,
		init: usize,
		original: [u8; 32],
	) -> anyhow::Result<hls::Segment> {
		let (hash, size, receipts) = self.piece(path, Some(original)).await?;
		Ok(hls::Segment {
			duration,
			init,
			part: hls::Part { sha256: content::hex_hash(&hash), size, receipts },
		})
	}
}

fn uploaded(
	kind: Kind,
	hash: [u8; 32],
	size: u64,
	content_type: &str,
	receipts: Vec<paratii_client::wire::Receipt>,
) -> UploadedObject {
	UploadedObject {
		kind,
		content_hash: content::hex_hash(&hash),
		cid: content::cid_of(&hash),
		size,
		content_type: content_type.to_string(),
		receipts,
	}
}

/// A rung's manifest from its stored pieces.
fn manifest(
	rung: &transcode::Assembled,
	probe: &transcode::Probe,
	inits: Vec<hls::Part>,
	segments: Vec<hls::Segment>,
) -> hls::Manifest {
	let bits = |s: &hls::Segment| s.part.size as f64 * 8.0 / s.duration.max(0.001);
	let peak = segments.iter().map(bits).fold(0.0, f64::max);
	let total_bytes: u64 = segments.iter().map(|s| s.part.size).sum();
	let total_secs: f64 = segments.iter().map(|s| s.duration).sum();
	hls::Manifest {
		format: hls::FORMAT.into(),
		label: rung.rung.label.clone(),
		width: rung.rung.width,
		height: rung.rung.height,
		bandwidth: peak.ceil() as u64,
		average_bandwidth: (total_bytes as f64 * 8.0 / total_secs.max(0.001)).ceil() as u64,
		codecs: rung.codecs.clone(),
		frame_rate: (probe.frame_rate * 1000.0).round() / 1000.0,
		inits,
		segments,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn job_ids_are_random_hex_and_nothing_else_names_a_job() {
		let (a, b) = (new_id().unwrap(), new_id().unwrap());
		assert!(valid_id(&a) && valid_id(&b));
		assert_ne!(a, b);
		for bad in ["../../etc", "", "0123456789ABCDEF0123456789abcdef", &"a".repeat(33)] {
			assert!(!valid_id(bad), "{bad}");
		}
	}

	#[test]
	fn a_job_is_held_by_one_worker_at_a_time_and_freed_when_it_stops() {
		let dir = tempfile::tempdir().unwrap();
		let jobs = Jobs::new(dir.path().join("jobs")).unwrap();
		let source = dir.path().join("clip");
		std::fs::write(&source, b"video").unwrap();
		let job = Job {
			id: String::new(),
			owner: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
			title: "t".into(),
			location: None,
			captured_at: None,
			content_hash: content::hex_hash(&[1; 32]),
			size: 5,
			content_type: "video/mp4".into(),
			probe: transcode::Probe {
				duration: 1.0,
				width: 320,
				height: 240,
				frame_rate: 30.0,
				video_codec: "h264".into(),
				audio_codec: None,
			},
			created_ms: 1,
		};
		let id = jobs.create(job, &source).unwrap();
		assert!(!source.exists(), "the source moved into the job");
		assert_eq!(jobs.status(&id).unwrap().state, JobState::Queued);
		assert_eq!(jobs.unfinished(), 1, "a queued job counts against the queue's bound");
		let held = jobs.claim().expect("a queued job");
		assert_eq!(held.job.id, id);
		assert!(jobs.claim().is_none(), "a held job is not handed out twice");
		drop(held);
		assert!(jobs.claim().is_some(), "a worker that stopped frees its job");
		assert!(jobs.status("../x").is_none());
	}
}
