//! Operators' submissions: the checks against the chain's state, the transaction pool's
//! check of a single submission and of a batch, and recording them.

use super::*;

/// The pool's refusal for a pallet error: `Custom(i)` with `i` the error's index in
/// [`Error`], so a client can name it from the metadata.
fn refusal<T: Config>(error: Error<T>) -> TransactionValidityError {
	let index = error.encode().first().copied().unwrap_or(u8::MAX);
	InvalidTransaction::Custom(index).into()
}

/// The pool's refusal of a submission the state refuses: `Stale` if nothing is owed any
/// more, `BadSigner` for an unknown key, the error's index otherwise.
fn state_refusal<T: Config>(error: Error<T>) -> TransactionValidityError {
	match error {
		Error::<T>::RequestNotFound |
		Error::<T>::RequestNotPending |
		Error::<T>::DeadlinePassed |
		Error::<T>::AlreadySubmitted |
		Error::<T>::AlreadyCommitted |
		Error::<T>::CommitmentsClosed => InvalidTransaction::Stale.into(),
		Error::<T>::UnknownOperatorKey => InvalidTransaction::BadSigner.into(),
		other => refusal(other),
	}
}

/// The off-chain worker's batches declare at most `1 / BATCH_SHARE` of one extrinsic's
/// weight ([`Pallet::batch_fits`]).
pub const BATCH_SHARE: u32 = 4;

/// The kind of an answer in the pool's tags: a commitment (1), or an outcome (0: itself,
/// or revealed), so that a member's commitment and its reveal do not replace each other.
fn answer_kind(answer: &Answer) -> u8 {
	u8::from(!answer.closes())
}

/// The tag a member's answer of `kind` ([`answer_kind`]) to `request` provides in the
/// pool: one per (request, key, kind), the same for a single submission and a batch item.
fn answer_tag<Key: Clone>(request: RequestId, key: &Key, kind: u8) -> (RequestId, Key, u8) {
	(request, key.clone(), kind)
}

impl<T: Config> Pallet<T> {
	/// What an item of `l` output elements that brings its request to `s` submissions
	/// costs beyond one of one element that is its request's first submission. Its ref
	/// time is what `l` and `s` add to a single `submit_result`; its proof is what `l`
	/// adds, plus the other `s - 1` submissions it reads. The operators' records and
	/// accounts that `s` also adds to a single submission's proof are shared by a batch's
	/// items: [`Self::operators_proof`] charges them once per batch.
	pub(crate) fn item_extra_weight(l: u32, s: u32) -> Weight {
		let first = T::WeightInfo::submit_result(1, 1);
		let ref_time = T::WeightInfo::submit_result(l, s).saturating_sub(first).ref_time();
		let longer = T::WeightInfo::submit_result(l, 1).saturating_sub(first).proof_size();
		let others = Self::submission_len(l).saturating_mul(s.saturating_sub(1).into());
		Weight::from_parts(ref_time, longer.saturating_add(others))
	}

	/// The most bytes one submission of `l` output elements takes in the proof.
	fn submission_len(l: u32) -> u64 {
		let output = Outcome::<Vec<i64>>::Output(alloc::vec![0; l as usize]).encoded_size();
		(T::AccountId::max_encoded_len() + output + BlockNumberFor::<T>::max_encoded_len()) as u64
	}

	/// What the records and accounts of `members` committee members, paid, slashed and
	/// counted by a batch, add to its proof: at most `MaxOperators` of them, since an
	/// operator's record enters the proof once however many of the batch's requests it
	/// sat on. (Operators who left the set since their request was drawn can add to that;
	/// the proof the block really records is what is reclaimed, either way.)
	fn operators_proof(members: u32) -> Weight {
		let s = members.min(T::MaxOperators::get());
		let proof = T::WeightInfo::submit_result(1, s)
			.saturating_sub(T::WeightInfo::submit_result(1, 1))
			.proof_size();
		Weight::from_parts(0, proof)
	}

