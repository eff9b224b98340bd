//! Keys of the people who run services: an operator's sr25519 account key (it signs
//! extrinsics) and a storage cluster's ed25519 receipt key. Each comes from a secret
//! URI (`//Cluster1`, a mnemonic, a `0x` seed, with derivations) given on the command
//! line for development, or from a file holding that URI for production.

use anyhow::Context;
use sp_core::Pair;
use std::path::Path;
use subxt_signer::{sr25519, SecretUri};

/// A secret URI from `--suri` or from the file `--*-file` names (trimmed).
pub fn secret_uri(suri: Option<&str>, file: Option<&Path>, what: &str) -> anyhow::Result<String> {
	match (suri, file) {
		(Some(s), None) => Ok(s.to_string()),
		(None, Some(path)) => Ok(std::fs::read_to_string(path)
			.with_context(|| format!("reading the {what} key file {}", path.display()))?
			.trim()
			.to_string()),
		(Some(_), Some(_)) => {
			anyhow::bail!("give the {what} key either as a URI or as a file, not both")
		},
		(None, None) => anyhow::bail!("the {what} key is missing: give it as a URI or a file"),
	}
}

/// An sr25519 account key (signs extrinsics).
pub fn account_key(uri: &str) -> anyhow::Result<sr25519::Keypair> {
	let uri: SecretUri = uri.parse().map_err(|e| anyhow::anyhow!("invalid secret URI: {e}"))?;
	sr25519::Keypair::from_uri(&uri).map_err(|e| anyhow::anyhow!("invalid sr25519 key: {e}"))
}

/// An ed25519 key (a storage cluster's receipt key), derived as Substrate's tools do,
/// so `//Cluster1` is the key the dev chain spec registers.
pub fn cluster_key(uri: &str) -> anyhow::Result<sp_core::ed25519::Pair> {
	sp_core::ed25519::Pair::from_string(uri, None)
		.map_err(|e| anyhow::anyhow!("invalid ed25519 secret URI: {e:?}"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_cluster_keys_match_the_dev_chain_spec() {
		let key = cluster_key("//Cluster1").unwrap();
		assert_eq!(
			hex::encode(key.public().0),
			"6c27c53f547dd76cbb94273bfa0f128af06cb8a6b32e82c73ccd491fd5518627"
		);
	}

	#[test]
	fn a_key_comes_from_exactly_one_source() {
		assert!(secret_uri(None, None, "operator").is_err());
		assert!(secret_uri(Some("//Eve"), Some(Path::new("/x")), "operator").is_err());
		assert_eq!(secret_uri(Some("//Eve"), None, "operator").unwrap(), "//Eve");
	}
}
