//! The pallet's invariants, checked by `try_state` and after every unit test.

use crate::*;
use frame::traits::fungible::InspectHold;

// Always compiled (not only for try-runtime) so that runtime-level tests can check the
// invariants too; nothing on-chain calls it, so it adds nothing to the wasm.
impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants; `try_state` runs it under try-runtime.
	///
	/// ## Expectations
	/// - every model id is below `NextModelId`; every version belongs to an existing model
	///   and is numbered from 1 to below the model's `next_version`;
	/// - at most one version of a model is `Active`, and it is the model's `active`;
	/// - the versions a model remembers for rollback exist, are distinct, `Deprecated`,
	///   and not the active one;
	/// - `VersionByHash` and `Versions` agree both ways; golden vectors belong to existing
	///   versions; a version's inputs are distinct, proper tensors that its golden vectors'
	///   inputs fill;
	/// - exact programs belong to existing versions with golden vectors, validate, and keep
	///   their analysis and hash (`try_state_exact`);
	/// - the funds held for models, versions and uploads equal what their tickets hold;
	/// - uploads and chunked versions are well formed (`try_state_uploads`);
	/// - input decodings belong to existing versions and fit them (`try_state_decodings`);
	/// - canaries are consistent with the versions' statuses (`try_state_canaries`).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_models()?;
		Self::check_versions()?;
		Self::try_state_uploads()?;
		Self::try_state_decodings()?;
		Self::try_state_canaries()?;
		Self::try_state_exact()?;
		Self::check_market()?;
		Self::check_deposits()
	}

	/// Prices, royalties and earnings belong to existing versions; royalties add up to at
	/// most the whole price; no payee was paid more than its share; and the pot holds at
	/// least what is owed but not paid out.
	fn check_market() -> Result<(), TryRuntimeError> {
		use frame::traits::fungible::Inspect;
		for (model, version) in VersionPrices::<T>::iter_keys() {
			ensure!(Versions::<T>::contains_key(model, version), "price of a missing version");
		}
		for (model, version, royalties) in VersionRoyalties::<T>::iter() {
			ensure!(Versions::<T>::contains_key(model, version), "royalties of a missing version");
			ensure!(
				aioracle_primitives::market::within_whole(&royalties),
				"royalties above the whole price"
			);
		}
		let mut unpaid: BalanceOf<T> = Zero::zero();
		for (model, version, earnings) in Earnings::<T>::iter() {
			let royalties = VersionRoyalties::<T>::get(model, version).unwrap_or_default();
			for (payee, share) in aioracle_primitives::market::split(earnings, &royalties) {
				let paid = PaidOut::<T>::get((model, version, payee));
				ensure!(paid <= share, "a payee was paid more than its share");
				unpaid = unpaid.saturating_add(share.saturating_sub(paid));
			}
		}
		for (model, version) in TaintedVersions::<T>::iter_keys() {
			ensure!(Versions::<T>::contains_key(model, version), "a mark of a missing version");
		}
		for ((model, version, _), _) in PaidOut::<T>::iter() {
			ensure!(Earnings::<T>::contains_key(model, version), "paid out of no earnings");
		}
		ensure!(
			T::Currency::balance(&Self::pot_account()) >= unpaid,
			"the pot holds less than is owed"
		);
		Ok(())
	}

	fn check_models() -> Result<(), TryRuntimeError> {
		let next = NextModelId::<T>::get();
		for (id, model) in Models::<T>::iter() {
			ensure!(id < next, "a model id is not below NextModelId");
			let active: Vec<VersionId> = Versions::<T>::iter_prefix(id)
				.filter(|(_, v)| v.status == VersionStatus::Active)
				.map(|(n, _)| n)
				.collect();
			ensure!(active.len() <= 1, "a model has more than one Active version");
			ensure!(active.first().copied() == model.active, "a model's active version disagrees");
			let previous: BTreeSet<_> = model.previous.iter().collect();
			ensure!(previous.len() == model.previous.len(), "a rollback entry is repeated");
			for p in model.previous.iter() {
				ensure!(Some(*p) != model.active, "the active version is a rollback entry");
				let status = Versions::<T>::get(id, p).map(|v| v.status);
				ensure!(
					status == Some(VersionStatus::Deprecated),
					"a rollback entry is missing or not Deprecated"
				);
			}
		}
		Ok(())
	}

	fn check_versions() -> Result<(), TryRuntimeError> {
		let mut count = 0usize;
		for (model, version, v) in Versions::<T>::iter() {
			let record = Models::<T>::get(model).ok_or("a version of a missing model")?;
			ensure!(
				version >= 1 && version < record.next_version,
				"a version number is out of range"
			);
			ensure!(
				VersionByHash::<T>::get(v.model_hash) == Some((model, version)),
				"a version is missing from VersionByHash"
			);
			let input_len = aioracle_primitives::model::inputs_len(&v.inputs)
				.ok_or("a version's inputs are not distinct, proper tensors")?;
			for golden in GoldenVectors::<T>::get(model, version).unwrap_or_default() {
				ensure!(
					golden.input.len() == input_len as usize,
					"a golden vector's input does not fill the version's inputs"
				);
			}
			count += 1;
		}
		ensure!(VersionByHash::<T>::iter().count() == count, "VersionByHash has extra entries");
		for (model, version) in GoldenVectors::<T>::iter_keys() {
			ensure!(
				Versions::<T>::contains_key(model, version),
				"golden vectors of a missing version"
			);
		}
		for (model, version, usage) in VersionUsage::<T>::iter() {
			ensure!(Versions::<T>::contains_key(model, version), "usage of a missing version");
			ensure!(usage.ai_training.permits(), "a version trained on data forbidding it");
		}
		for (model, version) in TrainingRuns::<T>::iter_keys() {
			ensure!(
				Versions::<T>::contains_key(model, version),
				"the training run of a missing version"
			);
		}
		Ok(())
	}

	fn check_deposits() -> Result<(), TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let mut models: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut versions: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut uploads: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for upload in Uploads::<T>::iter_values() {
			let total = uploads.entry(upload.owner).or_insert_with(Zero::zero);
			*total = total.saturating_add(upload.deposit.held());
		}
		for (id, model) in Models::<T>::iter() {
			let total = models.entry(model.owner.clone()).or_insert_with(Zero::zero);
			*total = total.saturating_add(model.deposit.held());
			let total = versions.entry(model.owner).or_insert_with(Zero::zero);
			for v in Versions::<T>::iter_prefix_values(id) {
				*total = total.saturating_add(v.deposit.held());
			}
			for p in ExactPrograms::<T>::iter_prefix_values(id) {
				*total = total.saturating_add(p.deposit.held());
			}
		}
		for (reason, expected) in [
			(HoldReason::ModelStorage, models),
			(HoldReason::VersionStorage, versions),
			(HoldReason::UploadStorage, uploads),
		] {
			for (who, deposit) in expected {
				ensure!(
					T::Currency::balance_on_hold(&reason.into(), &who) == deposit,
					"held funds differ from what the deposit tickets hold"
				);
			}
		}
		Ok(())
	}
}
