//! The web player's pages (`--web-dir`, the build of `web/`): served on their own address
//! (`--web-listen`, so the player's paths such as `/media/{id}` do not meet the download
//! role's), any path the files do not have answered with `index.html` (the app routes
//! in the browser), and `GET /config.json` telling the app where the services are.
//! Vite names the files under `/assets/` by their content's hash: they are cached for a
//! year; `index.html` is revalidated on every visit. A file with a `.gz` beside it
//! goes out compressed to browsers that take gzip.
//!
//! Every answer carries a Content-Security-Policy naming what the pages may load and talk
//! to: scripts from this origin only (and WebAssembly, which the chain client's crypto
//! compiles), requests to the services `/config.json` names and nothing else, no frames,
//! no plugins — so an injected script (a title that slipped past escaping, a compromised
//! CDN in front of the services) can neither run nor send a signature elsewhere.

use axum::{
	extract::Request,
	http::{header, HeaderValue},
	middleware::{self, Next},
	response::Response,
	routing::get,
	Json, Router,
};
use serde::Serialize;
use std::{net::SocketAddr, path::PathBuf};
use tower_http::services::{ServeDir, ServeFile};

/// Where the web player is served from and what it is told.
#[derive(Debug, clap::Args)]
pub struct WebArgs {
	/// Serve the web player from this directory (the build of `web/`: `web/dist`).
	#[arg(long)]
	pub web_dir: Option<PathBuf>,
	/// The web player's address.
	#[arg(long, default_value = "127.0.0.1:8088")]
	pub web_listen: SocketAddr,
	/// The upload role's URL as browsers reach it.
	#[arg(long, default_value = "http://127.0.0.1:8080")]
	pub web_upload_url: String,
	/// The download role's URL as browsers reach it.
	#[arg(long, default_value = "http://127.0.0.1:8081")]
	pub web_download_url: String,
	/// The indexer's URL as browsers reach it.
	#[arg(long, default_value = "http://127.0.0.1:8090")]
	pub web_indexer_url: String,
	/// The node's WebSocket RPC as browsers reach it.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	pub web_chain_url: String,
	/// Offer the development accounts (//Alice, //Bob, …) in the player, besides
	/// browser wallets: only for a development chain.
	#[arg(long)]
	pub web_dev_accounts: bool,
	/// An ad validator's URL as browsers reach it (`paratii-adx validator`): the account
	/// page asks it for the viewer's ad earnings and their proofs; repeat for several.
	#[arg(long = "web-ad-validator")]
	pub web_ad_validators: Vec<String>,
}

/// `GET /config.json`.
#[derive(Clone, Debug, Serialize)]
struct WebConfig {
	upload: String,
	download: String,
	indexer: String,
	chain: String,
	dev_accounts: bool,
	ad_validators: Vec<String>,
	/// The ad auditors whose trackers the player fires (not in `config.json`).
	#[serde(skip)]
	ad_auditors: Vec<String>,
}

/// The player's router, for `dir`; `ad_auditors`: the trackers its ads may carry
/// (the ad role's `--ad-auditor`).
pub fn router(args: &WebArgs, ad_auditors: &[String], dir: PathBuf) -> Router {
	let config = WebConfig {
		upload: args.web_upload_url.trim_end_matches('/').to_string(),
		download: args.web_download_url.trim_end_matches('/').to_string(),
		indexer: args.web_indexer_url.trim_end_matches('/').to_string(),
		chain: args.web_chain_url.clone(),
		dev_accounts: args.web_dev_accounts,
		ad_validators: args
			.web_ad_validators
			.iter()
			.map(|u| u.trim_end_matches('/').to_string())
			.collect(),
		ad_auditors: ad_auditors.to_vec(),
	};
	let files = ServeDir::new(&dir)
		.precompressed_gzip()
		.fallback(ServeFile::new(dir.join("index.html")).precompressed_gzip());
	let policy = content_security_policy(&config);
	Router::new()
		.route("/config.json", get(move || std::future::ready(Json(config))))
		.fallback_service(files)
		.layer(middleware::from_fn(cache_control))
		.layer(middleware::from_fn(move |request: Request, next: Next| {
			let policy = policy.clone();
			async move {
				let mut response = next.run(request).await;
				let headers = response.headers_mut();
				headers.insert(header::CONTENT_SECURITY_POLICY, policy);
				headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
				headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
				response
			}
		}))
}

/// `scheme://host[:port]` of a service's URL (a CSP source naming a path would allow that
/// one path only).
fn origin(url: &str) -> String {
	match url.parse::<axum::http::Uri>() {
		Ok(uri) => match (uri.scheme_str(), uri.authority()) {
			(Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
			_ => url.to_string(),
		},
		Err(_) => url.to_string(),
	}
}

/// The player's Content-Security-Policy: its own files, the services in `config`.
fn content_security_policy(config: &WebConfig) -> HeaderValue {
	let [upload, download, indexer, chain] =
		[&config.upload, &config.download, &config.indexer, &config.chain].map(|u| origin(u));
	let validators: String = config
		.ad_validators
		.iter()
		.chain(&config.ad_auditors)
		.map(|u| format!(" {}", origin(u)))
		.collect();
	let policy = format!(
		"default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
		 connect-src 'self' {upload} {download} {indexer} {chain}{validators}; \
		 img-src 'self' data: {download}; media-src 'self' blob: {download}; \
		 base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	);
	// The URLs come from the operator's flags; one a header cannot carry falls back to
	// the strictest policy rather than none.
	HeaderValue::from_str(&policy).unwrap_or_else(|_| {
		HeaderValue::from_static("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'")
	})
}

async fn cache_control(request: Request, next: Next) -> Response {
	let immutable = request.uri().path().starts_with("/assets/");
	let mut response = next.run(request).await;
	let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
	response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
	response
}

#[cfg(test)]
mod tests {
	use super::*;
	use tower::ServiceExt;

	#[tokio::test]
	async fn pages_carry_a_policy_naming_the_services_origins() {
		let dir = tempfile::tempdir().unwrap();
		std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
		let args = WebArgs {
			web_dir: None,
			web_listen: "127.0.0.1:0".parse().unwrap(),
			web_upload_url: "https://up.example:8443/api/".into(),
			web_download_url: "https://media.example".into(),
			web_indexer_url: "https://search.example/v1".into(),
			web_chain_url: "wss://rpc.example".into(),
			web_dev_accounts: false,
			web_ad_validators: vec!["https://adx.example:8110/".into()],
		};
		for path in ["/", "/media/7", "/config.json"] {
			let request = Request::get(path).body(axum::body::Body::empty()).unwrap();
			let auditors = ["http://audit.example:8130".to_string()];
			let response =
				router(&args, &auditors, dir.path().into()).oneshot(request).await.unwrap();
			let policy = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
			assert!(policy.starts_with("default-src 'none'; script-src 'self' 'wasm-unsafe-eval';"));
			assert!(policy.contains(
				"connect-src 'self' https://up.example:8443 https://media.example \
				 https://search.example wss://rpc.example https://adx.example:8110 \
				 http://audit.example:8130;"
			));
			assert!(policy.contains("media-src 'self' blob: https://media.example;"), "{policy}");
			assert!(policy.contains("frame-ancestors 'none'"));
			assert_eq!(response.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
		}
	}
}
