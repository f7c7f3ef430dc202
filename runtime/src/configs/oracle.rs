//! The inference oracle: operators' off-chain workers score requests with the active
//! model versions and submit results as authorized transactions.

use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstU32, ConstU64, LinearStoragePrice},
};
use sp_runtime::{generic::Era, transaction_validity::TransactionPriority, Perbill};

use crate::{
	configs::governance::RootOrTwoThirdsCouncil, AccountId, Balance, Balances, BlockNumber, ModelRegistry,
	Runtime, RuntimeCall, RuntimeHoldReason, TxExtension, UncheckedExtrinsic, MICRO_UNIT, MILLI_UNIT,
	UNIT,
};

parameter_types! {
	/// The least bond an operator registers with (more buys more committee seats).
	pub const OperatorBond: Balance = 100 * UNIT;
	/// An output outside the tolerance of the accepted result costs a tenth of the bond ...
	pub const OutlierSlash: Perbill = Perbill::from_percent(10);
	/// ... a seat left empty (no answer, or a commitment never revealed) a hundredth.
	pub const NoShowSlash: Perbill = Perbill::from_percent(1);
	/// What a request holds, shared by the operators whose outputs agree.
	pub const RequestFee: Balance = 10 * MILLI_UNIT;
	/// A request's retention deposit: a hundredth of an AIO, ...
	pub const RequestDepositBase: Balance = 10 * MILLI_UNIT;
	/// ... and ten millionths of an AIO per byte of the most state it can take (about
	/// 720 bytes, 0.0172 AIO, for the sample model's request and its committee of three).
	pub const RequestDepositPerByte: Balance = 10 * MICRO_UNIT;
	/// Submissions are accepted for 20 blocks (a minute at the default dev block time).
	pub const ResponseWindow: BlockNumber = RESPONSE_WINDOW;
	/// Committees commit for at most 5 blocks; reveals open earlier once all committed.
	pub const CommitWindow: BlockNumber = 5;
	/// A leaving operator's bond stays slashable for 100 blocks (10 minutes at 6 s),
	/// beyond every request it may sit on.
	pub const UnbondingPeriod: BlockNumber = 100;
	/// A result may be disputed for 10 blocks after it is finalized (a minute at 6 s); it
	/// is settled after that.
	pub const DisputeWindow: BlockNumber = DISPUTE_WINDOW;
	/// A dispute holds 1 AIO (a hundred request fees): burnt if the result is confirmed.
	pub const DisputeBond: Balance = UNIT;
	/// Members who agreed on an overturned result lose a fifth of their bond, paid to the
	/// disputer: twice an outlier's slash, since they were not caught by their committee.
	pub const DisputeSlash: Perbill = Perbill::from_percent(20);
	/// An input blob holds a hundredth of an AIO, ...
	pub const InputBlobDepositBase: Balance = 10 * MILLI_UNIT;
	/// ... and a millionth of an AIO per byte, as model bytes do: about 2.1 AIO for a
	/// 2 MiB blob, kept in every indexing node's offchain DB.
	pub const InputBlobDepositPerByte: Balance = MICRO_UNIT;
	/// A blob stays at least as long as a request that named it and a dispute round of it
	/// may be scored: `2 * (ResponseWindow + 2) + DisputeWindow` blocks.
	pub const InputBlobRetention: BlockNumber = 2 * (RESPONSE_WINDOW + 2) + DISPUTE_WINDOW;
	/// A subscription record holds a hundredth of an AIO, plus `RequestDepositPerByte`
	/// per byte (about 0.011 AIO for an iris subscription), until it closes.
	pub const SubscriptionDepositBase: Balance = 10 * MILLI_UNIT;
	/// The hold reason of subscription records' deposits.
	pub const SubscriptionStorage: RuntimeHoldReason = RuntimeHoldReason::InferenceOracle(
		pallet_inference_oracle::HoldReason::SubscriptionStorage,
	);
}

