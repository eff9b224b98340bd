//! The download role: `GET /media/{id}` (the original), `/media/{id}/objects/{n}`
//! (thumbnails, transcodings), `/ipfs/{cid}` (IPFS path-gateway URLs), and
//! `/media/{id}/proof`.
//!
//! Objects are located from the chain's record, fetched from the clusters that hold
//! them, verified against the recorded SHA-256 and size (the next cluster is tried
//! when one is down or sends other bytes), kept in a bounded cache, and served with
//! Range, `ETag` = CID and immutable caching. Deleted media answer 410 Gone.
//!
//! Who watches is said by a viewer session (`X-Paratii-Session`) or, where a URL must
//! carry it (`<video src>`), by a link the gateway signs for one media item and viewer
//! (`POST /media/{id}/link`, then `?link=`); see `paratii_client::session`. A view is
//! counted for the session's viewer once the gateway has sent them as many bytes of an
//! item's original or transcoding as it has (however many requests that takes): a
//! `Range: bytes=-1` probe is not a view.

use crate::{fill::Source, Gateway};
use axum::{
	body::Body,
	extract::{Path, Query, State},
	http::{HeaderMap, Method, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use paratii_client::chain::Kind;
use paratii_client::{
	content,
	http::{client_holds, error, CACHE_PRIVATE, CACHE_PUBLIC},
	receipts::register_media_receipts,
	session::{self, SESSION_HEADER},
	wire::{ClusterProof, MediaProof, ObjectProof},
	AccountId, AtBlock, MediaId, MediaInfo, ObjectInfo,
};
use std::collections::HashMap;
use tokio::io::AsyncReadExt;

type Params = Query<HashMap<String, String>>;

/// What a request says about who asks: a session (header) or a link (`?link=`), checked
/// once the media item is known (a link opens one item).
pub struct Requester {
	session: Option<String>,
	link: Option<String>,
}

pub fn requester(
	params: &HashMap<String, String>,
	headers: &HeaderMap,
) -> Result<Requester, Response> {
	let session = match headers.get(SESSION_HEADER).map(|v| v.to_str()) {
		Some(Ok(v)) => Some(v.to_string()),
		Some(Err(_)) => {
			return Err(error(StatusCode::BAD_REQUEST, format!("{SESSION_HEADER} is not text")))
		},
		None => None,
	};
	Ok(Requester { session, link: params.get("link").cloned() })
}

impl Requester {
	/// The link token the request carries (`?link=`), to pass on in the URLs of a
	/// playlist.
	pub fn link(&self) -> Option<&str> {
		self.link.as_deref()
	}

	/// The viewer, for media item `media_id`: the link's, else the session's; a bad one
	/// is a 401.
	pub fn viewer(&self, gw: &Gateway, media_id: MediaId) -> Result<Option<AccountId>, Response> {
		let genesis = gw.chain.genesis_hash();
		let now = paratii_client::unix_millis();
		let checked = match (&self.link, &self.session) {
			(Some(link), _) => {
				session::verify_link(link, &gw.key.public_key().0, &genesis, media_id, now)
			},
			(None, Some(token)) => match gw.sessions.get(token) {
				Some((account, expires)) if expires > now => Ok(account),
				Some(_) => Err(session::TokenError::Expired),
				None => {
					session::verify_session_until(token, &genesis, now).map(|(account, expires)| {
						gw.sessions.insert(token.clone(), (account, expires));
						account
					})
				},
			},
			(None, None) => return Ok(None),
		};
		checked.map(Some).map_err(|e| error(StatusCode::UNAUTHORIZED, e.to_string()))
	}
}

/// `POST /media/{id}/link` with a session: a URL that opens media `id` for the
/// session's viewer for ten minutes, for a `<video src>` that cannot send headers.
pub async fn link(
	State(gw): State<Gateway>,
	Path(id): Path<MediaId>,
	headers: HeaderMap,
) -> Response {
	let who = match requester(&HashMap::new(), &headers) {
		Ok(who) => who,
		Err(r) => return r,
	};
	let viewer = match who.viewer(&gw, id) {
		Ok(Some(viewer)) => viewer,
		Ok(None) => {
			return error(
				StatusCode::UNAUTHORIZED,
				format!("open a session first: send {SESSION_HEADER} (paratii_client::session)"),
			)
		},
		Err(r) => return r,
	};
	let (token, expires_ms) = session::link(
		&gw.key,
		&gw.chain.genesis_hash(),
		id,
		&viewer,
		paratii_client::unix_millis(),
	);
	Json(paratii_client::wire::MediaLink {
		url: format!("/media/{id}?link={token}"),
		link: token,
		expires_ms,
	})
	.into_response()
}

pub async fn original(
	State(gw): State<Gateway>,
	Path(id): Path<MediaId>,
	Query(params): Params,
	method: Method,
	headers: HeaderMap,
) -> Response {
	match requester(&params, &headers) {
		Ok(who) => serve_media(&gw, id, None, &method, &headers, who).await,
		Err(r) => r,
	}
}

pub async fn object(
	State(gw): State<Gateway>,
	Path((id, index)): Path<(MediaId, usize)>,
	Query(params): Params,
	method: Method,
	headers: HeaderMap,
) -> Response {
	match requester(&params, &headers) {
		Ok(who) => serve_media(&gw, id, Some(index), &method, &headers, who).await,
		Err(r) => r,
	}
}

pub async fn ipfs(
	State(gw): State<Gateway>,
	Path(cid): Path<String>,
	Query(params): Params,
	method: Method,
	headers: HeaderMap,
) -> Response {
	let who = match requester(&params, &headers) {
		Ok(who) => who,
		Err(r) => return r,
	};
	let Some(hash) = content::hash_of_cid(&cid) else {
		return error(
			StatusCode::BAD_REQUEST,
			"not a CIDv1 of raw bytes with SHA-256 (bafkrei…), the only CIDs Paratii issues",
		);
	};
	let at = match gw.records.at().await {
		Ok(at) => at,
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	};
	let proof = match gw.records.holder(&at, hash).await {
		Ok(Some(p)) => p,
		Ok(None) => {
			gw.metrics.downloads.with_label_values(&["not_found"]).inc();
			return error(StatusCode::NOT_FOUND, "no media on chain has this CID");
		},
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	};
	let mut response = serve_at(
		&gw,
		&at,
		proof.media_id,
		Some(proof.object_index as usize),
		&method,
		&headers,
		who,
	)
	.await;
	// The trustless-gateway form: the block itself, which for a raw CID is the bytes.
	if wants_raw_block(&params, &headers) && response.status().is_success() {
		use axum::http::{header, HeaderValue};
		let h = response.headers_mut();
		h.insert(header::CONTENT_TYPE, HeaderValue::from_static(RAW_BLOCK));
		h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
		h.append(header::VARY, HeaderValue::from_static("accept"));
	}
	response
}

/// The media type of a raw IPLD block (IPFS trustless gateways).
const RAW_BLOCK: &str = "application/vnd.ipld.raw";

/// Whether a request asks for the raw block (`Accept: application/vnd.ipld.raw` or
/// `?format=raw`).
fn wants_raw_block(params: &HashMap<String, String>, headers: &HeaderMap) -> bool {
	params.get("format").is_some_and(|f| f == "raw")
		|| headers
			.get_all(axum::http::header::ACCEPT)
			.iter()
			.filter_map(|v| v.to_str().ok())
			.any(|v| v.split(',').any(|t| t.trim().starts_with(RAW_BLOCK)))
}

/// Serves object `index` of media `id`, or its original when `index` is `None`.
async fn serve_media(
	gw: &Gateway,
	id: MediaId,
	index: Option<usize>,
	method: &Method,
	headers: &HeaderMap,
	who: Requester,
) -> Response {
	match gw.records.at().await {
		Ok(at) => serve_at(gw, &at, id, index, method, headers, who).await,
		Err(e) => error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	}
}

/// [`serve_media`] in the finalized state `at`.
async fn serve_at(
	gw: &Gateway,
	at: &AtBlock,
	id: MediaId,
	index: Option<usize>,
	method: &Method,
	headers: &HeaderMap,
	who: Requester,
) -> Response {
	let item = match live_item(gw, at, id).await {
		Ok(item) => item,
		Err(response) => return response,
	};
	let media = &item.media;
	let index = index.unwrap_or_else(|| {
		media.objects.iter().position(|o| o.kind == Kind::Original).unwrap_or(0)
	});
	let Some(object) = media.objects.get(index) else {
		gw.metrics.downloads.with_label_values(&["not_found"]).inc();
		return error(
			StatusCode::NOT_FOUND,
			format!("media {} has {} objects (0-based)", media.id, media.objects.len()),
		);
	};
	let viewer = match who.viewer(gw, media.id) {
		Ok(viewer) => viewer,
		Err(response) => return response,
	};
	// A priced item's answer is for one account: no shared cache may keep it.
	let mut private = false;
	if !matches!(object.kind, Kind::Thumbnail { .. }) {
		match paid_access(gw, at, media, item.price, viewer.as_ref()).await {
			Ok(priced) => private = priced,
			Err(response) => return response,
		}
	}
	let hash = object.content_hash;
	// A client that holds the object already (its ETag is the CID) is answered from the
	// record: no cluster is asked for bytes nobody will send.
	let cid = content::cid_of(&hash);
	let cache_control = if private { CACHE_PRIVATE } else { CACHE_PUBLIC };
	if client_holds(headers, &cid) {
		return (
			StatusCode::NOT_MODIFIED,
			[
				(axum::http::header::ETAG, format!("\"{cid}\"")),
				(axum::http::header::CACHE_CONTROL, cache_control.into()),
			],
		)
			.into_response();
	}
	let mut response = if *method == Method::HEAD {
		head(gw, object, &cid, headers).await
	} else {
		get(gw, media, object, &cid, method, headers, viewer).await
	};
	if private {
		keep_private(&mut response);
	}
	response
}

/// Marks an answer for one viewer: no shared cache keeps it, and caches that keep it
/// for the viewer key it by their session.
pub fn keep_private(response: &mut Response) {
	let headers = response.headers_mut();
	headers.insert(
		axum::http::header::CACHE_CONTROL,
		axum::http::HeaderValue::from_static(CACHE_PRIVATE),
	);
	headers.insert(
		axum::http::header::VARY,
		axum::http::HeaderValue::from_static("x-paratii-session"),
	);
}

/// Media item `id` at `at`, if it exists and is not deleted; else the answer (404, 410).
pub async fn live_item(
	gw: &Gateway,
	at: &AtBlock,
	id: MediaId,
) -> Result<std::sync::Arc<crate::records::Item>, Response> {
	let item = match gw.records.item(at, id).await {
		Ok(item) => item,
		Err(e) => return Err(error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}"))),
	};
	match item {
		None => {
			gw.metrics.downloads.with_label_values(&["not_found"]).inc();
			Err(error(StatusCode::NOT_FOUND, format!("no media {id} (finalized) on chain")))
		},
		Some(item) if item.media.deleted => {
			gw.metrics.downloads.with_label_values(&["gone"]).inc();
			Err(error(
				StatusCode::GONE,
				format!(
					"media {id} was deleted by its owner; its proof of existence stays at \
					 /media/{id}/proof"
				),
			))
		},
		Some(item) => Ok(item),
	}
}

/// `HEAD`: answered from the record (size, CID) without fetching the object; its type is
/// sniffed from the cached copy, or from the first bytes a holding cluster sends (only
/// for the header: no byte of a HEAD answer is served).
async fn head(gw: &Gateway, object: &ObjectInfo, cid: &str, headers: &HeaderMap) -> Response {
	let content_type = match gw.cache.open(&object.content_hash).await {
		Some(mut file) => sniff_file(&mut file).await,
		None if matches!(object.kind, Kind::Thumbnail { .. }) => Some("image/jpeg"),
		None => gw
			.clusters
			.first_bytes(&object.clusters, object.content_hash)
			.await
			.and_then(|first| content::sniff(&first)),
	};
	gw.metrics.downloads.with_label_values(&["head"]).inc();
	paratii_client::http::serve_object(
		&Method::HEAD,
		headers,
		object.size,
		cid,
		content_type.unwrap_or("application/octet-stream"),
		|_| async { Ok(Body::empty()) },
	)
	.await
}

/// `GET`: the object's verified bytes, from the cache or fetched (once however many ask)
/// from its clusters.
async fn get(
	gw: &Gateway,
	media: &MediaInfo,
	object: &ObjectInfo,
	cid: &str,
	method: &Method,
	headers: &HeaderMap,
	viewer: Option<AccountId>,
) -> Response {
	// An original over a chunk with chunk hashes streams as it is verified; anything
	// else is verified whole first.
	let index = media.objects.iter().find(|o| o.kind == Kind::ChunkHashes);
	let source = match index {
		Some(index) if object.kind == Kind::Original && object.size > content::CHUNK_BYTES => {
			match crate::fill::source(gw, object, index).await {
				Ok(source) => source,
				Err(e) => return error(StatusCode::BAD_GATEWAY, format!("{e:#}")),
			}
		},
		_ => match verified_file(gw, &object.clusters, object.content_hash, object.size).await {
			Ok(file) => Source::File(file),
			Err(response) => return response,
		},
	};
	let (content_type, source) = match source {
		Source::File(mut file) => (sniff_file(&mut file).await, Source::File(file)),
		Source::Filling(mut file, mut progress) => {
			match crate::fill::sniff(&mut file, &mut progress, object.size).await {
				Ok(sniffed) => (sniffed, Source::Filling(file, progress)),
				Err(e) => return error(StatusCode::BAD_GATEWAY, format!("{e:#}")),
			}
		},
	};
	let content_type = content_type.unwrap_or("application/octet-stream");
	gw.metrics.downloads.with_label_values(&["ok"]).inc();
	// A view: something to watch (not a thumbnail) sent to a session's viewer, counted
	// once as many bytes as the object has have been sent to them.
	let view = match (&gw.views, viewer) {
		(Some(recorder), Some(viewer))
			if *method == Method::GET && !matches!(object.kind, Kind::Thumbnail { .. }) =>
		{
			Some((recorder.clone(), (media.id, viewer)))
		},
		_ => None,
	};
	let size = object.size;
	let watching = view.map(|(recorder, view)| (recorder, view, size));
	paratii_client::http::serve_object(method, headers, size, cid, content_type, |range| async {
		match source {
			Source::File(file) => file_body(file, range, watching).await,
			Source::Filling(file, progress) => {
				crate::fill::body(file, progress, range, watching).await
			},
		}
	})
	.await
}

/// How much of a file a response reads at a time.
pub const READ_BYTES: usize = 512 * 1024;

/// A view of an item a body counts toward: the recorder, the item and viewer, and the
/// bytes the viewer must have been sent for it.
pub type Watching = (crate::views::ViewRecorder, crate::views::View, u64);

/// The bytes `range` of a verified `file` as a response body, reporting what it sends
/// toward `watching`'s view.
pub async fn file_body(
	file: tokio::fs::File,
	range: std::ops::Range<u64>,
	watching: Option<Watching>,
) -> anyhow::Result<Body> {
	// Read on a blocking thread one buffer ahead of the connection: the next read
	// overlaps sending the last (a read on tokio's file waits for its own trip to the
	// blocking pool). The reader stops when the response is dropped.
	let mut file = file.into_std().await;
	let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(2);
	tokio::task::spawn_blocking(move || {
		use std::io::{Read, Seek};
		if let Err(e) = file.seek(std::io::SeekFrom::Start(range.start)) {
			let _ = tx.blocking_send(Err(e));
			return;
		}
		let mut left = range.end - range.start;
		while left > 0 {
			let mut buf = bytes::BytesMut::zeroed(left.min(READ_BYTES as u64) as usize);
			let read = file.read_exact(&mut buf).map(|()| buf.freeze());
			let failed = read.is_err();
			left -= read.as_ref().map_or(0, |b| b.len() as u64);
			if tx.blocking_send(read).is_err() || failed {
				return;
			}
		}
	});
	let stream =
		futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|r| (r, rx)) });
	Ok(body_of(stream, watching))
}

