//! HLS for videos, on the download role:
//!
//! - `GET /media/{id}/hls/master.m3u8`: the master playlist, one variant per rendition
//!   the media record holds (`Transcoded { label }` objects);
//! - `GET /media/{id}/hls/{label}/index.m3u8`: a rendition's media playlist;
//! - `GET /media/{id}/hls/{label}/init-{n}.mp4` and `/{n}.m4s`: its initialization
//!   section(s) and segments.
//!
//! Playlists are made from the rendition manifests ([`paratii_client::hls`]), which are
//! fetched like any object and verified against the hash the chain records. A segment
//! is fetched from the clusters its manifest lists (the next one when a cluster is
//! down or sends other bytes) and verified against its hash before a byte is served,
//! then kept in the cache: Range, `ETag` (its CID) and CORS as for every object.
//!
//! A priced video's playlists, initialization sections and first `--preview-secs`
//! (30) seconds are free (a preview); later segments follow the paid-access
//! rules of the original (a session or link of its owner or a buyer). A video priced
//! per minute has no preview: each segment's GET costs a voucher (see [`crate::pay`]),
//! unless its owner or a buyer of the whole item asks; `prices.json` under a rendition
//! lists what each of its segments costs. A view is counted
//! for a session's viewer once the segments sent to them add up to the first
//! [`VIEW_SECS`] seconds of a rendition (or all of a shorter video).

use crate::{
	download::{
		file_body, keep_private, live_item, owner_or_buyer, paid_access, requester, verified_file,
		Requester,
	},
	records::Item,
	Gateway,
};
use axum::{
	extract::{Path, Query, State},
	http::{header, HeaderMap, Method, StatusCode},
	response::{IntoResponse, Response},
};
use paratii_client::{
	chain::Kind,
	content,
	hls::{self, Manifest, Piece},
	http::{error, CACHE_PRIVATE, CACHE_PUBLIC},
	AtBlock, MediaId, ObjectInfo,
};
use std::{collections::HashMap, sync::Arc};
use tokio::io::AsyncReadExt;

/// Seconds of a video a viewer must be sent for a view.
pub const VIEW_SECS: f64 = 30.0;
/// HLS playlists' media type.
const PLAYLIST_TYPE: &str = "application/vnd.apple.mpegurl";

type Params = Query<HashMap<String, String>>;

/// The manifest of rendition object `object`, verified against its recorded hash.
pub async fn manifest(gw: &Gateway, object: &ObjectInfo) -> Result<Arc<Manifest>, Response> {
	let hash = object.content_hash;
	if let Some(m) = gw.manifests.get(&hash) {
		return Ok(m);
	}
	if object.size > hls::MAX_MANIFEST_BYTES {
		return Err(error(StatusCode::BAD_GATEWAY, "the rendition manifest is too large"));
	}
	let mut file = verified_file(gw, &object.clusters, hash, object.size).await?;
	let mut bytes = Vec::with_capacity(object.size as usize);
	file.read_to_end(&mut bytes)
		.await
		.map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, format!("reading: {e}")))?;
	let parsed = Manifest::parse(&bytes).map_err(|e| {
		error(StatusCode::BAD_GATEWAY, format!("the rendition manifest does not parse: {e:#}"))
	})?;
	let parsed = Arc::new(parsed);
	gw.manifests.insert(hash, parsed.clone());
	Ok(parsed)
}

fn playlist(text: String, private: bool) -> Response {
	(
		[
			(header::CONTENT_TYPE, PLAYLIST_TYPE),
			(header::CACHE_CONTROL, if private { CACHE_PRIVATE } else { CACHE_PUBLIC }),
		],
		text,
	)
		.into_response()
}

/// `?link=…` to keep on a playlist's URIs (relative URIs drop the playlist's query).
fn query_of(link: Option<&str>) -> String {
	link.map(|l| format!("?link={l}")).unwrap_or_default()
}

fn renditions(media: &paratii_client::MediaInfo) -> Vec<(&str, &ObjectInfo)> {
	media
		.objects
		.iter()
		.filter_map(|o| match &o.kind {
			Kind::Transcoded { label } => Some((label.as_str(), o)),
			_ => None,
		})
		.collect()
}

