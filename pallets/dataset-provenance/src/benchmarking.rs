//! Benchmarks of every call, each in its worst case over the pallet's bounds.

use super::*;
use alloc::vec;
use aioracle_primitives::deposit::footprint_of_bytes;
use frame::{benchmarking::prelude::*, traits::fungible::Mutate};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId
where
	T::Currency: Mutate<T::AccountId>,
{
	let who: T::AccountId = account(name, index, 0);
	// Enough for any deposit: a thousand records of a megabyte and attestations.
	let amount = T::DatasetTicket::price(footprint_of_bytes(1_000_000))
		.saturating_add(T::AttestationTicket::price(Pallet::<T>::attestation_footprint()))
		.saturating_mul(1_000u32.into());
	T::Currency::set_balance(&who, amount);
	who
}

fn content_hash(n: u32) -> ContentHash {
	let mut bytes = [0u8; 32];
	bytes[24..].copy_from_slice(&(u64::from(n) + 1).to_be_bytes());
	H256(bytes)
}

/// The longest licence in bounds, with every flag allowing derivation.
fn licence<T: Config>() -> (Vec<u8>, LicenceFlags) {
	(
		vec![b'L'; T::MaxLicenceLen::get() as usize],
		LicenceFlags { commercial_use: true, derivatives: true, share_alike: true },
	)
}

/// Every use constrained: the largest encoding of permissions, and one every child of a
/// benchmark chain may declare (a child must be as strict as its parents).
fn constrained() -> UsagePermissions {
	UsagePermissions {
		ai_training: UsePermission::Constrained { constraint: H256::repeat_byte(2) },
		ai_inference: UsePermission::Constrained { constraint: H256::repeat_byte(3) },
		data_mining: UsePermission::Constrained { constraint: H256::repeat_byte(4) },
	}
}

/// The registration of dataset `n` derived from `parents` with the largest fields in
/// bounds.
fn largest<T: Config>(n: u32, parents: Vec<DatasetId>) -> Registration {
	let (spdx, flags) = licence::<T>();
	let derivation = (!parents.is_empty())
		.then(|| Derivation::Description(vec![b'd'; T::MaxDescriptionLen::get() as usize]));
	Registration {
		content_hash: content_hash(n),
		size_bytes: u64::MAX,
		record_count: Some(u64::MAX),
		uri: vec![b'u'; T::MaxUriLen::get() as usize],
		licence: spdx,
		licence_flags: flags,
		schema_hash: Some(H256::repeat_byte(1)),
		parents,
		derivation,
		permissions: constrained(),
		royalty: T::MaxRoyalty::get(),
	}
}

/// Registers a dataset with the largest fields in bounds and returns its id.
fn register<T: Config>(
	owner: &T::AccountId,
	n: u32,
	parents: Vec<DatasetId>,
) -> Result<DatasetId, BenchmarkError>
where
	T::Currency: Mutate<T::AccountId>,
{
	let registration = largest::<T>(n, parents);
	let id = NextDatasetId::<T>::get();
	Pallet::<T>::do_register(owner.clone(), registration)
		.map_err(|_| BenchmarkError::Stop("the set-up registration was refused"))?;
	Ok(id)
}

/// Inserts a chain of `len` datasets (each the child of the previous) straight into
/// storage and returns the id of its tip. Registering them one by one would walk the chain
/// each time: quadratic set-up for what is only the ancestry to be walked.
fn insert_chain<T: Config>(owner: &T::AccountId, len: u32) -> Option<DatasetId> {
	Pallet::<T>::benchmark_insert_chain(owner.clone(), len)
}

/// Adds `count` `Quality` attestations to dataset `id`, each by another funded author.
fn add_attestations<T: Config>(id: DatasetId, count: u32) -> Result<(), BenchmarkError>
where
	T::Currency: Mutate<T::AccountId>,
{
	for i in 0..count {
		let author = funded::<T>("author", i + 10);
		Pallet::<T>::attest(
			RawOrigin::Signed(author).into(),
			id,
			AttestationKind::Quality,
			H256::zero(),
		)
		.map_err(|_| BenchmarkError::Stop("no room for the set-up attestation"))?;
	}
	Ok(())
}

