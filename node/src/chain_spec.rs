//! Chain specifications, built from the runtime's named genesis presets.

use paratii_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// A chain spec whose genesis is built by the runtime (`GenesisBuilder` API).
pub type ChainSpec = sc_service::GenericChainSpec;

/// `tokenSymbol`, `tokenDecimals` and `ss58Format`, as polkadot.js reads them.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| {
		"The runtime wasm is not available: this binary was built with SKIP_WASM_BUILD".to_string()
	})?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// `--dev` / `--chain dev`: one validator (Alice).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Paratii Development",
		"paratii_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// `--chain local`: four validators (Alice, Bob, Charlie, Dave).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Paratii Local Testnet",
		"paratii_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// `--chain production:<validators.json>`: a production chain (no sudo key, at least
/// three validators, the council of the validators' operators) for the validators the
/// file lists. The file:
///
/// ```json
/// {
///   "name": "Paratii", "id": "paratii",
///   "validators": [
///     { "account": "<SS58>", "aura": "<SS58 or 0x hex, sr25519>",
///       "grandpa": "<SS58 or 0x hex, ed25519>", "beefy": "<0x hex or SS58, ecdsa>" }
///   ],
///   "balances": [["<SS58>", "<PTI in its smallest unit, as a string>"]],
///   "bootNodes": ["/dns/validator-1.example/tcp/30333/p2p/12D3..."],
///   "sessionPeriod": 600
/// }
/// ```
///
/// `sessionPeriod` (blocks, optional) overrides the preset's one hour: test networks use
/// the one-minute minimum so validator changes show within minutes.
///
/// A key that is one of the well-known development keys (`//Alice` … `//Ferdie`, their
/// `//stash`, `//One`, `//Two`) is refused: anyone can sign with it, and BEEFY
/// commitments carry no genesis hash, so commitments that a chain with the same BEEFY
/// keys signs (a testnet, a fork) verify on this chain's `ParatiiAnchor` as well. A
/// throw-away test network opts in with `"allowDevKeys": true` (the zombienet file).
/// The seed (`//Alice`, …) of the development key among a validator's keys, if one is.
fn dev_key(
	aura: &sp_core::sr25519::Public,
	grandpa: &sp_core::ed25519::Public,
	beefy: &sp_core::ecdsa::Public,
) -> Option<String> {
	use sp_core::{ecdsa, ed25519, sr25519, Pair};
	sp_keyring::Sr25519Keyring::iter().map(|k| k.to_seed()).find(|seed| {
		sr25519::Pair::from_string(seed, None).is_ok_and(|p| p.public() == *aura)
			|| ed25519::Pair::from_string(seed, None).is_ok_and(|p| p.public() == *grandpa)
			|| ecdsa::Pair::from_string(seed, None).is_ok_and(|p| p.public() == *beefy)
	})
}

