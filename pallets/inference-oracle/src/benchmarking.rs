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

/// Registers `count` operators with fresh keys, replacing any the genesis registered;
/// returns their accounts and keys.
fn operators<T: Config>(count: u32) -> Result<Vec<(T::AccountId, T::AuthorityId)>, BenchmarkError> {
	// Start from an empty set: a chain's genesis operators have no keys in this keystore.
	let _ = Operators::<T>::clear(u32::MAX, None);
	let _ = OperatorByKey::<T>::clear(u32::MAX, None);
	(0..count)
		.map(|i| {
			let who = funded::<T>("operator", i);
			let key = T::AuthorityId::generate_pair(None);
			Pallet::<T>::do_register(who.clone(), key.clone())
				.map_err(|_| BenchmarkError::Stop("the set-up operator was refused"))?;
			Ok((who, key))
		})
		.collect()
}

/// A request to `model` (whose version has the largest input).
fn request<T: Config>(model: ModelId) -> Result<RequestId, BenchmarkError> {
	let requester = funded::<T>("requester", 0);
	let (_, _, contract) =
		T::Models::active_contract(model).ok_or(BenchmarkError::Stop("no model"))?;
	let len = contract.input_len().unwrap_or(1);
	Pallet::<T>::do_request(requester, model, vec![i64::MAX; len as usize], T::RequestFee::get())
		.map(|(id, _)| id)
		.map_err(|_| BenchmarkError::Stop("the set-up request was refused"))
}

fn output_len<T: Config>(request: RequestId) -> usize {
	Requests::<T>::get(request).and_then(|r| r.contract.output_len()).unwrap_or(1) as usize
}

/// An output answer to `request`.
fn output<T: Config>(request: RequestId, value: i64) -> Outcome<Vec<i64>> {
	Outcome::Output(vec![value; output_len::<T>(request)])
}

/// A submission of `key` for `request` and its signature.
fn signed_submission<T: Config>(
	request: RequestId,
	key: &T::AuthorityId,
	value: i64,
) -> Result<
	(ResultSubmission<T::AuthorityId>, <T::AuthorityId as RuntimeAppPublic>::Signature),
	BenchmarkError,
> {
	let submission =
		ResultSubmission { request, key: key.clone(), outcome: output::<T>(request, value) };
	let signature =
		key.sign(&submission.encode()).ok_or(BenchmarkError::Stop("the key cannot sign"))?;
	Ok((submission, signature))
}

/// `n` requests to a model with `l` output elements whose `min_agreement` is `s`, each
/// answered with the same output by `s - 1` registered operators: the `s`-th answer to
/// each finalizes it, comparing `s` outputs and paying and counting `s` operators. The
/// earlier answers are written directly, which makes the set-up fast. Returns the key of
/// the operator who has not answered, and the requests.
fn requests_awaiting<T: Config>(
	n: u32,
	l: u32,
	s: u32,
) -> Result<(T::AuthorityId, Vec<RequestId>), BenchmarkError> {
	let model = T::BenchmarkHelper::model(l, s);
	let operators = operators::<T>(s.max(1))?;
	let (last, earlier) = operators.split_last().ok_or(BenchmarkError::Stop("no operators"))?;
	let at = frame_system::Pallet::<T>::block_number();
	let answers: Vec<SubmissionOf<T>> = earlier
		.iter()
		.map(|(operator, _)| Submission {
			operator: operator.clone(),
			outcome: Outcome::Output(BoundedVec::truncate_from(vec![7; l as usize])),
			at,
		})
		.collect();
	let answers = SubmissionsOf::<T>::try_from(answers)
		.map_err(|_| BenchmarkError::Stop("more answers than MaxOperators"))?;
	let mut requests = Vec::new();
	for _ in 0..n {
		let id = request::<T>(model)?;
		Submissions::<T>::insert(id, answers.clone());
		requests.push(id);
	}
	Ok((last.1.clone(), requests))
}

