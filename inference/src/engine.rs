//! The [`Engine`]: models loaded by hash, optimised plans in an LRU cache, fixed-point
//! scoring.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use aioracle_primitives::model::{ElementType, ModelHash};
use tract_onnx::data_resolver::ModelDataResolver;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::format_err;
use tract_onnx::Onnx;

use crate::fixed_point::{
	check_scale, dequantise_f32, dequantise_f64, dequantise_int, quantise_float, quantise_int,
};
use crate::inspect::{
	check_no_external_data, declared_tensor_bytes, decode, describe, model_hash, ModelInfo,
};
use crate::limits::{format_bytes, overrun_error, EngineLimits, Workers};
use crate::plan::Plan;
use crate::EngineError;

/// The log target of the engine.
const LOG_TARGET: &str = "onnx";

/// The most plans (input shapes) kept per model; the oldest is dropped beyond that.
const MAX_PLANS_PER_MODEL: usize = 4;

/// tract-onnx with this crate's operators registered, and no access to external data
/// files. Built once.
///
/// Declared shapes do not constrain the computation, as in onnxruntime (which warns and
/// goes on with the shapes it computes): tract-onnx ignores the graph outputs' declared
/// shapes by default, and is told to ignore `value_info` too (skl2onnx's intermediate
/// shapes are not always what the operators compute). A declared output shape that
/// differs from the computed one only by dimensions of 1 is logged, not refused, when the
/// output is read (see [`read_output`]).
pub(crate) fn framework() -> &'static Onnx {
	static FRAMEWORK: OnceLock<Onnx> = OnceLock::new();
	FRAMEWORK.get_or_init(|| {
		let mut onnx = tract_onnx::onnx().with_ignore_value_info(true);
		crate::ops::register(&mut onnx.op_register);
		onnx.provider = Arc::new(NoExternalData);
		onnx
	})
}

/// Refuses every external-data read: a model is only the bytes it hashes to.
struct NoExternalData;

impl ModelDataResolver for NoExternalData {
	fn read_bytes_from_path(
		&self,
		_buf: &mut Vec<u8>,
		p: &Path,
		_offset: usize,
		_length: Option<usize>,
	) -> TractResult<()> {
		Err(format_err!("external tensor data ({p:?}) is not allowed"))
	}
}

/// A request to score a loaded model on its inputs, in fixed point (see
/// [`crate::fixed_point`] for the conversions): the same type the `onnx` host function
/// carries from the runtime.
pub use aioracle_primitives::onnx::ScoreRequest;

/// One input of [`Engine::score_named`]: the model's input of this name, in fixed point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedInput {
	/// The model's input name.
	pub name: String,
	/// Its concrete shape (the model's declared dimensions, symbolic ones resolved).
	pub shape: Vec<usize>,
	/// Its elements in fixed point at the input scale, row-major.
	pub values: Vec<i64>,
}

/// One output of [`Engine::score_named`].
#[derive(Clone, Debug, PartialEq)]
pub struct NamedOutput {
	/// The model's output name.
	pub name: String,
	/// Its element type, if it has a fixed-point value.
	pub element_type: Option<ElementType>,
	/// The shape the model computed.
	pub shape: Vec<usize>,
	/// Its elements in fixed point at the output scale, row-major, or why they have none.
	pub values: Result<Vec<i64>, EngineError>,
}

/// One input of a loaded model as its graph declares it.
struct DeclaredInput {
	/// Its name.
	name: String,
	/// Its element type.
	element_type: ElementType,
	/// Its dimensions (`None`: symbolic).
	dims: Vec<Option<u64>>,
}

impl DeclaredInput {
	/// The model's inputs, in the graph's order, if the engine can feed every one.
	fn all(info: &ModelInfo) -> Result<Vec<Self>, EngineError> {
		if info.inputs.is_empty() {
			return Err(EngineError::UnsupportedModel("the model has no input".into()));
		}
		info.inputs
			.iter()
			.map(|input| {
				let element_type = input.element_type.ok_or_else(|| {
					EngineError::UnsupportedModel(format!(
						"input {:?} is {}, which the engine cannot feed",
						input.name, input.onnx_type
					))
				})?;
				let dims = input.shape.clone().ok_or_else(|| {
					EngineError::UnsupportedModel(format!(
						"input {:?} declares no shape",
						input.name
					))
				})?;
				Ok(Self { name: input.name.clone(), element_type, dims })
			})
			.collect()
	}

	/// Checks that `shape` fills the declared dimensions (a symbolic one takes any size).
	fn check_shape(&self, shape: &[usize]) -> Result<(), EngineError> {
		let compatible = self.dims.len() == shape.len()
			&& self.dims.iter().zip(shape).all(|(d, s)| d.is_none_or(|d| d == *s as u64));
		if compatible {
			return Ok(());
		}
		let dims: Vec<String> =
			self.dims.iter().map(|d| d.map_or_else(|| "N".to_string(), |d| d.to_string())).collect();
		Err(EngineError::WrongInputShape(format!(
			"input {:?} is [{}], the request's {shape:?}",
			self.name,
			dims.join(", ")
		)))
	}

