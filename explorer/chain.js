// Reads what the explorer shows from the chain, through the runtime APIs and storage the
// chain's metadata describes (no custom types), and turns Polkadot.js codecs into plain
// objects: the rest of the page never touches a codec.

const RECENT_REQUESTS = 25;
const PENDING_LIMIT = 64;
// Ancestors looked up one by one for their records and taint; a lineage walk is capped by
// the runtime (512) but a page need not draw that many.
const MAX_ANCESTORS = 48;

const text = (bytes) => bytes.toUtf8();
const num = (n) => n.toNumber();
const big = (n) => n.toBigInt();
const opt = (o, f) => (o.isSome ? f(o.unwrap()) : null);

/** `{ Median: { tolerance: 10 } }` -> `{ kind: 'median', tolerance: 10n }`. */
function plainAggregation(a) {
  if (a.isMedian) return { kind: 'median', tolerance: a.asMedian.tolerance.toBigInt() };
  if (a.isArgMax) return { kind: 'argmax' };
  if (a.isTopK) return { kind: 'top-k', k: a.asTopK.k.toNumber(), tolerance: a.asTopK.tolerance.toBigInt() };
  return { kind: 'exact-majority' };
}

/** Why an operator could not produce an output, in words. */
function describeFailure(f) {
  if (f.isEngine) return `engine: ${f.asEngine.toString()}`;
  const words = {
    ModelBytesUnavailable: 'model bytes unavailable',
    GoldenVectorMismatch: 'golden vector mismatch',
    InputUnavailable: 'input blob unavailable',
  };
  return words[f.type] ?? f.type;
}

export function plainRequest(r) {
  return {
    id: num(r.id),
    requester: r.requester.toString(),
    model: num(r.model),
    version: num(r.version),
    modelHash: r.modelHash.toHex(),
    input: r.input.map(big),
    fee: big(r.fee),
    // The version's price, held beside the fee for its model's and data's owners.
    price: big(r.price),
    createdAt: num(r.createdAt),
    deadline: num(r.deadline),
    aggregation: plainAggregation(r.aggregation),
    minAgreement: num(r.minAgreement),
    status: r.status.type,
    // A request by reference names an input blob (and the dataset it is), its input empty.
    inputReference: opt(r.inputReference, (x) => ({ blob: x.blob.toHex(), dataset: opt(x.dataset, num) })),
  };
}

/** What an operator's node found when it checked a proposed version, in words. */
function describeVerdict(v) {
  return v.isReproduced ? 'reproduced' : `failed: ${describeFailure(v.asFailed)}`;
}

function plainResult(r) {
  return {
    output: r.output.map(big),
    finalizedAt: num(r.finalizedAt),
    agreeing: r.agreeing.map((a) => a.toString()),
    outliers: r.outliers.map((a) => a.toString()),
    failed: r.failed.map(([a, f]) => ({ operator: a.toString(), failure: describeFailure(f) })),
    // 'Finalized' (disputable until settlesAt), 'Disputed' or 'Settled'.
    stage: r.stage.type,
    settlesAt: num(r.settlesAt),
    dispute: opt(r.dispute, (d) => ({
      disputer: d.disputer.toString(),
      round: num(d.round),
      status: d.status.type, // 'Open', 'Upheld', 'Rejected' or 'Inconclusive'
    })),
  };
}

/** Operators' verdicts on a model version before its approval, and whether they sufficed. */
function plainValidation(v) {
  return {
    quorum: num(v.quorum),
    validated: v.validated.isTrue,
    verdicts: v.verdicts.map(([operator, verdict]) => ({
      operator: operator.toString(),
      reproduced: verdict.isReproduced,
      verdict: describeVerdict(verdict),
    })),
  };
}

function plainRetraction(r) {
  return {
    at: num(r.at),
    by: r.by.isGovernance ? 'governance' : r.by.asOwner.toString(),
    reason: text(r.reason),
  };
}

function plainDerivation(d) {
  return d.isDescription ? text(d.asDescription) : `code ${d.asCodeHash.toHex()}`;
}

/** A use's permission: `{ kind: 'Allowed' | 'NotAllowed' | 'Constrained', constraint }`. */
function plainPermission(p) {
  return { kind: p.type, constraint: p.isConstrained ? p.asConstrained.constraint.toHex() : null };
}

/** What a dataset's owner permits (or a version's training data, at its strictest). */
function plainPermissions(p) {
  return {
    aiTraining: plainPermission(p.aiTraining),
    aiInference: plainPermission(p.aiInference),
    dataMining: plainPermission(p.dataMining),
  };
}

/** Who shares a version's price: `{ kind: 'owner' }` (the model's) or `{ kind: 'dataset', dataset }`. */
function plainPayee(p) {
  return p.isModelOwner ? { kind: 'owner' } : { kind: 'dataset', dataset: num(p.asDataset) };
}

/**
 * Who received part of a finalized request's fee (`{ kind: 'operator', account }`) or
 * price (a payee), and how much.
 */
