//! The records the pallet stores, and the proposal a `propose_version` call carries.

use aioracle_primitives::{
	dataset::DatasetId,
	model::{
		Aggregation, ChunkHash, GoldenVector, InputSpecs, ModelHash, ModelId, ModelView,
		ServingContract, StatusBlocks, TensorSpec, VersionId, VersionStatus,
	},
	training::TrainingRun,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame::prelude::*;
use scale_info::TypeInfo;

/// A model: a name, an owner who proposes its versions, and which version answers now.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxName, MaxDescription, MaxRollback))]
pub struct Model<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxName: Get<u32>,
	MaxDescription: Get<u32>,
	MaxRollback: Get<u32>,
> {
	/// Who owns the model: proposes and withdraws its versions, pays its deposits.
	pub owner: AccountId,
	/// A short name.
	pub name: BoundedVec<u8, MaxName>,
	/// What the model does.
	pub description: BoundedVec<u8, MaxDescription>,
	/// The block it was created in.
	pub created_at: BlockNumber,
	/// The deposit ticket: what is held from `owner` for this record.
	pub deposit: Deposit,
	/// The version that answers inference requests, if any.
	pub active: Option<VersionId>,
	/// Versions that were active before, most recent last: where `rollback` returns to.
	/// When full, the oldest is forgotten (it stays `Deprecated` and can still be
	/// activated by `activate_version`).
	pub previous: BoundedVec<VersionId, MaxRollback>,
	/// The number the next proposed version gets (from 1; never reused).
	pub next_version: VersionId,
}

/// A version of a model: the hash of its ONNX bytes (the bytes live in the offchain DB),
/// its serving contract, its training data and where it is in its life.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxUri, MaxDatasets))]
pub struct ModelVersion<
	Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxUri: Get<u32>,
	MaxDatasets: Get<u32>,
> {
	/// blake2-256 of the ONNX bytes.
	pub model_hash: ModelHash,
	/// The size of the ONNX bytes.
	pub size_bytes: u32,
	/// Where the bytes can be fetched by a node that lacks them.
	pub uri: BoundedVec<u8, MaxUri>,
	/// The inputs requests feed, in the order of a request's values.
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
	/// The datasets the version was trained on (at least one, all registered).
	pub training_datasets: BoundedVec<DatasetId, MaxDatasets>,
	/// The model is declared for commercial use: every training dataset must allow it.
	pub commercial_use: bool,
	/// Where the version is in its life.
	pub status: VersionStatus,
	/// When it entered each status.
	pub status_blocks: StatusBlocks<BlockNumber>,
	/// The deposit tickets held from the model's owner: for this record, its golden
	/// vectors and training run in state, and for its bytes in every node's offchain DB.
	/// `()` while the record is being built, to measure it before the tickets exist.
	pub deposit: Deposit,
}

/// A golden vector as stored: bounded input and output.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxLen))]
pub struct BoundedGoldenVector<MaxLen: Get<u32>> {
	/// The fixed-point input.
	pub input: BoundedVec<i64, MaxLen>,
	/// The expected fixed-point output.
	pub output: BoundedVec<i64, MaxLen>,
}

impl<MaxLen: Get<u32>> From<BoundedGoldenVector<MaxLen>> for GoldenVector {
	fn from(golden: BoundedGoldenVector<MaxLen>) -> Self {
		GoldenVector { input: golden.input.into_inner(), output: golden.output.into_inner() }
	}
}

/// What a `propose_version` call carries besides the ONNX bytes. Unbounded here; the
/// pallet checks every bound and says which one was exceeded.
#[derive(
	Clone,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct VersionProposal<AccountId> {
	/// blake2-256 of the ONNX bytes sent with the call.
	pub model_hash: ModelHash,
	/// Where the bytes can be fetched (at most `MaxUriLen` bytes; may be empty).
	pub uri: Vec<u8>,
	/// The inputs requests feed, in the order a request's values fill them: 1 to
	/// [`MAX_INPUTS`](aioracle_primitives::model::MAX_INPUTS) distinct model inputs (by
	/// `index`), at most `MaxTensorLen` elements together.
	pub inputs: Vec<TensorSpec>,
	/// The output that is reported: at most `MaxTensorLen` elements.
	pub output: TensorSpec,
	/// Decimals of the fixed-point input, at most 18.
	pub input_scale: u8,
	/// Decimals of the fixed-point output, at most 18.
	pub output_scale: u8,
	/// How operators' outputs are combined.
	pub aggregation: Aggregation,
	/// The fewest agreeing operators that make a result: from 1 to `MaxMinAgreement`.
	pub min_agreement: u32,
	/// The datasets the version was trained on: 1 to `MaxTrainingDatasets`, registered,
	/// untainted, their licences allowing derivatives (and commercial use if declared).
	pub training_datasets: Vec<DatasetId>,
	/// The model is declared for commercial use.
	pub commercial_use: bool,
	/// Inputs and the outputs a correct engine gives (at most `MaxGoldenVectors`), sized
	/// to the input and output specs.
	pub golden_vectors: Vec<GoldenVector>,
	/// The run that trained the version, if the owner names one: its code, settings,
	/// environment and who ran it (texts at most
	/// [`MAX_TRAINING_TEXT_LEN`](aioracle_primitives::training::MAX_TRAINING_TEXT_LEN)
	/// bytes each). Its inputs are `training_datasets`.
	pub training_run: Option<TrainingRun<AccountId, Vec<u8>>>,
}

impl<
		AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
		Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
		BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
		MaxName: Get<u32>,
		MaxDescription: Get<u32>,
		MaxRollback: Get<u32>,
	> Model<AccountId, Deposit, BlockNumber, MaxName, MaxDescription, MaxRollback>
{
	/// The view the runtime API returns; `deposit` is what the record's ticket holds.
	pub fn view<Balance>(
		self,
		id: ModelId,
		deposit: Balance,
	) -> ModelView<AccountId, Balance, BlockNumber> {
		ModelView {
			id,
			owner: self.owner,
			name: self.name.into_inner(),
			description: self.description.into_inner(),
			created_at: self.created_at,
			deposit,
			active_version: self.active,
			previous_versions: self.previous.into_inner(),
			next_version: self.next_version,
		}
	}
}

impl<
		Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
		BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
		MaxUri: Get<u32>,
		MaxDatasets: Get<u32>,
	> ModelVersion<Deposit, BlockNumber, MaxUri, MaxDatasets>
{
	/// The version with `deposit` in place of its deposit, and the deposit it had: a draft
	/// (`()`) gets its tickets once they exist, and a stored version's can be taken out (in
	/// a migration).
	pub fn replace_deposit<New: Clone + PartialEq + Eq + core::fmt::Debug>(
		self,
		deposit: New,
	) -> (ModelVersion<New, BlockNumber, MaxUri, MaxDatasets>, Deposit) {
		let version = ModelVersion {
			model_hash: self.model_hash,
			size_bytes: self.size_bytes,
			uri: self.uri,
			inputs: self.inputs,
			output: self.output,
			input_scale: self.input_scale,
			output_scale: self.output_scale,
			aggregation: self.aggregation,
			min_agreement: self.min_agreement,
			training_datasets: self.training_datasets,
			commercial_use: self.commercial_use,
			status: self.status,
			status_blocks: self.status_blocks,
			deposit,
		};
		(version, self.deposit)
	}

	/// How the version is served.
	pub fn contract(&self) -> ServingContract {
		ServingContract {
			inputs: self.inputs.clone(),
			output: self.output.clone(),
			input_scale: self.input_scale,
			output_scale: self.output_scale,
			aggregation: self.aggregation,
			min_agreement: self.min_agreement,
		}
	}
}

/// A model created at genesis.
#[derive(Clone, Debug, PartialEq, Eq, frame_support::Serialize, frame_support::Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct GenesisModel<AccountId> {
	/// Its owner.
	pub owner: AccountId,
	/// Its name.
	pub name: Vec<u8>,
	/// What it does.
	pub description: Vec<u8>,
	/// Its versions, numbered from 1 in this order.
	pub versions: Vec<GenesisVersion<AccountId>>,
}

