//! Lowering the ONNX-ML (`ai.onnx.ml`) operators scikit-learn exports: Scaler,
//! Normalizer, Binarizer, OneHotEncoder, Imputer, LinearClassifier, LinearRegressor,
//! ArrayFeatureExtractor and the tree ensembles (see [`super::tree`]).

use super::builder::{Builder, Val};
use super::onnx;
use super::threshold;
use super::CompileError;
use crate::program::{Norm, Op};
use tract_onnx::pb;

fn input(n: &pb::NodeProto, i: usize) -> Result<String, CompileError> {
	n.input
		.get(i)
		.cloned()
		.ok_or_else(|| CompileError::MissingValue(format!("input {i} of {}", onnx::node_name(n))))
}

/// The output `i` of `n`, if a later node reads it or it is the output.
pub fn wanted(b: &Builder, n: &pb::NodeProto, i: usize) -> Option<String> {
	n.output
		.get(i)
		.filter(|o| !o.is_empty() && (b.readers.contains_key(*o) || b.finals.contains(*o)))
		.cloned()
}

/// Lowers `n`; `false` when its operator is not one of these.
pub fn lower(b: &mut Builder, n: &pb::NodeProto) -> Result<bool, CompileError> {
	match n.op_type.as_str() {
		"Scaler" => {
			let x = b.tensor(&input(n, 0)?)?;
			let out = wanted(b, n, 0).unwrap_or_default();
			let offset = onnx::floats(n, "offset");
			let factor = onnx::floats(n, "scale");
			let fit = |v: &[f64]| v.len() == 1 || v.len() == x.len;
			if !fit(&offset) || !fit(&factor) {
				return Err(b.unsupported("offset or scale of the wrong length"));
			}
			let (offset, factor) = (b.weights(&offset, "offset")?, b.weights(&factor, "scale")?);
			let scale = b.scale_for(&out);
			let id = b.push(Op::Scaler { input: x.id, offset, factor, scale });
			let v = b.val(id, x.dims.clone(), scale, false);
			b.set(&out, v);
		}
		"Normalizer" => {
			let x = b.tensor(&input(n, 0)?)?;
			let out = wanted(b, n, 0).unwrap_or_default();
			let norm = match onnx::string(n, "norm", "MAX").as_str() {
				"MAX" => Norm::Max,
				"L1" => Norm::L1,
				"L2" => Norm::L2,
				other => return Err(b.unsupported(format!("norm {other}"))),
			};
			let scale = b.scale_for(&out);
			let id = b.push(Op::Normalizer { input: x.id, norm, scale });
			let v = b.val(id, x.dims.clone(), scale, false);
			b.set(&out, v);
		}
		"Binarizer" => {
			let x = b.tensor(&input(n, 0)?)?;
			let out = wanted(b, n, 0).unwrap_or_default();
			let t = f64::from(onnx::float(n, "threshold", 0.0));
			if t.is_nan() {
				return Err(b.unsupported("a NaN threshold"));
			}
			let threshold = threshold::greater(t, x.domain()).unwrap_or(i64::MIN);
			let id = b.push(Op::Binarizer { input: x.id, threshold });
			let v = b.val(id, x.dims.clone(), 0, true);
			b.set(&out, v);
		}
		"OneHotEncoder" => {
			let x = b.tensor(&input(n, 0)?)?;
			let out = wanted(b, n, 0).unwrap_or_default();
			if !onnx::strings(n, "cats_strings").is_empty() {
				return Err(b.unsupported("string categories"));
			}
			if !x.integral {
				return Err(b.unsupported("a one-hot of a non-integer tensor"));
			}
			let cats = onnx::ints(n, "cats_int64s");
			let k = cats.len();
			let categories = b.constant(0, cats);
			let zeros = onnx::int(n, "zeros", 1) != 0;
			let id = b.push(Op::OneHot { input: x.id, categories, zeros });
			let mut dims = x.dims.clone();
			dims.push(k);
			let v = b.val(id, dims, 0, true);
			b.set(&out, v);
		}
		"Imputer" => imputer(b, n)?,
		"LinearClassifier" => linear_classifier(b, n)?,
		"LinearRegressor" => {
			let x = b.tensor(&input(n, 0)?)?;
			let out = wanted(b, n, 0).unwrap_or_default();
			if onnx::string(n, "post_transform", "NONE") != "NONE" {
				return Err(b.unsupported("a post transform"));
			}
			let targets = onnx::int(n, "targets", 1).max(1) as usize;
			let (weights, bias) = linear_parameters(b, n, &x, targets)?;
			let scale = b.scale_for(&out);
			let outputs = targets as u32;
			let id = b.push(Op::Linear { input: x.id, weights, bias: Some(bias), outputs, scale });
			let v = b.val(id, vec![targets], scale, false);
			b.set(&out, v);
		}
		"ArrayFeatureExtractor" => {
			let out = wanted(b, n, 0).unwrap_or_default();
			let (data, idx) = (input(n, 0)?, input(n, 1)?);
			if let (Ok(table), Ok(i)) = (b.constant_of(&data), b.tensor(&idx)) {
				if !i.integral {
					return Err(b.unsupported("non-integer positions"));
				}
				let (table, scale, integral) = match table.ints {
					Some(v) => (b.constant(0, v), 0, true),
					None => (b.weights(&table.floats, "table")?, super::WEIGHT_SCALE, false),
				};
				let id = b.push(Op::Lookup { input: i.id, table });
				let v = b.val(id, i.dims.clone(), scale, integral);
				b.set(&out, v);
			} else {
				let x = b.tensor(&data)?;
				let positions = b.constant_of(&idx)?.ints.unwrap_or_default();
				let indices = positions
					.iter()
					.map(|p| u32::try_from(*p).ok().filter(|p| (*p as usize) < x.len))
					.collect::<Option<Vec<u32>>>()
					.ok_or_else(|| b.unsupported("a position out of range"))?;
				let len = indices.len();
				let id = b.push(Op::Gather { input: x.id, indices });
				b.set(&out, Val { id, len, dims: vec![len], ..x });
			}
		}
		"TreeEnsembleClassifier" | "TreeEnsembleRegressor" => super::tree::lower(b, n)?,
		_ => return Ok(false),
	}
	Ok(true)
}