/// `key`'s batch answering `requests` with `value`, and its signature.
fn signed_batch<T: Config>(
	key: &T::AuthorityId,
	requests: &[RequestId],
	value: i64,
) -> Result<(ResultBatchOf<T>, <T::AuthorityId as RuntimeAppPublic>::Signature), BenchmarkError>
{
	let items = requests
		.iter()
		.map(|id| BatchItem { request: *id, outcome: output::<T>(*id, value) })
		.collect();
	let batch = ResultBatch { key: key.clone(), items };
	let signature =
		key.sign(&batch.signing_payload()).ok_or(BenchmarkError::Stop("the key cannot sign"))?;
	Ok((batch, signature))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_operator() -> Result<(), BenchmarkError> {
		operators::<T>(T::MaxOperators::get().saturating_sub(1))?;
		let who = funded::<T>("new", 0);
		let key = T::AuthorityId::generate_pair(None);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), key);

		ensure!(Operators::<T>::contains_key(&who), "not registered");
		Ok(())
	}

	#[benchmark]
	fn unregister_operator() -> Result<(), BenchmarkError> {
		let (who, _) = operators::<T>(1)?.remove(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		ensure!(!Operators::<T>::contains_key(&who), "still registered");
		Ok(())
	}

	#[benchmark]
	fn remove_operator() -> Result<(), BenchmarkError> {
		let (who, _) = operators::<T>(1)?.remove(0);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		ensure!(!Operators::<T>::contains_key(&who), "still registered");
		Ok(())
	}

	#[benchmark]
	fn slash_operator() -> Result<(), BenchmarkError> {
		let (who, _) = operators::<T>(1)?.remove(0);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		ensure!(!Operators::<T>::contains_key(&who), "still registered");
		Ok(())
	}

	/// With a full retention: the request made prunes the oldest one, releasing its
	/// deposit. The oldest is closed, as `on_idle` leaves it: when it is still pending, the
	/// call also pays `expire`'s weight. Proof sizes are measured (the pruned request and the requester's account
	/// are as large as they get), except for what the set-up cannot make as large as it
	/// may be: the model's records (URI, training datasets) and the block's expiry list.
	#[benchmark(pov_mode = Measured {
		ModelRegistry::Models: MaxEncodedLen,
		ModelRegistry::Versions: MaxEncodedLen,
		InferenceOracle::Expiries: MaxEncodedLen,
	})]
	fn request_inference() -> Result<(), BenchmarkError> {
		let model = T::BenchmarkHelper::model(T::MaxOutputLen::get(), T::MaxOperators::get());
		let requester = funded::<T>("requester", 1);
		let oldest = request::<T>(model)?;
		Pallet::<T>::expire(oldest);
		NextRequestId::<T>::put(oldest.saturating_add(T::MaxRetainedRequests::get().into()));
		let (_, _, contract) =
			T::Models::active_contract(model).ok_or(BenchmarkError::Stop("no model"))?;
		let input = vec![i64::MAX; contract.input_len().unwrap_or(1) as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(requester), model, input, T::RequestFee::get());

		ensure!(!Requests::<T>::contains_key(oldest), "the oldest request was not pruned");
		ensure!(PendingRequests::<T>::count() == 1, "no request made");
		Ok(())
	}

	/// One answer with `l` output elements that finalizes a request with `s` submissions:
	/// `s` outputs compared, the fee split `s` ways, `s` operators counted.
	#[benchmark(pov_mode = Measured)]
	fn submit_result(
		l: Linear<1, { T::MaxOutputLen::get() }>,
		s: Linear<1, { T::MaxOperators::get() }>,
	) -> Result<(), BenchmarkError> {
		let (key, requests) = requests_awaiting::<T>(1, l, s)?;
		let id = requests[0];
		let (submission, signature) = signed_submission::<T>(id, &key, 7)?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, submission, signature);

		ensure!(Results::<T>::contains_key(id), "not finalized");
		Ok(())
	}

	/// The pool's check of a single submission: state reads and one signature
	/// verification.
	#[benchmark(pov_mode = Measured)]
	fn authorize_submit_result(
		l: Linear<1, { T::MaxOutputLen::get() }>,
	) -> Result<(), BenchmarkError> {
		let (key, requests) = requests_awaiting::<T>(1, l, T::MaxOperators::get())?;
		let (submission, signature) = signed_submission::<T>(requests[0], &key, 0)?;
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

	/// A batch of `n` answers of one output element, each finalizing a request that one
	/// answer finalizes. Longer outputs and more submissions add, per item, what they add
	/// to `submit_result` (see `submission::batch_weight`).
	#[benchmark(pov_mode = Measured)]
	fn submit_results(n: Linear<1, { T::MaxBatchLen::get() }>) -> Result<(), BenchmarkError> {
		let (key, requests) = requests_awaiting::<T>(n, 1, 1)?;
		let (batch, signature) = signed_batch::<T>(&key, &requests, 7)?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, batch, signature);

		ensure!(requests.iter().all(|id| Results::<T>::contains_key(id)), "not finalized");
		Ok(())
	}

	/// A batch of `n` answers to requests that closed before it was applied: each is read
	/// and skipped.
	#[benchmark(pov_mode = Measured)]
	fn submit_results_skipped(n: Linear<1, { T::MaxBatchLen::get() }>) -> Result<(), BenchmarkError> {
		let (key, requests) = requests_awaiting::<T>(n, 1, 1)?;
		let (batch, signature) = signed_batch::<T>(&key, &requests, 7)?;
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

	/// The pool's check of a batch of `n` answers of one output element: every item's
	/// request and submissions (`MaxOperators - 1` of them) read, one signature
	/// verification.
	#[benchmark(pov_mode = Measured)]
	fn authorize_submit_results(
		n: Linear<1, { T::MaxBatchLen::get() }>,
	) -> Result<(), BenchmarkError> {
		let (key, requests) = requests_awaiting::<T>(n, 1, T::MaxOperators::get())?;
		let (batch, signature) = signed_batch::<T>(&key, &requests, 0)?;
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

	/// The expiry of a request with `l` output elements that every operator but one
	/// answered without agreement: the fee refunded, every submitter counted.
	#[benchmark(pov_mode = Measured)]
	fn expire(l: Linear<1, { T::MaxOutputLen::get() }>) -> Result<(), BenchmarkError> {
		let (_, requests) = requests_awaiting::<T>(1, l, T::MaxOperators::get())?;
		let id = requests[0];

		#[block]
		{
			Pallet::<T>::expire(id);
		}

		ensure!(!PendingRequests::<T>::contains_key(id), "still pending");
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

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