	/// Its shape with every symbolic dimension 1.
	fn batch_one(&self) -> Vec<usize> {
		self.dims.iter().map(|d| d.unwrap_or(1) as usize).collect()
	}
}

/// A loaded model: what it is, its parsed (not yet typed) graph, and its plans.
struct Loaded {
	info: ModelInfo,
	/// The parsed graph, its inputs as declared (symbolic batch included).
	model: InferenceModel,
	/// Its inputs in the graph's order: a [`TensorSpec`](aioracle_primitives::model::TensorSpec)'s
	/// `index` is a position here.
	inputs: Vec<DeclaredInput>,
	/// For each of tract's input outlets, in tract's order, the graph input it is.
	outlets: Vec<usize>,
	/// Plans by input shapes (in the graph's order), oldest first.
	plans: Mutex<Vec<(Vec<Vec<usize>>, Arc<Plan>)>>,
}

impl Loaded {
	/// The plan for input `shapes` (in the graph's order), built (type-checked, optimised)
	/// the first time.
	fn plan(&self, shapes: &[Vec<usize>]) -> Result<Arc<Plan>, EngineError> {
		if let Some((_, plan)) = lock(&self.plans).iter().find(|(s, _)| s == shapes) {
			return Ok(plan.clone());
		}
		let plan = build_plan(&self.model, &self.outlet_facts(shapes))?;
		let mut plans = lock(&self.plans);
		if !plans.iter().any(|(s, _)| s == shapes) {
			if plans.len() >= MAX_PLANS_PER_MODEL {
				plans.remove(0);
			}
			plans.push((shapes.to_vec(), plan.clone()));
		}
		Ok(plan)
	}

	/// Each tract input outlet's element type and shape, for input `shapes` in the graph's
	/// order.
	fn outlet_facts(&self, shapes: &[Vec<usize>]) -> Vec<(ElementType, Vec<usize>)> {
		self.outlets
			.iter()
			.map(|&input| (self.inputs[input].element_type, shapes[input].clone()))
			.collect()
	}
}

/// For each of tract's input outlets of `model`, in order, the position among `names`
/// (the graph's inputs, in order) of the input of the same name.
fn outlet_order(model: &InferenceModel, names: &[String]) -> TractResult<Vec<usize>> {
	model
		.input_outlets()?
		.iter()
		.map(|outlet| {
			let name = &model.node(outlet.node).name;
			names
				.iter()
				.position(|n| n == name)
				.ok_or_else(|| format_err!("tract reads an unknown input {name:?}"))
		})
		.collect()
}

/// Types a copy of the parsed graph for concrete inputs (one per tract input outlet, in
/// tract's order) and optimises it.
fn build_plan(
	model: &InferenceModel,
	outlets: &[(ElementType, Vec<usize>)],
) -> Result<Arc<Plan>, EngineError> {
	let build = || -> TractResult<Arc<Plan>> {
		let mut model = model.clone();
		for (i, (element_type, shape)) in outlets.iter().enumerate() {
			let fact = InferenceFact::dt_shape(datum_type(*element_type), &shape[..]);
			model = model.with_input_fact(i, fact)?;
		}
		Ok(Arc::new(Plan::new(model.into_optimized()?.into_runnable()?)))
	};
	build().map_err(|e| EngineError::InvalidModel(format!("{e:#}")))
}

/// The tract datum type of an element type.
fn datum_type(t: ElementType) -> DatumType {
	match t {
		ElementType::F32 => f32::datum_type(),
		ElementType::F64 => f64::datum_type(),
		ElementType::I32 => i32::datum_type(),
		ElementType::I64 => i64::datum_type(),
		ElementType::U8 => u8::datum_type(),
	}
}

/// The element type of a tract datum type, if the engine reads that type.
fn element_type(dt: DatumType) -> Option<ElementType> {
	match dt {
		DatumType::F32 => Some(ElementType::F32),
		DatumType::F64 => Some(ElementType::F64),
		DatumType::I32 => Some(ElementType::I32),
		DatumType::U8 => Some(ElementType::U8),
		// tract types ONNX int64 tensors it may use as shapes as TDim; their values are
		// plain integers by the time they are outputs.
		DatumType::I64 | DatumType::TDim => Some(ElementType::I64),
		_ => None,
	}
}

/// Locks a mutex, ignoring poisoning (the data under these locks stays consistent: a
/// panic cannot leave a half-made entry).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
	m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The loaded models, least recently used first out.
struct Cache {
	capacity: usize,
	/// Incremented on every use; an entry's `used` is the tick of its last use.
	tick: u64,
	entries: Vec<(ModelHash, Arc<Loaded>, u64)>,
}