/// A model version created at genesis.
#[derive(Clone, Debug, PartialEq, Eq, frame_support::Serialize, frame_support::Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct GenesisVersion<AccountId> {
	/// Its contract and training data.
	pub proposal: VersionProposal<AccountId>,
	/// The size of its ONNX bytes (which hash to `proposal.model_hash`).
	pub size_bytes: u32,
	/// Approve and activate it (else it stays `Proposed`).
	pub active: bool,
}

/// A model's ONNX bytes on their way in, chunk by chunk: what the owner declared and which
/// chunks arrived. The bytes themselves go to the offchain DB only.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct Upload<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxChunks: Get<u32>,
> {
	/// The model's owner, who uploads and pays the deposit.
	pub owner: AccountId,
	/// The model the bytes are for.
	pub model: ModelId,
	/// The size of the whole ONNX file.
	pub size_bytes: u32,
	/// The chunks' blake2-256 hashes, in file order.
	pub chunks: BoundedVec<ChunkHash, MaxChunks>,
	/// `received[i]`: chunk `i` arrived (and was indexed).
	pub received: BoundedVec<bool, MaxChunks>,
	/// The bytes of the chunks that arrived: never more than `size_bytes`, and equal to it
	/// before the upload may be proposed (the deposit is by the declared size).
	pub received_bytes: u32,
	/// The deposit tickets held from the owner, for the record and for the bytes (priced
	/// as a version's).
	pub deposit: Deposit,
}

