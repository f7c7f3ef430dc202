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

/// A request to the benchmark model, whose version has the largest input and output.
fn request<T: Config>(model: ModelId) -> Result<RequestId, BenchmarkError> {
	let requester = funded::<T>("requester", 0);
	let version = T::Models::active_version(model).ok_or(BenchmarkError::Stop("no model"))?;
	let len = version.input.element_count().unwrap_or(1);
	Pallet::<T>::do_request(requester, model, vec![i64::MAX; len as usize], T::RequestFee::get())
		.map_err(|_| BenchmarkError::Stop("the set-up request was refused"))
}

fn output_len<T: Config>(request: RequestId) -> usize {
	Requests::<T>::get(request).and_then(|r| r.output.element_count()).unwrap_or(1) as usize
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
	let submission = ResultSubmission {
		request,
		key: key.clone(),
		outcome: Outcome::Output(vec![value; output_len::<T>(request)]),
	};
	let signature =
		key.sign(&submission.encode()).ok_or(BenchmarkError::Stop("the key cannot sign"))?;
	Ok((submission, signature))
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

	/// With a full retention: the request made prunes the oldest one, with a full set of
	/// submissions and a result.
	#[benchmark]
	fn request_inference() -> Result<(), BenchmarkError> {
		let model = T::BenchmarkHelper::model();
		let requester = funded::<T>("requester", 1);
		let oldest = NextRequestId::<T>::get();
		NextRequestId::<T>::put(oldest.saturating_add(T::MaxRetainedRequests::get().into()));
		let version = T::Models::active_version(model).ok_or(BenchmarkError::Stop("no model"))?;
		let input = vec![i64::MAX; version.input.element_count().unwrap_or(1) as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(requester), model, input, T::RequestFee::get());

		ensure!(PendingRequests::<T>::count() == 1, "no request made");
		Ok(())
	}

	/// The worst case: `MaxOperators - 1` operators have submitted, and the last one's
	/// submission reaches `min_agreement` (all of them): every output is compared, the fee
	/// split `MaxOperators` ways, and every operator counted.
	#[benchmark]
	fn submit_result() -> Result<(), BenchmarkError> {
		let model = T::BenchmarkHelper::model();
		let operators = operators::<T>(T::MaxOperators::get())?;
		let id = request::<T>(model)?;
		let (last, earlier) = operators.split_last().ok_or(BenchmarkError::Stop("no operators"))?;
		for (_, key) in earlier {
			let (submission, _) = signed_submission::<T>(id, key, 7)?;
			Pallet::<T>::do_submit(submission)
				.map_err(|_| BenchmarkError::Stop("the set-up submission was refused"))?;
		}
		let (submission, signature) = signed_submission::<T>(id, &last.1, 7)?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, submission, signature);

		ensure!(Results::<T>::contains_key(id), "not finalized");
		Ok(())
	}

	/// The pool's check of a submission: state reads and one signature verification.
	#[benchmark]
	fn authorize_submit_result() -> Result<(), BenchmarkError> {
		let model = T::BenchmarkHelper::model();
		let operators = operators::<T>(1)?;
		let id = request::<T>(model)?;
		let (submission, signature) = signed_submission::<T>(id, &operators[0].1, 0)?;
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

	/// `r` requests expire, each refunded with `MaxOperators` operators counted.
	#[benchmark]
	fn on_initialize(
		r: Linear<0, { T::MaxRequestsPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let model = T::BenchmarkHelper::model();
		operators::<T>(T::MaxOperators::get())?;
		for _ in 0..r {
			request::<T>(model)?;
		}
		let expiry = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::ResponseWindow::get())
			.saturating_add(One::one());

		#[block]
		{
			Pallet::<T>::on_initialize(expiry);
		}

		ensure!(PendingRequests::<T>::count() == 0, "requests left pending");
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
