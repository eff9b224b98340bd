//! The node's RPC: the standard Substrate modules (chain, state, author, system —
//! added by sc-service) plus the ones merged here: account nonces and fees, `mmr_*`
//! (MMR roots and proofs) and `beefy_*` (BEEFY finality: the signed commitments the
//! Ethereum bridge relays). Custom modules of Paratii's own pallets join `create_full`
//! as they appear.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use paratii_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash, Nonce};
use sc_consensus_beefy::communication::notification::{
	BeefyBestBlockStream, BeefyVersionedFinalityProofStream,
};
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_consensus_beefy::ecdsa_crypto::AuthorityId as BeefyId;

/// What the `beefy_*` RPC needs: the BEEFY voter's streams.
pub struct BeefyDeps {
	/// BEEFY justifications of finalized blocks.
	pub finality_proof_stream: BeefyVersionedFinalityProofStream<Block, BeefyId>,
	/// The best BEEFY-finalized block.
	pub best_block_stream: BeefyBestBlockStream<Block>,
	/// Runs the subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
}

/// What the RPC modules need from the node.
pub struct FullDeps<C, P, B> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
	/// The database backend: the MMR's leaves live in its offchain storage.
	pub backend: Arc<B>,
	/// BEEFY's streams.
	pub beefy: BeefyDeps,
}

/// Instantiate all full RPC extensions.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: mmr_rpc::MmrRuntimeApi<Block, Hash, BlockNumber>,
	P: TransactionPool + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
{
	use mmr_rpc::{Mmr, MmrApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sc_consensus_beefy_rpc::{Beefy, BeefyApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, backend, beefy } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	let offchain_storage = backend
		.offchain_storage()
		.ok_or("the database backend has no offchain storage for the MMR")?;
	module.merge(Mmr::<_, (Block, Hash), _>::new(client, offchain_storage).into_rpc())?;
	module.merge(
		Beefy::<Block, BeefyId>::new(
			beefy.finality_proof_stream,
			beefy.best_block_stream,
			beefy.subscription_executor,
		)?
		.into_rpc(),
	)?;

	Ok(module)
}
