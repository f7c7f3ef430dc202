//! Disputes: a second, larger look at a finalized result.
//!
//! For `DisputeWindow` blocks after a result is finalized, anyone but the members who
//! agreed on it may dispute it ([`dispute`](Pallet::dispute)), holding `DisputeBond` and
//! paying a request fee. The dispute opens a **round**: a new request for the same
//! version and input, served by a fresh committee (no member of the original committee,
//! not the disputer) asking for one more agreeing operator than the original (`m + 1`,
//! so a committee of `2m + 1`: two more members). The round is an ordinary request:
//! members commit and reveal, are paid and slashed as for any other. When it closes, the
//! dispute is **settled** in `on_idle`:
//!
//! - the round accepted an output that disagrees with the result (by the version's
//!   tolerance): **upheld**. The result is replaced by the round's output
//!   (`ResultReplaced`); every member who agreed on the old one loses `DisputeSlash` of its
//!   bond, paid to the disputer, and counts an `Overturned` fault; the bond is returned.
//! - the round agreed with the result: **rejected**; the bond is burnt (a disputer who
//!   could make members' outputs look wrong at no cost would grief them).
//! - the round reached no accepted output, or the disputed request was pruned meanwhile:
//!   **inconclusive**; the result stands and the bond is returned.
//!
//! A result is *finalized* when its committee accepts it (`ResultFinalized`, fast) and
//! *settled* once its dispute window is over undisputed, or its dispute is resolved
//! (`DisputeResolved`): the two stages `explain` reports.
//!
//! Settling waits for `on_idle` so that the submission that closes a round is not charged
//! for slashing another request's committee; a round pruned before it was settled (expiry
//! and settlement fell behind under full blocks) is settled by the request that prunes it,
//! which is charged for that.

use aioracle_primitives::oracle::{DisputeStatus, DisputeView, ResultStage};
use frame::deps::frame_support::weights::WeightMeter;

use super::*;

impl<T: Config> Pallet<T> {
	/// The last block in which a result finalized at `finalized_at` may be disputed.
	pub fn settles_at(finalized_at: BlockNumberFor<T>) -> BlockNumberFor<T> {
		finalized_at.saturating_add(T::DisputeWindow::get())
	}

	/// The members whose outputs to `request` agree with its `output`: those who shared
	/// the fee, and whom an upheld dispute slashes.
	pub(crate) fn agreeing_members(
		request: &RequestOf<T>,
		submissions: &SubmissionsOf<T>,
		output: &[i64],
	) -> Vec<T::AccountId> {
		submissions
			.iter()
			.filter(|s| match &s.outcome {
				Outcome::Output(o) => request.contract.aggregation.agrees(o, output),
				Outcome::Failed(_) => false,
			})
			.map(|s| s.operator.clone())
			.collect()
	}

	/// Opens a dispute of request `id`'s result by `disputer`: holds the bond and opens
	/// the round. Returns the round's id, and whether opening it pruned a request still
	/// pending or a round still unsettled (the expensive path).
	pub(crate) fn do_dispute(
		disputer: T::AccountId,
		id: RequestId,
	) -> Result<(RequestId, bool), DispatchError> {
		ensure!(!DisputeRounds::<T>::contains_key(id), Error::<T>::NotDisputable);
		let Some(request) = Requests::<T>::get(id) else {
			// An exact answer is kept apart from the requests served by operators.
			return Err(if Self::exact_answer(id).is_some() {
				Error::<T>::NotDisputable
			} else {
				Error::<T>::RequestNotFound
			}
			.into());
		};
		let result = Results::<T>::get(id).ok_or(Error::<T>::NotFinalized)?;
		ensure!(!Disputes::<T>::contains_key(id), Error::<T>::AlreadyDisputed);
		ensure!(
			Self::now() <= Self::settles_at(result.finalized_at),
			Error::<T>::DisputeWindowOver
		);
		let submissions = Submissions::<T>::get(id);
		let agreeing = Self::agreeing_members(&request, &submissions, &result.output);
		ensure!(!agreeing.contains(&disputer), Error::<T>::SelfDispute);
		let open = OpenDisputes::<T>::get();
		ensure!(open < T::MaxOpenDisputes::get(), Error::<T>::TooManyDisputes);

		let mut excluded = Committees::<T>::get(id).into_inner();
		excluded.push(disputer.clone());
		let mut contract = request.contract.clone();
		contract.min_agreement = contract.min_agreement.max(1).saturating_add(1);
		let bond = T::DisputeBond::get();
		T::Currency::hold(&HoldReason::DisputeBond.into(), &disputer, bond)?;
		let (round, heavy) = Self::open_request(
			disputer.clone(),
			VersionRef {
				model: request.model,
				version: request.version,
				model_hash: request.model_hash,
			},
			contract,
			match RequestInputs::<T>::get(id) {
				Some(reference) => RequestInput::Reference(reference),
				None => RequestInput::Inline(request.input),
			},
			// The version's price was paid with the request; a round pays operators only.
			Zero::zero(),
			&excluded,
		)?;
		DisputeRounds::<T>::insert(round, id);
		Disputes::<T>::insert(
			id,
			Dispute { disputer: disputer.clone(), bond, round, status: DisputeStatus::Open },
		);
		OpenDisputes::<T>::put(open.saturating_add(1));
		log::info!(target: LOG_TARGET, "request {id} disputed by {disputer:?}: round {round}");
		Self::deposit_event(Event::DisputeOpened { request: id, disputer, bond, round });
		Ok((round, heavy))
	}

