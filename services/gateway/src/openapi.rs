//! The gateway's OpenAPI documents, one per role, served at `GET /openapi.json` and
//! committed as `docs/openapi/gateway-upload.json` and `gateway-download.json` (the
//! tests below fail when they and the routers differ).

use paratii_client::{
	openapi::{Document, Operation},
	wire::{JobAccepted, JobStatus, MediaLink, MediaProof, UploadResponse},
};
use serde_json::{json, Value};

const SESSION: &str = "A viewer session, `<SS58>.<expires_ms>.<sr25519 signature hex>` over \
	`(\"paratii/session/v1\", genesis_hash, expires_ms u64 LE)`, as signed or as `signRaw` \
	wraps it in `<Bytes>…</Bytes>` (see paratii_client::session).";
const VOUCHER: &str = "A pay-as-you-watch voucher, `{channel}:{cumulative}:{sr25519 signature \
	hex}` by the channel's signer over `(\"paratii/micropay/v1\", genesis_hash, channel u64, media \
	u64, cumulative u128)` SCALE (see paratii_client::micropay).";
const LINK: &str = "A link token from `POST /media/{id}/link`, for URLs a header cannot \
	go with (`<video src>`, `<img src>`).";

fn health(doc: &mut Document) {
	doc.operation("get", "/health", "Whether the gateway reaches the chain")
		.json_value(
			200,
			"`status` is `ok` or `chain unreachable`; `finalized_block` the last the node \
			 finalized; `followed_block` the finalized block downloads read the chain at (a \
			 price, purchase or deletion applies from the moment it gets there)",
			json!({"type": "object", "properties": {
				"status": {"type": "string"}, "finalized_block": {"type": "string"},
				"followed_block": {"type": "string"},
			}}),
		)
		.add();
	doc.operation("get", "/metrics", "Prometheus metrics")
		.bytes(200, "text/plain", "The text exposition format")
		.add();
}

/// The upload role's document.
pub fn upload() -> Value {
	let mut doc = Document::new(
		"Paratii gateway — upload role",
		"Uploads media files: each is checked, stored on the storage clusters the chain's \
		 ring places it on, and answered with the clusters' receipts and the \
		 `media.registerMedia` call the owner signs. Videos are transcoded by a job first.",
	);
	doc.operation("post", "/uploads", "Upload a media file")
		.description(
			"The owner signs `(\"paratii/upload/v1\", genesis_hash, sha256(file), expires u64 LE)` \
			 with sr25519 (or `signRaw`'s `<Bytes>` form). Text fields must come before the file \
			 and are refused past 1 KiB.",
		)
		.multipart(
			&[
				("title", "The title (at most media.MaxTitleLen bytes)", false),
				("owner", "The owner's account, SS58 or 0x hex", false),
				("expires", "Unix milliseconds the signature is valid until (at most an hour ahead)", false),
				("signature", "The owner's upload signature, 0x hex", false),
				("location", "`lat,lon` in decimal degrees", false),
				("captured_at", "Unix milliseconds", false),
				("file", "The media file (a picture or a video)", true),
			],
			&["title", "owner", "expires", "signature", "file"],
		)
		.json::<UploadResponse>(201, "A picture (or another file): stored, with the call to sign")
		.json::<JobAccepted>(202, "A video: transcoding; follow the job")
		.errors(&[
			(400, "A field is missing, malformed or too long, or the file is not an allowed type"),
			(401, "The upload is not signed by its owner, or the signature expired"),
			(413, "The file is larger than the gateway takes"),
			(503, "Too many uploads at once, or too many videos queued; retry later"),
		])
		.add();
	doc.operation("get", "/jobs/:id", "A video upload's transcoding job")
		.path_param("id", "The job id from the 202 answer")
		.json::<JobStatus>(200, "Where the job is; when done, `result` is the upload's answer")
		.errors(&[(404, "No such job (finished jobs are kept a day)")])
		.add();
	tus(&mut doc);
	health(&mut doc);
	doc.finish()
}

