//! Lowering `TreeEnsembleClassifier` and `TreeEnsembleRegressor` (ai.onnx.ml, v1 and v3
//! attributes as skl2onnx writes them): trees grouped by id (in id order), each renumbered
//! breadth first from its root so children follow their parent, thresholds made integer
//! (see [`super::threshold`]), leaf weights at [`super::WEIGHT_SCALE`].
//!
//! Classifiers follow onnxruntime: with more than two classes (or two classes that both
//! have weights) the scores are the per-class sums plus base values, the label the first
//! largest; with two classes and weights for class 0 only (scikit-learn's binary forests)
//! the score `s` becomes `[1 - s, s]` when every weight is non-negative (label 1 when
//! `s > 0.5`), `[-s, s]` otherwise (label 1 when `s > 0`).

use super::builder::{quantise, Builder};
use super::lower_ml::wanted;
use super::onnx;
use super::threshold;
use super::{ACTIVATION_SCALE, WEIGHT_SCALE};
use crate::program::{Aggregate, Forest, NestedNode, Op, PostTransform, TensorId, TreeEnsemble};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use tract_onnx::pb;

/// One ONNX tree node, as the attributes list it.
struct Raw {
	feature: i64,
	mode: String,
	value: f64,
	if_true: i64,
	if_false: i64,
	weights: Vec<(u32, i64)>,
}

