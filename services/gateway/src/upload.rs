//! The upload role: `POST /uploads`.
//!
//! Multipart fields: `file` (the media file), `title`, `owner` (SS58 or `0x` hex
//! account), `expires` (Unix milliseconds, at most an hour ahead) and `signature` (the
//! owner's sr25519 signature of [`paratii_client::signed::upload_message`] for the
//! file's SHA-256 — as it is, or wrapped in `<Bytes>…</Bytes>` by a browser wallet),
//! optional `location` (`"lat,lon"` in decimal degrees) and `captured_at` (Unix
//! milliseconds). Only the owner can upload in its name: an unsigned upload, or one
//! signed by another key, is refused (401) and nothing is stored. The file streams to a staging file while it is hashed, and
//! is refused once it passes the size limit. Its type is sniffed from its bytes and
//! must be allowed. Pictures get thumbnails. Every object is placed with the shared
//! ring and stored on `ReplicationFactor` clusters; the answer (201) carries the
//! receipts and the `media.registerMedia` call for the owner to sign. Nothing is stored
//! on a refusal, and no receipts are handed out unless every object has enough.
//!
//! A video is probed with `ffprobe` (refused with the reason if ffmpeg cannot read it,
//! its codecs are not supported, or it is empty or longer than `--max-video-secs`) and
//! becomes a transcoding job ([`crate::jobs`]): the answer is 202 with the job's id and
//! `/jobs/{id}`, whose status ends with the same objects-and-call answer.

