//! Serving immutable, content-addressed objects over HTTP the way browsers, video
//! players and CDNs expect: single byte ranges (206 / 416), a strong `ETag`,
//! `If-None-Match` (304) and `Cache-Control: immutable`. The storage node and the
//! gateway's download role both answer through [`serve_object`]. Every service's HTTP
//! server is [`serve`]: timeouts and a server-wide concurrency limit.

use axum::{
	body::Body,
	http::{header, HeaderMap, HeaderValue, Method, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use std::{future::Future, ops::Range, time::Duration};

/// What a `Range` header asks of an object of `size` bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RangeRequest {
	/// No (usable) range: the whole object.
	Full,
	/// Bytes `start..end` (end exclusive).
	Partial(Range<u64>),
	/// A range that lies outside the object: 416.
	Unsatisfiable,
}

/// Parses a single `bytes=` range (`a-b`, `a-`, `-n`). Multiple ranges and other
/// units are answered with the whole object, as RFC 9110 allows.
pub fn parse_range(value: Option<&HeaderValue>, size: u64) -> RangeRequest {
	let Some(spec) = value.and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("bytes="))
	else {
		return RangeRequest::Full;
	};
	if spec.contains(',') {
		return RangeRequest::Full;
	}
	let Some((first, last)) = spec.trim().split_once('-') else { return RangeRequest::Full };
	let range = match (first.parse::<u64>().ok(), last.parse::<u64>().ok()) {
		// `-n`: the last n bytes.
		(None, Some(n)) if first.is_empty() => {
			if n == 0 {
				return RangeRequest::Unsatisfiable;
			}
			size.saturating_sub(n)..size
		},
		(Some(a), None) if last.is_empty() => a..size,
		(Some(a), Some(b)) if a <= b => a..b.saturating_add(1).min(size),
		_ => return RangeRequest::Full,
	};
	if range.start >= size {
		RangeRequest::Unsatisfiable
	} else {
		RangeRequest::Partial(range)
	}
}

/// `Cache-Control` of an immutable, content-addressed object anyone may see.
pub const CACHE_PUBLIC: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of an answer for one account (a paid item): no shared cache keeps it.
pub const CACHE_PRIVATE: &str = "private, max-age=3600";

/// Whether `request`'s `If-None-Match` names the entity tag `etag` (unquoted) or `*`:
/// the client holds the object already.
pub fn client_holds(request: &HeaderMap, etag: &str) -> bool {
	let quoted = format!("\"{etag}\"");
	request
		.get(header::IF_NONE_MATCH)
		.and_then(|v| v.to_str().ok())
		.is_some_and(|v| v.split(',').any(|t| t.trim() == quoted || t.trim() == "*"))
}

/// Answers a `GET` or `HEAD` for an object of `size` bytes whose strong entity tag is
/// `etag` (unquoted). `read(range)` produces the body for the bytes asked.
pub async fn serve_object<F, Fut>(
	method: &Method,
	request: &HeaderMap,
	size: u64,
	etag: &str,
	content_type: &str,
	read: F,
) -> Response
where
	F: FnOnce(Range<u64>) -> Fut,
	Fut: Future<Output = anyhow::Result<Body>>,
{
	let quoted = format!("\"{etag}\"");
	let mut headers = HeaderMap::new();
	let set = |h: &mut HeaderMap, name, value: &str| {
		if let Ok(v) = HeaderValue::from_str(value) {
			h.insert(name, v);
		}
	};
	set(&mut headers, header::ETAG, &quoted);
	set(&mut headers, header::CACHE_CONTROL, CACHE_PUBLIC);
	set(&mut headers, header::ACCEPT_RANGES, "bytes");
	set(&mut headers, header::CONTENT_TYPE, content_type);

	if client_holds(request, etag) {
		return (StatusCode::NOT_MODIFIED, headers).into_response();
	}

	let (status, range) = match parse_range(request.get(header::RANGE), size) {
		RangeRequest::Full => (StatusCode::OK, 0..size),
		RangeRequest::Partial(r) => {
			set(
				&mut headers,
				header::CONTENT_RANGE,
				&format!("bytes {}-{}/{size}", r.start, r.end - 1),
			);
			(StatusCode::PARTIAL_CONTENT, r)
		},
		RangeRequest::Unsatisfiable => {
			set(&mut headers, header::CONTENT_RANGE, &format!("bytes */{size}"));
			return (StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response();
		},
	};
	set(&mut headers, header::CONTENT_LENGTH, &(range.end - range.start).to_string());
	if method == Method::HEAD {
		return (status, headers).into_response();
	}
	match read(range).await {
		Ok(body) => (status, headers, body).into_response(),
		Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("reading the object: {e:#}")),
	}
}

