//! Benchmarks of every call, each in its worst case over the pallet's bounds.

use super::*;
use aioracle_exact::{sample, OpKind, Program};
use aioracle_primitives::training::MAX_TRAINING_TEXT_LEN;
use alloc::vec;
use frame::{benchmarking::prelude::*, traits::fungible::Mutate};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId
where
	T::Currency: Mutate<T::AccountId>,
{
	let who: T::AccountId = account(name, index, 0);
	// Enough for a model and a hundred of the largest versions (or uploads).
	let record = footprint_of_bytes(1_000_000);
	let bytes = footprint_of_bytes(Pallet::<T>::max_model_bytes() as usize);
	let per_version = T::VersionTicket::price(record)
		.saturating_add(T::VersionBytesTicket::price(bytes))
		.max(T::UploadTicket::price(record).saturating_add(T::UploadBytesTicket::price(bytes)));
	let amount = T::ModelTicket::price(record)
		.saturating_add(per_version)
		.saturating_mul(100u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// A model with the longest name and description, owned by a funded account.
fn model<T: Config>() -> Result<(T::AccountId, ModelId), BenchmarkError>
where
	T::Currency: Mutate<T::AccountId>,
{
	let owner = funded::<T>("owner", 0);
	let id = Pallet::<T>::do_create_model(
		owner.clone(),
		vec![b'n'; T::MaxNameLen::get() as usize],
		vec![b'd'; T::MaxDescriptionLen::get() as usize],
	)
	.map_err(|_| BenchmarkError::Stop("the set-up model was refused"))?;
	Ok((owner, id))
}

/// `len` bytes that differ for each `seed`.
fn onnx_bytes(len: u32, seed: u32) -> Vec<u8> {
	let mut bytes = vec![0x5a; len as usize];
	for (b, s) in bytes.iter_mut().zip(seed.to_le_bytes()) {
		*b = s;
	}
	bytes
}

/// The largest serving contract in bounds for `bytes`, trained on `datasets` fresh
/// worst-case datasets.
fn proposal<T: Config>(bytes: &[u8], datasets: u32) -> VersionProposalOf<T> {
	let text = || vec![b't'; MAX_TRAINING_TEXT_LEN as usize];
	let len = T::MaxTensorLen::get();
	let spec = |index| TensorSpec {
		index,
		element_type: ElementType::F32,
		shape: BoundedVec::truncate_from(vec![1, len]),
	};
	VersionProposal {
		model_hash: blake2_256(bytes).into(),
		uri: vec![b'u'; T::MaxUriLen::get() as usize],
		inputs: vec![spec(0)],
		output: spec(1),
		input_scale: MAX_SCALE,
		output_scale: MAX_SCALE,
		aggregation: Aggregation::Median { tolerance: u64::MAX },
		min_agreement: T::MaxMinAgreement::get(),
		training_datasets: (0..datasets).map(|_| T::BenchmarkHelper::training_dataset()).collect(),
		commercial_use: true,
		golden_vectors: vec![
			GoldenVector {
				input: vec![i64::MAX; len as usize],
				output: vec![i64::MIN; len as usize]
			};
			T::MaxGoldenVectors::get() as usize
		],
		// The longest run: its bytes are charged a deposit and written.
		training_run: Some(TrainingRun {
			code_hash: [1; 32].into(),
			code_uri: text(),
			hyperparameters_hash: [2; 32].into(),
			framework: text(),
			framework_version: text(),
			ran_by: account("runner", 0, 0),
		}),
	}
}

/// Proposes a version of `model` with `datasets` training datasets and returns its number.
fn propose<T: Config>(
	owner: &T::AccountId,
	model: ModelId,
	seed: u32,
	datasets: u32,
) -> Result<VersionId, BenchmarkError> {
	let bytes = onnx_bytes(64, seed);
	Pallet::<T>::do_propose(owner.clone(), model, proposal::<T>(&bytes, datasets), bytes)
		.map_err(|_| BenchmarkError::Stop("the set-up proposal was refused"))
}

/// A proposed version of a fresh model served by `program` (its input and output lengths
/// and scales), whose one golden vector is the program's own output on the sample input:
/// returns the owner, the model and the version.
fn exact_candidate<T: Config>(
	program: &Program,
) -> Result<(T::AccountId, ModelId, VersionId), BenchmarkError>
where
	T::Currency: Mutate<T::AccountId>,
{
	let (owner, model) = model::<T>()?;
	let (version, _) = Pallet::<T>::benchmark_exact_proposal(owner.clone(), model, program)
		.map_err(|_| BenchmarkError::Stop("the set-up proposal was refused"))?;
	Ok((owner, model, version))
}

/// A program of at most (and about) `bytes` bytes that serves a version of `MaxTensorLen`-bounded
/// tensors: a linear layer from the input (at most 64 elements) to as many outputs as its
/// weights take `bytes`, as long as a run stays within `MaxExactOperations` (the rest of
/// the bytes an unused constant), every weight analysed for overflow, then the position of
/// the largest output (one element). What validating and decoding a program of that size
/// costs.
fn program_of_size<T: Config>(bytes: u32) -> Program {
	let inputs = T::MaxTensorLen::get().clamp(1, 64);
	// Everything but the constants' values takes less than 128 bytes.
	let values = bytes.saturating_sub(128) / 8;
	let mut outputs = (values / inputs).max(1);
	loop {
		let program = linear_program(inputs, outputs, values.saturating_sub(inputs * outputs));
		let within = aioracle_exact::load(&program.encode())
			.is_ok_and(|(_, a)| a.total() <= u64::from(T::MaxExactOperations::get()));
		if within || outputs == 1 {
			return program;
		}
		outputs -= 1;
	}
}

/// A linear layer from `inputs` elements to `outputs`, then the position of the largest
/// output, with an unused constant of `padding` values.
fn linear_program(inputs: u32, outputs: u32, padding: u32) -> Program {
	use aioracle_exact::program::{Constant, InputRange, InputSpec, Interval, Op};
	let mut constants = vec![Constant {
		scale: 9,
		values: (0..inputs * outputs).map(|i| 1_000_000_000 + i64::from(i)).collect(),
	}];
	if padding > 0 {
		constants.push(Constant { scale: 0, values: vec![0; padding as usize] });
	}
	Program {
		version: aioracle_exact::FORMAT_VERSION,
		input: InputSpec {
			len: inputs,
			scale: 6,
			range: InputRange::Global(Interval { min: -1_000_000_000_000, max: 1_000_000_000_000 }),
		},
		constants,
		nodes: vec![
			Op::Linear { input: 0, weights: 0, bias: None, outputs, scale: 9 },
			Op::ArgMax { input: 1 },
		],
		output: 2,
		output_scale: 0,
	}
}

/// Runs `program` on `input`, which must succeed.
fn run_sample(program: &Program, input: &[i64]) -> Result<(), BenchmarkError> {
	aioracle_exact::run(program, input)
		.map(|_| ())
		.map_err(|_| BenchmarkError::Stop("the sample program did not run"))
}

/// The most operations the per-kind run benchmarks take. A run's cost per operation falls
/// as a program grows (each node's fixed work is spread over more elements), so a line
/// fitted over programs of up to this many operations, the size of the models people
/// compile (the example models take 11 to 1,562), charges larger programs (up to
/// `MaxExactOperations`) more than they take, never less; fitted over the whole range, the
/// line's intercept (charged to every run) came out at up to 1.4 ms, hundreds of times what
/// a small program takes.
const EXACT_BENCH_OPERATIONS: u32 = 2_000;

/// The sample program of `n` operations of `kind` and its worst-case input.
fn exact_run(kind: OpKind, n: u32) -> (Program, Vec<i64>) {
	let program = sample::program_of(kind, n);
	let input = sample::input_for(&program);
	(program, input)
}

/// A complete upload of `chunks` chunks for `model` (the chunks marked received without
/// sending them): returns the whole file's hash.
fn complete_upload<T: Config>(
	owner: &T::AccountId,
	model: ModelId,
	chunks: u32,
) -> Result<ModelHash, BenchmarkError> {
	let hash: ModelHash = blake2_256(&(b"uploaded", model, chunks).encode()).into();
	let hashes = (0..chunks).map(|i| blake2_256(&i.encode()).into()).collect();
	Pallet::<T>::do_begin_upload(owner.clone(), model, hash, chunks, hashes)
		.map_err(|_| BenchmarkError::Stop("the set-up upload was refused"))?;
	Uploads::<T>::mutate(hash, |upload| {
		if let Some(upload) = upload {
			upload.received.iter_mut().for_each(|r| *r = true);
			upload.received_bytes = upload.size_bytes;
		}
	});
	Ok(hash)
}

/// Proposes and approves a version.
fn approved<T: Config>(
	owner: &T::AccountId,
	model: ModelId,
	seed: u32,
	datasets: u32,
) -> Result<VersionId, BenchmarkError> {
	let version = propose::<T>(owner, model, seed, datasets)?;
	Pallet::<T>::approve_version(RawOrigin::Root.into(), model, version)
		.map_err(|_| BenchmarkError::Stop("the set-up approval was refused"))?;
	Ok(version)
}

/// A model whose active version is not its first and which remembers as many previous
/// versions as it can: activating another shifts that memory, the most work activation
/// does. Returns the owner and the model.
fn model_with_history<T: Config>() -> Result<(T::AccountId, ModelId), BenchmarkError>
where
	T::Currency: Mutate<T::AccountId>,
{
	let (owner, model) = model::<T>()?;
	for seed in 0..=T::MaxRollbackDepth::get() {
		let version = approved::<T>(&owner, model, seed, 1)?;
		Pallet::<T>::activate_version(RawOrigin::Root.into(), model, version)
			.map_err(|_| BenchmarkError::Stop("the set-up activation was refused"))?;
	}
	Ok((owner, model))
}

/// Puts a fresh approved version of `model` (which has an active version) in canary: the
/// extra work a call that ends the canary does. Returns the candidate.
fn running_canary<T: Config>(
	owner: &T::AccountId,
	model: ModelId,
) -> Result<VersionId, BenchmarkError> {
	let candidate = approved::<T>(owner, model, 2_000, 1)?;
	Pallet::<T>::do_start_canary(model, candidate, Perbill::from_percent(10), 5, 5)
		.map_err(|_| BenchmarkError::Stop("the set-up canary was refused"))?;
	Ok(candidate)
}

fn origin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks(where T::Currency: Mutate<T::AccountId>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_model() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let name = vec![b'n'; T::MaxNameLen::get() as usize];
		let description = vec![b'd'; T::MaxDescriptionLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), name, description);

		ensure!(Models::<T>::contains_key(0), "the model was not created");
		Ok(())
	}

	/// `b` bytes of ONNX (hashed and indexed), `d` training datasets (each with the
	/// longest ancestry the dataset pallet allows, walked for taint).
	#[benchmark]
	fn propose_version(
		b: Linear<1, { T::MaxModelBytes::get() }>,
		d: Linear<1, { T::MaxTrainingDatasets::get() }>,
	) -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let bytes = onnx_bytes(b, u32::MAX);
		let proposal = proposal::<T>(&bytes, d);
		let hash = proposal.model_hash;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, proposal, bytes);

		ensure!(VersionByHash::<T>::get(hash) == Some((model, 1)), "the version was not stored");
		Ok(())
	}

	/// The worst case: a version uploaded in `MaxChunks` chunks, each cleared.
	#[benchmark]
	fn withdraw_version() -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let hash = complete_upload::<T>(&owner, model, T::MaxChunks::get())?;
		let mut p = proposal::<T>(&[], T::MaxTrainingDatasets::get());
		p.model_hash = hash;
		let (version, _) = Pallet::<T>::do_propose_uploaded(owner.clone(), model, p)
			.map_err(|_| BenchmarkError::Stop("the set-up proposal was refused"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version);

		ensure!(!Versions::<T>::contains_key(model, version), "the version was not withdrawn");
		Ok(())
	}

	/// `d` training datasets checked for taint.
	#[benchmark]
	fn approve_version(
		d: Linear<1, { T::MaxTrainingDatasets::get() }>,
	) -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let version = propose::<T>(&owner, model, 0, d)?;
		let origin = origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model, version);

		ensure!(
			Versions::<T>::get(model, version).map(|v| v.status) == Some(VersionStatus::Approved),
			"the version was not approved"
		);
		Ok(())
	}

	/// `d` training datasets checked for taint; the active version is deprecated and the
	/// full rollback memory shifted.
	#[benchmark]
	fn activate_version(
		d: Linear<1, { T::MaxTrainingDatasets::get() }>,
	) -> Result<(), BenchmarkError> {
		let (owner, model) = model_with_history::<T>()?;
		let version = approved::<T>(&owner, model, 1_000, d)?;
		// Another version's canary runs: activation stops it, writing that version too.
		let candidate = running_canary::<T>(&owner, model)?;
		let origin = origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model, version);

		ensure!(
			Models::<T>::get(model).and_then(|m| m.active) == Some(version),
			"the version was not activated"
		);
		ensure!(
			Versions::<T>::get(model, candidate).map(|v| v.status) == Some(VersionStatus::Approved),
			"the canary was not stopped"
		);
		Ok(())
	}

	#[benchmark]
	fn reject_version() -> Result<(), BenchmarkError> {
		// The candidate of a running canary: rejecting it ends the canary too.
		let (owner, model) = model_with_history::<T>()?;
		let version = running_canary::<T>(&owner, model)?;
		let origin = origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model, version);

		ensure!(
			Versions::<T>::get(model, version).map(|v| v.status) == Some(VersionStatus::Rejected),
			"the version was not rejected"
		);
		Ok(())
	}

	#[benchmark]
	fn deprecate_version() -> Result<(), BenchmarkError> {
		let (owner, model) = model_with_history::<T>()?;
		let version = Models::<T>::get(model)
			.and_then(|m| m.active)
			.ok_or(BenchmarkError::Stop("the set-up model has no active version"))?;
		running_canary::<T>(&owner, model)?;
		let origin = origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model, version);

		ensure!(
			Models::<T>::get(model).map(|m| m.active.is_none()) == Some(true),
			"the version was not deprecated"
		);
		Ok(())
	}

	/// `d` training datasets of the version returned to, checked for taint.
	#[benchmark]
	fn rollback(d: Linear<1, { T::MaxTrainingDatasets::get() }>) -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let first = approved::<T>(&owner, model, 0, d)?;
		let second = approved::<T>(&owner, model, 1, 1)?;
		for version in [first, second] {
			Pallet::<T>::activate_version(RawOrigin::Root.into(), model, version)
				.map_err(|_| BenchmarkError::Stop("the set-up activation was refused"))?;
		}
		running_canary::<T>(&owner, model)?;
		let origin = origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model);

		ensure!(
			Models::<T>::get(model).and_then(|m| m.active) == Some(first),
			"the model was not rolled back"
		);
		Ok(())
	}

	/// `c` chunk hashes declared.
	#[benchmark]
	fn begin_upload(c: Linear<1, { T::MaxChunks::get() }>) -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let hash: ModelHash = blake2_256(b"upload").into();
		let chunks: Vec<ChunkHash> = (0..c).map(|i| blake2_256(&i.encode()).into()).collect();
		let size = c.saturating_mul(T::MaxChunkBytes::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, hash, size, chunks);

		ensure!(Uploads::<T>::contains_key(hash), "the upload was not begun");
		Ok(())
	}

	/// A chunk of `b` bytes hashed and indexed, into an upload of `MaxChunks` chunks.
	#[benchmark]
	fn upload_chunk(b: Linear<1, { T::MaxChunkBytes::get() }>) -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let bytes = onnx_bytes(b, 7);
		let hash: ModelHash = blake2_256(b"upload").into();
		let count = T::MaxChunks::get();
		let mut chunks: Vec<ChunkHash> =
			(0..count).map(|i| blake2_256(&i.encode()).into()).collect();
		let last = count - 1;
		chunks[last as usize] = blake2_256(&bytes).into();
		let size = count.saturating_mul(T::MaxChunkBytes::get());
		Pallet::<T>::do_begin_upload(owner.clone(), model, hash, size, chunks)
			.map_err(|_| BenchmarkError::Stop("the set-up upload was refused"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), hash, last, bytes);

		ensure!(
			Uploads::<T>::get(hash).map(|u| u.received_count()) == Some(1),
			"the chunk was not received"
		);
		Ok(())
	}

	/// An upload of `c` chunks proposed, trained on `d` datasets.
	#[benchmark]
	fn propose_uploaded_version(
		c: Linear<1, { T::MaxChunks::get() }>,
		d: Linear<1, { T::MaxTrainingDatasets::get() }>,
	) -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let hash = complete_upload::<T>(&owner, model, c)?;
		let mut p = proposal::<T>(&[], d);
		p.model_hash = hash;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, p);

		ensure!(VersionByHash::<T>::get(hash) == Some((model, 1)), "the version was not stored");
		Ok(())
	}

	/// An upload of `c` chunks cancelled, each cleared.
	#[benchmark]
	fn cancel_upload(c: Linear<1, { T::MaxChunks::get() }>) -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let hash = complete_upload::<T>(&owner, model, c)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), hash);

		ensure!(!Uploads::<T>::contains_key(hash), "the upload was not cancelled");
		Ok(())
	}

	/// A proposed version declares a `FileEdges` decoding, checked against its input.
	#[benchmark]
	fn set_input_decoding() -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let version = propose::<T>(&owner, model, 0, 1)?;
		let count = Versions::<T>::get(model, version)
			.and_then(|v| aioracle_primitives::model::inputs_len(&v.inputs))
			.ok_or(BenchmarkError::Stop("the set-up version has no input"))?;
		let decoding = BlobDecoding::FileEdges {
			begin: count / 2,
			end: count - count / 2,
			block: 4096,
			padding: 256,
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version, decoding);

		ensure!(
			InputDecodings::<T>::get(model, version) == Some(decoding),
			"the decoding was not set"
		);
		Ok(())
	}

	/// `d` training datasets of the candidate, checked for taint; the candidate's contract
	/// compared with the active version's.
	#[benchmark]
	fn start_canary(d: Linear<1, { T::MaxTrainingDatasets::get() }>) -> Result<(), BenchmarkError> {
		let (owner, model) = model_with_history::<T>()?;
		let version = approved::<T>(&owner, model, 1_000, d)?;
		let origin = origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model, version, Perbill::from_percent(10), 5, 5);

		ensure!(RunningCanary::<T>::get(model) == Some(version), "the canary did not start");
		Ok(())
	}

	#[benchmark]
	fn end_canary() -> Result<(), BenchmarkError> {
		let (owner, model) = model_with_history::<T>()?;
		let version = running_canary::<T>(&owner, model)?;
		let origin = origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model);

		ensure!(
			Versions::<T>::get(model, version).map(|v| v.status) == Some(VersionStatus::Approved),
			"the canary did not end"
		);
		Ok(())
	}

	#[benchmark]
	fn set_price() -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let version = propose::<T>(&owner, model, 0, 1)?;
		let price = T::Currency::minimum_balance();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version, price);

		ensure!(VersionPrices::<T>::get(model, version) == Some(price), "the price was not set");
		Ok(())
	}

	/// The worst case: a dataset's share (its owner is read) of a version with
	/// `MaxRoyalties` royalties, paid to an account that does not exist yet.
	#[benchmark]
	fn pay_out() -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let version = propose::<T>(&owner, model, 0, 1)?;
		let share = Permill::from_rational(1u32, T::MaxRoyalties::get().max(1));
		let royalties: Vec<Royalty> = (0..T::MaxRoyalties::get())
			.map(|depth| Royalty {
				dataset: T::BenchmarkHelper::training_dataset(),
				depth: depth + 1,
				share,
			})
			.collect();
		let payee = Payee::Dataset(royalties.last().map(|r| r.dataset).unwrap_or_default());
		VersionRoyalties::<T>::insert(model, version, BoundedVec::truncate_from(royalties));
		let earnings = T::Currency::minimum_balance().saturating_mul(1_000_000u32.into());
		Earnings::<T>::insert(model, version, earnings);
		Pallet::<T>::endow_pot();
		T::Currency::mint_into(&Pallet::<T>::pot_account(), earnings)
			.map_err(|_| BenchmarkError::Stop("the pot could not be funded"))?;
		let caller = funded::<T>("caller", 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), model, version, payee);

		ensure!(!PaidOut::<T>::get((model, version, payee)).is_zero(), "nothing was paid out");
		Ok(())
	}

	/// The worst case of checking one version in a taint scan: `MaxTrainingDatasets`
	/// datasets of the longest lineage, only the last tainted, at its oldest ancestor, so
	/// every lineage is walked before the version is marked.
	#[benchmark]
	fn taint_scan_step() -> Result<(), BenchmarkError> {
		let (owner, model) = model::<T>()?;
		let version = propose::<T>(&owner, model, 0, T::MaxTrainingDatasets::get())?;
		let datasets = Versions::<T>::get(model, version)
			.map(|v| v.training_datasets)
			.ok_or(BenchmarkError::Stop("no version"))?;
		let last = datasets.last().copied().ok_or(BenchmarkError::Stop("no dataset"))?;
		T::BenchmarkHelper::retract_oldest_ancestor(last);
		let marked;

		#[block]
		{
			marked = Pallet::<T>::check_version_taint(model, version);
		}

		ensure!(marked && TaintedVersions::<T>::contains_key(model, version), "not marked");
		Ok(())
	}

	/// A program of `b` bytes (a linear layer's weights, 8 bytes each) decoded, validated,
	/// run on one golden vector and stored. Further golden vectors are charged
	/// one run each ([`Pallet::exact_run_weight`]).
	#[benchmark]
	fn set_exact_program(
		b: Linear<64, { T::MaxExactProgramBytes::get() }>,
	) -> Result<(), BenchmarkError> {
		let program = program_of_size::<T>(b);
		let (owner, model, version) = exact_candidate::<T>(&program)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version, program.encode());

		ensure!(ExactPrograms::<T>::contains_key(model, version), "the program was not set");
		Ok(())
	}

	/// A stored program of `b` bytes read from state and decoded, as a request to its
	/// version does before running it.
	#[benchmark(pov_mode = Measured)]
	fn exact_load(b: Linear<64, { T::MaxExactProgramBytes::get() }>) -> Result<(), BenchmarkError> {
		let program = program_of_size::<T>(b);
		let (owner, model, version) = exact_candidate::<T>(&program)?;
		Pallet::<T>::do_set_exact_program(owner, model, version, program.encode())
			.map_err(|_| BenchmarkError::Stop("the set-up program was refused"))?;
		let decoded;
		#[block]
		{
			decoded = ExactPrograms::<T>::get(model, version)
				.map(|p| Program::decode_bounded(&p.program));
		}
		ensure!(decoded == Some(Ok(program)), "the program did not decode");
		Ok(())
	}

	/// One run of a program taking `n` multiply-adds (a linear layer).
	#[benchmark]
	fn exact_linear(n: Linear<1, EXACT_BENCH_OPERATIONS>) -> Result<(), BenchmarkError> {
		let (program, input) = exact_run(OpKind::Linear, n);
		#[block]
		{
			run_sample(&program, &input)?;
		}
		Ok(())
	}

	/// One run of a program taking `n` element-wise operations.
	#[benchmark]
	fn exact_elementwise(
		n: Linear<1, EXACT_BENCH_OPERATIONS>,
	) -> Result<(), BenchmarkError> {
		let (program, input) = exact_run(OpKind::Elementwise, n);
		#[block]
		{
			run_sample(&program, &input)?;
		}
		Ok(())
	}

	/// One run of a program normalizing `n` elements.
	#[benchmark]
	fn exact_normalizer(
		n: Linear<1, EXACT_BENCH_OPERATIONS>,
	) -> Result<(), BenchmarkError> {
		let (program, input) = exact_run(OpKind::Normalizer, n);
		#[block]
		{
			run_sample(&program, &input)?;
		}
		Ok(())
	}

	/// One run of a program taking `n` fixed-point exponentials.
	#[benchmark]
	fn exact_exp(n: Linear<1, EXACT_BENCH_OPERATIONS>) -> Result<(), BenchmarkError> {
		let (program, input) = exact_run(OpKind::Exp, n);
		#[block]
		{
			run_sample(&program, &input)?;
		}
		Ok(())
	}

	/// One run of a program taking `n` tree steps (branches taken and leaf weights added).
	#[benchmark]
	fn exact_tree_step(
		n: Linear<1, EXACT_BENCH_OPERATIONS>,
	) -> Result<(), BenchmarkError> {
		let (program, input) = exact_run(OpKind::TreeStep, n);
		#[block]
		{
			run_sample(&program, &input)?;
		}
		Ok(())
	}

	/// One run of a program comparing or copying `n` elements.
	#[benchmark]
	fn exact_select(n: Linear<1, EXACT_BENCH_OPERATIONS>) -> Result<(), BenchmarkError> {
		let (program, input) = exact_run(OpKind::Select, n);
		#[block]
		{
			run_sample(&program, &input)?;
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
