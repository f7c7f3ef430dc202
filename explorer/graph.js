// Draws a result's chain of custody as an SVG graph, left to right:
//
//   operators -> result -> model version -> training run -> training datasets -> their ancestors
//
// (the training run only where the chain records one). Plain SVG built here (no graph
// library): a column per stage, datasets placed by their longest distance from the model
// so that every "derived from" edge points right. Retracted and tainted datasets, outlier
// and failed operators are coloured and labelled, the result shows its stage (finalized,
// disputed, settled) and since when it is tainted, the model version its operators'
// validation and its price, each dataset its royalty and permitted uses, and every node
// carries data-* attributes (kind, id, role, taint, stage, validated) for tests and styling.

import {
  clip, datasetName, formatAggregation, formatAmount, formatFeeAndPrice, formatInput, formatPermill, formatPermissions,
  formatReport, formatStage, formatValidation, shortAccount, shortHash, trainingRunLines,
} from './format.js';
import { describeRecipient, priceSplit } from './market.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_WIDTH = 212;
const COLUMN_GAP = 46;
const ROW_GAP = 20;
const LINE_HEIGHT = 16;
const PADDING = 12;
const HEADER_HEIGHT = 34;
const MAX_CHARS = 30;

/** Operators in the order they are listed: who made the result first. */
export const ROLE_ORDER = { agreeing: 0, outlier: 1, failed: 2, submitted: 3 };

const ROLE_LABELS = {
  agreeing: 'AGREED',
  outlier: 'OUTLIER',
  failed: 'FAILED',
  submitted: 'SUBMITTED',
};

function el(name, attributes = {}, children = []) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

/** The dataset layers: 0 for training data, then each parent one right of its furthest child. */
function datasetLayers(datasets) {
  const layer = new Map();
  const queue = [];
  for (const [id, d] of datasets) {
    if (d.training) {
      layer.set(id, 0);
      queue.push(id);
    }
  }
  // Lineage is acyclic, so relaxing "parent >= child + 1" settles; the bound is a guard.
  for (let steps = 0; queue.length && steps < 10_000; steps += 1) {
    const id = queue.shift();
    for (const parent of datasets.get(id)?.parents ?? []) {
      if (!datasets.has(parent)) continue;
      if ((layer.get(parent) ?? -1) < layer.get(id) + 1) {
        layer.set(parent, layer.get(id) + 1);
        queue.push(parent);
      }
    }
  }
  return layer;
}

function operatorNode(s, custody, scale) {
  const lines = [ROLE_LABELS[s.role]];
  if (s.failure) lines.push(clip(s.failure, MAX_CHARS));
  else if (s.output) lines.push(clip(formatReport(s.output, scale, custody.request.aggregation), MAX_CHARS));
  lines.push(`submitted at #${s.at}`);
  return {
    key: `operator:${s.operator}`,
    kind: 'operator',
    id: s.operator,
    title: shortAccount(s.operator),
    lines,
    stateLine: 0,
    tone: s.role,
    data: { role: s.role },
    tooltip: `operator ${s.operator}\n${lines.join('\n')}`,
    links: [`request:${custody.request.id}`],
  };
}

function resultNode(custody, scale, chain) {
  const { request, result } = custody;
  const lines = [];
  if (result) {
    lines.push(`Finalized at #${result.finalizedAt}`);
    lines.push(clip(formatStage(result, { short: true }), MAX_CHARS));
    lines.push(clip(formatReport(result.output, scale, request.aggregation), MAX_CHARS));
    lines.push(`${result.agreeing.length} agreed · ${result.outliers.length} outlier · ${result.failed.length} failed`);
  } else {
    lines.push(`${request.status} · deadline #${request.deadline}`);
  }
  lines.push(clip(`fee ${formatFeeAndPrice(request.fee, request.price, chain)}`, MAX_CHARS));
  const tainted = custody.taintedSince !== null;
  if (tainted) lines.push(`TAINTED since #${custody.taintedSince}`);
  return {
    key: `request:${request.id}`,
    kind: 'result',
    id: request.id,
    title: result ? `Result of request #${request.id}` : `Request #${request.id}`,
    lines,
    // The result's stage (finalized, disputed, settled), else the request's status.
    stateLine: result ? 1 : 0,
    tone: tainted ? 'tainted-result' : result ? 'result' : request.status.toLowerCase(),
    data: { status: request.status, stage: result?.stage, 'tainted-since': custody.taintedSince },
    tooltip: [
      `request ${request.id} by ${request.requester}`,
      `input ${formatInput(request, custody.provenance?.version.inputScale ?? 0)}`,
      result ? formatStage(result) : null,
      tainted ? `tainted since block #${custody.taintedSince}: it rests on retracted data` : null,
    ].filter(Boolean).join('\n'),
    links: custody.provenance ? [`version:${request.model}:${request.version}`] : [],
  };
}