/// A response body of `stream`, reporting what it sends toward `watching`'s view.
pub fn body_of(
	stream: impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
	watching: Option<Watching>,
) -> Body {
	match watching {
		Some((recorder, view, needed)) => {
			Body::from_stream(crate::views::Delivered::new(stream, move |bytes| {
				recorder.delivered(&view, bytes, needed)
			}))
		},
		None => Body::from_stream(stream),
	}
}

/// The media type of a file, sniffed from its first bytes (it is left past them).
pub async fn sniff_file(file: &mut tokio::fs::File) -> Option<&'static str> {
	let mut first = [0u8; content::SNIFF_BYTES];
	let n = file.read(&mut first).await.unwrap_or(0);
	content::sniff(&first[..n])
}

/// Object `hash` (`size` bytes): from the cache, or fetched from `holders` (once however
/// many ask at once: the others wait for it and then find it cached) and verified.
pub async fn verified_file(
	gw: &Gateway,
	holders: &[paratii_client::ClusterId],
	hash: [u8; 32],
	size: u64,
) -> Result<tokio::fs::File, Response> {
	if let Some(file) = gw.cache.open(&hash).await {
		gw.metrics.cache_hits.inc();
		return Ok(file);
	}
	let _flight = gw.cache.fetching(&hash).await;
	match gw.cache.open(&hash).await {
		Some(file) => {
			gw.metrics.cache_hits.inc();
			Ok(file)
		},
		None => fetch(gw, holders, hash, size).await,
	}
}