impl Cache {
	/// The model, marked as just used.
	fn get(&mut self, hash: &ModelHash) -> Option<Arc<Loaded>> {
		self.tick += 1;
		let tick = self.tick;
		self.entries.iter_mut().find(|(h, _, _)| h == hash).map(|(_, loaded, used)| {
			*used = tick;
			loaded.clone()
		})
	}

	/// Adds a model (or replaces it), evicting the least recently used beyond capacity;
	/// returns the evicted hashes.
	fn insert(&mut self, hash: ModelHash, loaded: Arc<Loaded>) -> Vec<ModelHash> {
		self.tick += 1;
		self.entries.retain(|(h, _, _)| *h != hash);
		let mut evicted = vec![];
		while self.entries.len() >= self.capacity {
			let oldest = (0..self.entries.len())
				.min_by_key(|i| self.entries[*i].2)
				.expect("capacity is at least 1");
			evicted.push(self.entries.remove(oldest).0);
		}
		self.entries.push((hash, loaded, self.tick));
		evicted
	}

	/// Drops a model; whether it was there.
	fn remove(&mut self, hash: &ModelHash) -> bool {
		let before = self.entries.len();
		self.entries.retain(|(h, _, _)| h != hash);
		self.entries.len() != before
	}
}

/// The ONNX engine: loads models by hash, keeps optimised plans of the most recently used
/// ones, and scores fixed-point requests.
///
/// It is `Send + Sync`: share it behind an `Arc` between threads. Loading and planning run
/// outside the cache lock, so scoring one model does not wait for another's load (two
/// threads loading the same new model at once may both parse it; the cache keeps one).
///
/// ## Plans and input shapes
/// scikit-learn exports have a symbolic batch dimension (`[N, k]`). A model's graph is
/// parsed once, at load, and a plan is typed and optimised per concrete input shape and
/// cached with the model (at most 4 shapes per model). The load itself builds the plan for
/// the declared shape with every symbolic dimension set to 1 (batch 1), which is also where
/// the graph is type-checked: a model that loads can score single rows without further
/// planning. Each plan also keeps the run states of its last runs (up to 4), which a
/// scoring reuses rather than have tract build every node's state again.
///
/// ## Capacity
/// The cache holds at most `capacity` models (at least 1); loading one more evicts the
/// least recently used (loaded or scored). Scoring an evicted model gives
/// [`EngineError::UnknownModel`]: load its bytes again and retry.
///
/// ## Resource limits
/// Every load (parse, type-check, optimise) and every scoring runs on a worker thread
/// under the engine's [`EngineLimits`]: one that takes too long or allocates too
/// much fails with [`EngineError::ResourceLimit`], and the model is refused from then on
/// ([`Engine::is_over_budget`]) while the others are served as before. See
/// [`EngineLimits`] for how, and what it cannot do.
pub struct Engine {
	cache: Mutex<Cache>,
	parses: AtomicU64,
	limits: EngineLimits,
	/// The models that went over a time or memory budget, and how.
	over_budget: Mutex<BTreeMap<ModelHash, String>>,
	/// The threads loads and scorings run on.
	workers: Workers,
}

impl Engine {
	/// An engine that keeps at most `capacity` models (0 counts as 1), with the default
	/// [`EngineLimits`].
	pub fn new(capacity: usize) -> Self {
		Self::with_limits(capacity, EngineLimits::default())
	}

	/// An engine that keeps at most `capacity` models (0 counts as 1) and loads and
	/// scores them within `limits`.
	pub fn with_limits(capacity: usize, limits: EngineLimits) -> Self {
		Engine {
			cache: Mutex::new(Cache { capacity: capacity.max(1), tick: 0, entries: vec![] }),
			parses: AtomicU64::new(0),
			limits,
			over_budget: Mutex::new(BTreeMap::new()),
			workers: Workers::new(None),
		}
	}

	/// Runs `setup` at the start of every worker thread, and keeps what it returns as
	/// long as the thread. A Substrate node needs it: its panic handler exits the
	/// process on a panic in a thread that does not hold
	/// `sp_panic_handler::AbortGuard::force_unwind()`, and the engine catches the panics
	/// of tract rather than let a model take the node down.
	pub fn with_worker_setup(
		mut self,
		setup: impl Fn() -> Box<dyn std::any::Any> + Send + Sync + 'static,
	) -> Self {
		self.workers = Workers::new(Some(Arc::new(setup)));
		self
	}

	/// The engine's limits.
	pub fn limits(&self) -> EngineLimits {
		self.limits
	}

	/// Whether the model went over a time or memory budget (once is enough): the engine
	/// refuses to load or score it until the process restarts.
	pub fn is_over_budget(&self, hash: &ModelHash) -> bool {
		lock(&self.over_budget).contains_key(hash)
	}