pub fn production_chain_spec(path: &str) -> Result<ChainSpec, String> {
	use paratii_runtime::genesis_config_presets::{production_config_genesis, Authority};
	use serde_json::Value;
	use sp_core::crypto::Ss58Codec;

	let fail = |what: String| format!("{path}: {what}");
	let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
	let file: Value = serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))?;
	let field = |value: &Value, name: &str| -> Result<String, String> {
		value
			.get(name)
			.and_then(Value::as_str)
			.map(str::to_owned)
			.ok_or_else(|| fail(format!("missing string field `{name}` in {value}")))
	};
	/// A public key given as SS58 or as `0x` hex of its raw bytes.
	fn key<P: Ss58Codec + for<'a> TryFrom<&'a [u8]>>(text: &str) -> Option<P> {
		match text.strip_prefix("0x") {
			Some(hex) => {
				let bytes = sp_core::bytes::from_hex(hex).ok()?;
				P::try_from(&bytes[..]).ok()
			},
			None => P::from_ss58check(text).ok(),
		}
	}
	let account = |text: &str| {
		paratii_runtime::AccountId::from_ss58check(text)
			.map_err(|e| fail(format!("`{text}` is not an SS58 account: {e:?}")))
	};
	let bad_key = |kind: &str, text: &str| fail(format!("`{text}` is not a {kind} public key"));

	let allow_dev_keys = file.get("allowDevKeys").and_then(Value::as_bool).unwrap_or(false);
	let mut authorities = Vec::new();
	for v in file.get("validators").and_then(Value::as_array).into_iter().flatten() {
		let aura = field(v, "aura")?;
		let grandpa = field(v, "grandpa")?;
		let beefy = field(v, "beefy")?;
		let aura =
			key::<sp_core::sr25519::Public>(&aura).ok_or_else(|| bad_key("sr25519", &aura))?;
		let grandpa = key::<sp_core::ed25519::Public>(&grandpa)
			.ok_or_else(|| bad_key("ed25519", &grandpa))?;
		let beefy =
			key::<sp_core::ecdsa::Public>(&beefy).ok_or_else(|| bad_key("ecdsa", &beefy))?;
		if let Some(seed) = dev_key(&aura, &grandpa, &beefy).filter(|_| !allow_dev_keys) {
			return Err(fail(format!(
				"validator {} uses the well-known development key {seed}: anyone can sign with \
				 it, and BEEFY commitments signed by one set of keys verify on every chain that \
				 uses them. Generate each validator's keys (`paratii-node key generate`), never \
				 reuse a BEEFY key on another chain; only a throw-away test network may set \
				 \"allowDevKeys\": true",
				authorities.len() + 1
			)));
		}
		authorities.push(Authority {
			account: account(&field(v, "account")?)?,
			aura: aura.into(),
			grandpa: grandpa.into(),
			beefy: beefy.into(),
		});
	}
	let min = paratii_runtime::configs::PRODUCTION_MIN_VALIDATORS as usize;
	if authorities.len() < min {
		return Err(fail(format!(
			"a production chain needs at least {min} validators, the file lists {}",
			authorities.len()
		)));
	}
	let mut balances = Vec::new();
	for entry in file.get("balances").and_then(Value::as_array).into_iter().flatten() {
		let (who, amount) = match entry.as_array().map(Vec::as_slice) {
			Some([who, amount]) => (who, amount),
			_ => return Err(fail(format!("a balance is [\"<SS58>\", \"<amount>\"], not {entry}"))),
		};
		let amount = amount
			.as_str()
			.and_then(|a| a.parse::<paratii_runtime::Balance>().ok())
			.ok_or_else(|| fail(format!("balance amount {amount} is not a decimal string")))?;
		balances.push((account(who.as_str().unwrap_or_default())?, amount));
	}
	let boot_nodes = file
		.get("bootNodes")
		.and_then(Value::as_array)
		.into_iter()
		.flatten()
		.map(|n| {
			n.as_str()
				.and_then(|n| n.parse().ok())
				.ok_or_else(|| fail(format!("boot node {n} is not a multiaddress with /p2p/")))
		})
		.collect::<Result<Vec<_>, _>>()?;

	let mut genesis = production_config_genesis(&authorities, balances);
	if let Some(period) = file.get("sessionPeriod") {
		let period = period
			.as_u64()
			.ok_or_else(|| fail(format!("sessionPeriod {period} is not a number of blocks")))?;
		genesis["consortium"]["sessionPeriod"] = period.into();
	}

	let wasm =
		WASM_BINARY.ok_or("The runtime wasm is not available: built with SKIP_WASM_BUILD")?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(file.get("name").and_then(Value::as_str).unwrap_or("Paratii"))
		.with_id(file.get("id").and_then(Value::as_str).unwrap_or("paratii"))
		.with_chain_type(ChainType::Live)
		.with_genesis_config_patch(genesis)
		.with_boot_nodes(boot_nodes)
		.with_properties(properties())
		.build())
}