	/// The weight of a batch of `n` items whose outputs have at most `l` elements and
	/// whose requests have at most `s` submissions once answered: `submit_results(n)`
	/// (benchmarked with one-element outputs, each the first answer of a request that one
	/// answer finalizes), plus, per item, [`Self::item_extra_weight`], plus once
	/// [`Self::operators_proof`], plus per item the `OnResult` call its closing may make.
	/// Benchmarking the components together would charge every item for the longest
	/// output and the most submissions the runtime allows.
	pub fn batch_weight(n: u32, l: u32, s: u32) -> Weight {
		T::WeightInfo::submit_results(n)
			.saturating_add(Self::item_extra_weight(l, s).saturating_mul(n.into()))
			.saturating_add(Self::operators_proof(n.saturating_mul(s)))
			.saturating_add(T::OnResult::max_weight().saturating_mul(n.into()))
	}

	/// What `commits` commitments in a batch add to it (`submit_commitments`, without the
	/// call's base, which `submit_results` counts).
	fn commitments_weight(commits: u32) -> Weight {
		T::WeightInfo::submit_commitments(commits)
			.saturating_sub(T::WeightInfo::submit_commitments(0))
	}

	/// The weight a batch of `n` items declares when `closing` of them are outcomes or
	/// reveals with outputs of at most `l` elements: [`Self::batch_weight`] for the closing
	/// items, each charged for closing a request of `MaxCommittee` answers, plus what the
	/// commitments (which close nothing) add.
	pub fn batch_weight_for(n: u32, closing: u32, l: u32) -> Weight {
		let commits = n.saturating_sub(closing);
		Self::batch_weight(closing, l, T::MaxCommittee::get())
			.saturating_add(Self::commitments_weight(commits))
	}

	/// Whether a batch of `n` items, `closing` of them outcomes or reveals, with outputs of
	/// at most `l` elements, is one the off-chain worker sends: its declared weight, with the
	/// pool's check, is at most a [`BATCH_SHARE`] of what one normal extrinsic may weigh.
	/// The declared weight of a reveal assumes the largest committee and is mostly refunded,
	/// so batches much smaller than an extrinsic may be leave the block room to admit the
	/// next ones once the first are refunded.
	pub fn batch_fits(n: u32, closing: u32, l: u32) -> bool {
		let limit = <T as frame_system::Config>::BlockWeights::get()
			.get(DispatchClass::Normal)
			.max_extrinsic
			.unwrap_or(Weight::MAX);
		Self::batch_weight_for(n, closing, l)
			.saturating_add(Self::batch_authorize_weight(n, l))
			.saturating_mul(BATCH_SHARE.into())
			.all_lte(limit)
	}

	/// The weight `batch` declares ([`Self::batch_weight_for`]).
	pub fn declared_batch_weight(batch: &ResultBatchOf<T>) -> Weight {
		let closing = batch.items.iter().filter(|item| item.answer.closes()).count() as u32;
		let l = batch.charged_output_len(T::MaxOutputLen::get());
		Self::batch_weight_for(batch.items.len() as u32, closing, l)
			.saturating_add(Self::canary_report_weight(l).saturating_mul(batch.canary_reports().into()))
	}

	/// The weight a single `submission` declares: a commitment's, or closing a request of
	/// `MaxCommittee` answers of its output's length and telling `OnResult`.
	pub fn declared_submission_weight(submission: &ResultSubmission<T::AuthorityId>) -> Weight {
		if !submission.answer.closes() {
			return T::WeightInfo::submit_commitments(1);
		}
		let l = submission.charged_output_len(T::MaxOutputLen::get());
		T::WeightInfo::submit_result(l, T::MaxCommittee::get())
			.saturating_add(T::OnResult::max_weight())
	}

	/// The weight of the pool's check of a batch of `n` items whose outputs have at most
	/// `l` elements, composed as [`Self::batch_weight`] is.
	pub fn batch_authorize_weight(n: u32, l: u32) -> Weight {
		let per_item = T::WeightInfo::authorize_submit_result(l)
			.saturating_sub(T::WeightInfo::authorize_submit_result(1));
		T::WeightInfo::authorize_submit_results(n)
			.saturating_add(per_item.saturating_mul(n.into()))
	}