/// The most requests subscriptions make in one block, in `on_initialize` (7.5% of
/// `MAX_REQUESTS_PER_BLOCK`): at the benchmarked worst case (each served, listed again in a
/// full block and closed) about 8% of a block's proof size and 57 ms, checked by the
/// runtime test `the_most_subscriptions_serve_in_a_block_fits_a_tenth_of_it`.
pub const MAX_SCHEDULED_PER_BLOCK: u32 = 24;

/// Blocks after a request's block in which submissions are accepted.
pub const RESPONSE_WINDOW: BlockNumber = 20;

/// Blocks after a result's finalization during which it may be disputed.
pub const DISPUTE_WINDOW: BlockNumber = 10;

/// The most requests made in one block. Under full load a block holds them beside the
/// sample committees' commitments to the previous block's requests and their reveals for
/// the block before (three members each); the runtime test
/// `full_blocks_of_requests_are_committed_to_and_revealed_in_the_next_two` checks it
/// against the weights (95% of the normal class since canaries, spec 9); measured with
/// `scripts/bench-oracle-load.sh` (see the README's figures).
pub const MAX_REQUESTS_PER_BLOCK: u32 = 320;

impl pallet_inference_oracle::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = ModelRegistry;
	type Market = ModelRegistry;
	type Canary = ModelRegistry;
	/// Results of siblings' requests go back to them over XCM.
	type OnResult = crate::XcmInference;
	type Datasets = crate::DatasetProvenance;
	type AuthorityId = pallet_inference_oracle::crypto::Public;
	/// A council motion at two thirds, or root.
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	type Randomness = crate::relay_randomness::RelayRandomness;
	type OperatorBond = OperatorBond;
	type OutlierSlash = OutlierSlash;
	type NoShowSlash = NoShowSlash;
	/// Three faults in a row suspend.
	type MaxStrikes = ConstU32<3>;
	/// Two operators' nodes (or the version's `min_agreement`, if more) must reproduce a
	/// proposed version's golden vectors before the council may approve it.
	type MinValidators = ConstU32<2>;
	type UnbondingPeriod = UnbondingPeriod;
	type CommitWindow = CommitWindow;
	type DisputeWindow = DisputeWindow;
	type DisputeBond = DisputeBond;
	type DisputeSlash = DisputeSlash;
	/// Each open dispute is a request with a committee of up to 15; 32 bounds the queue
	/// `on_idle` settles from.
	type MaxOpenDisputes = ConstU32<32>;
	type RequestFee = RequestFee;
	type RequestDepositBase = RequestDepositBase;
	type RequestDepositPerByte = RequestDepositPerByte;
	type ResponseWindow = ResponseWindow;
	/// As large as a model chunk: a 2 MiB file, image or tensor per blob.
	type MaxInputBlobBytes = ConstU32<{ crate::configs::models::MAX_MODEL_BYTES }>;
	type InputBlobDepositBase = InputBlobDepositBase;
	type InputBlobDepositPerByte = InputBlobDepositPerByte;
	type InputBlobRetention = InputBlobRetention;
	/// A bounded set where a larger bond displaces the smallest.
	type MaxOperators = ConstU32<64>;
	/// Versions may ask for up to 8 agreeing operators (`MaxMinAgreement`): 15 members.
	type MaxCommittee = ConstU32<15>;
	/// Inline inputs, kept in state with the request: 256 elements (2 KiB). Larger inputs
	/// (up to the registry's `MaxTensorLen`) go by reference.
	type MaxInputLen = ConstU32<256>;
	type MaxOutputLen = ConstU32<256>;
	type MaxRequestsPerBlock = ConstU32<MAX_REQUESTS_PER_BLOCK>;
	/// A block's requests answered in one batch per operator.
	type MaxBatchLen = ConstU32<MAX_REQUESTS_PER_BLOCK>;
	/// (2 * (ResponseWindow + 2) + DisputeWindow) * MaxRequestsPerBlock = 17,280: a
	/// request is kept about 54 full blocks after it was made (long enough for its dispute
	/// round to close), and for ever on an idle chain; its retention deposit pays for that.
	type MaxRetainedRequests =
		ConstU32<{ (2 * 22 + DISPUTE_WINDOW) * MAX_REQUESTS_PER_BLOCK }>;
	/// Two blocks' worth: a node catching up after a restart clears its backlog in a run.
	type MaxRequestsPerOcwRun = ConstU32<{ 2 * MAX_REQUESTS_PER_BLOCK }>;
	/// Two thirds of the dev block time: what a run scores is submitted before the next
	/// block is sealed.
	type OcwTimeBudgetMillis = ConstU64<2_000>;
	/// Results go ahead of ordinary transactions.
	type SubmissionPriority = ConstU64<{ TransactionPriority::MAX / 2 }>;
	/// `SubscriptionDepositBase + RequestDepositPerByte * bytes`, held from the owner.
	type SubscriptionTicket = HoldConsideration<
		AccountId,
		Balances,
		SubscriptionStorage,
		LinearStoragePrice<SubscriptionDepositBase, RequestDepositPerByte, Balance>,
	>;
	/// Each block lists at most this many (4 KiB of ids).
	type MaxSubscriptions = ConstU32<1024>;
	type MaxScheduledPerBlock = ConstU32<MAX_SCHEDULED_PER_BLOCK>;
	type WeightInfo = pallet_inference_oracle::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark::WorstCaseModel;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark {
	use aioracle_primitives::model::{ModelId, VersionId};
	use frame_support::traits::{fungible::Mutate, Get};

	use crate::{AccountId, Balances, ModelRegistry, Runtime, UNIT};

	/// A model from the real registry, with the largest input the oracle accepts.
	pub struct WorstCaseModel;

	impl pallet_inference_oracle::BenchmarkHelper for WorstCaseModel {
		fn model(output: u32, min_agreement: u32) -> ModelId {
			let owner = AccountId::from([0x0e; 32]);
			let _ = Balances::set_balance(&owner, 1_000_000 * UNIT);
			type Oracle = Runtime;
			let input =
				<<Oracle as pallet_inference_oracle::Config>::MaxInputLen as Get<u32>>::get();
			ModelRegistry::benchmark_active_model(owner, input, output, min_agreement)
				.unwrap_or_default()
		}

		fn proposed_version() -> (ModelId, VersionId) {
			let owner = AccountId::from([0x0f; 32]);
			let _ = Balances::set_balance(&owner, 1_000_000 * UNIT);
			ModelRegistry::benchmark_proposed_version(owner, 1, 1, 1).unwrap_or_default()
		}

		fn input_dataset() -> aioracle_primitives::dataset::DatasetId {
			let owner = AccountId::from([0x1d; 32]);
			crate::DatasetProvenance::benchmark_insert_chain(owner, 1).unwrap_or_default()
		}

		fn canary(model: ModelId) {
			let owner = AccountId::from([0x0e; 32]);
			let _ = ModelRegistry::benchmark_canary(owner, model);
		}

		fn exact_model() -> (ModelId, alloc::vec::Vec<i64>) {
			let owner = AccountId::from([0xe8; 32]);
			let _ = Balances::set_balance(&owner, 1_000_000 * UNIT);
			type Oracle = Runtime;
			let input_len =
				<<Oracle as pallet_inference_oracle::Config>::MaxInputLen as Get<u32>>::get();
			ModelRegistry::benchmark_exact_model(owner, input_len).unwrap_or_default()
		}
	}
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	/// The extensions of an authorized (unsigned, general) transaction: `AuthorizeCall`
	/// runs the call's `#[pallet::authorize]`; without a signer, the nonce and payment
	/// extensions do nothing.
	fn create_extension() -> TxExtension {
		transaction_extension(0)
	}
}

/// The runtime's transaction extensions for an immortal transaction with `nonce`, no tip
/// and no metadata hash: what an authorized transaction carries (nonce 0, ignored without
/// a signer), and what tools that sign transactions themselves (the fuzzer) sign.
pub fn transaction_extension(nonce: u32) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		pallet_inference_oracle::CheckRequestCapacity::<Runtime>::new(),
	)
		.into()
}
