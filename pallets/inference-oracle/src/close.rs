//! Closing a request: once its committee has answered, or at its deadline with whatever
//! answers there are.
//!
//! The committee's outputs are combined by the version's rule ([`aggregate`]); the result
//! is accepted when at least `min_agreement` outputs, and a strict majority of them, agree
//! with it. Then the agreeing members share the fee, the outliers are slashed
//! (`OutlierSlash`), and members who did not answer are slashed as no-shows
//! (`NoShowSlash`). Without an accepted result the fee is refunded, and no-shows are
//! slashed all the same. Failures are counted, neither paid nor slashed: a version some
//! node cannot serve is governance's to fix, not the operator's fault.
//!
//! A request sampled for its model's canary is judged last (see [`canary`]).
//!
//! A request closes early only when nothing can change its outcome: every member answered
//! (committees of one), or every committed member revealed once reveals opened.

use super::*;

impl<T: Config> Pallet<T> {
	/// Whether a pending request with `committee` can close before its deadline: every
	/// member answered (a committee of one), or reveals are open and every commitment is
	/// revealed.
	pub(crate) fn answered_by_all(
		request: &RequestOf<T>,
		committee: &CommitteeOf<T>,
		commits: &CommitsOf<T>,
		submissions: &SubmissionsOf<T>,
	) -> bool {
		let answered = |who: &T::AccountId| submissions.iter().any(|s| &s.operator == who);
		if committee.len() <= 1 {
			return committee.iter().all(answered);
		}
		Self::reveals_open(request, committee.len(), commits.len())
			&& commits.iter().all(|(who, _)| answered(who))
	}

	/// Whether reveals are open for `request` with a committee of `members` and `commits`
	/// commitments: every member committed, or the commit window is over and enough have
	/// committed to make a result (`min_agreement`). Until then late members may still
	/// commit: nothing has been revealed that they could copy.
	pub(crate) fn reveals_open(request: &RequestOf<T>, members: usize, commits: usize) -> bool {
		let window_over = Self::now() >= request.created_at.saturating_add(T::CommitWindow::get());
		commits >= members || (window_over && commits >= request.contract.min_agreement as usize)
	}

	/// Closes pending `request` `id`, served by `committee`, with `submissions`: finalizes
	/// it if the committee's outputs agree, expires it otherwise; slashes outliers and
	/// no-shows, counts every member's part.
	pub(crate) fn close(
		id: RequestId,
		mut request: RequestOf<T>,
		committee: &CommitteeOf<T>,
		submissions: &SubmissionsOf<T>,
	) {
		let outputs: Vec<&[i64]> =
			submissions.iter().filter_map(|s| s.outcome.output()).map(|o| o.as_slice()).collect();
		let contract = &request.contract;
		let accepted = aggregate::aggregate(contract.aggregation, contract.min_agreement, &outputs);
		let mut agreeing = Vec::new();
		let mut outliers = Vec::new();
		if let Some(accepted) = &accepted {
			let output_submitters =
				submissions.iter().filter(|s| matches!(s.outcome, Outcome::Output(_)));
			for (submission, agrees) in output_submitters.zip(accepted.agrees.iter()) {
				if *agrees {
					agreeing.push(submission.operator.clone());
				} else {
					outliers.push(submission.operator.clone());
				}
			}
			Self::pay(&request, &agreeing);
			Self::credit_price(id, &request);
		} else {
			Self::refund(&request);
		}
		Self::count(id, committee, submissions, &agreeing, &outliers);
		let result = accepted.as_ref().map(|accepted| accepted.output.clone());
		PendingRequests::<T>::remove(id);
		Self::note_closed(id);
		match accepted {
			Some(accepted) => {
				let output: BoundedVec<i64, T::MaxOutputLen> =
					BoundedVec::truncate_from(accepted.output);
				Results::<T>::insert(
					id,
					FinalResult { output: output.clone(), finalized_at: Self::now() },
				);
				request.status = RequestStatus::Finalized;
				Requests::<T>::insert(id, &request);
				log::info!(
					target: LOG_TARGET,
					"request {id} finalized: {} agreeing, {} outliers",
					agreeing.len(),
					outliers.len()
				);
				Self::tell_consumer(id, &request, ClosedAs::Finalized(&output));
				Self::deposit_event(Event::ResultFinalized {
					request: id,
					output,
					agreeing: BoundedVec::truncate_from(agreeing.clone()),
					outliers: BoundedVec::truncate_from(outliers),
				});
			}
			None => {
				request.status = RequestStatus::Expired;
				Requests::<T>::insert(id, &request);
				log::debug!(target: LOG_TARGET, "request {id} closed without agreement");
				Self::tell_consumer(id, &request, ClosedAs::Expired);
				Self::deposit_event(Event::RequestExpired { request: id });
			}
		}
		Self::judge_canary(id, &request, result.as_deref(), &agreeing);
	}