/// Registers `metric` in `registry` and hands it back, for one-line metric set-up.
pub fn registered<M: prometheus::core::Collector + Clone + 'static>(
	registry: &prometheus::Registry,
	metric: M,
) -> anyhow::Result<M> {
	registry.register(Box::new(metric.clone()))?;
	Ok(metric)
}

/// `GET /metrics`: the registry in Prometheus' text format.
pub fn metrics_response(registry: &prometheus::Registry) -> Response {
	use prometheus::Encoder;
	let mut out = Vec::new();
	if let Err(e) = prometheus::TextEncoder::new().encode(&registry.gather(), &mut out) {
		return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
	}
	([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

/// An error answer: the status and `{"error": message}`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
	(status, Json(crate::wire::ErrorBody { error: message.into() })).into_response()
}

/// An error answered as plain text — axum's extractors answer so when a path, query or
/// JSON body does not parse — as `{"error": text}`, like every other error.
async fn json_errors(response: Response) -> Response {
	let plain = response
		.headers()
		.get(header::CONTENT_TYPE)
		.and_then(|v| v.to_str().ok())
		.is_some_and(|t| t.starts_with("text/plain"));
	let status = response.status();
	if !plain || !(status.is_client_error() || status.is_server_error()) {
		return response;
	}
	match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
		Ok(text) => error(status, String::from_utf8_lossy(&text).into_owned()),
		Err(_) => error(status, status.canonical_reason().unwrap_or("error")),
	}
}

/// What every service's HTTP server enforces: it faces the open internet.
#[derive(Clone, Copy, Debug)]
pub struct ServerLimits {
	/// Time for a client to send a request's headers (a slow-headers client holds a
	/// connection, not a slot).
	pub header_timeout: Duration,
	/// Time for a request's body to deliver its next bytes (a stalled upload frees its
	/// slot).
	pub body_idle_timeout: Duration,
	/// Time for the handler to answer (the response's headers; a long download then
	/// streams for as long as it takes): 408 after it.
	pub request_timeout: Duration,
	/// Requests in progress at once, over the whole server, each until its response's
	/// body has been sent: more are answered 503 at once.
	pub max_concurrent: usize,
}

impl Default for ServerLimits {
	fn default() -> Self {
		Self {
			header_timeout: Duration::from_secs(10),
			body_idle_timeout: Duration::from_secs(30),
			request_timeout: Duration::from_secs(60),
			max_concurrent: 1024,
		}
	}
}

/// Serves `router` on `addr` with the default [`ServerLimits`] until Ctrl-C (SIGINT),
/// logging `what` and the address.
pub async fn serve(
	router: axum::Router,
	addr: std::net::SocketAddr,
	what: &str,
) -> anyhow::Result<()> {
	serve_with(router, addr, what, ServerLimits::default()).await
}

/// [`serve`] with other limits.
pub async fn serve_with(
	router: axum::Router,
	addr: std::net::SocketAddr,
	what: &str,
	limits: ServerLimits,
) -> anyhow::Result<()> {
	use anyhow::Context;
	let listener = tokio::net::TcpListener::bind(addr)
		.await
		.with_context(|| format!("listening on {addr}"))?;
	tracing::info!("{what} listening on http://{}", listener.local_addr()?);
	serve_listener(listener, router, limits, async {
		let _ = tokio::signal::ctrl_c().await;
	})
	.await
}

/// Serves `router` on `listener` under `limits` until `shutdown` completes; then it
/// accepts no more connections, asks the open ones to close after the request they are
/// serving, and returns (a process that exits then cuts those requests short).
///
/// Hyper serves each connection (HTTP/1.1) with a header timeout (axum's `serve` sets
/// no timer, so none applied); every request then takes a slot of one server-wide
/// semaphore, held until its response's body is sent or the client goes away (a tower
/// `ConcurrencyLimitLayer` on a router gives each route a counter of its own and frees
/// the slot when the headers go out), gets its body wrapped in an idle timeout and its
/// handler a deadline, and is logged with its status and time.
pub async fn serve_listener(
	listener: tokio::net::TcpListener,
	router: axum::Router,
	limits: ServerLimits,
	shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
	use futures::StreamExt;
	use hyper_util::rt::{TokioIo, TokioTimer};
	use std::sync::Arc;
	use tower::ServiceExt;

	let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_concurrent));
	let service = tower::service_fn(move |request: axum::http::Request<hyper::body::Incoming>| {
		let router = router.clone();
		let permits = permits.clone();
		async move {
			let started = std::time::Instant::now();
			let (method, path) = (request.method().clone(), request.uri().path().to_owned());
			let Ok(permit) = permits.try_acquire_owned() else {
				tracing::info!(
					"{method} {path}: 503, {} requests in progress",
					limits.max_concurrent
				);
				let mut busy =
					error(StatusCode::SERVICE_UNAVAILABLE, "the server is busy: retry shortly");
				busy.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
				return Ok::<_, std::convert::Infallible>(busy);
			};
			let request = request.map(|body| {
				Body::new(tower_http::timeout::TimeoutBody::new(limits.body_idle_timeout, body))
			});
			let response =
				match tokio::time::timeout(limits.request_timeout, router.oneshot(request)).await {
					Ok(Ok(response)) => response,
					Ok(Err(never)) => match never {},
					Err(_) => error(
						StatusCode::REQUEST_TIMEOUT,
						format!("no answer within {} s", limits.request_timeout.as_secs()),
					),
				};
			let response = json_errors(response).await;
			tracing::info!(
				"{method} {path}: {} in {} ms",
				response.status().as_u16(),
				started.elapsed().as_millis()
			);
			// The slot is held until the body has been sent or dropped.
			let (parts, body) = response.into_parts();
			let body = Body::from_stream(body.into_data_stream().map(move |chunk| {
				let _slot = &permit;
				chunk
			}));
			Ok(Response::from_parts(parts, body))
		}
	});
	let (stop, stopped) = tokio::sync::watch::channel(false);
	tokio::pin!(shutdown);
	loop {
		let (stream, _) = tokio::select! {
			accepted = listener.accept() => match accepted {
				Ok(accepted) => accepted,
				// Out of file descriptors and the like: wait, do not spin.
				Err(e) => {
					tracing::warn!("accepting a connection: {e}");
					tokio::time::sleep(Duration::from_millis(100)).await;
					continue;
				},
			},
			_ = &mut shutdown => break,
		};
		let service = hyper_util::service::TowerToHyperService::new(service.clone());
		let mut stopped = stopped.clone();
		tokio::spawn(async move {
			let connection = hyper::server::conn::http1::Builder::new()
				.timer(TokioTimer::new())
				.header_read_timeout(limits.header_timeout)
				.serve_connection(TokioIo::new(stream), service);
			tokio::pin!(connection);
			tokio::select! {
				_ = connection.as_mut() => {},
				_ = stopped.changed() => {
					connection.as_mut().graceful_shutdown();
					let _ = connection.await;
				},
			}
		});
	}
	let _ = stop.send(true);
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::io::{AsyncReadExt, AsyncWriteExt};

	/// A server on a free loopback port: `/` answers at once, `/sleep` after 30 s,
	/// `/stream` sends 4 chunks 0.5 s apart, `/upload` reads the whole request body.
	async fn server(limits: ServerLimits) -> std::net::SocketAddr {
		use axum::routing::{get, post};
		let router = axum::Router::new()
			.route("/", get(|| async { "ok" }))
			.route(
				"/sleep",
				get(|| async {
					tokio::time::sleep(Duration::from_secs(30)).await;
					"late"
				}),
			)
			.route(
				"/stream",
				get(|| async {
					Body::from_stream(futures::stream::unfold(0u8, |n| async move {
						tokio::time::sleep(Duration::from_millis(500)).await;
						(n < 4).then(|| (Ok::<_, std::io::Error>(vec![b'x'; 10]), n + 1))
					}))
				}),
			)
			.route("/upload", post(|body: axum::body::Bytes| async move { body.len().to_string() }))
			.route(
				"/number/:n",
				get(
					|axum::extract::Path(n): axum::extract::Path<u32>| async move { n.to_string() },
				),
			);
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
		let addr = listener.local_addr().expect("bound");
		tokio::spawn(serve_listener(listener, router, limits, std::future::pending()));
		addr
	}

	/// Writes `raw` on a new connection, then reads until the server closes it (at most
	/// 10 s): what it answered and when it closed.
	async fn exchange(addr: std::net::SocketAddr, raw: &[u8]) -> (String, Duration) {
		let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connects");
		stream.write_all(raw).await.expect("writes");
		let started = std::time::Instant::now();
		let mut answer = Vec::new();
		let _ =
			tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
		(String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
	}

	fn short(max_concurrent: usize) -> ServerLimits {
		ServerLimits {
			header_timeout: Duration::from_secs(1),
			body_idle_timeout: Duration::from_secs(1),
			request_timeout: Duration::from_secs(1),
			max_concurrent,
		}
	}

	#[tokio::test]
	async fn a_client_that_never_finishes_its_headers_is_disconnected() {
		let addr = server(short(4)).await;
		let (answer, after) = exchange(addr, b"GET / HTTP/1.1\r\nHost: a\r\n").await;
		assert!(after < Duration::from_secs(5), "held for {after:?}");
		assert!(!answer.contains("200 OK"), "{answer}");
	}

	#[tokio::test]
	async fn a_stalled_request_body_and_a_slow_handler_end_their_requests() {
		let addr = server(short(4)).await;
		let (answer, after) = exchange(
			addr,
			b"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\nConnection: close\r\n\r\n0123456789",
		)
		.await;
		assert!(after < Duration::from_secs(5), "held for {after:?}");
		assert!(!answer.is_empty() && !answer.starts_with("HTTP/1.1 200"), "{answer}");
		let (answer, after) =
			exchange(addr, b"GET /sleep HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").await;
		assert!(after < Duration::from_secs(5), "held for {after:?}");
		assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
	}

	#[tokio::test]
	async fn the_concurrency_limit_is_server_wide_and_lasts_until_the_body_is_sent() {
		let addr = server(ServerLimits { max_concurrent: 2, ..ServerLimits::default() }).await;
		let http = reqwest::Client::new();
		let get = |path: &str| http.get(format!("http://{addr}{path}")).send();
		// Two slow bodies on one route take both slots once their headers are out...
		let first = get("/stream").await.expect("answers");
		let second = get("/stream").await.expect("answers");
		assert_eq!((first.status(), second.status()), (StatusCode::OK, StatusCode::OK));
		// ...so another route is refused at once, with a hint when to retry.
		let busy = get("/").await.expect("answers");
		assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
		assert_eq!(busy.headers().get(header::RETRY_AFTER).map(|v| v.as_bytes()), Some(&b"1"[..]));
		// Once both bodies are sent the slots are free again.
		assert_eq!(first.bytes().await.expect("a body").len(), 40);
		assert_eq!(second.bytes().await.expect("a body").len(), 40);
		assert_eq!(get("/").await.expect("answers").status(), StatusCode::OK);
	}

	#[tokio::test]
	async fn an_extractors_refusal_is_answered_as_json() {
		let addr = server(ServerLimits::default()).await;
		let answer = reqwest::get(format!("http://{addr}/number/abc")).await.expect("answers");
		assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
		let body: crate::wire::ErrorBody = answer.json().await.expect("a JSON error");
		assert!(body.error.contains("parse"), "{}", body.error);
		// Successes are left as they are.
		let answer = reqwest::get(format!("http://{addr}/number/7")).await.expect("answers");
		assert_eq!(answer.text().await.expect("a body"), "7");
	}

	fn range(s: &str, size: u64) -> RangeRequest {
		parse_range(Some(&HeaderValue::from_str(s).unwrap()), size)
	}

	#[test]
	fn single_byte_ranges_parse_as_rfc_9110_says() {
		assert_eq!(range("bytes=0-99", 1000), RangeRequest::Partial(0..100));
		assert_eq!(range("bytes=900-", 1000), RangeRequest::Partial(900..1000));
		assert_eq!(range("bytes=-10", 1000), RangeRequest::Partial(990..1000));
		assert_eq!(range("bytes=990-5000", 1000), RangeRequest::Partial(990..1000));
		assert_eq!(range("bytes=-5000", 1000), RangeRequest::Partial(0..1000));
		assert_eq!(range("bytes=1000-", 1000), RangeRequest::Unsatisfiable);
		assert_eq!(range("bytes=-0", 1000), RangeRequest::Unsatisfiable);
		assert_eq!(range("bytes=5-1", 1000), RangeRequest::Full);
		assert_eq!(range("bytes=0-1,5-6", 1000), RangeRequest::Full);
		assert_eq!(range("items=0-1", 1000), RangeRequest::Full);
		assert_eq!(parse_range(None, 1000), RangeRequest::Full);
	}
}
