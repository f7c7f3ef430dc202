//! Benchmarks of every call and of the expiry hook, each in its worst case.

use super::*;
use alloc::vec;
use frame::{benchmarking::prelude::*, traits::fungible::Mutate};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = T::OperatorBond::get()
		.saturating_add(T::RequestFee::get())
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// Registers `count` operators with fresh keys and the least bond, replacing any the
/// genesis registered; returns their accounts and keys.
fn operators<T: Config>(count: u32) -> Result<Vec<(T::AccountId, T::AuthorityId)>, BenchmarkError> {
	// Start from an empty set: a chain's genesis operators have no keys in this keystore.
	let _ = Operators::<T>::clear(u32::MAX, None);
	let _ = OperatorByKey::<T>::clear(u32::MAX, None);
	OperatorSet::<T>::kill();
	(0..count)
		.map(|i| {
			let who = funded::<T>("operator", i);
			let key = T::AuthorityId::generate_pair(None);
			Pallet::<T>::do_register(who.clone(), key.clone(), T::OperatorBond::get())
				.map_err(|_| BenchmarkError::Stop("the set-up operator was refused"))?;
			Ok((who, key))
		})
		.collect()
}

/// A `max_fee` any request accepts: the fee and the version's price (the benchmarks'
/// models are priced) are what they are.
fn any_fee<T: Config>() -> BalanceOf<T> {
	BalanceOf::<T>::max_value()
}

/// A request to `model` (whose version has the largest input).
fn request<T: Config>(model: ModelId) -> Result<RequestId, BenchmarkError> {
	let requester = funded::<T>("requester", 0);
	let (_, _, contract) =
		T::Models::active_contract(model).ok_or(BenchmarkError::Stop("no model"))?;
	let len = contract.input_len().unwrap_or(1);
	Pallet::<T>::do_request(requester, model, vec![i64::MAX; len as usize], any_fee::<T>())
		.map(|(id, _, _)| id)
		.map_err(|_| BenchmarkError::Stop("the set-up request was refused"))
}

/// The worst case of a new request: a full operator set, a model asking for the largest
/// committee and reporting the longest output, and the oldest retained request closed but
/// due for pruning. Returns the model, a funded requester and that oldest request.
fn request_worst_case<T: Config>() -> Result<(ModelId, T::AccountId, RequestId), BenchmarkError> {
	operators::<T>(T::MaxOperators::get())?;
	let min_agreement = T::MaxCommittee::get().saturating_add(1) / 2;
	let model = T::BenchmarkHelper::model(T::MaxOutputLen::get(), min_agreement);
	// Every request is sampled for a canary: the check written, and deleted when pruned.
	T::BenchmarkHelper::canary(model);
	let requester = funded::<T>("requester", 1);
	let oldest = request::<T>(model)?;
	Pallet::<T>::expire(oldest);
	NextRequestId::<T>::put(oldest.saturating_add(T::MaxRetainedRequests::get().into()));
	Ok((model, requester, oldest))
}

/// Closes pending request `id` as if every member of its committee had revealed an output
/// of `l` elements, all `value`: finalized, the fee split among all.
fn close_agreeing<T: Config>(id: RequestId, l: u32, value: i64) -> Result<(), BenchmarkError> {
	let request = Requests::<T>::get(id).ok_or(BenchmarkError::Stop("no request"))?;
	let committee = Committees::<T>::get(id);
	let at = frame_system::Pallet::<T>::block_number();
	let answers: Vec<SubmissionOf<T>> = committee
		.iter()
		.map(|operator| Submission {
			operator: operator.clone(),
			outcome: Outcome::Output(BoundedVec::truncate_from(vec![value; l as usize])),
			at,
		})
		.collect();
	let answers = SubmissionsOf::<T>::truncate_from(answers);
	Pallet::<T>::close(id, request, &committee, &answers);
	Submissions::<T>::insert(id, answers);
	ensure!(Results::<T>::contains_key(id), "the set-up request was not finalized");
	Ok(())
}

