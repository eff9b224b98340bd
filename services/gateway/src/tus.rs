//! Resumable uploads on the upload role: the [tus 1.0](https://tus.io/protocols/resumable-upload)
//! protocol (core, `creation`, `termination`), so `tus-js-client` and other tus clients
//! upload large videos and resume after a dropped connection from the last byte the
//! gateway has.
//!
//! - `POST /tus` with `Upload-Length` and `Upload-Metadata` (base64 values): the upload's
//!   fields (`title`, `owner`, `expires`, `signature`, optional `location`,
//!   `captured_at`) and `sha256`, the file's SHA-256 (hex) that the owner signed. The
//!   claim is checked before any byte is taken — the owner's signature of that hash and
//!   its expiry, a registered owner, the size limit — and the answer is 201 with
//!   `Location: /tus/{id}` (128 random bits: who knows the URL can append).
//! - `HEAD /tus/{id}`: `Upload-Offset`, the bytes the gateway has.
//! - `PATCH /tus/{id}` (`Content-Type: application/offset+octet-stream`, `Upload-Offset`
//!   equal to the gateway's, else 409): appends. When a connection drops, the bytes that
//!   arrived stay. The PATCH that completes the file checks its SHA-256 against the
//!   signed one and takes it as `POST /uploads` takes a file (a picture stored, a video
//!   queued for transcoding); its outcome is at `GET /tus/{id}/result` (the same status
//!   and JSON as `POST /uploads` answers).
//! - `DELETE /tus/{id}`: drops an unfinished upload.
//!
//! At most [`MAX_OPEN`] uploads are open at once (503 beyond); one untouched for
//! [`EXPIRY`] is dropped, and a result is kept as long.

use crate::{
	upload::{self, Refusal, Scratch, Staged, TextFields},
	Gateway,
};
use axum::{
	body::Body,
	extract::{Path, Request, State},
	http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
	middleware::Next,
	response::{IntoResponse, Response},
	Json,
};
use futures::StreamExt;
use paratii_client::content;
use std::{
	collections::HashMap,
	path::PathBuf,
	sync::{Arc, Mutex},
	time::{Duration, SystemTime},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The protocol version this server speaks.
pub const VERSION: &str = "1.0.0";
/// Uploads open at once.
pub const MAX_OPEN: usize = 256;
/// How long an untouched upload (or a finished one's result) is kept.
pub const EXPIRY: Duration = Duration::from_secs(24 * 3600);
/// The longest `Upload-Metadata` header.
const MAX_METADATA: usize = 8 * 1024;

const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");

/// What is kept of an open upload beside its bytes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
	length: u64,
	/// The SHA-256 the owner signed.
	sha256: [u8; 32],
	fields: TextFields,
}

/// A finished upload's outcome.
#[derive(serde::Serialize, serde::Deserialize)]
struct Outcome {
	status: u16,
	body: serde_json::Value,
}

/// The open uploads: a directory (`{id}.json` the claim, `{id}.part` the bytes so far,
/// `{id}.result.json` the outcome) and a lock per upload, so that one PATCH appends at a
/// time.
pub struct Uploads {
	dir: PathBuf,
	writing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Uploads {
	pub fn new(dir: PathBuf) -> anyhow::Result<Self> {
		std::fs::create_dir_all(&dir)?;
		Ok(Self { dir, writing: Mutex::new(HashMap::new()) })
	}

	fn path(&self, id: &str, ext: &str) -> PathBuf {
		self.dir.join(format!("{id}.{ext}"))
	}

	fn lock_of(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
		let mut map = self.writing.lock().unwrap_or_else(|e| e.into_inner());
		map.retain(|_, lock| Arc::strong_count(lock) > 1);
		map.entry(id.to_string()).or_default().clone()
	}

	/// Drops what is older than [`EXPIRY`]; answers how many uploads are open.
	fn sweep(&self) -> usize {
		let mut open = 0;
		for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
			let path = entry.path();
			let old = entry
				.metadata()
				.and_then(|m| m.modified())
				.ok()
				.and_then(|t| SystemTime::now().duration_since(t).ok())
				.is_some_and(|age| age > EXPIRY);
			if old {
				let _ = std::fs::remove_file(&path);
			} else if path.extension().is_some_and(|e| e == "part") {
				open += 1;
			}
		}
		open
	}
}

