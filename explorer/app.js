// The provenance explorer's page: connects to the node named by ?rpc= (default
// ws://127.0.0.1:9944) with the Polkadot.js bundles' globals, lists recent and pending
// inference requests, follows new blocks' events, and draws the chain of custody of the
// request selected (a click, or ?request=N).

import { chainInfo, loadCustody, loadRequest, loadRequests } from './chain.js';
import { fill, h } from './dom.js';
import { loadVersionHistory } from './governance.js';
import { ROLE_ORDER, drawCustodyGraph } from './graph.js';
import {
  canaryEndWord, canaryLines, datasetName, formatAggregation, formatAmount, formatCanary, formatCanaryCheck, formatFeeAndPrice,
  formatInput, formatPerbill, formatPermill, formatPermissions, formatReport, formatStage, formatValidation, labelAccount, shortAccount,
} from './format.js';
import { paymentRows, renderVersionDetails } from './version.js';

const DEFAULT_RPC = 'ws://127.0.0.1:9944';
const MAX_EVENTS = 40;
const SECTIONS = new Set(['inferenceOracle', 'modelRegistry', 'datasetProvenance']);

const params = new URLSearchParams(window.location.search);
const rpc = params.get('rpc') || DEFAULT_RPC;

const state = {
  api: null,
  chain: null,
  requests: new Map(),
  modelNames: new Map(),
  selected: params.has('request') ? Number(params.get('request')) : null,
  // Bumped by every custody load, so that a slow answer cannot overwrite a newer one.
  loadSeq: 0,
  // The block after which the result drawn settles by itself (no event says so), if it is
  // still disputable: the page redraws it then.
  settlesAt: null,
  // The model of the request drawn: a canary comparison for it changes the figures shown.
  selectedModel: null,
};

const $ = (id) => document.getElementById(id);

function setStatus(status, text = status) {
  const badge = $('status');
  badge.dataset.status = status;
  badge.textContent = text;
}

function showError(message) {
  const box = $('error');
  box.hidden = !message;
  box.textContent = message ?? '';
}

async function modelName(id) {
  if (!state.modelNames.has(id)) {
    const model = await state.api.call.modelRegistryApi.model(id);
    state.modelNames.set(id, model.isSome ? model.unwrap().name.toUtf8() : `model ${id}`);
  }
  return state.modelNames.get(id);
}

// ---- requests list -------------------------------------------------------------------

function renderRequests() {
  const list = $('requests');
  const rows = [...state.requests.values()].sort((a, b) => b.id - a.id);
  $('request-count').textContent = rows.length ? `(${rows.length})` : '';
  list.replaceChildren(...rows.map((r) => h('li', {
    'data-request-id': r.id,
    'data-status': r.status,
    class: r.id === state.selected ? 'selected' : '',
  }, h('button', { type: 'button', onclick: () => select(r.id) }, [
    h('span', { class: 'rid' }, `#${r.id}`),
    h('span', { class: `badge status-${r.status.toLowerCase()}` }, r.status),
    h('span', { class: 'what' }, `${state.modelNames.get(r.model) ?? `model ${r.model}`} v${r.version}`),
    h('span', { class: 'who muted' },
      `${shortAccount(r.requester)} · ${formatFeeAndPrice(r.fee, r.price, state.chain)} · block #${r.createdAt}`),
  ]))));
  if (!rows.length) list.append(h('li', { class: 'muted empty-row' }, 'No requests yet.'));
}

async function refreshRequest(id) {
  const request = await loadRequest(state.api, id);
  if (request) {
    await modelName(request.model);
    state.requests.set(id, request);
  }
  renderRequests();
}

// ---- live events ---------------------------------------------------------------------

