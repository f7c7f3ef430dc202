//! `aioracle-node model inspect FILE.onnx` and `aioracle-node model score FILE.onnx ...`
//! (and `model compile`, the exact tier's, in `exact_cli`):
//! what a model owner checks before proposing a version, with the same engine and the same
//! fixed-point rules as the off-chain workers.

use std::path::PathBuf;

use aioracle_inference::{
	inspect, model_hash, EngineLimits, ModelInfo, NamedInput, ScoreRequest, TensorInfo,
};
use aioracle_primitives::model::{ElementType, TensorSpec, MAX_TENSOR_RANK};
use serde_json::{json, Value};
use sp_runtime::BoundedVec;

#[path = "npy.rs"]
mod npy;

/// `aioracle-node model ...`
#[derive(Debug, clap::Subcommand)]
pub enum ModelCmd {
	/// Print a model's hash, size, inputs, outputs, opsets, operators and the operators
	/// this engine does not support (JSON).
	Inspect(InspectCmd),
	/// Score one input and print the fixed-point outputs an off-chain worker would submit
	/// (JSON, one entry per model output); with `--exact`, the exact tier's output.
	Score(ScoreCmd),
	/// Compile an ONNX model into an exact program (the exact tier: run by the runtime
	/// itself), or say which operator or value range prevents it; print its hash, size and
	/// operation counts (JSON).
	Compile(crate::exact_cli::CompileCmd),
}

/// `aioracle-node model inspect FILE`
#[derive(Debug, clap::Args)]
pub struct InspectCmd {
	/// The ONNX file.
	pub file: PathBuf,
}

/// `aioracle-node model score FILE --input-scale S --output-scale S --input v1,v2,...`, or
/// `... --input-file CASE.npz`
#[derive(Debug, clap::Args)]
pub struct ScoreCmd {
	/// The ONNX file.
	pub file: PathBuf,
	/// Decimals of the fixed-point input (the version's `input_scale`).
	#[arg(long)]
	pub input_scale: u8,
	/// Decimals of the fixed-point output (the version's `output_scale`).
	#[arg(long)]
	pub output_scale: u8,
	/// The input row, comma-separated decimals (e.g. `5.1,3.5,1.4,0.2`); each is turned
	/// into fixed point as a dApp would: `round_half_even(x * 10^input_scale)`.
	#[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
	pub input: Vec<f64>,
	/// The inputs as numpy wrote them: an `.npz` (`np.savez`, `np.savez_compressed`) with
	/// one array per model input, named as the inputs, or an `.npy` (`np.save`) for a
	/// model with one input. Each array's shape must be the input's (symbolic dimensions
	/// such as the batch take the array's size). Float arrays are turned into fixed point
	/// as `--input` does; integer and boolean arrays are the values themselves (fixed
	/// point `v * 10^input_scale`, exact, so the model reads `v` whatever the scale).
	#[arg(long, conflicts_with = "input", required_unless_present = "input")]
	pub input_file: Option<PathBuf>,
	/// Score with the exact tier's interpreter instead of the engine: FILE is a program
	/// `model compile` wrote, or an ONNX file compiled first (name its `--output`).
	#[arg(long, conflicts_with = "input_file")]
	pub exact: bool,
	/// With `--exact` on an ONNX file: the output the program computes.
	#[arg(long, requires = "exact")]
	pub output: Option<String>,
}

fn io_error(e: impl std::fmt::Display) -> sc_cli::Error {
	sc_cli::Error::Input(e.to_string())
}

fn element_type_name(t: Option<ElementType>) -> Value {
	t.map_or(Value::Null, |t| json!(format!("{t:?}")))
}

/// A declared shape: fixed dimensions as numbers, symbolic ones as their name (e.g.
/// `"N"`), or `"?"` if unnamed; `null` if the model declares none.
fn shape_json(t: &TensorInfo) -> Value {
	let Some(shape) = &t.shape else { return Value::Null };
	let dims = shape.iter().enumerate().map(|(i, d)| match d {
		Some(d) => json!(d),
		None => json!(t.dim_names.get(i).cloned().flatten().unwrap_or_else(|| "?".into())),
	});
	Value::Array(dims.collect())
}

