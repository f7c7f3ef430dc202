//! A sibling parachain's runtime, as small as a consumer of aioracle's results can be: a
//! system pallet, cumulus-pallet-xcm (the origin of a sibling's `Transact`), an XCM executor
//! configured as pallet-xcm-inference's docs tell a sibling to, and `Consumer`, a pallet
//! that asks aioracle for inferences over XCM and takes the results back.
//!
//! `Consumer` encodes aioracle's call by hand, from the documented wire format (pallet 53,
//! call 0, then the arguments in SCALE), not with aioracle's `RuntimeCall` type: a real
//! sibling does not link aioracle's runtime. Its outgoing messages are recorded
//! ([`ToAioracle`]) for the test's relay to carry.

use std::cell::RefCell;

use frame_support::{
	construct_runtime, derive_impl, parameter_types,
	traits::{Equals, Everything, Nothing},
};
use sp_runtime::{traits::IdentityLookup, AccountId32};
use xcm::latest::prelude::*;
use xcm_builder::{
	AllowExplicitUnpaidExecutionFrom, FixedWeightBounds, FrameTransactionalProcessor,
	SiblingParachainAsNative,
};

/// This sibling's para id.
pub const SIBLING: u32 = 2_042;

/// aioracle's `XcmInference::request_with_callback`: pallet index 53, call index 0.
pub const REQUEST_WITH_CALLBACK: [u8; 2] = [53, 0];

/// The weight one instruction takes here.
pub const UNIT_WEIGHT: Weight = Weight::from_parts(1_000_000, 1_024);

/// What `Consumer::receive` declares.
pub const RECEIVE_WEIGHT: Weight = Weight::from_parts(20_000_000, 4_096);

#[frame_support::pallet]
pub mod consumer {
	use aioracle_primitives::consumer::RemoteOutcome;
	use codec::Encode;
	use frame_support::{pallet_prelude::*, traits::PalletInfoAccess};
	use frame_system::pallet_prelude::*;
	use xcm::latest::prelude::*;

	#[pallet::pallet]
	#[pallet::without_storage_info]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// A sibling parachain's origin, with its id.
		type SiblingOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = u32>;
		/// aioracle's para id.
		type Aioracle: Get<u32>;
		/// This chain's para id (where the unspent fee goes back to).
		type SelfParaId: Get<u32>;
		/// Sends messages to aioracle.
		type XcmSender: SendXcm;
	}

	/// The next ticket: a request of this chain's, named in its callback.
	#[pallet::storage]
	pub type NextTicket<T> = StorageValue<_, u32, ValueQuery>;

	/// Who asked, by ticket.
	#[pallet::storage]
	pub type Asked<T: Config> = StorageMap<_, Twox64Concat, u32, T::AccountId>;

	/// aioracle's answers, by ticket: its request id and the outcome.
	#[pallet::storage]
	pub type Answers<T> = StorageMap<_, Twox64Concat, u32, (u64, RemoteOutcome)>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A request went to aioracle.
		Asked { ticket: u32 },
		/// aioracle answered.
		Answered { ticket: u32, request: u64, outcome: RemoteOutcome },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The message could not be sent.
		SendFailed,
		/// A result from a chain that is not aioracle.
		NotAioracle,
		/// No such ticket.
		UnknownTicket,
		/// The ticket was answered already.
		AlreadyAnswered,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Asks aioracle for `model`'s output on `input`: `fee` AIO from this chain's
		/// sovereign account on aioracle buys the execution, `max_fee` caps the request's
		/// price; the result comes back to `receive` with at most `weight_limit`.
		#[pallet::call_index(0)]
		#[pallet::weight(Weight::from_parts(10_000_000, 0))]
		pub fn ask(
			origin: OriginFor<T>,
			model: u32,
			input: Vec<i64>,
			fee: u128,
			max_fee: u128,
			weight_limit: Weight,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let ticket = NextTicket::<T>::get();
			// The callback: this pallet's `receive` with the ticket as its first argument.
			let mut call_prefix = vec![<Self as PalletInfoAccess>::index() as u8, 1];
			ticket.encode_to(&mut call_prefix);
			// XcmInference::request_with_callback { model, input, max_fee, callback }.
			let call =
				(super::REQUEST_WITH_CALLBACK, model, input, max_fee, (call_prefix, weight_limit))
					.encode();
			let fees: Asset = (Location::here(), fee).into();
			let message = Xcm(vec![
				WithdrawAsset(fees.clone().into()),
				BuyExecution { fees, weight_limit: Unlimited },
				Transact {
					origin_kind: OriginKind::Native,
					fallback_max_weight: None,
					call: call.into(),
				},
				RefundSurplus,
				DepositAsset {
					assets: AllCounted(1).into(),
					beneficiary: Location::new(1, [Parachain(T::SelfParaId::get())]),
				},
			]);
			let aioracle = Location::new(1, [Parachain(T::Aioracle::get())]);
			send_xcm::<T::XcmSender>(aioracle, message).map_err(|_| Error::<T>::SendFailed)?;
			NextTicket::<T>::put(ticket + 1);
			Asked::<T>::insert(ticket, who);
			Self::deposit_event(Event::Asked { ticket });
			Ok(())
		}

		/// aioracle's result for `ticket`: its request id and the outcome.
		#[pallet::call_index(1)]
		#[pallet::weight(super::RECEIVE_WEIGHT)]
		pub fn receive(
			origin: OriginFor<T>,
			ticket: u32,
			request: u64,
			outcome: RemoteOutcome,
		) -> DispatchResult {
			let para = T::SiblingOrigin::ensure_origin(origin)?;
			ensure!(para == T::Aioracle::get(), Error::<T>::NotAioracle);
			ensure!(Asked::<T>::contains_key(ticket), Error::<T>::UnknownTicket);
			ensure!(!Answers::<T>::contains_key(ticket), Error::<T>::AlreadyAnswered);
			Answers::<T>::insert(ticket, (request, outcome.clone()));
			Self::deposit_event(Event::Answered { ticket, request, outcome });
			Ok(())
		}
	}
}

