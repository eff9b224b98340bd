//! Viewer sessions and media links: who is watching, for view counting and for paid
//! originals, without a token in a URL and without a wallet prompt per item.
//!
//! - **A session** is one signature by the viewer's sr25519 key (a CLI key, or the
//!   polkadot.js extension's `signRaw`, which signs the message wrapped in
//!   `<Bytes>…</Bytes>`; both verify) over `(b"paratii/session/v1", genesis_hash,
//!   expires_ms u64 LE)` — 58 bytes — valid for up to [`MAX_SESSION_LIFETIME_MS`]
//!   (twelve hours). The token is `<SS58 account>.<expires_ms>.<signature hex>`, sent
//!   in the `X-Paratii-Session` header (`fetch`, hls.js's `xhrSetup`), never in a URL.
//! - **A link** is what a `<video src>` or `<img src>` can carry instead of a header:
//!   the gateway, asked with a session (`POST /media/{id}/link`), signs with its own
//!   key `(b"paratii/link/v1", genesis_hash, media_id u64 LE, viewer, expires_ms u64
//!   LE)` for [`LINK_LIFETIME_MS`] (ten minutes) and answers the URL
//!   `…?link=<viewer hex>.<expires_ms>.<signature hex>`. A link opens one media item
//!   for one viewer; a player renews it while playing. One that leaks into a log or a
//!   `Referer` is worth minutes of one item.

use crate::{signed::verify_sr25519, AccountId, MediaId};

/// The tag that starts every session message.
pub const SESSION_TAG: &[u8; 18] = b"paratii/session/v1";
/// The tag that starts every link message.
pub const LINK_TAG: &[u8; 15] = b"paratii/link/v1";
/// The longest a session may live.
pub const MAX_SESSION_LIFETIME_MS: u64 = 12 * 60 * 60 * 1000;
/// How long a link lives.
pub const LINK_LIFETIME_MS: u64 = 10 * 60 * 1000;
/// The header that carries a session.
pub const SESSION_HEADER: &str = "x-paratii-session";

/// The bytes a viewer signs to open a session until `expires_ms`.
pub fn session_message(genesis: &[u8; 32], expires_ms: u64) -> Vec<u8> {
	[SESSION_TAG.as_slice(), genesis, &expires_ms.to_le_bytes()].concat()
}

/// A session of `key`'s account until `expires_ms`.
pub fn session(
	key: &subxt_signer::sr25519::Keypair,
	genesis: &[u8; 32],
	expires_ms: u64,
) -> String {
	let signature = key.sign(&session_message(genesis, expires_ms));
	format!("{}.{expires_ms}.{}", key.public_key().to_account_id(), hex::encode(signature.0))
}

/// Why a session or a link is not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
	Malformed(&'static str),
	Expired,
	TooLong,
	BadSignature,
	OtherMedia,
}

impl std::fmt::Display for TokenError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Malformed(why) => write!(f, "the session or link is malformed: {why}"),
			Self::Expired => write!(f, "the session or link has expired: sign or ask again"),
			Self::TooLong => write!(
				f,
				"the session lives longer than {} hours",
				MAX_SESSION_LIFETIME_MS / 3_600_000
			),
			Self::BadSignature => write!(f, "the signature is not the named account's"),
			Self::OtherMedia => {
				write!(f, "the link is not this gateway's for this media item and viewer")
			},
		}
	}
}

/// `<account>.<expires_ms>.<64-byte signature hex>`, its account parsed and its expiry
/// checked against `now_ms` and the longest life `max_ms`.
fn parts(token: &str, now_ms: u64, max_ms: u64) -> Result<(AccountId, u64, [u8; 64]), TokenError> {
	let mut parts = token.trim().splitn(3, '.');
	let (Some(account), Some(expires), Some(signature)) =
		(parts.next(), parts.next(), parts.next())
	else {
		return Err(TokenError::Malformed("expected <account>.<expires_ms>.<signature>"));
	};
	let expires: u64 =
		expires.parse().map_err(|_| TokenError::Malformed("the expiry is not a number"))?;
	let signature = crate::signed::parse_signature(signature)
		.ok_or(TokenError::Malformed("the signature is not 64 bytes of hex"))?;
	let account =
		crate::parse_account(account).map_err(|_| TokenError::Malformed("not an account"))?;
	if expires <= now_ms {
		return Err(TokenError::Expired);
	}
	if expires - now_ms > max_ms {
		return Err(TokenError::TooLong);
	}
	Ok((account, expires, signature))
}

/// Checks a session at `now_ms`: the viewer's account.
pub fn verify_session(
	token: &str,
	genesis: &[u8; 32],
	now_ms: u64,
) -> Result<AccountId, TokenError> {
	verify_session_until(token, genesis, now_ms).map(|(account, _)| account)
}

