//! Runtime-level migrations: those that belong to no pallet of ours.

use core::marker::PhantomData;
use frame_support::{
	traits::{Get, OnGenesis, OnRuntimeUpgrade, PalletInfoAccess},
	weights::Weight,
	StorageHasher, Twox128,
};

/// Initialises a pallet added by a runtime upgrade as its genesis would have: its storage
/// version (without which try-runtime reports "on-chain and current storage version do not
/// match"). Does nothing if the pallet already has storage, so it is safe to leave in the
/// list after it ran.
pub struct InitNewPallet<P, T>(PhantomData<(P, T)>);

impl<P: OnGenesis + PalletInfoAccess, T: frame_system::Config> OnRuntimeUpgrade
	for InitNewPallet<P, T>
{
	fn on_runtime_upgrade() -> Weight {
		let prefix = Twox128::hash(P::name().as_bytes());
		if frame_support::storage::unhashed::contains_prefixed_key(&prefix) {
			return T::DbWeight::get().reads(1);
		}
		P::on_genesis();
		log::info!(target: "runtime::migrations", "pallet {} initialised", P::name());
		T::DbWeight::get().reads_writes(1, 1)
	}
}
