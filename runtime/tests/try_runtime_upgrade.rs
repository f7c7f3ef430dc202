//! `try-runtime`'s `on-runtime-upgrade` check, against a snapshot of a live chain.
//!
//! `scripts/try-runtime.sh` takes the snapshot (`e2e/bin/snapshot.js`: every key and value
//! of a running node at its best block) and runs this test on it. It applies this runtime's
//! upgrade to that state as the chain would at the first block after a `set_code`:
//! - every migration of `Migrations` and every pallet's `on_runtime_upgrade`, with their
//!   pre- and post-upgrade checks (a pallet's post-upgrade check also requires its
//!   on-chain storage version to equal its in-code one);
//! - every pallet's `try_state` afterwards;
//! - the upgrade's weight within one block's (the upgrade runs in one block);
//! - a second upgrade changes nothing (migrations are idempotent);
//! - a pallet with nothing to migrate (on-chain version equal to the in-code one before
//!   the upgrade) keeps every key and value of its storage, byte for byte.
//!
//! The runtime runs natively here, the same code as its wasm: the snapshot's `:code` is
//! not executed.

#![cfg(feature = "try-runtime")]

use std::collections::BTreeMap;

use aioracle_runtime::{
	DatasetProvenance, Executive, InferenceOracle, ModelRegistry, Runtime, System, VERSION,
};
use frame_support::traits::{GetStorageVersion, PalletInfoAccess, StorageVersion};
use frame_try_runtime::UpgradeCheckSelect;
use sp_core::{bytes::from_hex, storage::Storage};
use sp_io::hashing::twox_128;
use sp_io::TestExternalities;
use sp_runtime::StateVersion;

/// A snapshot as `e2e/bin/snapshot.js` writes it.
struct Snapshot {
	block: u64,
	spec_name: String,
	spec_version: u32,
	top: BTreeMap<Vec<u8>, Vec<u8>>,
}

fn load(path: &str) -> Snapshot {
	let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
	let json: serde_json::Value = serde_json::from_str(&text).expect("a snapshot is JSON");
	let hex = |v: &serde_json::Value| from_hex(v.as_str().expect("a hex string")).expect("hex");
	let top = json["pairs"]
		.as_array()
		.expect("pairs")
		.iter()
		.map(|pair| (hex(&pair[0]), hex(&pair[1])))
		.collect();
	Snapshot {
		block: json["block"].as_u64().expect("block"),
		spec_name: json["specName"].as_str().expect("specName").into(),
		spec_version: json["specVersion"].as_u64().expect("specVersion") as u32,
		top,
	}
}

/// Every key and value under a pallet's storage prefix.
fn pallet_storage<P: PalletInfoAccess>() -> Vec<(Vec<u8>, Vec<u8>)> {
	let prefix = twox_128(P::name().as_bytes()).to_vec();
	let mut pairs = Vec::new();
	let mut key = prefix.clone();
	while let Some(next) = sp_io::storage::next_key(&key) {
		if !next.starts_with(&prefix) {
			break;
		}
		let value = sp_io::storage::get(&next).expect("a key next_key returns has a value");
		pairs.push((next.clone(), value.to_vec()));
		key = next;
	}
	pairs
}

/// What the test checks of one of the project's pallets.
struct PalletBefore {
	name: &'static str,
	on_chain: StorageVersion,
	in_code: StorageVersion,
	storage: Vec<(Vec<u8>, Vec<u8>)>,
}

fn before<P: PalletInfoAccess + GetStorageVersion<InCodeStorageVersion = StorageVersion>>(
) -> PalletBefore {
	PalletBefore {
		name: P::name(),
		on_chain: P::on_chain_storage_version(),
		in_code: P::in_code_storage_version(),
		storage: pallet_storage::<P>(),
	}
}

#[test]
#[ignore = "needs a snapshot of a live chain: run scripts/try-runtime.sh"]
fn the_upgrade_keeps_a_live_chains_state() {
	// The checks report what failed in the log (RUST_LOG; errors by default).
	sp_tracing::try_init_simple();
	let path = std::env::var("AIORACLE_SNAPSHOT")
		.expect("AIORACLE_SNAPSHOT names the snapshot (scripts/try-runtime.sh sets it)");
	let snapshot = load(&path);
	assert_eq!(snapshot.spec_name, VERSION.spec_name, "a snapshot of another chain");
	assert!(
		snapshot.spec_version <= VERSION.spec_version,
		"the snapshot's runtime ({}) is newer than this one ({}): an upgrade never goes back",
		snapshot.spec_version,
		VERSION.spec_version,
	);
	let keys = snapshot.top.len();
	let storage = Storage { top: snapshot.top, children_default: Default::default() };
	let mut ext = TestExternalities::new_with_state_version(storage, StateVersion::V1);

	ext.execute_with(|| {
		assert_eq!(u64::from(System::block_number()), snapshot.block, "the snapshot's block");
		let pallets =
			[before::<DatasetProvenance>(), before::<ModelRegistry>(), before::<InferenceOracle>()];
		println!(
			"snapshot {path}: block #{}, spec version {} -> {}, {keys} keys",
			snapshot.block, snapshot.spec_version, VERSION.spec_version,
		);
		for pallet in &pallets {
			println!(
				"  {}: storage version {:?} on chain, {:?} in code, {} keys",
				pallet.name,
				pallet.on_chain,
				pallet.in_code,
				pallet.storage.len(),
			);
		}

		let weight = Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
			.unwrap_or_else(|e| panic!("the upgrade's checks failed: {e:?}"));
		let max_block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		println!(
			"upgrade: {} ps ref time ({:.4} of a block), {} bytes of proof ({:.4} of a block)",
			weight.ref_time(),
			weight.ref_time() as f64 / max_block.ref_time() as f64,
			weight.proof_size(),
			weight.proof_size() as f64 / max_block.proof_size() as f64,
		);
		assert!(weight.all_lte(max_block), "the upgrade does not fit in one block: {weight:?}");

		let after_first = sp_io::storage::root(StateVersion::V1);
		Executive::try_runtime_upgrade(UpgradeCheckSelect::PreAndPost)
			.unwrap_or_else(|e| panic!("a second upgrade's checks failed: {e:?}"));
		assert_eq!(
			after_first,
			sp_io::storage::root(StateVersion::V1),
			"a second upgrade changed the state: a migration is not idempotent"
		);

		let after = [
			pallet_storage::<DatasetProvenance>(),
			pallet_storage::<ModelRegistry>(),
			pallet_storage::<InferenceOracle>(),
		];
		for (pallet, storage) in pallets.iter().zip(after) {
			if pallet.on_chain == pallet.in_code {
				assert!(
					pallet.storage == storage,
					"{} had nothing to migrate, yet its storage changed",
					pallet.name
				);
				println!("  {}: nothing to migrate, every key unchanged", pallet.name);
			} else {
				println!(
					"  {}: migrated {:?} -> {:?}, {} keys -> {}",
					pallet.name,
					pallet.on_chain,
					pallet.in_code,
					pallet.storage.len(),
					storage.len(),
				);
			}
		}
	});
}