/** A one-line account of an event of the aioracle pallets. */
function describeEvent({ section, method, data }) {
  const id = (field) => data[field]?.toString();
  switch (`${section}.${method}`) {
    case 'inferenceOracle.InferenceRequested':
      return `request #${id('request')}: ${shortAccount(id('requester'))} asks model ${id('model')} v${id('version')} for ${formatFeeAndPrice(data.fee.toBigInt(), data.price.toBigInt(), state.chain)}`;
    case 'inferenceOracle.ResultSubmitted':
      return `request #${id('request')}: ${shortAccount(id('operator'))} submitted ${data.output.isTrue ? 'an output' : 'a failure'}`;
    case 'inferenceOracle.ResultFinalized':
      return `request #${id('request')} finalized: ${data.agreeing.length} agreed, ${data.outliers.length} outliers`;
    case 'inferenceOracle.RequestExpired':
      return `request #${id('request')} expired; fee refunded`;
    case 'inferenceOracle.DisputeOpened':
      return `request #${id('request')} DISPUTED by ${shortAccount(id('disputer'))}: round #${id('round')}`;
    case 'inferenceOracle.DisputeResolved':
      return `request #${id('request')}: dispute ${id('status').toLowerCase()} (round #${id('round')})`;
    case 'inferenceOracle.ResultReplaced':
      return `request #${id('request')}: result REPLACED`;
    case 'inferenceOracle.PriceCredited':
      return `request #${id('request')}: ${formatAmount(data.price.toBigInt(), state.chain)} credited to model ${id('model')} v${id('version')}`;
    case 'modelRegistry.PriceSet':
      return `model ${id('model')} v${id('version')} priced at ${formatAmount(data.price.toBigInt(), state.chain)} per inference`;
    case 'modelRegistry.EarningsPaidOut':
      return `model ${id('model')} v${id('version')}: ${formatAmount(data.amount.toBigInt(), state.chain)} paid out to ${shortAccount(id('to'))} (${data.payee.isModelOwner ? 'model owner' : `dataset #${data.payee.asDataset}`})`;
    case 'modelRegistry.VersionTainted':
      return `model ${id('model')} v${id('version')} TAINTED: trained on retracted data`;
    case 'inferenceOracle.CanarySampled':
      return `request #${id('request')} sampled for model ${id('model')}'s canary: v${id('version')} scores it too`;
    case 'inferenceOracle.CanaryCompared':
      return `request #${id('request')}: canary v${id('version')} of model ${id('model')} ${data.verdict.type.toLowerCase()}`;
    case 'modelRegistry.CanaryStarted':
      return `model ${id('model')} v${id('version')} in canary: ${formatPerbill(data.sample.toNumber())} sampled, at most ${id('maxFailures')} failures and ${id('maxDisagreements')} disagreements`;
    case 'modelRegistry.CanaryEnded':
      return `model ${id('model')} v${id('version')}: canary ${canaryEndWord(data.end.type)} after ${id('compared')} comparisons (${id('disagreed')} disagreed, ${id('failed')} failed)`;
    case 'inferenceOracle.VerdictSubmitted':
      return `model ${id('model')} v${id('version')}: ${shortAccount(id('operator'))} ${data.verdict.isReproduced ? 'reproduced it' : `failed it (${data.verdict.asFailed.type})`}`;
    case 'datasetProvenance.DatasetRegistered':
      return `dataset #${id('dataset')} registered by ${shortAccount(id('owner'))}`;
    case 'datasetProvenance.DatasetRetracted':
      return `dataset #${id('dataset')} RETRACTED`;
    default: {
      const names = data.names ?? [];
      const args = names.map((name, i) => `${name} ${String(data[i]).slice(0, 18)}`).join(', ');
      return `${method}${args ? `: ${args}` : ''}`;
    }
  }
}