use crate::{thumbnails, transcode, Gateway};
use axum::{
	extract::{Multipart, State},
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use paratii_client::{
	chain::Kind,
	content,
	wire::{JobAccepted, UploadResponse, UploadedObject},
};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// A refusal: its status and the reason said to the user (as an error elsewhere, the
/// reason).
#[derive(Debug, thiserror::Error)]
#[error("{1}")]
pub struct Refusal(pub StatusCode, pub String);

impl<E: std::fmt::Display> From<(StatusCode, E)> for Refusal {
	fn from((status, e): (StatusCode, E)) -> Self {
		Refusal(status, e.to_string())
	}
}

pub fn internal(e: impl std::fmt::Display) -> Refusal {
	Refusal(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// Files made for one upload, removed when it ends, whatever the outcome.
pub struct Scratch(pub Vec<PathBuf>);
impl Drop for Scratch {
	fn drop(&mut self) {
		for path in &self.0 {
			let _ = std::fs::remove_file(path);
		}
	}
}

/// The most bytes a text field of an upload (title, owner, location, time) may have.
const MAX_TEXT_FIELD: usize = 1024;

/// How much of a refused upload's remaining body is read (and dropped) before answering:
/// a client still writing a small request would otherwise see the connection closed
/// under it (EPIPE) instead of the answer. A larger rest is not waited for.
const DRAIN_BYTES: usize = 256 * 1024;

async fn drain(multipart: &mut Multipart) {
	let mut left = DRAIN_BYTES;
	let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
	let drained = async {
		while let Ok(Some(mut field)) = multipart.next_field().await {
			while let Ok(Some(chunk)) = field.chunk().await {
				left = left.saturating_sub(chunk.len());
				if left == 0 {
					return;
				}
			}
		}
	};
	let _ = tokio::time::timeout_at(deadline, drained).await;
}

/// An upload's text fields (multipart fields, or a tus upload's metadata).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TextFields {
	pub title: Option<String>,
	pub owner: Option<String>,
	pub location: Option<String>,
	pub captured_at: Option<String>,
	pub expires: Option<String>,
	pub signature: Option<String>,
}

impl TextFields {
	/// The slot of field `name`, if it is one.
	pub fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
		Some(match name {
			"title" => &mut self.title,
			"owner" => &mut self.owner,
			"location" => &mut self.location,
			"captured_at" => &mut self.captured_at,
			"expires" => &mut self.expires,
			"signature" => &mut self.signature,
			_ => return None,
		})
	}
}

/// A file received whole in staging: its path, SHA-256, size, first bytes and the
/// SHA-256 of each of its MiB chunks.
pub struct Staged {
	pub path: PathBuf,
	pub hash: [u8; 32],
	pub size: u64,
	pub head: Vec<u8>,
	pub chunks: Vec<u8>,
}

struct Fields {
	file: Option<Staged>,
	text: TextFields,
}

/// What an accepted upload is answered with.
pub enum Answer {
	/// A picture (or any file not transcoded): stored, with the call to sign.
	Stored(UploadResponse),
	/// A video: queued for transcoding.
	Queued(JobAccepted),
}

pub async fn upload(State(gw): State<Gateway>, multipart: Multipart) -> Response {
	let outcome = handle(&gw, multipart).await;
	let (status, body) = answered(&gw, outcome);
	(status, Json(body)).into_response()
}

/// An upload's outcome as its status and JSON body, counted in the metrics.
pub fn answered(gw: &Gateway, outcome: Result<Answer, Refusal>) -> (StatusCode, serde_json::Value) {
	// Serializing these types cannot fail (no maps with non-string keys).
	match outcome {
		Ok(Answer::Stored(answer)) => {
			gw.metrics.uploads.with_label_values(&["stored"]).inc();
			(StatusCode::CREATED, serde_json::to_value(answer).unwrap_or_default())
		},
		Ok(Answer::Queued(job)) => {
			gw.metrics.uploads.with_label_values(&["queued"]).inc();
			gw.metrics.jobs.with_label_values(&["queued"]).inc();
			(StatusCode::ACCEPTED, serde_json::to_value(job).unwrap_or_default())
		},
		Err(Refusal(status, message)) => {
			gw.metrics.uploads.with_label_values(&[status.as_str()]).inc();
			tracing::info!("upload refused ({status}): {message}");
			(status, serde_json::json!({ "error": message }))
		},
	}
}

async fn read_fields(
	gw: &Gateway,
	multipart: &mut Multipart,
	scratch: &mut Scratch,
) -> Result<Fields, Refusal> {
	let mut fields = Fields { file: None, text: TextFields::default() };
	let bad = |e: axum::extract::multipart::MultipartError| {
		Refusal(StatusCode::BAD_REQUEST, format!("malformed multipart body: {e}"))
	};
	while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
		let name = field.name().unwrap_or_default().to_string();
		match name.as_str() {
			"file" => {
				if fields.file.is_some() {
					return Err(Refusal(StatusCode::BAD_REQUEST, "one file per upload".into()));
				}
				let path = gw.scratch_path();
				scratch.0.push(path.clone());
				let mut out = tokio::fs::File::create(&path).await.map_err(internal)?;
				let mut hasher = content::ChunkedHasher::default();
				let mut size: u64 = 0;
				let mut head = Vec::new();
				while let Some(chunk) = field.chunk().await.map_err(bad)? {
					size += chunk.len() as u64;
					if size > gw.config.max_upload_bytes {
						return Err(Refusal(
							StatusCode::PAYLOAD_TOO_LARGE,
							format!("files are at most {} bytes", gw.config.max_upload_bytes),
						));
					}
					if head.len() < 32 {
						head.extend_from_slice(&chunk[..chunk.len().min(32 - head.len())]);
					}
					hasher.update(&chunk);
					out.write_all(&chunk).await.map_err(internal)?;
				}
				out.flush().await.map_err(internal)?;
				let hashed = hasher.finish();
				fields.file =
					Some(Staged { path, hash: hashed.hash, size, head, chunks: hashed.chunks });
			},
			"title" | "owner" | "location" | "captured_at" | "expires" | "signature" => {
				// Read as it streams in and refused at the first byte over the bound: a
				// field is never held whole before its length is checked.
				let mut bytes = Vec::new();
				while let Some(chunk) = field.chunk().await.map_err(bad)? {
					if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
						return Err(Refusal(
							StatusCode::BAD_REQUEST,
							format!("{name} is too long: at most {MAX_TEXT_FIELD} bytes"),
						));
					}
					bytes.extend_from_slice(&chunk);
				}
				let text = String::from_utf8(bytes).map_err(|_| {
					Refusal(StatusCode::BAD_REQUEST, format!("{name} is not UTF-8 text"))
				})?;
				if let Some(slot) = fields.text.slot(&name) {
					*slot = Some(text);
				}
			},
			other => {
				return Err(Refusal(
					StatusCode::BAD_REQUEST,
					format!(
						"unknown field {other:?}: the fields are file, title, owner, expires, \
						 signature, location, captured_at"
					),
				))
			},
		}
	}
	Ok(fields)
}

