//! `aioracle-node model compile FILE.onnx ...` and `aioracle-node model score --exact ...`:
//! the exact tier's compiler and interpreter (`aioracle-exact`) on the command line. A
//! model owner compiles an ONNX model into an exact program and scores it with the
//! interpreter the runtime runs; anyone can check a program against its ONNX by compiling
//! again: the same ONNX and options give the same bytes.

use std::path::{Path, PathBuf};

use aioracle_exact::{
	compile_with,
	program::{InputRange, Interval},
	Analysis, OpKind, Options, Program,
};
use codec::Encode;
use serde_json::{json, Value};

/// `aioracle-node model compile FILE.onnx --input-scale S --output-scale S --output NAME`
#[derive(Debug, clap::Args)]
pub struct CompileCmd {
	/// The ONNX file.
	pub file: PathBuf,
	/// Decimals of the fixed-point input (the version's `input_scale`).
	#[arg(long)]
	pub input_scale: u8,
	/// Decimals of the fixed-point output (the version's `output_scale`).
	#[arg(long)]
	pub output_scale: u8,
	/// The ONNX output the program computes (`label`, `probabilities`, `variable`, ...).
	#[arg(long)]
	pub output: String,
	/// The inputs the program accepts, `MIN,MAX` in real units for every feature (the
	/// range over which it is proven free of overflow; requests outside are refused).
	/// Default: ±1,000,000.
	#[arg(long, value_delimiter = ',', num_args = 2, allow_hyphen_values = true)]
	pub input_range: Option<Vec<f64>>,
	/// Where to write the program's bytes (SCALE); without it only the report is printed.
	#[arg(long)]
	pub out: Option<PathBuf>,
}

fn error(e: impl std::fmt::Display) -> sc_cli::Error {
	sc_cli::Error::Input(e.to_string())
}

/// The counts of `analysis` by operator kind.
fn ops_json(analysis: &Analysis) -> Value {
	let counts: serde_json::Map<String, Value> = OpKind::ALL
		.iter()
		.map(|kind| (format!("{kind:?}"), json!(analysis.count(*kind))))
		.collect();
	Value::Object(counts)
}

/// What `model compile` reports of `program` (encoded as `bytes`).
fn report(program: &Program, bytes: &[u8], analysis: &Analysis) -> Value {
	json!({
		"programHash": format!("{:?}", aioracle_inference::model_hash(bytes)),
		"bytes": bytes.len(),
		"formatVersion": program.version,
		"nodes": program.nodes.len(),
		"constants": program.constants.len(),
		"inputLen": program.input.len,
		"inputScale": program.input.scale,
		"outputLen": analysis.output_len,
		"outputScale": program.output_scale,
		"operations": ops_json(analysis),
		"totalOperations": analysis.total(),
	})
}

/// What a request answered by the program is charged on this node's runtime (refunded
/// to this): the exact request, the program's load and its run, by the runtime's weights,
/// with the `OnResult` hook at its most; without the prune of the request it displaces,
/// if operators served that one (`prune_request`).
fn request_weight(bytes: usize, analysis: &Analysis) -> Value {
	use aioracle_runtime::{InferenceOracle, ModelRegistry};
	let program = ModelRegistry::exact_load_weight(bytes.try_into().unwrap_or(u32::MAX))
		.saturating_add(ModelRegistry::exact_run_weight(&analysis.counts));
	let weight = InferenceOracle::request_taken_weight(false, Some(program));
	json!({ "refTime": weight.ref_time(), "proofSize": weight.proof_size() })
}

impl CompileCmd {
	/// The compiler's options for this command.
	fn options(&self) -> sc_cli::Result<Options> {
		let input_range = match self.input_range.as_deref() {
			None => None,
			Some([min, max]) => Some(InputRange::Global(Interval {
				min: crate::model_cli::to_fixed_point(*min, self.input_scale)?,
				max: crate::model_cli::to_fixed_point(*max, self.input_scale)?,
			})),
			Some(_) => return Err(error("--input-range takes MIN,MAX")),
		};
		Ok(Options {
			input_scale: self.input_scale,
			output_scale: self.output_scale,
			output_name: self.output.clone(),
			input_range,
		})
	}

