//! Models: the types of a model version's serving contract (tensor specs, fixed-point
//! scales, aggregation rule), the trait the inference oracle asks through, and the runtime
//! API that clients read the registry with. Implemented by `pallet-model-registry`.
//!
//! ## The determinism contract
//! Floats never go on-chain. An input element `x` is sent as the integer
//! `round_half_even(x * 10^input_scale)`; the engine feeds the model `q / 10^input_scale`, and
//! quantises every output element `y` to `round_half_even(y * 10^output_scale)`. Operators
//! whose outputs differ by at most `tolerance` units agree (see [`Aggregation`]).

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, BoundedVec};
use frame_support::weights::Weight;

pub use crate::aggregation::Aggregation;
use crate::dataset::{DatasetId, DatasetView, Lineage, Taint};

/// A model's id: sequential, from 0.
pub type ModelId = u32;

/// A version number within a model: sequential, from 1.
pub type VersionId = u32;

/// The blake2-256 hash of a model version's ONNX bytes.
pub type ModelHash = sp_core::H256;

/// The most dimensions a tensor spec may have.
pub const MAX_TENSOR_RANK: u32 = 8;

/// The most input tensors a version may feed.
pub const MAX_INPUTS: u32 = 8;

/// A version's input tensors, in the order a request's values feed them: a request's input
/// is their elements concatenated, each tensor's row-major.
pub type InputSpecs = BoundedVec<TensorSpec, ConstU32<MAX_INPUTS>>;

/// The element count of `inputs` together: `None` if there are none, one has a degenerate
/// shape, two name the same model input, or the sum overflows `u32`.
pub fn inputs_len(inputs: &[TensorSpec]) -> Option<u32> {
	if inputs.is_empty() {
		return None;
	}
	let distinct =
		inputs.iter().enumerate().all(|(i, a)| inputs[..i].iter().all(|b| b.index != a.index));
	if !distinct {
		return None;
	}
	inputs.iter().try_fold(0u32, |total, spec| total.checked_add(spec.element_count()?))
}

/// The most decimals a fixed-point scale may have: `10^18` still fits an `i64`.
pub const MAX_SCALE: u8 = 18;

/// The prefix of the offchain-DB key under which a node keeps a model version's ONNX
/// bytes. The full key is this prefix followed by the 32 bytes of the model hash; see
/// [`model_bytes_key`].
pub const MODEL_BYTES_KEY_PREFIX: &[u8] = b"aioracle/model-bytes/";

/// The offchain-DB (persistent local storage) key of the ONNX bytes with `hash`:
/// `b"aioracle/model-bytes/" ++ hash`. The model registry writes the bytes there with
/// offchain indexing when a version is proposed; off-chain workers read them from there.
pub fn model_bytes_key(hash: &ModelHash) -> Vec<u8> {
	let mut key = Vec::with_capacity(MODEL_BYTES_KEY_PREFIX.len() + 32);
	key.extend_from_slice(MODEL_BYTES_KEY_PREFIX);
	key.extend_from_slice(hash.as_bytes());
	key
}

/// The prefix of the offchain-DB key under which a node keeps one chunk of a model
/// uploaded in chunks; see [`model_chunk_key`].
pub const MODEL_CHUNK_KEY_PREFIX: &[u8] = b"aioracle/model-chunk/";

/// The offchain-DB key of chunk `index` (from 0) of the model with `hash`:
/// `b"aioracle/model-chunk/" ++ hash ++ index` (little-endian `u32`). The model registry
/// indexes each chunk there when it is uploaded. Keyed by file and position, not by the
/// chunk's own hash, so that clearing one file's chunks never clears another's.
pub fn model_chunk_key(hash: &ModelHash, index: u32) -> Vec<u8> {
	[MODEL_CHUNK_KEY_PREFIX, hash.as_bytes(), &index.to_le_bytes()].concat()
}