/// `"lat,lon"` in decimal degrees → microdegrees, range-checked as the chain does.
fn parse_location(s: &str) -> Result<(i32, i32), Refusal> {
	let bad =
		|| {
			Refusal(
			StatusCode::BAD_REQUEST,
			format!("location {s:?}: give \"latitude,longitude\" in degrees, e.g. \"38.7223,-9.1393\""),
		)
		};
	let (lat, lon) = s.split_once(',').ok_or_else(bad)?;
	let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
	let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
	if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
		return Err(bad());
	}
	Ok(((lat * 1e6).round() as i32, (lon * 1e6).round() as i32))
}

async fn handle(gw: &Gateway, mut multipart: Multipart) -> Result<Answer, Refusal> {
	let mut scratch = Scratch(Vec::new());
	let fields = match read_fields(gw, &mut multipart, &mut scratch).await {
		Ok(fields) => fields,
		Err(refusal) => {
			drain(&mut multipart).await;
			return Err(refusal);
		},
	};
	let file = fields
		.file
		.ok_or_else(|| Refusal(StatusCode::BAD_REQUEST, "the upload has no file field".into()))?;
	let claim = check_claim(gw, &fields.text, &file.hash, true).await?;
	accept(gw, claim, file, &mut scratch).await
}

/// What an upload says of itself, checked: the owner (a registered user who signed the
/// file's hash), the title, place and time.
pub struct Claim {
	pub owner: paratii_client::AccountId,
	pub title: String,
	pub location: Option<(i32, i32)>,
	pub captured_at: Option<u64>,
}

/// Checks an upload's text fields for the file with SHA-256 `hash`: the title, the
/// owner's signature of the hash (and, with `check_expiry`, that it has not expired: a
/// resumable upload checks it when it starts, not when its last byte arrives), the
/// place and time, and that the owner is a registered user.
pub async fn check_claim(
	gw: &Gateway,
	fields: &TextFields,
	hash: &[u8; 32],
	check_expiry: bool,
) -> Result<Claim, Refusal> {
	let title = fields.title.clone().unwrap_or_default();
	if title.trim().is_empty() {
		return Err(Refusal(StatusCode::BAD_REQUEST, "give the media a title".into()));
	}
	if title.len() > gw.config.max_title_len {
		return Err(Refusal(
			StatusCode::BAD_REQUEST,
			format!("titles are at most {} bytes", gw.config.max_title_len),
		));
	}
	let owner = fields.owner.as_deref().ok_or_else(|| {
		Refusal(StatusCode::BAD_REQUEST, "name the owner's account (field owner)".into())
	})?;
	let owner = paratii_client::parse_account(owner)
		.map_err(|e| Refusal(StatusCode::BAD_REQUEST, format!("owner: {e}")))?;
	let (Some(expires), Some(signature)) = (&fields.expires, &fields.signature) else {
		return Err(Refusal(
			StatusCode::UNAUTHORIZED,
			"sign the upload: the owner's signature of the file's hash (fields expires and \
			 signature; see paratii_client::signed::upload_message)"
				.into(),
		));
	};
	let expires = expires
		.trim()
		.parse::<u64>()
		.map_err(|_| Refusal(StatusCode::BAD_REQUEST, "expires is Unix milliseconds".into()))?;
	// Checked at the expiry itself when a resumable upload completes: its signature was
	// checked in time when it started.
	let now = if check_expiry { paratii_client::unix_millis() } else { expires.saturating_sub(1) };
	paratii_client::signed::verify_upload(
		&owner,
		&gw.chain.genesis_hash(),
		hash,
		expires,
		signature,
		now,
	)
	.map_err(|e| Refusal(StatusCode::UNAUTHORIZED, format!("upload signature of {owner}: {e}")))?;
	let location = fields.location.as_deref().map(parse_location).transpose()?;
	let captured_at = fields
		.captured_at
		.as_deref()
		.map(|s| {
			s.trim().parse::<u64>().map_err(|_| {
				Refusal(StatusCode::BAD_REQUEST, "captured_at is Unix milliseconds".into())
			})
		})
		.transpose()?;
	if !gw.chain.is_user(&owner).await.map_err(internal)? {
		return Err(Refusal(
			StatusCode::FORBIDDEN,
			format!("{owner} is not a registered user: register first (users.register)"),
		));
	}
	Ok(Claim { owner, title, location, captured_at })
}