function addEvents(blockNumber, events) {
  const list = $('events');
  for (const event of events) {
    const name = `${event.section}.${event.method}`;
    list.prepend(h('li', {
      'data-event': name,
      class: ['DatasetRetracted', 'RequestExpired', 'DisputeOpened', 'ResultReplaced', 'VersionTainted'].includes(event.method)
        || (event.method === 'CanaryEnded' && event.data.end.isFellBack) ? 'warn' : '',
    }, [h('span', { class: 'muted' }, `#${blockNumber} `), describeEvent(event)]));
  }
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

/** Handles a new block: its events update the list and, if needed, the custody drawn. */
async function onBlock(header) {
  const blockNumber = header.number.toNumber();
  $('block-number').textContent = `#${blockNumber}`;
  const records = await state.api.query.system.events.at(header.hash);
  const events = records.map((r) => r.event).filter((e) => SECTIONS.has(e.section));
  // A result drawn as disputable settles once its dispute window is over, without an event.
  const settled = state.settlesAt !== null && blockNumber > state.settlesAt;
  if (settled && !events.length && state.selected !== null) {
    await showCustody(state.selected);
    return;
  }
  if (!events.length) return;
  addEvents(blockNumber, events);
  const touched = new Set(events
    .filter((e) => e.section === 'inferenceOracle' && e.data.request)
    .map((e) => e.data.request.toNumber()));
  // Taint is computed now: a retraction (or a model change) can change any explanation.
  // A comparison for the selected request's model changes its canary's figures.
  const lineageChanged = events.some((e) => e.section !== 'inferenceOracle'
    || (e.method === 'CanaryCompared' && e.data.model.toNumber() === state.selectedModel));
  await Promise.all([...touched].map(refreshRequest));
  if (state.selected !== null && (touched.has(state.selected) || lineageChanged || settled)) {
    await showCustody(state.selected);
  }
}

// ---- chain of custody ----------------------------------------------------------------

function operatorRows(custody) {
  const scale = custody.provenance?.version.outputScale ?? 0;
  const submissions = [...custody.submissions].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
  return submissions.map((s) => h('tr', {
    'data-operator': s.operator, 'data-role': s.role, class: `role-${s.role}`,
  }, [
    h('td', {}, labelAccount(s.operator)),
    h('td', {}, h('span', { class: `badge role-${s.role}` }, s.role)),
    h('td', {}, `block #${s.at}`),
    h('td', { class: 'mono' }, s.failure ?? formatReport(s.output, scale, custody.request.aggregation)),
  ]));
}

function datasetRows(custody) {
  return [...custody.datasets].sort(([a], [b]) => a - b).map(([id, d]) => {
    const ds = d.dataset;
    const tainted = d.taint.retracted || d.taint.retractedAncestors.length > 0;
    let stateText = 'ok';
    if (d.taint.retracted) stateText = `retracted at #${ds.retraction?.at}: ${ds.retraction?.reason}`;
    else if (tainted) stateText = `tainted: derived from retracted #${d.taint.retractedAncestors.join(', #')}`;
    return h('tr', {
      'data-dataset-id': id,
      'data-tainted': tainted,
      'data-retracted': d.taint.retracted,
      'data-royalty': ds.royalty,
      class: d.taint.retracted ? 'retracted' : tainted ? 'tainted' : '',
    }, [
      h('td', {}, `#${id}`),
      h('td', {}, [
        h('div', {}, `${datasetName(ds)}${d.training ? ' (training data)' : ''}`),
        h('div', { class: 'muted small' }, ds.uri ?? ''),
        ds.derivation ? h('div', { class: 'muted small' }, `derived: ${ds.derivation}`) : null,
      ]),
      h('td', { class: 'nowrap' }, ds.licence ?? ''),
      // Not known for an ancestor whose record was not loaded.
      h('td', { class: 'small' }, ds.permissions ? formatPermissions(ds.permissions) : ''),
      h('td', {}, ds.royalty === undefined ? '' : formatPermill(ds.royalty)),
      h('td', {}, ds.owner ? shortAccount(ds.owner) : ''),
      h('td', {}, stateText),
    ]);
  });
}

/** Each operator's verdict on the model version, from before its approval. */
function verdictRows(custody) {
  const verdicts = custody.provenance?.validation.verdicts ?? [];
  if (!verdicts.length) {
    return [h('tr', {}, h('td', { colspan: 2, class: 'muted' }, 'No operator verdicts: the version was approved without them (by root, or at genesis).'))];
  }
  return verdicts.map((v) => h('tr', {
    'data-verdict-operator': v.operator, 'data-reproduced': v.reproduced,
  }, [
    h('td', {}, labelAccount(v.operator)),
    h('td', {}, h('span', { class: `badge ${v.reproduced ? 'role-agreeing' : 'role-failed'}` }, v.verdict)),
  ]));
}

/** A status change in words: `approved at #12 by referendum #0`, `canary fell back at #40: ...`. */
function describeChange(c) {
  const what = {
    canary: 'canary started',
    'canary-ended': `canary ${canaryEndWord(c.end)}`,
  }[c.status] ?? c.status;
  return c.by.kind === 'bounds' ? `${what} at #${c.at}: ${c.by.text}` : `${what} at #${c.at} by ${c.by.text}`;
}

/** A version's last canary: sample, comparisons against the bounds, timings, its end. */
function canaryCell(canary) {
  if (!canary) return h('td', { class: 'muted' }, '—');
  const phase = canary.ended ? canary.ended.end : 'Running';
  return h('td', {
    'data-canary': phase,
    'data-compared': canary.compared,
    'data-agreed': canary.agreed,
    'data-disagreed': canary.disagreed,
    'data-failed': canary.failed,
    class: `canary canary-${phase.toLowerCase()}`,
  }, canaryLines(canary).map((line) => h('div', {}, line)));
}

/** The model's versions, newest first, with their canary and what decided each status change. */
function historyRows(custody) {
  return custody.history.map((v) => h('tr', {
    'data-history-version': v.version, 'data-status': v.status,
    class: v.version === custody.request.version ? 'current' : '',
  }, [
    h('td', {}, `v${v.version}`),
    h('td', {}, v.status === 'Canary' ? h('span', { class: 'badge status-canary' }, v.status) : v.status),
    canaryCell(v.canary),
    h('td', {}, v.changes.map((c) => h('div', {
      'data-change-status': c.status, 'data-by-kind': c.by.kind, 'data-by-index': c.by.index ?? '',
    }, describeChange(c)))),
  ]));
}

/** The warning above the graph: since when the result rests on retracted data, and which. */
function renderTaintWarning(body, custody) {
  const warning = body.querySelector('[data-field="taint-warning"]');
  const datasets = custody.taintedDatasets.length ? ` (dataset #${custody.taintedDatasets.join(', #')})` : '';
  const since = custody.taintedSince === null ? '' : ` since block #${custody.taintedSince} — this result rests on retracted data`;
  warning.replaceChildren(
    h('strong', {}, `Tainted${since}.`),
    ` The model version was trained on data now retracted or derived from retracted data${datasets}.`,
  );
  warning.dataset.taintedSince = custody.taintedSince ?? '';
  warning.hidden = false;
}

function renderCustody(custody) {
  const panel = $('custody');
  const body = $('custody-template').content.cloneNode(true);
  const { request, result, provenance } = custody;
  const inputScale = provenance?.version.inputScale ?? 0;
  const outputScale = provenance?.version.outputScale ?? 0;
  fill(body, 'title', `Request #${request.id}`);
  const status = fill(body, 'status', request.status);
  status.classList.add(`status-${request.status.toLowerCase()}`);
  fill(body, 'requester', labelAccount(request.requester));
  fill(body, 'model', `${custody.modelName ?? `model ${request.model}`} (model #${request.model}), version ${request.version}${provenance ? `, now ${provenance.version.status}` : ''}`);
  fill(body, 'model-hash', request.modelHash);
  fill(body, 'input', formatInput(request, inputScale));
  fill(body, 'output', result ? formatReport(result.output, outputScale, request.aggregation) : '—');
  fill(body, 'fee', formatAmount(request.fee, state.chain));
  fill(body, 'request-price', request.price ? formatAmount(request.price, state.chain) : 'free');
  fill(body, 'created', `block #${request.createdAt}, deadline #${request.deadline}${result ? `, finalized at #${result.finalizedAt}` : ''}`);
  fill(body, 'aggregation', `${formatAggregation(request.aggregation)}, at least ${request.minAgreement} agreeing`);
  const stage = fill(body, 'stage', result ? formatStage(result) : '—');
  if (result) stage.dataset.stage = result.stage;
  const validation = fill(body, 'validation', provenance ? formatValidation(provenance.validation) : '—');
  if (provenance) validation.dataset.validated = provenance.validation.validated;
  if (custody.canary) {
    // Sampled by a canary: the requester got the active version's answer all the same.
    const canary = fill(body, 'canary', formatCanaryCheck(custody.canary, request.status));
    canary.dataset.canaryVersion = custody.canary.version;
    canary.dataset.verdict = custody.canary.verdict ?? '';
    if (custody.canaryRecord) canary.append(h('div', { class: 'muted small' }, `its canary: ${formatCanary(custody.canaryRecord)}`));
    canary.parentElement.hidden = false;
  }
  if (custody.taintedSince !== null || custody.taintedDatasets.length) renderTaintWarning(body, custody);
  body.querySelector('#graph').append(drawCustodyGraph(custody, state.chain));
  if (custody.lineageTruncated) {
    body.querySelector('#graph').append(h('p', { class: 'muted' }, 'The lineage is longer than drawn.'));
  }
  body.querySelector('#operators tbody').append(...operatorRows(custody));
  if (!custody.submissions.length) {
    body.querySelector('#operators tbody').append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No submissions yet.')));
  }
  renderVersionDetails(body, custody, state.chain);
  body.querySelector('#payments tbody').append(...paymentRows(custody, state.chain));
  body.querySelector('#datasets tbody').append(...datasetRows(custody));
  body.querySelector('#verdicts tbody').append(...verdictRows(custody));
  body.querySelector('#history tbody').append(...historyRows(custody));
  panel.replaceChildren(body);
  state.settlesAt = result?.stage === 'Finalized' ? result.settlesAt : null;
  state.selectedModel = request.model;
  panel.dataset.requestId = request.id;
  panel.dataset.status = request.status;
  panel.dataset.tainted = custody.taintedSince !== null || custody.taintedDatasets.length > 0;
  panel.dataset.loaded = 'true';
}

async function showCustody(id) {
  const seq = ++state.loadSeq;
  const custody = await loadCustody(state.api, id);
  if (custody) custody.history = await loadVersionHistory(state.api, custody.request.model);
  if (seq !== state.loadSeq) return;
  const panel = $('custody');
  if (!custody) {
    panel.replaceChildren(h('div', { class: 'empty' }, [
      h('h2', {}, `Request #${id}`),
      h('p', {}, 'The chain does not hold this request (never made, or older than the requests it retains).'),
    ]));
    panel.dataset.requestId = id;
    panel.dataset.loaded = 'missing';
    state.settlesAt = null;
    return;
  }
  renderCustody(custody);
}

/** This page's URL with ?request=id, the other parameters left as typed (?rpc=ws://...). */
function urlWithRequest(id) {
  const kept = window.location.search.slice(1).split('&')
    .filter((part) => part && !part.startsWith('request='));
  return `${window.location.pathname}?${[...kept, `request=${id}`].join('&')}`;
}

function select(id) {
  state.selected = id;
  window.history.replaceState(null, '', urlWithRequest(id));
  renderRequests();
  $('custody').dataset.loaded = 'false';
  showCustody(id).catch((e) => showError(`cannot explain request #${id}: ${e.message}`));
}

// ---- start ---------------------------------------------------------------------------

async function start() {
  $('rpc-url').textContent = rpc;
  if (!window.polkadotApi) {
    setStatus('error', 'no Polkadot.js');
    showError('The Polkadot.js bundles did not load (is the page served by explorer/serve.js?).');
    return;
  }
  const { ApiPromise, WsProvider } = window.polkadotApi;
  const provider = new WsProvider(rpc, 2500);
  provider.on('disconnected', () => setStatus('disconnected', 'reconnecting…'));
  provider.on('error', () => showError(
    `Cannot reach the node at ${rpc}; retrying. Is one running (./scripts/run-dev.sh)? `
    + 'Another node: add ?rpc=ws://host:port to this page\'s URL.',
  ));
  provider.on('connected', () => {
    showError(null);
    if (state.chain) setStatus('connected');
  });
  const api = await ApiPromise.create({ provider, noInitWarn: true });
  state.api = api;
  state.chain = await chainInfo(api);
  $('chain-name').textContent = `${state.chain.name} · ${state.chain.token}`;

  state.requests = await loadRequests(api);
  await Promise.all([...new Set([...state.requests.values()].map((r) => r.model))].map(modelName));
  renderRequests();
  setStatus('connected');

  // Headers one at a time, in order, so that events are shown per block in sequence.
  let queue = Promise.resolve();
  await api.rpc.chain.subscribeNewHeads((header) => {
    queue = queue.then(() => onBlock(header)).catch((e) => showError(`block update failed: ${e.message}`));
  });
  if (state.selected !== null && Number.isInteger(state.selected)) select(state.selected);
}

start().catch((e) => {
  setStatus('error', 'error');
  showError(`cannot start: ${e.message}`);
});