/// `model`'s input as a registered dataset whose content is stored as a blob of the size
/// its active version's input takes.
fn dataset_input<T: Config>(model: ModelId, owner: &T::AccountId) -> Result<InputSource, BenchmarkError> {
	let (version, _, contract) =
		T::Models::active_contract(model).ok_or(BenchmarkError::Stop("no model"))?;
	let dataset = T::BenchmarkHelper::input_dataset();
	let blob = T::Datasets::content_hash(dataset).ok_or(BenchmarkError::Stop("no dataset"))?;
	let size_bytes = aioracle_primitives::input::tensor_blob_size(&contract.inputs)
		.ok_or(BenchmarkError::Stop("the set-up version has no input"))?;
	ensure!(
		T::Models::input_decoding(model, version).fits(size_bytes, &contract.inputs).is_ok(),
		"the set-up blob does not fit"
	);
	let owner = owner.clone();
	InputBlobs::<T>::insert(
		blob,
		InputBlob { owner, size_bytes, deposit: Zero::zero(), last_used: Zero::zero() },
	);
	Ok(InputSource::Dataset(dataset))
}

/// Terms for a subscription to `model` every block with `input`, and a budget of half of
/// `owner`'s balance: many requests.
fn subscription_terms<T: Config>(
	model: ModelId,
	input: ScheduledInput<Vec<i64>>,
	owner: &T::AccountId,
) -> SubscriptionTermsOf<T> {
	let budget = T::Currency::balance(owner) / 2u32.into();
	SubscriptionTerms { model, input, every: One::one(), until: None, max_fee: any_fee::<T>(), budget }
}

/// Opens a subscription of `owner` to `model` with `source` as its input, or the largest
/// inline input; returns it and the block it is due in.
fn subscribe<T: Config>(
	model: ModelId,
	source: Option<InputSource>,
	owner: &T::AccountId,
) -> Result<(SubscriptionId, BlockNumberFor<T>), BenchmarkError> {
	let (_, _, contract) =
		T::Models::active_contract(model).ok_or(BenchmarkError::Stop("no model"))?;
	let input = match source {
		Some(source) => ScheduledInput::Source(source),
		None => ScheduledInput::Inline(vec![i64::MAX; contract.input_len().unwrap_or(1) as usize]),
	};
	let terms = subscription_terms::<T>(model, input, owner);
	let id = Pallet::<T>::do_open_subscription(owner.clone(), terms)
		.map_err(|_| BenchmarkError::Stop("the set-up subscription was refused"))?;
	let due = Subscriptions::<T>::get(id).ok_or(BenchmarkError::Stop("no subscription"))?.next_due;
	Ok((id, due))
}

/// Lists `count` ids of no subscription for `block`, then `last` if given: a full block.
fn crowd_schedule<T: Config>(block: BlockNumberFor<T>, count: u32, last: Option<SubscriptionId>) {
	let ids = (0..count).map(|i| SubscriptionId::MAX - i).chain(last);
	SubscriptionSchedule::<T>::insert(block, DueSubscriptionsOf::<T>::truncate_from(ids.collect()));
}

/// Makes subscription `id` due as `on_initialize` finds it in `due` (taken from its block's
/// list), with the block it is listed again in holding `MaxSubscriptions - 1` others;
/// returns that block.
fn make_due<T: Config>(due: BlockNumberFor<T>) -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::set_block_number(due);
	let _ = SubscriptionSchedule::<T>::take(due);
	let next = due.saturating_add(One::one());
	crowd_schedule::<T>(next, T::MaxSubscriptions::get().saturating_sub(1), None);
	next
}

/// Checks that subscription `id` made a request, which pruned `oldest`, and is listed
/// again in `next`.
fn served<T: Config>(id: SubscriptionId, next: BlockNumberFor<T>, oldest: RequestId) -> Result<(), BenchmarkError> {
	let subscription = Subscriptions::<T>::get(id).ok_or(BenchmarkError::Stop("it closed"))?;
	ensure!(subscription.requests == 1, "no request made");
	ensure!(!Requests::<T>::contains_key(oldest), "the oldest request was not pruned");
	ensure!(SubscriptionSchedule::<T>::get(next).contains(&id), "not listed again");
	Ok(())
}

/// The largest `min_agreement` whose request can be disputed with an operator set of
/// `operators`: its committee, and a round's committee asking for one more agreeing
/// operator drawn from the rest, both fit. The worst case of a dispute: the largest
/// committees on both sides.
fn disputable_quorum<T: Config>(operators: u32) -> u32 {
	let mut m = T::MaxCommittee::get().saturating_add(1) / 2;
	while m > 1 {
		let first = Pallet::<T>::committee_size(m, operators);
		let rest = operators.saturating_sub(first).saturating_sub(1);
		if Pallet::<T>::committee_size(m + 1, rest) > m {
			break;
		}
		m -= 1;
	}
	m.max(1)
}

