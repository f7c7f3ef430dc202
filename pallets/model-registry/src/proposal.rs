//! Creating models and proposing versions: validating a proposal and storing it.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Creates a model; returns its id.
	pub fn do_create_model(
		owner: T::AccountId,
		name: Vec<u8>,
		description: Vec<u8>,
	) -> Result<ModelId, DispatchError> {
		ensure!(!name.is_empty(), Error::<T>::EmptyName);
		let name: BoundedVec<u8, T::MaxNameLen> =
			name.try_into().map_err(|_| Error::<T>::NameTooLong)?;
		let description: BoundedVec<u8, T::MaxDescriptionLen> =
			description.try_into().map_err(|_| Error::<T>::DescriptionTooLong)?;
		let id = NextModelId::<T>::get();
		// The record's largest size: `previous` grows as versions are activated.
		let bytes = ModelOf::<T>::max_encoded_len()
			.saturating_sub(T::MaxNameLen::get() as usize)
			.saturating_sub(T::MaxDescriptionLen::get() as usize)
			.saturating_add(name.len())
			.saturating_add(description.len());
		let ticket = T::ModelTicket::new(&owner, footprint_of_bytes(bytes))?;
		let deposit = ticket.held();
		let record = Model {
			owner: owner.clone(),
			name,
			description,
			created_at: Self::now(),
			deposit: ticket,
			active: None,
			previous: BoundedVec::new(),
			next_version: 1,
		};
		NextModelId::<T>::put(id.saturating_add(1));
		Models::<T>::insert(id, record);
		Self::deposit_event(Event::ModelCreated { model: id, owner, deposit });
		Ok(id)
	}

	/// Checks the ONNX `bytes` against the proposal, stores the version and indexes the
	/// bytes into the offchain DB; returns the version's number.
	pub fn do_propose(
		who: T::AccountId,
		model: ModelId,
		p: VersionProposalOf<T>,
		bytes: Vec<u8>,
	) -> Result<VersionId, DispatchError> {
		ensure!(!bytes.is_empty(), Error::<T>::EmptyModelBytes);
		ensure!(bytes.len() <= T::MaxModelBytes::get() as usize, Error::<T>::ModelBytesTooLarge);
		ensure!(ModelHash::from(blake2_256(&bytes)) == p.model_hash, Error::<T>::ModelHashMismatch);
		let hash = p.model_hash;
		let version = Self::store_version(who, model, p, bytes.len() as u32)?;
		sp_io::offchain_index::set(&model_bytes_key(&hash), &bytes);
		Ok(version)
	}

	/// Validates and stores a version whose bytes (`size_bytes` long) hash to
	/// `p.model_hash`; returns its number. The caller vouches for the bytes.
	pub(crate) fn store_version(
		who: T::AccountId,
		model: ModelId,
		p: VersionProposalOf<T>,
		size_bytes: u32,
	) -> Result<VersionId, DispatchError> {
		let mut record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(record.owner == who, Error::<T>::NotOwner);
		let version = record.next_version;
		ensure!(version <= T::MaxVersions::get(), Error::<T>::TooManyVersions);
		ensure!(size_bytes <= Self::max_model_bytes(), Error::<T>::ModelBytesTooLarge);
		ensure!(!VersionByHash::<T>::contains_key(p.model_hash), Error::<T>::ModelHashInUse);

		let uri: BoundedVec<u8, T::MaxUriLen> =
			p.uri.try_into().map_err(|_| Error::<T>::UriTooLong)?;
		let (inputs, input_len) = Self::check_inputs(p.inputs)?;
		let output_len = Self::check_output(&p.output, &p.aggregation)?;
		ensure!(
			p.input_scale <= MAX_SCALE && p.output_scale <= MAX_SCALE,
			Error::<T>::ScaleTooLarge
		);
		ensure!(
			(1..=T::MaxMinAgreement::get()).contains(&p.min_agreement),
			Error::<T>::InvalidMinAgreement
		);
		let golden_vectors = Self::bound_golden_vectors(p.golden_vectors, input_len, output_len)?;
		let (training_datasets, usage) =
			Self::check_training_data(p.training_datasets, p.commercial_use)?;
		let royalties = Self::royalties_of(&training_datasets)?;
		let training_run = p
			.training_run
			.map(|run| run.bounded().ok_or(Error::<T>::TrainingRunTextTooLong))
			.transpose()?;

		let draft = ModelVersion {
			model_hash: p.model_hash,
			size_bytes,
			uri,
			inputs,
			output: p.output,
			input_scale: p.input_scale,
			output_scale: p.output_scale,
			aggregation: p.aggregation,
			min_agreement: p.min_agreement,
			training_datasets,
			commercial_use: p.commercial_use,
			status: VersionStatus::Proposed,
			status_blocks: StatusBlocks { proposed: Self::now(), ..Default::default() },
			deposit: (),
		};
		let record_bytes = draft
			.encoded_size()
			.saturating_add(VersionDepositOf::<T>::max_encoded_len())
			.saturating_add(golden_vectors.encoded_size())
			.saturating_add(training_run.as_ref().map_or(0, |run| run.encoded_size()));
		let tickets = VersionDepositOf::<T>::new(
			&who,
			footprint_of_bytes(record_bytes),
			footprint_of_bytes(size_bytes as usize),
		)?;
		let deposit = tickets.held();
		let (v, ()) = draft.replace_deposit(tickets);

		record.next_version = version.saturating_add(1);
		Models::<T>::insert(model, record);
		Versions::<T>::insert(model, version, v);
		if !golden_vectors.is_empty() {
			GoldenVectors::<T>::insert(model, version, golden_vectors);
		}
		VersionByHash::<T>::insert(p.model_hash, (model, version));
		VersionUsage::<T>::insert(model, version, usage);
		if !royalties.is_empty() {
			VersionRoyalties::<T>::insert(model, version, royalties);
		}
		if let Some(run) = training_run {
			TrainingRuns::<T>::insert(model, version, run);
		}
		log::info!(
			target: LOG_TARGET,
			"model {model} version {version} proposed: {size_bytes} bytes, hash {:?}",
			p.model_hash,
		);
		Self::deposit_event(Event::ModelVersionProposed {
			model,
			version,
			model_hash: p.model_hash,
			size_bytes,
			deposit,
		});
		Ok(version)
	}

	/// What asking `Validation` costs: the verdicts, the operator set and the version's
	/// contract read.
	pub fn validation_weight() -> Weight {
		T::DbWeight::get().reads(3)
	}

	/// The inputs, bounded, and their element count together: 1 to `MAX_INPUTS` proper
	/// tensors, each a distinct model input, within `MaxTensorLen` together.
	pub(crate) fn check_inputs(
		inputs: Vec<TensorSpec>,
	) -> Result<(InputSpecs, u32), DispatchError> {
		ensure!(!inputs.is_empty(), Error::<T>::NoInputs);
		let inputs = InputSpecs::try_from(inputs).map_err(|_| Error::<T>::TooManyInputs)?;
		let max_len = T::MaxTensorLen::get();
		let mut total = 0u32;
		for (position, spec) in inputs.iter().enumerate() {
			let earlier = inputs.get(..position).unwrap_or_default();
			ensure!(earlier.iter().all(|e| e.index != spec.index), Error::<T>::DuplicateInput);
			let count = Self::check_tensor(spec, max_len)?;
			total = total.checked_add(count).ok_or(Error::<T>::TensorTooLarge)?;
		}
		ensure!(total <= max_len, Error::<T>::TensorTooLarge);
		Ok((inputs, total))
	}

	/// The element count of a tensor spec, within `MaxTensorLen`.
	pub(crate) fn check_tensor(spec: &TensorSpec, max_len: u32) -> Result<u32, DispatchError> {
		let count = match spec.element_count() {
			Some(count) => count,
			// A zero or missing dimension, or a product beyond `u32`: which one tells the
			// caller what to fix.
			None if spec.shape.is_empty() || spec.shape.contains(&0) => {
				return Err(Error::<T>::InvalidShape.into())
			}
			None => return Err(Error::<T>::TensorTooLarge.into()),
		};
		ensure!(count <= max_len, Error::<T>::TensorTooLarge);
		Ok(count)
	}

	/// Checks the output spec against the aggregation; returns how many elements
	/// operators report: the output's (at most `MaxTensorLen`), or its reduction's (of an
	/// output of at most `MaxReducedOutputLen`, itself at most `MaxTensorLen`).
	pub(crate) fn check_output(
		spec: &TensorSpec,
		aggregation: &Aggregation,
	) -> Result<u32, DispatchError> {
		if !aggregation.reduces() {
			return Self::check_tensor(spec, T::MaxTensorLen::get());
		}
		Self::check_tensor(spec, T::MaxReducedOutputLen::get())?;
		let reported = aggregation.reported_len(spec).ok_or(Error::<T>::AggregationDoesNotFit)?;
		ensure!(reported <= T::MaxTensorLen::get(), Error::<T>::TensorTooLarge);
		Ok(reported)
	}

	/// Bounds the golden vectors and checks their sizes against the tensor specs.
	pub(crate) fn bound_golden_vectors(
		vectors: Vec<GoldenVector>,
		input_len: u32,
		output_len: u32,
	) -> Result<GoldenVectorsOf<T>, DispatchError> {
		ensure!(
			vectors.len() <= T::MaxGoldenVectors::get() as usize,
			Error::<T>::TooManyGoldenVectors
		);
		let bounded = vectors
			.into_iter()
			.map(|g| {
				ensure!(
					g.input.len() == input_len as usize && g.output.len() == output_len as usize,
					Error::<T>::GoldenVectorMismatch
				);
				// The lengths are within `MaxTensorLen`: they equal checked element counts.
				Ok(BoundedGoldenVector {
					input: BoundedVec::truncate_from(g.input),
					output: BoundedVec::truncate_from(g.output),
				})
			})
			.collect::<Result<Vec<_>, DispatchError>>()?;
		Ok(BoundedVec::truncate_from(bounded))
	}

	/// Checks a version's training data: 1 to `MaxTrainingDatasets` distinct registered
	/// datasets, untainted, whose licences allow derivatives (and commercial use if the
	/// version declares it) and whose permissions allow training. Returns them and the
	/// strictest of their permissions (each dataset's are its lineage's: a derived dataset
	/// permits nothing its parents do not).
	pub(crate) fn check_training_data(
		datasets: Vec<DatasetId>,
		commercial_use: bool,
	) -> Result<(BoundedVec<DatasetId, T::MaxTrainingDatasets>, UsagePermissions), DispatchError> {
		ensure!(!datasets.is_empty(), Error::<T>::NoTrainingData);
		let datasets: BoundedVec<DatasetId, T::MaxTrainingDatasets> =
			datasets.try_into().map_err(|_| Error::<T>::TooManyTrainingDatasets)?;
		let mut seen = BTreeSet::new();
		let mut usage = UsagePermissions::ALL_ALLOWED;
		for id in datasets.iter() {
			ensure!(seen.insert(*id), Error::<T>::DuplicateTrainingDataset);
			let flags =
				T::Datasets::licence_flags(*id).ok_or(Error::<T>::TrainingDatasetNotFound)?;
			ensure!(flags.derivatives, Error::<T>::TrainingDataForbidsDerivatives);
			ensure!(
				flags.commercial_use || !commercial_use,
				Error::<T>::TrainingDataForbidsCommercialUse
			);
			let permissions =
				T::Datasets::permissions(*id).ok_or(Error::<T>::TrainingDatasetNotFound)?;
			ensure!(permissions.ai_training.permits(), Error::<T>::TrainingNotPermitted);
			usage = usage.strictest(permissions);
		}
		Self::ensure_untainted(&datasets)?;
		Ok((datasets, usage))
	}

	/// No training dataset is retracted or derived from retracted data.
	pub(crate) fn ensure_untainted(datasets: &[DatasetId]) -> DispatchResult {
		ensure!(
			!datasets.iter().any(|id| T::Datasets::is_tainted(*id)),
			Error::<T>::TrainingDataTainted
		);
		Ok(())
	}
}