fn tensor_json(t: &TensorInfo) -> Value {
	json!({
		"name": t.name,
		"elementType": element_type_name(t.element_type),
		"onnxType": t.onnx_type,
		"shape": shape_json(t),
	})
}

fn info_json(info: &ModelInfo) -> Value {
	json!({
		"modelHash": format!("{:?}", info.hash),
		"sizeBytes": info.size_bytes,
		"producer": info.producer,
		"opsets": info.opset_imports.iter().map(|o| json!({"domain": o.domain, "version": o.version})).collect::<Vec<_>>(),
		"inputs": info.inputs.iter().map(tensor_json).collect::<Vec<_>>(),
		"outputs": info.outputs.iter().map(tensor_json).collect::<Vec<_>>(),
		"operators": info.ops.iter().map(|o| json!({"domain": o.domain, "op": o.op_type, "count": o.count, "supported": o.supported})).collect::<Vec<_>>(),
		"unsupportedOperators": info.unsupported_ops,
	})
}

/// The concrete spec of a model tensor at batch size 1 (symbolic dimensions become 1).
fn batch_one_spec(index: usize, t: &TensorInfo) -> Result<TensorSpec, sc_cli::Error> {
	let element_type = t.element_type.ok_or_else(|| {
		io_error(format!("tensor {} has an element type the chain cannot name", t.name))
	})?;
	let dims: Vec<u32> = t
		.shape
		.as_ref()
		.ok_or_else(|| io_error(format!("tensor {} has no declared shape", t.name)))?
		.iter()
		.map(|d| d.map_or(1, |d| d as u32))
		.collect();
	if dims.len() > MAX_TENSOR_RANK as usize {
		return Err(io_error(format!(
			"tensor {} has more than {MAX_TENSOR_RANK} dimensions",
			t.name
		)));
	}
	Ok(TensorSpec { index: index as u32, element_type, shape: BoundedVec::truncate_from(dims) })
}

/// `round_half_even(x * 10^scale)`, as a dApp turns a decimal into the chain's fixed point
/// (the same rounding as the engine's outputs and the models' reference inputs).
pub(crate) fn to_fixed_point(x: f64, scale: u8) -> Result<i64, sc_cli::Error> {
	let scaled = (x * 10f64.powi(scale.into())).round_ties_even();
	if !scaled.is_finite() || scaled.abs() >= i64::MAX as f64 {
		return Err(io_error(format!("{x} does not fit an i64 at scale {scale}")));
	}
	Ok(scaled as i64)
}

/// An integer the way `--input-file` takes integer arrays: the value itself, so its fixed
/// point is `v * 10^scale`, exactly.
fn int_to_fixed_point(v: i64, scale: u8) -> Result<i64, sc_cli::Error> {
	v.checked_mul(10i64.pow(scale.into()))
		.ok_or_else(|| io_error(format!("{v} does not fit an i64 at scale {scale}")))
}

