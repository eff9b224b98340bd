//! OpenAPI 3.1 documents of the services' HTTP APIs, built from the same Rust types the
//! servers answer with ([`crate::wire`], JSON Schemas derived by `schemars`), so the
//! documents cannot describe a shape the code does not send. Each service serves its
//! document at `GET /openapi.json`; the copies committed under `docs/openapi/` are what
//! the web player's TypeScript types are generated from, and each service's tests fail
//! when its document and the committed copy differ (`scripts/update-openapi.sh` rewrites
//! them).
//!
//! Paths are written as axum routes (`/media/:id`) and turned into OpenAPI templates
//! (`/media/{id}`); [`routes_in_source`] reads the routes a router declares, so a test
//! can check that the document lists exactly the routes the server has.

use crate::wire::ErrorBody;
use schemars::{generate::SchemaSettings, JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

/// An OpenAPI document being built.
pub struct Document {
	generator: SchemaGenerator,
	info: Value,
	paths: Map<String, Value>,
}

/// One operation being described; [`Operation::add`] puts it in the document.
#[must_use = "an operation is only in the document once added"]
pub struct Operation<'a> {
	document: &'a mut Document,
	method: &'static str,
	route: &'static str,
	body: Map<String, Value>,
	parameters: Vec<Value>,
	responses: Map<String, Value>,
}

impl Document {
	/// A document titled `title` (the service) with its description (Markdown).
	pub fn new(title: &str, description: &str) -> Self {
		let settings = SchemaSettings::draft2020_12().with(|s| {
			s.definitions_path = "/components/schemas".into();
		});
		Self {
			generator: settings.into_generator(),
			info: json!({
				"title": title,
				"version": env!("CARGO_PKG_VERSION"),
				"description": description,
			}),
			paths: Map::new(),
		}
	}

	/// Starts describing `METHOD route` (`method` lower case, `route` as axum writes it).
	pub fn operation(
		&mut self,
		method: &'static str,
		route: &'static str,
		summary: &str,
	) -> Operation<'_> {
		let mut body = Map::new();
		body.insert("summary".into(), summary.into());
		body.insert("operationId".into(), operation_id(method, route).into());
		let mut parameters = Vec::new();
		for name in route.split('/').filter_map(|s| s.strip_prefix(':')) {
			parameters.push(json!({
				"name": name, "in": "path", "required": true, "schema": {"type": "string"},
			}));
		}
		Operation { document: self, method, route, body, parameters, responses: Map::new() }
	}

	/// The finished document, as JSON, with `GET /openapi.json` (where every service
	/// serves its document, [`serve`]) among its operations.
	pub fn finish(mut self) -> Value {
		self.operation("get", "/openapi.json", "This document")
			.json_value(200, "OpenAPI 3.1", json!({"type": "object"}))
			.add();
		let schemas = self.generator.take_definitions(true);
		json!({
			"openapi": "3.1.0",
			"info": self.info,
			"paths": self.paths,
			"components": {"schemas": schemas},
		})
	}
}