	/// [`EngineError::ResourceLimit`] if the model went over budget before.
	fn check_budget(&self, hash: &ModelHash) -> Result<(), EngineError> {
		match lock(&self.over_budget).get(hash) {
			Some(why) => Err(EngineError::ResourceLimit(format!(
				"{why}; this node will not try the model again until it restarts"
			))),
			None => Ok(()),
		}
	}

	/// Records that the model went over budget, and drops it from the cache.
	fn mark_over_budget(&self, hash: ModelHash, error: &EngineError) {
		let why = match error {
			EngineError::ResourceLimit(why) => why.clone(),
			other => other.to_string(),
		};
		log::warn!(
			target: LOG_TARGET,
			"model {hash:?}: {why}; refused from now on (its worker thread may still be running \
			 or asleep until the node restarts)"
		);
		lock(&self.over_budget).insert(hash, why);
		lock(&self.cache).remove(&hash);
	}

	/// The most models the engine keeps.
	pub fn capacity(&self) -> usize {
		lock(&self.cache).capacity
	}

	/// The number of models loaded now.
	pub fn len(&self) -> usize {
		lock(&self.cache).entries.len()
	}

	/// Whether no model is loaded.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}

	/// How many times the engine has parsed a model's graph (a load of a model already
	/// cached does not parse).
	pub fn parse_count(&self) -> u64 {
		self.parses.load(Ordering::Relaxed)
	}

	/// Whether the model is loaded (does not count as a use for the LRU order).
	pub fn is_loaded(&self, hash: &ModelHash) -> bool {
		lock(&self.cache).entries.iter().any(|(h, _, _)| h == hash)
	}

	/// The checks made on a model's bytes before tract sees them: their size and that of
	/// the tensors they declare against the memory budget, the operators, external data.
	/// The decoded protobuf and what the model is.
	fn check_bytes(
		&self,
		bytes: &[u8],
	) -> Result<(tract_onnx::pb::ModelProto, ModelInfo), EngineError> {
		let budget = self.limits.max_model_memory_bytes;
		if bytes.len() as u64 > budget {
			return Err(EngineError::ResourceLimit(format!(
				"the model is {} bytes long, more than the memory budget of {}",
				bytes.len(),
				format_bytes(budget)
			)));
		}
		let proto = decode(bytes)?;
		let graph = proto.graph.as_ref().expect("decode checks the graph");
		let declared = declared_tensor_bytes(graph)?;
		if declared > budget {
			return Err(EngineError::ResourceLimit(format!(
				"the model's initializers and constants would take {declared} bytes, more than \
				 the memory budget of {}",
				format_bytes(budget)
			)));
		}
		let info = describe(&proto, bytes);
		if !info.unsupported_ops.is_empty() {
			return Err(EngineError::UnsupportedOperator(info.unsupported_ops.join(", ")));
		}
		check_no_external_data(proto.graph.as_ref().expect("decode checks the graph"))?;
		Ok((proto, info))
	}

	/// Loads a model: checks that `bytes` hash (blake2-256) to `expected`, checks its
	/// operators, parses it with tract-onnx (with this crate's ONNX-ML operators), types
	/// and optimises it for a batch of 1, and caches it. Loading a model that is cached
	/// only checks the hash and marks it used.
	///
	/// [`EngineError::ResourceLimit`] if the bytes, or the tensors the model declares,
	/// are larger than the memory budget (nothing is parsed), if parsing and optimising
	/// takes longer than [`EngineLimits::max_load`] or allocates more than the memory
	/// budget, or if the model went over budget before.
	pub fn load(&self, expected: ModelHash, bytes: &[u8]) -> Result<ModelInfo, EngineError> {
		self.check_budget(&expected)?;
		let actual = model_hash(bytes);
		if actual != expected {
			return Err(EngineError::HashMismatch { expected, actual });
		}
		if let Some(loaded) = lock(&self.cache).get(&expected) {
			return Ok(loaded.info.clone());
		}
		let started = Instant::now();
		let (proto, info) = self.check_bytes(bytes)?;
		let inputs = DeclaredInput::all(&info)?;

		self.parses.fetch_add(1, Ordering::Relaxed);
		let batch_one: Vec<Vec<usize>> = inputs.iter().map(DeclaredInput::batch_one).collect();
		// The worker shares the protobuf rather than taking it, so that it is freed here
		// (unless the worker outlives the wait), not credited to the worker's allocations.
		let proto = Arc::new(proto);
		let work = {
			let proto = proto.clone();
			let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
			let facts: Vec<(ElementType, Vec<usize>)> =
				inputs.iter().zip(&batch_one).map(|(i, s)| (i.element_type, s.clone())).collect();
			move || -> Result<(InferenceModel, Vec<usize>, Arc<Plan>), EngineError> {
				let invalid = |e: TractError| EngineError::InvalidModel(format!("{e:#}"));
				let parsed = framework().parse(&proto, None).map_err(invalid)?;
				if !parsed.unresolved_inputs.is_empty() {
					return Err(EngineError::InvalidModel(format!(
						"unresolved inputs: {:?}",
						parsed.unresolved_inputs
					)));
				}
				let outlets = outlet_order(&parsed.model, &names).map_err(invalid)?;
				let outlet_facts: Vec<_> = outlets.iter().map(|&i| facts[i].clone()).collect();
				let plan = build_plan(&parsed.model, &outlet_facts)?;
				Ok((parsed.model, outlets, plan))
			}
		};
		let (model, outlets, plan) = self.run_limited(Stage::Load, expected, work)?;
		drop(proto);
		// Another load of the same model may have gone over budget meanwhile.
		self.check_budget(&expected)?;
		let loaded = Arc::new(Loaded {
			info: info.clone(),
			model,
			inputs,
			outlets,
			plans: Mutex::new(vec![(batch_one, plan)]),
		});
		let evicted = lock(&self.cache).insert(expected, loaded);
		log::info!(
			target: LOG_TARGET,
			"loaded model {expected:?} ({} bytes, {} ops) in {} ms",
			info.size_bytes,
			info.ops.iter().map(|o| o.count).sum::<usize>(),
			started.elapsed().as_millis()
		);
		for hash in evicted {
			log::info!(target: LOG_TARGET, "evicted model {hash:?} (least recently used)");
		}
		Ok(info)
	}

