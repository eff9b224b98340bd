//! The runtime's base weights, measured by `scripts/benchmark.sh overhead`
//! (`paratii-node benchmark overhead` on the release node): the cost of executing an empty
//! block and of a no-op extrinsic. `configs::RuntimeBlockWeights` charges them instead of the
//! SDK's defaults (5 ms per block, 125 µs per extrinsic), which were measured on other
//! hardware and another runtime.

pub mod block_weights;
pub mod extrinsic_weights;

pub use block_weights::BlockExecutionWeight;
pub use extrinsic_weights::ExtrinsicBaseWeight;