	/// Compiles the file, writes the program if asked, and prints the report (JSON).
	pub fn run(&self) -> sc_cli::Result<()> {
		let onnx = std::fs::read(&self.file).map_err(error)?;
		let program = compile_with(&onnx, &self.options()?)
			.map_err(|e| error(format!("{}: does not compile: {e:?}", self.file.display())))?;
		let bytes = program.encode();
		let (_, analysis) = aioracle_exact::load(&bytes).map_err(|e| error(format!("{e:?}")))?;
		let mut report = report(&program, &bytes, &analysis);
		report["requestWeight"] = request_weight(bytes.len(), &analysis);
		report["onnxHash"] = json!(format!("{:?}", aioracle_inference::model_hash(&onnx)));
		if let Some(out) = &self.out {
			std::fs::write(out, &bytes).map_err(error)?;
			report["written"] = json!(out.display().to_string());
		}
		println!("{}", serde_json::to_string_pretty(&report).map_err(error)?);
		Ok(())
	}
}

/// `model score --exact FILE`: `FILE` is a program `model compile` wrote, or an ONNX file
/// compiled first (then `output` names its output); `input` is the fixed-point input.
/// Returns the report: the program's hash and the exact output at its output scale.
pub fn score(
	file: &Path,
	input_scale: u8,
	output_scale: u8,
	output: Option<&str>,
	input: &[i64],
) -> sc_cli::Result<Value> {
	let bytes = std::fs::read(file).map_err(error)?;
	let is_onnx = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
	let bytes = if is_onnx {
		let output = output.ok_or_else(|| error("--exact on an ONNX file needs --output NAME"))?;
		let options =
			Options { input_scale, output_scale, output_name: output.into(), input_range: None };
		compile_with(&bytes, &options)
			.map_err(|e| error(format!("does not compile: {e:?}")))?
			.encode()
	} else {
		bytes
	};
	let (program, analysis) = aioracle_exact::load(&bytes).map_err(|e| error(format!("{e:?}")))?;
	if program.input.scale != input_scale || program.output_scale != output_scale {
		return Err(error(format!(
			"the program's scales are {} in, {} out; --input-scale and --output-scale must match",
			program.input.scale, program.output_scale
		)));
	}
	let values = aioracle_exact::run_with_budget(&program, input, analysis.total())
		.map_err(|e| error(format!("{e:?}")))?;
	Ok(json!({
		"programHash": format!("{:?}", aioracle_inference::model_hash(&bytes)),
		"exact": true,
		"inputScale": input_scale,
		"outputScale": output_scale,
		"input": { "fixedPoint": input },
		"fixedPoint": values,
		"operations": analysis.total(),
	}))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn model(name: &str) -> PathBuf {
		Path::new(env!("CARGO_MANIFEST_DIR")).join("../models").join(name)
	}

	/// Every reference case of a model: input and the `index`-th output, fixed point.
	fn cases(name: &str, index: usize) -> Vec<(Vec<i64>, Vec<i64>)> {
		let json: Value = serde_json::from_slice(&std::fs::read(model(name)).unwrap()).unwrap();
		let ints = |v: &Value| v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
		json["cases"]
			.as_array()
			.unwrap()
			.iter()
			.map(|case| {
				(ints(&case["input_fixed_point"]), ints(&case["outputs"][index]["fixed_point"]))
			})
			.collect()
	}

	#[test]
	fn a_compiled_forest_scores_the_reference_label_from_its_program_file() {
		let dir = std::env::temp_dir().join(format!("aioracle-exact-cli-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let out = dir.join("forest.program");
		let cmd = CompileCmd {
			file: model("breast-cancer-forest.onnx"),
			input_scale: 7,
			output_scale: 6,
			output: "label".into(),
			input_range: None,
			out: Some(out.clone()),
		};
		cmd.run().unwrap();
		let first = std::fs::read(&out).unwrap();
		cmd.run().unwrap();
		assert_eq!(std::fs::read(&out).unwrap(), first, "the same ONNX gives the same bytes");

		let cases = cases("breast-cancer-forest.json", 0);
		assert!(cases.iter().any(|(_, label)| label[0] != 0), "both classes are among the cases");
		for (input, label) in &cases {
			let report = score(&out, 7, 6, None, input).unwrap();
			// Integer outputs are reported at the output scale, as the engine reports them.
			assert_eq!(report["fixedPoint"], json!([label[0] * 1_000_000]), "input {input:?}");
		}
		// The ONNX file scored directly gives the same program and output.
		let (input, _) = &cases[0];
		let direct =
			score(&model("breast-cancer-forest.onnx"), 7, 6, Some("label"), input).unwrap();
		let from_file = score(&out, 7, 6, None, input).unwrap();
		assert_eq!(direct, from_file);
		assert!(score(&out, 4, 6, None, input).is_err(), "scales must match the program's");
		let _ = std::fs::remove_dir_all(&dir);
	}
}