/// The prefix of the offchain-DB key of a chunked model's manifest; see
/// [`model_manifest_key`].
pub const MODEL_MANIFEST_KEY_PREFIX: &[u8] = b"aioracle/model-manifest/";

/// The offchain-DB key of the manifest of the model with `hash`, if it was uploaded in
/// chunks: `b"aioracle/model-manifest/" ++ hash`, holding the SCALE-encoded
/// `Vec<ChunkHash>` of its chunks in order. A node assembles the ONNX bytes from the chunks
/// the manifest names and checks them against `hash`.
pub fn model_manifest_key(hash: &ModelHash) -> Vec<u8> {
	[MODEL_MANIFEST_KEY_PREFIX, hash.as_bytes()].concat()
}

/// The blake2-256 hash of one chunk of a model's ONNX bytes.
pub type ChunkHash = sp_core::H256;

/// The element type of an ONNX tensor, as the engine feeds or reads it.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum ElementType {
	/// 32-bit float (`tensor(float)`), what scikit-learn exports use.
	F32,
	/// 64-bit float (`tensor(double)`).
	F64,
	/// 32-bit integer (`tensor(int32)`).
	I32,
	/// 64-bit integer (`tensor(int64)`), e.g. a classifier's label output.
	I64,
	/// 8-bit unsigned integer (`tensor(uint8)`): pixels, bytes. Inputs must be 0 to 255 once
	/// the fixed point is removed. (Appended last: the variants before keep their SCALE
	/// encoding.)
	U8,
}

/// One input or output tensor of a model: which one, its element type and its exact shape
/// (batch dimension included, e.g. `[1, 4]`).
#[derive(
	Clone,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct TensorSpec {
	/// Its position among the model's inputs (or outputs), from 0.
	pub index: u32,
	/// Its element type.
	pub element_type: ElementType,
	/// Its dimensions, each at least 1.
	pub shape: BoundedVec<u32, ConstU32<MAX_TENSOR_RANK>>,
}

impl TensorSpec {
	/// The number of elements, or `None` if a dimension is 0, there are no dimensions, or
	/// the product overflows.
	pub fn element_count(&self) -> Option<u32> {
		if self.shape.is_empty() {
			return None;
		}
		self.shape.iter().try_fold(1u32, |count, dim| match dim {
			0 => None,
			dim => count.checked_mul(*dim),
		})
	}
}

/// Where a model version is in its life.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum VersionStatus {
	/// Proposed by the model's owner, awaiting governance. The owner may withdraw it.
	Proposed,
	/// Approved by governance; may be activated.
	Approved,
	/// The version that answers the model's inference requests (at most one per model).
	Active,
	/// Was active; no longer answers requests. Governance may activate it again.
	Deprecated,
	/// Refused by governance. Final.
	Rejected,
	/// Approved, and scoring a sampled fraction of the active version's requests beside it
	/// (see [`crate::canary`]): governance may promote it to `Active`; it returns to
	/// `Approved` when the canary ends otherwise. (Appended last: the variants before keep
	/// their SCALE encoding.)
	Canary,
}

/// The last block at which a version entered each status (`None`: never).
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct StatusBlocks<BlockNumber> {
	/// When it was proposed.
	pub proposed: BlockNumber,
	/// When it was approved.
	pub approved: Option<BlockNumber>,
	/// When it was last activated.
	pub activated: Option<BlockNumber>,
	/// When it was last deprecated.
	pub deprecated: Option<BlockNumber>,
	/// When it was rejected.
	pub rejected: Option<BlockNumber>,
}

/// An input and the output a correct engine produces for it, both in fixed point.
#[derive(
	Clone,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct GoldenVector {
	/// The input, `input_scale` fixed point: every input tensor's elements, row-major, in
	/// the order the version lists its inputs.
	pub input: Vec<i64>,
	/// The expected report: the output in `output_scale` fixed point, or its reduction
	/// (see [`Aggregation`]); an engine's report must agree with it by the version's rule.
	pub output: Vec<i64>,
}

