//! XCM: the executor behind the message queue, the XCMP queue to sibling parachains,
//! pallet-xcm and cumulus-pallet-xcm.
//!
//! ## Trust choices
//! - **Who may execute here.** Every message must pay for its execution
//!   (`AllowTopLevelPaidExecutionFrom<Everything>`: `WithdrawAsset` then `BuyExecution`
//!   first), except the relay chain (and its executive body), which may execute unpaid,
//!   as it governs the parachain anyway. Responses to queries this chain sent and XCM
//!   version negotiation are let through. Reserve transfers of the relay token to the relay
//!   chain are refused.
//! - **Whose account pays.** A sibling parachain `(1, Parachain(id))` acts as its sovereign
//!   account here (`b"sibl" ++ id ++ 0…`), the relay chain as `b"Parent" ++ 0…`, a local
//!   32-byte account as itself. A sibling that wants to request inferences funds its
//!   sovereign account with AIO (any plain transfer, or governance), then sends
//!   `WithdrawAsset(AIO)`, `BuyExecution`, `Transact` with `OriginKind::SovereignAccount`.
//! - **What counts as AIO.** AIO (pallet-balances) is the asset `Here`
//!   (`(0, Here)` from inside, `(1, Parachain(our id))` from a sibling). Fees are bought
//!   with AIO at the transaction fee's rate (`WeightToFee`), paid to the block's author.
//! - **The relay chain's token** `(1, Here)` is accepted as a reserve asset from the relay
//!   chain only, held in `RelayBalances`, and buys execution at a fixed price, paid to the
//!   block's author (see [`relay_token`](super::relay_token)). No other asset is accepted.
//! - **No teleports, no remote execution by local accounts.** `XcmTeleportFilter`,
//!   `XcmReserveTransferFilter` and `XcmExecuteFilter` are `Nothing`: local accounts may
//!   send messages (`pallet_xcm::send`) but not move assets out by XCM yet.
//! - **Weights.** Instructions are weighed at a fixed, conservative 1 ms and 64 KiB of
//!   proof each (`FixedWeightBounds`), until XCM benchmarks are run for this runtime.

use core::marker::PhantomData;

use cumulus_primitives_core::{AggregateMessageOrigin, ParaId};
use frame_support::{
	parameter_types,
	traits::{
		ConstU32, Contains, Disabled, Everything, Nothing, QueueFootprint, QueuePausedQuery,
	},
	weights::Weight,
};
use frame_system::EnsureRoot;
use pallet_message_queue::OnQueueChanged;
use pallet_xcm::XcmPassthrough;
use polkadot_parachain_primitives::primitives::Sibling;
use polkadot_runtime_common::{impls::ToAuthor, xcm_sender::NoPriceForMessageDelivery};
use xcm::latest::prelude::*;
use xcm_builder::{
	AccountId32Aliases, AllowExplicitUnpaidExecutionFrom, AllowKnownQueryResponses,
	AllowSubscriptionsFrom, AllowTopLevelPaidExecutionFrom, Case, DenyRecursively,
	DenyReserveTransferToRelayChain, DenyThenTry, EnsureXcmOrigin, FixedWeightBounds,
	FrameTransactionalProcessor, FungibleAdapter, IsConcrete, ParentIsPreset, RelayChainAsNative,
	SiblingParachainAsNative, SiblingParachainConvertsVia, SignedAccountId32AsNative,
	SignedToAccountId32, SovereignSignedViaLocation, TakeWeightCredit, TrailingSetTopicAsId,
	UsingComponents, WithComputedOrigin, WithUniqueTopic,
};
use xcm_executor::XcmExecutor;

use crate::{
	configs::{
		monetary::WeightToFee,
		relay_token::{RelayFeesToAuthor, RelayWeightToFee},
	},
	AccountId, AllPalletsWithSystem, Balances, ParachainInfo, ParachainSystem, PolkadotXcm,
	RelayBalances, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, XcmpQueue,
};

parameter_types! {
	/// The relay chain.
	pub const RelayLocation: Location = Location::parent();
	/// AIO, this chain's own token, as an asset: `Here`.
	pub const AioLocation: Location = Location::here();
	/// The network is not named (a local or test relay chain).
	pub const RelayNetwork: Option<NetworkId> = None;
	/// The origin the relay chain's `Transact`s dispatch as with `OriginKind::Native`.
	pub RelayChainOrigin: RuntimeOrigin = cumulus_pallet_xcm::Origin::Relay.into();
	/// This chain in the consensus universe: `Parachain(id)`.
	pub UniversalLocation: InteriorLocation = Parachain(ParachainInfo::parachain_id().into()).into();
	/// One instruction's weight until XCM is benchmarked for this runtime: 1 ms and 64 KiB
	/// of proof, a conservative bound of every instruction this configuration executes.
	pub UnitWeightCost: Weight = Weight::from_parts(1_000_000_000, 64 * 1024);
	/// The most instructions in one message.
	pub const MaxInstructions: u32 = 100;
	/// The most assets the executor's holding register takes.
	pub const MaxAssetsIntoHolding: u32 = 64;
}