	/// The account of a registered `orcl` key.
	fn operator_of(key: &T::AuthorityId) -> Result<T::AccountId, Error<T>> {
		OperatorByKey::<T>::get(key).ok_or(Error::<T>::UnknownOperatorKey)
	}

	/// Checks one answer of `operator` against the chain's state: the request is pending
	/// and within its deadline, `operator` sits on its committee and has not answered it,
	/// the answer is of the kind the request takes now (an outcome for a committee of one;
	/// a commitment while commitments are open, a matching reveal once reveals are open,
	/// for a committee of several), and an output has the contract's length.
	fn check_item(
		operator: &T::AccountId,
		id: RequestId,
		answer: &Answer,
	) -> Result<Checked<T>, Error<T>> {
		let request = Requests::<T>::get(id).ok_or(Error::<T>::RequestNotFound)?;
		ensure!(request.status == RequestStatus::Pending, Error::<T>::RequestNotPending);
		ensure!(Self::now() <= request.deadline, Error::<T>::DeadlinePassed);
		let committee = Committees::<T>::get(id);
		ensure!(committee.contains(operator), Error::<T>::NotInCommittee);
		let submissions = Submissions::<T>::get(id);
		ensure!(!submissions.iter().any(|s| &s.operator == operator), Error::<T>::AlreadySubmitted);
		let several = committee.len() > 1;
		let commits = if several { Commits::<T>::get(id) } else { Default::default() };
		let committed = commits.iter().find(|(who, _)| who == operator).map(|(_, c)| *c);
		let open = several && Self::reveals_open(&request, committee.len(), commits.len());
		match answer {
			Answer::Outcome(_) => ensure!(!several, Error::<T>::CommitmentExpected),
			Answer::Commit(_) => {
				ensure!(several, Error::<T>::CommitmentNotExpected);
				ensure!(committed.is_none(), Error::<T>::AlreadyCommitted);
				ensure!(!open, Error::<T>::CommitmentsClosed);
			},
			Answer::Reveal { outcome, salt } => {
				ensure!(several, Error::<T>::CommitmentNotExpected);
				let commitment = committed.ok_or(Error::<T>::NotCommitted)?;
				ensure!(open, Error::<T>::RevealsNotOpen);
				ensure!(
					commitment == types::commitment(id, operator, outcome, salt),
					Error::<T>::RevealMismatch
				);
			},
		}
		if let Some(Outcome::Output(output)) = answer.outcome() {
			ensure!(
				Some(output.len() as u32) == request.contract.reported_len(),
				Error::<T>::OutputLengthMismatch
			);
		}
		Ok(Checked { request, committee, commits, submissions })
	}

	/// How long a submission to a request with `deadline` may wait in the pool.
	fn longevity(deadline: BlockNumberFor<T>) -> u64 {
		deadline.saturating_sub(Self::now()).saturated_into::<u64>().max(1)
	}

