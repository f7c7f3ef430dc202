//! The inference oracle: operators' off-chain workers score requests with the active
//! model versions and submit results as authorized transactions.

use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64},
};
use sp_runtime::{generic::Era, transaction_validity::TransactionPriority};

use crate::{
	configs::governance::RootOrTwoThirdsCouncil, Balance, Balances, BlockNumber, ModelRegistry,
	Runtime, RuntimeCall, RuntimeHoldReason, TxExtension, UncheckedExtrinsic, MILLI_UNIT, UNIT,
};

parameter_types! {
	/// What an operator holds while registered: slashable by the council.
	pub const OperatorBond: Balance = 100 * UNIT;
	/// What a request holds, shared by the operators whose outputs agree.
	pub const RequestFee: Balance = 10 * MILLI_UNIT;
	/// Submissions are accepted for 20 blocks (a minute at the default dev block time).
	pub const ResponseWindow: BlockNumber = 20;
}

impl pallet_inference_oracle::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = ModelRegistry;
	type AuthorityId = pallet_inference_oracle::crypto::Public;
	/// A council motion at two thirds, or root.
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	type OperatorBond = OperatorBond;
	type RequestFee = RequestFee;
	type ResponseWindow = ResponseWindow;
	type MaxOperators = ConstU32<32>;
	/// As large as the registry's largest tensor.
	type MaxInputLen = ConstU32<256>;
	type MaxOutputLen = ConstU32<256>;
	type MaxRequestsPerBlock = ConstU32<64>;
	/// Must exceed (ResponseWindow + 2) * MaxRequestsPerBlock = 1408.
	type MaxRetainedRequests = ConstU32<10_000>;
	type MaxRequestsPerOcwRun = ConstU32<16>;
	/// Results go ahead of ordinary transactions.
	type SubmissionPriority = ConstU64<{ TransactionPriority::MAX / 2 }>;
	type WeightInfo = pallet_inference_oracle::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark::WorstCaseModel;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark {
	use aioracle_primitives::model::ModelId;
	use frame_support::traits::{fungible::Mutate, Get};

	use crate::{AccountId, Balances, ModelRegistry, Runtime, UNIT};

	/// A model from the real registry, with the largest tensors the oracle accepts.
	pub struct WorstCaseModel;

	impl pallet_inference_oracle::BenchmarkHelper for WorstCaseModel {
		fn model() -> ModelId {
			let owner = AccountId::from([0x0e; 32]);
			let _ = Balances::set_balance(&owner, 1_000_000 * UNIT);
			type Oracle = Runtime;
			let input =
				<<Oracle as pallet_inference_oracle::Config>::MaxInputLen as Get<u32>>::get();
			let output =
				<<Oracle as pallet_inference_oracle::Config>::MaxOutputLen as Get<u32>>::get();
			let operators =
				<<Oracle as pallet_inference_oracle::Config>::MaxOperators as Get<u32>>::get();
			ModelRegistry::benchmark_active_model(owner, input, output, operators)
				.unwrap_or_default()
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
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		)
			.into()
	}
}
