//! Builds the runtime to wasm with substrate-wasm-builder.

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("AIO", 12)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is a std-only build dependency: nothing to do when building to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