	/// The transaction-pool check of a single submission: valid against the state, and
	/// signed by its key. The signature is checked last: it is the expensive part.
	pub(crate) fn authorize_submission(
		_source: TransactionSource,
		submission: &ResultSubmission<T::AuthorityId>,
		signature: &<T::AuthorityId as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		let operator = Self::operator_of(&submission.key).map_err(state_refusal::<T>)?;
		let Checked { request, .. } =
			Self::check_item(&operator, submission.request, &submission.answer)
				.map_err(state_refusal::<T>)?;
		if !submission.using_encoded(|payload| submission.key.verify(&payload, signature)) {
			return Err(InvalidTransaction::BadProof.into());
		}
		ValidTransaction::with_tag_prefix("InferenceOracle")
			.priority(T::SubmissionPriority::get())
			.and_provides(answer_tag(
				submission.request,
				&submission.key,
				answer_kind(&submission.answer),
			))
			.longevity(Self::longevity(request.deadline))
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	/// The transaction-pool check of a batch, in one pass: a registered key, between 1 and
	/// `MaxBatchLen` items, no request twice, every output of its request's length, at
	/// least one item still owed, and one valid signature. The batch provides a
	/// `(request, key, kind)` tag per owed item, the same tags single submissions provide,
	/// so the pool never holds two commitments, or two outcomes, of one member to one
	/// request.
	pub(crate) fn authorize_batch(
		_source: TransactionSource,
		batch: &ResultBatchOf<T>,
		signature: &<T::AuthorityId as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		ensure!(!batch.items.is_empty(), refusal(Error::<T>::EmptyBatch));
		ensure!(
			batch.items.len() <= T::MaxBatchLen::get() as usize,
			refusal(Error::<T>::BatchTooLarge)
		);
		let operator = Self::operator_of(&batch.key).map_err(state_refusal::<T>)?;
		let mut seen = BTreeSet::new();
		let mut owed: Vec<(RequestId, u8)> = Vec::new();
		let mut longevity = u64::MAX;
		for item in &batch.items {
			ensure!(seen.insert(item.request), refusal(Error::<T>::DuplicateBatchItem));
			match Self::check_item(&operator, item.request, &item.answer) {
				Ok(Checked { request, .. }) => {
					owed.push((item.request, answer_kind(&item.answer)));
					longevity = longevity.min(Self::longevity(request.deadline));
				},
				// Answered already, or closed: skipped in the block.
				Err(Error::<T>::RequestNotFound) |
				Err(Error::<T>::RequestNotPending) |
				Err(Error::<T>::DeadlinePassed) |
				Err(Error::<T>::AlreadySubmitted) |
				Err(Error::<T>::AlreadyCommitted) |
				Err(Error::<T>::CommitmentsClosed) => {},
				Err(other) => return Err(refusal(other)),
			}
		}
		ensure!(!owed.is_empty(), InvalidTransaction::Stale);
		if !batch.key.verify(&batch.signing_payload(), signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		let mut validity = ValidTransaction::with_tag_prefix("InferenceOracle")
			.priority(T::SubmissionPriority::get())
			.longevity(longevity)
			.propagate(true);
		for (request, kind) in owed {
			validity = validity.and_provides(answer_tag(request, &batch.key, kind));
		}
		validity.build().map(|validity| (validity, Weight::zero()))
	}

	/// Records a single submission and finalizes the request if enough outputs agree.
	/// Charged for `MaxCommittee` submissions; refunds down to the request's count.
	pub(crate) fn do_submit(
		submission: ResultSubmission<T::AuthorityId>,
	) -> DispatchResultWithPostInfo {
		let output_len = submission.charged_output_len(T::MaxOutputLen::get());
		let operator = Self::operator_of(&submission.key)?;
		let closing = submission.answer.closes();
		let Recorded { submissions, told } =
			Self::record(operator, submission.request, submission.answer, None)?;
		let actual = if closing {
			// `OnResult` is charged up front; refunded unless this answer closed the request.
			T::WeightInfo::submit_result(output_len, submissions).saturating_add(told)
		} else {
			T::WeightInfo::submit_commitments(1)
		};
		Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes })
	}

