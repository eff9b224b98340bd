//! The indexer's OpenAPI document, served at `GET /openapi.json` and committed as
//! `docs/openapi/indexer.json` (the tests below fail when it and the router differ).

use paratii_client::{
	openapi::Document,
	wire::{IndexedMedia, MediaPage, SearchResults},
};
use serde_json::{json, Value};

/// The filters `/search` and `/media` share.
fn filters(op: paratii_client::openapi::Operation<'_>) -> paratii_client::openapi::Operation<'_> {
	op.query_enum("kind", &["picture", "video", "other"], "Only media of this kind")
		.query_enum("price", &["free", "paid"], "Only free or only priced media")
		.query("owner", "Only this owner's media (SS58 or 0x hex)")
		.query("from", "Registered from this time: Unix milliseconds or YYYY-MM-DD (UTC)")
		.query(
			"to",
			"Registered up to this time: Unix milliseconds or YYYY-MM-DD (UTC, the whole day)",
		)
		.query("bbox", "Only media placed inside `min_lat,min_lon,max_lat,max_lon` (degrees)")
		.query("limit", "Page size, 1..=100 (20)")
}

/// The indexer's document.
pub fn document() -> Value {
	let mut doc = Document::new(
		"Paratii indexer",
		"Search and browse the media the chain has finalized: titles with typo tolerance \
		 and prefix matching, owners' display names, filters, facets, sorts and the \
		 catalogue's pages.",
	);
	filters(doc.operation("get", "/search", "Search media (or browse, with no words)"))
		.query("q", "The words (at most 200 characters, 16 words); empty: browse")
		.query_enum(
			"sort",
			&["relevance", "newest", "most_viewed", "most_liked", "price_asc", "price_desc"],
			"The order (relevance with words, newest without)",
		)
		.query("offset", "Matches to skip, 0..=10000")
		.query_enum(
			"facets",
			&["true", "false"],
			"Count the matches by kind, price, year and owner",
		)
		.json::<SearchResults>(200, "One page of hits, each with its highlighted title")
		.errors(&[(400, "A parameter is malformed; the answer says which")])
		.add();
	filters(doc.operation("get", "/media", "The catalogue, page by page"))
		.query_enum("order", &["newest", "most_liked", "most_viewed"], "The order (newest)")
		.query("cursor", "The `next_cursor` of the page before")
		.json::<MediaPage>(200, "One page of media")
		.errors(&[(400, "A parameter is malformed; the answer says which")])
		.add();
	doc.operation("get", "/media/:id", "One media item as indexed")
		.path_param("id", "The media id")
		.json::<IndexedMedia>(200, "The item")
		.errors(&[(400, "Not a media id"), (404, "Not in the index (yet)")])
		.add();
	doc.operation(
		"get",
		"/media/:id/valuation",
		"What a view of the item is worth to an advertiser",
	)
	.description(
		"The public valuation the reference bidder's `--valuation` hook asks: \
			 `factor_ppb` (parts per billion of a full bid) = approval × reach, approval \
			 (likes + 1) / (likes + dislikes + 2), reach ½ + ½ · views / (views + 100); \
			 0 for a flagged or deleted item.",
	)
	.path_param("id", "The media id")
	.json_value(
		200,
		"The factor and what it was computed from",
		json!({"type": "object", "properties": {
			"media": {"type": "integer"},
			"factor_ppb": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000},
			"views": {"type": "integer"},
			"likes": {"type": "integer"},
			"dislikes": {"type": "integer"},
			"flagged": {"type": "boolean"},
			"indexed_at": {"type": "integer"},
		}}),
	)
	.errors(&[(400, "Not a media id"), (404, "Not in the index (yet)")])
	.add();
	doc.operation("get", "/health", "How far the index is")
		.json_value(
			200,
			"`status` is `ok` once caught up with the finalized chain, else `catching up`",
			json!({"type": "object", "properties": {
				"status": {"type": "string"},
				"indexed_block": {"type": "integer"},
				"finalized_block": {"type": "integer"},
				"media": {"type": "integer"},
			}}),
		)
		.add();
	doc.finish()
}

#[cfg(test)]
mod tests {
	use super::*;
	use paratii_client::openapi::{check_committed, operations, routes_in_source};

	#[test]
	fn the_document_lists_every_route_and_no_other() {
		assert_eq!(operations(&document()), routes_in_source(include_str!("api.rs"), "router"));
	}

	#[test]
	fn the_committed_documents_are_the_served_ones() {
		let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
			.join("../../docs/openapi/indexer.json");
		check_committed(&document(), &path);
	}
}
