//! Signed requests: what an account signs to upload as itself, and what a gateway signs
//! to talk to a storage cluster.
//!
//! Every signature here is sr25519 over a message that opens with a domain tag and the
//! chain's genesis hash, so a signature made for one purpose or one chain is worthless
//! for another, and carries a short expiry. Wallets such as the polkadot.js extension
//! sign "raw" data wrapped as `<Bytes>` + data + `</Bytes>`; [`verify_sr25519`] takes
//! a signature over the message itself or over its wrapped form, so the same request
//! can come from a CLI key or from a browser wallet.
//!
//! - **Uploads** ([`upload_message`]): `(b"paratii/upload/v1", genesis_hash,
//!   content_hash, expires_ms u64 LE)`, 89 bytes, signed by the owner the upload names;
//!   the gateway refuses an upload whose owner did not sign its file's hash.
//! - **Gateway requests** ([`gateway_request_message`]): `(b"paratii/cluster/v1",
//!   genesis_hash, method, path, owner, expires_ms)` SCALE-encoded (method and path
//!   length-prefixed, owner an `Option` of 32 bytes), signed by a gateway whose key the
//!   cluster trusts, sent as the `x-paratii-gateway`, `x-paratii-expires` and
//!   `x-paratii-signature` headers; clusters answer object requests only to them.

use crate::AccountId;
use codec::Encode;
use sp_core::{sr25519, Pair};

/// The longest an upload signature may live.
pub const MAX_UPLOAD_SIGNATURE_LIFETIME_MS: u64 = 60 * 60 * 1000;
/// The longest a gateway's request signature may live.
pub const MAX_REQUEST_SIGNATURE_LIFETIME_MS: u64 = 5 * 60 * 1000;

/// The tag that opens every upload message.
pub const UPLOAD_TAG: &[u8; 17] = b"paratii/upload/v1";
/// The tag that opens every gateway request message.
pub const GATEWAY_REQUEST_TAG: &[u8; 18] = b"paratii/cluster/v1";

/// The header naming the gateway's account (`0x` hex).
pub const GATEWAY_HEADER: &str = "x-paratii-gateway";
/// The header with the request signature's expiry (Unix milliseconds).
pub const EXPIRES_HEADER: &str = "x-paratii-expires";
/// The header with the request signature (`0x` hex).
pub const SIGNATURE_HEADER: &str = "x-paratii-signature";

/// Whether `signature` is `account`'s sr25519 signature of `message`, or of `message`
/// wrapped in `<Bytes>…</Bytes>` as browser wallets sign raw data.
pub fn verify_sr25519(account: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
	let public = sr25519::Public::from_raw(*account);
	let signature = sr25519::Signature::from_raw(*signature);
	if sr25519::Pair::verify(&signature, message, &public) {
		return true;
	}
	let mut wrapped = Vec::with_capacity(message.len() + 15);
	wrapped.extend_from_slice(b"<Bytes>");
	wrapped.extend_from_slice(message);
	wrapped.extend_from_slice(b"</Bytes>");
	sr25519::Pair::verify(&signature, &wrapped, &public)
}

/// Parses a 64-byte signature given as hex (with or without `0x`).
pub fn parse_signature(hex_signature: &str) -> Option<[u8; 64]> {
	hex::decode(hex_signature.trim().trim_start_matches("0x")).ok()?.try_into().ok()
}

/// Why a signed request is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SignatureError {
	Malformed(&'static str),
	Expired,
	TooLong { max_ms: u64 },
	BadSignature,
}

impl std::fmt::Display for SignatureError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Malformed(why) => write!(f, "malformed signature: {why}"),
			Self::Expired => write!(f, "the signature has expired: sign again"),
			Self::TooLong { max_ms } => {
				write!(f, "the signature lives longer than {} minutes", max_ms / 60_000)
			},
			Self::BadSignature => write!(f, "the signature is not the named account's"),
		}
	}
}

/// Checks that `expires_ms` is in the future but no further than `max_ms`.
pub fn check_expiry(expires_ms: u64, now_ms: u64, max_ms: u64) -> Result<(), SignatureError> {
	if expires_ms <= now_ms {
		return Err(SignatureError::Expired);
	}
	if expires_ms - now_ms > max_ms {
		return Err(SignatureError::TooLong { max_ms });
	}
	Ok(())
}

/// The bytes an owner signs to upload the file with SHA-256 `content_hash` until
/// `expires_ms`.
pub fn upload_message(genesis: &[u8; 32], content_hash: &[u8; 32], expires_ms: u64) -> Vec<u8> {
	[UPLOAD_TAG.as_slice(), genesis, content_hash, &expires_ms.to_le_bytes()].concat()
}

