//! A version's life after proposal: approval, activation, rollback, deprecation.

use crate::*;

impl<T: Config> Pallet<T> {
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// Ok if `origin` is `GovernanceOrigin` or `EmergencyOrigin`: the two that may take a
	/// version out of service (deprecate, roll back).
	pub(crate) fn ensure_governance_or_emergency(origin: OriginFor<T>) -> DispatchResult {
		if T::GovernanceOrigin::try_origin(origin.clone()).is_ok() {
			return Ok(());
		}
		T::EmergencyOrigin::ensure_origin(origin)?;
		Ok(())
	}

	pub(crate) fn approve(model: ModelId, version: VersionId) -> Result<u32, DispatchError> {
		let mut v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(v.status == VersionStatus::Proposed, Error::<T>::NotProposed);
		Self::ensure_untainted(&v.training_datasets)?;
		v.status = VersionStatus::Approved;
		v.status_blocks.approved = Some(Self::now());
		let datasets = v.training_datasets.len() as u32;
		Versions::<T>::insert(model, version, v);
		Self::deposit_event(Event::ModelVersionApproved { model, version });
		Ok(datasets)
	}


	pub(crate) fn do_activate(model: ModelId, version: VersionId) -> Result<u32, DispatchError> {
		let mut record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		let mut v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(
			matches!(
				v.status,
				VersionStatus::Approved | VersionStatus::Canary | VersionStatus::Deprecated
			),
			Error::<T>::NotActivatable
		);
		Self::ensure_untainted(&v.training_datasets)?;
		Self::ensure_not_fallen_back(model, version)?;
		let end = if v.status == VersionStatus::Canary {
			CanaryEnd::Promoted
		} else {
			CanaryEnd::Stopped
		};
		Self::end_running_canary(model, end);
		let now = Self::now();
		let previous = record.active;
		if let Some(current) = previous {
			Self::deprecate(model, current, now)?;
			if record.previous.is_full() {
				record.previous.remove(0);
			}
			// Room was made just above.
			let _ = record.previous.try_push(current);
		}
		record.previous.retain(|p| *p != version);
		v.status = VersionStatus::Active;
		v.status_blocks.activated = Some(now);
		record.active = Some(version);
		let datasets = v.training_datasets.len() as u32;
		Versions::<T>::insert(model, version, v);
		Models::<T>::insert(model, record);
		log::info!(target: LOG_TARGET, "model {model} version {version} active (was {previous:?})");
		Self::deposit_event(Event::ModelVersionActivated { model, version, previous });
		Ok(datasets)
	}

	/// Rolls `model` back; returns the training dataset count of the version returned to.
	pub(crate) fn do_rollback(model: ModelId) -> Result<u32, DispatchError> {
		let mut record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		let to = record.previous.pop().ok_or(Error::<T>::NoPreviousVersion)?;
		let mut v = Versions::<T>::get(model, to).ok_or(Error::<T>::VersionNotFound)?;
		Self::ensure_untainted(&v.training_datasets)?;
		Self::end_running_canary(model, CanaryEnd::Stopped);
		let now = Self::now();
		let from = record.active;
		if let Some(current) = from {
			Self::deprecate(model, current, now)?;
		}
		v.status = VersionStatus::Active;
		v.status_blocks.activated = Some(now);
		record.active = Some(to);
		let datasets = v.training_datasets.len() as u32;
		Versions::<T>::insert(model, to, v);
		Models::<T>::insert(model, record);
		log::info!(target: LOG_TARGET, "model {model} rolled back from {from:?} to {to}");
		Self::deposit_event(Event::ModelRolledBack { model, from, to });
		Ok(datasets)
	}

	/// Moves an existing version to `Deprecated`.
	pub(crate) fn deprecate(model: ModelId, version: VersionId, now: BlockNumberFor<T>) -> DispatchResult {
		Versions::<T>::try_mutate(model, version, |v| {
			let v = v.as_mut().ok_or(Error::<T>::VersionNotFound)?;
			v.status = VersionStatus::Deprecated;
			v.status_blocks.deprecated = Some(now);
			Ok(())
		})
	}
}
