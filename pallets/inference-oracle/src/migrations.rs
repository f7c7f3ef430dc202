//! Storage migrations of the inference oracle.

use super::*;

/// v0 -> v1: requests carry their whole [`ServingContract`] and a retention deposit, and
/// expiry moved from `on_initialize` to `on_idle` behind [`ExpiryCursor`].
pub mod v1 {
	use aioracle_primitives::model::{Aggregation, ElementType, TensorSpec};
	use frame::deps::frame_support::migrations::VersionedMigration;

	use super::*;

	/// A request as storage version 0 kept it: half of the serving contract.
	#[derive(Encode, Decode, TypeInfo, MaxEncodedLen)]
	#[scale_info(skip_type_params(MaxInput))]
	pub struct RequestV0<AccountId, Balance, BlockNumber, MaxInput: Get<u32>> {
		/// Who asked.
		pub requester: AccountId,
		/// The model.
		pub model: ModelId,
		/// The version that scores it.
		pub version: VersionId,
		/// That version's ONNX hash.
		pub model_hash: aioracle_primitives::model::ModelHash,
		/// The input.
		pub input: BoundedVec<i64, MaxInput>,
		/// The version's output spec.
		pub output: TensorSpec,
		/// How submissions are combined.
		pub aggregation: Aggregation,
		/// The fewest agreeing operators that make the result.
		pub min_agreement: u32,
		/// The fee held.
		pub fee: Balance,
		/// When it was made.
		pub created_at: BlockNumber,
		/// The last block in which submissions are accepted.
		pub deadline: BlockNumber,
		/// Where it is.
		pub status: RequestStatus,
	}

	/// A version-0 request of this runtime.
	pub type RequestV0Of<T> = RequestV0<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxInputLen,
	>;

	/// The version-0 request map, to read and check it in tests.
	#[frame::deps::frame_support::storage_alias]
	pub type Requests<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, RequestId, RequestV0Of<T>>;

	/// Translates every retained request: its contract from the registry (the version is
	/// never deleted), no retention deposit (nothing was held for it). Starts the expiry
	/// cursor at the current block: version 0 took every earlier `Expiries` entry.
	///
	/// ## Weight
	/// One read and one write per retained request, up to `MaxRetainedRequests`. On a
	/// chain with a full retention this is more than one parachain block's proof can
	/// carry; such a chain must run it as a multi-block migration.
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV0ToV1<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			super::Requests::<T>::translate::<RequestV0Of<T>, _>(|id, old| {
				translated.saturating_inc();
				Some(upgrade::<T>(id, old))
			});
			ExpiryCursor::<T>::put(frame_system::Pallet::<T>::block_number());
			log::info!(target: LOG_TARGET, "migrated {translated} requests to storage version 1");
			T::DbWeight::get().reads_writes(translated.saturating_add(1), translated.saturating_add(1))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			Ok((Requests::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = u64::decode(&mut &state[..]).map_err(|_| "bad pre-upgrade state")?;
			let after = super::Requests::<T>::iter().count() as u64;
			ensure!(before == after, "requests were lost in the migration");
			Pallet::<T>::do_try_state()
		}
	}

	/// The version-1 form of a version-0 request.
	fn upgrade<T: Config>(id: RequestId, old: RequestV0Of<T>) -> RequestOf<T> {
		let contract = match T::Models::contract(old.model, old.version) {
			Some((_, contract)) => contract,
			None => {
				// Versions are never deleted; keep what the request itself knew.
				log::warn!(target: LOG_TARGET, "request {id}: its version is gone");
				ServingContract {
					inputs: BoundedVec::truncate_from(alloc::vec![TensorSpec {
						index: 0,
						element_type: ElementType::F32,
						shape: BoundedVec::truncate_from(alloc::vec![1, old.input.len() as u32]),
					}]),
					output: old.output.clone(),
					input_scale: 0,
					output_scale: 0,
					aggregation: old.aggregation,
					min_agreement: old.min_agreement,
				}
			},
		};
		Request {
			requester: old.requester,
			model: old.model,
			version: old.version,
			model_hash: old.model_hash,
			contract: ServingContract {
				// What the request was made under, whatever the registry says now.
				output: old.output,
				aggregation: old.aggregation,
				min_agreement: old.min_agreement,
				..contract
			},
			input: old.input,
			fee: old.fee,
			price: Zero::zero(),
			deposit: Zero::zero(),
			created_at: old.created_at,
			deadline: old.deadline,
			status: old.status,
		}
	}