/// Fetches object `hash` from `holders`, verified, into the cache.
async fn fetch(
	gw: &Gateway,
	holders: &[paratii_client::ClusterId],
	hash: [u8; 32],
	size: u64,
) -> Result<tokio::fs::File, Response> {
	gw.metrics.cache_misses.inc();
	let temp = gw.cache.temp_path();
	match gw.clusters.fetch_verified(holders, hash, size, &temp).await {
		Ok(_) => gw
			.cache
			.insert(&hash, &temp, size)
			.await
			.map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}"))),
		Err(e) => {
			let _ = tokio::fs::remove_file(&temp).await;
			gw.metrics.downloads.with_label_values(&["failed"]).inc();
			Err(error(StatusCode::BAD_GATEWAY, format!("{e:#}")))
		},
	}
}

/// PTI with its 18 decimals, trailing zeros trimmed: `12.5 PTI`.
/// A priced media item's original and transcodings are for its owner and buyers.
/// `Ok(true)`: the viewer may watch this priced item; `Ok(false)`: the item is not
/// priced; `Err`: the answer to send (402 no viewer, 403 not a buyer).
pub async fn paid_access(
	gw: &Gateway,
	at: &AtBlock,
	media: &MediaInfo,
	price: Option<u128>,
	viewer: Option<&AccountId>,
) -> Result<bool, Response> {
	let Some(price) = price else { return Ok(false) };
	let Some(account) = viewer else {
		gw.metrics.downloads.with_label_values(&["payment_required"]).inc();
		return Err(error(
			StatusCode::PAYMENT_REQUIRED,
			format!(
				"media {} costs {}: buy it (pti.buy, or `paratii buy {}`) and watch it in a \
				 session signed by your account ({SESSION_HEADER}, or a link; `paratii \
				 download {} --suri`)",
				media.id,
				paratii_client::format_pti(price),
				media.id,
				media.id
			),
		));
	};
	if owner_or_buyer(gw, at, media, account).await? {
		return Ok(true);
	}
	gw.metrics.downloads.with_label_values(&["forbidden"]).inc();
	Err(error(
		StatusCode::FORBIDDEN,
		format!(
			"{account} has not bought media {} (finalized); it costs {}",
			media.id,
			paratii_client::format_pti(price)
		),
	))
}

