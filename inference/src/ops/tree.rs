//! `TreeEnsembleClassifier` and `TreeEnsembleRegressor` (ai.onnx.ml), evaluated the way
//! onnxruntime evaluates them (`core/providers/cpu/ml/tree_ensemble_*.h`), on `f32`:
//!
//! - the nodes are kept in the order the attributes list them; a tree's root is the first
//!   node listed for it, and the trees are visited in the order their roots appear;
//! - a branch goes to its true child when `x <mode> threshold` holds, or when `x` is NaN and
//!   `nodes_missing_value_tracks_true` is set for it;
//! - a leaf's weights are applied in (tree, node, attribute position) order; with one
//!   target (regressor) only a leaf's first weight counts;
//! - `SUM` and `AVERAGE` add the weights in tree order starting from 0 (`AVERAGE` then
//!   divides by the number of trees), `MIN` and `MAX` keep the extreme weight; the base
//!   values are added last;
//! - a classifier sums the weights per class. With three or more classes the label is the
//!   first class with the highest score, and the scores go through `post_transform`. With
//!   two classes it follows onnxruntime's binary rules: when every weight votes for one
//!   class id (scikit-learn's binary forests and boosters), that single score `s` is the
//!   positive class's, the label is positive when `s > 0.5` (all weights non-negative) or
//!   `s > 0` (otherwise), and the scores are `[1 - s, s]` (non-negative weights), or
//!   `[-s, s]` / `[logistic(-s), logistic(s)]` (`LOGISTIC`).
//!
//! An output (target or class) no leaf weight goes to is written as 0, base value or not,
//! as onnxruntime does.
//!
//! Not supported (an error when the model is loaded): the `*_as_tensor` double-precision
//! attributes, classifiers with fewer than two classes, and the binary layouts for which
//! onnxruntime leaves an output column unwritten (`PROBIT` on a single binary score).
//! Evaluation stops with an error if a tree walk takes more steps than the ensemble has
//! nodes (a cycle in a malformed model), where onnxruntime would loop forever.
//!
//! One known difference: onnxruntime returns the literal labels 1 and 0 (not
//! `classlabels_int64s[1]` and `[0]`) for a two-class ensemble whose weights vote for both
//! class ids; this engine returns the class labels, which agree whenever the labels are
//! `[0, 1]` (what scikit-learn exports).

use super::linear::Labels;
use super::transform;
use super::*;
use std::collections::HashMap;
use tract_onnx::model::ParsingContext;

/// The comparison of a branch node, or a leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
	Leaf,
	Leq,
	Lt,
	Gte,
	Gt,
	Eq,
	Neq,
}

impl Mode {
	fn parse(s: &str) -> TractResult<Mode> {
		Ok(match s {
			"LEAF" => Mode::Leaf,
			"BRANCH_LEQ" => Mode::Leq,
			"BRANCH_LT" => Mode::Lt,
			"BRANCH_GTE" => Mode::Gte,
			"BRANCH_GT" => Mode::Gt,
			"BRANCH_EQ" => Mode::Eq,
			"BRANCH_NEQ" => Mode::Neq,
			other => bail!("unknown tree node mode {other:?}"),
		})
	}
}

/// One node of an ensemble.
#[derive(Clone, Debug, PartialEq)]
struct Node {
	mode: Mode,
	feature: usize,
	threshold: f32,
	missing_tracks_true: bool,
	/// Index (in `Ensemble::nodes`) of the child when the comparison holds.
	when_true: usize,
	/// Index of the child when it does not.
	when_false: usize,
	/// The leaf's weights: a range of `Ensemble::weights`.
	weights: std::ops::Range<usize>,
}

/// How the trees' weights are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Aggregate {
	Sum,
	Average,
	Min,
	Max,
}

/// A parsed tree ensemble.
#[derive(Clone, Debug, PartialEq)]
struct Ensemble {
	nodes: Vec<Node>,
	roots: Vec<usize>,
	/// `(target or class id, weight)`, grouped by leaf.
	weights: Vec<(usize, f32)>,
	/// The number of targets (regressor) or classes (classifier).
	n_outputs: usize,
	/// The largest feature index a node reads.
	max_feature: usize,
	base_values: Vec<f32>,
	post_transform: PostTransform,
}

/// The attributes the engine does not implement.
const REJECTED: &[&str] = &[
	"base_values_as_tensor",
	"nodes_values_as_tensor",
	"target_weights_as_tensor",
	"class_weights_as_tensor",
];

