//! A test runtime: System, Balances and this pallet; a model registry with one active
//! iris-like version; a fake ONNX engine behind the real host-function extension; and
//! helpers for off-chain worker tests (offchain DB, transaction pool, keystore).

use crate as pallet_inference_oracle;
use aioracle_primitives::{
	canary::{CanaryComparison, CanaryLedger},
	dataset::{ContentHash, DatasetId, DatasetInspect, LicenceFlags, UsagePermissions},
	input::BlobDecoding,
	market::{InferenceMarket, Royalty},
	metrics::{OracleMetricsExt, WorkerEvent, WorkerEventSink},
	model::{
		Aggregation, ElementType, ExactServing, GoldenVector, ModelHash, ModelId, ModelInspect,
		ServingArtifacts, ServingContract, TensorSpec, VersionId,
	},
	onnx::{ModelSource, OnnxExt, ScoreError, ScoreRequest, Scorer},
};
use core::cell::RefCell;
use frame::{
	deps::{
		sp_core::offchain::{
			testing::{OffchainState, PoolState, TestOffchainExt, TestTransactionPoolExt},
			OffchainDbExt, OffchainStorage, OffchainWorkerExt, TransactionPoolExt,
		},
		sp_io,
		sp_runtime::testing::TestXt,
	},
	testing_prelude::*,
};
use std::{
	collections::{BTreeMap, BTreeSet},
	sync::{Arc, Mutex},
};

type TxExtension = frame_system::AuthorizeCall<Test>;
pub type Extrinsic = TestXt<RuntimeCall, TxExtension>;
type Block = frame::deps::sp_runtime::generic::Block<
	frame::deps::sp_runtime::generic::Header<u64, frame::deps::sp_runtime::traits::BlakeTwo256>,
	Extrinsic,
>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		InferenceOracle: pallet_inference_oracle,
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

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: Self::Extension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> Self::Extension {
		TxExtension::new()
	}
}

/// The model every test requests; `LABELS` is an exact-majority model.
pub const IRIS: ModelId = 0;
pub const LABELS: ModelId = 1;
/// A model without an active version.
pub const RETIRED: ModelId = 2;
/// The benchmarks' model: every operator must agree.
pub const BENCH: ModelId = 3;

/// The ONNX bytes of the test models (the fake engine only checks their hash).
pub fn onnx_bytes(model: ModelId) -> Vec<u8> {
	format!("onnx bytes of model {model}").into_bytes()
}

pub fn model_hash(model: ModelId) -> ModelHash {
	frame::hashing::blake2_256(&onnx_bytes(model)).into()
}

fn spec(index: u32, element_type: ElementType, shape: &[u32]) -> TensorSpec {
	TensorSpec { index, element_type, shape: BoundedVec::truncate_from(shape.to_vec()) }
}

/// What the honest fake engine outputs for an input: a deterministic function of it.
pub fn honest_output(model: ModelId, input: &[i64]) -> Vec<i64> {
	let sum: i64 = input.iter().sum();
	match model {
		LABELS => vec![sum.rem_euclid(3)],
		_ => vec![sum, sum / 2, 7],
	}
}

pub const GOLDEN_INPUT: [i64; 4] = [51_000, 35_000, 14_000, 2_000];

thread_local! {
	/// Golden vectors given to versions (tests may break them).
	static GOLDEN_OUTPUT_OVERRIDE: RefCell<Option<Vec<i64>>> = const { RefCell::new(None) };
}

thread_local! {
	/// The rule `IRIS` is served by (tests may make it reduce the output).
	static IRIS_AGGREGATION: RefCell<Aggregation> =
		const { RefCell::new(Aggregation::Median { tolerance: 10 }) };
}

thread_local! {
	/// The URI the versions give for their bytes.
	static URI: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
	/// The output length of the benchmarks' model.
	static BENCH_OUTPUT_LEN: RefCell<u32> = const { RefCell::new(8) };
	/// The `min_agreement` of the benchmarks' model.
	static BENCH_MIN_AGREEMENT: RefCell<u32> = const { RefCell::new(MAX_OPERATORS) };
	/// The `min_agreement` of `IRIS` and `LABELS`: 1, a committee of one, unless a test
	/// asks for more.
	static MIN_AGREEMENT: RefCell<u32> = const { RefCell::new(1) };
}

/// Makes `IRIS` and `LABELS` ask for `min_agreement` agreeing operators: served by
/// committees of `2 * min_agreement - 1`.
pub fn set_min_agreement(min_agreement: u32) {
	MIN_AGREEMENT.with(|m| *m.borrow_mut() = min_agreement);
}