/** A version's price and royalties in a few words: `0.5 AIO · 2 royalties`, `free`. */
function priceLine(market, chain) {
  const price = market.price ? formatAmount(market.price, chain) : 'free';
  const count = market.royalties.length;
  return count ? `${price} · ${count} ${count === 1 ? 'royalty' : 'royalties'}` : price;
}

function versionNode(custody, chain) {
  const v = custody.provenance.version;
  const { validation } = custody.provenance;
  const name = custody.modelName ?? `model ${v.model}`;
  // The split, when there is something to split.
  const split = v.market.price || v.market.royalties.length
    ? priceSplit(v.market.price, v.market.royalties)
      .map((s) => `  ${describeRecipient(s.payee, custody)}: ${formatPermill(s.share)}, ${formatAmount(s.amount, chain)}`)
    : [];
  return {
    key: `version:${v.model}:${v.version}`,
    kind: 'model-version',
    id: `${v.model}:${v.version}`,
    title: clip(`${name} v${v.version}`, MAX_CHARS - 2),
    lines: [
      `model #${v.model} · ${v.status}`,
      `hash ${shortHash(v.modelHash)}`,
      clip(`${formatAggregation(v.aggregation, { short: true })} · ${v.minAgreement} must agree`, MAX_CHARS),
      clip(formatValidation(validation, { short: true }), MAX_CHARS),
      clip(priceLine(v.market, chain), MAX_CHARS),
    ],
    stateLine: 0,
    tone: custody.provenance.tainted ? 'tainted-model' : 'model',
    data: {
      tainted: custody.provenance.tainted,
      hash: v.modelHash,
      status: v.status,
      validated: validation.validated,
      price: v.market.price,
      'tainted-at': custody.versionTaintedAt,
    },
    tooltip: [
      `${name}, version ${v.version}`,
      `hash ${v.modelHash}`,
      `${v.sizeBytes} bytes of ONNX`,
      `status ${v.status}`,
      formatValidation(validation),
      ...validation.verdicts.map((d) => `  ${shortAccount(d.operator)}: ${d.verdict}`),
      `price ${priceLine(v.market, chain)}`,
      ...split,
      `its data permits: ${formatPermissions(v.usage)}`,
      custody.versionTaintedAt === null ? null : `marked tainted at #${custody.versionTaintedAt}`,
    ].filter(Boolean).join('\n'),
    // Through its training run, where the chain records one.
    links: v.trainingRun ? [runKey(v)] : v.trainingDatasets.map((id) => `dataset:${id}`),
  };
}

const runKey = (v) => `run:${v.model}:${v.version}`;

/** How the version was trained: between its training data and the version. */
function runNode(custody) {
  const v = custody.provenance.version;
  const run = v.trainingRun;
  return {
    key: runKey(v),
    kind: 'training-run',
    id: `${v.model}:${v.version}`,
    title: clip(`${run.framework} ${run.frameworkVersion}`, MAX_CHARS - 2),
    lines: [
      `code ${shortHash(run.codeHash)}`,
      `hyperparams ${shortHash(run.hyperparametersHash)}`,
      clip(`run by ${shortAccount(run.ranBy)}`, MAX_CHARS),
    ],
    stateLine: -1,
    tone: 'run',
    data: { 'code-hash': run.codeHash, 'ran-by': run.ranBy },
    tooltip: [`training run of ${custody.modelName ?? `model ${v.model}`} v${v.version}`, ...trainingRunLines(run)].join('\n'),
    links: v.trainingDatasets.map((id) => `dataset:${id}`),
  };
}

/** A dataset's royalty and the uses it limits: on one line if they fit, else on two. */
function termsLines(ds) {
  const royalty = `royalty ${formatPermill(ds.royalty)}`;
  const permits = formatPermissions(ds.permissions, { short: true });
  const line = `${royalty} · ${permits}`;
  return line.length <= MAX_CHARS ? [line] : [royalty, clip(permits, MAX_CHARS)];
}