	/// Scores one request with a loaded model: dequantises each input, runs the plan for
	/// their shapes, and returns output `request.output.index` in fixed point, row-major.
	///
	/// The request must feed every input of the model once (its specs' `index`es are
	/// positions among the graph's inputs, in any order), each with its declared element
	/// type and a shape that fills its declared dimensions; `values` holds the inputs'
	/// elements in the order of `request.inputs`.
	///
	/// Errors: [`EngineError::UnknownModel`] if the model is not loaded;
	/// [`EngineError::WrongInputShape`], [`EngineError::WrongElementType`] or
	/// [`EngineError::WrongOutputShape`] if the request does not match the model;
	/// [`EngineError::NonFiniteOutput`] or [`EngineError::OutputOutOfRange`] if an output
	/// element has no fixed-point value; [`EngineError::ResourceLimit`] if the scoring
	/// takes longer than [`EngineLimits::max_score`] or allocates more than the memory
	/// budget, or if the model went over budget before.
	pub fn score(&self, hash: ModelHash, request: &ScoreRequest) -> Result<Vec<i64>, EngineError> {
		self.check_budget(&hash)?;
		check_scale(request.input_scale)?;
		check_scale(request.output_scale)?;
		let loaded = lock(&self.cache).get(&hash).ok_or(EngineError::UnknownModel(hash))?;
		let tensors = feed(&loaded.inputs, request)?;
		let shapes: Vec<Vec<usize>> = tensors.iter().map(|t| t.shape().to_vec()).collect();
		let mut tensors: Vec<Option<Tensor>> = tensors.into_iter().map(Some).collect();
		let output = request.output.clone();
		let output_scale = request.output_scale;
		let work = {
			let shapes = shapes.clone();
			move || -> Result<Vec<i64>, EngineError> {
				let plan = loaded.plan(&shapes)?;
				let mut values = TVec::with_capacity(loaded.outlets.len());
				for &input in &loaded.outlets {
					let tensor = tensors[input].take().ok_or_else(|| {
						EngineError::Inference(format!("tract reads input {input} twice"))
					})?;
					values.push(tensor.into_tvalue());
				}
				let outputs =
					plan.run(values).map_err(|e| EngineError::Inference(format!("{e:#}")))?;
				read_output(&outputs, &output, output_scale)
			}
		};
		let result = self.run_limited(Stage::Score, hash, work)?;
		log::debug!(
			target: LOG_TARGET,
			"scored model {hash:?}: inputs {shapes:?} -> output {} {:?}: {result:?}",
			request.output.index,
			request.output.shape
		);
		Ok(result)
	}