/// Takes a whole file in staging for `claim`: its type sniffed and allowed, not
/// registered before; a video becomes a transcoding job, anything else is stored (with
/// a picture's thumbnails) and answered with the call to sign. The staged file is gone
/// afterwards (a job's source, or removed with `scratch`).
pub async fn accept(
	gw: &Gateway,
	claim: Claim,
	file: Staged,
	scratch: &mut Scratch,
) -> Result<Answer, Refusal> {
	let Claim { owner, title, location, captured_at } = claim;
	let Staged { path, hash, size, head, chunks } = file;
	if !scratch.0.contains(&path) {
		scratch.0.push(path.clone());
	}
	if size == 0 {
		return Err(Refusal(StatusCode::BAD_REQUEST, "the file is empty".into()));
	}
	let content_type = content::sniff(&head).unwrap_or("application/octet-stream");
	if !gw.config.allowed_types.iter().any(|t| t == content_type) {
		return Err(Refusal(
			StatusCode::UNSUPPORTED_MEDIA_TYPE,
			format!(
				"files of type {content_type} are not accepted; allowed: {}",
				gw.config.allowed_types.join(", ")
			),
		));
	}
	if let Some(proof) = gw.chain.proof_of_existence(hash).await.map_err(internal)? {
		return Err(Refusal(
			StatusCode::CONFLICT,
			format!("this file is registered already, as media {}", proof.media_id),
		));
	}

	// A video is transcoded by a job, once ffprobe has read it.
	if let (Some(jobs), true) = (&gw.jobs, content_type.starts_with("video/")) {
		// Each waiting job holds its source on disk: the queue is bounded.
		let waiting = jobs.unfinished();
		if waiting >= gw.config.max_queued_videos {
			return Err(Refusal(
				StatusCode::SERVICE_UNAVAILABLE,
				format!("{waiting} videos are waiting to be transcoded; try again later"),
			));
		}
		let probe = transcode::probe(&path, gw.config.max_video_secs)
			.await
			.map_err(internal)?
			.map_err(|refused| Refusal(StatusCode::BAD_REQUEST, refused.0))?;
		let renditions = transcode::ladder(&probe).into_iter().map(|r| r.label).collect();
		let duration_secs = probe.duration;
		let job = crate::jobs::Job {
			id: String::new(),
			owner: owner.to_string(),
			title,
			location,
			captured_at,
			content_hash: content::hex_hash(&hash),
			size,
			content_type: content_type.to_string(),
			probe,
			created_ms: paratii_client::unix_millis(),
		};
		let id = jobs.create(job, &path).map_err(internal)?;
		tracing::info!(
			"upload {} ({size} bytes, {content_type}) for {owner}: job {id}",
			content::cid_of(&hash)
		);
		return Ok(Answer::Queued(JobAccepted {
			status_url: format!("/jobs/{id}"),
			job: id,
			content_hash: content::hex_hash(&hash),
			duration_secs,
			renditions,
		}));
	}

	// The original, the thumbnails of a picture, then the original's chunk hashes when
	// it is over a chunk.
	let mut objects = vec![(Kind::Original, path, hash, size, content_type.to_string())];
	if content_type.starts_with("image/") && content_type != "image/gif" {
		// One of a few decodes at a time: each holds the file and its pixels in memory.
		let _decoding = gw.decoding.acquire().await.map_err(internal)?;
		let original = tokio::fs::read(&objects[0].1).await.map_err(internal)?;
		let thumbs = tokio::task::spawn_blocking(move || {
			thumbnails::decode(&original).and_then(|p| thumbnails::thumbnails(&p))
		})
		.await
		.map_err(internal)?
		.map_err(|e| {
			Refusal(StatusCode::BAD_REQUEST, format!("the picture cannot be decoded: {e}"))
		})?;
		for thumb in thumbs {
			let path = gw.scratch_path();
			scratch.0.push(path.clone());
			tokio::fs::write(&path, &thumb.jpeg).await.map_err(internal)?;
			objects.push((
				Kind::Thumbnail { width: thumb.width, height: thumb.height },
				path,
				content::sha256(&thumb.jpeg),
				thumb.jpeg.len() as u64,
				"image/jpeg".to_string(),
			));
		}
	}

	if size > content::CHUNK_BYTES {
		let path = gw.scratch_path();
		scratch.0.push(path.clone());
		tokio::fs::write(&path, &chunks).await.map_err(internal)?;
		let hash = content::sha256(&chunks);
		let size = chunks.len() as u64;
		objects.push((Kind::ChunkHashes, path, hash, size, "application/octet-stream".into()));
	}

	let (ring_epoch, active) = gw.clusters.ring().await.map_err(internal)?;
	if active.len() < gw.clusters.replication() {
		return Err(Refusal(
			StatusCode::SERVICE_UNAVAILABLE,
			format!(
				"only {} active storage clusters; every object needs {}",
				active.len(),
				gw.clusters.replication()
			),
		));
	}
	let mut uploaded = Vec::new();
	for (kind, path, hash, size, content_type) in objects {
		let receipts = store_object(gw, &path, hash, size, &owner, None).await?;
		uploaded.push(UploadedObject {
			kind,
			content_hash: content::hex_hash(&hash),
			cid: content::cid_of(&hash),
			size,
			content_type,
			receipts,
		});
	}
	let answer = answer(gw, &owner, title, location, captured_at, uploaded, ring_epoch).await?;
	tracing::info!(
		"upload {} ({size} bytes, {content_type}) for {owner}: {} objects stored",
		answer.cid,
		answer.objects.len()
	);
	Ok(Answer::Stored(answer))
}

