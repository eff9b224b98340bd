//! The HTTP API (JSON): `GET /search`, `GET /media`, `GET /media/{id}`, `GET /health`,
//! `GET /openapi.json` (its OpenAPI document, [`crate::openapi`]).
//! Bad parameters get a 400 that says which one and why.
//!
//! `GET /search?q=&kind=&price=&owner=&from=&to=&bbox=&sort=&limit=&offset=`: `q` may be
//! empty (browse); `kind` is `picture`, `video` or `other`, `price` `free` or `paid`;
//! `sort` one of `relevance` (the default with words), `newest` (without), `most_viewed`,
//! `most_liked`, `price_asc`, `price_desc`. Each hit carries its highlighted title;
//! `facets=true` adds the facets of all matches (counting them visits every match).

use crate::{
	follow::{owner_key, Status},
	index::{words, Cursor, Filters, Order, SearchIndex, Sort},
};
use axum::{
	extract::{Path, Query, State},
	http::StatusCode,
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use paratii_client::{
	http::error,
	wire::{MediaPage, SearchHit, SearchResults},
	MediaId,
};
use std::{
	collections::HashMap,
	sync::{atomic::Ordering, Arc},
};

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words in a query.
pub const MAX_QUERY_WORDS: usize = 16;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 20;
/// Deepest `offset` of a search (use filters or the catalogue's cursor beyond it).
pub const MAX_OFFSET: usize = 10_000;

#[derive(Clone)]
pub struct Api {
	pub index: Arc<SearchIndex>,
	pub status: Arc<Status>,
}

pub fn router(api: Api) -> Router {
	Router::new()
		.route("/search", get(search))
		.route("/media", get(catalogue))
		.route("/media/:id", get(media))
		.route("/media/:id/valuation", get(valuation))
		.route("/health", get(health))
		.route("/openapi.json", get(paratii_client::openapi::serve(&crate::openapi::document())))
		.layer(tower_http::cors::CorsLayer::permissive())
		.with_state(api)
}

type Params = Query<HashMap<String, String>>;

fn bad(message: impl Into<String>) -> Response {
	error(StatusCode::BAD_REQUEST, message.into())
}

fn number<T>(
	params: &HashMap<String, String>,
	name: &str,
	default: T,
	range: std::ops::RangeInclusive<T>,
) -> Result<T, Response>
where
	T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
	let Some(raw) = params.get(name) else { return Ok(default) };
	let value: T = raw.trim().parse().map_err(|_| {
		bad(format!("{name}={raw:?} is not a whole number ({}..={})", range.start(), range.end()))
	})?;
	if !range.contains(&value) {
		return Err(bad(format!(
			"{name} must be {}..={}, not {value}",
			range.start(),
			range.end()
		)));
	}
	Ok(value)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
	let y = if m <= 2 { y - 1 } else { y };
	let era = y.div_euclid(400);
	let yoe = y - era * 400;
	let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
	let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	era * 146_097 + doe - 719_468
}

const DAY_MS: u64 = 86_400_000;

/// A time given as Unix milliseconds or as a `YYYY-MM-DD` date (UTC; `end_of_day`
/// for the last millisecond of that day).
fn time(
	params: &HashMap<String, String>,
	name: &str,
	end_of_day: bool,
) -> Result<Option<u64>, Response> {
	let Some(raw) = params.get(name).map(|s| s.trim()) else { return Ok(None) };
	if let Ok(ms) = raw.parse::<u64>() {
		return Ok(Some(ms));
	}
	let parts: Vec<_> = raw.split('-').collect();
	let date = match parts[..] {
		[y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
			match (y.parse::<i64>(), m.parse::<i64>(), d.parse::<i64>()) {
				(Ok(y), Ok(m @ 1..=12), Ok(d @ 1..=31)) if y >= 1970 => {
					Some(days_from_civil(y, m, d))
				},
				_ => None,
			}
		},
		_ => None,
	};
	let Some(days) = date else {
		return Err(bad(format!(
			"{name}={raw:?} is neither Unix milliseconds nor a YYYY-MM-DD date"
		)));
	};
	let start = days as u64 * DAY_MS;
	Ok(Some(if end_of_day { start + DAY_MS - 1 } else { start }))
}

fn filters(params: &HashMap<String, String>) -> Result<Filters, Response> {
	let owner = match params.get("owner") {
		Some(raw) => Some(owner_key(
			&paratii_client::parse_account(raw).map_err(|e| bad(format!("owner={raw:?}: {e}")))?.0,
		)),
		None => None,
	};
	let registered_from = time(params, "from", false)?;
	let registered_to = time(params, "to", true)?;
	if let (Some(from), Some(to)) = (registered_from, registered_to) {
		if from > to {
			return Err(bad("from is after to"));
		}
	}
	let bbox = match params.get("bbox") {
		Some(raw) => Some(bbox(raw).map_err(|why| {
			bad(format!("bbox={raw:?}: {why}; give min_lat,min_lon,max_lat,max_lon in degrees"))
		})?),
		None => None,
	};
	let kind = match params.get("kind").map(String::as_str) {
		None => None,
		Some(k @ ("picture" | "video" | "other")) => Some(k.to_string()),
		Some(other) => return Err(bad(format!("kind={other:?}: one of picture, video, other"))),
	};
	let paid = match params.get("price").map(String::as_str) {
		None => None,
		Some("free") => Some(false),
		Some("paid") => Some(true),
		Some(other) => return Err(bad(format!("price={other:?}: free or paid"))),
	};
	Ok(Filters { owner, registered_from, registered_to, bbox, kind, paid })
}

