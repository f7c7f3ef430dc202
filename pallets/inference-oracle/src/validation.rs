//! Validation before approval: operators' nodes check a proposed version before
//! governance may approve it.
//!
//! While a version is `Proposed`, the off-chain worker of every node with an operator key
//! in the operator set loads its bytes (from the offchain DB, where the registry indexed
//! them, or from its URI) and checks its golden vectors, as it would before serving it,
//! and submits a signed [`Verdict`] per key
//! ([`submit_verdict`](Pallet::submit_verdict)): `Reproduced`, or `Failed` with why. The
//! registry asks [`VersionValidation::is_validated`] before governance approves: at least
//! `max(MinValidators, min_agreement)` operators of the operator set must have reproduced
//! the golden vectors, since fewer could never bring a request to the version to
//! agreement. Root may approve regardless (an emergency, or a chain with no operators
//! yet). Verdicts stay with the version, so `explain` shows who validated the version
//! that scored a result.

use aioracle_primitives::{
	model::VersionValidation,
	oracle::{ValidationView, Verdict},
};

use super::*;

/// What an operator signs before a verdict's encoding, so that no other signed message of
/// the key can pass for one.
pub const VERDICT_CONTEXT: &[u8] = b"aioracle/verdict";

/// An operator's verdict on a proposed version, as its node signs and submits it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct VersionVerdict<Key> {
	/// The model.
	pub model: ModelId,
	/// The proposed version.
	pub version: VersionId,
	/// The operator's `orcl` key.
	pub key: Key,
	/// What its node found.
	pub verdict: Verdict,
}

impl<Key: Encode> VersionVerdict<Key> {
	/// The bytes the operator's `orcl` key signs.
	pub fn signing_payload(&self) -> Vec<u8> {
		(VERDICT_CONTEXT, self).encode()
	}
}

impl<T: Config> Pallet<T> {
	/// How many operators of the operator set must reproduce version `version` of
	/// `model`'s golden vectors: `MinValidators`, or the version's `min_agreement` if more.
	pub fn validation_quorum(model: ModelId, version: VersionId) -> u32 {
		let min_agreement =
			T::Models::contract(model, version).map_or(0, |(_, contract)| contract.min_agreement);
		T::MinValidators::get().max(min_agreement)
	}

	/// How many operators of the operator set reproduced the golden vectors of version
	/// `version` of `model`.
	fn reproductions(model: ModelId, version: VersionId) -> u32 {
		let set = OperatorSet::<T>::get();
		Verdicts::<T>::get(model, version)
			.iter()
			.filter(|(who, verdict)| {
				*verdict == Verdict::Reproduced && set.iter().any(|(member, _)| member == who)
			})
			.count() as u32
	}

	/// The verdicts on version `version` of `model`, its quorum, and whether it is met.
	pub fn validation_view(model: ModelId, version: VersionId) -> ValidationView<T::AccountId> {
		let quorum = Self::validation_quorum(model, version);
		ValidationView {
			verdicts: Verdicts::<T>::get(model, version).into_inner(),
			quorum,
			validated: Self::reproductions(model, version) >= quorum,
		}
	}

	/// Checks a verdict against the chain's state: the key is an operator's in the operator
	/// set, the version is proposed, and the operator has not judged it yet. Returns the
	/// operator's account.
	fn check_verdict(verdict: &VersionVerdict<T::AuthorityId>) -> Result<T::AccountId, Error<T>> {
		let operator =
			OperatorByKey::<T>::get(&verdict.key).ok_or(Error::<T>::UnknownOperatorKey)?;
		let in_set = OperatorSet::<T>::get().iter().any(|(member, _)| member == &operator);
		ensure!(in_set, Error::<T>::NotInOperatorSet);
		ensure!(
			T::Models::is_proposed(verdict.model, verdict.version),
			Error::<T>::VersionNotProposed
		);
		let judged = Verdicts::<T>::get(verdict.model, verdict.version)
			.iter()
			.any(|(who, _)| who == &operator);
		ensure!(!judged, Error::<T>::AlreadyJudged);
		Ok(operator)
	}

	/// The transaction-pool check of a verdict: valid against the state, and signed by its
	/// key. One per (version, key) in the pool.
	pub(crate) fn authorize_verdict(
		_source: TransactionSource,
		verdict: &VersionVerdict<T::AuthorityId>,
		signature: &<T::AuthorityId as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		Self::check_verdict(verdict).map_err(|error| match error {
			Error::<T>::AlreadyJudged | Error::<T>::VersionNotProposed => {
				TransactionValidityError::from(InvalidTransaction::Stale)
			}
			Error::<T>::UnknownOperatorKey => InvalidTransaction::BadSigner.into(),
			other => {
				let index = other.encode().first().copied().unwrap_or(u8::MAX);
				InvalidTransaction::Custom(index).into()
			}
		})?;
		if !verdict.key.verify(&verdict.signing_payload(), signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		ValidTransaction::with_tag_prefix("InferenceOracle")
			.priority(T::SubmissionPriority::get())
			.and_provides((VERDICT_CONTEXT, verdict.model, verdict.version, &verdict.key))
			.longevity(T::ResponseWindow::get().saturated_into::<u64>().max(1))
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	/// Records a verdict. When the list is full, verdicts of operators no longer in the
	/// operator set make room.
	pub(crate) fn do_submit_verdict(verdict: VersionVerdict<T::AuthorityId>) -> DispatchResult {
		let operator = Self::check_verdict(&verdict)?;
		let VersionVerdict { model, version, verdict, .. } = verdict;
		Verdicts::<T>::try_mutate(model, version, |verdicts| {
			if verdicts.is_full() {
				let set = OperatorSet::<T>::get();
				verdicts.retain(|(who, _)| set.iter().any(|(member, _)| member == who));
			}
			verdicts.try_push((operator.clone(), verdict)).map_err(|_| Error::<T>::TooManyVerdicts)
		})?;
		log::info!(
			target: LOG_TARGET,
			"operator {operator:?} on model {model} version {version}: {verdict:?}"
		);
		Self::deposit_event(Event::VerdictSubmitted { model, version, operator, verdict });
		Ok(())
	}
}

impl<T: Config> VersionValidation for Pallet<T> {
	fn is_validated(model: ModelId, version: VersionId) -> bool {
		Self::reproductions(model, version) >= Self::validation_quorum(model, version)
	}
}