/// Checks a session at `now_ms`: the viewer's account and when the session expires.
pub fn verify_session_until(
	token: &str,
	genesis: &[u8; 32],
	now_ms: u64,
) -> Result<(AccountId, u64), TokenError> {
	let (account, expires, signature) = parts(token, now_ms, MAX_SESSION_LIFETIME_MS)?;
	if !verify_sr25519(&account.0, &session_message(genesis, expires), &signature) {
		return Err(TokenError::BadSignature);
	}
	Ok((account, expires))
}

/// The bytes a gateway signs to link `viewer` to `media_id` until `expires_ms`.
pub fn link_message(
	genesis: &[u8; 32],
	media_id: MediaId,
	viewer: &AccountId,
	expires_ms: u64,
) -> Vec<u8> {
	[LINK_TAG.as_slice(), genesis, &media_id.to_le_bytes(), &viewer.0, &expires_ms.to_le_bytes()]
		.concat()
}

/// A link token for `viewer` and `media_id`, signed by the gateway's `key`, from `now_ms`.
pub fn link(
	key: &subxt_signer::sr25519::Keypair,
	genesis: &[u8; 32],
	media_id: MediaId,
	viewer: &AccountId,
	now_ms: u64,
) -> (String, u64) {
	let expires = now_ms + LINK_LIFETIME_MS;
	let signature = key.sign(&link_message(genesis, media_id, viewer, expires));
	(format!("0x{}.{expires}.{}", hex::encode(viewer.0), hex::encode(signature.0)), expires)
}

/// Checks a link for `media_id` signed by the gateway key `gateway`: the viewer.
pub fn verify_link(
	token: &str,
	gateway: &[u8; 32],
	genesis: &[u8; 32],
	media_id: MediaId,
	now_ms: u64,
) -> Result<AccountId, TokenError> {
	let (viewer, expires, signature) = parts(token, now_ms, LINK_LIFETIME_MS)?;
	if !verify_sr25519(gateway, &link_message(genesis, media_id, &viewer, expires), &signature) {
		return Err(TokenError::OtherMedia);
	}
	Ok(viewer)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn sessions_verify_for_their_chain_and_time_only() {
		let key = crate::keys::account_key("//Bob").unwrap();
		let genesis = [7u8; 32];
		let t = session(&key, &genesis, 10_000);
		assert_eq!(verify_session(&t, &genesis, 9_000), Ok(key.public_key().to_account_id()));
		assert_eq!(verify_session(&t, &[8u8; 32], 9_000), Err(TokenError::BadSignature));
		assert_eq!(verify_session(&t, &genesis, 10_000), Err(TokenError::Expired));
		let long = session(&key, &genesis, 10_000 + MAX_SESSION_LIFETIME_MS);
		assert_eq!(verify_session(&long, &genesis, 9_999), Err(TokenError::TooLong));
		// Another account's name on Bob's signature.
		let alice = crate::keys::account_key("//Alice").unwrap().public_key().to_account_id();
		let forged = format!("{alice}.{}", t.split_once('.').unwrap().1);
		assert_eq!(verify_session(&forged, &genesis, 9_000), Err(TokenError::BadSignature));
		assert!(matches!(verify_session("x", &genesis, 0), Err(TokenError::Malformed(_))));
		// Signed by a browser wallet: wrapped in <Bytes>…</Bytes>.
		let wrapped =
			[b"<Bytes>".as_slice(), &session_message(&genesis, 10_000), b"</Bytes>"].concat();
		let t = format!(
			"{}.10000.{}",
			key.public_key().to_account_id(),
			hex::encode(key.sign(&wrapped).0)
		);
		assert_eq!(verify_session(&t, &genesis, 9_000), Ok(key.public_key().to_account_id()));
	}

	#[test]
	fn links_open_one_media_item_for_one_viewer_for_minutes() {
		let gateway = crate::keys::account_key("//Gateway").unwrap();
		let public = gateway.public_key().0;
		let bob = crate::keys::account_key("//Bob").unwrap().public_key().to_account_id();
		let genesis = [7u8; 32];
		let (t, expires) = link(&gateway, &genesis, 5, &bob, 1_000);
		assert_eq!(expires, 1_000 + LINK_LIFETIME_MS);
		assert_eq!(verify_link(&t, &public, &genesis, 5, 2_000), Ok(bob));
		assert_eq!(verify_link(&t, &public, &genesis, 6, 2_000), Err(TokenError::OtherMedia));
		assert_eq!(verify_link(&t, &public, &genesis, 5, expires), Err(TokenError::Expired));
		// Another viewer's name on it, or another gateway's key.
		let alice = crate::keys::account_key("//Alice").unwrap().public_key().to_account_id();
		let renamed = format!("0x{}.{}", hex::encode(alice.0), t.split_once('.').unwrap().1);
		assert_eq!(verify_link(&renamed, &public, &genesis, 5, 2_000), Err(TokenError::OtherMedia));
		assert_eq!(verify_link(&t, &alice.0, &genesis, 5, 2_000), Err(TokenError::OtherMedia));
	}
}
