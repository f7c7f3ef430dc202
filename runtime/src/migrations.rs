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

/// Sets pallet-xcm's safe XCM version (the version a message goes in to a destination
/// that has not told its own) to the current one where it is unset, as pallet-xcm's genesis
/// does. A chain that gained pallet-xcm by an upgrade (spec 13) has none, and without it
/// no message can be sent to a sibling whose version is not known yet: the XCMP queue
/// refuses to wrap it. Does nothing if it is set, so it is safe to leave in the list.
pub struct SetSafeXcmVersion<T>(PhantomData<T>);

impl<T: pallet_xcm::Config> SetSafeXcmVersion<T> {
	/// The storage key of pallet-xcm's `SafeXcmVersion` (not public in pallet-xcm).
	pub fn key() -> [u8; 32] {
		let pallet = <pallet_xcm::Pallet<T> as PalletInfoAccess>::name();
		frame_support::storage::storage_prefix(pallet.as_bytes(), b"SafeXcmVersion")
	}
}

impl<T: pallet_xcm::Config> OnRuntimeUpgrade for SetSafeXcmVersion<T> {
	fn on_runtime_upgrade() -> Weight {
		let key = Self::key();
		if frame_support::storage::unhashed::exists(&key) {
			return T::DbWeight::get().reads(1);
		}
		let version = xcm::latest::VERSION;
		frame_support::storage::unhashed::put(&key, &version);
		log::info!(target: "runtime::migrations", "pallet-xcm's safe XCM version set to {version}");
		T::DbWeight::get().reads_writes(1, 1)
	}
}