/// Makes [`INPUT_DATASET`] forbid inference on it.
pub fn forbid_input_inference() {
	INPUT_INFERENCE_FORBIDDEN.with(|f| *f.borrow_mut() = true);
}

/// Makes `model`'s training data forbid inference.
pub fn forbid_inference(model: ModelId) {
	INFERENCE_FORBIDDEN.with(|f| f.borrow_mut().push(model));
}

/// Makes every version give `uri` as where its bytes can be fetched.
pub fn set_uri(uri: &str) {
	URI.with(|u| *u.borrow_mut() = uri.as_bytes().to_vec());
}

/// Makes `IRIS` served by `aggregation` (its golden vector then expects the report).
pub fn set_iris_aggregation(aggregation: Aggregation) {
	IRIS_AGGREGATION.with(|a| *a.borrow_mut() = aggregation);
}

thread_local! {
	/// The models whose version 1 has an exact program: its bytes.
	static EXACT_PROGRAMS: RefCell<BTreeMap<ModelId, Vec<u8>>> = const { RefCell::new(BTreeMap::new()) };
}

/// What the mock registry says reading and running any exact program weighs.
pub const EXACT_WEIGHT: Weight = Weight::from_parts(3_000_000, 2_000);
/// What it says the most an exact answer can take is.
pub const MAX_EXACT_WEIGHT: Weight = Weight::from_parts(9_000_000, 70_000);

/// Gives `model`'s version 1 the exact program `program` (SCALE-encoded, unchecked: the
/// registry checks programs).
pub fn set_exact_program(model: ModelId, program: Vec<u8>) {
	EXACT_PROGRAMS.with(|p| p.borrow_mut().insert(model, program));
}

/// Takes `model`'s exact program away: its requests are served by operators again.
pub fn clear_exact_program(model: ModelId) {
	EXACT_PROGRAMS.with(|p| p.borrow_mut().remove(&model));
}

/// Makes the active iris version's golden vector expect `output`.
pub fn set_golden_output(output: Vec<i64>) {
	GOLDEN_OUTPUT_OVERRIDE.with(|g| *g.borrow_mut() = Some(output));
}

/// The model registry as the oracle sees it.
pub struct MockModels;

impl MockModels {
	/// The serving contract of `model`'s only version, 1.
	pub fn serving_contract(model: ModelId) -> Option<ServingContract> {
		let bench_len = BENCH_OUTPUT_LEN.with(|l| *l.borrow());
		let (output, aggregation) = match model {
			IRIS => (spec(1, ElementType::F32, &[1, 3]), IRIS_AGGREGATION.with(|a| *a.borrow())),
			LABELS => (spec(0, ElementType::I64, &[1]), Aggregation::ExactMajority),
			BENCH => (spec(1, ElementType::F32, &[1, bench_len]), Aggregation::Median { tolerance: 0 }),
			_ => return None,
		};
		let (input, min_agreement) = match model {
			BENCH => (spec(0, ElementType::F32, &[1, 8]), BENCH_MIN_AGREEMENT.with(|m| *m.borrow())),
			_ => (spec(0, ElementType::F32, &[1, 4]), MIN_AGREEMENT.with(|m| *m.borrow())),
		};
		Some(ServingContract {
			inputs: BoundedVec::truncate_from(vec![input]),
			output,
			input_scale: 4,
			output_scale: 6,
			aggregation,
			min_agreement,
		})
	}
}

impl ModelInspect for MockModels {
	fn active_contract(model: ModelId) -> Option<(VersionId, ModelHash, ServingContract)> {
		Self::serving_contract(model).map(|contract| (1, model_hash(model), contract))
	}

	fn contract(model: ModelId, version: VersionId) -> Option<(ModelHash, ServingContract)> {
		Self::serving_contract(model)
			.filter(|_| Self::exists(model, version))
			.map(|contract| (model_hash(model), contract))
	}

	fn is_proposed(model: ModelId, version: VersionId) -> bool {
		PROPOSED.with(|p| p.borrow().contains(&(model, version)))
	}

	fn proposed_versions(limit: u32) -> Vec<(ModelId, VersionId)> {
		PROPOSED.with(|p| p.borrow().iter().take(limit as usize).copied().collect())
	}

	fn input_decoding(_: ModelId, _: VersionId) -> BlobDecoding {
		INPUT_DECODING.with(|d| *d.borrow())
	}