	/// Tells `OnResult` how request `id` closed, unless it is a dispute's round (the
	/// oracle's own request; the dispute's settlement reports a replaced result).
	fn tell_consumer(id: RequestId, request: &RequestOf<T>, outcome: ClosedAs<'_>) {
		if !DisputeRounds::<T>::contains_key(id) {
			T::OnResult::on_result(id, &request.requester, request.model, outcome);
		}
	}

	/// Splits the fee equally among `agreeing`; the remainder of the division goes back to
	/// the requester.
	fn pay(request: &RequestOf<T>, agreeing: &[T::AccountId]) {
		let reason = HoldReason::RequestFee.into();
		let count: BalanceOf<T> = (agreeing.len() as u32).into();
		let share = Self::fee_share(request.fee, agreeing.len() as u32);
		for operator in agreeing {
			let paid = T::Currency::transfer_on_hold(
				&reason,
				&request.requester,
				operator,
				share,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Polite,
			);
			if let Err(e) = paid {
				log::warn!(target: LOG_TARGET, "fee share to {operator:?} not paid: {e:?}");
			}
		}
		let rest = request.fee.saturating_sub(share.saturating_mul(count));
		let _ = T::Currency::release(&reason, &request.requester, rest, Precision::BestEffort);
	}

	/// Each of `agreeing` operators' share of `fee`: equal, rounded down (the remainder
	/// goes back to the requester).
	pub(crate) fn fee_share(fee: BalanceOf<T>, agreeing: u32) -> BalanceOf<T> {
		if agreeing == 0 {
			Zero::zero()
		} else {
			fee / BalanceOf::<T>::from(agreeing)
		}
	}

	/// Moves finalized request `id`'s price from the requester to the marketplace's pot
	/// and credits it to the version's earnings.
	pub(crate) fn credit_price(id: RequestId, request: &RequestOf<T>) {
		if request.price.is_zero() {
			return;
		}
		let moved = T::Currency::transfer_on_hold(
			&HoldReason::RequestFee.into(),
			&request.requester,
			&T::Market::pot(),
			request.price,
			Precision::Exact,
			Restriction::Free,
			Fortitude::Polite,
		);
		match moved {
			Ok(price) => Self::note_price_paid(id, request.model, request.version, price),
			Err(e) => {
				// Cannot happen: the price was held with the request and only closing it
				// releases it. Returned rather than lost if it does.
				defensive!("a finalized request's price could not be moved to the pot", e);
				let _ = T::Currency::release(
					&HoldReason::RequestFee.into(),
					&request.requester,
					request.price,
					Precision::BestEffort,
				);
			}
		}
	}

	/// Credits `price`, which request `id` moved to the marketplace's pot, to `version` of
	/// `model`.
	pub(crate) fn note_price_paid(
		id: RequestId,
		model: ModelId,
		version: VersionId,
		price: BalanceOf<T>,
	) {
		T::Market::credit(model, version, price);
		Self::deposit_event(Event::PriceCredited { request: id, model, version, price });
	}

	/// Returns a request's fee and price to the requester.
	fn refund(request: &RequestOf<T>) {
		let _ = T::Currency::release(
			&HoldReason::RequestFee.into(),
			&request.requester,
			request.fee.saturating_add(request.price),
			Precision::BestEffort,
		);
	}

	/// Counts each committee member's part in request `id`, which just closed: an
	/// agreement (its strikes are cleared), an outlier or a no-show (slashed, see
	/// [`Self::penalize`]), or a failure. Members who were deleted since (governance
	/// slashed them) are skipped.
	fn count(
		id: RequestId,
		committee: &CommitteeOf<T>,
		submissions: &SubmissionsOf<T>,
		agreeing: &[T::AccountId],
		outliers: &[T::AccountId],
	) {
		let mut set = OperatorSet::<T>::get();
		let mut set_changed = false;
		for member in committee {
			let submission = submissions.iter().find(|s| &s.operator == member);
			Operators::<T>::mutate_exists(member, |record| {
				let Some(record) = record else { return };
				match submission.map(|s| &s.outcome) {
					None => {
						Self::penalize(member, record, id, Fault::NoShow, &mut set, None);
						set_changed = true;
					}
					Some(Outcome::Failed(_)) => record.failures.saturating_inc(),
					Some(Outcome::Output(_)) if agreeing.contains(member) => {
						record.agreements.saturating_inc();
						record.strikes = 0;
					}
					Some(Outcome::Output(_)) if outliers.contains(member) => {
						Self::penalize(member, record, id, Fault::Outlier, &mut set, None);
						set_changed = true;
					}
					// An output to a request that closed without agreement: nobody can
					// tell whose was wrong.
					Some(Outcome::Output(_)) => {}
				}
			});
		}
		if set_changed {
			OperatorSet::<T>::put(set);
		}
	}
}
