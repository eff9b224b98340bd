//! The download role: `GET /media/{id}` (the original), `/media/{id}/objects/{n}`
//! (thumbnails, transcodings), `/ipfs/{cid}` (IPFS path-gateway URLs), and
//! `/media/{id}/proof`.
//!
//! Objects are located from the chain's record, fetched from the clusters that hold
//! them, verified against the recorded SHA-256 and size (the next cluster is tried
//! when one is down or sends other bytes), kept in a bounded cache, and served with
//! Range, `ETag` = CID and immutable caching. Deleted media answer 410 Gone.

use crate::Gateway;
use axum::{
	body::Body,
	extract::{Path, Query, State},
	http::{HeaderMap, Method, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use paratii_client::{
	api, content,
	http::error,
	receipt_message,
	wire::{ClusterProof, MediaProof, ObjectProof},
	AccountId, MediaId, MediaInfo,
};
use sp_core::{ed25519, Pair};
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

type Params = Query<HashMap<String, String>>;

/// The viewer a request names (`?viewer=` or `X-Paratii-Viewer`), for view counting.
fn viewer(
	params: &HashMap<String, String>,
	headers: &HeaderMap,
) -> Result<Option<AccountId>, Response> {
	let raw = match params.get("viewer") {
		Some(v) => v.as_str(),
		None => match headers.get("x-paratii-viewer").map(|v| v.to_str()) {
			Some(Ok(v)) => v,
			Some(Err(_)) => {
				return Err(error(StatusCode::BAD_REQUEST, "X-Paratii-Viewer is not text"))
			},
			None => return Ok(None),
		},
	};
	paratii_client::parse_account(raw)
		.map(Some)
		.map_err(|e| error(StatusCode::BAD_REQUEST, format!("viewer {raw:?}: {e}")))
}

pub async fn original(
	State(gw): State<Gateway>,
	Path(id): Path<MediaId>,
	Query(params): Params,
	method: Method,
	headers: HeaderMap,
) -> Response {
	match viewer(&params, &headers) {
		Ok(viewer) => serve_media(&gw, id, None, &method, &headers, viewer).await,
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
	match viewer(&params, &headers) {
		Ok(viewer) => serve_media(&gw, id, Some(index), &method, &headers, viewer).await,
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
	let viewer = match viewer(&params, &headers) {
		Ok(v) => v,
		Err(r) => return r,
	};
	let Some(hash) = content::hash_of_cid(&cid) else {
		return error(
			StatusCode::BAD_REQUEST,
			"not a CIDv1 of raw bytes with SHA-256 (bafkrei…), the only CIDs Paratii issues",
		);
	};
	let proof = match gw.chain.proof_of_existence(hash).await {
		Ok(Some(p)) => p,
		Ok(None) => {
			gw.metrics.downloads.with_label_values(&["not_found"]).inc();
			return error(StatusCode::NOT_FOUND, "no media on chain has this CID");
		},
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	};
	serve_media(&gw, proof.media_id, Some(proof.object_index as usize), &method, &headers, viewer)
		.await
}

/// Serves object `index` of media `id`, or its original when `index` is `None`.
async fn serve_media(
	gw: &Gateway,
	id: MediaId,
	index: Option<usize>,
	method: &Method,
	headers: &HeaderMap,
	viewer: Option<AccountId>,
) -> Response {
	let media = match gw.chain.media(id).await {
		Ok(Some(media)) => media,
		Ok(None) => {
			gw.metrics.downloads.with_label_values(&["not_found"]).inc();
			return error(StatusCode::NOT_FOUND, format!("no media {id} (finalized) on chain"));
		},
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	};
	let index = index.unwrap_or_else(|| {
		media
			.objects
			.iter()
			.position(|o| o.kind == paratii_client::chain::Kind::Original)
			.unwrap_or(0)
	});
	serve(gw, &media, index, method, headers, viewer).await
}

async fn serve(
	gw: &Gateway,
	media: &MediaInfo,
	index: usize,
	method: &Method,
	headers: &HeaderMap,
	viewer: Option<AccountId>,
) -> Response {
	if media.deleted {
		gw.metrics.downloads.with_label_values(&["gone"]).inc();
		return error(
			StatusCode::GONE,
			format!(
				"media {} was deleted by its owner; its proof of existence stays at /media/{}/proof",
				media.id, media.id
			),
		);
	}
	let Some(object) = media.objects.get(index) else {
		gw.metrics.downloads.with_label_values(&["not_found"]).inc();
		return error(
			StatusCode::NOT_FOUND,
			format!("media {} has {} objects (0-based)", media.id, media.objects.len()),
		);
	};
	let hash = object.content_hash;
	let file = match gw.cache.open(&hash).await {
		Some(file) => {
			gw.metrics.cache_hits.inc();
			file
		},
		None => {
			gw.metrics.cache_misses.inc();
			let temp = gw.cache.temp_path();
			let fetched =
				gw.clusters.fetch_verified(&object.clusters, hash, object.size, &temp).await;
			match fetched {
				Ok(_) => match gw.cache.insert(&hash, &temp, object.size).await {
					Ok(file) => file,
					Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
				},
				Err(e) => {
					let _ = tokio::fs::remove_file(&temp).await;
					gw.metrics.downloads.with_label_values(&["failed"]).inc();
					return error(StatusCode::BAD_GATEWAY, format!("{e:#}"));
				},
			}
		},
	};
	let mut file = file;
	let mut head = [0u8; 32];
	let n = file.read(&mut head).await.unwrap_or(0);
	let content_type = content::sniff(&head[..n]).unwrap_or("application/octet-stream");
	gw.metrics.downloads.with_label_values(&["ok"]).inc();
	// A view: a GET of something to watch (not a thumbnail) by a named viewer, counted
	// when the response that ends with the object's last byte has been sent.
	let view = match (&gw.views, viewer) {
		(Some(recorder), Some(viewer))
			if *method == Method::GET
				&& !matches!(object.kind, paratii_client::chain::Kind::Thumbnail { .. }) =>
		{
			Some((recorder.clone(), (media.id, viewer)))
		},
		_ => None,
	};
	let size = object.size;
	paratii_client::http::serve_object(
		method,
		headers,
		object.size,
		&content::cid_of(&hash),
		content_type,
		|range| async move {
			file.seek(std::io::SeekFrom::Start(range.start)).await?;
			let reader = file.take(range.end - range.start);
			let stream = tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024);
			Ok(match view {
				Some((recorder, view)) if range.end == size => {
					let len = range.end - range.start;
					Body::from_stream(crate::views::OnComplete::new(stream, len, move || {
						recorder.report(view)
					}))
				},
				_ => Body::from_stream(stream),
			})
		},
	)
	.await
}

/// `GET /media/{id}/proof`: the chain's record, every receipt re-verified against the
/// cluster keys topology had when the media was registered, and finality.
pub async fn proof(State(gw): State<Gateway>, Path(id): Path<MediaId>) -> Response {
	match build_proof(&gw, id).await {
		Ok(Some(proof)) => Json(proof).into_response(),
		Ok(None) => error(StatusCode::NOT_FOUND, format!("no media {id} on chain")),
		Err(e) => error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	}
}

async fn build_proof(gw: &Gateway, id: MediaId) -> anyhow::Result<Option<MediaProof>> {
	let best = gw.chain.at_best().await?;
	let Some(media) = gw.chain.media_at(&best, id).await? else { return Ok(None) };
	let finalized = u64::from(media.registered_at) <= gw.chain.finalized_number().await?;
	let registering = gw.chain.at_number(media.registered_at).await?;
	let block_hash = format!("0x{}", hex::encode(registering.block_hash().0));

	// The receipts are in the registering extrinsic, not in storage: find it.
	let extrinsics = registering.extrinsics().fetch().await?;
	let original = media.objects.first().map(|o| o.content_hash);
	let call = extrinsics
		.find::<api::media::calls::RegisterMedia>()
		.filter_map(Result::ok)
		.find(|call| call.objects.first().map(|o| o.content_hash.0) == original);

	let genesis = sp_core::H256(gw.chain.genesis_hash());
	let mut objects = Vec::new();
	for (index, object) in media.objects.iter().enumerate() {
		let message = receipt_message(
			&genesis,
			&sp_core::H256(object.content_hash),
			object.size,
			&media.owner.0,
		);
		let receipts = call.as_ref().and_then(|c| c.objects.get(index)).map(|o| o.receipts.clone());
		let mut clusters = Vec::new();
		for cluster in &object.clusters {
			let status =
				gw.clusters.cluster(*cluster).await?.map(|c| c.status).unwrap_or("Unknown");
			let key = gw.chain.cluster_at(&registering, *cluster).await?.map(|c| c.public_key);
			let receipt = receipts.as_ref().and_then(|r| r.iter().find(|r| r.cluster == *cluster));
			let verdict = match (receipt, key) {
				(Some(r), Some(key)) => {
					if ed25519::Pair::verify(
						&ed25519::Signature::from_raw(r.signature),
						&message,
						&ed25519::Public::from_raw(key),
					) {
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
	}))
}