impl Operation<'_> {
	/// Says more than the summary (Markdown).
	pub fn description(mut self, text: &str) -> Self {
		self.body.insert("description".into(), text.into());
		self
	}

	/// A path parameter's meaning (path parameters are found in the route).
	pub fn path_param(mut self, name: &str, description: &str) -> Self {
		if let Some(p) = self.parameters.iter_mut().find(|p| p["name"] == name && p["in"] == "path")
		{
			p["description"] = description.into();
		}
		self
	}

	/// An optional query parameter, a string.
	pub fn query(self, name: &str, description: &str) -> Self {
		self.parameter("query", name, description, json!({"type": "string"}))
	}

	/// An optional query parameter restricted to `values`.
	pub fn query_enum(self, name: &str, values: &[&str], description: &str) -> Self {
		self.parameter("query", name, description, json!({"type": "string", "enum": values}))
	}

	/// An optional request header.
	pub fn header(self, name: &str, description: &str) -> Self {
		self.parameter("header", name, description, json!({"type": "string"}))
	}

	fn parameter(mut self, place: &str, name: &str, description: &str, schema: Value) -> Self {
		self.parameters.push(json!({
			"name": name, "in": place, "required": false, "description": description, "schema": schema,
		}));
		self
	}

	/// A `multipart/form-data` request body: `(field, description, is_file)`; the fields
	/// in `required` must be present.
	pub fn multipart(mut self, fields: &[(&str, &str, bool)], required: &[&str]) -> Self {
		let properties: Map<String, Value> = fields
			.iter()
			.map(|(name, description, file)| {
				let schema = if *file {
					json!({"type": "string", "contentMediaType": "application/octet-stream", "description": description})
				} else {
					json!({"type": "string", "description": description})
				};
				(name.to_string(), schema)
			})
			.collect();
		self.body.insert(
			"requestBody".into(),
			json!({"required": true, "content": {"multipart/form-data": {"schema": {
				"type": "object", "properties": properties, "required": required,
			}}}}),
		);
		self
	}

	/// A JSON request body shaped as `T`.
	pub fn json_body<T: JsonSchema>(mut self) -> Self {
		let schema = self.document.generator.subschema_for::<T>();
		self.body.insert(
			"requestBody".into(),
			json!({"required": true, "content": {"application/json": {"schema": schema}}}),
		);
		self
	}

	/// A JSON answer with `status`, shaped as `T`.
	pub fn json<T: JsonSchema>(mut self, status: u16, description: &str) -> Self {
		let schema = self.document.generator.subschema_for::<T>();
		self.responses.insert(
			status.to_string(),
			json!({"description": description, "content": {"application/json": {"schema": schema}}}),
		);
		self
	}

	/// A JSON answer whose shape is given by hand (small objects such as `/health`).
	pub fn json_value(mut self, status: u16, description: &str, schema: Value) -> Self {
		self.responses.insert(
			status.to_string(),
			json!({"description": description, "content": {"application/json": {"schema": schema}}}),
		);
		self
	}

	/// An answer of bytes of `content_type` (`*/*`: the object's own type).
	pub fn bytes(mut self, status: u16, content_type: &str, description: &str) -> Self {
		self.responses.insert(
			status.to_string(),
			json!({"description": description, "content": {content_type: {
				"schema": {"type": "string", "contentMediaType": content_type},
			}}}),
		);
		self
	}

	/// An answer without a body.
	pub fn empty(mut self, status: u16, description: &str) -> Self {
		self.responses.insert(status.to_string(), json!({"description": description}));
		self
	}

	/// Error answers (`{"error": "..."}`), each with what it means.
	pub fn errors(mut self, errors: &[(u16, &str)]) -> Self {
		for (status, description) in errors {
			self = self.json::<ErrorBody>(*status, description);
		}
		self
	}

	/// Puts the operation in its document.
	pub fn add(mut self) {
		if !self.parameters.is_empty() {
			self.body.insert("parameters".into(), self.parameters.into());
		}
		self.body.insert("responses".into(), self.responses.into());
		let path = template(self.route);
		let item = self.document.paths.entry(path).or_insert_with(|| json!({}));
		item[self.method] = self.body.into();
	}
}

/// A handler answering `document` (serialized once), for `get(serve(&doc))`.
pub fn serve(
	document: &Value,
) -> impl FnOnce() -> std::future::Ready<axum::response::Response> + Clone + Send + Sync + 'static {
	use axum::response::IntoResponse;
	let body =
		axum::body::Bytes::from(serde_json::to_vec(document).expect("a JSON value serializes"));
	move || {
		std::future::ready(
			([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response(),
		)
	}
}

/// An axum route (`/media/:id`) as an OpenAPI path template (`/media/{id}`).
pub fn template(route: &str) -> String {
	route
		.split('/')
		.map(|s| match s.strip_prefix(':') {
			Some(name) => format!("{{{name}}}"),
			None => s.to_string(),
		})
		.collect::<Vec<_>>()
		.join("/")
}

/// `get_media_id_proof` for `GET /media/:id/proof`: unique per operation.
fn operation_id(method: &str, route: &str) -> String {
	let mut id = method.to_string();
	for part in route.split('/').filter(|s| !s.is_empty()) {
		id.push('_');
		id.extend(part.trim_start_matches(':').chars().map(|c| {
			if c.is_ascii_alphanumeric() {
				c
			} else {
				'_'
			}
		}));
	}
	id
}

/// The `(method, OpenAPI path)` pairs of a document, sorted.
pub fn operations(document: &Value) -> Vec<(String, String)> {
	let mut out = Vec::new();
	if let Some(paths) = document["paths"].as_object() {
		for (path, item) in paths {
			for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
				out.push((method.clone(), path.clone()));
			}
		}
	}
	out.sort();
	out
}