/// `key`'s upload signature, `0x` hex.
pub fn sign_upload(
	key: &subxt_signer::sr25519::Keypair,
	genesis: &[u8; 32],
	content_hash: &[u8; 32],
	expires_ms: u64,
) -> String {
	format!("0x{}", hex::encode(key.sign(&upload_message(genesis, content_hash, expires_ms)).0))
}

/// Checks an upload's signature by `owner` over `content_hash` at `now_ms`.
pub fn verify_upload(
	owner: &AccountId,
	genesis: &[u8; 32],
	content_hash: &[u8; 32],
	expires_ms: u64,
	signature: &str,
	now_ms: u64,
) -> Result<(), SignatureError> {
	let signature = parse_signature(signature)
		.ok_or(SignatureError::Malformed("the signature is not 64 bytes of hex"))?;
	check_expiry(expires_ms, now_ms, MAX_UPLOAD_SIGNATURE_LIFETIME_MS)?;
	if !verify_sr25519(&owner.0, &upload_message(genesis, content_hash, expires_ms), &signature) {
		return Err(SignatureError::BadSignature);
	}
	Ok(())
}

/// The bytes a gateway signs for `method path` (for `owner`, on a `PUT`) until
/// `expires_ms`.
pub fn gateway_request_message(
	genesis: &[u8; 32],
	method: &str,
	path: &str,
	owner: Option<&[u8; 32]>,
	expires_ms: u64,
) -> Vec<u8> {
	(GATEWAY_REQUEST_TAG, genesis, method.as_bytes(), path.as_bytes(), owner, expires_ms).encode()
}