/// Whether `account` owns media item `media` or bought it (finalized at `at`).
pub async fn owner_or_buyer(
	gw: &Gateway,
	at: &AtBlock,
	media: &MediaInfo,
	account: &AccountId,
) -> Result<bool, Response> {
	if *account == media.owner {
		return Ok(true);
	}
	gw.records
		.purchased(at, media.id, account)
		.await
		.map_err(|e| error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")))
}

/// `GET /media/{id}/proof`: the chain's record, every receipt re-verified against the
/// cluster keys topology had when the media was registered, and finality.
/// Built once per best block and media item (`Gateway::proofs`).
pub async fn proof(State(gw): State<Gateway>, Path(id): Path<MediaId>) -> Response {
	let best = match gw.chain.at_best().await {
		Ok(best) => best,
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	};
	let key = (id, best.block_hash().0);
	if let Some(proof) = gw.proofs.get(&key) {
		gw.metrics.proofs.with_label_values(&["cache"]).inc();
		return Json(&*proof).into_response();
	}
	match build_proof(&gw, &best, id).await {
		Ok(Some(proof)) => {
			gw.metrics.proofs.with_label_values(&["chain"]).inc();
			let proof = std::sync::Arc::new(proof);
			gw.proofs.insert(key, proof.clone());
			Json(&*proof).into_response()
		},
		Ok(None) => error(StatusCode::NOT_FOUND, format!("no media {id} on chain")),
		Err(e) => error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	}
}

async fn build_proof(
	gw: &Gateway,
	best: &paratii_client::AtBlock,
	id: MediaId,
) -> anyhow::Result<Option<MediaProof>> {
	let Some(media) = gw.chain.media_at(best, id).await? else { return Ok(None) };
	let finalized = u64::from(media.registered_at) <= gw.records.at().await?.block_number();
	let registering = gw.chain.at_number(media.registered_at).await?;
	let block_hash = format!("0x{}", hex::encode(registering.block_hash().0));

	// The receipts are in the registering extrinsic, not in storage: find it. The block
	// is decoded with its own runtime's metadata, so a registration from before the
	// second receipt version has first-version receipts (both verify).
	let extrinsics = registering.extrinsics().fetch().await?;
	let original = media.objects.first().map(|o| o.content_hash);
	let call = extrinsics
		.iter()
		.filter_map(Result::ok)
		.filter(|e| e.pallet_name() == "Media" && e.call_name() == "register_media")
		.filter_map(|e| register_media_receipts(e.call_data_field_bytes()))
		.find(|objects| objects.first().map(|o| o.content_hash) == original);

	let genesis = gw.chain.genesis_hash();
	let mut objects = Vec::new();
	for (index, object) in media.objects.iter().enumerate() {
		let receipts = call.as_ref().and_then(|c| c.get(index)).map(|o| o.receipts.clone());
		let mut clusters = Vec::new();
		for cluster in &object.clusters {
			let status =
				gw.clusters.cluster(*cluster).await?.map(|c| c.status).unwrap_or("Unknown");
			let key = gw.chain.cluster_at(&registering, *cluster).await?.map(|c| c.public_key);
			let receipt =
				receipts.as_ref().and_then(|r| r.iter().find(|r| r.cluster() == *cluster));
			let verdict = match (receipt, key) {
				(Some(r), Some(key)) => {
					if r.verify(&genesis, &object.content_hash, object.size, &media.owner.0, &key) {
						"verified"
					} else {
						"invalid"
					}
				},
				_ => "not_found",
			};
			clusters.push(ClusterProof {
				cluster: *cluster,
				status: status.to_string(),
				receipt: verdict.to_string(),
			});
		}
		objects.push(ObjectProof {
			kind: object.kind.clone(),
			content_hash: content::hex_hash(&object.content_hash),
			cid: content::cid_of(&object.content_hash),
			size: object.size,
			clusters,
		});
	}
	Ok(Some(MediaProof {
		media_id: media.id,
		title: media.title,
		owner: media.owner.to_string(),
		block_number: media.registered_at,
		block_hash: Some(block_hash),
		timestamp: media.registered_at_ms,
		status: if media.deleted { "deleted" } else { "active" }.to_string(),
		finalized,
		objects,
		ethereum: match &gw.anchor {
			Some(anchor) => anchor.media_anchor_proof(&gw.chain, id).await?,
			None => None,
		},
	}))
}
