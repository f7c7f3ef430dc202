//! A mocked relay chain for the dev node.
//!
//! `cumulus-pallet-parachain-system` requires every block to carry the
//! `set_validation_data` inherent: the relay parent, its storage proof and the messages
//! sent to us. A dev node has no relay chain, so we build a consistent fake one with
//! cumulus' state-proof builder, the way `polkadot-omni-node --dev` does.
//!
//! The numbers must agree with the runtime's consensus hook: parachain block `n` claims
//! relay slot `origin + n` (one relay block per parachain block) and the timestamp
//! inherent is that slot's start, so the Aura slot derived from the timestamp equals
//! the relay slot. As a consequence the dev chain's clock advances one 6 s slot per
//! block, whatever `--dev-block-time` is; it starts two hours in the past so that it
//! does not run ahead of the wall clock for the first hours of a session.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aioracle_primitives::OpaqueBlock as Block;
use codec::Encode;
use cumulus_primitives_core::{
	relay_chain::{HeadData, Slot, UpgradeGoAhead},
	CollectCollationInfo, ParaId, PersistedValidationData,
};
use cumulus_primitives_parachain_inherent::{MessageQueueChain, ParachainInherentData};
use cumulus_test_relay_sproof_builder::RelayStateSproofBuilder;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Header as _;

/// The relay chain's slot duration.
const RELAY_SLOT_MILLIS: u64 =
	aioracle_runtime::async_backing::RELAY_CHAIN_SLOT_DURATION_MILLIS as u64;

/// How far in the past the mocked relay chain starts.
const START_IN_THE_PAST: Duration = Duration::from_secs(2 * 60 * 60);

/// Builds the inherent data of each dev block: the timestamp and the mocked validation data.
pub struct MockRelayChain {
	para_id: ParaId,
	/// The relay slot of parachain block 0.
	origin_slot: u64,
}

impl MockRelayChain {
	/// A mocked relay chain for parachain `para_id` whose clock starts two hours ago.
	pub fn new(para_id: ParaId) -> Self {
		let start = SystemTime::now()
			.duration_since(UNIX_EPOCH)
			.unwrap_or_default()
			.saturating_sub(START_IN_THE_PAST);
		Self { para_id, origin_slot: start.as_millis() as u64 / RELAY_SLOT_MILLIS }
	}

	/// The inherent data providers for a block built on `parent`.
	pub fn inherent_data_providers<C>(
		&self,
		client: &C,
		parent: <Block as sp_runtime::traits::Block>::Hash,
	) -> Result<(sp_timestamp::InherentDataProvider, ParachainInherentData), String>
	where
		C: HeaderBackend<Block> + ProvideRuntimeApi<Block>,
		C::Api: CollectCollationInfo<Block>,
	{
		let parent_header = client
			.header(parent)
			.map_err(|e| format!("reading the parent header: {e}"))?
			.ok_or_else(|| format!("parent block {parent} is not in the database"))?;
		let para_block = parent_header.number().saturating_add(1);
		let relay_slot = self.origin_slot.saturating_add(u64::from(para_block));
		// The mock's relay block number equals its slot; it fits in u32 for 800 years.
		let relay_parent_number = relay_slot as u32;

		// A runtime upgrade (`set_code`) waits for the relay chain's go-ahead: give it at once.
		let upgrade_pending = client
			.runtime_api()
			.collect_collation_info(parent, &parent_header)
			.map(|info| info.new_validation_code.is_some())
			.unwrap_or_default();
		if upgrade_pending {
			log::info!("Runtime upgrade pending: the mocked relay chain sends the go-ahead");
		}

		let mut sproof = RelayStateSproofBuilder {
			para_id: self.para_id,
			current_slot: Slot::from(relay_slot),
			included_para_head: Some(HeadData(parent_header.encode())),
			upgrade_go_ahead: upgrade_pending.then_some(UpgradeGoAhead::GoAhead),
			// No downward messages: the message queue chain head stays the empty one.
			dmq_mqc_head: Some(MessageQueueChain::default().head()),
			num_authorities: 2,
			..Default::default()
		};
		sproof.current_epoch = u64::from(para_block) / 10;
		// The oracle draws committees from this: predictable, a new value every epoch.
		sproof.randomness = sp_io::hashing::blake2_256(
			&(b"aioracle/dev-relay-randomness", sproof.current_epoch).encode(),
		)
		.into();
		let (relay_parent_storage_root, relay_chain_state, relay_parent_descendants) =
			sproof.into_state_root_proof_and_descendants(0);

		let validation_data = ParachainInherentData {
			validation_data: PersistedValidationData {
				parent_head: Default::default(),
				relay_parent_storage_root,
				relay_parent_number,
				max_pov_size: Default::default(),
			},
			relay_chain_state,
			downward_messages: Default::default(),
			horizontal_messages: Default::default(),
			relay_parent_descendants,
			collator_peer_id: None,
		};
		let timestamp = sp_timestamp::InherentDataProvider::new(
			relay_slot.saturating_mul(RELAY_SLOT_MILLIS).into(),
		);
		Ok((timestamp, validation_data))
	}
}