/// A video's tallest rendition.
pub fn top_rendition(media: &paratii_client::MediaInfo) -> Option<&ObjectInfo> {
	renditions(media)
		.into_iter()
		.max_by_key(|(label, _)| label.trim_end_matches('p').parse::<u32>().unwrap_or(0))
		.map(|(_, o)| o)
}

fn not_a_video(id: MediaId) -> Response {
	error(StatusCode::NOT_FOUND, format!("media {id} is not a video with an HLS ladder"))
}

/// Who asks, the finalized state, and media item `id` (not deleted), or the answer.
async fn video(
	gw: &Gateway,
	id: MediaId,
	params: &HashMap<String, String>,
	headers: &HeaderMap,
) -> Result<(Requester, AtBlock, Arc<Item>), Response> {
	let who = requester(params, headers)?;
	let at = gw
		.records
		.at()
		.await
		.map_err(|e| error(StatusCode::BAD_GATEWAY, format!("asking the chain: {e:#}")))?;
	let item = live_item(gw, &at, id).await?;
	Ok((who, at, item))
}

/// `GET /media/{id}/hls/master.m3u8`.
pub async fn master(
	State(gw): State<Gateway>,
	Path(id): Path<MediaId>,
	Query(params): Params,
	headers: HeaderMap,
) -> Response {
	let (who, _, item) = match video(&gw, id, &params, &headers).await {
		Ok(found) => found,
		Err(r) => return r,
	};
	let ladder = renditions(&item.media);
	if ladder.is_empty() {
		return not_a_video(id);
	}
	let query = query_of(who.link());
	let mut manifests = Vec::new();
	for (label, object) in ladder {
		match manifest(&gw, object).await {
			Ok(m) => manifests.push((format!("{label}/index.m3u8{query}"), m)),
			Err(r) => return r,
		}
	}
	let refs: Vec<(String, &Manifest)> =
		manifests.iter().map(|(uri, m)| (uri.clone(), m.as_ref())).collect();
	gw.metrics.downloads.with_label_values(&["playlist"]).inc();
	playlist(hls::master_playlist(&refs), who.link().is_some())
}

/// What a file name under `/media/{id}/hls/{label}/` names.
#[derive(Debug, PartialEq)]
enum File {
	Playlist,
	Prices,
	Piece(Piece),
}

fn parse_file(name: &str) -> Option<File> {
	match name {
		"index.m3u8" => return Some(File::Playlist),
		"prices.json" => return Some(File::Prices),
		_ => {},
	}
	if let Some(n) = name.strip_prefix("init-").and_then(|r| r.strip_suffix(".mp4")) {
		return n.parse().ok().map(|n| File::Piece(Piece::Init(n)));
	}
	name.strip_suffix(".m4s")?.parse().ok().map(|n| File::Piece(Piece::Segment(n)))
}