	/// Scores a model once on named inputs, any number of them, and returns every output
	/// in fixed point: what `aioracle-node model score --input-file` runs. Each of the
	/// model's inputs must be given, by name, in fixed point at `input_scale` (dequantised
	/// to the input's element type as [`Engine::score`] does); the shape of each must
	/// match the input's declared dimensions, symbolic ones taking the given size. Each
	/// output is quantised at `output_scale` on its own: one that has no fixed-point value
	/// is an error in its place, the others are returned.
	///
	/// The model is parsed, checked and planned for these shapes under the engine's
	/// [`EngineLimits`] as in [`Engine::load`] (and refused from then on if it goes over
	/// a budget), and is not cached. Off-chain workers use [`Engine::score`], which reports
	/// one output with a cached plan.
	pub fn score_named(
		&self,
		bytes: &[u8],
		inputs: &[NamedInput],
		input_scale: u8,
		output_scale: u8,
	) -> Result<Vec<NamedOutput>, EngineError> {
		check_scale(input_scale)?;
		check_scale(output_scale)?;
		let hash = model_hash(bytes);
		self.check_budget(&hash)?;
		let (proto, info) = self.check_bytes(bytes)?;
		let names = |list: &mut dyn Iterator<Item = &str>| {
			list.map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
		};
		let missing: Vec<&str> = info
			.inputs
			.iter()
			.map(|t| t.name.as_str())
			.filter(|n| !inputs.iter().any(|i| i.name == *n))
			.collect();
		if !missing.is_empty() {
			return Err(EngineError::WrongInputShape(format!(
				"missing input(s) {}; the model reads {}",
				names(&mut missing.into_iter()),
				names(&mut info.inputs.iter().map(|t| t.name.as_str()))
			)));
		}
		let unknown: Vec<&str> = inputs
			.iter()
			.map(|i| i.name.as_str())
			.filter(|n| !info.inputs.iter().any(|t| t.name == *n))
			.collect();
		if !unknown.is_empty() {
			return Err(EngineError::WrongInputShape(format!(
				"the model has no input(s) {}; it reads {}",
				names(&mut unknown.into_iter()),
				names(&mut info.inputs.iter().map(|t| t.name.as_str()))
			)));
		}
		// (name, element type, shape, tensor) in the model's order.
		let mut fed = Vec::with_capacity(info.inputs.len());
		for declared in DeclaredInput::all(&info)? {
			let given = inputs.iter().find(|i| i.name == declared.name).expect("checked above");
			let shape = &given.shape;
			declared.check_shape(shape)?;
			let count: usize = shape.iter().product();
			if given.values.len() != count {
				return Err(EngineError::WrongInputShape(format!(
					"input {:?}: {} values for shape {shape:?} ({count} elements)",
					declared.name,
					given.values.len()
				)));
			}
			let tensor = dequantise(&given.values, input_scale, declared.element_type, shape)?;
			fed.push((declared.name, declared.element_type, shape.clone(), tensor));
		}

		self.parses.fetch_add(1, Ordering::Relaxed);
		let proto = Arc::new(proto);
		let facts: Vec<(String, ElementType, Vec<usize>)> =
			fed.iter().map(|(n, t, s, _)| (n.clone(), *t, s.clone())).collect();
		let work = {
			let proto = proto.clone();
			move || -> Result<(Arc<TypedSimplePlan>, Vec<String>), EngineError> {
				let invalid = |e: TractError| EngineError::InvalidModel(format!("{e:#}"));
				let parsed = framework().parse(&proto, None).map_err(invalid)?;
				if !parsed.unresolved_inputs.is_empty() {
					return Err(EngineError::InvalidModel(format!(
						"unresolved inputs: {:?}",
						parsed.unresolved_inputs
					)));
				}
				let mut model = parsed.model;
				let outlets = model.input_outlets().map_err(invalid)?.to_vec();
				let mut order = Vec::with_capacity(outlets.len());
				for (i, outlet) in outlets.iter().enumerate() {
					let name = model.node(outlet.node).name.clone();
					let (_, t, shape) =
						facts.iter().find(|(n, _, _)| *n == name).ok_or_else(|| {
							EngineError::InvalidModel(format!(
								"tract reads an unknown input {name:?}"
							))
						})?;
					let fact = InferenceFact::dt_shape(datum_type(*t), &shape[..]);
					model = model.with_input_fact(i, fact).map_err(invalid)?;
					order.push(name);
				}
				let plan =
					model.into_optimized().and_then(|m| m.into_runnable()).map_err(invalid)?;
				Ok((plan, order))
			}
		};
		let (plan, order) = self.run_limited(Stage::Load, hash, work)?;
		drop(proto);
		let mut values = TVec::new();
		for name in &order {
			let at = fed.iter().position(|(n, ..)| n == name).expect("every input was found");
			values.push(fed.swap_remove(at).3.into_tvalue());
		}
		let names: Vec<String> = info.outputs.iter().map(|t| t.name.clone()).collect();
		let work = move || -> Result<Vec<NamedOutput>, EngineError> {
			let outputs = plan.run(values).map_err(|e| EngineError::Inference(format!("{e:#}")))?;
			Ok(outputs
				.iter()
				.enumerate()
				.map(|(index, output)| NamedOutput {
					name: names.get(index).cloned().unwrap_or_default(),
					element_type: element_type(output.datum_type()),
					shape: output.shape().to_vec(),
					values: quantise(output, output_scale),
				})
				.collect())
		};
		let outputs = self.run_limited(Stage::Score, hash, work)?;
		let shapes: Vec<(&str, &[usize])> =
			inputs.iter().map(|i| (i.name.as_str(), i.shape.as_slice())).collect();
		log::debug!(target: LOG_TARGET, "scored model {hash:?} on named inputs {shapes:?}");
		Ok(outputs)
	}