pub fn lower(b: &mut Builder, n: &pb::NodeProto) -> Result<(), CompileError> {
	let classifier = n.op_type == "TreeEnsembleClassifier";
	let x = b.tensor(n.input.first().map(String::as_str).unwrap_or_default())?;
	if x.dims.len() != 1 {
		return Err(b.unsupported(format!("an input of dims {:?}", x.dims)));
	}
	if onnx::attr(n, "nodes_values_as_tensor").is_some()
		|| onnx::attr(n, "class_weights_as_tensor").is_some()
		|| onnx::attr(n, "target_weights_as_tensor").is_some()
		|| onnx::attr(n, "base_values_as_tensor").is_some()
	{
		return Err(b.unsupported("double-precision (`*_as_tensor`) attributes"));
	}
	let tree_ids = onnx::ints(n, "nodes_treeids");
	let node_ids = onnx::ints(n, "nodes_nodeids");
	let features = onnx::ints(n, "nodes_featureids");
	let modes = onnx::strings(n, "nodes_modes");
	let values = onnx::floats(n, "nodes_values");
	let trues = onnx::ints(n, "nodes_truenodeids");
	let falses = onnx::ints(n, "nodes_falsenodeids");
	let count = tree_ids.len();
	if [node_ids.len(), features.len(), modes.len(), values.len(), trues.len(), falses.len()]
		.iter()
		.any(|l| *l != count)
	{
		return Err(b.unsupported("node attributes of different lengths"));
	}
	let mut trees: BTreeMap<i64, BTreeMap<i64, Raw>> = BTreeMap::new();
	let attributes = tree_ids.iter().zip(&node_ids).zip(&features).zip(&modes);
	let attributes = attributes.zip(&values).zip(&trues).zip(&falses);
	for ((((((tree, node), feature), mode), value), if_true), if_false) in attributes {
		let raw = Raw {
			feature: *feature,
			mode: mode.clone(),
			value: *value,
			if_true: *if_true,
			if_false: *if_false,
			weights: Vec::new(),
		};
		if trees.entry(*tree).or_default().insert(*node, raw).is_some() {
			return Err(b.unsupported("a node id used twice in a tree"));
		}
	}
	let prefix = if classifier { "class" } else { "target" };
	let w_trees = onnx::ints(n, &format!("{prefix}_treeids"));
	let w_nodes = onnx::ints(n, &format!("{prefix}_nodeids"));
	let w_ids = onnx::ints(n, &format!("{prefix}_ids"));
	let w_values = onnx::floats(n, &format!("{prefix}_weights"));
	if [w_nodes.len(), w_ids.len(), w_values.len()].iter().any(|l| *l != w_trees.len()) {
		return Err(b.unsupported("weight attributes of different lengths"));
	}
	for (((tree, node), id), weight) in w_trees.iter().zip(&w_nodes).zip(&w_ids).zip(&w_values) {
		let node = trees
			.get_mut(tree)
			.and_then(|t| t.get_mut(node))
			.ok_or_else(|| b.unsupported("a weight on a node that does not exist"))?;
		let target = u32::try_from(*id).map_err(|_| b.unsupported("a negative target"))?;
		node.weights.push((target, quantise(*weight, WEIGHT_SCALE, "leaf weight")?));
	}
	let ids: BTreeSet<u32> = w_ids.iter().map(|i| *i as u32).collect();
	let all_positive = w_values.iter().all(|w| *w >= 0.0);
	let domain = x.domain();
	let weight_count = trees.values().flat_map(|t| t.values()).map(|r| r.weights.len()).sum();
	if !Forest::fits(count, weight_count) {
		return Err(b.unsupported(format!("{count} nodes and {weight_count} leaf weights")));
	}
	let mut program_trees = Vec::with_capacity(trees.len());
	for tree in trees.values() {
		program_trees.push(renumber(b, tree, domain, x.len)?);
	}
	let mut base: Vec<f64> = onnx::floats(n, "base_values");
	let post = match onnx::string(n, "post_transform", "NONE").as_str() {
		"NONE" => PostTransform::None,
		"LOGISTIC" => PostTransform::Logistic,
		"SOFTMAX" => PostTransform::Softmax,
		other => return Err(b.unsupported(format!("post_transform {other}"))),
	};
	let aggregate = match onnx::string(n, "aggregate_function", "SUM").as_str() {
		"SUM" => Aggregate::Sum,
		"AVERAGE" => Aggregate::Average,
		other => return Err(b.unsupported(format!("aggregate_function {other}"))),
	};
	let mut ensemble = TreeEnsemble {
		input: x.id,
		targets: 1,
		trees: Forest::pack(program_trees),
		weight_scale: WEIGHT_SCALE,
		base_values: Vec::new(),
		aggregate,
		post_transform: post,
		scale: ACTIVATION_SCALE,
	};
	if !classifier {
		let out = wanted(b, n, 0).unwrap_or_default();
		let targets = onnx::int(n, "n_targets", 1);
		ensemble.targets = u32::try_from(targets).map_err(|_| b.unsupported("n_targets"))?;
		ensemble.base_values = base_values(b, &base)?;
		ensemble.scale = b.scale_for(&out);
		let scale = ensemble.scale;
		let id = b.push(Op::TreeEnsemble(Box::new(ensemble)));
		let v = b.val(id, vec![targets as usize], scale, false);
		b.set(&out, v);
		return Ok(());
	}
	if !onnx::strings(n, "classlabels_strings").is_empty() {
		return Err(b.unsupported("string class labels"));
	}
	let labels = onnx::ints(n, "classlabels_int64s");
	let binary = labels.len() == 2 && ids.len() == 1;
	let label_name = wanted(b, n, 0);
	let probability_name = wanted(b, n, 1);
	let prob_scale = probability_name.as_deref().map_or(ACTIVATION_SCALE, |p| b.scale_for(p));
	// The probabilities (at `scale`) and the scores the label is the first largest of.
	let (probabilities, scores): (Option<TensorId>, Option<TensorId>) = if binary {
		let logistic = post == PostTransform::Logistic && !all_positive;
		if ids.first() != Some(&0) || base.len() > 1 || !(post == PostTransform::None || logistic) {
			return Err(b.unsupported(
				"a binary classifier other than class-0 weights, at most one base value, and \
				 no transform or a logistic one with some negative weight",
			));
		}
		ensemble.base_values = base_values(b, &base)?;
		ensemble.post_transform = PostTransform::None;
		let s = b.push(Op::TreeEnsemble(Box::new(ensemble)));
		// [1 - s, s] = [(s - 1) * -1, s], or [-s, s] (then the logistic of each).
		let offset = b.constant(0, vec![i64::from(all_positive)]);
		let factor = b.constant(0, vec![-1]);
		let other = b.push(Op::Scaler { input: s, offset, factor, scale: ACTIVATION_SCALE });
		let both = b.push(Op::Concat { inputs: vec![other, s], scale: ACTIVATION_SCALE });
		let probabilities = probability_name.as_ref().map(|_| {
			if logistic {
				b.push(Op::Sigmoid { input: both, scale: prob_scale })
			} else {
				b.push(Op::Rescale { input: both, scale: prob_scale })
			}
		});
		(probabilities, label_name.as_ref().map(|_| both))
	} else {
		let targets = labels.len().max(ids.iter().max().map_or(0, |m| *m as usize + 1));
		if labels.len() < 2 || targets != labels.len() {
			return Err(b.unsupported(format!("{} labels for {targets} classes", labels.len())));
		}
		ensemble.targets = targets as u32;
		if base.len() == 2 && labels.len() == 2 {
			return Err(b.unsupported("base values with two classes"));
		}
		if base.is_empty() {
			base = Vec::new();
		}
		ensemble.base_values = base_values(b, &base)?;
		ensemble.scale = if label_name.is_some() { ACTIVATION_SCALE } else { prob_scale };
		let scale = ensemble.scale;
		let id = b.push(Op::TreeEnsemble(Box::new(ensemble)));
		let probabilities = probability_name.as_ref().map(|_| {
			if scale == prob_scale {
				id
			} else {
				b.push(Op::Rescale { input: id, scale: prob_scale })
			}
		});
		(probabilities, label_name.as_ref().map(|_| id))
	};
	if let (Some(name), Some(id)) = (probability_name, probabilities) {
		let v = b.val(id, vec![2.max(labels.len())], prob_scale, false);
		b.set(&name, v);
	}
	if let (Some(name), Some(scores)) = (label_name, scores) {
		let table = b.constant(0, labels);
		let arg = b.push(Op::ArgMax { input: scores });
		let id = b.push(Op::Lookup { input: arg, table });
		let v = b.val(id, vec![1], 0, true);
		b.set(&name, v);
	}
	Ok(())
}