fn valid_id(id: &str) -> bool {
	id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A tus answer: `Tus-Resumable` on every one.
fn answer(status: StatusCode, headers: &[(HeaderName, String)]) -> Response {
	let mut response = status.into_response();
	response.headers_mut().insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
	for (name, value) in headers {
		if let Ok(value) = HeaderValue::from_str(value) {
			response.headers_mut().insert(name.clone(), value);
		}
	}
	response
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
	let mut response = paratii_client::http::error(status, message.into());
	response.headers_mut().insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
	response
}

fn uploads(gw: &Gateway) -> Result<&Uploads, Response> {
	gw.tus.as_ref().ok_or_else(|| refuse(StatusCode::NOT_FOUND, "this gateway takes no uploads"))
}

/// Clients name the protocol version they speak; this server speaks 1.0.0 only.
fn check_version(headers: &HeaderMap) -> Result<(), Response> {
	match headers.get(&TUS_RESUMABLE).and_then(|v| v.to_str().ok()) {
		Some(VERSION) => Ok(()),
		_ => Err(answer(
			StatusCode::PRECONDITION_FAILED,
			&[(HeaderName::from_static("tus-version"), VERSION.into())],
		)),
	}
}

fn number(headers: &HeaderMap, name: &HeaderName) -> Result<u64, Response> {
	headers
		.get(name)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.trim().parse().ok())
		.ok_or_else(|| refuse(StatusCode::BAD_REQUEST, format!("{name} must be a whole number")))
}

/// `OPTIONS /tus` (tus discovery): what this server supports. The CORS layer answers
/// every OPTIONS request (a browser's preflight); this adds the tus headers to its
/// answer for `/tus`, so both kinds of client learn what they need from one request.
pub async fn discovery(State(gw): State<Gateway>, request: Request, next: Next) -> Response {
	let asked = request.method() == Method::OPTIONS && request.uri().path() == "/tus";
	let mut response = next.run(request).await;
	if asked {
		*response.status_mut() = StatusCode::NO_CONTENT;
		let headers = response.headers_mut();
		headers.insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
		headers.insert("tus-version", HeaderValue::from_static(VERSION));
		headers.insert("tus-extension", HeaderValue::from_static("creation,termination"));
		headers.insert("tus-max-size", HeaderValue::from(gw.config.max_upload_bytes));
	}
	response
}

/// `Upload-Metadata`: `key base64,key base64,…` into the upload's fields and signed hash.
fn metadata(raw: &str) -> Result<(TextFields, [u8; 32]), String> {
	use base64::Engine;
	let mut fields = TextFields::default();
	let mut sha256 = None;
	for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
		let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
		let value = base64::engine::general_purpose::STANDARD
			.decode(value.trim())
			.map_err(|_| format!("metadata {key}: not base64"))?;
		let value =
			String::from_utf8(value).map_err(|_| format!("metadata {key}: not UTF-8 text"))?;
		if key == "sha256" {
			sha256 = paratii_client::content::parse_hash(&value);
			if sha256.is_none() {
				return Err("metadata sha256: give the file's SHA-256 as 64 hex digits".into());
			}
		} else if let Some(slot) = fields.slot(key) {
			*slot = Some(value);
		}
		// Other keys (filename, filetype: what tus clients add) are ignored.
	}
	let sha256 = sha256.ok_or(
		"metadata sha256 is missing: the file's SHA-256, which the owner signs".to_string(),
	)?;
	Ok((fields, sha256))
}

/// `POST /tus`: opens an upload once its claim holds.
pub async fn create(State(gw): State<Gateway>, headers: HeaderMap) -> Response {
	if let Err(r) = check_version(&headers) {
		return r;
	}
	let tus = match uploads(&gw) {
		Ok(t) => t,
		Err(r) => return r,
	};
	if headers.contains_key("upload-defer-length") {
		return refuse(
			StatusCode::BAD_REQUEST,
			"give Upload-Length: deferred lengths are not supported",
		);
	}
	let length = match number(&headers, &UPLOAD_LENGTH) {
		Ok(n) => n,
		Err(r) => return r,
	};
	if length == 0 {
		return refuse(StatusCode::BAD_REQUEST, "the file is empty");
	}
	if length > gw.config.max_upload_bytes {
		return refuse(
			StatusCode::PAYLOAD_TOO_LARGE,
			format!("files are at most {} bytes", gw.config.max_upload_bytes),
		);
	}
	let raw = headers.get(&UPLOAD_METADATA).and_then(|v| v.to_str().ok()).unwrap_or_default();
	if raw.len() > MAX_METADATA {
		return refuse(
			StatusCode::BAD_REQUEST,
			format!("Upload-Metadata is over {MAX_METADATA} bytes"),
		);
	}
	let (fields, sha256) = match metadata(raw) {
		Ok(m) => m,
		Err(e) => return refuse(StatusCode::BAD_REQUEST, e),
	};
	if let Err(Refusal(status, message)) = upload::check_claim(&gw, &fields, &sha256, true).await {
		gw.metrics.uploads.with_label_values(&[status.as_str()]).inc();
		return refuse(status, message);
	}
	if tus.sweep() >= MAX_OPEN {
		return refuse(
			StatusCode::SERVICE_UNAVAILABLE,
			format!("{MAX_OPEN} uploads are open; try again later"),
		);
	}
	let id = match crate::jobs::new_id() {
		Ok(id) => id,
		Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
	};
	let meta = Meta { length, sha256, fields };
	let opened = crate::jobs::write_json(&tus.path(&id, "json"), &meta)
		.and_then(|()| Ok(std::fs::File::create(tus.path(&id, "part")).map(drop)?));
	if let Err(e) = opened {
		return refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("opening the upload: {e}"));
	}
	tracing::info!("tus upload {id} opened: {length} bytes");
	answer(
		StatusCode::CREATED,
		&[(header::LOCATION, format!("/tus/{id}")), (UPLOAD_OFFSET, "0".into())],
	)
}

