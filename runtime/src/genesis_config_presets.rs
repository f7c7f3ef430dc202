//! Genesis presets: `development` (the one-node dev chain) and `local_testnet` (a local
//! relay chain with two collators).
//!
//! | preset | collators | oracle operators | funded | council | sudo | referenda tracks |
//! |---|---|---|---|---|---|---|
//! | `development` | Alice | Alice, Bob, Charlie | the six dev accounts | Alice, Bob, Charlie | Alice | `Dev` pace |
//! | `local_testnet` | Alice, Bob | Alice, Bob | the six dev accounts | Alice, Bob, Charlie | Alice | `Dev` pace |
//!
//! Both are test networks, so their referenda tracks run at the `Dev` pace (a referendum
//! passes in about 8 blocks). A production chain spec leaves `origins.pace` at its default,
//! `Production` (the periods of `configs::governance::tracks`).
//!
//! Both also hold the sample: dataset 0, scikit-learn's bundled `iris.csv`, and model 0,
//! `iris-classifier`, whose version 1 (`models/iris-logreg.onnx`, trained on dataset 0) is
//! active. Its golden vectors are the first cases of `models/iris-logreg.json`, the
//! onnxruntime reference outputs committed beside the model. It asks for two agreeing
//! operators, so it is served by committees of three with commit-reveal: on the dev chain
//! Alice, Bob and Charlie (whose `orcl` keys the dev node holds), so one liar cannot decide
//! a result; on the local testnet, whose operator set is the two collators, both must agree.

use alloc::{vec, vec::Vec};
use cumulus_primitives_core::ParaId;
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::{BlakeTwo256, Hash};

use crate::configs::governance::origins::pallet_governance_origins::TrackPace;
use aioracle_primitives::{
	dataset::LicenceFlags,
	model::{Aggregation, ElementType, GoldenVector, TensorSpec},
};
use pallet_inference_oracle::crypto::Public as OracleKey;
use pallet_model_registry::{GenesisModel, GenesisVersion, VersionProposal};

use crate::{
	AccountId, AuraId, Balance, BalancesConfig, CollatorSelectionConfig, CouncilMembershipConfig,
	DatasetProvenanceConfig, InferenceOracleConfig, ModelRegistryConfig, OriginsConfig,
	ParachainInfoConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig, UNIT,
};

/// The parachain id of both presets (the first id a local relay chain hands out).
pub const PARACHAIN_ID: u32 = 2000;

/// What each dev account starts with: one million AIO.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * UNIT;

/// The bond to become a collator candidate: 16 AIO.
pub const CANDIDACY_BOND: Balance = 16 * UNIT;

/// The sample model's ONNX bytes and reference outputs (see `models/README.md`).
pub const SAMPLE_MODEL_ONNX: &[u8] = include_bytes!("../../models/iris-logreg.onnx");
const SAMPLE_MODEL_REFERENCE: &str = include_str!("../../models/iris-logreg.json");

/// The sample dataset: scikit-learn 1.9.1's `sklearn/datasets/data/iris.csv` (2,734 bytes),
/// hashed as `aioracle-node dataset hash` does.
/// `0x06acbe603c9c2199df585e728885e17f7a4b23be601a4d0c65efa88baaae4cbf`.
const IRIS_CSV_HASH: [u8; 32] = [
	0x06, 0xac, 0xbe, 0x60, 0x3c, 0x9c, 0x21, 0x99, 0xdf, 0x58, 0x5e, 0x72, 0x88, 0x85, 0xe1, 0x7f,
	0x7a, 0x4b, 0x23, 0xbe, 0x60, 0x1a, 0x4d, 0x0c, 0x65, 0xef, 0xa8, 0x8b, 0xaa, 0xae, 0x4c, 0xbf,
];
const IRIS_CSV_SIZE: u64 = 2_734;

/// How many of the reference cases become golden vectors.
const SAMPLE_GOLDEN_VECTORS: usize = 3;

fn session_keys(aura: AuraId, oracle: OracleKey) -> SessionKeys {
	SessionKeys { aura, oracle }
}

/// A collator of the presets: its account, Aura key and `orcl` key, all from one dev seed.
struct Collator {
	account: AccountId,
	aura: AuraId,
	oracle: OracleKey,
}

fn collator(key: Sr25519Keyring) -> Collator {
	Collator {
		account: key.to_account_id(),
		aura: key.public().into(),
		oracle: key.public().into(),
	}
}

