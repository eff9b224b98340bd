//! Rebuilds the crate when the committed runtime metadata changes: the `subxt` macro
//! reads `metadata/paratii.scale` at compile time, which cargo does not track by itself.
fn main() {
	println!("cargo:rerun-if-changed=metadata/paratii.scale");
}
