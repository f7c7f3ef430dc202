//! The exact tier: a request to a version with an exact program (see the model registry's
//! `exact` module) is answered inside the call that makes it. The runtime runs the
//! program (`aioracle-exact`, integer-only) on the request's input, so every validator
//! re-executes the result: no committee is drawn, no operator is paid or trusted, and
//! `ResultFinalized` is deposited in the request's own block.
//!
//! Such a result cannot be disputed ([`Error::NotDisputable`]): it is settled at once. The
//! requester pays the version's price (moved to the marketplace's pot in the call and
//! credited to the version's earnings, as for any finalized request), no operator fee and
//! no retention deposit. An input outside the program's declared range is refused
//! ([`Error::InputOutOfRange`]). Requests by reference, whose input blob operators decode
//! off-chain, are served by operators as before.
//!
//! ## Storage
//! An exact answer is one record ([`ExactAnswer`]: request, program hash, input, output,
//! price, block) in a ring of `MaxRetainedRequests` slots (`ExactAnswers`), request `id` in
//! slot `id % MaxRetainedRequests`. It is never in `Requests` or `Results`, so it holds no
//! deposit and needs no pruning: the next exact answer to take its slot overwrites it, and
//! [`Pallet::exact_answer`] shows it while it is retained (among the last
//! `MaxRetainedRequests` requests), as any other request. Its request still takes the next
//! request id and displaces the oldest retained request from the retention, which it
//! deletes if that one was served by operators.
//!
//! ## Weight
//! A request is charged up front for the most an exact answer can take
//! (`ModelInspect::max_exact_weight`: the largest program read and decoded, and a run of
//! `MaxExactOperations` of the dearest kind) and the prune of a pending request, and
//! refunded to what an exact request takes ([`Pallet::exact_request_weight`]), its
//! program's load and run, and the prune it did (`prune_request` if it deleted a request
//! served by operators, [`Pallet::prune_weight`] too if that one was still open).

use super::*;
use aioracle_primitives::model::ExactServing;

impl<T: Config> Pallet<T> {
	/// Answers request `input` of `requester` to `target`, whose version has the exact
	/// program `exact`, at `price`: pays the price, keeps the answer in its ring slot and
	/// tells `OnResult`. Returns its id, whether pruning had to close a request, and the
	/// weight of the answer and its prune.
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
		if !price.is_zero() {
			T::Currency::transfer(&requester, &T::Market::pot(), price, Preservation::Preserve)?;
		}

		NextRequestId::<T>::put(id.saturating_add(1));
		let pruned = Self::prune(id);
		Self::deposit_event(Event::InferenceRequested {
			request: id,
			requester: requester.clone(),
			model,
			version,
			fee: Zero::zero(),
			price,
			deposit: Zero::zero(),
			deadline: now,
			committee: BoundedVec::new(),
		});
		if !price.is_zero() {
			Self::note_price_paid(id, model, version, price);
		}
		ExactAnswers::<T>::insert(
			Self::exact_slot(id),
			ExactAnswer {
				id,
				requester: requester.clone(),
				model,
				version,
				model_hash,
				program_hash: exact.program_hash,
				aggregation: contract.aggregation,
				min_agreement: contract.min_agreement,
				input,
				output: output.clone(),
				price,
				answered_at: now,
			},
		);
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
		let prune = match pruned {
			Pruned::Nothing => Weight::zero(),
			Pruned::Closed | Pruned::Open => T::WeightInfo::prune_request(),
		};
		Ok((id, pruned.closed_one(), exact.weight.saturating_add(prune)))
	}

	/// The ring slot of request `id`'s exact answer.
	pub(crate) fn exact_slot(id: RequestId) -> u32 {
		// Below `MaxRetainedRequests`, a `u32`.
		id.checked_rem(T::MaxRetainedRequests::get().into()).unwrap_or_default() as u32
	}

	/// Request `id`'s exact answer, if the runtime answered it exactly and it is retained
	/// (among the last `MaxRetainedRequests` requests, as `Requests` keeps them).
	pub fn exact_answer(id: RequestId) -> Option<ExactAnswerOf<T>> {
		let (oldest, newest) =
			<Self as aioracle_primitives::oracle::RetainedRequests>::retained()?;
		if id < oldest || id > newest {
			return None;
		}
		ExactAnswers::<T>::get(Self::exact_slot(id)).filter(|answer| answer.id == id)
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

	/// Checks that every exact answer is in its slot, for a request made, and that a
	/// retained one is not also kept as a request served by operators.
	pub(crate) fn try_state_exact() -> Result<(), TryRuntimeError> {
		let next = NextRequestId::<T>::get();
		for (slot, answer) in ExactAnswers::<T>::iter() {
			ensure!(Self::exact_slot(answer.id) == slot, "an exact answer in another's slot");
			ensure!(answer.id < next, "an exact answer of a request not made");
			ensure!(
				!Requests::<T>::contains_key(answer.id) && !Results::<T>::contains_key(answer.id),
				"an exact answer kept as a request too"
			);
		}
		Ok(())
	}
}