/// `min_lat,min_lon,max_lat,max_lon` in degrees → microdegrees.
fn bbox(raw: &str) -> Result<(i32, i32, i32, i32), &'static str> {
	let values: Vec<f64> = raw
		.split(',')
		.map(|v| v.trim().parse::<f64>())
		.collect::<Result<_, _>>()
		.map_err(|_| "not four numbers")?;
	let [min_lat, min_lon, max_lat, max_lon] = values[..] else { return Err("not four numbers") };
	if ![min_lat, max_lat].iter().all(|v| (-90.0..=90.0).contains(v)) {
		return Err("latitudes are -90..=90");
	}
	if ![min_lon, max_lon].iter().all(|v| (-180.0..=180.0).contains(v)) {
		return Err("longitudes are -180..=180");
	}
	if min_lat > max_lat || min_lon > max_lon {
		return Err("a minimum is above its maximum");
	}
	let micro = |v: f64| (v * 1e6).round() as i32;
	Ok((micro(min_lat), micro(min_lon), micro(max_lat), micro(max_lon)))
}

fn internal(e: anyhow::Error) -> Response {
	error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}"))
}

async fn search(State(api): State<Api>, Query(params): Params) -> Response {
	// An empty query browses what the filters let through.
	let q = params.get("q").map(|q| q.trim()).unwrap_or_default();
	if q.chars().count() > MAX_QUERY_CHARS {
		return bad(format!("q is over {MAX_QUERY_CHARS} characters"));
	}
	let n = words(q).len();
	if n == 0 && !q.is_empty() {
		return bad("q has no letters or digits to search for");
	}
	if n > MAX_QUERY_WORDS {
		return bad(format!("q has {n} words; at most {MAX_QUERY_WORDS}"));
	}
	let default_sort = if n == 0 { Sort::Newest } else { Sort::Relevance };
	let sort = match params.get("sort").map(String::as_str) {
		None => default_sort,
		Some(raw) => match Sort::parse(raw) {
			Some(sort) => sort,
			None => {
				return bad(format!(
					"sort={raw:?}: one of relevance, newest, most_viewed, most_liked, \
					 price_asc, price_desc"
				))
			},
		},
	};
	let (limit, offset, filters) = match (
		number(&params, "limit", DEFAULT_LIMIT, 1..=MAX_LIMIT),
		number(&params, "offset", 0, 0..=MAX_OFFSET),
		filters(&params),
	) {
		(Ok(l), Ok(o), Ok(f)) => (l, o, f),
		(Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
	};
	let with_facets = match params.get("facets").map(String::as_str) {
		None | Some("false") => false,
		Some("true") => true,
		Some(other) => return bad(format!("facets={other:?}: true or false")),
	};
	match api.index.search(q, &filters, sort, limit, offset, with_facets) {
		Ok(found) => Json(SearchResults {
			query: q.to_string(),
			total: found.total,
			offset,
			limit,
			sort: sort.name().to_string(),
			hits: found
				.hits
				.into_iter()
				.map(|(score, media, highlighted_title)| SearchHit {
					score,
					highlighted_title,
					media,
				})
				.collect(),
			facets: found.facets,
			indexed_block: api.status.indexed.load(Ordering::Relaxed),
		})
		.into_response(),
		Err(e) => internal(e),
	}
}

async fn catalogue(State(api): State<Api>, Query(params): Params) -> Response {
	let order = params.get("order").map(String::as_str).unwrap_or("newest");
	let Some(order) = Order::parse(order) else {
		return bad(format!("order={order:?}: one of newest, most_liked, most_viewed"));
	};
	let cursor = match params.get("cursor") {
		Some(raw) => match Cursor::parse(raw) {
			Some(c) => Some(c),
			None => return bad(format!("cursor={raw:?} is not a cursor this API gave out")),
		},
		None => None,
	};
	let (limit, filters) =
		match (number(&params, "limit", DEFAULT_LIMIT, 1..=MAX_LIMIT), filters(&params)) {
			(Ok(l), Ok(f)) => (l, f),
			(Err(r), _) | (_, Err(r)) => return r,
		};
	match api.index.catalogue(&filters, order, limit, cursor) {
		Ok((items, next)) => Json(MediaPage {
			order: order.name().to_string(),
			items,
			next_cursor: next.map(|c| c.to_string()),
			indexed_block: api.status.indexed.load(Ordering::Relaxed),
		})
		.into_response(),
		Err(e) => internal(e),
	}
}

async fn media(State(api): State<Api>, Path(id): Path<String>) -> Response {
	let Ok(id) = id.parse::<MediaId>() else {
		return bad(format!("{id:?} is not a media id (a whole number)"));
	};
	match api.index.get(id) {
		Ok(Some(media)) => Json(media).into_response(),
		Ok(None) => error(
			StatusCode::NOT_FOUND,
			format!(
				"no media {id} in the index (finalized up to #{})",
				api.status.indexed.load(Ordering::Relaxed)
			),
		),
		Err(e) => internal(e),
	}
}

/// Views at which a media item's reach is three quarters of the most.
const VALUATION_VIEWS: u64 = 100;

/// The public valuation of a view of a media item, in parts per billion of a full bid
/// (the hook `paratii-adx bidder --valuation` asks): `approval × reach`, where approval
/// is the likes' share with one like and one dislike added (a new item: ½) and reach is
/// `½ + ½ · views / (views + 100)`; 0 for an item moderators should look at (flagged) or
/// deleted — no advertiser wants its ad there.
pub fn valuation_ppb(media: &paratii_client::wire::IndexedMedia) -> u32 {
	if media.flagged || media.status != "active" {
		return 0;
	}
	const PPB: u128 = 1_000_000_000;
	let (likes, dislikes) = (u128::from(media.likes), u128::from(media.dislikes));
	let approval = (likes + 1) * PPB / (likes + dislikes + 2);
	let views = u128::from(media.views);
	let reach = PPB / 2 + PPB / 2 * views / (views + u128::from(VALUATION_VIEWS));
	(approval * reach / PPB) as u32
}

async fn valuation(State(api): State<Api>, Path(id): Path<String>) -> Response {
	let Ok(id) = id.parse::<MediaId>() else {
		return bad(format!("{id:?} is not a media id (a whole number)"));
	};
	match api.index.get(id) {
		Ok(Some(media)) => Json(serde_json::json!({
			"media": id,
			"factor_ppb": valuation_ppb(&media),
			"views": media.views,
			"likes": media.likes,
			"dislikes": media.dislikes,
			"flagged": media.flagged,
			"indexed_at": media.indexed_at,
		}))
		.into_response(),
		Ok(None) => error(StatusCode::NOT_FOUND, format!("no media {id} in the index")),
		Err(e) => internal(e),
	}
}

async fn health(State(api): State<Api>) -> Response {
	let s = &api.status;
	Json(serde_json::json!({
		"status": if s.caught_up.load(Ordering::Relaxed) { "ok" } else { "catching up" },
		"indexed_block": s.indexed.load(Ordering::Relaxed),
		"finalized_block": s.finalized.load(Ordering::Relaxed),
		"media": api.index.len(),
	}))
	.into_response()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dates_are_utc_days() {
		assert_eq!(days_from_civil(1970, 1, 1), 0);
		assert_eq!(days_from_civil(2000, 3, 1), 11_017);
		let params: HashMap<_, _> = [("to".to_string(), "2026-11-23".to_string())].into();
		assert_eq!(time(&params, "to", true).unwrap(), Some(1_795_478_399_999));
		let params: HashMap<_, _> = [("to".to_string(), "23/11/2026".to_string())].into();
		assert!(time(&params, "to", false).is_err());
	}

	#[test]
	fn boxes_are_checked() {
		assert_eq!(
			bbox("38.6,-9.3,38.8,-9.0"),
			Ok((38_600_000, -9_300_000, 38_800_000, -9_000_000))
		);
		assert!(bbox("38.8,-9.3,38.6,-9.0").is_err());
		assert!(bbox("91,0,92,1").is_err());
		assert!(bbox("1,2,3").is_err());
	}

	#[test]
	fn views_are_worth_more_on_liked_watched_media() {
		let with = |likes, dislikes, views| {
			let mut m = crate::index::tests::media(1, "x");
			(m.likes, m.dislikes, m.views) = (likes, dislikes, views);
			m
		};
		// New: approval ½, reach ½.
		assert_eq!(valuation_ppb(&with(0, 0, 0)), 250_000_000);
		// 8 likes, no dislike (approval 9/10), 100 views (reach ¾).
		assert_eq!(valuation_ppb(&with(8, 0, 100)), 675_000_000);
		assert!(valuation_ppb(&with(0, 8, 100)) < valuation_ppb(&with(0, 0, 100)));
		let mut flagged = with(100, 0, 10_000);
		flagged.flagged = true;
		assert_eq!(valuation_ppb(&flagged), 0);
		let mut deleted = with(100, 0, 10_000);
		deleted.status = "deleted".into();
		assert_eq!(valuation_ppb(&deleted), 0);
	}
}
