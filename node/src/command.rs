//! Subcommand dispatch: runs the node or one of the sc-cli / benchmark commands.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
#[cfg(feature = "benchmark-cli")]
use frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE};
use paratii_runtime::opaque::Block;
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Paratii Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	// `--help` shows this (sc-cli sets `after_help` to the support URL itself).
	fn description() -> String {
		format!(
			"{}\n\nDatabase: ParityDB (`<base-path>/chains/<id>/paritydb`), the only one built in.\n\
			 Chains: `--dev`, `--chain local`, `--chain production:<validators.json>` (see \
			 the README's \"Run a real network\"), or a chain-spec JSON file.",
			env!("CARGO_PKG_DESCRIPTION")
		)
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://example.invalid/paratii-chain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development_chain_spec()?),
			"" | "local" => Box::new(chain_spec::local_chain_spec()?),
			"production" => {
				return Err("`--chain production` needs the validators: \
					`--chain production:<validators.json>` (see the README's \"Run a real network\")"
					.into())
			},
			id if id.starts_with("production:") => {
				Box::new(chain_spec::production_chain_spec(&id["production:".len()..])?)
			},
			path => {
				Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?)
			},
		})
	}
}

/// ParityDB unless `--database` says otherwise. The workspace builds sc-cli without its
/// `rocksdb` feature (our copy of the eth-rpc server no longer turns it on, see
/// `vendor/pallet-revive-eth-rpc`), so ParityDB is sc-cli's default too; it is still set
/// here, so that a dependency turning the feature back on cannot switch the database the
/// README documents and `--help` names.
fn parity_db_by_default(params: &mut sc_cli::DatabaseParams) {
	params.database.get_or_insert(sc_cli::Database::ParityDb);
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let mut cli = Cli::from_args();
	parity_db_by_default(&mut cli.run.import_params.database_params);
	match &mut cli.subcommand {
		Some(Subcommand::CheckBlock(cmd)) => {
			parity_db_by_default(&mut cmd.import_params.database_params)
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			parity_db_by_default(&mut cmd.import_params.database_params)
		},
		Some(Subcommand::ExportBlocks(cmd)) => parity_db_by_default(&mut cmd.database_params),
		Some(Subcommand::ExportState(cmd)) => parity_db_by_default(&mut cmd.database_params),
		Some(Subcommand::PurgeChain(cmd)) => parity_db_by_default(&mut cmd.database_params),
		Some(Subcommand::Revert(cmd)) => parity_db_by_default(&mut cmd.database_params),
		Some(Subcommand::ChainInfo(cmd)) => parity_db_by_default(&mut cmd.database_params),
		_ => {},
	}

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config, None)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } =
					service::new_partial(&config, None)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } =
					service::new_partial(&config, None)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config, None)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config, None)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		#[cfg(not(feature = "benchmark-cli"))]
		Some(Subcommand::Benchmark { .. }) => Err("`paratii-node benchmark` is not in this build: \
			rebuild the node with `--features benchmark-cli` (scripts/benchmark.sh does)"
			.into()),
		#[cfg(feature = "benchmark-cli")]
		Some(Subcommand::Benchmark(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| match cmd {
				BenchmarkCmd::Pallet(cmd) => {
					if !cfg!(feature = "runtime-benchmarks") {
						return Err("Runtime benchmarking was not enabled when this node was \
							built. Rebuild it with `--features runtime-benchmarks`."
							.into());
					}
					cmd.run_with_spec::<sp_runtime::traits::HashingFor<Block>, ()>(Some(
						config.chain_spec,
					))
				},
				BenchmarkCmd::Block(cmd) => {
					let PartialComponents { client, .. } = service::new_partial(&config, None)?;
					cmd.run(client)
				},
				#[cfg(not(feature = "runtime-benchmarks"))]
				BenchmarkCmd::Storage(_) => Err("Storage benchmarking needs a node built with \
					`--features runtime-benchmarks`."
					.into()),
				#[cfg(feature = "runtime-benchmarks")]
				BenchmarkCmd::Storage(cmd) => {
					let PartialComponents { client, backend, .. } =
						service::new_partial(&config, None)?;
					let db = backend.expose_db();
					let storage = backend.expose_storage();
					let shared_cache = backend.expose_shared_trie_cache();
					cmd.run(config, client, db, storage, shared_cache)
				},
				// The block and extrinsic base weights (runtime/src/weights/): empty blocks and
				// blocks of `system.remark`s built on the chain spec's genesis.
				BenchmarkCmd::Overhead(cmd) => {
					cmd.run_with_default_builder_and_spec::<Block, ()>(Some(config.chain_spec))
				},
				BenchmarkCmd::Extrinsic(_) => Err("`benchmark extrinsic` is not wired into \
					paratii-node; `benchmark pallet` measures calls and `benchmark overhead` \
					the per-extrinsic base."
					.into()),
				BenchmarkCmd::Machine(cmd) => {
					cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone())
				},
			})
		},
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let wasmtime_cache = cli.wasmtime_cache.clone();
			runner.run_node_until_exit(|mut config| async move {
				// pallet-mmr writes each block's MMR leaf through offchain indexing; MMR
				// proofs (`mmr_generateProof`, the Ethereum bridge) need it from block 1, and
				// turning it on later cannot backfill, so it is always on.
				config.offchain_worker.indexing_enabled = true;
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => {
						service::new_full::<
							sc_network::NetworkWorker<
								Block,
								<Block as sp_runtime::traits::Block>::Hash,
							>,
						>(config, wasmtime_cache.as_deref())
						.map_err(sc_cli::Error::Service)
					},
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(
							config,
							wasmtime_cache.as_deref(),
						)
						.map_err(sc_cli::Error::Service)
					},
				}
			})
		},
	}
}
