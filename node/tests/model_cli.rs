//! `aioracle-node model inspect` and `model score` on the committed example models: the
//! report names what the model is, and scoring gives onnxruntime's reference outputs in
//! fixed point.

use std::process::{Command, Output};

use serde_json::Value;

fn node(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_aioracle-node"))
		.args(args)
		.output()
		.expect("the aioracle-node binary runs")
}

fn models_dir() -> std::path::PathBuf {
	manifest_dir().join("../models")
}

fn reference(name: &str) -> Value {
	let text = std::fs::read_to_string(models_dir().join(format!("{name}.json"))).unwrap();
	serde_json::from_str(&text).unwrap()
}

fn json_stdout(output: &Output) -> Value {
	assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
	serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn inspect_reports_hash_io_and_operators() {
	let file = models_dir().join("iris-logreg.onnx");
	let report = json_stdout(&node(&["model", "inspect", file.to_str().unwrap()]));
	let expected = reference("iris-logreg");
	assert_eq!(report["modelHash"], expected["hash"]);
	assert_eq!(report["sizeBytes"], expected["size_bytes"]);
	assert_eq!(report["inputs"][0]["name"], "input");
	assert_eq!(report["outputs"][1]["name"], "probabilities");
	let ops: Vec<&str> =
		report["operators"].as_array().unwrap().iter().map(|o| o["op"].as_str().unwrap()).collect();
	assert!(ops.contains(&"Scaler") && ops.contains(&"LinearClassifier"), "{ops:?}");
	assert_eq!(report["unsupportedOperators"].as_array().unwrap().len(), 0);
}

#[test]
fn score_gives_the_reference_fixed_point_outputs() {
	let file = models_dir().join("iris-logreg.onnx");
	let expected = reference("iris-logreg");
	let case = &expected["cases"][0];
	let input: Vec<String> = case["input"]
		.as_array()
		.unwrap()
		.iter()
		.map(|x| format!("{}", x.as_f64().unwrap()))
		.collect();
	let report = json_stdout(&node(&[
		"model",
		"score",
		file.to_str().unwrap(),
		"--input-scale",
		"4",
		"--output-scale",
		"6",
		"--input",
		&input.join(","),
	]));
	assert_eq!(report["input"]["fixedPoint"], case["input_fixed_point"]);
	assert_eq!(report["outputs"][0]["fixedPoint"], case["outputs"][0]["fixed_point"], "the label");
	let probabilities = report["outputs"][1]["fixedPoint"].as_array().unwrap();
	let reference = case["outputs"][1]["fixed_point"].as_array().unwrap();
	for (got, want) in probabilities.iter().zip(reference) {
		let diff = (got.as_i64().unwrap() - want.as_i64().unwrap()).abs();
		assert!(diff <= 1, "probability {got} vs reference {want}");
	}
}

#[test]
fn a_file_that_is_not_onnx_is_refused() {
	let this_file = manifest_dir().join("tests/model_cli.rs");
	let output = node(&["model", "inspect", this_file.to_str().unwrap()]);
	assert!(!output.status.success());
	assert!(String::from_utf8_lossy(&output.stderr).contains("ONNX"));
}

/// This package's directory, as cargo gives it when it runs the test: the target directory
/// may be shared by several clones, and a binary built in one of them (with its
/// compile-time `CARGO_MANIFEST_DIR`) may run in another.
fn manifest_dir() -> std::path::PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR")
		.map(std::path::PathBuf::from)
		.unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}

/// A hostile model, as protobuf in hex: `y = x + ConstantOfShape([200000, 200000])`, 160 GB
/// of float32 that tract would build while optimising the graph, from 195 bytes.
const CONSTANT_OF_SHAPE_BOMB: [&str; 5] = [
	"08083ab8010a4b0a05736861706512036269671a0f436f6e7374616e744f665368617065220f436f6e737461",
	"6e744f6653686170652a1b0a0576616c75652a0f0801100142036f6e654a040000803fa001040a150a01780a",
	"036269671201791a0341646422034164641207686f7374696c652a1d08021007420573686170654a10400d03",
	"0000000000400d0300000000005a130a0178120e0a0c080112080a0208010a02080162150a017912100a0e08",
	"01120a0a031201610a0312016242040a001011",
];

