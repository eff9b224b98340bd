//! The public JSON-RPC endpoint, in front of pallet-revive's server.
//!
//! pallet-revive-eth-rpc 0.24 answers every transaction the pool rejects with JSON-RPC
//! error `1010` "Invalid Transaction" and drops the reason, so ethers reports "could not
//! coalesce error" and MetaMask an unknown error. Its server is built inside
//! `cli::run`, with no way to change an answer, so this front serves the port the user
//! asked for (HTTP and WebSocket, with the same CORS policy), runs the upstream server
//! on a loopback port, and passes every call and subscription through unchanged —
//! except `eth_sendRawTransaction`, whose rejections it explains as geth does:
//!
//! | the fault                          | answer (code `-32000`, like geth)                        |
//! |------------------------------------|----------------------------------------------------------|
//! | signed for another chain           | `invalid chain id: have 1 want 7272844`                  |
//! | max fee below the base fee         | `max fee per gas less than block base fee: address …`    |
//! | a nonce already used               | `nonce too low: address …, tx: 4 state: 5`               |
//! | too little PTI for gas and value   | `insufficient funds for gas * price + value: balance …`  |
//!
//! ethers maps the last two to `NONCE_EXPIRED` and `INSUFFICIENT_FUNDS`, as it does for
//! geth. The chain id and the fee are checked before the transaction is submitted (the
//! runtime would take a fee below the base fee and charge the base fee); the nonce and
//! the balance are looked up only when the pool has rejected it, so accepted
//! transactions cost no extra round trip.

use anyhow::{anyhow, Context};
use jsonrpsee::{
	core::{client::ClientT, client::SubscriptionClientT, traits::ToRpcParams, ClientError},
	rpc_params,
	server::{PendingSubscriptionSink, RpcModule, Server, ServerHandle, SubscriptionMessage},
	types::{ErrorObjectOwned, Params},
	ws_client::{WsClient, WsClientBuilder},
};
use pallet_revive::evm::{GenericTransaction, TransactionSigned, U256};
use pallet_revive_eth_rpc::cli::CliCommand;
use serde_json::value::RawValue;
use std::{
	net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener},
	sync::Arc,
	time::Duration,
};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The port upstream serves by default, which the front takes over.
const DEFAULT_PORT: u16 = 8545;
/// The code geth answers transaction-pool rejections with.
const GETH_TX_ERROR: i32 = -32000;
/// How long the front waits for the upstream server to answer at start.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(300);

/// Where and how the front serves, taken from the command line.
pub struct Front {
	addrs: Vec<SocketAddr>,
	upstream: String,
	cors: Option<Vec<String>>,
	max_connections: u32,
	max_request_bytes: u32,
	max_response_bytes: u32,
}

impl Front {
	/// Takes the public endpoint from `cmd` and points upstream at a free loopback port.
	pub fn configure(cmd: &mut CliCommand) -> anyhow::Result<Self> {
		let rpc = &mut cmd.rpc_params;
		anyhow::ensure!(
			rpc.experimental_rpc_endpoint.is_empty(),
			"--experimental-rpc-endpoint is not supported by paratii-eth-rpc: use --rpc-port \
			 and --rpc-external"
		);
		let is_dev = cmd.shared_params.dev;
		let port = rpc.rpc_port.unwrap_or(DEFAULT_PORT);
		let addrs = if rpc.rpc_external || rpc.unsafe_rpc_external {
			vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port)]
		} else {
			vec![
				SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
				SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
			]
		};
		let cors = rpc.rpc_cors(is_dev).map_err(|e| anyhow!("--rpc-cors: {e}"))?;
		let internal = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port();
		let front = Self {
			addrs,
			upstream: format!("ws://127.0.0.1:{internal}"),
			cors,
			max_connections: rpc.rpc_max_connections,
			max_request_bytes: rpc.rpc_max_request_size.saturating_mul(1024 * 1024),
			max_response_bytes: rpc.rpc_max_response_size.saturating_mul(1024 * 1024),
		};
		rpc.rpc_port = Some(internal);
		rpc.rpc_external = false;
		rpc.unsafe_rpc_external = false;
		Ok(front)
	}

	/// Serves the front on its own thread and runtime once upstream answers; the process
	/// ends with upstream (`cli::run` returns on Ctrl-C or SIGTERM).
	pub fn spawn(self) -> anyhow::Result<()> {
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.worker_threads(2)
			.thread_name("eth-rpc-front")
			.enable_all()
			.build()?;
		std::thread::Builder::new().name("eth-rpc-front".into()).spawn(move || {
			runtime.block_on(async move {
				match self.serve().await {
					Ok(handles) => {
						for handle in handles {
							handle.stopped().await;
						}
					},
					Err(e) => {
						eprintln!("error: the Ethereum JSON-RPC endpoint could not start: {e:#}");
						std::process::exit(1);
					},
				}
			})
		})?;
		Ok(())
	}

	async fn serve(self) -> anyhow::Result<Vec<ServerHandle>> {
		let builder = WsClientBuilder::default()
			.max_request_size(self.max_request_bytes)
			.max_response_size(self.max_response_bytes)
			.max_concurrent_requests(4096)
			.request_timeout(Duration::from_secs(600));
		let client = crate::connect_ws(
			&self.upstream,
			builder,
			"the eth-rpc server",
			Duration::from_millis(200),
			UPSTREAM_TIMEOUT,
		)
		.await?;
		let chain_id: String = client.request("eth_chainId", rpc_params![]).await?;
		let upstream = Upstream {
			chain_id: parse_quantity("eth_chainId", &chain_id)
				.map_err(|e| anyhow!(e.to_string()))?,
			client,
		};
		let module = module(upstream).await?;
		let cors = cors_layer(self.cors.as_deref())?;
		let mut handles = Vec::new();
		for addr in &self.addrs {
			let server = Server::builder()
				.max_connections(self.max_connections)
				.max_request_body_size(self.max_request_bytes)
				.max_response_body_size(self.max_response_bytes)
				.set_http_middleware(tower::ServiceBuilder::new().layer(cors.clone()))
				.build(addr)
				.await;
			match server {
				Ok(server) => {
					eprintln!("💻 Ethereum JSON-RPC on http://{addr} and ws://{addr}");
					handles.push(server.start(module.clone()));
				},
				// IPv6 may be off on this host; the IPv4 address is enough.
				Err(e) if addr.is_ipv6() && !handles.is_empty() => {
					eprintln!("💻 not listening on {addr}: {e}");
				},
				Err(e) => return Err(anyhow!("cannot listen on {addr}: {e}")),
			}
		}
		Ok(handles)
	}
}

