//! Compiles the runtime to wasm (substrate-wasm-builder) when the `std` feature is on.

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	// The block time's build-time override (src/lib.rs); the wasm build inherits it.
	println!("cargo:rerun-if-env-changed=PARATII_BLOCK_MS");
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("PTI", 18)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	println!("cargo:rerun-if-env-changed=PARATII_BLOCK_MS");
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

#[cfg(not(feature = "std"))]
fn main() {}