#[test]
fn a_hostile_model_is_a_resource_limit_not_a_crash() {
	let hex = CONSTANT_OF_SHAPE_BOMB.concat();
	let bytes: Vec<u8> = (0..hex.len() / 2)
		.map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
		.collect();
	let path = std::env::temp_dir().join(format!("aioracle-bomb-{}.onnx", std::process::id()));
	std::fs::write(&path, bytes).unwrap();
	let output = node(&[
		"model",
		"score",
		path.to_str().unwrap(),
		"--input-scale",
		"0",
		"--output-scale",
		"0",
		"--input",
		"1",
	]);
	let _ = std::fs::remove_file(&path);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
	assert!(
		stderr.contains("resource limit: loading the model tried to allocate more than 1 GiB"),
		"stderr: {stderr}"
	);
}

// `model score --input-file`: .npy and .npz files written here byte by byte, as numpy
// writes them (no Python in the tests).

/// A `.npy` (format 1.0): magic, version, header dict padded to 64 bytes, data.
fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
	let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
	let shape = match dims.len() {
		1 => format!("({},)", dims[0]),
		_ => format!("({})", dims.join(", ")),
	};
	let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
	while (10 + header.len() + 1) % 64 != 0 {
		header.push(' ');
	}
	header.push('\n');
	let mut out = b"\x93NUMPY\x01\x00".to_vec();
	out.extend_from_slice(&(header.len() as u16).to_le_bytes());
	out.extend_from_slice(header.as_bytes());
	out.extend_from_slice(data);
	out
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
	values.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f64_bytes(values: &[f64]) -> Vec<u8> {
	values.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn i64_bytes(values: &[i64]) -> Vec<u8> {
	values.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn crc32(data: &[u8]) -> u32 {
	let mut crc = !0u32;
	for b in data {
		crc ^= *b as u32;
		for _ in 0..8 {
			crc = if crc & 1 != 0 { 0xEDB8_8320 ^ (crc >> 1) } else { crc >> 1 };
		}
	}
	!crc
}

/// An `.npz`: a zip of `NAME.npy` entries, stored (`np.savez`) or, with `deflate`, as
/// deflate data (method 8, as `np.savez_compressed`; here deflate's stored blocks).
fn npz(entries: &[(&str, Vec<u8>)], deflate: bool) -> Vec<u8> {
	let u16le = |v: usize| (v as u16).to_le_bytes();
	let u32le = |v: usize| (v as u32).to_le_bytes();
	let (mut out, mut central) = (vec![], vec![]);
	for (name, content) in entries {
		let name = format!("{name}.npy");
		let data = if deflate {
			let mut d = vec![];
			let chunks: Vec<&[u8]> = content.chunks(65535).collect();
			for (i, chunk) in chunks.iter().enumerate() {
				d.push((i + 1 == chunks.len()) as u8); // BFINAL, BTYPE 00 (stored)
				d.extend_from_slice(&u16le(chunk.len()));
				d.extend_from_slice(&u16le(!(chunk.len() as u16) as usize));
				d.extend_from_slice(chunk);
			}
			d
		} else {
			content.clone()
		};
		let method = if deflate { 8 } else { 0 };
		let mut fields = vec![];
		fields.extend_from_slice(&u16le(method)); // method
		fields.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
		fields.extend_from_slice(&crc32(content).to_le_bytes());
		fields.extend_from_slice(&u32le(data.len()));
		fields.extend_from_slice(&u32le(content.len()));
		fields.extend_from_slice(&u16le(name.len()));
		fields.extend_from_slice(&u16le(0)); // extra
		let offset = out.len();
		out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
		out.extend_from_slice(&fields);
		out.extend_from_slice(name.as_bytes());
		out.extend_from_slice(&data);
		central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00");
		central.extend_from_slice(&fields);
		central.extend_from_slice(&[0; 10]); // comment, disk, attributes
		central.extend_from_slice(&u32le(offset));
		central.extend_from_slice(name.as_bytes());
	}
	let cd_offset = out.len();
	out.extend_from_slice(&central);
	out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
	out.extend_from_slice(&u16le(entries.len()));
	out.extend_from_slice(&u16le(entries.len()));
	out.extend_from_slice(&u32le(central.len()));
	out.extend_from_slice(&u32le(cd_offset));
	out.extend_from_slice(&u16le(0));
	out
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
	fn new(name: &str, bytes: &[u8]) -> Self {
		let path = std::env::temp_dir().join(format!("aioracle-{}-{name}", std::process::id()));
		std::fs::write(&path, bytes).unwrap();
		TempFile(path)
	}

	fn path(&self) -> &str {
		self.0.to_str().unwrap()
	}
}

impl Drop for TempFile {
	fn drop(&mut self) {
		let _ = std::fs::remove_file(&self.0);
	}
}

fn score_file(model: &str, input_scale: u8, output_scale: u8, file: &TempFile) -> Output {
	node(&[
		"model",
		"score",
		model,
		"--input-scale",
		&input_scale.to_string(),
		"--output-scale",
		&output_scale.to_string(),
		"--input-file",
		file.path(),
	])
}

fn stderr(output: &Output) -> String {
	assert!(!output.status.success(), "stdout: {}", String::from_utf8_lossy(&output.stdout));
	// The error is printed `Debug`, its quotes escaped.
	String::from_utf8_lossy(&output.stderr).replace("\\\"", "\"")
}

fn iris_case(index: usize) -> (Vec<f64>, Value) {
	let case = reference("iris-logreg")["cases"][index].clone();
	let input = case["input"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
	(input, case)
}

#[test]
fn an_npy_or_npz_scores_like_the_input_row() {
	let model = models_dir().join("iris-logreg.onnx");
	let model = model.to_str().unwrap();
	let (row, case) = iris_case(0);
	let text: Vec<String> = row.iter().map(|x| x.to_string()).collect();
	let by_row = json_stdout(&node(&[
		"model",
		"score",
		model,
		"--input-scale",
		"4",
		"--output-scale",
		"6",
		"--input",
		&text.join(","),
	]));
	let row32: Vec<f32> = row.iter().map(|x| *x as f32).collect();
	let files = [
		TempFile::new("iris-f4.npy", &npy("<f4", &[1, 4], &f32_bytes(&row32))),
		TempFile::new("iris-f8.npy", &npy("<f8", &[1, 4], &f64_bytes(&row))),
		TempFile::new(
			"iris.npz",
			&npz(&[("input", npy("<f4", &[1, 4], &f32_bytes(&row32)))], false),
		),
		TempFile::new(
			"iris-compressed.npz",
			&npz(&[("input", npy("<f8", &[1, 4], &f64_bytes(&row)))], true),
		),
	];
	for file in &files {
		let report = json_stdout(&score_file(model, 4, 6, file));
		assert_eq!(report["modelHash"], by_row["modelHash"], "{}", file.path());
		assert_eq!(report["input"]["fixedPoint"], case["input_fixed_point"], "{}", file.path());
		assert_eq!(report["input"]["shape"], by_row["input"]["shape"], "{}", file.path());
		assert_eq!(report["input"]["name"], "input");
		assert_eq!(report["outputs"], by_row["outputs"], "{}", file.path());
	}
}

#[test]
fn an_npy_batch_gives_every_row_s_reference() {
	let model = models_dir().join("iris-logreg.onnx");
	let cases: Vec<(Vec<f64>, Value)> = (0..3).map(iris_case).collect();
	let rows: Vec<f64> = cases.iter().flat_map(|(row, _)| row.clone()).collect();
	let file = TempFile::new("iris-batch.npy", &npy("<f8", &[3, 4], &f64_bytes(&rows)));
	let report = json_stdout(&score_file(model.to_str().unwrap(), 4, 6, &file));
	assert_eq!(report["input"]["shape"], serde_json::json!([3, 4]));
	assert_eq!(report["outputs"][0]["shape"], serde_json::json!([3]));
	assert_eq!(report["outputs"][1]["shape"], serde_json::json!([3, 3]));
	let labels = report["outputs"][0]["fixedPoint"].as_array().unwrap();
	let probabilities = report["outputs"][1]["fixedPoint"].as_array().unwrap();
	for (i, (_, case)) in cases.iter().enumerate() {
		// The reference's labels are not scaled; the CLI's are, by 10^6.
		let label = case["outputs"][0]["fixed_point"][0].as_i64().unwrap();
		assert_eq!(labels[i].as_i64().unwrap(), label * 1_000_000, "row {i}");
		let reference = case["outputs"][1]["fixed_point"].as_array().unwrap();
		for (j, want) in reference.iter().enumerate() {
			let got = probabilities[3 * i + j].as_i64().unwrap();
			assert!((got - want.as_i64().unwrap()).abs() <= 1, "row {i}: {got} vs {want}");
		}
	}
}

#[test]
fn a_wrong_shape_names_the_input_and_both_shapes() {
	let model = models_dir().join("iris-logreg.onnx");
	let file = TempFile::new("iris-3.npy", &npy("<f4", &[1, 3], &f32_bytes(&[1.0, 2.0, 3.0])));
	let err = stderr(&score_file(model.to_str().unwrap(), 4, 6, &file));
	assert!(err.contains("input \"input\"") && err.contains("[N, 4]"), "{err}");
	assert!(err.contains("[1, 3]"), "{err}");
	let file = TempFile::new("iris-flat.npy", &npy("<f4", &[4], &f32_bytes(&[1.0; 4])));
	let err = stderr(&score_file(model.to_str().unwrap(), 4, 6, &file));
	assert!(err.contains("input \"input\"") && err.contains("[4]"), "{err}");
}

#[test]
fn an_npz_without_the_input_s_name_is_refused() {
	let model = models_dir().join("iris-logreg.onnx");
	let row = npy("<f4", &[1, 4], &f32_bytes(&[5.1, 3.5, 1.4, 0.2]));
	let file = TempFile::new("iris-misnamed.npz", &npz(&[("features", row.clone())], false));
	let err = stderr(&score_file(model.to_str().unwrap(), 4, 6, &file));
	assert!(err.contains("no array for the model's input(s) \"input\""), "{err}");
	assert!(err.contains("the file has \"features\""), "{err}");
	let both = npz(&[("input", row.clone()), ("extra", row)], false);
	let file = TempFile::new("iris-extra.npz", &both);
	let err = stderr(&score_file(model.to_str().unwrap(), 4, 6, &file));
	assert!(err.contains("\"extra\" the model does not read"), "{err}");
}

#[test]
fn unsupported_dtypes_and_layouts_are_refused() {
	let model = models_dir().join("iris-logreg.onnx");
	let model = model.to_str().unwrap();
	for (descr, data, why) in [
		("<f2", vec![0u8; 8], "not supported"),
		(">f4", vec![0u8; 16], "big-endian"),
		("<U1", vec![0u8; 16], "not supported"),
		("<c8", vec![0u8; 32], "not supported"),
	] {
		let file = TempFile::new("iris-dtype.npy", &npy(descr, &[1, 4], &data));
		let err = stderr(&score_file(model, 4, 6, &file));
		assert!(err.contains(descr) && err.contains(why), "{descr}: {err}");
	}
	let mut fortran = npy("<f4", &[2, 2], &[0; 16]);
	let at = fortran.windows(5).position(|w| w == b"False").unwrap();
	fortran[at..at + 5].copy_from_slice(b"True ");
	let file = TempFile::new("iris-fortran.npy", &fortran);
	assert!(stderr(&score_file(model, 4, 6, &file)).contains("Fortran order"));
	let file = TempFile::new("iris-short.npy", &npy("<f4", &[1, 4], &[0; 12]));
	assert!(stderr(&score_file(model, 4, 6, &file)).contains("12 bytes of data"));
	let file = TempFile::new("not-numpy.npy", b"5.1,3.5,1.4,0.2");
	assert!(stderr(&score_file(model, 4, 6, &file)).contains("neither a .npy"));
}

#[test]
fn input_and_input_file_exclude_each_other() {
	let model = models_dir().join("iris-logreg.onnx");
	let file = TempFile::new("iris-both.npy", &npy("<f4", &[1, 4], &f32_bytes(&[0.0; 4])));
	let args = ["--input-scale", "4", "--output-scale", "6"];
	let model = model.to_str().unwrap();
	let both = node(
		&[
			&["model", "score", model],
			&args[..],
			&["--input", "1,2,3,4", "--input-file", file.path()],
		]
		.concat(),
	);
	assert!(stderr(&both).contains("cannot be used with"));
	let neither = node(&[&["model", "score", model], &args[..]].concat());
	assert!(stderr(&neither).contains("--input-file"));
}

#[test]
fn inspect_shows_symbolic_dimensions() {
	let file = models_dir().join("iris-logreg.onnx");
	let report = json_stdout(&node(&["model", "inspect", file.to_str().unwrap()]));
	let shape = report["inputs"][0]["shape"].as_array().unwrap();
	assert!(shape[0].is_string(), "the batch dimension is named or `?`: {shape:?}");
	assert_eq!(shape[1], 4);
}

// A two-input model, as ONNX protobuf written here: `y = a * Cast<float>(b)`, `a` float32
// [N, 2], `b` int64 [N, 2].

fn varint(mut v: u64, out: &mut Vec<u8>) {
	while v >= 0x80 {
		out.push(v as u8 | 0x80);
		v >>= 7;
	}
	out.push(v as u8);
}

/// A varint field.
fn pb_int(field: u64, v: u64) -> Vec<u8> {
	let mut out = vec![];
	varint(field << 3, &mut out);
	varint(v, &mut out);
	out
}

/// A length-delimited field (bytes, string, message).
fn pb_bytes(field: u64, bytes: &[u8]) -> Vec<u8> {
	let mut out = vec![];
	varint(field << 3 | 2, &mut out);
	varint(bytes.len() as u64, &mut out);
	out.extend_from_slice(bytes);
	out
}

/// A `ValueInfoProto` of a tensor `[N, 2]` of ONNX type `elem_type`.
fn pb_value_info(name: &str, elem_type: u64) -> Vec<u8> {
	let dims = [pb_bytes(1, &pb_bytes(2, b"N")), pb_bytes(1, &pb_int(1, 2))].concat();
	let tensor = [pb_int(1, elem_type), pb_bytes(2, &dims)].concat();
	[pb_bytes(1, name.as_bytes()), pb_bytes(2, &pb_bytes(1, &tensor))].concat()
}

fn two_input_model() -> Vec<u8> {
	let to_float = [pb_bytes(1, b"to"), pb_int(3, 1), pb_int(20, 2)].concat();
	let cast =
		[pb_bytes(1, b"b"), pb_bytes(2, b"bf"), pb_bytes(4, b"Cast"), pb_bytes(5, &to_float)]
			.concat();
	let mul =
		[pb_bytes(1, b"a"), pb_bytes(1, b"bf"), pb_bytes(2, b"y"), pb_bytes(4, b"Mul")].concat();
	let graph = [
		pb_bytes(1, &cast),
		pb_bytes(1, &mul),
		pb_bytes(2, b"two_inputs"),
		pb_bytes(11, &pb_value_info("a", 1)),
		pb_bytes(11, &pb_value_info("b", 7)),
		pb_bytes(12, &pb_value_info("y", 1)),
	]
	.concat();
	[pb_int(1, 8), pb_bytes(8, &pb_int(2, 13)), pb_bytes(7, &graph)].concat()
}

#[test]
fn a_two_input_model_is_fed_by_name_from_an_npz() {
	let model = TempFile::new("two-inputs.onnx", &two_input_model());
	let info = json_stdout(&node(&["model", "inspect", model.path()]));
	assert_eq!(info["inputs"][0]["shape"], serde_json::json!(["N", 2]));
	assert_eq!(info["inputs"][1]["elementType"], "I64");
	let a = npy("<f4", &[2, 2], &f32_bytes(&[1.5, -0.25, 2.0, 0.5]));
	let b = npy("<i8", &[2, 2], &i64_bytes(&[2, 3, -1, 4]));
	// The arrays in another order than the model's inputs: they are matched by name.
	let file = TempFile::new("two-inputs.npz", &npz(&[("b", b.clone()), ("a", a.clone())], true));
	let report = json_stdout(&score_file(model.path(), 2, 3, &file));
	assert_eq!(report["inputs"][0]["name"], "a");
	assert_eq!(report["inputs"][0]["fixedPoint"], serde_json::json!([150, -25, 200, 50]));
	// Integers are the values themselves: at input scale 2 their fixed point is v * 100.
	assert_eq!(report["inputs"][1]["fixedPoint"], serde_json::json!([200, 300, -100, 400]));
	assert_eq!(report["input"], report["inputs"][0]);
	let y = &report["outputs"][0];
	assert_eq!(y["name"], "y");
	assert_eq!(y["elementType"], "F32");
	assert_eq!(y["shape"], serde_json::json!([2, 2]));
	assert_eq!(y["fixedPoint"], serde_json::json!([3000, -750, -2000, 2000]));

	let only_a = TempFile::new("two-inputs-a.npz", &npz(&[("a", a.clone())], false));
	let err = stderr(&score_file(model.path(), 2, 3, &only_a));
	assert!(err.contains("no array for the model's input(s) \"b\""), "{err}");
	assert!(err.contains("the model reads \"a\", \"b\""), "{err}");
	let npy_a = TempFile::new("two-inputs-a.npy", &a);
	let err = stderr(&score_file(model.path(), 2, 3, &npy_a));
	assert!(err.contains("reads 2 inputs (\"a\", \"b\")"), "{err}");
	// Batches that do not broadcast together: tract refuses the graph.
	let b3 = npy("<i8", &[3, 2], &i64_bytes(&[2, 3, 4, 5, 6, 7]));
	let file = TempFile::new("two-inputs-batch.npz", &npz(&[("a", a), ("b", b3)], false));
	assert!(!score_file(model.path(), 2, 3, &file).status.success());
	// `--input` feeds one input: refused for this model, pointing at `--input-file`.
	let row = node(&[
		"model",
		"score",
		model.path(),
		"--input-scale",
		"0",
		"--output-scale",
		"0",
		"--input",
		"1,2",
	]);
	assert!(!row.status.success());
	assert!(String::from_utf8_lossy(&row.stderr).contains("--input-file"));
}
