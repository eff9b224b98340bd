//! `paratii-eth-rpc`: the Ethereum JSON-RPC server of Paratii chain.
//!
//! It is pallet-revive's eth-rpc server (`pallet-revive-eth-rpc`, the release that
//! pairs with our polkadot-sdk), built as part of this workspace so it shares the
//! node's dependency build and `Cargo.lock`. It connects to a `paratii-node` over
//! WebSocket (`--node-rpc-url`, default `ws://127.0.0.1:9944`), translates
//! `eth_*` calls into `Revive` runtime-API calls and `eth_transact` extrinsics, and
//! serves them on `--rpc-port` (default 8545) for MetaMask, ethers and viem.
//!
//! Run `paratii-eth-rpc --help` for the options; `scripts/dev.sh` starts it next to
//! the dev node.

fn main() -> anyhow::Result<()> {
	let cmd = pallet_revive_eth_rpc::cli::CliCommand::parse_cli()?;
	pallet_revive_eth_rpc::cli::run(cmd)
}
