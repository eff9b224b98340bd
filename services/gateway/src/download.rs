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

/// Who asks, as far as a request says: the viewer it names for view counting
/// (`?viewer=` or `X-Paratii-Viewer`) and its access token for paid originals
/// (`?access=` or `X-Paratii-Access`, see `paratii_client::access`).
pub struct Requester {
	viewer: Option<AccountId>,
	access: Option<String>,
}

fn param_or_header<'a>(
	params: &'a HashMap<String, String>,
	headers: &'a HeaderMap,
	param: &str,
	header: &str,
) -> Result<Option<&'a str>, Response> {
	match params.get(param) {
		Some(v) => Ok(Some(v.as_str())),
		None => match headers.get(header).map(|v| v.to_str()) {
			Some(Ok(v)) => Ok(Some(v)),
			Some(Err(_)) => Err(error(StatusCode::BAD_REQUEST, format!("{header} is not text"))),
			None => Ok(None),
		},
	}
}

fn requester(params: &HashMap<String, String>, headers: &HeaderMap) -> Result<Requester, Response> {
	let viewer = match param_or_header(params, headers, "viewer", "x-paratii-viewer")? {
		Some(raw) => Some(
			paratii_client::parse_account(raw)
				.map_err(|e| error(StatusCode::BAD_REQUEST, format!("viewer {raw:?}: {e}")))?,
		),
		None => None,
	};
	let access = param_or_header(params, headers, "access", "x-paratii-access")?.map(String::from);
	Ok(Requester { viewer, access })
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
	let proof = match gw.chain.proof_of_existence(hash).await {
		Ok(Some(p)) => p,
		Ok(None) => {
			gw.metrics.downloads.with_label_values(&["not_found"]).inc();
			return error(StatusCode::NOT_FOUND, "no media on chain has this CID");
		},
		Err(e) => return error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")),
	};
	serve_media(&gw, proof.media_id, Some(proof.object_index as usize), &method, &headers, who)
		.await
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
	serve(gw, &media, index, method, headers, who).await
}

async fn serve(
	gw: &Gateway,
	media: &MediaInfo,
	index: usize,
	method: &Method,
	headers: &HeaderMap,
	who: Requester,
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
	let mut viewer = who.viewer;
	if !matches!(object.kind, paratii_client::chain::Kind::Thumbnail { .. }) {
		match paid_access(gw, media, who.access.as_deref()).await {
			Ok(Some(buyer)) => {
				viewer.get_or_insert(buyer);
			},
			Ok(None) => {},
			Err(response) => return response,
		}
	}
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

/// PTI with its 18 decimals, trailing zeros trimmed: `12.5 PTI`.
fn format_pti(planck: u128) -> String {
	let (whole, fraction) = (planck / 10u128.pow(18), planck % 10u128.pow(18));
	if fraction == 0 {
		format!("{whole} PTI")
	} else {
		format!("{whole}.{} PTI", format!("{fraction:018}").trim_end_matches('0'))
	}
}

/// A priced media item's original and transcodings are for its owner and buyers.
/// `Ok(Some(account))`: the token's account may watch it; `Ok(None)`: the item is not
/// priced; `Err`: the answer to send (402 no token, 401 bad token, 403 not a buyer).
async fn paid_access(
	gw: &Gateway,
	media: &MediaInfo,
	token: Option<&str>,
) -> Result<Option<AccountId>, Response> {
	let price = match gw.chain.price(media.id).await {
		Ok(Some(price)) => price,
		Ok(None) => return Ok(None),
		Err(e) => return Err(error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}"))),
	};
	let Some(token) = token else {
		gw.metrics.downloads.with_label_values(&["payment_required"]).inc();
		return Err(error(
			StatusCode::PAYMENT_REQUIRED,
			format!(
				"media {} costs {}: buy it (pti.buy, or `paratii buy {}`) and send an access \
				 token signed by your account (?access= or X-Paratii-Access; `paratii download \
				 {} --suri`)",
				media.id,
				format_pti(price),
				media.id,
				media.id
			),
		));
	};
	let now_ms = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default();
	let account = paratii_client::access::verify(token, &gw.chain.genesis_hash(), media.id, now_ms)
		.map_err(|e| error(StatusCode::UNAUTHORIZED, e.to_string()))?;
	if account == media.owner {
		return Ok(Some(account));
	}
	match gw.chain.has_purchased(media.id, &account).await {
		Ok(true) => Ok(Some(account)),
		Ok(false) => {
			gw.metrics.downloads.with_label_values(&["forbidden"]).inc();
			Err(error(
				StatusCode::FORBIDDEN,
				format!(
					"{account} has not bought media {} (finalized); it costs {}",
					media.id,
					format_pti(price)
				),
			))
		},
		Err(e) => Err(error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}"))),
	}
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
		ethereum: match &gw.anchor {
			Some(anchor) => anchor.media_anchor_proof(&gw.chain, id).await?,
			None => None,
		},
	}))
}

#[cfg(test)]
mod tests {
	#[test]
	fn pti_amounts_read_as_people_write_them() {
		assert_eq!(super::format_pti(5 * 10u128.pow(18)), "5 PTI");
		assert_eq!(super::format_pti(125 * 10u128.pow(17)), "12.5 PTI");
		assert_eq!(super::format_pti(1), "0.000000000000000001 PTI");
	}
}