	/// Runs `work` for model `hash` on a worker thread, within the stage's deadline and
	/// the memory budget; marks the model over budget if it is not.
	fn run_limited<T: Send + 'static>(
		&self,
		stage: Stage,
		hash: ModelHash,
		work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
	) -> Result<T, EngineError> {
		let (what, deadline, panicked): (&str, _, fn(String) -> EngineError) = match stage {
			Stage::Load => ("loading", self.limits.max_load, EngineError::InvalidModel),
			Stage::Score => ("scoring", self.limits.max_score, EngineError::Inference),
		};
		match self.workers.run(deadline, self.limits.max_model_memory_bytes, work) {
			Ok(result) => result,
			Err(overrun) => {
				let over_budget = overrun.is_over_budget();
				let error = overrun_error(what, overrun, panicked);
				if over_budget {
					self.mark_over_budget(hash, &error);
				}
				Err(error)
			}
		}
	}
}

/// What a worker does for the engine.
#[derive(Clone, Copy)]
enum Stage {
	/// Parse, type-check and optimise a model.
	Load,
	/// Score one request.
	Score,
}

/// Output `spec.index` of a run, checked against `spec` and quantised.
fn read_output(
	outputs: &TVec<TValue>,
	spec: &aioracle_primitives::model::TensorSpec,
	scale: u8,
) -> Result<Vec<i64>, EngineError> {
	let index = spec.index as usize;
	let output = outputs.get(index).ok_or_else(|| {
		EngineError::WrongOutputShape(format!(
			"output index {index}: the model has {} outputs",
			outputs.len()
		))
	})?;
	let output_type = element_type(output.datum_type());
	if output_type != Some(spec.element_type) {
		return Err(EngineError::WrongElementType(format!(
			"the model's output {index} is {:?}, the request reads {:?}",
			output.datum_type(),
			spec.element_type
		)));
	}
	let expected: Vec<usize> = spec.shape.iter().map(|d| *d as usize).collect();
	let computed = output.shape();
	if computed != expected.as_slice() {
		if !same_but_unit_dims(computed, &expected) {
			return Err(EngineError::WrongOutputShape(format!(
				"the model's output {index} has computed shape {computed:?}, the request \
				 expects {expected:?}"
			)));
		}
		// The same elements in the same order: onnxruntime would return the computed
		// shape whatever the graph declares; the request's is the declared one.
		log::warn!(
			target: LOG_TARGET,
			"output {index}: computed shape {computed:?}, the request's {expected:?}; they \
			 differ only by dimensions of 1, so the values are returned"
		);
	}
	quantise(output, scale)
}

/// Whether two shapes are the same once their dimensions of 1 are dropped (and so
/// describe the same elements in the same row-major order).
fn same_but_unit_dims(a: &[usize], b: &[usize]) -> bool {
	let a = a.iter().filter(|d| **d != 1);
	let b = b.iter().filter(|d| **d != 1);
	a.eq(b)
}

/// The tensors `request` feeds the model's `inputs`, in the graph's order, once it is
/// checked that it feeds each input once, with its element type and a shape that fills
/// its declared dimensions, and that `values` holds exactly their elements.
fn feed(inputs: &[DeclaredInput], request: &ScoreRequest) -> Result<Vec<Tensor>, EngineError> {
	let wrong_shape = EngineError::WrongInputShape;
	let expected = request.inputs.iter().try_fold(0usize, |total, spec| {
		let count = spec.element_count().ok_or_else(|| {
			wrong_shape(format!("input shape {:?} has no elements", spec.shape.as_slice()))
		})?;
		Ok::<_, EngineError>(total.saturating_add(count as usize))
	})?;
	if request.values.len() != expected {
		return Err(wrong_shape(format!(
			"{} values for inputs of {expected} elements",
			request.values.len()
		)));
	}
	let mut tensors: Vec<Option<Tensor>> = inputs.iter().map(|_| None).collect();
	let mut offset = 0;
	for spec in &request.inputs {
		let index = spec.index as usize;
		let declared = inputs.get(index).ok_or_else(|| {
			wrong_shape(format!("input index {index}: the model has {} input(s)", inputs.len()))
		})?;
		if tensors[index].is_some() {
			return Err(wrong_shape(format!("input {:?} (index {index}) is fed twice", declared.name)));
		}
		if spec.element_type != declared.element_type {
			return Err(EngineError::WrongElementType(format!(
				"input {:?} is {:?}, the request feeds {:?}",
				declared.name, declared.element_type, spec.element_type
			)));
		}
		let shape: Vec<usize> = spec.shape.iter().map(|d| *d as usize).collect();
		declared.check_shape(&shape)?;
		let count: usize = shape.iter().product();
		let values = &request.values[offset..offset + count];
		let tensor = dequantise(values, request.input_scale, spec.element_type, &shape).map_err(
			|e| match e {
				EngineError::InputOutOfRange { index } => {
					EngineError::InputOutOfRange { index: offset + index }
				}
				e => e,
			},
		)?;
		tensors[index] = Some(tensor);
		offset += count;
	}
	let missing: Vec<&str> = inputs
		.iter()
		.zip(&tensors)
		.filter(|(_, tensor)| tensor.is_none())
		.map(|(input, _)| input.name.as_str())
		.collect();
	if !missing.is_empty() {
		return Err(wrong_shape(format!(
			"the request does not feed input(s) {missing:?}; the model has {} input(s)",
			inputs.len()
		)));
	}
	Ok(tensors.into_iter().flatten().collect())
}