/// A full operator set, a proposed version judged by every operator but the last, and the
/// last one's signed verdict.
#[allow(clippy::type_complexity)]
fn verdict_awaiting<T: Config>() -> Result<
	(
		(VersionVerdict<T::AuthorityId>, <T::AuthorityId as RuntimeAppPublic>::Signature),
		(ModelId, VersionId),
	),
	BenchmarkError,
> {
	let operators = operators::<T>(T::MaxOperators::get())?;
	let (model, version) = T::BenchmarkHelper::proposed_version();
	let (last, others) = operators.split_last().ok_or(BenchmarkError::Stop("no operators"))?;
	let judged: Vec<_> = others
		.iter()
		.map(|(who, _)| (who.clone(), aioracle_primitives::oracle::Verdict::Reproduced))
		.collect();
	Verdicts::<T>::insert(model, version, BoundedVec::truncate_from(judged));
	let verdict = VersionVerdict {
		model,
		version,
		key: last.1.clone(),
		verdict: aioracle_primitives::oracle::Verdict::Reproduced,
	};
	let signature = last
		.1
		.sign(&verdict.signing_payload())
		.ok_or(BenchmarkError::Stop("the key cannot sign"))?;
	Ok(((verdict, signature), (model, version)))
}

/// The salt of every commitment the benchmarks make.
const SALT: [u8; 32] = [9; 32];

/// An output of `l` elements, all `value`.
fn output(l: u32, value: i64) -> Outcome<Vec<i64>> {
	Outcome::Output(vec![value; l as usize])
}

/// The operator whose answer the benchmarks time: its key, and the answer that closes each
/// request set up by [`requests_awaiting`].
struct LastMember<T: Config> {
	key: T::AuthorityId,
	/// Committees of several take a reveal, a committee of one the outcome itself.
	several: bool,
}

impl<T: Config> LastMember<T> {
	/// The last member's closing answer to `request` with `l` elements.
	fn answer(&self, l: u32) -> Answer {
		if self.several {
			Answer::Reveal { outcome: output(l, 7), salt: SALT }
		} else {
			Answer::Outcome(output(l, 7))
		}
	}
}

/// `n` requests to a model with `l` output elements, each seated with a committee of `s`
/// operators of which all but the last have answered: every member committed (for `s > 1`)
/// and `s - 1` revealed, the first `(s - 1) / 2` of them outliers. The last member's answer
/// closes each request: `s` outputs compared, the fee split among the majority, the
/// outliers slashed, `s` members counted. Committees, commitments and earlier answers are
/// written directly, which makes the set-up fast.
fn requests_awaiting<T: Config>(
	n: u32,
	l: u32,
	s: u32,
) -> Result<(LastMember<T>, Vec<RequestId>), BenchmarkError> {
	let model = T::BenchmarkHelper::model(l, 1);
	let s = s.max(1);
	let operators = operators::<T>(s)?;
	let (last, _) = operators.split_last().ok_or(BenchmarkError::Stop("no operators"))?;
	let at = frame_system::Pallet::<T>::block_number();
	let outliers = (s as usize - 1) / 2;
	let members: Vec<T::AccountId> = operators.iter().map(|(who, _)| who.clone()).collect();
	let committee = CommitteeOf::<T>::try_from(members)
		.map_err(|_| BenchmarkError::Stop("more members than MaxCommittee"))?;
	let mut requests = Vec::new();
	for _ in 0..n {
		let id = request::<T>(model)?;
		let mut answers = Vec::new();
		let mut commits = Vec::new();
		for (i, (operator, _)) in operators.iter().enumerate() {
			let value = if i < outliers { 8 } else { 7 };
			let outcome = output(l, value);
			if s > 1 {
				commits.push((operator.clone(), commitment(id, operator, &outcome, &SALT)));
			}
			if i + 1 < operators.len() {
				let Outcome::Output(values) = outcome else { continue };
				let outcome = Outcome::Output(BoundedVec::truncate_from(values));
				answers.push(Submission { operator: operator.clone(), outcome, at });
			}
		}
		Committees::<T>::insert(id, committee.clone());
		Commits::<T>::insert(id, CommitsOf::<T>::truncate_from(commits));
		Submissions::<T>::insert(id, SubmissionsOf::<T>::truncate_from(answers));
		requests.push(id);
	}
	let last = LastMember { key: last.1.clone(), several: s > 1 };
	Ok((last, requests))
}