	/// [`InnerMigrateV0ToV1`], run only on storage version 0, which it sets to 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v1 -> v2: an operator's misses are no longer written at every close; they follow from
/// the requests closed since it registered and those it answered ([`Operator::misses`]).
pub mod v2 {
	use frame::deps::frame_support::migrations::VersionedMigration;

	use super::*;

	/// An operator as storage version 1 kept it.
	#[derive(Encode, Decode, TypeInfo, MaxEncodedLen)]
	pub struct OperatorV1<Key, Balance> {
		/// Its `orcl` key.
		pub key: Key,
		/// Its bond.
		pub bond: Balance,
		/// Agreements.
		pub agreements: u32,
		/// Outliers.
		pub outliers: u32,
		/// Failures.
		pub failures: u32,
		/// Requests closed without its submission while it was registered.
		pub misses: u32,
	}

	/// A version-1 operator of this runtime.
	pub type OperatorV1Of<T> = OperatorV1<<T as Config>::AuthorityId, BalanceOf<T>>;

	/// The version-1 operator map, to write it in tests.
	#[frame::deps::frame_support::storage_alias]
	pub type Operators<T: Config> = CountedStorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		OperatorV1Of<T>,
	>;

	/// Translates every operator so that its misses read as before: `answered` is its
	/// agreements, outliers and failures (version 1 did not count outputs to requests that
	/// expired without agreement), and `closed_at_registration` the requests closed so
	/// far less its misses and answers.
	///
	/// ## Weight
	/// One read and one write per operator (at most `MaxOperators`), and the read of the
	/// request counters.
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV1ToV2<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let closed = closed_requests::<T>();
			let mut translated = 0u64;
			v3::Operators::<T>::translate::<OperatorV1Of<T>, _>(|_, old| {
				translated.saturating_inc();
				Some(upgrade::<T>(old, closed))
			});
			log::info!(target: LOG_TARGET, "migrated {translated} operators to storage version 2");
			T::DbWeight::get().reads_writes(translated.saturating_add(2), translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let misses: Vec<(T::AccountId, u32)> =
				Operators::<T>::iter().map(|(who, o)| (who, o.misses)).collect();
			Ok(misses.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Vec::<(T::AccountId, u32)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			let closed = closed_requests::<T>();
			for (who, misses) in before {
				let record = v3::Operators::<T>::get(&who).ok_or("an operator was lost")?;
				ensure!(record.misses(closed) == misses, "an operator's misses changed");
			}
			// The pallet's invariants hold for the current version, checked after v3.
			Ok(())
		}
	}

	/// The version-2 form of a version-1 operator, when `closed` requests have closed.
	pub fn upgrade<T: Config>(old: OperatorV1Of<T>, closed: u64) -> v3::OperatorV2Of<T> {
		let answered = old.agreements.saturating_add(old.outliers).saturating_add(old.failures);
		let counted = u64::from(answered).saturating_add(old.misses.into());
		v3::OperatorV2 {
			key: old.key,
			bond: old.bond,
			agreements: old.agreements,
			outliers: old.outliers,
			failures: old.failures,
			answered,
			closed_at_registration: closed.saturating_sub(counted),
		}
	}