	fn inference_permitted(model: ModelId, _: VersionId) -> bool {
		!INFERENCE_FORBIDDEN.with(|f| f.borrow().contains(&model))
	}

	fn exact_program(model: ModelId, version: VersionId) -> Option<ExactServing> {
		let program = EXACT_PROGRAMS.with(|p| p.borrow().get(&model).cloned())?;
		(version == 1).then(|| ExactServing {
			program_hash: sp_io::hashing::blake2_256(&program).into(),
			program,
			weight: EXACT_WEIGHT,
		})
	}

	fn has_exact_program(model: ModelId, version: VersionId) -> bool {
		version == 1 && EXACT_PROGRAMS.with(|p| p.borrow().contains_key(&model))
	}

	fn max_exact_weight() -> Weight {
		MAX_EXACT_WEIGHT
	}

	fn artifacts(model: ModelId, version: VersionId) -> Option<ServingArtifacts> {
		let contract =
			Self::serving_contract(model).filter(|_| Self::exists(model, version))?;
		let golden_output = GOLDEN_OUTPUT_OVERRIDE
			.with(|g| g.borrow().clone())
			.filter(|_| model == IRIS)
			.or_else(|| contract.report(honest_output(model, &GOLDEN_INPUT)))?;
		Some(ServingArtifacts {
			model_hash: model_hash(model),
			uri: URI.with(|u| u.borrow().clone()),
			size_bytes: onnx_bytes(model).len() as u32,
			golden_vectors: vec![GoldenVector {
				input: GOLDEN_INPUT.to_vec(),
				output: golden_output,
			}],
		})
	}
}

thread_local! {
	/// The running canary, as the registry would report it.
	static CANARY: RefCell<Option<(ModelId, VersionId, ModelHash, Perbill)>> =
		const { RefCell::new(None) };
	/// The comparisons the oracle counted.
	static COMPARISONS: RefCell<Vec<(ModelId, VersionId, CanaryComparison)>> =
		const { RefCell::new(Vec::new()) };
}

/// The registry's canaries as the oracle sees them: one that tests start and stop, and
/// the comparisons counted.
pub struct MockCanary;

impl MockCanary {
	/// Runs a canary of version 2 of `model` (its version 1's bytes again, so honest
	/// operators agree), sampling `sample` of its requests.
	pub fn start(model: ModelId, sample: Perbill) -> VersionId {
		CANARY.with(|c| *c.borrow_mut() = Some((model, 2, model_hash(model), sample)));
		2
	}

	/// Ends it.
	pub fn stop() {
		CANARY.with(|c| *c.borrow_mut() = None);
	}

	/// The comparisons counted so far.
	pub fn comparisons() -> Vec<(ModelId, VersionId, CanaryComparison)> {
		COMPARISONS.with(|c| c.borrow().clone())
	}
}

impl CanaryLedger for MockCanary {
	fn running(model: ModelId) -> Option<(VersionId, ModelHash, Perbill)> {
		CANARY.with(|c| *c.borrow()).filter(|(m, ..)| *m == model).map(|(_, v, h, s)| (v, h, s))
	}

	fn record(model: ModelId, version: VersionId, comparison: CanaryComparison) {
		COMPARISONS.with(|c| c.borrow_mut().push((model, version, comparison)));
	}

	fn record_weight() -> Weight {
		Weight::zero()
	}
}

/// Makes every version decode input blobs as `decoding`.
pub fn set_input_decoding(decoding: BlobDecoding) {
	INPUT_DECODING.with(|d| *d.borrow_mut() = decoding);
}

/// The dataset the oracle's tests name as an input: a file of [`DATASET_BYTES`].
pub const INPUT_DATASET: DatasetId = 5;

/// The content of [`INPUT_DATASET`]: four `i64` fixed-point values, an iris input blob.
pub const DATASET_BYTES: [u8; 32] = [
	1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0,
];

/// The dataset pallet as the oracle sees it: only [`INPUT_DATASET`] exists.
pub struct MockDatasets;

impl DatasetInspect for MockDatasets {
	fn exists(id: DatasetId) -> bool {
		id == INPUT_DATASET
	}

	fn is_tainted(_: DatasetId) -> bool {
		false
	}

	fn licence_flags(_: DatasetId) -> Option<LicenceFlags> {
		None
	}

	fn content_hash(id: DatasetId) -> Option<ContentHash> {
		Self::exists(id).then(|| frame::hashing::blake2_256(&DATASET_BYTES).into())
	}

