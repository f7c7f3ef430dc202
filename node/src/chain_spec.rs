//! Chain specifications: the built-in presets and chain-spec files.

use aioracle_primitives::{currency, SS58_PREFIX};
use aioracle_runtime::genesis_config_presets::PARACHAIN_ID;
use sc_chain_spec::{ChainSpecExtension, ChainSpecGroup, ChainType};
use serde::{Deserialize, Serialize};

/// The chain-spec extensions a parachain node needs: which relay chain, which para id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ChainSpecGroup, ChainSpecExtension)]
#[serde(rename_all = "camelCase")]
pub struct Extensions {
	/// The relay chain this parachain runs on (its chain-spec id).
	#[serde(alias = "relay_chain", alias = "RelayChain")]
	pub relay_chain: String,
	/// The parachain id.
	#[serde(alias = "para_id", alias = "ParaId")]
	pub para_id: u32,
}

impl Extensions {
	/// The extensions of `chain_spec`, if it has them.
	#[cfg_attr(not(feature = "collator"), allow(dead_code))]
	pub fn try_get(chain_spec: &dyn sc_service::ChainSpec) -> Option<&Self> {
		sc_chain_spec::get_extension(chain_spec.extensions())
	}
}

/// A chain spec of the aioracle runtime.
pub type ChainSpec = sc_service::GenericChainSpec<Extensions>;

/// The built-in chains and the runtime preset each one uses.
const BUILT_IN: &[(&[&str], &str)] = &[
	(&["dev", "development"], sp_genesis_builder::DEV_RUNTIME_PRESET),
	(&["local", "local_testnet", ""], sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
];

/// Token symbol, decimals and SS58 prefix, so wallets show amounts and addresses right.
fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), currency::SYMBOL.into());
	properties.insert("tokenDecimals".into(), currency::DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	aioracle_runtime::WASM_BINARY.ok_or_else(|| {
		"the runtime wasm is missing: this node was built with SKIP_WASM_BUILD".to_string()
	})
}

fn spec(name: &str, id: &str, chain_type: ChainType, preset: &str) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(
		wasm()?,
		Extensions { relay_chain: "rococo-local".into(), para_id: PARACHAIN_ID },
	)
	.with_name(name)
	.with_id(id)
	.with_protocol_id(id)
	.with_chain_type(chain_type)
	.with_genesis_config_preset_name(preset)
	.with_properties(properties())
	.build())
}

/// The development chain: one node, Alice collates, blocks by manual seal.
pub fn development() -> Result<ChainSpec, String> {
	spec(
		"aioracle Development",
		"aioracle_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// The local testnet: Alice and Bob collate for a local relay chain.
pub fn local_testnet() -> Result<ChainSpec, String> {
	spec(
		"aioracle Local Testnet",
		"aioracle_local_testnet",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// Loads `--chain ID`: a built-in preset name, or the path of a chain-spec JSON file.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	let preset = BUILT_IN.iter().find(|(names, _)| names.contains(&id)).map(|(_, p)| *p);
	match preset {
		Some(sp_genesis_builder::DEV_RUNTIME_PRESET) => Ok(Box::new(development()?)),
		Some(_) => Ok(Box::new(local_testnet()?)),
		None => {
			let path = std::path::PathBuf::from(id);
			if !path.exists() {
				let known: Vec<&str> = BUILT_IN
					.iter()
					.flat_map(|(names, _)| names.iter().copied())
					.filter(|n| !n.is_empty())
					.collect();
				return Err(format!(
					"unknown chain `{id}`: not a built-in chain ({}) and no chain-spec file at that path",
					known.join(", ")
				));
			}
			Ok(Box::new(ChainSpec::from_json_file(path)?))
		}
	}
}