#[benchmarks(where T::Currency: Mutate<T::AccountId>)]
mod benchmarks {
	use super::*;

	/// `p` parents, and `a` more ancestors beyond them (a chain above the first parent):
	/// the walk visits `p + a` datasets. `p` starts at 1: with no parents there is nothing
	/// to walk, and `a` would have no effect on that point of the regression.
	#[benchmark]
	fn register_dataset(
		p: Linear<1, { T::MaxParents::get() }>,
		a: Linear<0, { T::MaxAncestors::get().saturating_sub(T::MaxParents::get()) }>,
	) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		// The chain of extra ancestors, oldest first; the first parent derives from its tip.
		let tip = insert_chain::<T>(&owner, a);
		let mut n = a;
		let mut parents = Vec::new();
		for i in 0..p {
			let grand = if i == 0 { tip.into_iter().collect() } else { Vec::new() };
			parents.push(register::<T>(&owner, n, grand)?);
			n += 1;
		}
		let caller = funded::<T>("caller", 1);
		let id = NextDatasetId::<T>::get();
		let registration = largest::<T>(n, parents);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), registration);

		assert_eq!(Datasets::<T>::get(id).map(|d| d.owner), Some(caller));
		Ok(())
	}

	#[benchmark]
	fn update_uri() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let id = register::<T>(&owner, 0, Vec::new())?;
		let uri = vec![b'v'; T::MaxUriLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, uri.clone());

		assert_eq!(Datasets::<T>::get(id).map(|d| d.uri.into_inner()), Some(uri));
		Ok(())
	}

	#[benchmark]
	fn offer_ownership() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let id = register::<T>(&owner, 0, Vec::new())?;
		let new_owner = funded::<T>("new", 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, Some(new_owner.clone()));

		assert_eq!(OwnershipOffers::<T>::get(id), Some(new_owner));
		Ok(())
	}

	/// The largest record changes owner: a ticket taken from the new owner, the old
	/// owner's dropped.
	#[benchmark]
	fn accept_ownership() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let parent = register::<T>(&owner, 0, Vec::new())?;
		let id = register::<T>(&owner, 1, vec![parent])?;
		let new_owner = funded::<T>("new", 1);
		Pallet::<T>::do_offer_ownership(&owner, id, Some(new_owner.clone()))
			.map_err(|_| BenchmarkError::Stop("the set-up offer was refused"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(new_owner.clone()), id);

		assert_eq!(Datasets::<T>::get(id).map(|d| d.owner), Some(new_owner));
		assert!(!OwnershipOffers::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn retract() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let id = register::<T>(&owner, 0, Vec::new())?;
		let reason = vec![b'r'; T::MaxReasonLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, reason);

		assert!(Retractions::<T>::contains_key(id));
		Ok(())
	}

	/// `n` attestations already on the dataset.
	#[benchmark]
	fn attest(
		n: Linear<0, { T::MaxAttestations::get().saturating_sub(1) }>,
	) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let id = register::<T>(&owner, 0, Vec::new())?;
		add_attestations::<T>(id, n)?;
		let caller = funded::<T>("caller", 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, AttestationKind::Audit, H256::repeat_byte(2));

		assert_eq!(Attestations::<T>::get(id).len() as u32, n + 1);
		Ok(())
	}

	/// `n` attestations on the dataset, the caller's last.
	#[benchmark]
	fn revoke_attestation(
		n: Linear<1, { T::MaxAttestations::get() }>,
	) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let id = register::<T>(&owner, 0, Vec::new())?;
		add_attestations::<T>(id, n.saturating_sub(1))?;
		let caller = funded::<T>("caller", 1);
		Pallet::<T>::attest(
			RawOrigin::Signed(caller.clone()).into(),
			id,
			AttestationKind::Audit,
			H256::zero(),
		)
		.map_err(|_| BenchmarkError::Stop("no room for the caller's attestation"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, AttestationKind::Audit);

		assert_eq!(Attestations::<T>::get(id).len() as u32, n - 1);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