fn read_meta(tus: &Uploads, id: &str) -> Result<Meta, Response> {
	if !valid_id(id) {
		return Err(refuse(StatusCode::NOT_FOUND, "no such upload"));
	}
	crate::jobs::read_json(&tus.path(id, "json"))
		.ok_or_else(|| refuse(StatusCode::NOT_FOUND, "no such upload (or it expired): start again"))
}

/// The gateway's uploads and upload `id`'s claim.
fn open_upload<'a>(gw: &'a Gateway, id: &str) -> Result<(&'a Uploads, Meta), Response> {
	let tus = uploads(gw)?;
	Ok((tus, read_meta(tus, id)?))
}

fn offset_of(tus: &Uploads, id: &str) -> u64 {
	std::fs::metadata(tus.path(id, "part")).map(|m| m.len()).unwrap_or(0)
}

/// `HEAD /tus/{id}`: how much the gateway has.
pub async fn head(State(gw): State<Gateway>, Path(id): Path<String>) -> Response {
	let (tus, meta) = match open_upload(&gw, &id) {
		Ok(open) => open,
		Err(r) => return r,
	};
	let offset =
		if tus.path(&id, "result.json").exists() { meta.length } else { offset_of(tus, &id) };
	answer(
		StatusCode::OK,
		&[
			(UPLOAD_OFFSET, offset.to_string()),
			(UPLOAD_LENGTH, meta.length.to_string()),
			(header::CACHE_CONTROL, "no-store".into()),
		],
	)
}

/// `PATCH /tus/{id}`: appends at `Upload-Offset`; the last bytes complete the upload.
pub async fn patch(
	State(gw): State<Gateway>,
	Path(id): Path<String>,
	headers: HeaderMap,
	body: Body,
) -> Response {
	if let Err(r) = check_version(&headers) {
		return r;
	}
	let tus = match uploads(&gw) {
		Ok(t) => t,
		Err(r) => return r,
	};
	if headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
		!= Some("application/offset+octet-stream")
	{
		return refuse(
			StatusCode::UNSUPPORTED_MEDIA_TYPE,
			"send the bytes as Content-Type: application/offset+octet-stream",
		);
	}
	let lock = tus.lock_of(&id);
	let Ok(_writing) = lock.try_lock() else {
		return refuse(StatusCode::CONFLICT, "another request is writing this upload");
	};
	let meta = match read_meta(tus, &id) {
		Ok(m) => m,
		Err(r) => return r,
	};
	if tus.path(&id, "result.json").exists() {
		return refuse(StatusCode::CONFLICT, "this upload is complete");
	}
	let claimed = match number(&headers, &UPLOAD_OFFSET) {
		Ok(n) => n,
		Err(r) => return r,
	};
	let mut offset = offset_of(tus, &id);
	if claimed != offset {
		return refuse(
			StatusCode::CONFLICT,
			format!(
				"Upload-Offset is {claimed} but the gateway has {offset} bytes: send from there"
			),
		);
	}
	let part = tus.path(&id, "part");
	let mut file = match tokio::fs::OpenOptions::new().append(true).open(&part).await {
		Ok(f) => f,
		Err(e) => {
			return refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("opening the upload: {e}"))
		},
	};
	let mut stream = body.into_data_stream();
	let mut refusal = None;
	while let Some(chunk) = stream.next().await {
		// A dropped connection ends the stream: what arrived is kept for the resume.
		let Ok(chunk) = chunk else { break };
		if offset + chunk.len() as u64 > meta.length {
			refusal = Some(refuse(
				StatusCode::BAD_REQUEST,
				format!("more bytes than the Upload-Length of {}", meta.length),
			));
			break;
		}
		if let Err(e) = file.write_all(&chunk).await {
			refusal = Some(refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("writing: {e}")));
			break;
		}
		offset += chunk.len() as u64;
	}
	if let Err(e) = file.flush().await {
		return refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("writing: {e}"));
	}
	drop(file);
	if let Some(r) = refusal {
		return r;
	}
	if offset == meta.length {
		complete(&gw, tus, &id, meta).await;
	}
	answer(StatusCode::NO_CONTENT, &[(UPLOAD_OFFSET, offset.to_string())])
}