/// The model's inputs from an `.npy` or `.npz`, in fixed point at `scale`, checked against
/// the model's input names (every one given, no other).
fn file_inputs(
	path: &std::path::Path,
	info: &ModelInfo,
	scale: u8,
) -> Result<Vec<NamedInput>, sc_cli::Error> {
	let bytes = std::fs::read(path)
		.map_err(|e| io_error(format!("cannot read {}: {e}", path.display())))?;
	let arrays = npy::read(&bytes).map_err(|e| io_error(format!("{}: {e}", path.display())))?;
	let quoted = |names: &mut dyn Iterator<Item = &str>| {
		names.map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
	};
	let model_names = || quoted(&mut info.inputs.iter().map(|t| t.name.as_str()));
	let arrays: Vec<(String, npy::Array)> = if matches!(arrays.as_slice(), [(None, _)]) {
		let [input] = info.inputs.as_slice() else {
			return Err(io_error(format!(
				"{}: an .npy holds one array, the model reads {} inputs ({}); give an .npz with \
				 one array per input, named as the inputs (np.savez(path, **arrays))",
				path.display(),
				info.inputs.len(),
				model_names()
			)));
		};
		arrays.into_iter().map(|(_, a)| (input.name.clone(), a)).collect()
	} else {
		arrays.into_iter().map(|(n, a)| (n.unwrap_or_default(), a)).collect()
	};
	let missing: Vec<&str> = info
		.inputs
		.iter()
		.map(|t| t.name.as_str())
		.filter(|n| !arrays.iter().any(|(a, _)| a == n))
		.collect();
	if !missing.is_empty() {
		return Err(io_error(format!(
			"{} has no array for the model's input(s) {}: the model reads {}, the file has {}",
			path.display(),
			quoted(&mut missing.into_iter()),
			model_names(),
			quoted(&mut arrays.iter().map(|(n, _)| n.as_str()))
		)));
	}
	let unknown: Vec<&str> = arrays
		.iter()
		.map(|(n, _)| n.as_str())
		.filter(|n| !info.inputs.iter().any(|t| t.name == *n))
		.collect();
	if !unknown.is_empty() {
		return Err(io_error(format!(
			"{} has array(s) {} the model does not read: its inputs are {}",
			path.display(),
			quoted(&mut unknown.into_iter()),
			model_names()
		)));
	}
	arrays
		.into_iter()
		.map(|(name, array)| {
			let values = match &array.elements {
				npy::Elements::Float(v) => {
					v.iter().map(|x| to_fixed_point(*x, scale)).collect::<Result<Vec<_>, _>>()
				}
				npy::Elements::Int(v) => {
					v.iter().map(|x| int_to_fixed_point(*x, scale)).collect::<Result<Vec<_>, _>>()
				}
			}
			.map_err(|e| io_error(format!("input {name:?}: {e}")))?;
			Ok(NamedInput { name, shape: array.shape, values })
		})
		.collect()
}

/// `model score --input-file`: every output of one run on the file's inputs, as the
/// `--input` report writes them.
fn score_file(cmd: &ScoreCmd, path: &std::path::Path) -> sc_cli::Result<()> {
	let bytes = std::fs::read(&cmd.file).map_err(io_error)?;
	let info = inspect(&bytes).map_err(io_error)?;
	let inputs = file_inputs(path, &info, cmd.input_scale)?;
	let engine = crate::onnx::engine(1, EngineLimits::default());
	let outputs =
		engine.score_named(&bytes, &inputs, cmd.input_scale, cmd.output_scale).map_err(io_error)?;
	let outputs: Vec<Value> = outputs
		.into_iter()
		.enumerate()
		.map(|(index, output)| match (output.values, output.element_type) {
			(Ok(fixed), Some(element_type)) => json!({
				"index": index,
				"name": output.name,
				"elementType": format!("{element_type:?}"),
				"shape": output.shape,
				"fixedPoint": fixed,
			}),
			(Err(e), _) => json!({ "index": index, "name": output.name, "error": e.to_string() }),
			(Ok(_), None) => json!({
				"index": index,
				"name": output.name,
				"error": "the output's element type has no fixed point",
			}),
		})
		.collect();
	let input_json =
		|i: &NamedInput| json!({ "name": i.name, "shape": i.shape, "fixedPoint": i.values });
	// In the model's order.
	let inputs: Vec<&NamedInput> =
		info.inputs.iter().filter_map(|t| inputs.iter().find(|i| i.name == t.name)).collect();
	let mut report = json!({
		"modelHash": format!("{:?}", info.hash),
		"inputScale": cmd.input_scale,
		"outputScale": cmd.output_scale,
		"input": inputs.first().map(|i| input_json(i)),
		"outputs": outputs,
	});
	if inputs.len() > 1 {
		report["inputs"] = inputs.iter().map(|i| input_json(i)).collect();
	}
	println!("{}", serde_json::to_string_pretty(&report).map_err(io_error)?);
	Ok(())
}

