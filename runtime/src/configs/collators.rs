//! Collator support: authorship, collator selection, session keys and Aura.

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
	PalletId,
};
use frame_system::EnsureRoot;

use crate::{
	AccountId, AuraId, Balances, BlockNumber, CollatorSelection, Runtime, RuntimeEvent, Session,
	SessionKeys, HOURS, SLOT_DURATION,
};

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, crate::Aura>;
	type EventHandler = (CollatorSelection,);
}

parameter_types! {
	/// Sessions (collator set rotations) last six hours.
	pub const Period: BlockNumber = 6 * HOURS;
	pub const Offset: BlockNumber = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	// No stash/controller split: a collator is its account.
	type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
	type ShouldEndSession = pallet_session::PeriodicSessions<Period, Offset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<Period, Offset>;
	type SessionManager = CollatorSelection;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	/// Registering session keys costs no deposit: only candidates with a bond may collate.
	type KeyDeposit = ();
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<100_000>;
	type AllowMultipleBlocksPerSlot = ConstBool<true>;
	type SlotDuration = ConstU64<SLOT_DURATION>;
}

parameter_types! {
	/// The account of collator-selection's pot (candidacy bonds of kicked candidates and
	/// any rewards paid into it); transaction fees are burned, not paid here.
	pub const PotId: PalletId = PalletId(*b"PotStake");
}

impl pallet_collator_selection::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type UpdateOrigin = EnsureRoot<AccountId>;
	type PotId = PotId;
	type MaxCandidates = ConstU32<100>;
	type MinEligibleCollators = ConstU32<1>;
	type MaxInvulnerables = ConstU32<20>;
	// A multiple of the session period, or candidate kicking gets inconsistent.
	type KickThreshold = Period;
	type ValidatorId = AccountId;
	type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
	type ValidatorRegistration = Session;
	type WeightInfo = ();
}