	fn permissions(id: DatasetId) -> Option<UsagePermissions> {
		let forbidden = INPUT_INFERENCE_FORBIDDEN.with(|f| *f.borrow());
		Self::exists(id).then_some(UsagePermissions {
			ai_inference: if forbidden {
				aioracle_primitives::dataset::UsePermission::NotAllowed
			} else {
				aioracle_primitives::dataset::UsePermission::Allowed
			},
			..UsagePermissions::ALL_ALLOWED
		})
	}

	fn royalties(
		_: &[DatasetId],
		_: u32,
		_: u32,
	) -> Result<Vec<Royalty>, aioracle_primitives::dataset::RoyaltyLineageError> {
		Ok(Vec::new())
	}
}

thread_local! {
	/// How every version decodes input blobs.
	static INPUT_DECODING: RefCell<BlobDecoding> = const { RefCell::new(BlobDecoding::Tensor) };
	/// Whether [`INPUT_DATASET`] forbids inference on it.
	static INPUT_INFERENCE_FORBIDDEN: RefCell<bool> = const { RefCell::new(false) };
	/// The models whose training data does not permit inference.
	static INFERENCE_FORBIDDEN: RefCell<Vec<ModelId>> = const { RefCell::new(Vec::new()) };
	/// The versions awaiting approval: each a re-proposal of its model's version 1.
	static PROPOSED: RefCell<Vec<(ModelId, VersionId)>> = const { RefCell::new(Vec::new()) };
}

impl MockModels {
	/// Proposes version 2 of `model` (its version 1's bytes and contract again).
	pub fn propose(model: ModelId) -> VersionId {
		PROPOSED.with(|p| p.borrow_mut().push((model, 2)));
		2
	}

	/// Whether version `version` of `model` exists: version 1, a proposed one, or the
	/// candidate of a running canary.
	pub fn exists(model: ModelId, version: VersionId) -> bool {
		version == 1 ||
			Self::is_proposed(model, version) ||
			MockCanary::running(model).is_some_and(|(candidate, ..)| candidate == version)
	}

	/// Governance decided on version `version` of `model`: it is no longer proposed.
	pub fn decide(model: ModelId, version: VersionId) {
		PROPOSED.with(|p| p.borrow_mut().retain(|v| *v != (model, version)));
	}
}

/// A fake ONNX engine: checks hashes, caches "plans", and outputs [`honest_output`].
#[derive(Default)]
pub struct FakeEngine {
	loaded: Mutex<BTreeSet<ModelHash>>,
	/// How many loads it has done.
	pub loads: Mutex<u32>,
	/// Fail every score with this error.
	pub fail_with: Mutex<Option<ScoreError>>,
	/// The node's offchain DB, which `load_indexed` reads.
	pub offchain_db: Mutex<Option<Arc<parking_lot::RwLock<OffchainState>>>>,
	/// How many loads came from the offchain DB without the bytes entering wasm.
	pub indexed_loads: Mutex<u32>,
	/// What the node would fetch from each URI (its own HTTP client is tested in the node).
	pub served: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
	/// The sources the worker asked the node to fetch from.
	pub fetches: Mutex<Vec<ModelSource>>,
}

impl Scorer for FakeEngine {
	fn load(&self, hash: ModelHash, bytes: &[u8]) -> Result<(), ScoreError> {
		if ModelHash::from(frame::hashing::blake2_256(bytes)) != hash {
			return Err(ScoreError::HashMismatch);
		}
		*self.loads.lock().unwrap() += 1;
		self.loaded.lock().unwrap().insert(hash);
		Ok(())
	}

	fn load_indexed(&self, hash: ModelHash, source: Option<&ModelSource>) -> Result<bool, ScoreError> {
		let key = aioracle_primitives::model::model_bytes_key(&hash);
		let db = self.offchain_db.lock().unwrap().clone();
		let indexed = db.as_ref().and_then(|state| state.read().persistent_storage.get(&key));
		if let Some(bytes) = indexed {
			self.load(hash, &bytes)?;
			*self.indexed_loads.lock().unwrap() += 1;
			return Ok(true);
		}
		// As the node does: fetch, check the size and hash, keep, load.
		let Some(source) = source else { return Ok(false) };
		self.fetches.lock().unwrap().push(source.clone());
		let fetched = self.served.lock().unwrap().get(&source.uri).cloned().filter(|bytes| {
			bytes.len() == source.size_bytes as usize
				&& ModelHash::from(frame::hashing::blake2_256(bytes)) == hash
		});
		let Some(bytes) = fetched else { return Ok(false) };
		if let Some(state) = db {
			state.write().persistent_storage.set(b"", &key, &bytes);
		}
		self.load(hash, &bytes).map(|()| true)
	}