function datasetNode(id, d) {
  const ds = d.dataset;
  const tainted = d.taint.retracted || d.taint.retractedAncestors.length > 0;
  let state = 'not retracted';
  if (d.taint.retracted) state = `RETRACTED at #${ds.retraction?.at ?? '?'}`;
  else if (tainted) state = `TAINTED via #${d.taint.retractedAncestors.join(', #')}`;
  // The reason on a line of its own: it is what a reader wants to know first.
  const reason = d.taint.retracted && ds.retraction ? [clip(`“${ds.retraction.reason}”`, MAX_CHARS)] : [];
  const facts = [ds.licence, ds.recordCount !== null && ds.recordCount !== undefined ? `${ds.recordCount} records` : null]
    .filter(Boolean).join(' · ');
  // Not known for an ancestor whose record was not loaded.
  const uses = ds.permissions ? termsLines(ds) : [];
  return {
    key: `dataset:${id}`,
    kind: 'dataset',
    id,
    title: clip(`#${id} ${datasetName(ds)}`, MAX_CHARS - 2),
    lines: [
      facts || 'no licence recorded',
      ...uses,
      ds.contentHash ? `hash ${shortHash(ds.contentHash)}` : 'record not loaded',
      clip(state, MAX_CHARS),
      ...reason,
    ],
    stateLine: 2 + uses.length,
    tone: d.taint.retracted ? 'retracted' : tainted ? 'tainted' : 'dataset',
    data: {
      tainted,
      retracted: d.taint.retracted,
      training: d.training,
      hash: ds.contentHash,
      royalty: ds.royalty,
    },
    tooltip: [
      `dataset ${id}: ${ds.uri || '(no URI)'}`,
      ds.derivation ? `derived: ${ds.derivation}` : null,
      ds.owner ? `owner ${ds.owner}` : null,
      ds.permissions ? `royalty ${formatPermill(ds.royalty)}; permits ${formatPermissions(ds.permissions)}` : null,
      ds.retraction ? `retracted at #${ds.retraction.at} by ${ds.retraction.by}: ${ds.retraction.reason}` : null,
    ].filter(Boolean).join('\n'),
    links: (d.parents ?? []).map((p) => `dataset:${p}`),
  };
}

/** The graph's columns: [{ heading, nodes }], left to right. */
function columns(custody, chain) {
  const scale = custody.provenance?.version.outputScale ?? 0;
  const operators = [...custody.submissions]
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role])
    .map((s) => operatorNode(s, custody, scale));
  const cols = [
    { heading: 'Operators', nodes: operators },
    { heading: custody.result ? 'Result' : 'Request', nodes: [resultNode(custody, scale, chain)] },
  ];
  if (!custody.provenance) return cols;
  cols.push({ heading: 'Model version', nodes: [versionNode(custody, chain)] });
  if (custody.provenance.version.trainingRun) cols.push({ heading: 'Training run', nodes: [runNode(custody)] });
  const layers = datasetLayers(custody.datasets);
  const depth = Math.max(-1, ...layers.values());
  for (let layer = 0; layer <= depth; layer += 1) {
    const nodes = [...custody.datasets]
      .filter(([id]) => layers.get(id) === layer)
      .map(([id, d]) => datasetNode(id, d));
    const heading = layer === 0 ? 'Training data'
      : layer === 1 ? 'Derived from' : `Ancestors, ${layer} back`;
    cols.push({ heading, nodes });
  }
  return cols;
}

function nodeHeight(node) {
  return PADDING * 2 + LINE_HEIGHT * (node.lines.length + 1);
}

/** Orders each column by where the nodes linking to it sit, to limit crossing edges. */
function orderColumns(cols) {
  const y = new Map();
  cols.forEach((col, c) => {
    if (c > 0) {
      const incoming = new Map();
      for (const prev of cols[c - 1].nodes) {
        for (const link of prev.links) {
          if (!incoming.has(link)) incoming.set(link, []);
          incoming.get(link).push(y.get(prev.key));
        }
      }
      const centre = (n) => {
        const ys = incoming.get(n.key) ?? [];
        return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Infinity;
      };
      col.nodes.sort((a, b) => centre(a) - centre(b) || String(a.id).localeCompare(String(b.id)));
    }
    col.nodes.forEach((n, i) => y.set(n.key, i));
  });
}

