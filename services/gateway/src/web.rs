//! The web player's pages (`--web-dir`, the build of `web/`): served on their own address
//! (`--web-listen`, so the player's paths such as `/media/{id}` do not meet the download
//! role's), any path the files do not have answered with `index.html` (the app routes
//! in the browser), and `GET /config.json` telling the app where the services are.
//! Vite names the files under `/assets/` by their content's hash: they are cached for a
//! year; `index.html` is revalidated on every visit. A file with a `.gz` beside it
//! goes out compressed to browsers that take gzip.

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
}

/// `GET /config.json`.
#[derive(Clone, Debug, Serialize)]
struct WebConfig {
	upload: String,
	download: String,
	indexer: String,
	chain: String,
	dev_accounts: bool,
}

/// The player's router, for `dir`.
pub fn router(args: &WebArgs, dir: PathBuf) -> Router {
	let config = WebConfig {
		upload: args.web_upload_url.trim_end_matches('/').to_string(),
		download: args.web_download_url.trim_end_matches('/').to_string(),
		indexer: args.web_indexer_url.trim_end_matches('/').to_string(),
		chain: args.web_chain_url.clone(),
		dev_accounts: args.web_dev_accounts,
	};
	let files = ServeDir::new(&dir)
		.precompressed_gzip()
		.fallback(ServeFile::new(dir.join("index.html")).precompressed_gzip());
	Router::new()
		.route("/config.json", get(move || std::future::ready(Json(config))))
		.fallback_service(files)
		.layer(middleware::from_fn(cache_control))
}

async fn cache_control(request: Request, next: Next) -> Response {
	let immutable = request.uri().path().starts_with("/assets/");
	let mut response = next.run(request).await;
	let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
	response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
	response
}