impl Ensemble {
	/// Parses the node and leaf attributes; `leaf` is `target` or `class`.
	fn parse(node: &NodeProto, leaf: &str, n_outputs: usize) -> TractResult<Ensemble> {
		reject_attributes(node, REJECTED)?;
		let name = format!("{} ({})", node.name, node.op_type);
		let ints = |attr: &str| -> TractResult<Vec<i64>> {
			Ok(node.get_attr_opt_vec::<i64>(attr)?.unwrap_or_default())
		};
		let tree_ids = ints("nodes_treeids")?;
		let node_ids = ints("nodes_nodeids")?;
		let feature_ids = ints("nodes_featureids")?;
		let true_ids = ints("nodes_truenodeids")?;
		let false_ids = ints("nodes_falsenodeids")?;
		let missing = ints("nodes_missing_value_tracks_true")?;
		let values = node.get_attr_opt_vec::<f32>("nodes_values")?.unwrap_or_default();
		let modes = node.get_attr_opt_vec::<String>("nodes_modes")?.unwrap_or_default();
		let n = tree_ids.len();
		ensure!(n > 0, "{name}: no nodes");
		for (attr, len) in [
			("nodes_nodeids", node_ids.len()),
			("nodes_featureids", feature_ids.len()),
			("nodes_truenodeids", true_ids.len()),
			("nodes_falsenodeids", false_ids.len()),
			("nodes_values", values.len()),
			("nodes_modes", modes.len()),
		] {
			ensure!(len == n, "{name}: {attr} has {len} values for {n} nodes");
		}
		ensure!(n_outputs > 0, "{name}: no targets or classes");

		let mut index: HashMap<(i64, i64), usize> = HashMap::with_capacity(n);
		for i in 0..n {
			if index.insert((tree_ids[i], node_ids[i]), i).is_some() {
				bail!("{name}: node {} of tree {} is listed twice", node_ids[i], tree_ids[i]);
			}
		}
		let mut nodes = Vec::with_capacity(n);
		let mut max_feature = 0;
		for i in 0..n {
			let mode = Mode::parse(&modes[i]).with_context(|| name.clone())?;
			ensure!(feature_ids[i] >= 0, "{name}: negative feature id");
			let feature = feature_ids[i] as usize;
			max_feature = max_feature.max(feature);
			let child = |id: i64| -> TractResult<usize> {
				let j = *index
					.get(&(tree_ids[i], id))
					.with_context(|| format!("{name}: tree {} has no node {id}", tree_ids[i]))?;
				ensure!(j != i, "{name}: node {} of tree {} is its own child", id, tree_ids[i]);
				Ok(j)
			};
			let (when_true, when_false) = if mode == Mode::Leaf {
				(0, 0)
			} else {
				(child(true_ids[i])?, child(false_ids[i])?)
			};
			nodes.push(Node {
				mode,
				feature,
				threshold: values[i],
				missing_tracks_true: missing.get(i) == Some(&1),
				when_true,
				when_false,
				weights: 0..0,
			});
		}

		let w_trees = ints(&format!("{leaf}_treeids"))?;
		let w_nodes = ints(&format!("{leaf}_nodeids"))?;
		let w_ids = ints(&format!("{leaf}_ids"))?;
		let w_values =
			node.get_attr_opt_vec::<f32>(&format!("{leaf}_weights"))?.unwrap_or_default();
		let m = w_ids.len();
		ensure!(
			w_trees.len() == m && w_nodes.len() == m && w_values.len() == m,
			"{name}: the {leaf}_* attributes have different lengths"
		);
		// onnxruntime sorts the weights by (tree, node), keeping the attribute order within
		// a leaf, and ignores weights that point at a branch.
		let mut order: Vec<usize> = (0..m).collect();
		order.sort_by_key(|&i| (w_trees[i], w_nodes[i], i));
		let mut weights = Vec::with_capacity(m);
		for i in order {
			let j = *index.get(&(w_trees[i], w_nodes[i])).with_context(|| {
				format!(
					"{name}: a weight points at node {} of tree {}, which does not exist",
					w_nodes[i], w_trees[i]
				)
			})?;
			if nodes[j].mode != Mode::Leaf {
				continue;
			}
			ensure!(
				w_ids[i] >= 0 && (w_ids[i] as usize) < n_outputs,
				"{name}: weight for target/class {} of {n_outputs}",
				w_ids[i]
			);
			if nodes[j].weights.is_empty() {
				nodes[j].weights = weights.len()..weights.len();
			}
			ensure!(
				nodes[j].weights.end == weights.len(),
				"{name}: weights of a leaf are not contiguous"
			);
			weights.push((w_ids[i] as usize, w_values[i]));
			nodes[j].weights.end = weights.len();
		}
		for (i, node) in nodes.iter().enumerate() {
			ensure!(
				node.mode != Mode::Leaf || !node.weights.is_empty(),
				"{name}: leaf {} of tree {} has no weight",
				node_ids[i],
				tree_ids[i]
			);
		}

		let mut roots = vec![];
		for i in 0..n {
			if i == 0 || tree_ids[i] != tree_ids[i - 1] {
				roots.push(i);
			}
		}
		let base_values = node.get_attr_opt_vec::<f32>("base_values")?.unwrap_or_default();
		let post_transform = PostTransform::parse(node)?;
		Ok(Ensemble { nodes, roots, weights, n_outputs, max_feature, base_values, post_transform })
	}