/// Stores one object on `ReplicationFactor` clusters (see [`crate::clusters::Clusters::store`])
/// and answers its receipts, or the refusal to send when too few clusters could.
pub async fn store_object(
	gw: &Gateway,
	path: &std::path::Path,
	hash: [u8; 32],
	size: u64,
	owner: &paratii_client::AccountId,
	part_of: Option<&[u8; 32]>,
) -> Result<Vec<paratii_client::wire::Receipt>, Refusal> {
	match gw.clusters.store(path, hash, size, owner, part_of).await.map_err(internal)? {
		Ok(receipts) => Ok(receipts),
		Err(short) => Err(Refusal(
			StatusCode::SERVICE_UNAVAILABLE,
			format!(
				"only {} of the {} storage clusters needed could store the file; no \
				 receipts were handed out, try again later ({})",
				short.stored,
				short.needed,
				short.errors.join("; ")
			),
		)),
	}
}

/// The answer for stored `objects` (the original first): them, and the
/// `media.registerMedia` call for the owner to sign.
pub async fn answer(
	gw: &Gateway,
	owner: &paratii_client::AccountId,
	title: String,
	location: Option<(i32, i32)>,
	captured_at: Option<u64>,
	objects: Vec<UploadedObject>,
	ring_epoch: u32,
) -> Result<UploadResponse, Refusal> {
	let first = objects.first().ok_or_else(|| internal("an upload without objects"))?;
	let mut answer = UploadResponse {
		owner: owner.to_string(),
		title,
		location,
		captured_at,
		cid: first.cid.clone(),
		content_hash: first.content_hash.clone(),
		objects,
		call: String::new(),
		ring_epoch,
	};
	let call = answer.register_call().map_err(internal)?;
	let tx = gw.chain.client().tx().await.map_err(internal)?;
	answer.call = format!("0x{}", hex::encode(tx.call_data(&call).map_err(internal)?));
	Ok(answer)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn locations_are_degrees_turned_into_microdegrees() {
		assert_eq!(parse_location("38.7223,-9.1393").ok(), Some((38_722_300, -9_139_300)));
		assert!(parse_location("91,0").is_err());
		assert!(parse_location("0").is_err());
		assert!(parse_location("a,b").is_err());
	}
}
