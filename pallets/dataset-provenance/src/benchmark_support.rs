//! Benchmarks only: storage set up directly, for this pallet's benchmarks and for other
//! pallets' that need deep lineage.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Benchmarks only (this pallet's and other pallets' that need deep lineage): appends a
	/// chain of `len` datasets owned by `owner` straight to storage, each the child of the
	/// previous, with the largest fields in bounds, a licence allowing everything and every use
	/// constrained (the largest encoding, and permissive: a child must be as strict).
	/// Returns the id of its tip, or `None` if a deposit ticket cannot be taken. Each record
	/// holds a real ticket from `owner`, who is given the funds for it. No dataset may be
	/// registered with the content hashes it uses (`blake2_256("benchmark chain" ++ id)`).
	pub fn benchmark_insert_chain(owner: T::AccountId, len: u32) -> Option<DatasetId> {
		let licence = Licence {
			spdx: BoundedVec::truncate_from(alloc::vec![b'L'; T::MaxLicenceLen::get() as usize]),
			flags: LicenceFlags { commercial_use: true, derivatives: true, share_alike: true },
		};
		let draft = Dataset {
			owner: owner.clone(),
			content_hash: H256::zero(),
			size_bytes: u64::MAX,
			record_count: Some(u64::MAX),
			uri: BoundedVec::truncate_from(alloc::vec![b'u'; T::MaxUriLen::get() as usize]),
			licence,
			permissions: UsagePermissions {
				ai_training: UsePermission::Constrained { constraint: H256::repeat_byte(2) },
				ai_inference: UsePermission::Constrained { constraint: H256::repeat_byte(3) },
				data_mining: UsePermission::Constrained { constraint: H256::repeat_byte(4) },
			},
			royalty: Permill::zero(),
			schema_hash: Some(H256::repeat_byte(1)),
			derivation: None,
			registered_at: frame_system::Pallet::<T>::block_number(),
			deposit: (),
		};
		let mut tip = None;
		for _ in 0..len {
			let id = NextDatasetId::<T>::get();
			let content_hash = (b"benchmark chain", id).using_encoded(frame::hashing::blake2_256);
			let mut link = draft.clone();
			link.content_hash = content_hash.into();
			let parents: ParentsOf<T> = BoundedVec::truncate_from(tip.into_iter().collect());
			let footprint = Self::dataset_footprint(&link, &parents);
			T::DatasetTicket::ensure_successful(&owner, footprint);
			let ticket = T::DatasetTicket::new(&owner, footprint).ok()?;
			Datasets::<T>::insert(id, link.replace_deposit(ticket).0);
			DatasetIdByHash::<T>::insert(H256::from(content_hash), id);
			if let Some(parent) = tip {
				Parents::<T>::insert(id, BoundedVec::truncate_from(alloc::vec![parent]));
				Children::<T>::insert(parent, id, ());
			}
			NextDatasetId::<T>::put(id.saturating_add(1));
			tip = Some(id);
		}
		tip
	}
}