/// A linear model's weights (`rows x features`, row-major, as ONNX stores them) and
/// intercepts (zeros if absent).
fn linear_parameters(
	b: &mut Builder,
	n: &pb::NodeProto,
	x: &Val,
	rows: usize,
) -> Result<(u32, u32), CompileError> {
	let coefficients = onnx::floats(n, "coefficients");
	if coefficients.len() != rows * x.len || x.dims.len() != 1 {
		return Err(b.unsupported(format!(
			"{} coefficients for {rows} rows of {} features",
			coefficients.len(),
			x.len
		)));
	}
	let mut intercepts = onnx::floats(n, "intercepts");
	if intercepts.is_empty() {
		intercepts = vec![0.0; rows];
	}
	if intercepts.len() != rows {
		return Err(b.unsupported("intercepts of the wrong length"));
	}
	Ok((b.weights(&coefficients, "coefficients")?, b.weights(&intercepts, "intercepts")?))
}

/// `LinearClassifier`: scores, their post transform (probabilities), and the label of the
/// largest score (as onnxruntime: before the transform).
fn linear_classifier(b: &mut Builder, n: &pb::NodeProto) -> Result<(), CompileError> {
	let x = b.tensor(&input(n, 0)?)?;
	if !onnx::strings(n, "classlabels_strings").is_empty() {
		return Err(b.unsupported("string class labels"));
	}
	let labels = onnx::ints(n, "classlabels_ints");
	let rows = onnx::floats(n, "coefficients").len() / x.len.max(1);
	if rows != labels.len() || rows < 2 {
		return Err(b.unsupported(format!("{rows} coefficient rows for {} labels", labels.len())));
	}
	let (weights, bias) = linear_parameters(b, n, &x, rows)?;
	let scale = super::ACTIVATION_SCALE;
	let outputs = rows as u32;
	let scores = b.push(Op::Linear { input: x.id, weights, bias: Some(bias), outputs, scale });
	if let Some(label) = wanted(b, n, 0) {
		let table = b.constant(0, labels);
		let arg = b.push(Op::ArgMax { input: scores });
		let id = b.push(Op::Lookup { input: arg, table });
		let v = b.val(id, vec![1], 0, true);
		b.set(&label, v);
	}
	if let Some(probabilities) = wanted(b, n, 1) {
		let scale = b.scale_for(&probabilities);
		let id = match onnx::string(n, "post_transform", "NONE").as_str() {
			"NONE" => b.push(Op::Rescale { input: scores, scale }),
			"SOFTMAX" => b.push(Op::Softmax { input: scores, scale }),
			"LOGISTIC" => b.push(Op::Sigmoid { input: scores, scale }),
			other => return Err(b.unsupported(format!("post_transform {other}"))),
		};
		let v = b.val(id, vec![rows], scale, false);
		b.set(&probabilities, v);
	}
	Ok(())
}

/// `Imputer`: the "missing" value replaced by the imputed ones.
fn imputer(b: &mut Builder, n: &pb::NodeProto) -> Result<(), CompileError> {
	let x = b.tensor(&input(n, 0)?)?;
	let out = wanted(b, n, 0).unwrap_or_default();
	let mut values = onnx::floats(n, "imputed_value_floats");
	if values.is_empty() {
		values = onnx::ints(n, "imputed_value_int64s").iter().map(|v| *v as f64).collect();
	}
	if values.len() != 1 && values.len() != x.len {
		return Err(b.unsupported("imputed values of the wrong length"));
	}
	let replaced = match onnx::attr(n, "replaced_value_int64") {
		Some(a) => a.i as f64,
		None => f64::from(onnx::float(n, "replaced_value_float", 0.0)),
	};
	let scale = b.scale_for(&out);
	let replaced = threshold::equal(replaced, x.domain()).map_err(|e| b.unsupported(e))?;
	let id = match replaced {
		Some(replaced) => {
			let values = b.weights(&values, "imputed values")?;
			b.push(Op::Imputer { input: x.id, replaced, values, scale })
		}
		// No fixed-point value is the missing one: nothing is replaced.
		None => b.push(Op::Rescale { input: x.id, scale }),
	};
	let v = b.val(id, x.dims.clone(), scale, false);
	b.set(&out, v);
	Ok(())
}