/// The whole file is here: checked against the signed hash and taken as an upload; the
/// outcome is kept for `GET /tus/{id}/result`.
async fn complete(gw: &Gateway, tus: &Uploads, id: &str, meta: Meta) {
	let part = tus.path(id, "part");
	let outcome = async {
		// The bytes are gone when this ends: a job's source, or removed with `scratch`.
		let mut scratch = Scratch(vec![part.clone()]);
		let path = part.clone();
		let hashed = tokio::task::spawn_blocking(move || content::hash_file(&path))
			.await
			.map_err(upload::internal)?
			.map_err(upload::internal)?;
		let hash = hashed.hash;
		if hash != meta.sha256 {
			return Err(Refusal(
				StatusCode::UNPROCESSABLE_ENTITY,
				"the bytes sent are not the file whose SHA-256 was signed: upload again".into(),
			));
		}
		let claim = upload::check_claim(gw, &meta.fields, &hash, false).await?;
		let head = head_of(&part).await.map_err(upload::internal)?;
		let file =
			Staged { path: part.clone(), hash, size: hashed.size, head, chunks: hashed.chunks };
		upload::accept(gw, claim, file, &mut scratch).await
	}
	.await;
	let (status, body) = upload::answered(gw, outcome);
	tracing::info!("tus upload {id} complete: {status}");
	let kept = crate::jobs::write_json(
		&tus.path(id, "result.json"),
		&Outcome { status: status.as_u16(), body },
	);
	if let Err(e) = kept {
		tracing::warn!("keeping tus upload {id}'s result: {e}");
	}
}

/// The first [`content::SNIFF_BYTES`] of the file at `path` (fewer if it is shorter).
async fn head_of(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
	let file = tokio::fs::File::open(path).await?;
	let mut head = Vec::with_capacity(content::SNIFF_BYTES);
	file.take(content::SNIFF_BYTES as u64).read_to_end(&mut head).await?;
	Ok(head)
}

/// `GET /tus/{id}/result`: a complete upload's outcome, as `POST /uploads` answers.
pub async fn result(State(gw): State<Gateway>, Path(id): Path<String>) -> Response {
	let (tus, meta) = match open_upload(&gw, &id) {
		Ok(open) => open,
		Err(r) => return r,
	};
	match crate::jobs::read_json::<Outcome>(&tus.path(&id, "result.json")) {
		Some(o) => {
			(StatusCode::from_u16(o.status).unwrap_or(StatusCode::OK), Json(o.body)).into_response()
		},
		None => refuse(
			StatusCode::CONFLICT,
			format!("the upload is not complete: {} of {} bytes", offset_of(tus, &id), meta.length),
		),
	}
}

/// `DELETE /tus/{id}`: drops an upload (tus termination).
pub async fn delete(
	State(gw): State<Gateway>,
	Path(id): Path<String>,
	headers: HeaderMap,
) -> Response {
	if let Err(r) = check_version(&headers) {
		return r;
	}
	let tus = match open_upload(&gw, &id) {
		Ok((tus, _)) => tus,
		Err(r) => return r,
	};
	let lock = tus.lock_of(&id);
	let _writing = lock.lock().await;
	for ext in ["part", "json", "result.json"] {
		let _ = std::fs::remove_file(tus.path(&id, ext));
	}
	answer(StatusCode::NO_CONTENT, &[])
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn metadata_is_base64_pairs_with_the_signed_hash() {
		use base64::Engine;
		let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
		let hash = "ab".repeat(32);
		let raw = format!(
			"title {},owner {},filename {},sha256 {}",
			b64("Harbour at dawn"),
			b64("5Grw"),
			b64("x.mp4"),
			b64(&hash)
		);
		let (fields, sha) = metadata(&raw).unwrap();
		assert_eq!(fields.title.as_deref(), Some("Harbour at dawn"));
		assert_eq!(fields.owner.as_deref(), Some("5Grw"));
		assert_eq!(sha, [0xab; 32]);
		assert!(metadata(&format!("title {}", b64("t")))
			.unwrap_err()
			.contains("sha256 is missing"));
		assert!(metadata("title %%%").unwrap_err().contains("not base64"));
		assert!(valid_id(&"0f".repeat(16)) && !valid_id("../etc") && !valid_id(&"g".repeat(32)));
	}
}