/// `GET /media/{id}/hls/{label}/{file}`: a media playlist, initialization section or
/// segment.
pub async fn piece(
	State(gw): State<Gateway>,
	Path((id, label, file)): Path<(MediaId, String, String)>,
	Query(params): Params,
	method: Method,
	headers: HeaderMap,
) -> Response {
	let Some(file) = parse_file(&file) else {
		return error(
			StatusCode::NOT_FOUND,
			"under /media/{id}/hls/{label}/ are index.m3u8, init-{n}.mp4 and {n}.m4s",
		);
	};
	let (who, at, item) = match video(&gw, id, &params, &headers).await {
		Ok(found) => found,
		Err(r) => return r,
	};
	let media = &item.media;
	let Some((_, object)) = renditions(media).into_iter().find(|(l, _)| *l == label) else {
		return not_a_video(id);
	};
	let manifest = match manifest(&gw, object).await {
		Ok(m) => m,
		Err(r) => return r,
	};
	let piece = match file {
		File::Playlist => {
			let query = query_of(who.link());
			let text = manifest.media_playlist(|p| match p {
				Piece::Init(n) => format!("init-{n}.mp4{query}"),
				Piece::Segment(n) => format!("{n}.m4s{query}"),
			});
			return playlist(text, who.link().is_some());
		},
		File::Prices => {
			let Some(minute_price) = item.minute_price else {
				return error(
					StatusCode::NOT_FOUND,
					format!("media {id} is not priced per minute"),
				);
			};
			let durations = manifest.segments.iter().map(|s| s.duration);
			let hub = gw.pay.as_ref().map(|p| p.hub());
			return crate::pay::prices(id, minute_price, durations, hub);
		},
		File::Piece(piece) => piece,
	};
	let Some(part) = manifest.part(piece) else {
		return error(StatusCode::NOT_FOUND, format!("rendition {label} has no {piece:?}"));
	};
	let Some(hash) = part.hash() else {
		return error(StatusCode::BAD_GATEWAY, "the manifest lists a malformed hash");
	};
	let viewer = match who.viewer(&gw, id) {
		Ok(viewer) => viewer,
		Err(r) => return r,
	};
	// Past the preview, a priced video is for its owner and buyers; one priced per
	// minute is paid segment by segment by everyone else.
	let mut private = false;
	let mut segment_price = None;
	if let Piece::Segment(n) = piece {
		if let Some(minute_price) = item.minute_price {
			// Answered `no-store` below, whoever asks.
			let free = match viewer.as_ref() {
				Some(v) => match owner_or_buyer(&gw, &at, media, v).await {
					Ok(free) => free,
					Err(r) => return r,
				},
				None => false,
			};
			if !free && method == Method::GET {
				let duration = manifest.segments.get(n).map_or(0.0, |s| s.duration);
				segment_price =
					Some(paratii_client::micropay::segment_price(minute_price, duration));
			}
		} else if manifest.start_of(n) >= gw.config.preview_secs {
			match paid_access(&gw, &at, media, item.price, viewer.as_ref()).await {
				Ok(priced) => private = priced,
				Err(r) => return r,
			}
		}
	}
	let file = match verified_file(&gw, &part.clusters(), hash, part.size).await {
		Ok(file) => file,
		Err(r) => return r,
	};
	// Paid once the bytes are at hand, before any is sent: the voucher is kept durably.
	let mut paid = None;
	if let Some(price) = segment_price {
		match crate::pay::charge(&gw, &at, &item, price, &headers).await {
			Ok(amount) => paid = Some(amount),
			Err(r) => return r,
		}
	}
	gw.metrics.downloads.with_label_values(&["segment"]).inc();
	let view = match (&gw.views, viewer, piece) {
		(Some(recorder), Some(viewer), Piece::Segment(_)) if method == Method::GET => {
			Some((recorder.clone(), (id, viewer), view_bytes(&manifest)))
		},
		_ => None,
	};
	let cid = content::cid_of(&hash);
	let mut response = paratii_client::http::serve_object(
		&method,
		&headers,
		part.size,
		&cid,
		"video/mp4",
		|range| file_body(file, range, view),
	)
	.await;
	if private {
		keep_private(&mut response);
	}
	if item.minute_price.is_some() && matches!(piece, Piece::Segment(_)) {
		// Each request of a segment paid per minute is paid: no cache may answer the next
		// one (the same browser may watch as another account).
		let headers = response.headers_mut();
		headers.insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
		headers.insert(
			header::VARY,
			axum::http::HeaderValue::from_static("x-paratii-session, x-paratii-voucher"),
		);
	}
	if let Some(amount) = paid {
		if let Ok(v) = axum::http::HeaderValue::from_str(&amount.to_string()) {
			response.headers_mut().insert("x-paratii-paid", v);
		}
	}
	response
}

/// The bytes of a rendition's segments that start in its first [`VIEW_SECS`]: a viewer
/// sent that much of a video has watched it.
fn view_bytes(m: &Manifest) -> u64 {
	let mut start = 0.0;
	let mut bytes = 0;
	for s in &m.segments {
		if start >= VIEW_SECS {
			break;
		}
		bytes += s.part.size;
		start += s.duration;
	}
	bytes.max(1)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn files_under_a_rendition_are_its_playlist_inits_and_segments() {
		assert_eq!(parse_file("index.m3u8"), Some(File::Playlist));
		assert_eq!(parse_file("prices.json"), Some(File::Prices));
		assert_eq!(parse_file("init-0.mp4"), Some(File::Piece(Piece::Init(0))));
		assert_eq!(parse_file("12.m4s"), Some(File::Piece(Piece::Segment(12))));
		for bad in ["../x", "init.mp4", "x.m4s", "-1.m4s", "12.ts", ""] {
			assert_eq!(parse_file(bad), None, "{bad}");
		}
	}
}