	fn is_loaded(&self, hash: ModelHash) -> bool {
		self.loaded.lock().unwrap().contains(&hash)
	}

	fn score(&self, hash: ModelHash, request: &ScoreRequest) -> Result<Vec<i64>, ScoreError> {
		if let Some(error) = *self.fail_with.lock().unwrap() {
			return Err(error);
		}
		if !self.is_loaded(hash) {
			return Err(ScoreError::UnknownModel);
		}
		let model = [IRIS, LABELS].into_iter().find(|m| model_hash(*m) == hash).unwrap();
		// The output spec's element count, as a real engine reports it.
		let mut output = honest_output(model, &request.values);
		output.truncate(request.output.element_count().unwrap_or(0) as usize);
		Ok(output)
	}
}

/// Records what the off-chain worker reports to the node's metrics.
#[derive(Default)]
pub struct WorkerEvents(Mutex<Vec<WorkerEvent>>);

impl WorkerEvents {
	/// The events recorded since the last call.
	pub fn take(&self) -> Vec<WorkerEvent> {
		std::mem::take(&mut *self.0.lock().unwrap())
	}
}

impl WorkerEventSink for WorkerEvents {
	fn record(&self, event: WorkerEvent) {
		self.0.lock().unwrap().push(event);
	}
}

/// Governance acts as root, or as this account, in tests.
pub const GOVERNANCE: u64 = 100;

ord_parameter_types! {
	pub const Governance: u64 = GOVERNANCE;
}

pub const BOND: u128 = 1_000;
pub const FEE: u128 = 100;
pub const WINDOW: u64 = 8;
pub const MAX_OPERATORS: u32 = 4;
pub const MAX_REQUESTS_PER_BLOCK: u32 = 3;
pub const MAX_BATCH_LEN: u32 = 3;
/// At least `(2 * (WINDOW + 2) + DISPUTE_WINDOW) * MAX_REQUESTS_PER_BLOCK` (72).
pub const MAX_RETAINED: u32 = 80;
pub const DEPOSIT_BASE: u128 = 5;
pub const DEPOSIT_PER_BYTE: u128 = 1;
pub const MAX_SCORED_PER_RUN: u32 = 4;
pub const MAX_BLOB_BYTES: u32 = 64;
pub const BLOB_DEPOSIT_BASE: u128 = 10;
pub const BLOB_DEPOSIT_PER_BYTE: u128 = 2;
/// A request and a dispute round of it: `2 * (WINDOW + 2) + DISPUTE_WINDOW`.
pub const BLOB_RETENTION: u64 = 24;

pub const MAX_COMMITTEE: u32 = 3;
pub const COMMIT_WINDOW: u64 = 3;
pub const UNBONDING: u64 = 12;
pub const MAX_STRIKES: u32 = 3;
pub const DISPUTE_WINDOW: u64 = 4;
pub const MIN_VALIDATORS: u32 = 2;
pub const DISPUTE_BOND: u128 = 500;
pub const MAX_OPEN_DISPUTES: u32 = 2;
/// Members who agreed on an overturned result lose a fifth of their bond.
pub const DISPUTE_SLASH: Perbill = Perbill::from_percent(20);
/// An outlier loses a tenth of its bond, a no-show a hundredth.
pub const OUTLIER_SLASH: Perbill = Perbill::from_percent(10);
pub const NO_SHOW_SLASH: Perbill = Perbill::from_percent(1);
/// A subscription record's deposit: a base and a unit per byte.
pub const SUBSCRIPTION_DEPOSIT_BASE: u128 = 20;
pub const MAX_SUBSCRIPTIONS: u32 = 4;
/// Less than `MAX_REQUESTS_PER_BLOCK`.
pub const MAX_SCHEDULED_PER_BLOCK: u32 = 2;

thread_local! {
	/// What the test randomness returns (any 32 bytes; tests change it to vary draws).
	pub static RANDOM_SEED: RefCell<[u8; 32]> = const { RefCell::new([7; 32]) };
}

/// Randomness for tests: [`RANDOM_SEED`] hashed with the subject.
pub struct TestRandomness;

impl frame::traits::Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let seed = RANDOM_SEED.with(|s| *s.borrow());
		(H256::from(sp_io::hashing::blake2_256(&(seed, subject).encode())), System::block_number())
	}
}