type Block = frame_system::mocking::MockBlock<Runtime>;

construct_runtime!(
	pub enum Runtime {
		System: frame_system = 0,
		CumulusXcm: cumulus_pallet_xcm = 1,
		Consumer: consumer = 9,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = IdentityLookup<AccountId32>;
}

impl cumulus_pallet_xcm::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type XcmExecutor = xcm_executor::XcmExecutor<XcmConfig>;
}

parameter_types! {
	pub const Aioracle: u32 = aioracle_runtime::genesis_config_presets::PARACHAIN_ID;
	pub const SelfParaId: u32 = SIBLING;
	pub AioracleLocation: Location = Location::new(1, [Parachain(Aioracle::get())]);
	pub UniversalLocation: InteriorLocation = Parachain(SIBLING).into();
	pub const UnitWeightCost: Weight = UNIT_WEIGHT;
	pub const MaxInstructions: u32 = 100;
	pub const MaxAssetsIntoHolding: u32 = 4;
}

impl consumer::Config for Runtime {
	type SiblingOrigin =
		aioracle_runtime::configs::xcm_inference::EnsureSiblingParachain<RuntimeOrigin>;
	type Aioracle = Aioracle;
	type SelfParaId = SelfParaId;
	type XcmSender = ToAioracle;
}

/// The sibling's XCM configuration: aioracle's results execute unpaid, with aioracle's
/// sibling origin; nothing else is let in.
pub struct XcmConfig;
impl xcm_executor::Config for XcmConfig {
	type RuntimeCall = RuntimeCall;
	type XcmSender = ToAioracle;
	type XcmEventEmitter = ();
	type AssetTransactor = ();
	type OriginConverter = SiblingParachainAsNative<cumulus_pallet_xcm::Origin, RuntimeOrigin>;
	type IsReserve = ();
	type IsTeleporter = ();
	type UniversalLocation = UniversalLocation;
	type Barrier = AllowExplicitUnpaidExecutionFrom<Equals<AioracleLocation>>;
	type Weigher = FixedWeightBounds<UnitWeightCost, RuntimeCall, MaxInstructions>;
	type Trader = ();
	type ResponseHandler = ();
	type AssetTrap = ();
	type AssetLocker = ();
	type AssetExchanger = ();
	type SubscriptionService = ();
	type PalletInstancesInfo = AllPalletsWithSystem;
	type MaxAssetsIntoHolding = MaxAssetsIntoHolding;
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
	type XcmRecorder = ();
}

thread_local! {
	static OUTBOX: RefCell<Vec<(Location, Xcm<()>)>> = const { RefCell::new(Vec::new()) };
}

/// The sibling's router: records what it sends, for the test's relay to carry.
pub struct ToAioracle;

impl ToAioracle {
	/// The messages sent since the last call.
	pub fn take() -> Vec<(Location, Xcm<()>)> {
		OUTBOX.with(|sent| sent.take())
	}
}

impl SendXcm for ToAioracle {
	type Ticket = (Location, Xcm<()>);

	fn validate(
		destination: &mut Option<Location>,
		message: &mut Option<Xcm<()>>,
	) -> SendResult<Self::Ticket> {
		let destination = destination.take().ok_or(SendError::MissingArgument)?;
		let message = message.take().ok_or(SendError::MissingArgument)?;
		Ok(((destination, message), Assets::new()))
	}

	fn deliver((destination, message): Self::Ticket) -> Result<XcmHash, SendError> {
		let hash = message.using_encoded(sp_io::hashing::blake2_256);
		OUTBOX.with(|sent| sent.borrow_mut().push((destination, message)));
		Ok(hash)
	}
}

/// Externalities of this sibling at block 1.
pub fn new_ext() -> sp_io::TestExternalities {
	let mut ext = sp_io::TestExternalities::new(Default::default());
	ext.execute_with(|| frame_system::Pallet::<Runtime>::set_block_number(1));
	ext
}

use codec::Encode;