/// The input tensor of fixed-point `values`.
fn dequantise(
	values: &[i64],
	scale: u8,
	element_type: ElementType,
	shape: &[usize],
) -> Result<Tensor, EngineError> {
	let tensor = match element_type {
		ElementType::F32 => {
			let v: Vec<f32> = values.iter().map(|q| dequantise_f32(*q, scale)).collect();
			Tensor::from_shape(shape, &v)
		}
		ElementType::F64 => {
			let v: Vec<f64> = values.iter().map(|q| dequantise_f64(*q, scale)).collect();
			Tensor::from_shape(shape, &v)
		}
		ElementType::I64 => {
			let v: Vec<i64> = values.iter().map(|q| dequantise_int(*q, scale)).collect();
			Tensor::from_shape(shape, &v)
		}
		ElementType::I32 => {
			let v = values
				.iter()
				.enumerate()
				.map(|(index, q)| {
					i32::try_from(dequantise_int(*q, scale))
						.map_err(|_| EngineError::InputOutOfRange { index })
				})
				.collect::<Result<Vec<i32>, _>>()?;
			Tensor::from_shape(shape, &v)
		}
		ElementType::U8 => {
			let v = values
				.iter()
				.enumerate()
				.map(|(index, q)| {
					u8::try_from(dequantise_int(*q, scale))
						.map_err(|_| EngineError::InputOutOfRange { index })
				})
				.collect::<Result<Vec<u8>, _>>()?;
			Tensor::from_shape(shape, &v)
		}
	};
	tensor.map_err(|e| EngineError::WrongInputShape(format!("{e:#}")))
}

/// An output tensor in fixed point.
fn quantise(output: &TValue, scale: u8) -> Result<Vec<i64>, EngineError> {
	let fail = |e: TractError| EngineError::Inference(format!("{e:#}"));
	let output = if output.datum_type() == DatumType::TDim {
		std::borrow::Cow::Owned(output.cast_to::<i64>().map_err(fail)?.into_owned())
	} else {
		std::borrow::Cow::Borrowed(&**output)
	};
	let view = output.try_as_plain_ram().map_err(fail)?;
	match output.datum_type() {
		DatumType::F32 => view
			.as_slice::<f32>()
			.map_err(fail)?
			.iter()
			.enumerate()
			.map(|(i, y)| quantise_float(*y as f64, scale, i))
			.collect(),
		DatumType::F64 => view
			.as_slice::<f64>()
			.map_err(fail)?
			.iter()
			.enumerate()
			.map(|(i, y)| quantise_float(*y, scale, i))
			.collect(),
		DatumType::I64 => view
			.as_slice::<i64>()
			.map_err(fail)?
			.iter()
			.enumerate()
			.map(|(i, y)| quantise_int(*y, scale, i))
			.collect(),
		DatumType::I32 => view
			.as_slice::<i32>()
			.map_err(fail)?
			.iter()
			.enumerate()
			.map(|(i, y)| quantise_int(*y as i64, scale, i))
			.collect(),
		DatumType::U8 => view
			.as_slice::<u8>()
			.map_err(fail)?
			.iter()
			.enumerate()
			.map(|(i, y)| quantise_int(i64::from(*y), scale, i))
			.collect(),
		dt => Err(EngineError::WrongElementType(format!("output type {dt:?} has no fixed point"))),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn assert_send_sync<T: Send + Sync>() {}

	#[test]
	fn engine_is_send_and_sync() {
		assert_send_sync::<Engine>();
	}

	#[test]
	fn unit_dimensions_do_not_change_the_elements() {
		assert!(same_but_unit_dims(&[1], &[1, 1]));
		assert!(same_but_unit_dims(&[3, 1], &[3]));
		assert!(same_but_unit_dims(&[1, 3], &[3, 1]));
		assert!(!same_but_unit_dims(&[2, 3], &[3, 2]));
		assert!(!same_but_unit_dims(&[6], &[2, 3]));
	}
}
