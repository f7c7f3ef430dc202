//! The relay chain's randomness, for the oracle's committee draws.
//!
//! Each block, `cumulus-pallet-parachain-system` verifies the relay chain state proof its
//! collator supplied; [`RelayRandomness`] (its `OnSystemEvent`) reads BABE's randomness of
//! one epoch ago (`well_known_keys::ONE_EPOCH_AGO_RANDOMNESS`, which collators prove by
//! default) from it and keeps it for the block. No collator chooses it: it comes from the
//! relay chain's VRF outputs of an epoch that is over. It changes once per relay epoch, so
//! draws are predictable within an epoch (see the oracle's `committee` docs for why that
//! is acceptable there).
//!
//! On the dev chain the mocked relay chain proves a value derived from its epoch number:
//! predictable, for development only. A block whose proof lacks the key (none of ours)
//! keeps the previous value; before any, the draws use zeros, and the request id still
//! varies them.

use cumulus_pallet_parachain_system::{OnSystemEvent, RelayChainStateProof};
use cumulus_primitives_core::{relay_chain::well_known_keys, PersistedValidationData};
use frame_support::{traits::Randomness, weights::Weight};
use sp_core::H256;
use sp_runtime::traits::{BlakeTwo256, Hash as _};

use crate::{BlockNumber, Runtime};

/// Where the relay chain's randomness of one epoch ago is kept: a plain value of the
/// runtime (no pallet owns it), under `twox128("AioracleRelay") ++ twox128("Randomness")`.
#[frame_support::storage_alias(verbatim)]
pub type RelayEpochRandomness = StorageValue<AioracleRelay, ([u8; 32], BlockNumber)>;

/// Reads the relay chain's randomness into [`RelayEpochRandomness`] each block, and serves
/// it as the oracle's `Randomness`.
pub struct RelayRandomness;

impl OnSystemEvent for RelayRandomness {
	fn on_validation_data(_data: &PersistedValidationData) {}

	fn on_validation_code_applied() {}

	fn on_relay_state_proof(proof: &RelayChainStateProof) -> Weight {
		let read = proof.read_optional_entry::<[u8; 32]>(well_known_keys::ONE_EPOCH_AGO_RANDOMNESS);
		match read {
			Ok(Some(randomness)) => {
				let now = frame_system::Pallet::<Runtime>::block_number();
				RelayEpochRandomness::put((randomness, now));
				<Runtime as frame_system::Config>::DbWeight::get().writes(1)
			}
			_ => {
				log::warn!(
					target: "runtime::relay-randomness",
					"the relay chain state proof has no randomness; keeping the last"
				);
				Weight::zero()
			}
		}
	}
}

impl Randomness<H256, BlockNumber> for RelayRandomness {
	/// `blake2_256(subject ++ randomness)`, and the block that read the randomness.
	fn random(subject: &[u8]) -> (H256, BlockNumber) {
		let (randomness, at) = RelayEpochRandomness::get().unwrap_or_default();
		(BlakeTwo256::hash_of(&(subject, randomness)), at)
	}
}
