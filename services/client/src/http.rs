//! Serving immutable, content-addressed objects over HTTP the way browsers, video
//! players and CDNs expect: single byte ranges (206 / 416), a strong `ETag`,
//! `If-None-Match` (304) and `Cache-Control: immutable`. The storage node and the
//! gateway's download role both answer through [`serve_object`].

use axum::{
	body::Body,
	http::{header, HeaderMap, HeaderValue, Method, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use std::{future::Future, ops::Range};

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
	set(&mut headers, header::CACHE_CONTROL, "public, max-age=31536000, immutable");
	set(&mut headers, header::ACCEPT_RANGES, "bytes");
	set(&mut headers, header::CONTENT_TYPE, content_type);

	let not_modified = request
		.get(header::IF_NONE_MATCH)
		.and_then(|v| v.to_str().ok())
		.is_some_and(|v| v.split(',').any(|t| t.trim() == quoted || t.trim() == "*"));
	if not_modified {
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

/// Serves `router` on `addr` until Ctrl-C (SIGINT), logging `what` and the address.
pub async fn serve(
	router: axum::Router,
	addr: std::net::SocketAddr,
	what: &str,
) -> anyhow::Result<()> {
	use anyhow::Context;
	let listener = tokio::net::TcpListener::bind(addr)
		.await
		.with_context(|| format!("listening on {addr}"))?;
	tracing::info!("{what} listening on http://{}", listener.local_addr()?);
	axum::serve(listener, router)
		.with_graceful_shutdown(async {
			let _ = tokio::signal::ctrl_c().await;
		})
		.await?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

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
