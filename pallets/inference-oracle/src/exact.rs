//! The exact tier: a request to a version with an exact program (see the model registry's
//! `exact` module) is answered inside the call that makes it. The runtime runs the
//! program (`aioracle-exact`, integer-only) on the request's input, so every validator
//! re-executes the result: no committee is drawn, no operator is paid or trusted, and
//! `ResultFinalized` is deposited in the request's own block.
//!
//! Such a result cannot be disputed ([`Error::NotDisputable`]): it is settled at once. The
//! requester pays the version's price (credited to the version's earnings as for any
//! finalized request), no operator fee, and the retention deposit for the request and its
//! result. An input outside the program's declared range is refused
//! ([`Error::InputOutOfRange`]). Requests by reference, whose input blob operators decode
//! off-chain, are served by operators as before.
//!
//! Weight: a request is charged up front for the most an exact answer can take
//! (`ModelInspect::max_exact_weight`: the largest program read and decoded, and a run of
//! `MaxExactOperations` of the dearest kind) and refunded to what an exact request takes
//! ([`Pallet::exact_request_weight`]) and its program's load and run.

use super::*;
use aioracle_primitives::model::ExactServing;

impl<T: Config> Pallet<T> {
	/// Answers request `input` of `requester` to `target`, whose version has the exact
	/// program `exact`, at `price`: opens it finalized with the program's output. Returns
	/// its id, whether pruning had to close a request, and the exact answer's weight.
	pub(crate) fn answer_exactly(
		requester: T::AccountId,
		target: VersionRef,
		contract: ServingContract,
		input: BoundedVec<i64, T::MaxInputLen>,
		price: BalanceOf<T>,
		exact: ExactServing,
	) -> Result<(RequestId, bool, Weight), DispatchError> {
		let output = Self::run_exact(&exact, &contract, &input)?;
		let VersionRef { model, version, model_hash } = target;
		let id = NextRequestId::<T>::get();
		let now = Self::now();
		let mut request = Request {
			requester: requester.clone(),
			model,
			version,
			model_hash,
			contract,
			input,
			fee: Zero::zero(),
			price,
			deposit: Zero::zero(),
			created_at: now,
			deadline: now,
			status: RequestStatus::Finalized,
		};
		request.deposit = Self::retention_deposit(&request, output.len() as u32, 0);
		T::Currency::hold(&HoldReason::RequestFee.into(), &requester, price)?;
		T::Currency::hold(&HoldReason::RequestRetention.into(), &requester, request.deposit)?;

		NextRequestId::<T>::put(id.saturating_add(1));
		let expired_oldest = Self::prune(id);
		Self::deposit_event(Event::InferenceRequested {
			request: id,
			requester: requester.clone(),
			model,
			version,
			fee: Zero::zero(),
			price,
			deposit: request.deposit,
			deadline: now,
			committee: BoundedVec::new(),
		});
		Self::credit_price(id, &request);
		Requests::<T>::insert(id, &request);
		Results::<T>::insert(id, FinalResult { output: output.clone(), finalized_at: now });
		ExactResults::<T>::insert(id, exact.program_hash);
		log::info!(
			target: LOG_TARGET,
			"request {id}: model {model} version {version} answered exactly by program {:?}",
			exact.program_hash
		);
		T::OnResult::on_result(id, &requester, model, ClosedAs::Finalized(&output));
		Self::deposit_event(Event::ResultFinalized {
			request: id,
			output,
			agreeing: BoundedVec::new(),
			outliers: BoundedVec::new(),
		});
		Ok((id, expired_oldest, exact.weight))
	}

	/// The report `exact`'s program gives for `input` under `contract` (its whole output
	/// reduced by the aggregation rule, as an operator reports it).
	fn run_exact(
		exact: &ExactServing,
		contract: &ServingContract,
		input: &[i64],
	) -> Result<BoundedVec<i64, T::MaxOutputLen>, DispatchError> {
		let program = aioracle_exact::Program::decode_bounded(&exact.program).map_err(|e| {
			// Cannot happen: the registry validated the program when it was set.
			log::error!(target: LOG_TARGET, "exact program {:?}: {e:?}", exact.program_hash);
			Error::<T>::ExactRunFailed
		})?;
		let output = aioracle_exact::run(&program, input).map_err(|e| match e {
			aioracle_exact::ExecError::InputOutOfRange { .. } => Error::<T>::InputOutOfRange,
			e => {
				log::warn!(
					target: LOG_TARGET,
					"exact program {:?} failed: {e:?}",
					exact.program_hash
				);
				Error::<T>::ExactRunFailed
			}
		})?;
		let report = contract
			.aggregation
			.report(&contract.output, output)
			.ok_or(Error::<T>::ExactRunFailed)?;
		BoundedVec::try_from(report).map_err(|_| Error::<T>::TensorTooLarge.into())
	}

	/// What a request is charged up front besides [`Self::request_weight`]: the most an
	/// exact answer can take.
	pub fn exact_weight() -> Weight {
		T::Models::max_exact_weight()
	}

	/// What an exact request takes besides pruning and its program's load and run (the
	/// registry's per-operation weights): the request, its result and the `OnResult` call.
	/// Measured with the cheapest program, which it therefore counts twice.
	pub fn exact_request_weight() -> Weight {
		T::WeightInfo::request_exact_inference().saturating_add(T::OnResult::max_weight())
	}

	/// Checks that every exact result belongs to a retained, finalized request with a
	/// result and no committee, submissions or dispute.
	pub(crate) fn try_state_exact() -> Result<(), TryRuntimeError> {
		for id in ExactResults::<T>::iter_keys() {
			let request = Requests::<T>::get(id).ok_or("an exact result of no request")?;
			ensure!(request.status == RequestStatus::Finalized, "an exact request not finalized");
			ensure!(Results::<T>::contains_key(id), "an exact request without a result");
			ensure!(request.fee.is_zero(), "an exact request paid a fee");
			ensure!(
				Committees::<T>::get(id).is_empty() && Submissions::<T>::get(id).is_empty(),
				"an exact request has a committee or submissions"
			);
			ensure!(!Disputes::<T>::contains_key(id), "an exact result is disputed");
		}
		Ok(())
	}
}