function plainPayment(p) {
  const to = p.to.isOperator ? { kind: 'operator', account: p.to.asOperator.toString() } : plainPayee(p.to.asPayee);
  return { to, amount: big(p.amount) };
}

/**
 * How a model version was trained (code, hyperparameters, framework, who ran it), or null
 * when its proposal named no run.
 */
function plainTrainingRun(field) {
  return opt(field, (r) => ({
    codeHash: r.codeHash.toHex(),
    codeUri: text(r.codeUri),
    hyperparametersHash: r.hyperparametersHash.toHex(),
    framework: text(r.framework),
    frameworkVersion: text(r.frameworkVersion),
    ranBy: r.ranBy.toString(),
  }));
}

export function plainDataset(d) {
  return {
    id: num(d.id),
    owner: d.owner.toString(),
    contentHash: d.contentHash.toHex(),
    sizeBytes: big(d.sizeBytes),
    recordCount: opt(d.recordCount, big),
    uri: text(d.uri),
    licence: text(d.licence),
    commercialUse: d.licenceFlags.commercialUse.isTrue,
    derivatives: d.licenceFlags.derivatives.isTrue,
    parents: d.parents.map(num),
    derivation: opt(d.derivation, plainDerivation),
    registeredAt: num(d.registeredAt),
    deposit: big(d.deposit),
    permissions: plainPermissions(d.permissions),
    // Parts per million of the price of every model trained on it or on data derived from it.
    royalty: num(d.royalty),
    retraction: opt(d.retraction, plainRetraction),
  };
}

function plainTaint(t) {
  return { retracted: t.retracted.isTrue, retractedAncestors: t.retractedAncestors.map(num) };
}

/**
 * A version's canary record: its plan (`sample` in parts per billion, the bounds), when it
 * started and ended (`ended`: `{ at, end }` with end 'Promoted', 'FellBack' or 'Stopped',
 * or null while it runs), and the comparisons' counts and summed milliseconds.
 */
export function plainCanary(c) {
  return {
    sample: num(c.sample),
    maxFailures: num(c.maxFailures),
    maxDisagreements: num(c.maxDisagreements),
    startedAt: num(c.startedAt),
    ended: opt(c.ended, ([at, end]) => ({ at: num(at), end: end.type })),
    compared: num(c.compared),
    agreed: num(c.agreed),
    disagreed: num(c.disagreed),
    failed: num(c.failed),
    candidateMillis: big(c.candidateMillis),
    activeMillis: big(c.activeMillis),
  };
}

function plainVersion(v) {
  return {
    model: num(v.model),
    version: num(v.version),
    modelHash: v.modelHash.toHex(),
    sizeBytes: num(v.sizeBytes),
    uri: text(v.uri),
    inputScale: num(v.inputScale),
    outputScale: num(v.outputScale),
    aggregation: plainAggregation(v.aggregation),
    minAgreement: num(v.minAgreement),
    trainingDatasets: v.trainingDatasets.map(num),
    commercialUse: v.commercialUse.isTrue,
    goldenVectors: v.goldenVectors.length,
    status: v.status.type,
    deposit: big(v.deposit),
    canary: opt(v.canary, plainCanary),
    // What its training data permits, use by use: the strictest of its datasets'.
    usage: plainPermissions(v.usage),
    market: {
      price: big(v.market.price),
      royalties: v.market.royalties.map((r) => ({ dataset: num(r.dataset), depth: num(r.depth), share: num(r.share) })),
      earnings: big(v.market.earnings),
    },
    trainingRun: plainTrainingRun(v.trainingRun),
  };
}

/** The block the registry's scan found version `version` of `model` tainted in, or null. */
async function taintedAt(api, model, version) {
  return opt(await api.query.modelRegistry.taintedVersions(model, version), num);
}

/** The chain's name and token, for the header and for amounts. */
export async function chainInfo(api) {
  const name = (await api.rpc.system.chain()).toString();
  return {
    name,
    decimals: api.registry.chainDecimals[0] ?? 12,
    token: api.registry.chainTokens[0] ?? 'UNIT',
  };
}

/** One request, or null if it is not retained. */
export async function loadRequest(api, id) {
  const view = await api.call.inferenceOracleApi.request(id);
  return opt(view, plainRequest);
}

/** The last requests made (up to RECENT_REQUESTS) and every pending one, by id. */
export async function loadRequests(api) {
  const next = num(await api.query.inferenceOracle.nextRequestId());
  const ids = [];
  for (let id = Math.max(0, next - RECENT_REQUESTS); id < next; id += 1) ids.push(id);
  const [recent, pending] = await Promise.all([
    Promise.all(ids.map((id) => loadRequest(api, id))),
    api.call.inferenceOracleApi.pendingRequests(PENDING_LIMIT),
  ]);
  const byId = new Map();
  for (const r of [...recent.filter(Boolean), ...pending.map(plainRequest)]) byId.set(r.id, r);
  return byId;
}