parameter_types! {
	pub const OutlierSlash: Perbill = OUTLIER_SLASH;
	pub const NoShowSlash: Perbill = NO_SHOW_SLASH;
	pub const DisputeSlash: Perbill = DISPUTE_SLASH;
	/// `MaxOperators`: `MAX_OPERATORS` unless a simulation sets more.
	pub static MaxOperatorsParam: u32 = MAX_OPERATORS;
	/// `MaxCommittee`: `MAX_COMMITTEE` unless a simulation sets more.
	pub static MaxCommitteeParam: u32 = MAX_COMMITTEE;
	pub const SubscriptionStorage: RuntimeHoldReason =
		RuntimeHoldReason::InferenceOracle(crate::HoldReason::SubscriptionStorage);
}

/// The account the mock marketplace's pot is.
pub const POT: u64 = 999;

thread_local! {
	/// Each model's price (of every version).
	static PRICES: RefCell<BTreeMap<ModelId, u128>> = RefCell::new(BTreeMap::new());
	/// The royalties of every version.
	static ROYALTIES: RefCell<Vec<Royalty>> = const { RefCell::new(Vec::new()) };
	/// What each version was credited.
	static CREDITED: RefCell<BTreeMap<(ModelId, VersionId), u128>> = RefCell::new(BTreeMap::new());
}

/// The registry's marketplace as the oracle sees it: prices tests set, credits recorded.
pub struct MockMarket;

impl MockMarket {
	/// Makes every version of `model` cost `price`.
	pub fn set_price(model: ModelId, price: u128) {
		PRICES.with(|p| p.borrow_mut().insert(model, price));
	}

	/// Makes every version's royalties `royalties`.
	pub fn set_royalties(royalties: Vec<Royalty>) {
		ROYALTIES.with(|r| *r.borrow_mut() = royalties);
	}

	/// What version `version` of `model` was credited.
	pub fn credited(model: ModelId, version: VersionId) -> u128 {
		CREDITED.with(|c| c.borrow().get(&(model, version)).copied().unwrap_or_default())
	}
}

impl InferenceMarket<u64, u128> for MockMarket {
	fn price(model: ModelId, _: VersionId) -> u128 {
		PRICES.with(|p| p.borrow().get(&model).copied().unwrap_or_default())
	}

	fn royalties(_: ModelId, _: VersionId) -> Vec<Royalty> {
		ROYALTIES.with(|r| r.borrow().clone())
	}

	fn pot() -> u64 {
		POT
	}

	fn credit(model: ModelId, version: VersionId, amount: u128) {
		CREDITED.with(|c| *c.borrow_mut().entry((model, version)).or_default() += amount);
	}
}

