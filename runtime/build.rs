//! Builds the runtime to wasm with substrate-wasm-builder.

/// The target directory lives outside the clone (~/.cache/aioracle/target), where
/// wasm-builder cannot find the workspace's Cargo.lock by walking up from OUT_DIR: point
/// it at the workspace, so the wasm runtime is built with exactly the locked versions.
/// Set here rather than in .cargo/config.toml so that it applies to this runtime only
/// (dependencies with wasm builds of their own must not see our workspace).
#[cfg(feature = "std")]
fn hint_workspace() {
	if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
		let runtime_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
		if let Some(workspace) = runtime_dir.parent() {
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		}
	}
}

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	hint_workspace();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("AIO", 12)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	hint_workspace();
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is a std-only build dependency: nothing to do when building to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