/// A location as the account it acts as here: the relay chain's, a sibling's sovereign
/// account, or a local 32-byte account.
pub type LocationToAccountId = (
	ParentIsPreset<AccountId>,
	SiblingParachainConvertsVia<Sibling, AccountId>,
	AccountId32Aliases<RelayNetwork, AccountId>,
);

/// AIO moves in and out of accounts through pallet-balances.
pub type LocalAssetTransactor =
	FungibleAdapter<Balances, IsConcrete<AioLocation>, LocationToAccountId, AccountId, ()>;

/// The relay token moves in and out of accounts through `RelayBalances`.
pub type RelayAssetTransactor =
	FungibleAdapter<RelayBalances, IsConcrete<RelayLocation>, LocationToAccountId, AccountId, ()>;

parameter_types! {
	/// The relay token, whose reserve is the relay chain.
	pub RelayTokenFromRelay: (AssetFilter, Location) = (
		Wild(AllOf { fun: WildFungible, id: AssetId(RelayLocation::get()) }),
		RelayLocation::get(),
	);
}

/// What origin a `Transact` dispatches with, by its `OriginKind`: `SovereignAccount` as
/// the location's account signed; `Native` as the relay chain, a sibling parachain, or a
/// local account; `Xcm` as pallet-xcm's origin.
pub type XcmOriginToTransactDispatchOrigin = (
	SovereignSignedViaLocation<LocationToAccountId, RuntimeOrigin>,
	RelayChainAsNative<RelayChainOrigin, RuntimeOrigin>,
	SiblingParachainAsNative<cumulus_pallet_xcm::Origin, RuntimeOrigin>,
	SignedAccountId32AsNative<RelayNetwork, RuntimeOrigin>,
	XcmPassthrough<RuntimeOrigin>,
);

/// The relay chain, or its executive body: may execute without paying.
pub struct ParentOrParentsExecutivePlurality;
impl Contains<Location> for ParentOrParentsExecutivePlurality {
	fn contains(location: &Location) -> bool {
		matches!(location.unpack(), (1, []) | (1, [Plurality { id: BodyId::Executive, .. }]))
	}
}

/// What a message must look like to execute (see the module's trust choices).
pub type Barrier = TrailingSetTopicAsId<
	DenyThenTry<
		DenyRecursively<DenyReserveTransferToRelayChain>,
		(
			TakeWeightCredit,
			AllowKnownQueryResponses<PolkadotXcm>,
			WithComputedOrigin<
				(
					AllowTopLevelPaidExecutionFrom<Everything>,
					AllowExplicitUnpaidExecutionFrom<ParentOrParentsExecutivePlurality>,
					AllowSubscriptionsFrom<Everything>,
				),
				UniversalLocation,
				ConstU32<8>,
			>,
		),
	>,
>;

/// Instructions weighed at `UnitWeightCost` each.
pub type XcmWeigher = FixedWeightBounds<UnitWeightCost, RuntimeCall, MaxInstructions>;

/// The XCM executor's configuration.
pub struct XcmConfig;
impl xcm_executor::Config for XcmConfig {
	type RuntimeCall = RuntimeCall;
	type XcmSender = XcmRouter;
	type XcmEventEmitter = PolkadotXcm;
	type AssetTransactor = (LocalAssetTransactor, RelayAssetTransactor);
	type OriginConverter = XcmOriginToTransactDispatchOrigin;
	/// The relay token, from the relay chain.
	type IsReserve = Case<RelayTokenFromRelay>;
	/// No teleports.
	type IsTeleporter = ();
	type UniversalLocation = UniversalLocation;
	type Barrier = Barrier;
	type Weigher = XcmWeigher;
	/// Execution is bought with AIO at the transaction fee's rate, or with the relay token
	/// at its fixed price; both paid to the block author.
	type Trader = (
		UsingComponents<WeightToFee, AioLocation, AccountId, Balances, ToAuthor<Runtime>>,
		UsingComponents<RelayWeightToFee, RelayLocation, AccountId, RelayBalances, RelayFeesToAuthor>,
	);
	type ResponseHandler = PolkadotXcm;
	type AssetTrap = PolkadotXcm;
	type SubscriptionService = PolkadotXcm;
	type PalletInstancesInfo = AllPalletsWithSystem;
	type MaxAssetsIntoHolding = MaxAssetsIntoHolding;
	type AssetLocker = ();
	type AssetExchanger = ();
	type FeeManager = ();
	type MessageExporter = ();
	type UniversalAliases = Nothing;
	type CallDispatcher = RuntimeCall;
	type SafeCallFilter = Everything;
	type Aliasers = Nothing;
	type TransactionalProcessor = FrameTransactionalProcessor;
	type HrmpNewChannelOpenRequestHandler = ();
	type HrmpChannelAcceptedHandler = ();
	type HrmpChannelClosingHandler = ();
	type XcmRecorder = PolkadotXcm;
}