	/// The leaf a row reaches in the tree rooted at `root`.
	fn leaf(&self, root: usize, x: &[f32]) -> TractResult<&Node> {
		let mut node = &self.nodes[root];
		let mut steps = 0;
		while node.mode != Mode::Leaf {
			let v = x[node.feature];
			let t = node.threshold;
			let holds = match node.mode {
				Mode::Leq => v <= t,
				Mode::Lt => v < t,
				Mode::Gte => v >= t,
				Mode::Gt => v > t,
				Mode::Eq => v == t,
				Mode::Neq => v != t,
				Mode::Leaf => unreachable!(),
			} || (node.missing_tracks_true && v.is_nan());
			node = &self.nodes[if holds { node.when_true } else { node.when_false }];
			steps += 1;
			ensure!(steps <= self.nodes.len(), "tree ensemble: a tree walk does not end (cycle)");
		}
		Ok(node)
	}

	fn check_features(&self, stride: usize, op: &str) -> TractResult<()> {
		ensure!(
			self.max_feature < stride,
			"{op} reads feature {} but the input has {stride} features",
			self.max_feature
		);
		Ok(())
	}

	/// Per-output sums (and whether anything was added) over every tree's leaf weights.
	fn sums(&self, x: &[f32]) -> TractResult<(Vec<f32>, Vec<bool>)> {
		let mut scores = vec![0.0f32; self.n_outputs];
		let mut has = vec![false; self.n_outputs];
		for root in &self.roots {
			let leaf = self.leaf(*root, x)?;
			for (id, w) in &self.weights[leaf.weights.clone()] {
				scores[*id] += w;
				has[*id] = true;
			}
		}
		Ok((scores, has))
	}
}

/// Zeroes the outputs no leaf weight went to: onnxruntime writes an output that was never
/// scored as 0 (its base value, if any, is dropped).
fn mask_unscored(scores: &mut [f32], has: &[bool]) {
	for (score, has) in scores.iter_mut().zip(has) {
		if !has {
			*score = 0.0;
		}
	}
}

/// The `TreeEnsembleRegressor` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TreeEnsembleRegressor {
	ensemble: Ensemble,
	aggregate: Aggregate,
}

/// Builds a `TreeEnsembleRegressor` (`n_targets` is required; `aggregate_function`
/// defaults to `SUM`).
pub(crate) fn build_regressor(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let n_targets = node.get_attr_opt::<i64>("n_targets")?.unwrap_or(0);
	ensure!(n_targets > 0, "{} (TreeEnsembleRegressor): n_targets must be positive", node.name);
	let ensemble = Ensemble::parse(node, "target", n_targets as usize)?;
	let aggregate: Option<String> = node.get_attr_opt("aggregate_function")?;
	let aggregate = match aggregate.as_deref().unwrap_or("SUM") {
		"SUM" => Aggregate::Sum,
		"AVERAGE" => Aggregate::Average,
		"MIN" => Aggregate::Min,
		"MAX" => Aggregate::Max,
		other => {
			bail!("{} (TreeEnsembleRegressor): unknown aggregate_function {other:?}", node.name)
		}
	};
	let base = ensemble.base_values.len();
	ensure!(
		base <= 1 || base == ensemble.n_outputs,
		"{} (TreeEnsembleRegressor): {base} base values for {} targets",
		node.name,
		ensemble.n_outputs
	);
	built(TreeEnsembleRegressor { ensemble, aggregate })
}

