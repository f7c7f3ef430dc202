//! Benchmarks of the calls, the oracle's hook and one delivery, each in its worst case: the
//! longest call prefix and the longest result call that fits `MaxResultBytes`.

use super::*;
use alloc::vec;
use frame::{benchmarking::prelude::*, traits::fungible::Mutate};

/// The para of `SiblingOrigin`'s successful origin, or 2000 if it has none.
fn sibling_para<T: Config>() -> u32 {
	T::SiblingOrigin::try_successful_origin()
		.ok()
		.and_then(|origin| T::SiblingOrigin::try_origin(origin).ok())
		.unwrap_or(2000)
}

/// Funds `para`'s sovereign account for many deposits.
fn fund<T: Config>(para: u32) {
	let who = T::SovereignAccount::convert(para);
	let amount = T::CallbackDeposit::get()
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
}

/// The longest callback.
fn longest_callback<T: Config>() -> CallbackOf<T> {
	Callback {
		call_prefix: BoundedVec::truncate_from(vec![0xAB; T::MaxCallbackBytes::get() as usize]),
		weight_limit: Weight::MAX,
	}
}

/// The longest output whose result call fits with the longest prefix: the prefix, the
/// request id (8 bytes), the variant (1), the compact length (at most 5), 8 per element.
fn largest_output<T: Config>() -> Vec<i64> {
	let room = T::MaxResultBytes::get()
		.saturating_sub(T::MaxCallbackBytes::get())
		.saturating_sub(8 + 1 + 5);
	vec![i64::MAX; (room / 8) as usize]
}

/// A callback of `para` for `request`, its deposit held.
fn pending<T: Config>(para: u32, request: RequestId) -> Result<(), BenchmarkError> {
	fund::<T>(para);
	let (depositor, deposit) = Pallet::<T>::hold_deposit(para)
		.map_err(|_| BenchmarkError::Stop("the sovereign account cannot hold the deposit"))?;
	let callback = longest_callback::<T>();
	Callbacks::<T>::insert(request, PendingCallback { para, callback, depositor, deposit });
	Ok(())
}

/// The largest result of `para` for `request` in the outbox, failed with `failed`.
fn queued<T: Config>(
	para: u32,
	request: RequestId,
	failed: Option<DeliveryError>,
) -> Result<(), BenchmarkError> {
	pending::<T>(para, request)?;
	let requester = T::SovereignAccount::convert(para);
	let output = largest_output::<T>();
	<Pallet<T> as OnInferenceResult<T::AccountId>>::on_result(
		request,
		&requester,
		0,
		ClosedAs::Finalized(&output),
	);
	Outbox::<T>::try_mutate(request, |queued| match queued {
		Some(queued) if queued.failed.is_none() => {
			queued.failed = failed;
			Ok(())
		}
		_ => Err(BenchmarkError::Stop("the largest result was not queued")),
	})
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// This pallet's part of `request_with_callback`: the deposit held, the oracle asked
	/// whether it answered already, the callback stored. The oracle's request is charged
	/// as the oracle declares it.
	#[benchmark]
	fn request_with_callback() -> Result<(), BenchmarkError> {
		let para = sibling_para::<T>();
		fund::<T>(para);
		let callback = longest_callback::<T>();
		let request = RequestId::MAX;

		#[block]
		{
			let (depositor, deposit) = Pallet::<T>::hold_deposit(para)
				.map_err(|_| BenchmarkError::Stop("the sovereign account cannot hold it"))?;
			Pallet::<T>::register(request, PendingCallback { para, callback, depositor, deposit });
		}

		ensure!(Callbacks::<T>::contains_key(request), "the callback was not registered");
		Ok(())
	}

	/// The oracle's hook queuing the largest result call.
	#[benchmark]
	fn on_result() -> Result<(), BenchmarkError> {
		let para = sibling_para::<T>();
		pending::<T>(para, 0)?;
		let requester = T::SovereignAccount::convert(para);
		let output = largest_output::<T>();

		#[block]
		{
			<Pallet<T> as OnInferenceResult<T::AccountId>>::on_result(
				0,
				&requester,
				0,
				ClosedAs::Finalized(&output),
			);
		}

		let queued = Outbox::<T>::get(0).ok_or(BenchmarkError::Stop("not queued"))?;
		ensure!(queued.failed.is_none(), "the largest output did not fit");
		Ok(())
	}

	/// One delivery by `on_idle`: the largest result sent, its deposit released.
	#[benchmark]
	fn deliver() -> Result<(), BenchmarkError> {
		let para = sibling_para::<T>();
		queued::<T>(para, 0, None)?;
		T::XcmSender::ensure_successful_delivery(Some(Pallet::<T>::sibling_location(para)));

		#[block]
		{
			Pallet::<T>::deliver_one(0);
		}

		ensure!(!Outbox::<T>::contains_key(0), "the result was not delivered");
		Ok(())
	}

	#[benchmark]
	fn retry_delivery() -> Result<(), BenchmarkError> {
		let para = sibling_para::<T>();
		queued::<T>(para, 0, Some(DeliveryError::Transport))?;
		T::XcmSender::ensure_successful_delivery(Some(Pallet::<T>::sibling_location(para)));
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0);

		ensure!(!Outbox::<T>::contains_key(0), "the result was not delivered");
		Ok(())
	}

	#[benchmark]
	fn discard_result() -> Result<(), BenchmarkError> {
		let origin =
			T::SiblingOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let para =
			T::SiblingOrigin::try_origin(origin.clone()).map_err(|_| BenchmarkError::Weightless)?;
		queued::<T>(para, 0, Some(DeliveryError::Transport))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		ensure!(!Outbox::<T>::contains_key(0), "the result was not discarded");
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
