//! A test runtime: System, Balances and this pallet; an oracle that records requests (and
//! can refuse them, or answer at once as the exact tier does); a router that records
//! messages (and can refuse them); siblings as signed accounts 2000 to 2999.

use crate as pallet_xcm_inference;
use aioracle_primitives::{
	consumer::{ClosedAs, InferenceResult, InferenceResults, OnInferenceResult, RequestInference},
	model::ModelId,
	oracle::{RequestId, ResultStage},
};
use core::cell::RefCell;
use frame::{
	deps::{sp_io, sp_runtime::DispatchError},
	testing_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation, Contains},
};
use std::collections::BTreeMap;
use xcm::latest::{Assets, Location, SendError, SendResult, SendXcm, Xcm, XcmHash};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		XcmInference: pallet_xcm_inference,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// The deposit of one callback.
pub const DEPOSIT: u128 = 50;
/// What the mock oracle takes from the requester for a request.
pub const ORACLE_FEE: u128 = 30;
/// The longest call prefix.
pub const MAX_CALLBACK_BYTES: u32 = 16;
/// The longest result call: with a 2-byte prefix, outputs of at most 14 elements fit.
pub const MAX_RESULT_BYTES: u32 = 128;
/// The most results sent per block.
pub const MAX_DELIVERIES: u32 = 2;

/// Siblings: their para ids are their accounts' (as signed origins).
pub const PARA_A: u32 = 2000;
pub const PARA_B: u32 = 2001;
/// A sibling whose sovereign account cannot pay a deposit.
pub const POOR_PARA: u32 = 2002;
/// Anyone: retries deliveries.
pub const RELAYER: u64 = 1;
/// Where the mock oracle's fees go.
pub const POT: u64 = 99;
/// Balances at genesis.
pub const START_BALANCE: u128 = 1_000;
/// The model requests name.
pub const MODEL: ModelId = 7;

/// The weight the mock oracle declares at most for a request, and what one takes.
pub const MAX_REQUEST_WEIGHT: Weight = Weight::from_parts(1_000_000, 1_000);
pub const REQUEST_WEIGHT: Weight = Weight::from_parts(400_000, 400);
/// The weight the mock oracle declares for a refused request.
pub const REFUSED_REQUEST_WEIGHT: Weight = Weight::from_parts(300_000, 300);
/// The weight the mock oracle declares for reading a result.
pub const RESULT_WEIGHT: Weight = Weight::from_parts(10_000, 10);

/// `para`'s sovereign account.
pub fn sovereign(para: u32) -> u64 {
	1_000_000 + u64::from(para)
}

/// Sovereign accounts: `1_000_000 + para`.
pub struct Sovereign;

impl Convert<u32, u64> for Sovereign {
	fn convert(para: u32) -> u64 {
		sovereign(para)
	}
}

impl Contains<u64> for Sovereign {
	fn contains(who: &u64) -> bool {
		(sovereign(0)..=sovereign(u32::MAX)).contains(who)
	}
}

/// A sibling's origin, as signed by the account of its para id (2000 to 2999).
pub struct EnsureSibling;

impl EnsureOrigin<RuntimeOrigin> for EnsureSibling {
	type Success = u32;

	fn try_origin(o: RuntimeOrigin) -> Result<u32, RuntimeOrigin> {
		let raw: Result<frame_system::RawOrigin<u64>, RuntimeOrigin> = o.into();
		raw.and_then(|raw| match raw {
			frame_system::RawOrigin::Signed(who) if (2000..3000).contains(&who) => Ok(who as u32),
			raw => Err(RuntimeOrigin::from(raw)),
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::signed(u64::from(PARA_A)))
	}
}

/// The origin of sibling `para`.
pub fn sibling(para: u32) -> RuntimeOrigin {
	RuntimeOrigin::signed(u64::from(para))
}

/// A request as the mock oracle recorded it: `(id, requester, model, input, max_fee)`.
pub type Recorded = (RequestId, u64, ModelId, Vec<i64>, u128);

thread_local! {
	static REQUESTS: RefCell<Vec<Recorded>> = const { RefCell::new(Vec::new()) };
	static REFUSE: RefCell<bool> = const { RefCell::new(false) };
	static ANSWER_AT_ONCE: RefCell<Option<Vec<i64>>> = const { RefCell::new(None) };
	static RESULTS: RefCell<BTreeMap<RequestId, Vec<i64>>> = const { RefCell::new(BTreeMap::new()) };
	static SENT: RefCell<Vec<(Location, Xcm<()>)>> = const { RefCell::new(Vec::new()) };
	static SEND_ERROR: RefCell<Option<SendError>> = const { RefCell::new(None) };
}

/// An oracle that takes `ORACLE_FEE` from the requester and records the request; told to,
/// it refuses (after taking the fee: the call must undo it), or answers at once as the
/// exact tier does (telling this pallet before the request returns).
pub struct MockOracle;

impl MockOracle {
	/// The requests made, in order.
	pub fn requests() -> Vec<Recorded> {
		REQUESTS.with(|r| r.borrow().clone())
	}