impl TreeEnsembleRegressor {
	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		regressor_rules(s, inputs, outputs, self.ensemble.n_outputs)
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "TreeEnsembleRegressor")?;
		Ok(tvec!(f32::fact([batch_dim(inputs[0]), self.ensemble.n_outputs.to_dim()])))
	}

	/// One row's outputs.
	fn row(&self, x: &[f32], out: &mut [f32]) -> TractResult<()> {
		let e = &self.ensemble;
		let n_trees = e.roots.len() as f32;
		if e.n_outputs == 1 {
			let origin = if e.base_values.len() == 1 { e.base_values[0] } else { 0.0 };
			let mut score = 0.0f32;
			let mut has = false;
			for root in &e.roots {
				let leaf = e.leaf(*root, x)?;
				// A single output uses only each leaf's first weight.
				let w = e.weights[leaf.weights.start].1;
				match self.aggregate {
					Aggregate::Sum | Aggregate::Average => score += w,
					Aggregate::Min => score = if !has || w < score { w } else { score },
					Aggregate::Max => score = if !has || w > score { w } else { score },
				}
				has = true;
			}
			let mut y = match self.aggregate {
				Aggregate::Sum => score + origin,
				Aggregate::Average => score / n_trees + origin,
				Aggregate::Min | Aggregate::Max => {
					if has {
						score + origin
					} else {
						origin
					}
				}
			};
			if e.post_transform == PostTransform::Probit {
				y = transform::probit(y);
			}
			out[0] = y;
			return Ok(());
		}
		let use_base = e.base_values.len() == e.n_outputs;
		let (mut scores, has) = match self.aggregate {
			Aggregate::Sum | Aggregate::Average => e.sums(x)?,
			Aggregate::Min | Aggregate::Max => {
				let mut scores = vec![0.0f32; e.n_outputs];
				let mut has = vec![false; e.n_outputs];
				for root in &e.roots {
					let leaf = e.leaf(*root, x)?;
					for (id, w) in &e.weights[leaf.weights.clone()] {
						let better = if self.aggregate == Aggregate::Min {
							*w < scores[*id]
						} else {
							*w > scores[*id]
						};
						if !has[*id] || better {
							scores[*id] = *w;
						}
						has[*id] = true;
					}
				}
				(scores, has)
			}
		};
		for (j, score) in scores.iter_mut().enumerate() {
			let base = if use_base { e.base_values[j] } else { 0.0 };
			*score = match self.aggregate {
				Aggregate::Sum => *score + base,
				Aggregate::Average => *score / n_trees + base,
				Aggregate::Min | Aggregate::Max => base + if has[j] { *score } else { 0.0 },
			};
		}
		mask_unscored(&mut scores, &has);
		transform::apply(e.post_transform, &mut scores);
		out.copy_from_slice(&scores);
		Ok(())
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let (rows, stride) = rows_and_stride(inputs[0].shape(), "TreeEnsembleRegressor")?;
		self.ensemble.check_features(stride, "TreeEnsembleRegressor")?;
		let x = input_f32(&inputs[0])?;
		let k = self.ensemble.n_outputs;
		let mut out = vec![0.0f32; rows * k];
		for r in 0..rows {
			self.row(&x[r * stride..(r + 1) * stride], &mut out[r * k..(r + 1) * k])?;
		}
		Ok(tvec!(Tensor::from_shape(&[rows, k], &out)?.into_tvalue()))
	}
}

ml_op!(TreeEnsembleRegressor, "TreeEnsembleRegressor");

/// The `TreeEnsembleClassifier` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TreeEnsembleClassifier {
	ensemble: Ensemble,
	labels: Labels,
	/// Two classes, and every weight votes for the same class id.
	binary_case: bool,
	/// No weight is negative.
	weights_all_positive: bool,
}

/// Builds a `TreeEnsembleClassifier` (the class labels are required).
pub(crate) fn build_classifier(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let labels = Labels::parse(node, "classlabels_int64s")?;
	ensure!(
		labels.len() >= 2,
		"{} (TreeEnsembleClassifier): fewer than two class labels",
		node.name
	);
	let ensemble = Ensemble::parse(node, "class", labels.len())?;
	let ids = node.get_attr_opt_vec::<i64>("class_ids")?.unwrap_or_default();
	let weights = node.get_attr_opt_vec::<f32>("class_weights")?.unwrap_or_default();
	let distinct: std::collections::HashSet<i64> = ids.iter().copied().collect();
	let binary_case = labels.len() == 2 && distinct.len() == 1;
	// As onnxruntime: a weight is negative if `w < 0` (so NaN is not).
	let weights_all_positive = weights.iter().all(|w| *w >= 0.0 || w.is_nan());
	let base = ensemble.base_values.len();
	ensure!(
		base == 0 || base == labels.len() || (labels.len() == 2 && base == 1),
		"{} (TreeEnsembleClassifier): {base} base values for {} classes",
		node.name,
		labels.len()
	);
	if labels.len() == 2 {
		ensure!(
			ensemble.post_transform != PostTransform::Probit,
			"{} (TreeEnsembleClassifier): PROBIT with two classes is not supported",
			node.name
		);
	}
	built(TreeEnsembleClassifier { ensemble, labels, binary_case, weights_all_positive })
}