impl ModelCmd {
	/// Runs the command, printing JSON to stdout.
	pub fn run(&self) -> sc_cli::Result<()> {
		match self {
			ModelCmd::Inspect(cmd) => {
				let bytes = std::fs::read(&cmd.file).map_err(io_error)?;
				let info = inspect(&bytes).map_err(io_error)?;
				println!("{}", serde_json::to_string_pretty(&info_json(&info)).map_err(io_error)?);
				Ok(())
			}
			ModelCmd::Compile(cmd) => cmd.run(),
			ModelCmd::Score(cmd @ ScoreCmd { exact: true, .. }) => {
				let values = cmd
					.input
					.iter()
					.map(|x| to_fixed_point(*x, cmd.input_scale))
					.collect::<Result<Vec<_>, _>>()?;
				let report = crate::exact_cli::score(
					&cmd.file,
					cmd.input_scale,
					cmd.output_scale,
					cmd.output.as_deref(),
					&values,
				)?;
				println!("{}", serde_json::to_string_pretty(&report).map_err(io_error)?);
				Ok(())
			}
			ModelCmd::Score(cmd @ ScoreCmd { input_file: Some(path), .. }) => score_file(cmd, path),
			ModelCmd::Score(cmd) => {
				let bytes = std::fs::read(&cmd.file).map_err(io_error)?;
				let hash = model_hash(&bytes);
				let engine = crate::onnx::engine(1, EngineLimits::default());
				let info = engine.load(hash, &bytes).map_err(io_error)?;
				let [only_input] = info.inputs.as_slice() else {
					return Err(io_error(format!(
						"the model has {} inputs; --input feeds one: give them all with \
						 --input-file (an .npz with one array per input)",
						info.inputs.len()
					)));
				};
				let mut input = batch_one_spec(0, only_input)?;
				if input.element_count() != Some(cmd.input.len() as u32) {
					// A single row: the shape is [1, n].
					input.shape = BoundedVec::truncate_from(vec![1, cmd.input.len() as u32]);
				}
				let values = cmd
					.input
					.iter()
					.map(|x| to_fixed_point(*x, cmd.input_scale))
					.collect::<Result<Vec<_>, _>>()?;
				let mut outputs = Vec::new();
				for (index, t) in info.outputs.iter().enumerate() {
					let output = batch_one_spec(index, t)?;
					let request = ScoreRequest {
						inputs: vec![input.clone()],
						output: output.clone(),
						input_scale: cmd.input_scale,
						output_scale: cmd.output_scale,
						values: values.clone(),
					};
					let result = engine.score(hash, &request);
					outputs.push(match result {
						Ok(fixed) => json!({
							"index": index,
							"name": t.name,
							"elementType": format!("{:?}", output.element_type),
							"shape": output.shape.to_vec(),
							"fixedPoint": fixed,
						}),
						Err(e) => json!({ "index": index, "name": t.name, "error": e.to_string() }),
					});
				}
				let report = json!({
					"modelHash": format!("{hash:?}"),
					"inputScale": cmd.input_scale,
					"outputScale": cmd.output_scale,
					"input": { "shape": input.shape.to_vec(), "fixedPoint": values },
					"outputs": outputs,
				});
				println!("{}", serde_json::to_string_pretty(&report).map_err(io_error)?);
				Ok(())
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::to_fixed_point;

	#[test]
	fn inputs_round_half_to_even_like_the_references() {
		assert_eq!(to_fixed_point(2.5, 0).unwrap(), 2);
		assert_eq!(to_fixed_point(3.5, 0).unwrap(), 4);
		assert_eq!(to_fixed_point(-2.5, 0).unwrap(), -2);
		assert_eq!(to_fixed_point(5.1, 4).unwrap(), 51000);
		assert_eq!(to_fixed_point(0.125, 2).unwrap(), 12);
		assert!(to_fixed_point(1e300, 4).is_err());
	}
}