/// `member`'s closing answer to `request` with `l` elements, and its signature.
fn signed_submission<T: Config>(
	request: RequestId,
	member: &LastMember<T>,
	l: u32,
) -> Result<
	(ResultSubmission<T::AuthorityId>, <T::AuthorityId as RuntimeAppPublic>::Signature),
	BenchmarkError,
> {
	let submission = ResultSubmission { request, key: member.key.clone(), answer: member.answer(l) };
	let signature =
		member.key.sign(&submission.encode()).ok_or(BenchmarkError::Stop("the key cannot sign"))?;
	Ok((submission, signature))
}

/// `member`'s batch closing `requests` with answers of `l` elements, and its signature.
fn signed_batch<T: Config>(
	member: &LastMember<T>,
	requests: &[RequestId],
	l: u32,
) -> Result<(ResultBatchOf<T>, <T::AuthorityId as RuntimeAppPublic>::Signature), BenchmarkError>
{
	let items =
		requests.iter().map(|id| BatchItem { request: *id, answer: member.answer(l), canary: None }).collect();
	let batch = ResultBatch { key: member.key.clone(), items };
	let signature =
		member.key.sign(&batch.signing_payload()).ok_or(BenchmarkError::Stop("the key cannot sign"))?;
	Ok((batch, signature))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Into a full set, displacing its smallest bond.
	#[benchmark]
	fn register_operator() -> Result<(), BenchmarkError> {
		operators::<T>(T::MaxOperators::get())?;
		let who = funded::<T>("new", 0);
		let key = T::AuthorityId::generate_pair(None);
		let bond = T::OperatorBond::get().saturating_mul(2u32.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), key, bond);

		ensure!(Operators::<T>::contains_key(&who), "not registered");
		Ok(())
	}

	/// The last of a full set leaves.
	#[benchmark]
	fn unregister_operator() -> Result<(), BenchmarkError> {
		let (who, _) = operators::<T>(T::MaxOperators::get())?
			.pop()
			.ok_or(BenchmarkError::Stop("no operators"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		ensure!(!OperatorSet::<T>::get().iter().any(|(a, _)| a == &who), "still in the set");
		Ok(())
	}

	#[benchmark]
	fn remove_operator() -> Result<(), BenchmarkError> {
		let (who, _) = operators::<T>(T::MaxOperators::get())?
			.pop()
			.ok_or(BenchmarkError::Stop("no operators"))?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		ensure!(!OperatorSet::<T>::get().iter().any(|(a, _)| a == &who), "still in the set");
		Ok(())
	}

	#[benchmark]
	fn withdraw_bond() -> Result<(), BenchmarkError> {
		let (who, _) = operators::<T>(1)?.remove(0);
		Pallet::<T>::do_leave(&who, LeaveReason::Unregistered)
			.map_err(|_| BenchmarkError::Stop("could not leave"))?;
		let later = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		ensure!(!Operators::<T>::contains_key(&who), "still registered");
		Ok(())
	}

	#[benchmark]
	fn slash_operator() -> Result<(), BenchmarkError> {
		let (who, _) = operators::<T>(T::MaxOperators::get())?
			.pop()
			.ok_or(BenchmarkError::Stop("no operators"))?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		ensure!(!Operators::<T>::contains_key(&who), "still registered");
		Ok(())
	}

	/// With a full operator set and a committee of `MaxCommittee` drawn from it, and a full
	/// retention: the request made prunes the oldest one, releasing its deposit. The oldest is closed, as `on_idle` leaves it: when it is still pending, the
	/// call also pays `expire`'s weight. Proof sizes are measured (the pruned request and the requester's account
	/// are as large as they get), except for what the set-up cannot make as large as it
	/// may be: the model's records (URI, training datasets) and the block's expiry list.
	#[benchmark(pov_mode = Measured {
		ModelRegistry::Models: MaxEncodedLen,
		ModelRegistry::Versions: MaxEncodedLen,
		InferenceOracle::Expiries: MaxEncodedLen,
	})]
	fn request_inference() -> Result<(), BenchmarkError> {
		let (model, requester, oldest) = request_worst_case::<T>()?;
		let (_, _, contract) =
			T::Models::active_contract(model).ok_or(BenchmarkError::Stop("no model"))?;
		let input = vec![i64::MAX; contract.input_len().unwrap_or(1) as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(requester), model, input, any_fee::<T>());

		ensure!(!Requests::<T>::contains_key(oldest), "the oldest request was not pruned");
		ensure!(PendingRequests::<T>::count() == 1, "no request made");
		Ok(())
	}

	/// A request answered in its own call by its version's exact program (the cheapest of
	/// `MaxInputLen` input elements, see `BenchmarkHelper::exact_model`), pruning a pending
	/// request as `request_inference` does.
	#[benchmark(pov_mode = Measured {
		ModelRegistry::Models: MaxEncodedLen,
		ModelRegistry::Versions: MaxEncodedLen,
		InferenceOracle::Expiries: MaxEncodedLen,
	})]
	fn request_exact_inference() -> Result<(), BenchmarkError> {
		let (model, input) = T::BenchmarkHelper::exact_model();
		let requester = funded::<T>("requester", 1);
		let (oldest, _, _) =
			Pallet::<T>::do_request(requester.clone(), model, input.clone(), any_fee::<T>())
				.map_err(|_| BenchmarkError::Stop("the set-up exact request was refused"))?;
		let id = oldest.saturating_add(T::MaxRetainedRequests::get().into());
		NextRequestId::<T>::put(id);

		#[extrinsic_call]
		request_inference(RawOrigin::Signed(requester), model, input, any_fee::<T>());

		let answer = ExactAnswers::<T>::get(Pallet::<T>::exact_slot(id));
		ensure!(answer.is_some_and(|a| a.id == id), "not answered exactly in the oldest's slot");
		Ok(())
	}

	/// Pruning the oldest retained request when a new request displaces it: closed, as
	/// `on_idle` leaves it, with the largest committee and a canary check (what an exact
	/// request pays besides `request_exact_inference` when the request it displaces was
	/// served by operators; a request served by operators has it in `request_inference`).
	#[benchmark(pov_mode = Measured)]
	fn prune_request() -> Result<(), BenchmarkError> {
		let (_, _, oldest) = request_worst_case::<T>()?;
		let new = NextRequestId::<T>::get();

		#[block]
		{
			Pallet::<T>::prune(new);
		}

		ensure!(!Requests::<T>::contains_key(oldest), "the oldest request was not pruned");
		Ok(())
	}

	/// A request that names a registered dataset as its input (the dataset's content
	/// stored as a blob of the size the version's input takes), pruning a pending request
	/// as `request_inference` does.
	#[benchmark(pov_mode = Measured {
		ModelRegistry::Models: MaxEncodedLen,
		ModelRegistry::Versions: MaxEncodedLen,
		InferenceOracle::Expiries: MaxEncodedLen,
	})]
	fn request_inference_by_reference() -> Result<(), BenchmarkError> {
		let (model, requester, oldest) = request_worst_case::<T>()?;
		let source = dataset_input::<T>(model, &requester)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(requester), model, source, any_fee::<T>());

		ensure!(!Requests::<T>::contains_key(oldest), "the oldest request was not pruned");
		ensure!(RequestInputs::<T>::iter().count() == 1, "no request by reference made");
		Ok(())
	}

	/// Stores an input blob of `b` bytes: hashed, indexed, its deposit held.
	#[benchmark]
	fn store_input(b: Linear<1, { T::MaxInputBlobBytes::get() }>) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let bytes = vec![0x5a; b as usize];
		let hash: InputBlobHash = frame::hashing::blake2_256(&bytes).into();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), bytes);

		ensure!(InputBlobs::<T>::contains_key(hash), "not stored");
		Ok(())
	}

	/// Removes an input blob: its deposit released and its bytes cleared.
	#[benchmark]
	fn remove_input() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let hash = Pallet::<T>::do_store_input(owner.clone(), vec![0x5a; 32])
			.map_err(|_| BenchmarkError::Stop("the set-up blob was refused"))?;
		let after = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::InputBlobRetention::get())
			.saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(after);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), hash);

		ensure!(!InputBlobs::<T>::contains_key(hash), "not removed");
		Ok(())
	}

	/// One answer with `l` output elements that closes a request whose committee has `s`
	/// members: a reveal checked against its commitment (for `s > 1`), `s` outputs
	/// compared, the fee split among the majority, `(s - 1) / 2` outliers slashed, `s`
	/// members counted.
	#[benchmark(pov_mode = Measured)]
	fn submit_result(
		l: Linear<1, { T::MaxOutputLen::get() }>,
		s: Linear<1, { T::MaxCommittee::get() }>,
	) -> Result<(), BenchmarkError> {
		let (member, requests) = requests_awaiting::<T>(1, l, s)?;
		let id = requests[0];
		let (submission, signature) = signed_submission::<T>(id, &member, l)?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, submission, signature);

		ensure!(Results::<T>::contains_key(id), "not finalized");
		Ok(())
	}

	/// The pool's check of a single reveal to a committee of `MaxCommittee`: state reads,
	/// the commitment's hash and one signature verification.
	#[benchmark(pov_mode = Measured)]
	fn authorize_submit_result(
		l: Linear<1, { T::MaxOutputLen::get() }>,
	) -> Result<(), BenchmarkError> {
		let (member, requests) = requests_awaiting::<T>(1, l, T::MaxCommittee::get())?;
		let (submission, signature) = signed_submission::<T>(requests[0], &member, l)?;
		let call = Call::<T>::submit_result { submission, signature };

		#[block]
		{
			use frame::traits::Authorize;
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("no authorize logic"))?
				.map_err(|_| BenchmarkError::Stop("the submission was not authorized"))?;
		}
		Ok(())
	}

	/// A batch of `n` answers of one output element, each closing a request served by a
	/// committee of one. Longer outputs and larger committees add, per item, what they add
	/// to `submit_result` (see `submission::batch_weight`).
	#[benchmark(pov_mode = Measured)]
	fn submit_results(n: Linear<1, { T::MaxBatchLen::get() }>) -> Result<(), BenchmarkError> {
		let (member, requests) = requests_awaiting::<T>(n, 1, 1)?;
		let (batch, signature) = signed_batch::<T>(&member, &requests, 1)?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, batch, signature);

		ensure!(requests.iter().all(|id| Results::<T>::contains_key(id)), "not finalized");
		Ok(())
	}

	/// A batch of `n` commitments, each the last of a committee of `MaxCommittee`: every
	/// item reads its request, committee, commitments and submissions, and writes the
	/// commitments back, opening reveals.
	#[benchmark(pov_mode = Measured)]
	fn submit_commitments(n: Linear<1, { T::MaxBatchLen::get() }>) -> Result<(), BenchmarkError> {
		let (member, requests) = requests_awaiting::<T>(n, 1, T::MaxCommittee::get())?;
		for id in &requests {
			Submissions::<T>::remove(id);
			Commits::<T>::mutate(id, |commits| commits.pop());
		}
		let items =
			requests.iter().map(|id| BatchItem { request: *id, answer: Answer::Commit(SALT), canary: None }).collect();
		let batch = ResultBatch { key: member.key.clone(), items };
		let signature = member
			.key
			.sign(&batch.signing_payload())
			.ok_or(BenchmarkError::Stop("the key cannot sign"))?;

		#[extrinsic_call]
		submit_results(RawOrigin::Authorized, batch, signature);

		let full = T::MaxCommittee::get() as usize;
		ensure!(requests.iter().all(|id| Commits::<T>::get(id).len() == full), "not committed");
		Ok(())
	}

	/// A batch of `n` answers to requests that closed before it was applied: each is read
	/// and skipped.
	#[benchmark(pov_mode = Measured)]
	fn submit_results_skipped(n: Linear<1, { T::MaxBatchLen::get() }>) -> Result<(), BenchmarkError> {
		let (member, requests) = requests_awaiting::<T>(n, 1, 1)?;
		let (batch, signature) = signed_batch::<T>(&member, &requests, 1)?;
		for id in &requests {
			Pallet::<T>::expire(*id);
		}

		#[extrinsic_call]
		submit_results(RawOrigin::Authorized, batch, signature);

		ensure!(
			requests.iter().all(|id| !Results::<T>::contains_key(id)),
			"a closed request took an answer"
		);
		Ok(())
	}

	/// The pool's check of a batch of `n` reveals of one output element to committees of
	/// `MaxCommittee`: every item's request, committee, commitments and submissions read
	/// and its commitment hashed, one signature verification.
	#[benchmark(pov_mode = Measured)]
	fn authorize_submit_results(
		n: Linear<1, { T::MaxBatchLen::get() }>,
	) -> Result<(), BenchmarkError> {
		let (member, requests) = requests_awaiting::<T>(n, 1, T::MaxCommittee::get())?;
		let (batch, signature) = signed_batch::<T>(&member, &requests, 1)?;
		let call = Call::<T>::submit_results { batch, signature };

		#[block]
		{
			use frame::traits::Authorize;
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("no authorize logic"))?
				.map_err(|_| BenchmarkError::Stop("the batch was not authorized"))?;
		}
		Ok(())
	}

	/// A request with `l` output elements closed at its deadline, its committee of
	/// `MaxCommittee` having revealed all but one answer: the outputs compared, the fee
	/// split among the majority, the outliers slashed, the last member slashed as a
	/// no-show; every member's record written.
	#[benchmark(pov_mode = Measured)]
	fn expire(l: Linear<1, { T::MaxOutputLen::get() }>) -> Result<(), BenchmarkError> {
		let (_, requests) = requests_awaiting::<T>(1, l, T::MaxCommittee::get())?;
		let id = requests[0];

		#[block]
		{
			Pallet::<T>::expire(id);
		}

		ensure!(!PendingRequests::<T>::contains_key(id), "still pending");
		Ok(())
	}

	/// A dispute of a result whose committee is as large as a disputable one gets, with a
	/// full operator set, the round's committee as large as it gets, and a full retention:
	/// the round prunes the oldest request (closed, as `on_idle` leaves it; the call is
	/// charged `expire` and `settle_dispute` besides for the case it is not).
	#[benchmark(pov_mode = Measured {
		ModelRegistry::Models: MaxEncodedLen,
		ModelRegistry::Versions: MaxEncodedLen,
		InferenceOracle::Expiries: MaxEncodedLen,
	})]
	fn dispute() -> Result<(), BenchmarkError> {
		let n = T::MaxOperators::get();
		operators::<T>(n)?;
		let l = T::MaxOutputLen::get();
		let model = T::BenchmarkHelper::model(l, disputable_quorum::<T>(n));
		let oldest = request::<T>(model)?;
		Pallet::<T>::expire(oldest);
		let id = request::<T>(model)?;
		close_agreeing::<T>(id, l, 7)?;
		NextRequestId::<T>::put(oldest.saturating_add(T::MaxRetainedRequests::get().into()));
		let disputer = funded::<T>("disputer", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(disputer), id);

		ensure!(!Requests::<T>::contains_key(oldest), "the oldest request was not pruned");
		ensure!(Disputes::<T>::contains_key(id), "no dispute opened");
		Ok(())
	}

	/// Settling an upheld dispute of a result whose committee is as large as a disputable
	/// one gets: every member who agreed on it slashed in the disputer's favour, the result
	/// replaced, the bond released; taken off the settlement queue.
	#[benchmark(pov_mode = Measured)]
	fn settle_dispute() -> Result<(), BenchmarkError> {
		let n = T::MaxOperators::get();
		operators::<T>(n)?;
		let l = T::MaxOutputLen::get();
		let model = T::BenchmarkHelper::model(l, disputable_quorum::<T>(n));
		let id = request::<T>(model)?;
		close_agreeing::<T>(id, l, 7)?;
		let disputer = funded::<T>("disputer", 0);
		let (round, _) = Pallet::<T>::do_dispute(disputer, id)
			.map_err(|_| BenchmarkError::Stop("the set-up dispute was refused"))?;
		close_agreeing::<T>(round, l, 8)?;

		#[block]
		{
			Pallet::<T>::settle_if_due(round);
		}

		let status = Disputes::<T>::get(id).map(|d| d.status);
		ensure!(status == Some(DisputeStatus::Upheld), "the dispute was not upheld");
		Ok(())
	}

	/// A verdict on a proposed version from a full operator set, whose list holds a verdict
	/// from every other operator: the set and the list read at their largest.
	#[benchmark(pov_mode = Measured)]
	fn submit_verdict() -> Result<(), BenchmarkError> {
		let (verdict, _) = verdict_awaiting::<T>()?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, verdict.0, verdict.1);

		Ok(())
	}

	/// The pool's check of the verdict [`submit_verdict`] records: the same reads, and the
	/// signature.
	#[benchmark(pov_mode = Measured)]
	fn authorize_submit_verdict() -> Result<(), BenchmarkError> {
		let ((verdict, signature), _) = verdict_awaiting::<T>()?;
		let call = Call::<T>::submit_verdict { verdict, signature };

		#[block]
		{
			use frame::traits::Authorize;
			let validity = call.authorize(TransactionSource::External);
			ensure!(matches!(validity, Some(Ok(_))), "the verdict was refused");
		}

		Ok(())
	}

	/// One step of the expiry cursor over an empty `Expiries` entry.
	#[benchmark]
	fn expiry_step() -> Result<(), BenchmarkError> {
		let now = frame_system::Pallet::<T>::block_number();
		ExpiryCursor::<T>::put(now);

		#[block]
		{
			let _ = Expiries::<T>::take(now);
			ExpiryCursor::<T>::put(now.saturating_add(One::one()));
		}

		Ok(())
	}

	/// A subscription by reference to a registered dataset (the most a request reads to
	/// check its input), listed for a block that lists `MaxSubscriptions - 1` others.
	#[benchmark]
	fn open_subscription() -> Result<(), BenchmarkError> {
		let model = T::BenchmarkHelper::model(T::MaxOutputLen::get(), 1);
		let owner = funded::<T>("subscriber", 0);
		let source = dataset_input::<T>(model, &owner)?;
		let first_due = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		crowd_schedule::<T>(first_due, T::MaxSubscriptions::get().saturating_sub(1), None);
		let terms = subscription_terms::<T>(model, ScheduledInput::Source(source), &owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), terms);

		ensure!(Subscriptions::<T>::count() == 1, "no subscription opened");
		Ok(())
	}

	/// Closing a subscription listed last in a block that lists `MaxSubscriptions`.
	#[benchmark]
	fn close_subscription() -> Result<(), BenchmarkError> {
		let model = T::BenchmarkHelper::model(T::MaxOutputLen::get(), 1);
		let owner = funded::<T>("subscriber", 0);
		let (id, due) = subscribe::<T>(model, None, &owner)?;
		crowd_schedule::<T>(due, T::MaxSubscriptions::get().saturating_sub(1), Some(id));

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);

		ensure!(Subscriptions::<T>::count() == 0, "the subscription is still open");
		Ok(())
	}

	/// Serving a due subscription with an inline input: the worst case of a request
	/// (`request_inference`'s), and the subscription listed again in a block that lists
	/// `MaxSubscriptions - 1` others.
	#[benchmark(pov_mode = Measured {
		ModelRegistry::Models: MaxEncodedLen,
		ModelRegistry::Versions: MaxEncodedLen,
		InferenceOracle::Expiries: MaxEncodedLen,
		InferenceOracle::SubscriptionSchedule: MaxEncodedLen,
	})]
	fn serve_subscription() -> Result<(), BenchmarkError> {
		let (model, owner, oldest) = request_worst_case::<T>()?;
		let (id, due) = subscribe::<T>(model, None, &owner)?;
		let next = make_due::<T>(due);

		#[block]
		{
			let _ = Pallet::<T>::serve(id, due);
		}

		served::<T>(id, next, oldest)
	}

	/// Serving a due subscription whose input is a registered dataset, otherwise as
	/// [`serve_subscription`].
	#[benchmark(pov_mode = Measured {
		ModelRegistry::Models: MaxEncodedLen,
		ModelRegistry::Versions: MaxEncodedLen,
		InferenceOracle::Expiries: MaxEncodedLen,
		InferenceOracle::SubscriptionSchedule: MaxEncodedLen,
	})]
	fn serve_subscription_by_reference() -> Result<(), BenchmarkError> {
		let (model, owner, oldest) = request_worst_case::<T>()?;
		let source = dataset_input::<T>(model, &owner)?;
		let (id, due) = subscribe::<T>(model, Some(source), &owner)?;
		let next = make_due::<T>(due);

		#[block]
		{
			let _ = Pallet::<T>::serve(id, due);
		}

		served::<T>(id, next, oldest)
	}

	/// One block of the subscription schedule read (empty) with the cursor and the count
	/// of open subscriptions.
	#[benchmark]
	fn schedule_step() -> Result<(), BenchmarkError> {
		let now = frame_system::Pallet::<T>::block_number();
		ScheduleCursor::<T>::put(now);

		#[block]
		{
			let _ = Subscriptions::<T>::count();
			let _ = SubscriptionSchedule::<T>::take(now);
			ScheduleCursor::<T>::put(now.saturating_add(One::one()));
		}

		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