/// A model as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ModelView<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: ModelId,
	/// Its owner, who proposes its versions.
	pub owner: AccountId,
	/// Its name.
	pub name: Vec<u8>,
	/// What it does.
	pub description: Vec<u8>,
	/// The block it was created in.
	pub created_at: BlockNumber,
	/// The deposit held from the owner for the record.
	pub deposit: Balance,
	/// The version that answers requests, if any.
	pub active_version: Option<VersionId>,
	/// The versions a rollback returns to, most recent last.
	pub previous_versions: Vec<VersionId>,
	/// The number the next proposed version gets.
	pub next_version: VersionId,
}

/// A model version as the runtime API (and [`ModelInspect`]) returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct VersionView<AccountId, Balance, BlockNumber> {
	/// The model.
	pub model: ModelId,
	/// The version number.
	pub version: VersionId,
	/// blake2-256 of the ONNX bytes.
	pub model_hash: ModelHash,
	/// The size of the ONNX bytes.
	pub size_bytes: u32,
	/// Where the bytes can be fetched if a node's offchain DB lacks them.
	pub uri: Vec<u8>,
	/// The inputs the requests feed, in the order of a request's values.
	pub inputs: Vec<TensorSpec>,
	/// The output that is reported.
	pub output: TensorSpec,
	/// Decimals of the fixed-point input.
	pub input_scale: u8,
	/// Decimals of the fixed-point output.
	pub output_scale: u8,
	/// How operators' outputs are combined.
	pub aggregation: Aggregation,
	/// The fewest agreeing operators that make a result.
	pub min_agreement: u32,
	/// The datasets it was trained on.
	pub training_datasets: Vec<DatasetId>,
	/// Whether the model is declared for commercial use.
	pub commercial_use: bool,
	/// Inputs with their expected outputs.
	pub golden_vectors: Vec<GoldenVector>,
	/// Where it is in its life.
	pub status: VersionStatus,
	/// When it entered each status.
	pub status_blocks: StatusBlocks<BlockNumber>,
	/// The deposit held from the model's owner for the version.
	pub deposit: Balance,
	/// Its last canary, if it had one: the plan, how it ended, and the comparisons' figures.
	pub canary: Option<crate::canary::CanaryRecord<BlockNumber>>,
	/// What its training data permits, use by use: the strictest of its datasets'
	/// permissions. Requests are refused when inference is not allowed.
	pub usage: crate::dataset::UsagePermissions,
	/// Its price, its lineage's royalties and its earnings.
	pub market: crate::market::VersionMarket<Balance>,
	/// The run that trained it, if its proposal named one: between its training data and
	/// it in the lineage.
	pub training_run: Option<crate::training::TrainingRun<AccountId, Vec<u8>>>,
	/// Its exact program, if it has one (the exact tier: the runtime runs it itself).
	pub exact_program: Option<ExactProgramSummary>,
}

/// A version's exact program as views show it: enough to check it against a program
/// compiled again from the version's ONNX bytes, and what a run costs.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ExactProgramSummary {
	/// blake2-256 of the program's bytes.
	pub program_hash: ModelHash,
	/// The program's size.
	pub size_bytes: u32,
	/// The most element operations one run takes, all kinds together.
	pub operations: u64,
}

/// One training dataset of a model version, with what makes it trustworthy or not.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct TrainingDataset<AccountId, Balance, BlockNumber> {
	/// The dataset's record (licence included).
	pub dataset: DatasetView<AccountId, Balance, BlockNumber>,
	/// Its ancestors, nearest first.
	pub ancestors: Lineage,
	/// Whether it or an ancestor is retracted.
	pub taint: Taint,
}

/// The chain of custody of a model version: the version and the data it was trained on.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Provenance<AccountId, Balance, BlockNumber> {
	/// The version.
	pub version: VersionView<AccountId, Balance, BlockNumber>,
	/// Its training datasets, in the order the version lists them.
	pub training_datasets: Vec<TrainingDataset<AccountId, Balance, BlockNumber>>,
	/// True if any training dataset is tainted.
	pub tainted: bool,
	/// What operators' nodes found when they loaded the version and checked its golden
	/// vectors before approval.
	pub validation: crate::oracle::ValidationView<AccountId>,
}