impl<
		AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
		Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
		MaxChunks: Get<u32>,
	> Upload<AccountId, Deposit, MaxChunks>
{
	/// The upload with `deposit` in place of its deposit, and the deposit it had (as
	/// [`ModelVersion::replace_deposit`]).
	pub fn replace_deposit<New: Clone + PartialEq + Eq + core::fmt::Debug>(
		self,
		deposit: New,
	) -> (Upload<AccountId, New, MaxChunks>, Deposit) {
		let upload = Upload {
			owner: self.owner,
			model: self.model,
			size_bytes: self.size_bytes,
			chunks: self.chunks,
			received: self.received,
			received_bytes: self.received_bytes,
			deposit,
		};
		(upload, self.deposit)
	}

	/// How many chunks arrived.
	pub fn received_count(&self) -> u32 {
		self.received.iter().filter(|r| **r).count() as u32
	}

	/// Whether every chunk arrived.
	pub fn is_complete(&self) -> bool {
		self.received.iter().all(|r| *r)
	}
}

/// A version's exact program (the exact tier): the integer-only program compiled from its
/// ONNX bytes that the runtime itself runs (see [`crate::exact`]). Kept in state, not
/// indexed: the runtime reads it to answer each request, and indexed data is readable
/// only off-chain.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxBytes))]
pub struct ExactProgram<Deposit: Clone + PartialEq + Eq + core::fmt::Debug, MaxBytes: Get<u32>> {
	/// The SCALE-encoded program (`aioracle_exact::Program`), as `model compile` wrote it.
	pub program: BoundedVec<u8, MaxBytes>,
	/// blake2-256 of `program`: what anyone compares with a program compiled again from
	/// the version's ONNX bytes.
	pub program_hash: ModelHash,
	/// The most element operations of each kind one run takes (the program's analysis,
	/// indexed by `aioracle_exact::OpKind::index`): what a run is charged.
	pub operations: [u64; aioracle_exact::OpKind::ALL.len()],
	/// The deposit ticket held from the model's owner for this record.
	pub deposit: Deposit,
}
