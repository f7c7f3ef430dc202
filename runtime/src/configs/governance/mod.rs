//! Governance: OpenGov (token holders vote referenda on tracks, [`opengov`], [`tracks`],
//! [`origins`]), the `Council` collective and its membership, and sudo.
//!
//! The split of powers over model versions (`docs/governance.md`):
//! - approve, activate, reject, deprecate and roll back: a referendum on the
//!   `model_upgrades` track ([`ModelUpgradesOrigin`]), or root;
//! - deprecate and roll back only, as an emergency brake: two thirds of the council
//!   ([`CouncilEmergencyOrigin`]);
//! - the council also whitelists calls for the `whitelisted_caller` track, cancels
//!   referenda, and (at two thirds) removes or slashes operators and retracts datasets.

pub mod opengov;
pub mod origins;
pub mod tracks;

use frame_support::{
	parameter_types,
	traits::{EitherOf, EitherOfDiverse},
	weights::Weight,
};
use frame_system::EnsureRoot;

use crate::{
	configs::RuntimeBlockWeights, AccountId, BlockNumber, Council, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, DAYS,
};

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = ();
}

/// The council's instance of `pallet-collective`.
pub type CouncilCollective = pallet_collective::Instance1;

/// Root, or at least two thirds of the council.
pub type RootOrTwoThirdsCouncil = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

/// Root, or a passed referendum on the `model_upgrades` track.
pub type ModelUpgradesOrigin =
	EitherOf<EnsureRoot<AccountId>, origins::pallet_governance_origins::ModelUpgrades>;

/// At least two thirds of the council: the model registry's emergency brake.
pub type CouncilEmergencyOrigin =
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>;

/// Root, or more than half of the council.
pub type RootOrHalfCouncil = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilCollective, 1, 2>,
>;

parameter_types! {
	/// A motion stays open for votes for three days.
	pub const CouncilMotionDuration: BlockNumber = 3 * DAYS;
	/// A motion may dispatch at most half a block of weight.
	pub MaxCouncilProposalWeight: Weight = RuntimeBlockWeights::get().max_block / 2;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = frame_support::traits::ConstU32<100>;
	type MaxMembers = frame_support::traits::ConstU32<100>;
	/// Members who did not vote count as voting with the prime member, if any.
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Membership is managed by `CouncilMembership`; `set_members` is not used directly.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = RootOrTwoThirdsCouncil;
	type KillOrigin = RootOrTwoThirdsCouncil;
	/// Proposing is free for members; there are at most `MaxProposals` open at once.
	type Consideration = ();
}

impl pallet_membership::Config<pallet_membership::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = RootOrHalfCouncil;
	type RemoveOrigin = RootOrHalfCouncil;
	type SwapOrigin = RootOrHalfCouncil;
	type ResetOrigin = RootOrHalfCouncil;
	type PrimeOrigin = RootOrHalfCouncil;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = frame_support::traits::ConstU32<100>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}