function layout(cols) {
  orderColumns(cols);
  const heights = cols.map((col) => col.nodes.reduce((h, n) => h + nodeHeight(n), 0)
    + ROW_GAP * Math.max(0, col.nodes.length - 1));
  const tallest = Math.max(...heights, 60);
  const positions = new Map();
  cols.forEach((col, c) => {
    let y = HEADER_HEIGHT + (tallest - heights[c]) / 2;
    const x = PADDING + c * (NODE_WIDTH + COLUMN_GAP);
    for (const node of col.nodes) {
      positions.set(node.key, { x, y, height: nodeHeight(node), node });
      y += nodeHeight(node) + ROW_GAP;
    }
  });
  return {
    positions,
    width: PADDING * 2 + cols.length * NODE_WIDTH + (cols.length - 1) * COLUMN_GAP,
    height: HEADER_HEIGHT + tallest + PADDING,
  };
}

function drawEdge(from, to) {
  const x1 = from.x + NODE_WIDTH;
  const y1 = from.y + from.height / 2;
  const x2 = to.x - 4;
  const y2 = to.y + to.height / 2;
  const bend = (x2 - x1) / 2;
  // An edge into tainted data, or from a failed/outlier operator, takes that tone.
  const tone = to.node.data.retracted ? 'retracted'
    : to.node.data.tainted && to.node.kind === 'dataset' ? 'tainted'
      : from.node.kind === 'operator' ? from.node.tone : 'plain';
  return el('path', {
    d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
    class: `edge edge-${tone}`,
    'marker-end': `url(#arrow-${tone})`,
    'data-from': from.node.key,
    'data-to': to.node.key,
  });
}

function drawNode({ x, y, height, node }) {
  const attrs = {
    class: `node node-${node.kind} tone-${node.tone}`,
    transform: `translate(${x},${y})`,
    'data-node-kind': node.kind,
    'data-node-id': node.id,
  };
  for (const [key, value] of Object.entries(node.data)) {
    if (value !== undefined && value !== null) attrs[`data-${key}`] = value;
  }
  const lines = node.lines.map((line, i) => el('text', {
    x: PADDING,
    y: PADDING + LINE_HEIGHT * (i + 2) - 4,
    class: i === node.stateLine ? 'node-line node-state' : 'node-line',
  }, [line]));
  return el('g', attrs, [
    el('title', {}, [node.tooltip]),
    el('rect', { width: NODE_WIDTH, height, rx: 10, ry: 10, class: 'node-box' }),
    el('rect', { width: 6, height, rx: 3, class: 'node-stripe' }),
    el('text', { x: PADDING, y: PADDING + LINE_HEIGHT - 3, class: 'node-title' }, [node.title]),
    ...lines,
  ]);
}

function arrowMarkers() {
  const tones = ['plain', 'retracted', 'tainted', 'agreeing', 'outlier', 'failed', 'submitted'];
  return el('defs', {}, tones.map((tone) => el('marker', {
    id: `arrow-${tone}`, viewBox: '0 0 10 10', refX: 8, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, [el('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrow arrow-${tone}` })])));
}

/** The chain-of-custody graph of `custody` (see chain.js loadCustody) as an <svg>. */
export function drawCustodyGraph(custody, chain) {
  const cols = columns(custody, chain).filter((col) => col.nodes.length > 0);
  const { positions, width, height } = layout(cols);
  const svg = el('svg', {
    xmlns: SVG,
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: 'custody-graph',
    role: 'img',
    'aria-label': `chain of custody of request ${custody.request.id}`,
  }, [arrowMarkers()]);
  // Shrinks to the panel's width, but not below 3/4 scale (the panel scrolls instead), so
  // that a long lineage stays in view and its text stays readable.
  svg.style.width = '100%';
  svg.style.height = 'auto';
  svg.style.maxWidth = `${width}px`;
  svg.style.minWidth = `${Math.round(width * 0.75)}px`;
  cols.forEach((col, c) => {
    svg.append(el('text', {
      x: PADDING + c * (NODE_WIDTH + COLUMN_GAP) + 2, y: 18, class: 'column-heading',
    }, [col.heading]));
  });
  const edges = el('g', { class: 'edges' });
  for (const from of positions.values()) {
    for (const link of from.node.links) {
      const to = positions.get(link);
      if (to) edges.append(drawEdge(from, to));
    }
  }
  svg.append(edges);
  const nodes = el('g', { class: 'nodes' });
  for (const position of positions.values()) nodes.append(drawNode(position));
  svg.append(nodes);
  return svg;
}