/// How a model version is served: what a request feeds the model, which output is
/// reported, at which fixed-point scales, and how operators' outputs become one result.
/// The one type of this concept: a version declares it, a request carries a copy (so a
/// later activation does not change how it is scored), and an off-chain worker scores by it.
#[derive(
	Clone,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct ServingContract {
	/// The inputs the requests feed (1 to [`MAX_INPUTS`], each a distinct model input), in
	/// the order a request's values fill them.
	pub inputs: InputSpecs,
	/// The output that is reported.
	pub output: TensorSpec,
	/// Decimals of the fixed-point input.
	pub input_scale: u8,
	/// Decimals of the fixed-point output.
	pub output_scale: u8,
	/// How operators' outputs are combined.
	pub aggregation: Aggregation,
	/// The fewest agreeing operators that make a result.
	pub min_agreement: u32,
}

impl ServingContract {
	/// The inputs' element count together: the length of a request's input (`None` for
	/// no input, a degenerate shape or an input named twice; see [`inputs_len`]).
	pub fn input_len(&self) -> Option<u32> {
		inputs_len(&self.inputs)
	}

	/// How many elements an operator reports: the output's element count, or fewer if the
	/// aggregation reduces it (`None` for a degenerate shape or a rule that does not fit it).
	pub fn reported_len(&self) -> Option<u32> {
		self.aggregation.reported_len(&self.output)
	}

	/// What an operator reports for the engine's whole output `values` (see
	/// [`Aggregation::report`]).
	pub fn report(&self, values: Vec<i64>) -> Option<Vec<i64>> {
		self.aggregation.report(&self.output, values)
	}

	/// Whether `report` agrees with `reference` under the version's rule.
	pub fn agrees(&self, report: &[i64], reference: &[i64]) -> bool {
		self.aggregation.agrees(report, reference)
	}

	/// What the engine is asked to score for `values` under this contract.
	pub fn score_request(&self, values: Vec<i64>) -> crate::onnx::ScoreRequest {
		crate::onnx::ScoreRequest {
			inputs: self.inputs.to_vec(),
			output: self.output.clone(),
			input_scale: self.input_scale,
			output_scale: self.output_scale,
			values,
		}
	}
}

/// What only an off-chain worker needs to serve a version, besides its contract: where to
/// fetch the bytes and what the engine must reproduce before serving it. Kept out of
/// [`ModelInspect::active_contract`], so that a request reads none of it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ServingArtifacts {
	/// blake2-256 of the ONNX bytes.
	pub model_hash: ModelHash,
	/// Where the bytes can be fetched if a node's offchain DB lacks them.
	pub uri: Vec<u8>,
	/// The size of the ONNX bytes.
	pub size_bytes: u32,
	/// Inputs with their expected outputs.
	pub golden_vectors: Vec<GoldenVector>,
}

