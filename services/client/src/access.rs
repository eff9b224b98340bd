//! Access tokens for paid originals: a short-lived statement, signed by an account's
//! sr25519 key, that this account asks for media item `media_id` until `expires_ms`.
//! The gateway serves a priced item's original and transcodings only to its owner and
//! to accounts that bought it (`pti.purchases`), and asks for a token to know who is
//! asking. Thumbnails stay public.
//!
//! The signed message is `(b"paratii/access/v1", genesis_hash, media_id u64 LE,
//! expires_ms u64 LE)` — 57 bytes; the token is `<SS58 account>.<expires_ms>.<signature
//! hex>`, sent as `?access=` or the `X-Paratii-Access` header.

use crate::{AccountId, MediaId};

/// The tag that starts every access message.
pub const ACCESS_TAG: &[u8; 17] = b"paratii/access/v1";
/// The longest a token may live: a stolen token is worth an hour at most.
pub const MAX_TOKEN_LIFETIME_MS: u64 = 60 * 60 * 1000;

/// The bytes an account signs to ask for `media_id` until `expires_ms`.
pub fn access_message(genesis: &[u8; 32], media_id: MediaId, expires_ms: u64) -> Vec<u8> {
	let mut message = Vec::with_capacity(57);
	message.extend_from_slice(ACCESS_TAG);
	message.extend_from_slice(genesis);
	message.extend_from_slice(&media_id.to_le_bytes());
	message.extend_from_slice(&expires_ms.to_le_bytes());
	message
}

/// A token for `media_id` valid until `expires_ms`, signed with `key`.
pub fn token(
	key: &subxt_signer::sr25519::Keypair,
	genesis: &[u8; 32],
	media_id: MediaId,
	expires_ms: u64,
) -> String {
	let signature = key.sign(&access_message(genesis, media_id, expires_ms));
	format!("{}.{expires_ms}.{}", key.public_key().to_account_id(), hex::encode(signature.0))
}

/// Why a token is not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
	Malformed(&'static str),
	Expired,
	TooLong,
	BadSignature,
}

impl std::fmt::Display for TokenError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Malformed(why) => write!(f, "the access token is malformed: {why}"),
			Self::Expired => write!(f, "the access token has expired: sign a new one"),
			Self::TooLong => write!(
				f,
				"the access token lives longer than {} minutes",
				MAX_TOKEN_LIFETIME_MS / 60_000
			),
			Self::BadSignature => {
				write!(f, "the access token's signature is not its account's over this media item")
			},
		}
	}
}

/// Checks `token` for `media_id` at `now_ms`; the account that signed it.
pub fn verify(
	token: &str,
	genesis: &[u8; 32],
	media_id: MediaId,
	now_ms: u64,
) -> Result<AccountId, TokenError> {
	use sp_core::{sr25519, Pair};
	let mut parts = token.trim().splitn(3, '.');
	let (Some(account), Some(expires), Some(signature)) =
		(parts.next(), parts.next(), parts.next())
	else {
		return Err(TokenError::Malformed("expected <account>.<expires_ms>.<signature>"));
	};
	let account =
		crate::parse_account(account).map_err(|_| TokenError::Malformed("not an account"))?;
	let expires: u64 =
		expires.parse().map_err(|_| TokenError::Malformed("the expiry is not a number"))?;
	let signature: [u8; 64] = hex::decode(signature.trim_start_matches("0x"))
		.ok()
		.and_then(|s| s.try_into().ok())
		.ok_or(TokenError::Malformed("the signature is not 64 bytes of hex"))?;
	if expires <= now_ms {
		return Err(TokenError::Expired);
	}
	if expires - now_ms > MAX_TOKEN_LIFETIME_MS {
		return Err(TokenError::TooLong);
	}
	let valid = sr25519::Pair::verify(
		&sr25519::Signature::from_raw(signature),
		access_message(genesis, media_id, expires),
		&sr25519::Public::from_raw(account.0),
	);
	if !valid {
		return Err(TokenError::BadSignature);
	}
	Ok(account)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tokens_verify_for_their_media_chain_and_time_only() {
		let key = crate::keys::account_key("//Bob").unwrap();
		let genesis = [7u8; 32];
		let t = token(&key, &genesis, 5, 10_000);
		assert_eq!(verify(&t, &genesis, 5, 9_000), Ok(key.public_key().to_account_id()));
		assert_eq!(verify(&t, &genesis, 6, 9_000), Err(TokenError::BadSignature));
		assert_eq!(verify(&t, &[8u8; 32], 5, 9_000), Err(TokenError::BadSignature));
		assert_eq!(verify(&t, &genesis, 5, 10_000), Err(TokenError::Expired));
		let long = token(&key, &genesis, 5, 10_000 + MAX_TOKEN_LIFETIME_MS);
		assert_eq!(verify(&long, &genesis, 5, 9_999), Err(TokenError::TooLong));
		// Another account's name on Bob's signature.
		let alice = crate::keys::account_key("//Alice").unwrap().public_key().to_account_id();
		let forged = format!("{alice}.{}", t.split_once('.').unwrap().1);
		assert_eq!(verify(&forged, &genesis, 5, 9_000), Err(TokenError::BadSignature));
		assert!(matches!(verify("x", &genesis, 5, 0), Err(TokenError::Malformed(_))));
	}
}