/// The resumable uploads (tus 1.0: core, creation, termination).
fn tus(doc: &mut Document) {
	const TUS: &str = "`1.0.0`: the tus protocol version (required)";
	doc.operation("post", "/tus", "Open a resumable upload (tus creation)")
		.description(
			"`Upload-Metadata` carries the upload's fields base64-encoded (`title`, `owner`, \
			 `expires`, `signature`, optional `location`, `captured_at`) and `sha256`, the \
			 file's SHA-256 (hex) that the owner signed; the claim is checked before any byte \
			 is taken. `OPTIONS /tus` answers 204 with `Tus-Version`, `Tus-Extension: \
			 creation,termination` and `Tus-Max-Size`.",
		)
		.header("tus-resumable", TUS)
		.header("upload-length", "The file's size in bytes (required)")
		.header("upload-metadata", "`key base64,key base64,…` (at most 8 KiB)")
		.empty(201, "Opened: `Location: /tus/{id}`")
		.errors(&[
			(400, "A header or field is missing or malformed"),
			(401, "The owner did not sign this SHA-256, or the signature expired"),
			(403, "The owner is not a registered user"),
			(412, "Another tus version"),
			(413, "The file is larger than the gateway takes"),
			(503, "Too many uploads are open"),
		])
		.add();
	doc.operation("head", "/tus/:id", "How many bytes the gateway has (tus core)")
		.path_param("id", "The upload's id (from `Location`)")
		.empty(200, "`Upload-Offset` and `Upload-Length`")
		.errors(&[(404, "No such upload, or it expired")])
		.add();
	doc.operation("patch", "/tus/:id", "Append bytes at `Upload-Offset` (tus core)")
		.description(
			"The body is `application/offset+octet-stream`. The PATCH that completes the file \
			 checks its SHA-256 against the signed one and takes it as `POST /uploads` does; \
			 the outcome is at `GET /tus/{id}/result`.",
		)
		.path_param("id", "The upload's id")
		.header("tus-resumable", TUS)
		.header("upload-offset", "Where these bytes start: the gateway's `Upload-Offset`")
		.empty(204, "Appended: the new `Upload-Offset`")
		.errors(&[
			(400, "More bytes than `Upload-Length`"),
			(404, "No such upload, or it expired"),
			(409, "`Upload-Offset` is not the gateway's, another request is writing, or it is complete"),
			(415, "Not `application/offset+octet-stream`"),
		])
		.add();
	doc.operation("delete", "/tus/:id", "Drop an upload (tus termination)")
		.path_param("id", "The upload's id")
		.header("tus-resumable", TUS)
		.empty(204, "Dropped")
		.errors(&[(404, "No such upload")])
		.add();
	doc.operation("get", "/tus/:id/result", "A complete resumable upload's outcome")
		.path_param("id", "The upload's id")
		.json::<UploadResponse>(201, "A picture (or another file): stored, with the call to sign")
		.json::<JobAccepted>(202, "A video: transcoding; follow the job")
		.errors(&[
			(404, "No such upload, or it expired"),
			(409, "Not complete yet"),
			(422, "The bytes sent are not the file whose SHA-256 was signed"),
		])
		.add();
}