/// What other pallets (the inference oracle) may ask about models.
pub trait ModelInspect {
	/// The version of `model` that answers requests now, its ONNX hash and its serving
	/// contract, if any. Reads no golden vectors and no URI.
	fn active_contract(model: ModelId) -> Option<(VersionId, ModelHash, ServingContract)>;
	/// Version `version` of `model`'s ONNX hash and serving contract, whatever its status.
	fn contract(model: ModelId, version: VersionId) -> Option<(ModelHash, ServingContract)>;
	/// What an off-chain worker needs to load and check version `version` of `model`.
	fn artifacts(model: ModelId, version: VersionId) -> Option<ServingArtifacts>;
	/// How version `version` of `model` decodes input blobs into its input
	/// (`BlobDecoding::Tensor` unless it declared otherwise, or if there is no such version).
	fn input_decoding(model: ModelId, version: VersionId) -> crate::input::BlobDecoding;
	/// Whether version `version` of `model` is `Proposed`: awaiting approval.
	fn is_proposed(model: ModelId, version: VersionId) -> bool;
	/// Versions awaiting approval, at most `limit`, oldest model first.
	fn proposed_versions(limit: u32) -> Vec<(ModelId, VersionId)>;
	/// Whether the training data of version `version` of `model` permits serving
	/// inferences from it (allowed or constrained, for every dataset). `true` for a
	/// version that does not exist: asking about it is the caller's error to report.
	fn inference_permitted(model: ModelId, version: VersionId) -> bool;
	/// Version `version` of `model`'s exact program, if it has one: what the runtime runs
	/// to answer its requests itself (the exact tier).
	fn exact_program(model: ModelId, version: VersionId) -> Option<ExactServing>;
	/// Whether version `version` of `model` has an exact program: one key read, none of the
	/// program's bytes.
	fn has_exact_program(model: ModelId, version: VersionId) -> bool;
	/// The most [`ExactServing::weight`] can be: what a request is charged up front.
	fn max_exact_weight() -> Weight;
}

/// What the oracle needs to answer a request with a version's exact program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExactServing {
	/// The SCALE-encoded program (`aioracle_exact::Program`), validated when it was set.
	pub program: Vec<u8>,
	/// blake2-256 of `program`.
	pub program_hash: ModelHash,
	/// The weight of reading and decoding it and of one run (its analysed operations at
	/// their benchmarked prices).
	pub weight: Weight,
}

/// Whether a proposed version was shown to be servable: enough operators' nodes loaded it
/// and reproduced its golden vectors. The model registry asks before approving; the
/// inference oracle, which knows the operators, answers.
pub trait VersionValidation {
	/// Whether a quorum of operators reproduced the golden vectors of version `version`
	/// of `model`.
	fn is_validated(model: ModelId, version: VersionId) -> bool;
}

sp_api::decl_runtime_apis! {
	/// Reads the model registry: models, versions and their provenance.
	pub trait ModelRegistryApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The model `model`.
		fn model(model: ModelId) -> Option<ModelView<AccountId, Balance, BlockNumber>>;
		/// Every version of `model`, oldest first.
		fn versions(model: ModelId) -> Vec<VersionView<AccountId, Balance, BlockNumber>>;
		/// Version `version` of `model`.
		fn version(model: ModelId, version: VersionId) -> Option<VersionView<AccountId, Balance, BlockNumber>>;
		/// The active version of `model`.
		fn active_version(model: ModelId) -> Option<VersionView<AccountId, Balance, BlockNumber>>;
		/// The version whose ONNX bytes hash to `model_hash`.
		fn version_by_hash(model_hash: ModelHash) -> Option<VersionView<AccountId, Balance, BlockNumber>>;
		/// The version with its training datasets, their lineage, licences and taint.
		fn provenance(model: ModelId, version: VersionId) -> Option<Provenance<AccountId, Balance, BlockNumber>>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn tensor(index: u32, shape: &[u32]) -> TensorSpec {
		TensorSpec {
			index,
			element_type: ElementType::F32,
			shape: BoundedVec::truncate_from(shape.to_vec()),
		}
	}

	#[test]
	fn inputs_len_sums_distinct_proper_inputs() {
		assert_eq!(inputs_len(&[tensor(0, &[1, 4])]), Some(4));
		assert_eq!(inputs_len(&[tensor(1, &[1, 2, 3]), tensor(0, &[1, 5])]), Some(11));
		// None at all, a degenerate shape, a model input named twice, an overflow.
		assert_eq!(inputs_len(&[]), None);
		assert_eq!(inputs_len(&[tensor(0, &[1, 4]), tensor(1, &[0])]), None);
		assert_eq!(inputs_len(&[tensor(0, &[1, 4]), tensor(0, &[2])]), None);
		assert_eq!(inputs_len(&[tensor(0, &[u32::MAX]), tensor(1, &[1])]), None);
	}
}