use super::CompileError;

fn base_values(b: &Builder, base: &[f64]) -> Result<Vec<i64>, CompileError> {
	let _ = b;
	base.iter().map(|v| quantise(*v, WEIGHT_SCALE, "base value")).collect()
}

/// One tree in breadth-first order from its root (the node no other node points to).
fn renumber(
	b: &Builder,
	tree: &BTreeMap<i64, Raw>,
	domain: threshold::Domain,
	features: usize,
) -> Result<Vec<NestedNode>, CompileError> {
	let children: BTreeSet<i64> =
		tree.values().filter(|r| r.mode != "LEAF").flat_map(|r| [r.if_true, r.if_false]).collect();
	let roots: Vec<i64> = tree.keys().copied().filter(|k| !children.contains(k)).collect();
	let [root] = roots.as_slice() else {
		return Err(b.unsupported(format!("a tree with {} roots", roots.len())));
	};
	let mut order: Vec<i64> = Vec::new();
	let mut position: BTreeMap<i64, u32> = BTreeMap::new();
	let mut queue = VecDeque::from([*root]);
	while let Some(id) = queue.pop_front() {
		if position.contains_key(&id) {
			return Err(b.unsupported("a tree node reached twice (not a tree)"));
		}
		position.insert(id, order.len() as u32);
		order.push(id);
		let raw = tree.get(&id).ok_or_else(|| b.unsupported("a child that does not exist"))?;
		if raw.mode != "LEAF" {
			queue.push_back(raw.if_true);
			queue.push_back(raw.if_false);
		}
	}
	let mut nodes = Vec::with_capacity(order.len());
	let at = |id: &i64| position.get(id).copied().ok_or_else(|| b.unsupported("a missing child"));
	for id in &order {
		let raw = tree.get(id).ok_or_else(|| b.unsupported("a missing node"))?;
		if raw.mode == "LEAF" {
			nodes.push(NestedNode::Leaf(raw.weights.clone()));
			continue;
		}
		if !raw.weights.is_empty() {
			return Err(b.unsupported("weights on a branch node"));
		}
		let feature = u32::try_from(raw.feature)
			.ok()
			.filter(|f| (*f as usize) < features)
			.ok_or_else(|| b.unsupported("a feature out of range"))?;
		let (mode, threshold) =
			threshold::branch(&raw.mode, raw.value, domain).map_err(|e| b.unsupported(e))?;
		nodes.push(NestedNode::Branch {
			mode,
			feature,
			threshold,
			if_true: at(&raw.if_true)?,
			if_false: at(&raw.if_false)?,
		});
	}
	Ok(nodes)
}