/// The download role's document.
pub fn download() -> Value {
	let mut doc = Document::new(
		"Paratii gateway — download role",
		"Serves media verified against the chain's record: originals, thumbnails, HLS \
		 streams, IPFS paths and proofs of existence. Priced items' originals need a session \
		 or link of their owner or a buyer; views are counted for signed viewer sessions.",
	);
	fn object<'a>(
		doc: &'a mut Document,
		method: &'static str,
		route: &'static str,
		summary: &str,
	) -> Operation<'a> {
		doc.operation(method, route, summary)
			.path_param("id", "The media id")
			.header("x-paratii-session", SESSION)
			.query("link", LINK)
			.header("range", "A byte range (RFC 9110)")
			.header("if-none-match", "The object's CID: answered 304 without a transfer")
			.bytes(200, "*/*", "The object, verified")
			.bytes(206, "*/*", "The range asked for")
			.empty(304, "The client holds it")
			.errors(&[
				(401, "A priced item without a session or link"),
				(403, "The session's account has not bought it"),
				(404, "No such media item or object"),
				(410, "The media item was deleted"),
				(502, "No cluster holding it sent the recorded bytes"),
			])
	}
	object(&mut doc, "get", "/media/:id", "A media item's original").add();
	object(&mut doc, "head", "/media/:id", "The original's headers, from the chain's record").add();
	object(&mut doc, "get", "/media/:id/objects/:index", "One object of a media item")
		.path_param("index", "Its place in the record's objects (0 is the original)")
		.add();
	object(&mut doc, "head", "/media/:id/objects/:index", "An object's headers")
		.path_param("index", "Its place in the record's objects (0 is the original)")
		.add();
	doc.operation("get", "/media/:id/proof", "A media item's proof of existence")
		.path_param("id", "The media id")
		.json::<MediaProof>(
			200,
			"The record, each cluster's receipt checked, and the Ethereum anchor",
		)
		.errors(&[(404, "No such media item")])
		.add();
	doc.operation("post", "/media/:id/link", "A URL that opens the item for this viewer")
		.path_param("id", "The media id")
		.header("x-paratii-session", SESSION)
		.json::<MediaLink>(200, "The link, valid ten minutes")
		.errors(&[
			(401, "No session, or an invalid one"),
			(403, "The session's account may not open this item"),
			(404, "No such media item"),
		])
		.add();
	for method in ["get", "head"] {
		doc.operation(method, "/ipfs/:cid", "An object by its CID (an IPFS path gateway)")
			.path_param("cid", "The CIDv1 (raw codec, sha2-256)")
			.query_enum(
				"format",
				&["raw"],
				"`raw`: the raw block (as `Accept: application/vnd.ipld.raw`)",
			)
			.header("x-paratii-session", SESSION)
			.query("link", LINK)
			.bytes(200, "*/*", "The object, verified")
			.errors(&[(400, "Not a CID the chain can record"), (404, "No media item has it")])
			.add();
	}
	doc.operation("get", "/media/:id/hls/master.m3u8", "A video's HLS master playlist")
		.path_param("id", "The media id")
		.query("link", LINK)
		.bytes(200, "application/vnd.apple.mpegurl", "One variant per rendition")
		.errors(&[(404, "No such video")])
		.add();
	for method in ["get", "head"] {
		doc.operation(
			method,
			"/media/:id/hls/:label/:file",
			"A rendition's playlist, init section or segment",
		)
		.path_param("id", "The media id")
		.path_param("label", "The rendition (`240p`, `480p`, `720p`)")
		.path_param(
			"file",
			"`index.m3u8`, `init-{n}.mp4`, `{n}.m4s`, or `prices.json` (a video priced per \
			 minute: what each segment costs, as `SegmentPrices`)",
		)
		.header("x-paratii-session", SESSION)
		.header("x-paratii-voucher", VOUCHER)
		.query("link", LINK)
		.bytes(
			200,
			"*/*",
			"Verified against the rendition manifest the chain commits to; a paid segment's \
			 `x-paratii-paid` is the item's voucher now held",
		)
		.errors(&[
			(400, "A voucher header that does not parse"),
			(401, "A priced video's segment past the preview, without a session or link"),
			(
				402,
				"A video priced per minute: no voucher, or one refused (the error says why; \
				 `x-paratii-price` the segment's price, `x-paratii-paid` the voucher held)",
			),
			(403, "The session's account has not bought it"),
			(404, "No such rendition or piece"),
		])
		.add();
	}
	doc.operation("get", "/micropay", "The hub's terms for pay-as-you-watch channels")
		.json::<paratii_client::micropay::HubInfo>(200, "The hub account and its terms")
		.errors(&[(404, "This gateway takes no pay-as-you-watch payments")])
		.add();
	doc.operation("get", "/micropay/channels/:id", "The vouchers the hub holds of a channel")
		.path_param("id", "The channel id")
		.json::<paratii_client::micropay::HeldVouchers>(200, "The highest voucher per item")
		.errors(&[(404, "This gateway takes no pay-as-you-watch payments")])
		.add();
	doc.operation("get", "/ads/vast", "The VAST tag of a pre-roll: the ad auction's winner")
		.query("media", "The media id the ad plays before")
		.header("x-paratii-session", SESSION)
		.query("link", LINK)
		.bytes(
			200,
			"application/xml",
			"VAST 4.2: one InLine ad (its `paratii` extension says what the viewer signs for \
			 the View), or no Ad (and `x-paratii-no-ad` says why)",
		)
		.errors(&[
			(401, "An invalid session or link"),
			(404, "No such media item"),
			(410, "The media item was deleted"),
		])
		.add();
	doc.operation("get", "/ads/views", "The channel block to sign an impression's View for")
		.query("impression", "The VAST Ad id")
		.json::<paratii_client::adx::ViewBlock>(200, "The campaign and block")
		.errors(&[
			(404, "The impression was not sold to a viewer here (or its View came already)"),
			(502, "The exchange's channel node did not answer"),
		])
		.add();
	doc.operation("post", "/ads/views", "The viewer's signed View of an ad it was sold")
		.json_body::<paratii_client::adx::ViewRecord>()
		.empty(202, "Kept for the exchange's channel node")
		.errors(&[
			(400, "Not the viewer's signature over this impression's View"),
			(404, "The impression was not sold to a viewer here (or its View came already)"),
			(409, "Not the block the channel node takes: ask GET /ads/views again"),
		])
		.add();
	doc.operation("get", "/ads/events/:impression/:event", "A VAST tracker")
		.path_param("impression", "The VAST Ad id")
		.path_param(
			"event",
			"`impression`, `start`, `firstQuartile`, `midpoint`, `thirdQuartile`, `complete`",
		)
		.empty(204, "Counted")
		.errors(&[(404, "No such event")])
		.add();
	health(&mut doc);
	doc.finish()
}

#[cfg(test)]
mod tests {
	use super::*;
	use paratii_client::openapi::{check_committed, operations, routes_in_source};
	use std::path::Path;

	fn committed(name: &str) -> std::path::PathBuf {
		Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi").join(name)
	}

	#[test]
	fn the_documents_list_every_route_and_no_other() {
		let source = include_str!("main.rs");
		assert_eq!(operations(&upload()), routes_in_source(source, "upload_router"));
		assert_eq!(operations(&download()), routes_in_source(source, "download_router"));
	}

	#[test]
	fn the_committed_documents_are_the_served_ones() {
		check_committed(&upload(), &committed("gateway-upload.json"));
		check_committed(&download(), &committed("gateway-download.json"));
	}
}
