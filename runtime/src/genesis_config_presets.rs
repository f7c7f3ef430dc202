//! Genesis presets: `development` (the one-node dev chain) and `local_testnet` (a local
//! relay chain with two collators).
//!
//! | preset | collators | funded | council | sudo |
//! |---|---|---|---|---|
//! | `development` | Alice | the six dev accounts | Alice, Bob, Charlie | Alice |
//! | `local_testnet` | Alice, Bob | the six dev accounts | Alice, Bob, Charlie | Alice |

use alloc::{vec, vec::Vec};
use cumulus_primitives_core::ParaId;
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;

use crate::{
	AccountId, AuraId, Balance, BalancesConfig, CollatorSelectionConfig, CouncilMembershipConfig,
	ParachainInfoConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig, UNIT,
};

/// The parachain id of both presets (the first id a local relay chain hands out).
pub const PARACHAIN_ID: u32 = 2000;

/// What each dev account starts with: one million AIO.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * UNIT;

/// The bond to become a collator candidate: 16 AIO.
pub const CANDIDACY_BOND: Balance = 16 * UNIT;

fn session_keys(aura: AuraId) -> SessionKeys {
	SessionKeys { aura }
}

fn collator(key: Sr25519Keyring) -> (AccountId, AuraId) {
	(key.to_account_id(), key.public().into())
}

fn genesis(
	collators: Vec<(AccountId, AuraId)>,
	endowed: Vec<AccountId>,
	council: Vec<AccountId>,
	root: AccountId,
	id: ParaId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|k| (k, DEV_ENDOWMENT)).collect::<Vec<_>>(),
		},
		parachain_info: ParachainInfoConfig { parachain_id: id },
		collator_selection: CollatorSelectionConfig {
			invulnerables: collators.iter().map(|(acc, _)| acc.clone()).collect::<Vec<_>>(),
			candidacy_bond: CANDIDACY_BOND,
		},
		session: SessionConfig {
			keys: collators
				.into_iter()
				.map(|(acc, aura)| (acc.clone(), acc, session_keys(aura)))
				.collect::<Vec<_>>(),
		},
		council_membership: CouncilMembershipConfig {
			members: frame_support::BoundedVec::truncate_from(council),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

fn dev_accounts() -> Vec<AccountId> {
	use Sr25519Keyring::*;
	[Alice, Bob, Charlie, Dave, Eve, Ferdie].iter().map(|k| k.to_account_id()).collect()
}

fn council() -> Vec<AccountId> {
	use Sr25519Keyring::*;
	[Alice, Bob, Charlie].iter().map(|k| k.to_account_id()).collect()
}

fn development() -> Value {
	genesis(
		vec![collator(Sr25519Keyring::Alice)],
		dev_accounts(),
		council(),
		Sr25519Keyring::Alice.to_account_id(),
		PARACHAIN_ID.into(),
	)
}

fn local_testnet() -> Value {
	genesis(
		vec![collator(Sr25519Keyring::Alice), collator(Sr25519Keyring::Bob)],
		dev_accounts(),
		council(),
		Sr25519Keyring::Alice.to_account_id(),
		PARACHAIN_ID.into(),
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