/// The sample model's version 1: its contract, built from the committed reference JSON;
/// a result needs `min_agreement` agreeing operators.
fn sample_version(min_agreement: u32) -> GenesisVersion<AccountId> {
	let reference: Value = serde_json::from_str(SAMPLE_MODEL_REFERENCE).unwrap_or_default();
	let scale = |name: &str| reference["fixed_point"][name].as_u64().unwrap_or(0) as u8;
	let ints = |v: &Value| -> Vec<i64> {
		v.as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default()
	};
	// Output 1 of the scikit-learn classifier: the class probabilities.
	let golden_vectors = reference["cases"]
		.as_array()
		.map(|cases| {
			cases
				.iter()
				.take(SAMPLE_GOLDEN_VECTORS)
				.map(|c| GoldenVector {
					input: ints(&c["input_fixed_point"]),
					output: ints(&c["outputs"][1]["fixed_point"]),
				})
				.collect()
		})
		.unwrap_or_default();
	let spec = |index, shape: Vec<u32>| TensorSpec {
		index,
		element_type: ElementType::F32,
		shape: frame_support::BoundedVec::truncate_from(shape),
	};
	GenesisVersion {
		proposal: VersionProposal {
			model_hash: <BlakeTwo256 as Hash>::hash(SAMPLE_MODEL_ONNX),
			uri: Vec::new(),
			inputs: vec![spec(0, vec![1, 4])],
			output: spec(1, vec![1, 3]),
			input_scale: scale("input_scale"),
			output_scale: scale("output_scale"),
			// Ten millionths of probability.
			aggregation: Aggregation::Median { tolerance: 10 },
			min_agreement,
			training_datasets: vec![0],
			commercial_use: false,
			golden_vectors,
			training_run: None,
		},
		size_bytes: SAMPLE_MODEL_ONNX.len() as u32,
		active: true,
	}
}

/// The sample version's `min_agreement`: committees of three.
const SAMPLE_MIN_AGREEMENT: u32 = 2;

fn genesis(
	collators: Vec<Collator>,
	operators: Vec<Sr25519Keyring>,
	endowed: Vec<AccountId>,
	council: Vec<AccountId>,
	root: AccountId,
	id: ParaId,
	pace: TrackPace,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|k| (k, DEV_ENDOWMENT)).collect::<Vec<_>>(),
		},
		parachain_info: ParachainInfoConfig { parachain_id: id },
		collator_selection: CollatorSelectionConfig {
			invulnerables: collators.iter().map(|c| c.account.clone()).collect::<Vec<_>>(),
			candidacy_bond: CANDIDACY_BOND,
		},
		session: SessionConfig {
			keys: collators
				.iter()
				.map(|c| {
					(c.account.clone(), c.account.clone(), session_keys(c.aura.clone(), c.oracle.clone()))
				})
				.collect::<Vec<_>>(),
		},
		dataset_provenance: DatasetProvenanceConfig {
			datasets: vec![(
				root.clone(),
				IRIS_CSV_HASH.into(),
				IRIS_CSV_SIZE,
				b"https://archive.ics.uci.edu/dataset/53/iris".to_vec(),
				b"CC-BY-4.0".to_vec(),
				LicenceFlags { commercial_use: true, derivatives: true, share_alike: false },
			)],
		},
		model_registry: ModelRegistryConfig {
			models: vec![GenesisModel {
				owner: root.clone(),
				name: b"iris-classifier".to_vec(),
				description: b"Iris species from 4 flower measurements (cm); outputs the probabilities of setosa, versicolor, virginica.".to_vec(),
				versions: vec![sample_version(SAMPLE_MIN_AGREEMENT)],
			}],
		},
		inference_oracle: InferenceOracleConfig {
			operators: operators
				.iter()
				.map(|k| (k.to_account_id(), OracleKey::from(k.public())))
				.collect::<Vec<_>>(),
		},
		council_membership: CouncilMembershipConfig {
			members: frame_support::BoundedVec::truncate_from(council),
		},
		sudo: SudoConfig { key: Some(root) },
		origins: OriginsConfig { pace },
	})
}

fn dev_accounts() -> Vec<AccountId> {
	use Sr25519Keyring::*;
	[Alice, Bob, Charlie, Dave, Eve, Ferdie].iter().map(|k| k.to_account_id()).collect()
}

fn council_keys() -> Vec<Sr25519Keyring> {
	vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
}

fn council() -> Vec<AccountId> {
	council_keys().iter().map(|k| k.to_account_id()).collect()
}

fn development() -> Value {
	genesis(
		vec![collator(Sr25519Keyring::Alice)],
		council_keys(),
		dev_accounts(),
		council(),
		Sr25519Keyring::Alice.to_account_id(),
		PARACHAIN_ID.into(),
		TrackPace::Dev,
	)
}

fn local_testnet() -> Value {
	genesis(
		vec![collator(Sr25519Keyring::Alice), collator(Sr25519Keyring::Bob)],
		vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob],
		dev_accounts(),
		council(),
		Sr25519Keyring::Alice.to_account_id(),
		PARACHAIN_ID.into(),
		TrackPace::Dev,
	)
}

/// The JSON patch of the preset `id`, or `None` if there is no such preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