/// The upstream server, over one WebSocket connection.
struct Upstream {
	client: WsClient,
	chain_id: U256,
}

/// A call's parameters, passed on exactly as received.
struct RawParams(Option<Box<RawValue>>);

impl ToRpcParams for RawParams {
	fn to_rpc_params(self) -> Result<Option<Box<RawValue>>, serde_json::Error> {
		Ok(self.0)
	}
}

fn raw_params(params: &Params<'_>) -> Result<RawParams, ErrorObjectOwned> {
	params
		.as_str()
		.map(|p| RawValue::from_string(p.to_owned()))
		.transpose()
		.map(RawParams)
		.map_err(|e| ErrorObjectOwned::owned(-32602, e.to_string(), None::<()>))
}

/// An upstream answer as the front's: call errors unchanged, transport errors as
/// internal errors.
fn passed_on(err: ClientError) -> ErrorObjectOwned {
	match err {
		ClientError::Call(err) => err,
		other => ErrorObjectOwned::owned(-32603, format!("eth-rpc: {other}"), None::<()>),
	}
}

impl Upstream {
	async fn forward(
		&self,
		method: &str,
		params: RawParams,
	) -> Result<Box<RawValue>, ErrorObjectOwned> {
		self.client.request(method, params).await.map_err(passed_on)
	}

	async fn quantity(&self, method: &str, params: RawParams) -> Result<U256, ErrorObjectOwned> {
		let value: String = self.client.request(method, params).await.map_err(passed_on)?;
		parse_quantity(method, &value)
	}

	/// `eth_sendRawTransaction`: the chain id and fee checked first, then submitted; a
	/// rejection is explained as geth would.
	async fn send_raw_transaction(
		&self,
		params: Params<'_>,
	) -> Result<Box<RawValue>, ErrorObjectOwned> {
		let checked = self.inspect(&params).await;
		if let Some(Inspected { fault: Some(fault), .. }) = &checked {
			return Err(geth_error(fault.clone()));
		}
		match self.forward("eth_sendRawTransaction", raw_params(&params)?).await {
			Ok(hash) => Ok(hash),
			Err(rejected) => match checked {
				Some(tx) => Err(self.explain(&tx).await.map(geth_error).unwrap_or(rejected)),
				None => Err(rejected),
			},
		}
	}

	/// Decodes the transaction and checks what needs no account state.
	async fn inspect(&self, params: &Params<'_>) -> Option<Inspected> {
		let raw: String = params.sequence().next().ok()?;
		let bytes = hex::decode(raw.trim_start_matches("0x")).ok()?;
		let signed = TransactionSigned::decode(&bytes).ok()?;
		let from = signed.recover_eth_address().ok()?;
		let base_fee = self.quantity("eth_gasPrice", RawParams(None)).await.ok()?;
		let tx = GenericTransaction::from_signed(signed, base_fee, Some(from));
		let fee_cap = tx.max_fee_per_gas.or(tx.gas_price).unwrap_or_default();
		let fault = match tx.chain_id {
			Some(have) if have != self.chain_id => {
				Some(format!("invalid chain id: have {have} want {}", self.chain_id))
			},
			_ if fee_cap < base_fee => Some(format!(
				"max fee per gas less than block base fee: address {from:?}, maxFeePerGas: \
				 {fee_cap}, baseFee: {base_fee}"
			)),
			_ => None,
		};
		Some(Inspected { tx, from: format!("{from:?}"), fee_cap, fault })
	}