impl crate::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = MockModels;
	type Market = MockMarket;
	type Canary = MockCanary;
	type OnResult = RecordingConsumer;
	type Datasets = MockDatasets;
	type AuthorityId = crate::crypto::Public;
	type GovernanceOrigin = EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Governance, u64>>;
	type Randomness = TestRandomness;
	type OperatorBond = ConstU128<BOND>;
	type OutlierSlash = OutlierSlash;
	type NoShowSlash = NoShowSlash;
	type MaxStrikes = ConstU32<MAX_STRIKES>;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type UnbondingPeriod = ConstU64<UNBONDING>;
	type CommitWindow = ConstU64<COMMIT_WINDOW>;
	type DisputeWindow = ConstU64<DISPUTE_WINDOW>;
	type DisputeBond = ConstU128<DISPUTE_BOND>;
	type DisputeSlash = DisputeSlash;
	type MaxOpenDisputes = ConstU32<MAX_OPEN_DISPUTES>;
	type RequestFee = ConstU128<FEE>;
	type RequestDepositBase = ConstU128<DEPOSIT_BASE>;
	type RequestDepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
	type ResponseWindow = ConstU64<WINDOW>;
	type MaxInputBlobBytes = ConstU32<MAX_BLOB_BYTES>;
	type InputBlobDepositBase = ConstU128<BLOB_DEPOSIT_BASE>;
	type InputBlobDepositPerByte = ConstU128<BLOB_DEPOSIT_PER_BYTE>;
	type InputBlobRetention = ConstU64<BLOB_RETENTION>;
	type MaxOperators = MaxOperatorsParam;
	type MaxCommittee = MaxCommitteeParam;
	type MaxInputLen = ConstU32<8>;
	type MaxOutputLen = ConstU32<8>;
	type MaxRequestsPerBlock = ConstU32<MAX_REQUESTS_PER_BLOCK>;
	type MaxBatchLen = ConstU32<MAX_BATCH_LEN>;
	type MaxRetainedRequests = ConstU32<MAX_RETAINED>;
	type MaxRequestsPerOcwRun = ConstU32<MAX_SCORED_PER_RUN>;
	type OcwTimeBudgetMillis = ConstU64<10_000>;
	type SubmissionPriority = ConstU64<{ 1 << 20 }>;
	type SubscriptionTicket = frame::traits::fungible::HoldConsideration<
		u64,
		Balances,
		SubscriptionStorage,
		frame::traits::LinearStoragePrice<
			ConstU128<SUBSCRIPTION_DEPOSIT_BASE>,
			ConstU128<DEPOSIT_PER_BYTE>,
			u128,
		>,
	>;
	type MaxSubscriptions = ConstU32<MAX_SUBSCRIPTIONS>;
	type MaxScheduledPerBlock = ConstU32<MAX_SCHEDULED_PER_BLOCK>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockModels;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockModels {
	fn model(output_len: u32, min_agreement: u32) -> ModelId {
		BENCH_OUTPUT_LEN.with(|l| *l.borrow_mut() = output_len);
		BENCH_MIN_AGREEMENT.with(|m| *m.borrow_mut() = min_agreement);
		BENCH
	}

	fn proposed_version() -> (ModelId, VersionId) {
		(BENCH, Self::propose(BENCH))
	}

	fn input_dataset() -> DatasetId {
		INPUT_DATASET
	}

	fn canary(model: ModelId) {
		MockCanary::start(model, Perbill::one());
	}

	fn exact_model() -> (ModelId, Vec<i64>) {
		// `LABELS` reports one label of its four inputs, as the program does.
		let program = aioracle_exact::sample::position_of_largest(4);
		set_exact_program(LABELS, program.encode());
		(LABELS, aioracle_exact::sample::input_for(&program))
	}
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
pub const DAVE: u64 = 4;
/// A dApp.
pub const DAPP: u64 = 10;
/// An account without funds for a bond or fee.
pub const POOR: u64 = 11;

pub const START_BALANCE: u128 = 1_000_000;

/// The sr25519 pair behind operator `who`'s `orcl` key (seed `//<who>`).
pub fn pair(who: u64) -> frame::deps::sp_core::sr25519::Pair {
	use frame::deps::sp_core::Pair;
	frame::deps::sp_core::sr25519::Pair::from_string(&format!("//{who}"), None).unwrap()
}

/// Operator `who`'s `orcl` key.
pub fn key(who: u64) -> crate::crypto::Public {
	use frame::deps::sp_core::Pair;
	pair(who).public().into()
}

/// `who`'s signature over `payload` with its `orcl` key.
pub fn sign(who: u64, payload: &[u8]) -> crate::crypto::Signature {
	use frame::deps::sp_core::Pair;
	pair(who).sign(payload).into()
}

/// Test externalities with funded accounts; `build_and_execute` checks the invariants.
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build() -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: [ALICE, BOB, CHARLIE, DAVE, DAPP, GOVERNANCE]
				.into_iter()
				.map(|who| (who, START_BALANCE))
				.chain([(POOR, 10)])
				.collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		GOLDEN_OUTPUT_OVERRIDE.with(|g| *g.borrow_mut() = None);
		URI.with(|u| u.borrow_mut().clear());
		BENCH_OUTPUT_LEN.with(|l| *l.borrow_mut() = 8);
		BENCH_MIN_AGREEMENT.with(|m| *m.borrow_mut() = MAX_COMMITTEE.div_ceil(2));
		RANDOM_SEED.with(|s| *s.borrow_mut() = [7; 32]);
		MIN_AGREEMENT.with(|m| *m.borrow_mut() = 1);
		PROPOSED.with(|p| p.borrow_mut().clear());
		let mut ext = sp_io::TestExternalities::new(storage);
		// The benchmarks make operator keys, as the benchmark CLI's keystore lets them.
		ext.register_extension(sp_keystore::KeystoreExt::new(
			sp_keystore::testing::MemoryKeystore::new(),
		));
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	pub fn build_and_execute(test: impl FnOnce()) {
		Self::build().execute_with(|| {
			test();
			InferenceOracle::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// What an off-chain worker test needs: externalities with the offchain DB, a transaction
/// pool, a keystore holding the `orcl` keys of `keys`, the fake engine behind `OnnxExt`,
/// and a recorder behind `OracleMetricsExt`. The models' bytes are in the offchain DB unless `with_bytes` is false.
pub struct OcwEnv {
	pub ext: sp_io::TestExternalities,
	pub pool: Arc<parking_lot::RwLock<PoolState>>,
	pub offchain: Arc<parking_lot::RwLock<OffchainState>>,
	pub engine: Arc<FakeEngine>,
	pub metrics: Arc<WorkerEvents>,
}

impl OcwEnv {
	pub fn new(keys: &[u64], with_bytes: bool) -> Self {
		use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
		let (offchain, offchain_state) = TestOffchainExt::new();
		let (pool, pool_state) = TestTransactionPoolExt::new();
		let keystore = MemoryKeystore::new();
		for who in keys {
			keystore.sr25519_generate_new(crate::KEY_TYPE, Some(&format!("//{who}"))).unwrap();
		}
		if with_bytes {
			let mut state = offchain_state.write();
			for model in [IRIS, LABELS] {
				let key = aioracle_primitives::model::model_bytes_key(&model_hash(model));
				state.persistent_storage.set(b"", &key, &onnx_bytes(model));
			}
		}
		let engine = Arc::new(FakeEngine::default());
		*engine.offchain_db.lock().unwrap() = Some(offchain_state.clone());
		let mut ext = ExtBuilder::build();
		ext.register_extension(OffchainDbExt::new(offchain.clone()));
		ext.register_extension(OffchainWorkerExt::new(offchain));
		ext.register_extension(TransactionPoolExt::new(pool));
		ext.register_extension(KeystoreExt::new(keystore));
		ext.register_extension(OnnxExt::new(engine.clone()));
		let metrics = Arc::new(WorkerEvents::default());
		ext.register_extension(OracleMetricsExt::new(metrics.clone()));
		Self { ext, pool: pool_state, offchain: offchain_state, engine, metrics }
	}

	/// Takes the batches the off-chain worker submitted, decoded.
	pub fn take_batches(&self) -> Vec<(crate::ResultBatchOf<Test>, crate::crypto::Signature)> {
		use codec::Decode;
		self.pool
			.write()
			.transactions
			.drain(..)
			.map(|tx| {
				let xt = Extrinsic::decode(&mut &tx[..]).expect("a valid extrinsic");
				match xt.function {
					RuntimeCall::InferenceOracle(crate::Call::submit_results { batch, signature }) => {
						(batch, signature)
					},
					other => panic!("unexpected call {other:?}"),
				}
			})
			.collect()
	}

	/// Takes the answers the off-chain worker submitted, one per (request, key), in the
	/// order sent.
	pub fn take_submissions(&self) -> Vec<crate::ResultSubmission<crate::crypto::Public>> {
		self.take_batches()
			.into_iter()
			.flat_map(|(batch, _)| {
				let key = batch.key;
				batch.items.into_iter().map(move |item| crate::ResultSubmission {
					request: item.request,
					key: key.clone(),
					answer: item.answer,
				})
			})
			.collect()
	}
}

/// The weight `RecordingConsumer` declares for one call.
pub const CONSUMER_WEIGHT: Weight = Weight::from_parts(1_000_000, 100);

/// One outcome as `RecordingConsumer` was told it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Told {
	/// Finalized with this output.
	Finalized(Vec<i64>),
	/// Expired.
	Expired,
	/// Replaced by this output after a dispute.
	Replaced(Vec<i64>),
}

thread_local! {
	static TOLD: RefCell<Vec<(u64, u64, u32, Told)>> = const { RefCell::new(Vec::new()) };
}

/// An `OnResult` consumer that records what it is told: `(request, requester, model,
/// outcome)`, in order.
pub struct RecordingConsumer;

impl RecordingConsumer {
	/// What it was told so far.
	pub fn told() -> Vec<(u64, u64, u32, Told)> {
		TOLD.with(|t| t.borrow().clone())
	}
}

impl aioracle_primitives::consumer::OnInferenceResult<u64> for RecordingConsumer {
	fn max_weight() -> Weight {
		CONSUMER_WEIGHT
	}

	fn on_result(
		request: u64,
		requester: &u64,
		model: u32,
		outcome: aioracle_primitives::consumer::ClosedAs<'_>,
	) {
		use aioracle_primitives::consumer::ClosedAs;
		let told = match outcome {
			ClosedAs::Finalized(output) => Told::Finalized(output.to_vec()),
			ClosedAs::Expired => Told::Expired,
			ClosedAs::Replaced(output) => Told::Replaced(output.to_vec()),
		};
		TOLD.with(|t| t.borrow_mut().push((request, *requester, model, told)));
	}
}