/// The headers that sign a gateway's request to a cluster, valid for a minute.
pub fn gateway_request_headers(
	key: &subxt_signer::sr25519::Keypair,
	genesis: &[u8; 32],
	method: &str,
	path: &str,
	owner: Option<&[u8; 32]>,
) -> [(&'static str, String); 3] {
	let expires = crate::unix_millis() + 60_000;
	let message = gateway_request_message(genesis, method, path, owner, expires);
	[
		(GATEWAY_HEADER, format!("0x{}", hex::encode(key.public_key().0))),
		(EXPIRES_HEADER, expires.to_string()),
		(SIGNATURE_HEADER, format!("0x{}", hex::encode(key.sign(&message).0))),
	]
}

/// `request` with [`gateway_request_headers`] added: signed by `key` for `method`, `path`
/// (with its query) and `owner`.
pub fn sign_request(
	request: reqwest::RequestBuilder,
	key: &subxt_signer::sr25519::Keypair,
	genesis: &[u8; 32],
	method: &str,
	path: &str,
	owner: Option<&[u8; 32]>,
) -> reqwest::RequestBuilder {
	gateway_request_headers(key, genesis, method, path, owner)
		.into_iter()
		.fold(request, |request, (name, value)| request.header(name, value))
}

/// [`verify_gateway_request`] of a request as a server received it: `method`, the path
/// and query as sent, its headers, now. The signer it names (which the caller then checks
/// against the keys it trusts, or against the chain).
pub fn verify_request(
	genesis: &[u8; 32],
	method: &str,
	uri: &axum::http::Uri,
	owner: Option<&[u8; 32]>,
	headers: &axum::http::HeaderMap,
) -> Result<[u8; 32], SignatureError> {
	let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
	let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(String::from);
	verify_gateway_request(genesis, method, path, owner, header, crate::unix_millis())
}

/// Checks a gateway's request signature: the gateway it names (which the caller then
/// checks against the keys it trusts).
pub fn verify_gateway_request(
	genesis: &[u8; 32],
	method: &str,
	path: &str,
	owner: Option<&[u8; 32]>,
	header: impl Fn(&str) -> Option<String>,
	now_ms: u64,
) -> Result<[u8; 32], SignatureError> {
	let gateway: [u8; 32] = header(GATEWAY_HEADER)
		.and_then(|g| hex::decode(g.trim().trim_start_matches("0x")).ok())
		.and_then(|g| g.try_into().ok())
		.ok_or(SignatureError::Malformed("x-paratii-gateway is not 32 bytes of hex"))?;
	let expires: u64 = header(EXPIRES_HEADER)
		.and_then(|e| e.trim().parse().ok())
		.ok_or(SignatureError::Malformed("x-paratii-expires is not Unix milliseconds"))?;
	let signature = header(SIGNATURE_HEADER)
		.as_deref()
		.and_then(parse_signature)
		.ok_or(SignatureError::Malformed("x-paratii-signature is not 64 bytes of hex"))?;
	check_expiry(expires, now_ms, MAX_REQUEST_SIGNATURE_LIFETIME_MS)?;
	let message = gateway_request_message(genesis, method, path, owner, expires);
	if !verify_sr25519(&gateway, &message, &signature) {
		return Err(SignatureError::BadSignature);
	}
	Ok(gateway)
}

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: [u8; 32] = [7; 32];

	#[test]
	fn uploads_verify_for_their_owner_file_chain_and_time_only() {
		let bob = crate::keys::account_key("//Bob").unwrap();
		let bob_id = bob.public_key().to_account_id();
		let sig = sign_upload(&bob, &GENESIS, &[1; 32], 10_000);
		assert_eq!(verify_upload(&bob_id, &GENESIS, &[1; 32], 10_000, &sig, 9_000), Ok(()));
		// Another file, chain, expiry or owner.
		let bad = Err(SignatureError::BadSignature);
		assert_eq!(verify_upload(&bob_id, &GENESIS, &[2; 32], 10_000, &sig, 9_000), bad);
		assert_eq!(verify_upload(&bob_id, &[8; 32], &[1; 32], 10_000, &sig, 9_000), bad);
		assert_eq!(verify_upload(&bob_id, &GENESIS, &[1; 32], 10_001, &sig, 9_000), bad);
		let alice = crate::keys::account_key("//Alice").unwrap().public_key().to_account_id();
		assert_eq!(verify_upload(&alice, &GENESIS, &[1; 32], 10_000, &sig, 9_000), bad);
		assert_eq!(
			verify_upload(&bob_id, &GENESIS, &[1; 32], 10_000, &sig, 10_000),
			Err(SignatureError::Expired)
		);
		let long = 10_000 + MAX_UPLOAD_SIGNATURE_LIFETIME_MS;
		let sig = sign_upload(&bob, &GENESIS, &[1; 32], long);
		assert!(matches!(
			verify_upload(&bob_id, &GENESIS, &[1; 32], long, &sig, 9_999),
			Err(SignatureError::TooLong { .. })
		));
		assert!(matches!(
			verify_upload(&bob_id, &GENESIS, &[1; 32], 10_000, "0x12", 9_000),
			Err(SignatureError::Malformed(_))
		));
	}

	#[test]
	fn a_browser_wallets_bytes_wrapping_is_accepted() {
		let bob = crate::keys::account_key("//Bob").unwrap();
		let message = upload_message(&GENESIS, &[1; 32], 10_000);
		let wrapped = [b"<Bytes>".as_slice(), &message, b"</Bytes>"].concat();
		let sig = format!("0x{}", hex::encode(bob.sign(&wrapped).0));
		let bob_id = bob.public_key().to_account_id();
		assert_eq!(verify_upload(&bob_id, &GENESIS, &[1; 32], 10_000, &sig, 9_000), Ok(()));
		// Wrapped another way, it is not.
		let other = [b"<Bytes>".as_slice(), &message].concat();
		let sig = format!("0x{}", hex::encode(bob.sign(&other).0));
		assert_eq!(
			verify_upload(&bob_id, &GENESIS, &[1; 32], 10_000, &sig, 9_000),
			Err(SignatureError::BadSignature)
		);
	}

	#[test]
	fn gateway_requests_bind_the_method_path_and_owner() {
		let gateway = crate::keys::account_key("//Gateway").unwrap();
		let owner = [3u8; 32];
		let headers =
			gateway_request_headers(&gateway, &GENESIS, "PUT", "/objects/ab", Some(&owner));
		let header = |h: &[(&'static str, String); 3]| {
			let h = h.clone();
			move |name: &str| h.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
		};
		let now = crate::unix_millis();
		let check = |method, path, owner: Option<&[u8; 32]>| {
			verify_gateway_request(&GENESIS, method, path, owner, header(&headers), now)
		};
		assert_eq!(check("PUT", "/objects/ab", Some(&owner)), Ok(gateway.public_key().0));
		let bad = Err(SignatureError::BadSignature);
		assert_eq!(check("GET", "/objects/ab", Some(&owner)), bad);
		assert_eq!(check("PUT", "/objects/cd", Some(&owner)), bad);
		assert_eq!(check("PUT", "/objects/ab", Some(&[4; 32])), bad);
		assert_eq!(check("PUT", "/objects/ab", None), bad);
		// Expired a minute later.
		assert_eq!(
			verify_gateway_request(
				&GENESIS,
				"PUT",
				"/objects/ab",
				Some(&owner),
				header(&headers),
				now + 60_001
			),
			Err(SignatureError::Expired)
		);
		assert!(matches!(
			verify_gateway_request(&GENESIS, "PUT", "/objects/ab", None, |_| None, now),
			Err(SignatureError::Malformed(_))
		));
	}
}
