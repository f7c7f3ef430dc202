//! Builds the runtime to wasm with substrate-wasm-builder.

/// The target directory lives outside the clone (~/.cache/aioracle/target), where
/// wasm-builder cannot find the workspace's Cargo.lock by walking up from OUT_DIR: point
/// it at the workspace, so the wasm runtime is built with exactly the locked versions.
/// Set here rather than in .cargo/config.toml so that it applies to this runtime only
/// (dependencies with wasm builds of their own must not see our workspace).
#[cfg(feature = "std")]
fn hint_workspace() {
	if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
		// Read when the script runs, not with `env!` when it is compiled: cargo reuses a
		// compiled build script across clones sharing the target directory, and a path
		// baked in at compile time would point into whichever clone built it first.
		if let Some(runtime_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
			if let Some(workspace) = std::path::Path::new(&runtime_dir).parent() {
				std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
			}
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
