//! Training runs: what stands between a model version and its training data.
//!
//! Lineage reads dataset -> run -> version, in the spirit of OpenLineage's run events: the
//! run's inputs are the version's training datasets, its output the version's ONNX bytes,
//! and the run itself says which code ran, with which settings, in which environment and
//! by whom. The model's owner declares it when proposing the version; it is fixed from
//! then on, like the training data, so voters judge the version with it in view.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{traits::ConstU32, BoundedVec};

/// The most bytes each of a training run's texts (code URI, framework, framework version)
/// may have on-chain.
pub const MAX_TRAINING_TEXT_LEN: u32 = 256;

/// A training run's text as stored: at most [`MAX_TRAINING_TEXT_LEN`] bytes.
pub type TrainingText = BoundedVec<u8, ConstU32<MAX_TRAINING_TEXT_LEN>>;

/// A training run as a proposal carries it and the runtime API returns it (`Text` is
/// `Vec<u8>`), or as the registry stores it (`Text` is [`TrainingText`]).
#[derive(
	Clone,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct TrainingRun<AccountId, Text> {
	/// The hash of the training code as run: blake2-256 of its archive, or a commit or
	/// tree hash (a 20-byte git hash is left-aligned, zero-padded).
	pub code_hash: H256,
	/// Where the code can be fetched (for example `git+https://host/repo@commit#train.py`;
	/// may be empty).
	pub code_uri: Text,
	/// blake2-256 of the hyperparameters as the run read them (the file or its canonical
	/// JSON), kept off-chain like attestation statements.
	pub hyperparameters_hash: H256,
	/// The framework that trained the model, for example `scikit-learn` or `pytorch`.
	pub framework: Text,
	/// Its version, for example `1.5.2`.
	pub framework_version: Text,
	/// Who ran it: the account answerable for the run. Declared by the model's owner,
	/// like the training data; the chain does not ask this account.
	pub ran_by: AccountId,
}

impl<AccountId> TrainingRun<AccountId, alloc::vec::Vec<u8>> {
	/// The run with its texts bounded to [`MAX_TRAINING_TEXT_LEN`], or `None` if one is
	/// longer.
	pub fn bounded(self) -> Option<TrainingRun<AccountId, TrainingText>> {
		Some(TrainingRun {
			code_hash: self.code_hash,
			code_uri: self.code_uri.try_into().ok()?,
			hyperparameters_hash: self.hyperparameters_hash,
			framework: self.framework.try_into().ok()?,
			framework_version: self.framework_version.try_into().ok()?,
			ran_by: self.ran_by,
		})
	}
}

impl<AccountId> TrainingRun<AccountId, TrainingText> {
	/// The run as the runtime API returns it.
	pub fn unbounded(self) -> TrainingRun<AccountId, alloc::vec::Vec<u8>> {
		TrainingRun {
			code_hash: self.code_hash,
			code_uri: self.code_uri.into_inner(),
			hyperparameters_hash: self.hyperparameters_hash,
			framework: self.framework.into_inner(),
			framework_version: self.framework_version.into_inner(),
			ran_by: self.ran_by,
		}
	}
}

/// Test-only (`#[cfg(test)]`): `expect` reports a failed bound as the test's failure.
#[cfg(test)]
mod tests {
	use super::*;

	fn run(uri_len: usize) -> TrainingRun<u64, alloc::vec::Vec<u8>> {
		TrainingRun {
			code_hash: H256::repeat_byte(1),
			code_uri: alloc::vec![b'u'; uri_len],
			hyperparameters_hash: H256::repeat_byte(2),
			framework: b"scikit-learn".to_vec(),
			framework_version: b"1.5.2".to_vec(),
			ran_by: 7,
		}
	}

	#[test]
	fn bounding_keeps_every_field_and_unbounding_restores_it() {
		let original = run(MAX_TRAINING_TEXT_LEN as usize);
		let stored = original.clone().bounded().expect("texts within the bound");
		assert_eq!(stored.code_uri.len(), MAX_TRAINING_TEXT_LEN as usize);
		assert_eq!(stored.unbounded(), original);
	}

	#[test]
	fn a_text_over_the_bound_is_refused() {
		assert_eq!(run(MAX_TRAINING_TEXT_LEN as usize + 1).bounded(), None);
		let long_framework = TrainingRun { framework: alloc::vec![b'f'; 257], ..run(0) };
		assert_eq!(long_framework.bounded(), None);
	}

	#[test]
	fn stored_and_proposed_runs_encode_alike() {
		// Clients build the proposal's run and read the stored one with one type.
		let original = run(40);
		assert_eq!(original.clone().bounded().map(|r| r.encode()), Some(original.encode()));
	}
}