/**
 * Every dataset in the lineage of the training data: the training datasets (with the taint
 * `explain` computed) and their ancestors, whose records and taint are looked up here
 * because a lineage walk carries only ids and links. Returns a Map id -> node.
 */
async function loadLineage(api, trainingDatasets) {
  const nodes = new Map();
  for (const t of trainingDatasets) {
    nodes.set(t.dataset.id, {
      dataset: t.dataset,
      training: true,
      taint: t.taint,
      parents: t.dataset.parents,
    });
  }
  const ancestorLinks = new Map();
  let truncated = false;
  for (const t of trainingDatasets) {
    truncated ||= t.truncated;
    for (const e of t.ancestors) {
      if (!ancestorLinks.has(e.id)) ancestorLinks.set(e.id, e.links);
    }
  }
  const ancestorIds = [...ancestorLinks.keys()].filter((id) => !nodes.has(id));
  const shown = ancestorIds.slice(0, MAX_ANCESTORS);
  const records = await Promise.all(shown.map(async (id) => {
    const [dataset, taint] = await Promise.all([
      api.call.datasetProvenanceApi.dataset(id),
      api.call.datasetProvenanceApi.taint(id),
    ]);
    return { id, dataset: opt(dataset, plainDataset), taint: opt(taint, plainTaint) };
  }));
  for (const { id, dataset, taint } of records) {
    nodes.set(id, {
      dataset: dataset ?? { id, uri: '', parents: ancestorLinks.get(id) },
      training: false,
      taint: taint ?? { retracted: false, retractedAncestors: [] },
      parents: dataset ? dataset.parents : ancestorLinks.get(id),
    });
  }
  return { nodes, truncated: truncated || shown.length < ancestorIds.length };
}

/**
 * Request `id` with its chain of custody, from `InferenceOracleApi.explain`, completed with
 * the model's name and owner, the ancestors' records and whether the registry marked the
 * version tainted; null if the request is not retained.
 */
export async function loadCustody(api, id) {
  const found = await api.call.inferenceOracleApi.explain(id);
  if (found.isNone) return null;
  const e = found.unwrap();
  const request = plainRequest(e.request);
  const result = opt(e.result, plainResult);
  const submissions = e.submissions.map((s) => ({
    operator: s.operator.toString(),
    at: num(s.at),
    output: s.outcome.isOutput ? s.outcome.asOutput.map(big) : null,
    failure: s.outcome.isFailed ? describeFailure(s.outcome.asFailed) : null,
  }));
  const provenance = opt(e.provenance, (p) => ({
    version: plainVersion(p.version),
    trainingDatasets: p.trainingDatasets.map((t) => ({
      dataset: plainDataset(t.dataset),
      ancestors: t.ancestors.datasets.map((a) => ({
        id: num(a.id), depth: num(a.depth), links: a.links.map(num), retracted: a.retracted.isTrue,
      })),
      truncated: t.ancestors.truncated.isTrue,
      taint: plainTaint(t.taint),
    })),
    tainted: p.tainted.isTrue,
    validation: plainValidation(p.validation),
  }));
  const [model, lineage, versionTaintedAt] = await Promise.all([
    api.call.modelRegistryApi.model(request.model),
    provenance ? loadLineage(api, provenance.trainingDatasets) : { nodes: new Map(), truncated: false },
    provenance ? taintedAt(api, request.model, request.version) : null,
  ]);
  return {
    request,
    result,
    submissions: submissions.map((s) => ({ ...s, role: operatorRole(s, result) })),
    provenance,
    modelName: opt(model, (m) => text(m.name)),
    modelOwner: opt(model, (m) => m.owner.toString()),
    datasets: lineage.nodes,
    lineageTruncated: lineage.truncated,
    // The block the registry's scan marked the version tainted in (it may lag the
    // retraction by a few blocks), or null.
    versionTaintedAt,
    taintedDatasets: e.taintedDatasets.map(num),
    // The canary that sampled the request, if one did: the candidate, and its verdict
    // ('Agreed', 'Disagreed', 'Failed') once the request was judged; with its figures.
    canary: opt(e.canary, (c) => ({
      version: num(c.version),
      modelHash: c.modelHash.toHex(),
      verdict: opt(c.verdict, (v) => v.type),
    })),
    canaryRecord: opt(e.canaryRecord, plainCanary),
    // The block from which the result rests on retracted data, or null while its data stands.
    taintedSince: opt(e.taintedSince, num),
    // Once finalized: each agreeing operator's share of the fee, then the price's split.
    payments: e.payments.map(plainPayment),
  };
}

/** `version` with `run` as its training run if it carries none itself. */
/** How an operator's submission fared: agreeing, outlier, failed, or just submitted. */
function operatorRole(submission, result) {
  if (submission.failure !== null) return 'failed';
  if (!result) return 'submitted';
  if (result.agreeing.includes(submission.operator)) return 'agreeing';
  if (result.outliers.includes(submission.operator)) return 'outlier';
  return 'submitted';
}