	/// Makes requests fail.
	pub fn refuse(refuse: bool) {
		REFUSE.with(|r| *r.borrow_mut() = refuse);
	}

	/// Makes requests be answered in their own call with `output`.
	pub fn answer_at_once(output: Option<Vec<i64>>) {
		ANSWER_AT_ONCE.with(|a| *a.borrow_mut() = output);
	}
}

impl RequestInference<u64, u128> for MockOracle {
	fn request(
		requester: u64,
		model: ModelId,
		input: Vec<i64>,
		max_fee: u128,
	) -> Result<(RequestId, Weight), DispatchError> {
		<Balances as Mutate<u64>>::transfer(
			&requester,
			&POT,
			ORACLE_FEE,
			Preservation::Expendable,
		)?;
		if REFUSE.with(|r| *r.borrow()) {
			return Err(DispatchError::Other("the mock oracle refuses"));
		}
		let id = REQUESTS.with(|r| r.borrow().len() as RequestId);
		REQUESTS.with(|r| r.borrow_mut().push((id, requester, model, input, max_fee)));
		if let Some(output) = ANSWER_AT_ONCE.with(|a| a.borrow().clone()) {
			RESULTS.with(|r| r.borrow_mut().insert(id, output.clone()));
			<XcmInference as OnInferenceResult<u64>>::on_result(
				id,
				&requester,
				model,
				ClosedAs::Finalized(&output),
			);
		}
		Ok((id, REQUEST_WEIGHT))
	}

	fn refused_request_weight() -> Weight {
		REFUSED_REQUEST_WEIGHT
	}

	fn max_request_weight() -> Weight {
		MAX_REQUEST_WEIGHT
	}
}

impl InferenceResults<u64, u64> for MockOracle {
	fn result(request: RequestId) -> Option<InferenceResult<u64, u64>> {
		let output = RESULTS.with(|r| r.borrow().get(&request).cloned())?;
		let (_, requester, model, _, _) =
			MockOracle::requests().into_iter().nth(request as usize)?;
		Some(InferenceResult {
			requester,
			model,
			version: 0,
			output,
			finalized_at: System::block_number(),
			stage: ResultStage::Settled,
		})
	}

	fn result_weight() -> Weight {
		RESULT_WEIGHT
	}
}

/// A router that records what it sends; told to, it refuses with an error.
pub struct MockSender;

impl MockSender {
	/// The messages sent, in order.
	pub fn sent() -> Vec<(Location, Xcm<()>)> {
		SENT.with(|s| s.borrow().clone())
	}

	/// Makes sends fail with `error` (`None`: succeed).
	pub fn fail_with(error: Option<SendError>) {
		SEND_ERROR.with(|e| *e.borrow_mut() = error);
	}
}

impl SendXcm for MockSender {
	type Ticket = (Location, Xcm<()>);

	fn validate(
		destination: &mut Option<Location>,
		message: &mut Option<Xcm<()>>,
	) -> SendResult<Self::Ticket> {
		if let Some(error) = SEND_ERROR.with(|e| e.borrow().clone()) {
			return Err(error);
		}
		let destination = destination.take().ok_or(SendError::MissingArgument)?;
		let message = message.take().ok_or(SendError::MissingArgument)?;
		Ok(((destination, message), Assets::new()))
	}

	fn deliver((destination, message): Self::Ticket) -> Result<XcmHash, SendError> {
		let id = message.using_encoded(sp_io::hashing::blake2_256);
		SENT.with(|s| s.borrow_mut().push((destination, message)));
		Ok(id)
	}
}

impl pallet_xcm_inference::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Oracle = MockOracle;
	type SiblingOrigin = EnsureSibling;
	type SovereignAccount = Sovereign;
	type SiblingAccounts = Sovereign;
	type XcmSender = MockSender;
	type CallbackDeposit = ConstU128<DEPOSIT>;
	type MaxCallbackBytes = ConstU32<MAX_CALLBACK_BYTES>;
	type MaxResultBytes = ConstU32<MAX_RESULT_BYTES>;
	type MaxDeliveriesPerBlock = ConstU32<MAX_DELIVERIES>;
	type WeightInfo = ();
}

/// Test externalities with funded sovereign accounts; `build_and_execute` checks the
/// invariants after the test.
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build() -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(sovereign(PARA_A), START_BALANCE),
				(sovereign(PARA_B), START_BALANCE),
				(sovereign(POOR_PARA), DEPOSIT - 1),
				(RELAYER, START_BALANCE),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		REQUESTS.with(|r| r.borrow_mut().clear());
		REFUSE.with(|r| *r.borrow_mut() = false);
		ANSWER_AT_ONCE.with(|a| *a.borrow_mut() = None);
		RESULTS.with(|r| r.borrow_mut().clear());
		SENT.with(|s| s.borrow_mut().clear());
		SEND_ERROR.with(|e| *e.borrow_mut() = None);
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	pub fn build_and_execute(test: impl FnOnce()) {
		Self::build().execute_with(|| {
			test();
			XcmInference::do_try_state().expect("invariants hold after the test");
		});
	}
}