impl TreeEnsembleClassifier {
	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		classifier_rules(s, inputs, outputs, self.labels.datum_type(), self.labels.len())
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "TreeEnsembleClassifier")?;
		Ok(classifier_facts(inputs[0], self.labels.datum_type(), self.labels.len()))
	}

	/// One row: the label's index among the class labels, and the scores.
	fn row(&self, x: &[f32], out: &mut [f32]) -> TractResult<usize> {
		let e = &self.ensemble;
		let (mut scores, mut has) = e.sums(x)?;
		let base = &e.base_values;
		if e.n_outputs > 2 {
			for (k, b) in base.iter().enumerate() {
				if has[k] {
					scores[k] += b;
				} else {
					scores[k] = *b;
					has[k] = true;
				}
			}
			let mut best: Option<usize> = None;
			for k in 0..scores.len() {
				if has[k] && best.is_none_or(|b| scores[k] > scores[b]) {
					best = Some(k);
				}
			}
			let best = best.context("TreeEnsembleClassifier: no class has a score")?;
			mask_unscored(&mut scores, &has);
			transform::apply(e.post_transform, &mut scores);
			out.copy_from_slice(&scores);
			return Ok(best);
		}

		// Two classes: onnxruntime's binary rules.
		let mut write_second: Option<u8> = None;
		let mut single = false;
		if base.len() == 2 {
			if has[1] {
				scores[1] = base[1] + scores[0];
				scores[0] = -scores[1];
			} else {
				scores[1] += base[1];
				scores[0] += base[0];
			}
		} else if base.len() == 1 {
			scores[0] += base[0];
			single = !has[1];
		} else {
			write_second = Some(3);
			single = !has[1];
		}
		let positive = if !single && has[1] {
			scores[1]
		} else if has[0] {
			scores[0]
		} else {
			0.0
		};
		let label = if self.binary_case {
			if self.weights_all_positive {
				if positive > 0.5 {
					write_second = Some(0);
					1
				} else {
					write_second = Some(1);
					0
				}
			} else if positive > 0.0 {
				write_second = Some(2);
				1
			} else {
				write_second = Some(3);
				0
			}
		} else if positive > 0.0 {
			1
		} else {
			0
		};
		if !single {
			mask_unscored(&mut scores, &has);
			transform::apply(e.post_transform, &mut scores);
			out.copy_from_slice(&scores);
			return Ok(label);
		}
		let s = if has[0] { scores[0] } else { 0.0 };
		match write_second {
			Some(0 | 1) => {
				out[0] = 1.0 - s;
				out[1] = s;
			}
			Some(_) => {
				if e.post_transform == PostTransform::Logistic {
					out[0] = transform::logistic(-s);
					out[1] = transform::logistic(s);
				} else {
					out[0] = -s;
					out[1] = s;
				}
			}
			None => bail!(
				"TreeEnsembleClassifier: this binary layout (one base value, one class scored) \
				 has no defined second score"
			),
		}
		Ok(label)
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let (rows, stride) = rows_and_stride(inputs[0].shape(), "TreeEnsembleClassifier")?;
		self.ensemble.check_features(stride, "TreeEnsembleClassifier")?;
		let x = input_f32(&inputs[0])?;
		let k = self.labels.len();
		let mut out = vec![0.0f32; rows * k];
		let mut labels = Vec::with_capacity(rows);
		for r in 0..rows {
			labels.push(self.row(&x[r * stride..(r + 1) * stride], &mut out[r * k..(r + 1) * k])?);
		}
		Ok(tvec!(
			self.labels.gather(&labels)?.into_tvalue(),
			Tensor::from_shape(&[rows, k], &out)?.into_tvalue()
		))
	}
}

ml_op!(TreeEnsembleClassifier, "TreeEnsembleClassifier", outputs = 2);
