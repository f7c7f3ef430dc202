//! Benchmarks only: storage set up directly, for this pallet's benchmarks and for other
//! pallets' (the oracle's need active models and canaries).

use crate::*;

impl<T: Config> Pallet<T> {
	/// Benchmarks only (other pallets' too): creates a model owned by `owner` with one
	/// proposed version that takes `input_len` and returns `output_len` F32 elements, with
	/// median aggregation at tolerance 0 and `min_agreement`, trained on one dataset from
	/// `T::BenchmarkHelper`. `owner` must be able to pay the deposits.
	pub fn benchmark_proposed_version(
		owner: T::AccountId,
		input_len: u32,
		output_len: u32,
		min_agreement: u32,
	) -> Result<(ModelId, VersionId), DispatchError> {
		let model = Self::do_create_model(owner.clone(), alloc::vec![b'm'], Vec::new())?;
		let spec = |index, len: u32| TensorSpec {
			index,
			element_type: ElementType::F32,
			shape: BoundedVec::truncate_from(alloc::vec![1, len]),
		};
		let proposal = VersionProposal {
			model_hash: (b"benchmark model", model).using_encoded(blake2_256).into(),
			uri: Vec::new(),
			inputs: alloc::vec![spec(0, input_len)],
			output: spec(1, output_len),
			input_scale: 0,
			output_scale: 0,
			aggregation: Aggregation::Median { tolerance: 0 },
			min_agreement,
			training_datasets: alloc::vec![T::BenchmarkHelper::training_dataset()],
			commercial_use: false,
			golden_vectors: Vec::new(),
			training_run: None,
		};
		let version = Self::store_version(owner, model, proposal, 1)?;
		Ok((model, version))
	}

	/// A model with one active, priced version taking `input_len` elements and giving
	/// `output_len`, asking for `min_agreement` agreeing operators: what the oracle's
	/// benchmarks request.
	pub fn benchmark_active_model(
		owner: T::AccountId,
		input_len: u32,
		output_len: u32,
		min_agreement: u32,
	) -> Result<ModelId, DispatchError> {
		let (model, version) =
			Self::benchmark_proposed_version(owner, input_len, output_len, min_agreement)?;
		Self::approve(model, version)?;
		Self::do_activate(model, version)?;
		// Priced, so that requests hold a price and finalizing one credits it: the most
		// work a request and its closing do.
		Self::endow_pot();
		VersionPrices::<T>::insert(model, version, T::Currency::minimum_balance());
		Ok(model)
	}
}

impl<T: Config> Pallet<T> {
	/// Benchmarks only (this pallet's and the oracle's): a proposed version of `model`,
	/// owned by `owner`, that `program` serves: F32 tensors of its input and output lengths
	/// and scales, median aggregation at tolerance 0, and one golden vector, the program's
	/// output on the sample input `aioracle_exact::sample::input_for` gives (returned too).
	/// The program itself is not set.
	pub fn benchmark_exact_proposal(
		owner: T::AccountId,
		model: ModelId,
		program: &aioracle_exact::Program,
	) -> Result<(VersionId, Vec<i64>), DispatchError> {
		let input = aioracle_exact::sample::input_for(program);
		let output = aioracle_exact::run(program, &input)
			.map_err(|_| Error::<T>::ExactProgramFailsGoldenVector)?;
		let spec = |index, len: usize| TensorSpec {
			index,
			element_type: ElementType::F32,
			shape: BoundedVec::truncate_from(alloc::vec![1, len as u32]),
		};
		let proposal = VersionProposal {
			model_hash: (b"benchmark exact model", model).using_encoded(blake2_256).into(),
			uri: Vec::new(),
			inputs: alloc::vec![spec(0, input.len())],
			output: spec(1, output.len()),
			input_scale: program.input.scale,
			output_scale: program.output_scale,
			aggregation: Aggregation::Median { tolerance: 0 },
			min_agreement: 1,
			training_datasets: alloc::vec![T::BenchmarkHelper::training_dataset()],
			commercial_use: false,
			golden_vectors: alloc::vec![GoldenVector { input: input.clone(), output }],
			training_run: None,
		};
		let version = Self::store_version(owner, model, proposal, 1)?;
		Ok((version, input))
	}

	/// Benchmarks only (the oracle's): a model owned by `owner` with one active, priced
	/// version served by the cheapest exact program of `input_len` input elements (the
	/// position of the largest, `aioracle_exact::sample::position_of_largest`; see
	/// [`Self::benchmark_exact_proposal`]). Returns the model and the program's sample
	/// input. `owner` must be able to pay the deposits.
	pub fn benchmark_exact_model(
		owner: T::AccountId,
		input_len: u32,
	) -> Result<(ModelId, Vec<i64>), DispatchError> {
		let program = aioracle_exact::sample::position_of_largest(input_len);
		let model = Self::do_create_model(owner.clone(), alloc::vec![b'x'], Vec::new())?;
		let (version, input) = Self::benchmark_exact_proposal(owner.clone(), model, &program)?;
		Self::do_set_exact_program(owner, model, version, program.encode())?;
		Self::approve(model, version)?;
		Self::do_activate(model, version)?;
		Self::endow_pot();
		VersionPrices::<T>::insert(model, version, T::Currency::minimum_balance());
		Ok((model, input))
	}
}

impl<T: Config> Pallet<T> {
	/// Benchmarks only (the oracle's): starts a canary of `model` (which has an active
	/// version) that samples every request, with a new version served like the active one
	/// and bounds that never trip. `owner` must own the model and be able to pay.
	pub fn benchmark_canary(
		owner: T::AccountId,
		model: ModelId,
	) -> Result<VersionId, DispatchError> {
		let active =
			Models::<T>::get(model).and_then(|m| m.active).ok_or(Error::<T>::NoActiveVersion)?;
		let v = Versions::<T>::get(model, active).ok_or(Error::<T>::VersionNotFound)?;
		let proposal = VersionProposal {
			model_hash: (b"benchmark canary", model).using_encoded(blake2_256).into(),
			uri: Vec::new(),
			inputs: v.inputs.into_inner(),
			output: v.output,
			input_scale: v.input_scale,
			output_scale: v.output_scale,
			aggregation: v.aggregation,
			min_agreement: v.min_agreement,
			training_datasets: v.training_datasets.into_inner(),
			commercial_use: v.commercial_use,
			golden_vectors: Vec::new(),
			training_run: None,
		};
		let version = Self::store_version(owner, model, proposal, 1)?;
		Self::approve(model, version)?;
		Self::do_start_canary(model, version, Perbill::one(), u32::MAX, u32::MAX)?;
		Ok(version)
	}
}