/// The `(method, OpenAPI path)` pairs a router's source declares, sorted: every
/// `.route("/path", get(..).head(..))` in `source` between the lines `start` and the
/// end of that router function (`Router::new()` … `.with_state`). Methods are the
/// `get`, `head`, `post`, `put`, `patch`, `delete` and `options` the route calls.
pub fn routes_in_source(source: &str, function: &str) -> Vec<(String, String)> {
	let start = source.find(&format!("fn {function}(")).unwrap_or(source.len());
	let body = &source[start..];
	let end = body.find(".with_state").unwrap_or(body.len());
	let mut out = Vec::new();
	for call in body[..end].split(".route(").skip(1) {
		// `.route("/path", …)`, the path perhaps on a line of its own.
		let Some(call) = call.trim_start().strip_prefix('"') else { continue };
		let Some((route, rest)) = call.split_once('"') else { continue };
		// The handlers: up to the route's closing parenthesis at depth zero.
		let mut depth = 1;
		let handlers: String = rest
			.chars()
			.take_while(|c| {
				match c {
					'(' => depth += 1,
					')' => depth -= 1,
					_ => {},
				}
				depth > 0
			})
			.collect();
		for method in ["get", "head", "post", "put", "patch", "delete", "options"] {
			let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
				i == 0
					|| !handlers.as_bytes()[i - 1].is_ascii_alphanumeric()
						&& handlers.as_bytes()[i - 1] != b'_'
			});
			if called {
				out.push((method.to_string(), template(route)));
			}
		}
	}
	out.sort();
	out
}

/// Compares `document` with the committed copy at `path` (pretty JSON); with
/// `PARATII_UPDATE_OPENAPI=<dir>` (what `scripts/update-openapi.sh` sets: the checkout's
/// `docs/openapi`, as tests may run in a copy of the tree) writes it there instead.
/// Panics with what to do when they differ (for tests).
pub fn check_committed(document: &Value, path: &std::path::Path) {
	let text = serde_json::to_string_pretty(document).expect("a JSON value serializes") + "\n";
	if let Some(dir) = std::env::var_os("PARATII_UPDATE_OPENAPI") {
		let name = path.file_name().expect("a committed document has a file name");
		let target = std::path::Path::new(&dir).join(name);
		std::fs::write(&target, &text)
			.unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
		return;
	}
	let committed = std::fs::read_to_string(path).unwrap_or_default();
	assert!(
		committed == text,
		"{} is not the API the code serves: run scripts/update-openapi.sh (it rewrites the \
		 committed documents and the web player's types)",
		path.display(),
	);
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn routes_are_read_from_a_router() {
		let source = r#"
fn other() -> Router { Router::new().route("/not", get(x)).with_state(s) }
fn api(gw: Gateway) -> Router {
	Router::new()
		.route("/media/:id", get(download::original).head(download::original))
		.route("/media/:id/link", axum::routing::post(download::link))
		.route("/uploads", post(upload::upload).layer(ConcurrencyLimitLayer::new(limit)))
		.route("/budget", get(forget))
		.route(
			"/tus/:id",
			axum::routing::patch(tus::patch).layer(uploading).head(tus::head).delete(tus::delete),
		)
		.with_state(gw)
}"#;
		let expected = [
			("delete", "/tus/{id}"),
			("get", "/budget"),
			("get", "/media/{id}"),
			("head", "/media/{id}"),
			("head", "/tus/{id}"),
			("patch", "/tus/{id}"),
			("post", "/media/{id}/link"),
			("post", "/uploads"),
		]
		.map(|(m, p)| (m.to_string(), p.to_string()));
		assert_eq!(routes_in_source(source, "api"), expected);
	}

	#[test]
	fn documents_list_their_operations_and_schemas() {
		let mut doc = Document::new("test", "a test");
		doc.operation("get", "/media/:id/proof", "a proof")
			.path_param("id", "the media id")
			.json::<crate::wire::MediaProof>(200, "the proof")
			.errors(&[(404, "no such item")])
			.add();
		doc.operation("head", "/media/:id/proof", "its headers").empty(200, "ok").add();
		let doc = doc.finish();
		assert_eq!(
			operations(&doc),
			[("get", "/media/{id}/proof"), ("get", "/openapi.json"), ("head", "/media/{id}/proof")]
				.map(|(m, p)| (m.to_string(), p.to_string()))
		);
		let get = &doc["paths"]["/media/{id}/proof"]["get"];
		assert_eq!(get["operationId"], "get_media_id_proof");
		assert_eq!(get["parameters"][0]["description"], "the media id");
		assert_eq!(
			get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
			"#/components/schemas/MediaProof"
		);
		let schemas = doc["components"]["schemas"].as_object().unwrap();
		for name in ["MediaProof", "ObjectProof", "ClusterProof", "Kind", "ErrorBody"] {
			assert!(schemas.contains_key(name), "{name} missing: {:?}", schemas.keys());
		}
	}
}
