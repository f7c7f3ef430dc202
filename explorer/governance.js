// Who changed a model version's status: for each status a version entered (proposed,
// approved, activated, deprecated, rejected), and for its last canary when it started and
// ended, the block it happened in and what decided it there: a referendum (enacted by the
// scheduler at the start of the block), a council motion (closed by an extrinsic), root
// (sudo), the model's owner, the genesis, or, for a canary that fell back, the chain itself
// (its bounds exceeded when a sampled request was judged).

import { plainCanary } from './chain.js';

const MAX_VERSIONS = 8;

/** The registry event that marks each status, and whether it names `version` as `to`. */
const STATUS_EVENTS = {
  proposed: ['ModelVersionProposed'],
  approved: ['ModelVersionApproved'],
  activated: ['ModelVersionActivated', 'ModelRolledBack'],
  deprecated: ['ModelVersionDeprecated', 'ModelVersionActivated', 'ModelRolledBack'],
  rejected: ['ModelVersionRejected'],
  // Not in `statusBlocks`: from the version's canary record (`startedAt`, `ended`).
  canary: ['CanaryStarted'],
  'canary-ended': ['CanaryEnded'],
};

/** The statuses `statusBlocks` records a block for. */
const STATUS_BLOCKS = ['proposed', 'approved', 'activated', 'deprecated', 'rejected'];

/** The order of changes within one block (a promotion ends the canary, then activates). */
const ORDER = ['proposed', 'approved', 'canary', 'canary-ended', 'activated', 'deprecated', 'rejected'];

/** Whether registry event `event` put version `version` of `model` in status `status`. */
function marks(event, status, model, version) {
  const d = event.data;
  if (!STATUS_EVENTS[status].includes(event.method) || d.model.toNumber() !== model) return false;
  const is = (v) => v !== undefined && v.toNumber() === version;
  const isSome = (o) => o !== undefined && o.isSome && o.unwrap().toNumber() === version;
  switch (event.method) {
    case 'ModelVersionActivated':
      return status === 'activated' ? is(d.version) : isSome(d.previous);
    case 'ModelRolledBack':
      return status === 'activated' ? is(d.to) : isSome(d.from);
    default:
      return is(d.version);
  }
}

/** blake2_256(("assembly", "enactment", index)): the scheduler's id of a referendum's enactment. */
function enactmentId(index) {
  const { u8aConcat, stringToU8a, compactToU8a, bnToU8a } = window.polkadotUtil;
  return window.polkadotUtilCrypto.blake2AsHex(u8aConcat(
    stringToU8a('assembly'), compactToU8a(9), stringToU8a('enactment'),
    bnToU8a(index, { bitLength: 32, isLe: true }),
  ), 256);
}

/** The referendum whose enactment the scheduler dispatched with `id`, or null. */
async function referendumOf(api, id) {
  const count = (await api.query.referenda.referendumCount()).toNumber();
  for (let index = count - 1; index >= 0; index -= 1) {
    if (enactmentId(index) === id) return index;
  }
  return null;
}

// What decided a status change never changes once it is in a block: the page redraws the
// history at every block with a registry or dataset event, so each answer is kept.
const deciders = new Map();

/** What decided the status change `status` of `model`/`version` in block `at` (cached). */
function decider(api, at, status, model, version) {
  const key = `${model}:${version}:${status}:${at}`;
  if (!deciders.has(key)) {
    deciders.set(key, findDecider(api, at, status, model, version).catch((e) => {
      deciders.delete(key); // a failed read is tried again at the next redraw
      throw e;
    }));
  }
  return deciders.get(key);
}

async function findDecider(api, at, status, model, version) {
  if (at === 0) return { kind: 'genesis', text: 'genesis' };
  const hash = await api.rpc.chain.getBlockHash(at);
  const records = await (await api.at(hash)).query.system.events();
  const i = records.findIndex(({ event }) => event.section === 'modelRegistry' && marks(event, status, model, version));
  if (i < 0) return { kind: 'unknown', text: 'unknown' };
  const { event, phase } = records[i];
  if (event.method === 'CanaryEnded' && event.data.end.isFellBack) {
    // No origin decided it: judging a sampled request (its CanaryCompared follows) put the
    // candidate past its bounds.
    const compared = records.slice(i).find(({ event: e }) => e.section === 'inferenceOracle' && e.method === 'CanaryCompared'
      && e.data.model.toNumber() === model && e.data.version.toNumber() === version);
    const request = compared?.event.data.request.toNumber();
    return request === undefined
      ? { kind: 'bounds', text: 'over its bounds' }
      : { kind: 'bounds', index: request, text: `over its bounds once request #${request} was judged` };
  }
  if (phase.isApplyExtrinsic) {
    const { block } = await api.rpc.chain.getBlock(hash);
    const ext = block.extrinsics[phase.asApplyExtrinsic.toNumber()];
    const { section, method, args } = ext.method;
    if (section === 'council' && method === 'close') {
      return { kind: 'motion', index: args[1].toNumber(), text: `council motion #${args[1].toNumber()}` };
    }
    if (section === 'sudo') return { kind: 'root', text: 'root (sudo)' };
    return { kind: 'signed', account: ext.signer.toString(), text: `${section}.${method}` };
  }
  // Not in an extrinsic: the scheduler enacted a referendum at the start of the block.
  const dispatched = records.slice(i).find(({ event }) => event.section === 'scheduler' && event.method === 'Dispatched');
  const id = dispatched?.event.data.id;
  const index = id?.isSome ? await referendumOf(api, id.unwrap().toHex()) : null;
  return index === null
    ? { kind: 'scheduled', text: 'scheduled call' }
    : { kind: 'referendum', index, text: `referendum #${index}` };
}

/**
 * The last `MAX_VERSIONS` versions of `model`, each with its status now, its last canary
 * (`plainCanary`, or null) and every status it entered, its canary's start and end
 * included: `{ version, status, canary, changes: [{ status, at, by, end? }] }`, newest
 * version first.
 */
export async function loadVersionHistory(api, model) {
  const versions = (await api.call.modelRegistryApi.versions(model)).slice(-MAX_VERSIONS).reverse();
  return Promise.all(versions.map(async (v) => {
    const version = v.version.toNumber();
    // `proposed` is a block number, the others options.
    const block = (b) => (b.isSome === undefined ? b.toNumber() : b.isSome ? b.unwrap().toNumber() : null);
    const canary = v.canary?.isSome ? plainCanary(v.canary.unwrap()) : null;
    const entered = STATUS_BLOCKS.map((status) => ({ status, at: block(v.statusBlocks[status]) }));
    if (canary) {
      entered.push({ status: 'canary', at: canary.startedAt });
      if (canary.ended) entered.push({ status: 'canary-ended', at: canary.ended.at, end: canary.ended.end });
    }
    const changes = await Promise.all(entered
      .filter(({ at }) => at !== null)
      .sort((a, b) => a.at - b.at || ORDER.indexOf(a.status) - ORDER.indexOf(b.status))
      .map(async (change) => ({ ...change, by: await decider(api, change.at, change.status, model, version) })));
    return { version, status: v.status.type, canary, changes };
  }));
}