/// A local signed origin as the location it sends from: `AccountId32`.
pub type LocalOriginToLocation = SignedToAccountId32<RuntimeOrigin, AccountId, RelayNetwork>;

/// Where messages go: up to the relay chain (UMP), or to a sibling (XCMP). No delivery
/// fee yet.
pub type XcmRouter = WithUniqueTopic<(
	cumulus_primitives_utility::ParentAsUmp<ParachainSystem, PolkadotXcm, NoPriceForMessageDelivery<()>>,
	XcmpQueue,
)>;

impl pallet_xcm::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type SendXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, LocalOriginToLocation>;
	type XcmRouter = XcmRouter;
	type ExecuteXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, LocalOriginToLocation>;
	type XcmExecuteFilter = Nothing;
	type XcmExecutor = XcmExecutor<XcmConfig>;
	type XcmTeleportFilter = Nothing;
	type XcmReserveTransferFilter = Nothing;
	type Weigher = XcmWeigher;
	type UniversalLocation = UniversalLocation;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	const VERSION_DISCOVERY_QUEUE_SIZE: u32 = 100;
	type AdvertisedXcmVersion = pallet_xcm::CurrentXcmVersion;
	type Currency = Balances;
	type CurrencyMatcher = ();
	type TrustedLockers = ();
	type SovereignAccountOf = LocationToAccountId;
	type MaxLockers = ConstU32<8>;
	type WeightInfo = pallet_xcm::TestWeightInfo;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxRemoteLockConsumers = ConstU32<0>;
	type RemoteLockConsumerIdentifier = ();
	type AuthorizedAliasConsideration = Disabled;
}

impl cumulus_pallet_xcm::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type XcmExecutor = XcmExecutor<XcmConfig>;
}

impl cumulus_pallet_xcmp_queue::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ChannelInfo = ParachainSystem;
	/// Sends each sibling the XCM version it speaks (negotiated by pallet-xcm).
	type VersionWrapper = PolkadotXcm;
	/// Messages from siblings are queued in the message queue, then executed.
	type XcmpQueue = frame_support::traits::TransformOrigin<
		crate::MessageQueue,
		AggregateMessageOrigin,
		ParaId,
		ParaIdToSibling,
	>;
	type MaxInboundSuspended = ConstU32<1_000>;
	type MaxActiveOutboundChannels = ConstU32<128>;
	type MaxPageSize = ConstU32<{ 1 << 16 }>;
	type ControllerOrigin = EnsureRoot<AccountId>;
	type ControllerOriginConverter = XcmOriginToTransactDispatchOrigin;
	type WeightInfo = ();
	type PriceForSiblingDelivery = NoPriceForMessageDelivery<ParaId>;
}

/// The message queue's origins narrowed to siblings, for the XCMP queue's pause and
/// suspension (as `parachains-common` has it, without that crate).
pub struct NarrowOriginToSibling<Inner>(PhantomData<Inner>);
impl<Inner: QueuePausedQuery<ParaId>> QueuePausedQuery<AggregateMessageOrigin>
	for NarrowOriginToSibling<Inner>
{
	fn is_paused(origin: &AggregateMessageOrigin) -> bool {
		match origin {
			AggregateMessageOrigin::Sibling(id) => Inner::is_paused(id),
			_ => false,
		}
	}
}
impl<Inner: OnQueueChanged<ParaId>> OnQueueChanged<AggregateMessageOrigin>
	for NarrowOriginToSibling<Inner>
{
	fn on_queue_changed(origin: AggregateMessageOrigin, footprint: QueueFootprint) {
		if let AggregateMessageOrigin::Sibling(id) = origin {
			Inner::on_queue_changed(id, footprint)
		}
	}
}

/// A sibling's id as its message-queue origin.
pub struct ParaIdToSibling;
impl sp_runtime::traits::Convert<ParaId, AggregateMessageOrigin> for ParaIdToSibling {
	fn convert(para_id: ParaId) -> AggregateMessageOrigin {
		AggregateMessageOrigin::Sibling(para_id)
	}
}