	/// [`InnerMigrateV1ToV2`], run only on storage version 1, which it sets to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// How many requests have closed (finalized or expired) since genesis: every request made
/// is pending or closed. What storage version 2 counted misses from.
pub fn closed_requests<T: Config>() -> u64 {
	NextRequestId::<T>::get().saturating_sub(PendingRequests::<T>::count().into())
}

/// v2 -> v3: requests are served by committees drawn from an operator set by bond, and
/// faults are slashed. Operators get their no-shows (version 2's misses), no strikes, and
/// all join the operator set with their bonds. Requests made before have no committee:
/// they take no more answers, and those still pending close at their deadline as before
/// (finalized if their answers agree, refunded otherwise), nobody slashed.
pub mod v3 {
	use frame::deps::frame_support::migrations::VersionedMigration;

	use super::*;

	/// An operator as storage version 2 kept it.
	#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
	pub struct OperatorV2<Key, Balance> {
		/// Its `orcl` key.
		pub key: Key,
		/// Its bond.
		pub bond: Balance,
		/// Agreements.
		pub agreements: u32,
		/// Outliers.
		pub outliers: u32,
		/// Failures.
		pub failures: u32,
		/// Requests it answered that closed while it was registered.
		pub answered: u32,
		/// Requests closed when it registered.
		pub closed_at_registration: u64,
	}

	impl<Key, Balance> OperatorV2<Key, Balance> {
		/// Requests closed without its answer while it was registered, when `closed`
		/// requests have closed.
		pub fn misses(&self, closed: u64) -> u32 {
			let since = closed.saturating_sub(self.closed_at_registration);
			since.saturating_sub(self.answered.into()).try_into().unwrap_or(u32::MAX)
		}
	}

	/// A version-2 operator of this runtime.
	pub type OperatorV2Of<T> = OperatorV2<<T as Config>::AuthorityId, BalanceOf<T>>;

	/// The version-2 operator map, to read and write it in migrations and tests.
	#[frame::deps::frame_support::storage_alias]
	pub type Operators<T: Config> = CountedStorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		OperatorV2Of<T>,
	>;

