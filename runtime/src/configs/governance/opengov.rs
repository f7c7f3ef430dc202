//! OpenGov: referenda voted with conviction by token holders (`Referenda`,
//! `ConvictionVoting`), the preimages they vote on (`Preimage`), the scheduler that
//! enacts them (`Scheduler`), and the council's whitelist (`Whitelist`).
//!
//! Who may do what is in `docs/governance.md`; the tracks in [`super::tracks`].

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, AsEnsureOriginWithArg, EitherOf, EqualPrivilegeOnly,
		LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::{EnsureRoot, EnsureSigned};

use super::{
	origins::pallet_governance_origins::{self, WhitelistedCaller},
	tracks::TracksInfo,
	RootOrTwoThirdsCouncil,
};
use crate::{
	configs::RuntimeBlockWeights, AccountId, Balance, Balances, BlockNumber, OriginCaller,
	Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin,
	Scheduler, System, DAYS, MILLI_UNIT, UNIT,
};

impl pallet_governance_origins::Config for Runtime {}

parameter_types! {
	/// Scheduled calls (enacted referenda) may use up to 80% of a block.
	pub MaximumSchedulerWeight: Weight = RuntimeBlockWeights::get().max_block * 8 / 10;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	/// Only root schedules directly; referenda schedule through `ScheduleAnon`.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = frame_support::traits::ConstU32<50>;
	type WeightInfo = crate::weights::pallet_scheduler::WeightInfo<Runtime>;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	/// A preimage holds 1 AIO plus 1 milli-AIO per byte, until it is unnoted.
	pub const PreimageBaseDeposit: Balance = UNIT;
	pub const PreimageByteDeposit: Balance = MILLI_UNIT;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_preimage::WeightInfo<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	/// Votes lock their balance for 7 days per conviction doubling (`Locked1x`: 7 days,
	/// `Locked6x`: 224 days) after the referendum ends, if they voted with the winners.
	pub const VoteLockingPeriod: BlockNumber = 7 * DAYS;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_conviction_voting::WeightInfo<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	/// Support is measured against the active issuance.
	type MaxTurnout =
		frame_support::traits::tokens::currency::ActiveIssuanceOf<Balances, AccountId>;
	/// An account votes on at most 32 referenda of a track at once. `delegate` and
	/// `undelegate` are weighed for this many votes; with polkadot-sdk's reference weights
	/// the proof of 512 (Polkadot's bound) did not fit in a parachain block
	/// (`runtime/tests/governance.rs`: every call fits in a block).
	type MaxVotes = frame_support::traits::ConstU32<32>;
	type VoteLockingPeriod = VoteLockingPeriod;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

parameter_types! {
	/// Submitting a referendum holds 1 AIO until it ends; its track's decision deposit is
	/// placed separately (see `tracks`).
	pub const SubmissionDeposit: Balance = UNIT;
	/// A referendum that never gets its decision deposit times out after 14 days.
	pub const UndecidingTimeout: BlockNumber = 14 * DAYS;
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_referenda::WeightInfo<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	/// Any account may submit a referendum on any track; passing it is what is hard.
	type SubmitOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	/// Root or two thirds of the council may cancel a referendum (deposits refunded).
	type CancelOrigin = RootOrTwoThirdsCouncil;
	/// Only root may kill one (deposits slashed).
	type KillOrigin = EnsureRoot<AccountId>;
	type Slash = ();
	type Votes = pallet_conviction_voting::VotesOf<Runtime>;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = frame_support::traits::ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = frame_support::traits::ConstU32<1>;
	type Tracks = TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	/// A deferred whitelisted dispatch expires after a day of blocks.
	pub const DeferredDispatchExpiration: BlockNumber = DAYS;
}

impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	/// Two thirds of the council (or root) whitelist a call's hash.
	type WhitelistOrigin = RootOrTwoThirdsCouncil;
	/// A passed `whitelisted_caller` referendum (or root) dispatches it, as root.
	type DispatchWhitelistedOrigin = EitherOf<EnsureRoot<AccountId>, WhitelistedCaller>;
	type Preimages = Preimage;
	type DeferredDispatchExpiration = DeferredDispatchExpiration;
	type BlockNumberProvider = System;
	type WeightInfo = crate::weights::pallet_whitelist::WeightInfo<Runtime>;
}