	/// Why the pool refused `tx`, in geth's words, if the account's state says.
	async fn explain(&self, inspected: &Inspected) -> Option<String> {
		let Inspected { tx, from, fee_cap, .. } = inspected;
		let params = || RawParams(serde_json::value::to_raw_value(&(from, "latest")).ok());
		let state = self.quantity("eth_getTransactionCount", params()).await.ok()?;
		let nonce = tx.nonce.unwrap_or_default();
		if nonce < state {
			return Some(format!("nonce too low: address {from}, tx: {nonce} state: {state}"));
		}
		let balance = self.quantity("eth_getBalance", params()).await.ok()?;
		let cost = tx
			.gas
			.unwrap_or_default()
			.saturating_mul(*fee_cap)
			.saturating_add(tx.value.unwrap_or_default());
		(balance < cost).then(|| {
			format!(
				"insufficient funds for gas * price + value: balance {balance}, tx cost {cost}, \
				 overshot {}",
				cost - balance
			)
		})
	}
}

/// A decoded transaction, its sender and its fee cap; `fault` when it is refused before
/// being submitted.
struct Inspected {
	tx: GenericTransaction,
	from: String,
	fee_cap: U256,
	fault: Option<String>,
}

/// An Ethereum JSON-RPC quantity (`0x`-prefixed hex) that `method` answered.
fn parse_quantity(method: &str, value: &str) -> Result<U256, ErrorObjectOwned> {
	U256::from_str_radix(value.trim_start_matches("0x"), 16)
		.map_err(|e| ErrorObjectOwned::owned(-32603, format!("{method}: {e:?}"), None::<()>))
}

fn geth_error(message: String) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(GETH_TX_ERROR, message, None::<()>)
}

/// Every upstream method and subscription, passed through; `eth_sendRawTransaction`
/// explained.
async fn module(upstream: Upstream) -> anyhow::Result<RpcModule<Upstream>> {
	#[derive(serde::Deserialize)]
	struct Methods {
		methods: Vec<String>,
	}
	let methods: Methods = upstream
		.client
		.request("rpc_methods", rpc_params![])
		.await
		.context("listing the eth-rpc server's methods")?;
	let mut module = RpcModule::new(upstream);
	for name in methods.methods {
		// Names live as long as the process; there are a few dozen.
		let name: &'static str = Box::leak(name.into_boxed_str());
		match name {
			"eth_subscribe" => {
				module.register_subscription(
					"eth_subscribe",
					"eth_subscription",
					"eth_unsubscribe",
					|params, pending, upstream, _| async move {
						forward_subscription(params, pending, upstream).await;
						Ok(())
					},
				)?;
			},
			"eth_unsubscribe" | "eth_subscription" => {},
			"eth_sendRawTransaction" => {
				module.register_async_method(name, |params, upstream, _| async move {
					upstream.send_raw_transaction(params).await
				})?;
			},
			_ => {
				module.register_async_method(name, move |params, upstream, _| async move {
					upstream.forward(name, raw_params(&params)?).await
				})?;
			},
		}
	}
	Ok(module)
}

async fn forward_subscription(
	params: Params<'static>,
	pending: PendingSubscriptionSink,
	upstream: Arc<Upstream>,
) {
	let params = match raw_params(&params) {
		Ok(params) => params,
		Err(e) => return pending.reject(e).await,
	};
	let subscribed = upstream
		.client
		.subscribe::<Box<RawValue>, _>("eth_subscribe", params, "eth_unsubscribe")
		.await;
	let mut items = match subscribed {
		Ok(items) => items,
		Err(e) => return pending.reject(passed_on(e)).await,
	};
	let Ok(sink) = pending.accept().await else { return };
	while let Some(Ok(item)) = items.next().await {
		let Ok(message) = SubscriptionMessage::from_json(&item) else { break };
		if sink.send(message).await.is_err() {
			break;
		}
	}
}

/// The `--rpc-cors` policy: `None` allows every origin; entries ending in `:*` allow
/// any port, as the node's RPC server does.
fn cors_layer(origins: Option<&[String]>) -> anyhow::Result<CorsLayer> {
	let layer = CorsLayer::new()
		.allow_methods([http::Method::POST, http::Method::GET, http::Method::OPTIONS])
		.allow_headers([http::header::CONTENT_TYPE]);
	let Some(origins) = origins else {
		return Ok(layer.allow_origin(AllowOrigin::any()));
	};
	let origins: Vec<String> = origins.to_vec();
	Ok(layer.allow_origin(AllowOrigin::predicate(move |origin, _| {
		let Ok(origin) = origin.to_str() else { return false };
		origins.iter().any(|allowed| match allowed.strip_suffix(":*") {
			Some(prefix) => origin
				.strip_prefix(prefix)
				.and_then(|rest| rest.strip_prefix(':'))
				.is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())),
			None => origin == allowed,
		})
	})))
}