	/// Queues round `id`, which just closed, for settlement, if it is a dispute's round.
	pub(crate) fn note_closed(id: RequestId) {
		if !DisputeRounds::<T>::contains_key(id) {
			return;
		}
		// At most one round per open dispute, each queued once, when it closes.
		if DueSettlements::<T>::try_append(id).is_err() {
			log::error!(target: LOG_TARGET, "round {id} could not be queued for settlement");
		}
	}

	/// Settles the queued rounds within `remaining` weight, oldest first; returns the
	/// weight used.
	pub(crate) fn settle_due(remaining: Weight) -> Weight {
		let mut meter = WeightMeter::with_limit(remaining);
		// Reading the queue, and writing it back.
		if meter.try_consume(T::DbWeight::get().reads_writes(1, 1)).is_err() {
			return Weight::zero();
		}
		let due = DueSettlements::<T>::get();
		if due.is_empty() {
			return meter.consumed();
		}
		let mut settled = 0;
		for round in due.iter() {
			let settle = T::WeightInfo::settle_dispute().saturating_add(T::OnResult::max_weight());
			if meter.try_consume(settle).is_err() {
				break;
			}
			Self::settle(*round);
			settled += 1;
		}
		let left: Vec<RequestId> = due.into_iter().skip(settled).collect();
		DueSettlements::<T>::put(BoundedVec::truncate_from(left));
		meter.consumed()
	}

	/// Settles round `round` now if it is queued (it is about to be pruned); returns
	/// whether it was.
	pub(crate) fn settle_if_due(round: RequestId) -> bool {
		let mut due = DueSettlements::<T>::get();
		let Some(at) = due.iter().position(|r| *r == round) else { return false };
		due.remove(at);
		DueSettlements::<T>::put(due);
		Self::settle(round);
		true
	}

	/// Settles the dispute whose round `round` closed: upheld, rejected or inconclusive
	/// (see the module docs).
	fn settle(round: RequestId) {
		let Some(id) = DisputeRounds::<T>::get(round) else { return };
		let Some(mut dispute) = Disputes::<T>::get(id) else { return };
		if dispute.status != DisputeStatus::Open {
			return;
		}
		let original = Requests::<T>::get(id).zip(Results::<T>::get(id));
		let replacement = Results::<T>::get(round).map(|r| r.output);
		let status = match (original, replacement) {
			(Some((request, result)), Some(output)) => {
				if request.contract.aggregation.agrees(&output, &result.output) {
					DisputeStatus::Rejected
				} else {
					Self::overturn(id, &request, &result.output, output, &dispute.disputer);
					DisputeStatus::Upheld
				}
			}
			_ => DisputeStatus::Inconclusive,
		};
		let reason = HoldReason::DisputeBond.into();
		if status == DisputeStatus::Rejected {
			let _ = T::Currency::burn_held(
				&reason,
				&dispute.disputer,
				dispute.bond,
				Precision::BestEffort,
				Fortitude::Force,
			);
		} else {
			let _ = T::Currency::release(
				&reason,
				&dispute.disputer,
				dispute.bond,
				Precision::BestEffort,
			);
		}
		OpenDisputes::<T>::mutate(|open| *open = open.saturating_sub(1));
		dispute.status = status;
		if Requests::<T>::contains_key(id) {
			Disputes::<T>::insert(id, dispute);
		} else {
			Disputes::<T>::remove(id);
			OverturnedAgreement::<T>::remove(id);
		}
		log::info!(target: LOG_TARGET, "dispute of request {id} settled by round {round}: {status:?}");
		Self::deposit_event(Event::DisputeResolved { request: id, round, status });
	}

	/// Replaces request `id`'s result `old` by `new`, and slashes the members who agreed
	/// on `old` in favour of `disputer`.
	fn overturn(
		id: RequestId,
		request: &RequestOf<T>,
		old: &[i64],
		new: BoundedVec<i64, T::MaxOutputLen>,
		disputer: &T::AccountId,
	) {
		let agreeing = Self::agreeing_members(request, &Submissions::<T>::get(id), old);
		let mut set = OperatorSet::<T>::get();
		for member in &agreeing {
			Operators::<T>::mutate_exists(member, |record| {
				if let Some(record) = record {
					Self::penalize(member, record, id, Fault::Overturned, &mut set, Some(disputer));
				}
			});
		}
		OperatorSet::<T>::put(set);
		OverturnedAgreement::<T>::insert(id, BoundedVec::truncate_from(agreeing));
		Results::<T>::insert(id, FinalResult { output: new.clone(), finalized_at: Self::now() });
		T::OnResult::on_result(id, &request.requester, request.model, ClosedAs::Replaced(&new));
		Self::deposit_event(Event::ResultReplaced { request: id, output: new });
	}

	/// Where request `id`'s result finalized at `finalized_at` is.
	pub(crate) fn stage(
		id: RequestId,
		finalized_at: BlockNumberFor<T>,
	) -> (ResultStage, Option<DisputeView<T::AccountId>>) {
		// A round's result settles its dispute: it is not disputed itself. (Nor is an exact
		// answer, which every validator computed: see `exact_result_view`.)
		if DisputeRounds::<T>::contains_key(id) {
			return (ResultStage::Settled, None);
		}
		match Disputes::<T>::get(id) {
			Some(d) => {
				let stage = match d.status {
					DisputeStatus::Open => ResultStage::Disputed,
					_ => ResultStage::Settled,
				};
				(
					stage,
					Some(DisputeView { disputer: d.disputer, round: d.round, status: d.status }),
				)
			}
			None if Self::now() > Self::settles_at(finalized_at) => (ResultStage::Settled, None),
			None => (ResultStage::Finalized, None),
		}
	}
}
