//! Command-line types (clap). Dispatch lives in `command.rs`.

use sc_cli::RunCmd;

/// A subcommand of `paratii-node`. Without one, the node runs.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management utilities.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export the chain specification (`--chain dev|local|<file>`) as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Sub-commands concerned with benchmarking (`benchmark pallet` regenerates `weights.rs`).
	#[cfg(feature = "benchmark-cli")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Benchmarking: not in this build (`--features benchmark-cli`; scripts/benchmark.sh
	/// builds it).
	#[cfg(not(feature = "benchmark-cli"))]
	#[command(disable_help_flag = true)]
	Benchmark {
		/// Whatever was asked of it.
		#[arg(trailing_var_arg = true, allow_hyphen_values = true)]
		args: Vec<String>,
	},

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The `paratii-node` command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// Directory of wasmtime's cache of the compiled runtime [default: `wasmtime-cache`
	/// in the chain's data directory]. A node started again with the same runtime loads
	/// its machine code from here instead of compiling it; nodes of one machine may share
	/// one directory (the test command's nodes do, even with `--tmp`).
	#[arg(long, value_name = "DIR")]
	pub wasmtime_cache: Option<std::path::PathBuf>,
}