	/// Translates every operator and builds the operator set, largest bond first. Should
	/// there be more operators than `MaxOperators`, those with the smallest bonds leave
	/// (displaced) and may withdraw after the unbonding period.
	///
	/// ## Weight
	/// One read and one write per operator (at most version 2's `MaxOperators`), the read
	/// of the request counters and the write of the set.
	pub struct InnerMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV2ToV3<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let closed = closed_requests::<T>();
			let mut translated = 0u64;
			let mut bonds: Vec<(T::AccountId, BalanceOf<T>)> = Vec::new();
			super::Operators::<T>::translate::<OperatorV2Of<T>, _>(|who, old| {
				translated.saturating_inc();
				bonds.push((who, old.bond));
				Some(upgrade::<T>(old, closed))
			});
			// Largest first; equal bonds in account order, so the result is deterministic.
			bonds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
			let seats = T::MaxOperators::get() as usize;
			let now = frame_system::Pallet::<T>::block_number();
			for (who, _) in bonds.iter().skip(seats) {
				super::Operators::<T>::mutate_exists(who, |record| {
					if let Some(record) = record {
						record.leaving_since = Some(now);
					}
				});
			}
			bonds.truncate(seats);
			OperatorSet::<T>::put(BoundedVec::truncate_from(bonds));
			log::info!(target: LOG_TARGET, "migrated {translated} operators to storage version 3");
			T::DbWeight::get().reads_writes(translated.saturating_add(2), translated.saturating_add(1))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let closed = closed_requests::<T>();
			let before: Vec<(T::AccountId, BalanceOf<T>, u32)> =
				Operators::<T>::iter().map(|(who, o)| (who, o.bond, o.misses(closed))).collect();
			Ok(before.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Vec::<(T::AccountId, BalanceOf<T>, u32)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			for (who, bond, misses) in before {
				let record = super::Operators::<T>::get(&who).ok_or("an operator was lost")?;
				ensure!(record.bond == bond, "an operator's bond changed");
				ensure!(record.no_shows == misses, "an operator's misses were not kept");
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// The version-3 form of a version-2 operator, when `closed` requests have closed.
	pub fn upgrade<T: Config>(old: OperatorV2Of<T>, closed: u64) -> OperatorOf<T> {
		Operator {
			no_shows: old.misses(closed),
			key: old.key,
			bond: old.bond,
			agreements: old.agreements,
			outliers: old.outliers,
			failures: old.failures,
			strikes: 0,
			leaving_since: None,
		}
	}

	/// [`InnerMigrateV2ToV3`], run only on storage version 2, which it sets to 3.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		InnerMigrateV2ToV3<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v3 -> v4: a request's serving contract lists its input tensors (`inputs`) instead of
/// holding one (`input`).
///
/// The migrations before this one write today's types: no runtime lists them any more
/// (every chain is at storage version 3 or later), and they are kept for their tests.
pub mod v4 {
	use aioracle_primitives::model::{Aggregation, ModelHash, TensorSpec};
	use frame::deps::frame_support::{migrations::VersionedMigration, storage_alias};

	use super::*;

	/// A serving contract as a storage-version-3 request carried it: one input.
	#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
	pub struct ServingContractV3 {
		/// The input the request feeds.
		pub input: TensorSpec,
		/// The output that is reported.
		pub output: TensorSpec,
		/// Decimals of the fixed-point input.
		pub input_scale: u8,
		/// Decimals of the fixed-point output.
		pub output_scale: u8,
		/// How operators' outputs are combined.
		pub aggregation: Aggregation,
		/// The fewest agreeing operators that make a result.
		pub min_agreement: u32,
	}

	impl ServingContractV3 {
		/// The same contract with its one input as a list of one.
		pub fn upgrade(self) -> ServingContract {
			ServingContract {
				inputs: BoundedVec::truncate_from(alloc::vec![self.input]),
				output: self.output,
				input_scale: self.input_scale,
				output_scale: self.output_scale,
				aggregation: self.aggregation,
				min_agreement: self.min_agreement,
			}
		}
	}

	/// A request as storage version 3 kept it.
	#[derive(Encode, Decode, TypeInfo, MaxEncodedLen)]
	#[scale_info(skip_type_params(MaxInput))]
	pub struct RequestV3<AccountId, Balance, BlockNumber, MaxInput: Get<u32>> {
		/// Who asked.
		pub requester: AccountId,
		/// The model.
		pub model: ModelId,
		/// The version that scores it.
		pub version: VersionId,
		/// That version's ONNX hash.
		pub model_hash: ModelHash,
		/// How that version was served, with one input.
		pub contract: ServingContractV3,
		/// The input, inline.
		pub input: BoundedVec<i64, MaxInput>,
		/// The fee held.
		pub fee: Balance,
		/// The retention deposit held.
		pub deposit: Balance,
		/// When it was made.
		pub created_at: BlockNumber,
		/// The last block in which submissions are accepted.
		pub deadline: BlockNumber,
		/// Where it is.
		pub status: RequestStatus,
	}

	/// A version-3 request of this runtime.
	pub type RequestV3Of<T> = RequestV3<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxInputLen,
	>;

	/// The version-3 request map, to write it in tests.
	#[storage_alias]
	pub type Requests<T: Config> = StorageMap<Pallet<T>, Twox64Concat, RequestId, RequestV3Of<T>>;

	/// Translates every retained request: its contract's one input becomes a list of one;
	/// nothing else changes (deposits stay as held).
	///
	/// ## Weight
	/// One read and one write per retained request, up to `MaxRetainedRequests`. On a
	/// chain with a full retention this is more than one parachain block's proof can
	/// carry; such a chain must run it as a multi-block migration.
	pub struct InnerMigrateV3ToV4<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV3ToV4<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			super::Requests::<T>::translate::<RequestV3Of<T>, _>(|_, old| {
				translated.saturating_inc();
				Some(upgrade::<T>(old))
			});
			log::info!(target: LOG_TARGET, "migrated {translated} requests to storage version 4");
			T::DbWeight::get().reads_writes(translated, translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let inputs: Vec<(RequestId, TensorSpec)> =
				Requests::<T>::iter().map(|(id, old)| (id, old.contract.input)).collect();
			Ok(inputs.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Vec::<(RequestId, TensorSpec)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			ensure!(
				super::Requests::<T>::iter_keys().count() == before.len(),
				"requests were lost in the migration"
			);
			for (id, input) in before {
				let new = super::Requests::<T>::get(id).ok_or("a request was lost")?;
				ensure!(new.contract.inputs.to_vec() == alloc::vec![input], "an input changed");
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// The version-4 form of a version-3 request.
	pub fn upgrade<T: Config>(old: RequestV3Of<T>) -> RequestOf<T> {
		Request {
			requester: old.requester,
			model: old.model,
			version: old.version,
			model_hash: old.model_hash,
			contract: old.contract.upgrade(),
			input: old.input,
			fee: old.fee,
			price: Zero::zero(),
			deposit: old.deposit,
			created_at: old.created_at,
			deadline: old.deadline,
			status: old.status,
		}
	}

	/// [`InnerMigrateV3ToV4`], run only on storage version 3, which it sets to 4.
	pub type MigrateV3ToV4<T> = VersionedMigration<
		3,
		4,
		InnerMigrateV3ToV4<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v4 -> v5: a request carries the version's price beside the operators' fee.
pub mod v5 {
	use aioracle_primitives::model::ModelHash;
	use frame::deps::frame_support::{migrations::VersionedMigration, storage_alias};

	use super::*;

	/// A request as storage version 4 kept it: no price.
	#[derive(Encode, Decode, TypeInfo, MaxEncodedLen)]
	#[scale_info(skip_type_params(MaxInput))]
	pub struct RequestV4<AccountId, Balance, BlockNumber, MaxInput: Get<u32>> {
		/// Who asked.
		pub requester: AccountId,
		/// The model.
		pub model: ModelId,
		/// The version that scores it.
		pub version: VersionId,
		/// That version's ONNX hash.
		pub model_hash: ModelHash,
		/// How that version is served.
		pub contract: ServingContract,
		/// The input, inline.
		pub input: BoundedVec<i64, MaxInput>,
		/// The fee held.
		pub fee: Balance,
		/// The retention deposit held.
		pub deposit: Balance,
		/// When it was made.
		pub created_at: BlockNumber,
		/// The last block in which submissions are accepted.
		pub deadline: BlockNumber,
		/// Where it is.
		pub status: RequestStatus,
	}

	/// A version-4 request of this runtime.
	pub type RequestV4Of<T> = RequestV4<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxInputLen,
	>;

	/// The version-4 request map, to write it in tests.
	#[storage_alias]
	pub type Requests<T: Config> = StorageMap<Pallet<T>, Twox64Concat, RequestId, RequestV4Of<T>>;

	/// Translates every retained request: it had no price (every version was free), so
	/// its price is zero; nothing else changes (fees and deposits stay as held).
	///
	/// ## Weight
	/// One read and one write per retained request, up to `MaxRetainedRequests`. On a
	/// chain with a full retention this is more than one parachain block's proof can
	/// carry; such a chain must run it as a multi-block migration.
	pub struct InnerMigrateV4ToV5<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV4ToV5<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			super::Requests::<T>::translate::<RequestV4Of<T>, _>(|_, old| {
				translated.saturating_inc();
				Some(upgrade::<T>(old))
			});
			log::info!(target: LOG_TARGET, "migrated {translated} requests to storage version 5");
			T::DbWeight::get().reads_writes(translated, translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let fees: Vec<(RequestId, BalanceOf<T>)> =
				Requests::<T>::iter().map(|(id, old)| (id, old.fee)).collect();
			Ok(fees.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Vec::<(RequestId, BalanceOf<T>)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			ensure!(
				super::Requests::<T>::iter_keys().count() == before.len(),
				"requests were lost in the migration"
			);
			for (id, fee) in before {
				let new = super::Requests::<T>::get(id).ok_or("a request was lost")?;
				ensure!(new.fee == fee && new.price.is_zero(), "a request's fee or price changed");
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// The version-5 form of a version-4 request.
	pub fn upgrade<T: Config>(old: RequestV4Of<T>) -> RequestOf<T> {
		Request {
			requester: old.requester,
			model: old.model,
			version: old.version,
			model_hash: old.model_hash,
			contract: old.contract,
			input: old.input,
			fee: old.fee,
			price: Zero::zero(),
			deposit: old.deposit,
			created_at: old.created_at,
			deadline: old.deadline,
			status: old.status,
		}
	}

	/// [`InnerMigrateV4ToV5`], run only on storage version 4, which it sets to 5.
	pub type MigrateV4ToV5<T> = VersionedMigration<
		4,
		5,
		InnerMigrateV4ToV5<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

pub mod v6 {
	use aioracle_primitives::model::ModelHash;
	use frame::deps::frame_support::{migrations::VersionedMigration, storage_alias};

	use super::*;

	/// The version-5 record of the retained requests answered exactly: the program's hash
	/// (the request and its result were in `Requests` and `Results`).
	#[storage_alias]
	pub type ExactResults<T: Config> = StorageMap<Pallet<T>, Twox64Concat, RequestId, ModelHash>;

	/// Moves every retained exact answer out of `Requests` and `Results` into its slot of
	/// the `ExactAnswers` ring, and releases its retention deposit to its requester (an
	/// exact answer holds none since). Its price was paid when it was answered; its id,
	/// input, output and block are kept.
	///
	/// ## Weight
	/// Per exact answer: five reads and six writes (the three records taken, the answer
	/// written, and the released hold and its account). At most `MaxRetainedRequests` of them;
	/// on a chain with a full retention of exact answers this is more than one parachain
	/// block's proof can carry, and such a chain must run it as a multi-block migration.
	pub struct InnerMigrateV5ToV6<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV5ToV6<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let mut moved = 0u64;
			let mut lost = 0u64;
			for (id, program_hash) in ExactResults::<T>::drain() {
				let request = super::Requests::<T>::take(id);
				let result = super::Results::<T>::take(id);
				let (Some(request), Some(result)) = (request, result) else {
					lost.saturating_inc();
					continue;
				};
				let _ = T::Currency::release(
					&HoldReason::RequestRetention.into(),
					&request.requester,
					request.deposit,
					Precision::BestEffort,
				);
				ExactAnswers::<T>::insert(
					Pallet::<T>::exact_slot(id),
					ExactAnswer {
						id,
						requester: request.requester,
						model: request.model,
						version: request.version,
						model_hash: request.model_hash,
						program_hash,
						aggregation: request.contract.aggregation,
						min_agreement: request.contract.min_agreement,
						input: request.input,
						output: result.output,
						price: request.price,
						answered_at: result.finalized_at,
					},
				);
				moved.saturating_inc();
			}
			if lost > 0 {
				log::warn!(target: LOG_TARGET, "{lost} exact results had no request or result");
			}
			log::info!(target: LOG_TARGET, "moved {moved} exact answers to their ring");
			let entries = moved.saturating_add(lost);
			T::DbWeight::get().reads_writes(entries.saturating_mul(5), entries.saturating_mul(6))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let answers: Vec<(RequestId, Vec<i64>)> = ExactResults::<T>::iter_keys()
				.map(|id| {
					let output = super::Results::<T>::get(id).ok_or("an exact result of no result")?;
					Ok((id, output.output.into_inner()))
				})
				.collect::<Result<_, TryRuntimeError>>()?;
			Ok(answers.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Vec::<(RequestId, Vec<i64>)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			ensure!(ExactResults::<T>::iter_keys().next().is_none(), "exact results left");
			for (id, output) in before {
				let answer = Pallet::<T>::exact_answer(id).ok_or("an exact answer was lost")?;
				ensure!(answer.output.into_inner() == output, "an exact answer's output changed");
				ensure!(!super::Requests::<T>::contains_key(id), "an exact request left");
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// [`InnerMigrateV5ToV6`], run only on storage version 5, which it sets to 6.
	pub type MigrateV5ToV6<T> = VersionedMigration<
		5,
		6,
		InnerMigrateV5ToV6<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
