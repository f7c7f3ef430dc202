//! Blocks as a collator builds them, on the real runtime: `Executive::initialize_block`
//! with an Aura pre-digest, the parachain and timestamp inherents of a consistent mocked
//! relay chain, the extrinsics, and `Executive::finalize_block` (`on_idle`, `on_finalize`).
//!
//! The relay chain is mocked as `aioracle-node --dev` mocks it: parachain block `n` claims
//! relay slot `n` (one relay block per parachain block), includes its parent, and the
//! timestamp is that slot's start, so the Aura slot derived from it is the relay slot.

use aioracle_runtime::{
	async_backing::RELAY_CHAIN_SLOT_DURATION_MILLIS, genesis_config_presets, Executive, Header,
	Runtime, RuntimeCall, RuntimeGenesisConfig, UncheckedExtrinsic,
};
use codec::Encode;
use cumulus_primitives_core::{
	relay_chain::{HeadData, Slot},
	ParaId, PersistedValidationData,
};
use cumulus_primitives_parachain_inherent::{MessageQueueChain, ParachainInherentData};
use cumulus_test_relay_sproof_builder::RelayStateSproofBuilder;
use frame_support::inherent::ProvideInherent;
use sp_runtime::{
	traits::{Hash, Header as _},
	ApplyExtrinsicResult, BuildStorage, Digest, DigestItem,
};

/// The genesis storage of the `development` preset (the dev chain's).
pub fn development_genesis() -> sp_core::storage::Storage {
	let patch = genesis_config_presets::get_preset(&sp_genesis_builder::DEV_RUNTIME_PRESET.into())
		.expect("the development preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializable");
	merge(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let mut config: RuntimeGenesisConfig =
		serde_json::from_value(config).expect("a genesis config");
	// Two more funded accounts beside the six dev ones, so that eight operators can serve
	// a dispute's round and still leave someone to dispute.
	let endowment = aioracle_runtime::genesis_config_presets::DEV_ENDOWMENT;
	for extra in crate::actions::ACCOUNTS.iter().skip(6) {
		config.balances.balances.push((extra.to_account_id(), endowment));
	}
	config.build_storage().expect("the development genesis builds")
}

/// Merges a genesis preset's JSON patch into the full default genesis config.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// The chain being built: the last finalized header.
pub struct Chain {
	parent: Option<Header>,
	para_id: ParaId,
}

impl Chain {
	/// A chain at genesis (inside the genesis externalities).
	pub fn new() -> Self {
		let para_id = parachain_info_id();
		Self { parent: None, para_id }
	}

	/// The number of the block being built (after [`Self::start_block`]).
	pub fn number(&self) -> u32 {
		self.parent.as_ref().map_or(0, |h| *h.number()) + 1
	}

	/// Starts the next block: initializes it and applies its inherents.
	pub fn start_block(&mut self) {
		let number = self.number();
		let parent_hash = match &self.parent {
			Some(header) => header.hash(),
			None => frame_system::Pallet::<Runtime>::block_hash(0),
		};
		let relay_slot = u64::from(number);
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(
				sp_consensus_aura::AURA_ENGINE_ID,
				Slot::from(relay_slot).encode(),
			)],
		};
		let header =
			Header::new(number, Default::default(), Default::default(), parent_hash, digest);
		Executive::initialize_block(&header);

		let mut inherents = sp_inherents::InherentData::new();
		inherents
			.put_data(
				cumulus_primitives_parachain_inherent::INHERENT_IDENTIFIER,
				&self.validation_data(number, relay_slot),
			)
			.expect("inherent data is encodable");
		let moment = relay_slot * u64::from(RELAY_CHAIN_SLOT_DURATION_MILLIS);
		inherents.put_data(sp_timestamp_identifier(), &moment).expect("inherent data is encodable");
		let validation = cumulus_pallet_parachain_system_inherent(&inherents);
		let timestamp = pallet_timestamp::Pallet::<Runtime>::create_inherent(&inherents)
			.expect("a timestamp inherent");
		for call in [validation, RuntimeCall::Timestamp(timestamp)] {
			let applied = Executive::apply_extrinsic(UncheckedExtrinsic::new_bare(call));
			assert!(matches!(applied, Ok(Ok(()))), "an inherent failed: {applied:?}");
		}
	}

	/// Applies one extrinsic in the block being built.
	pub fn apply(&mut self, xt: UncheckedExtrinsic) -> ApplyExtrinsicResult {
		Executive::apply_extrinsic(xt)
	}

	/// Finalizes the block being built (`on_idle`, `on_finalize`).
	pub fn finish_block(&mut self) {
		self.parent = Some(Executive::finalize_block());
	}

	/// The mocked relay chain's validation data for parachain block `number`.
	fn validation_data(&self, number: u32, relay_slot: u64) -> ParachainInherentData {
		// The parent is included at once (the unincluded segment stays empty); block 1's
		// parent is genesis, whose header the unincluded segment never needs to match.
		let parent = self.parent.clone().unwrap_or_else(|| {
			Header::new(
				0,
				Default::default(),
				Default::default(),
				Default::default(),
				Default::default(),
			)
		});
		let included = Some(HeadData(parent.encode()));
		let mut sproof = RelayStateSproofBuilder {
			para_id: self.para_id,
			current_slot: Slot::from(relay_slot),
			included_para_head: included,
			dmq_mqc_head: Some(MessageQueueChain::default().head()),
			num_authorities: 2,
			..Default::default()
		};
		sproof.current_epoch = u64::from(number) / 10;
		sproof.randomness =
			sp_runtime::traits::BlakeTwo256::hash_of(&(b"aioracle/fuzz", sproof.current_epoch));
		let (relay_parent_storage_root, relay_chain_state, relay_parent_descendants) =
			sproof.into_state_root_proof_and_descendants(0);
		ParachainInherentData {
			validation_data: PersistedValidationData {
				parent_head: Default::default(),
				relay_parent_storage_root,
				relay_parent_number: number,
				max_pov_size: Default::default(),
			},
			relay_chain_state,
			downward_messages: Default::default(),
			horizontal_messages: Default::default(),
			relay_parent_descendants,
			collator_peer_id: None,
		}
	}
}

impl Default for Chain {
	fn default() -> Self {
		Self::new()
	}
}

/// The parachain id the genesis configured.
fn parachain_info_id() -> ParaId {
	aioracle_runtime::ParachainInfo::parachain_id()
}

/// The timestamp inherent's identifier.
fn sp_timestamp_identifier() -> sp_inherents::InherentIdentifier {
	*b"timstap0"
}

/// The parachain system's `set_validation_data` from `inherents`.
fn cumulus_pallet_parachain_system_inherent(inherents: &sp_inherents::InherentData) -> RuntimeCall {
	let call = aioracle_runtime::ParachainSystem::create_inherent(inherents)
		.expect("a validation-data inherent");
	RuntimeCall::ParachainSystem(call)
}