	/// Records a batch: every owed item, skipping those whose request closed or that the
	/// operator already answered. Refunds the weight of the skipped items.
	pub(crate) fn do_submit_batch(batch: ResultBatchOf<T>) -> DispatchResultWithPostInfo {
		let operator = Self::operator_of(&batch.key)?;
		let output_len = batch.charged_output_len(T::MaxOutputLen::get());
		let charged = Self::declared_batch_weight(&batch);
		let (mut accepted, mut committed, mut skipped) = (0u32, 0u32, 0u32);
		let mut told = Weight::zero();
		let (mut extra, mut most_submissions) = (Weight::zero(), 0u32);
		for item in batch.items.into_iter().take(T::MaxBatchLen::get() as usize) {
			let closing = item.answer.closes();
			let canary = item.canary.is_some();
			match Self::record(operator.clone(), item.request, item.answer, item.canary) {
				Ok(Recorded { submissions, told: told_item }) if closing => {
					accepted.saturating_inc();
					told.saturating_accrue(told_item);
					if canary {
						extra.saturating_accrue(Self::canary_report_weight(output_len));
					}
					extra.saturating_accrue(Self::item_extra_weight(output_len, submissions));
					most_submissions = most_submissions.max(submissions);
				},
				Ok(_) => committed.saturating_inc(),
				Err(error) => {
					log::debug!(
						target: LOG_TARGET,
						"batch of {operator:?}: request {} skipped: {error:?}",
						item.request
					);
					skipped.saturating_inc()
				},
			}
		}
		Self::deposit_event(Event::BatchSubmitted {
			operator,
			accepted: accepted.saturating_add(committed),
			skipped,
		});
		// What was recorded, by each request's submissions, plus what each skipped item
		// cost beyond the base; `OnResult` for the requests this batch closed (every
		// closing item was charged for it up front, and most only add to a committee).
		let skipping = T::WeightInfo::submit_results_skipped(skipped)
			.saturating_sub(T::WeightInfo::submit_results_skipped(0));
		let actual = T::WeightInfo::submit_results(accepted)
			.saturating_add(Self::commitments_weight(committed))
			.saturating_add(extra)
			.saturating_add(Self::operators_proof(accepted.saturating_mul(most_submissions)))
			.saturating_add(told)
			.saturating_add(skipping)
			.min(charged);
		Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes })
	}

	/// Records `operator`'s `answer` to request `id`, and closes the request if its
	/// committee has answered. Returns the request's submissions with this one (what the
	/// work done grows with) and what telling `OnResult` took if this answer closed it.
	pub(crate) fn record(
		operator: T::AccountId,
		id: RequestId,
		answer: Answer,
		canary: Option<CanaryReport<Vec<i64>>>,
	) -> Result<Recorded, Error<T>> {
		let Checked { request, committee, mut commits, mut submissions } =
			Self::check_item(&operator, id, &answer)?;
		let outcome = match answer {
			Answer::Commit(commitment) => {
				commits
					.try_push((operator.clone(), commitment))
					// A member commits once, and the committee has at most `MaxCommittee`.
					.map_err(|_| Error::<T>::TooManySubmissions)?;
				Commits::<T>::insert(id, commits);
				Self::deposit_event(Event::AnswerCommitted { request: id, operator });
				return Ok(Recorded { submissions: 1, told: Weight::zero() });
			},
			Answer::Outcome(outcome) | Answer::Reveal { outcome, .. } => outcome,
		};
		let is_output = matches!(outcome, Outcome::Output(_));
		let outcome = match outcome {
			// The length was checked against the output spec, within `MaxOutputLen`.
			Outcome::Output(output) => Outcome::Output(BoundedVec::truncate_from(output)),
			Outcome::Failed(failure) => Outcome::Failed(failure),
		};
		submissions
			.try_push(Submission { operator: operator.clone(), outcome, at: Self::now() })
			// Members answer once, and the committee has at most `MaxCommittee`.
			.map_err(|_| Error::<T>::TooManySubmissions)?;
		if let Some(report) = canary {
			Self::note_canary_report(id, &operator, report);
		}
		Self::deposit_event(Event::ResultSubmitted { request: id, operator, output: is_output });
		let mut told = Weight::zero();
		if Self::answered_by_all(&request, &committee, &commits, &submissions) {
			told = T::OnResult::weight_for(&request.requester);
			Self::close(id, request, &committee, &submissions);
		}
		let count = submissions.len() as u32;
		Submissions::<T>::insert(id, submissions);
		Ok(Recorded { submissions: count, told })
	}
}

/// What recording an answer did (see [`Pallet::record`]).
pub(crate) struct Recorded {
	/// The request's submissions with this one (1 for a commitment, which closes nothing):
	/// what the work done (outputs compared, members paid, slashed and counted) grows with.
	pub submissions: u32,
	/// What telling `OnResult` took for the request's requester, if this answer closed
	/// the request; zero otherwise.
	pub told: Weight,
}

/// What [`Pallet::check_item`] read of a request, for the caller to use.
pub(crate) struct Checked<T: Config> {
	/// The request.
	pub request: RequestOf<T>,
	/// Its committee.
	pub committee: CommitteeOf<T>,
	/// Its commitments (empty for a committee of one).
	pub commits: CommitsOf<T>,
	/// Its submissions.
	pub submissions: SubmissionsOf<T>,
}
