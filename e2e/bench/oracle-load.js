// Load benchmark of the inference oracle on a fresh dev node: how many requests per block
// the chain and its off-chain worker keep up with, against how many plain transfers fit
// in a block.
//
//   node bench/oracle-load.js RATE BLOCKS [OPERATORS=3] [BLOCK_TIME_MS=3000]
//
// Starts a dev node (AIORACLE_NODE), whose genesis operators are Alice, Bob and Charlie
// (their `orcl` keys in its keystore; the sample model's committees are three of the
// operators), registers OPERATORS - 3 more whose keys go into the same node's keystore
// (Dave, Eve, Ferdie, ...: one OCW answers for all),
// funds fresh sender accounts from Alice, then:
//   1. reference: floods the pool with pre-signed `balances.transferKeepAlive`s and counts
//      how many land in each block;
//   2. oracle: for BLOCKS blocks, right after each new best head, submits RATE pre-signed
//      `inferenceOracle.requestInference`s on the sample model, and follows every block
//      (events, weight, extrinsics) until each request is finalized or expired.
// Prints a summary, then one JSON line (also written to test-output/oracle-load.json).
// Exits 0 whenever the run completes (it measures, it does not judge), 1 if the node failed.
//
// Requests come from the accounts //load//0.. and transfers from //load//flood//0..: a flood
// the transaction pool only partly delivers (see transferFlood) cannot hold up requests.
//
// Environment: LOAD_SENDERS (sender accounts of each kind, default 64); LOAD_FLOOD
// (transfers in the reference flood; default: twice the estimated block capacity, at
// least 6000; 0 skips the reference); LOAD_NODE_ARGS (more node arguments, space-separated,
// e.g. `--pool-type single-state`).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import { describeDispatchError, devAccounts, submit } from '../lib/chain.js';
import { nodeBinary, outputDir, startDevNode } from '../lib/node.js';

const rate = Number(process.argv[2] ?? 8);
const blockCount = Number(process.argv[3] ?? 10);
const operatorCount = Number(process.argv[4] ?? 3);
const blockTime = Number(process.argv[5] ?? 3000);
const senderCount = Number(process.env.LOAD_SENDERS ?? 64);
const floodOverride = process.env.LOAD_FLOOD ? Number(process.env.LOAD_FLOOD) : undefined;

const reference = JSON.parse(
  readFileSync(new URL('../../models/iris-logreg.json', import.meta.url), 'utf8'),
);
// The genesis operators (the development preset's), and the dev accounts that become
// operators after them; later ones are made and funded.
const GENESIS_OPERATORS = 3;
const OPERATOR_NAMES = ['Dave', 'Eve', 'Ferdie'];
const UNIT = 1_000_000_000_000n;

// ---------------------------------------------------------------------------------------
// Small utilities

/** Resolves after `ms` milliseconds. */
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** The lower median of `values` (null if empty). */
function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The nearest-rank `p` percentile (0..100) of `values` (null if empty). */
function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `part` as a percentage of `whole`, to 0.1. */
function pct(part, whole) {
  return whole > 0n ? Number((part * 1000n) / whole) / 10 : null;
}

/** The largest of `values`, or null if empty. */
function max(values) {
  return values.length === 0 ? null : Math.max(...values);
}

/** Prints a progress line to stderr (stdout keeps the summary). */
function say(message) {
  console.error(`[oracle-load] ${message}`);
}

// ---------------------------------------------------------------------------------------
// Raw JSON-RPC over HTTP: fast bulk submission, and blocks as hex (no bulk decoding)

/** Calls `method` on the node at `url`; returns its result, throws on an RPC error. */
async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
  });
  const answer = await res.json();
  if (answer.error) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

/** Sends `calls` ([method, params]) as one JSON-RPC batch; returns the answers in order. */
async function rpcBatch(url, calls) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ id, jsonrpc: '2.0', method, params }))),
  });
  const answers = await res.json();
  if (!Array.isArray(answers)) throw new Error(`batch refused: ${JSON.stringify(answers)}`);
  const byId = new Map(answers.map((a) => [a.id, a]));
  return calls.map((_, id) => byId.get(id) ?? { error: { message: 'no answer' } });
}

/**
 * Submits the signed extrinsics `hexes` with `author_submitExtrinsic`, in batches of
 * `chunk` with `parallel` batches in flight. Returns `{ accepted, refused }`, `refused`
 * counting the pool's error messages.
 */
async function submitAll(url, hexes, chunk = 500, parallel = 4) {
  const chunks = [];
  for (let i = 0; i < hexes.length; i += chunk) chunks.push(hexes.slice(i, i + chunk));
  let accepted = 0;
  const refused = {};
  let next = 0;
  async function worker() {
    while (next < chunks.length) {
      const batch = chunks[next];
      next += 1;
      const answers = await rpcBatch(url, batch.map((hex) => ['author_submitExtrinsic', [hex]]));
      for (const a of answers) {
        if (a.error) {
          const message = a.error.data ? `${a.error.message}: ${a.error.data}` : a.error.message;
          refused[message] = (refused[message] ?? 0) + 1;
        } else {
          accepted += 1;
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
  return { accepted, refused };
}

// ---------------------------------------------------------------------------------------
// Accounts and signing

/** Signs `tx` as `pair` with `nonce`, immortal, without asking the node; returns hex. */
function signOffline(api, tx, pair, nonce) {
  tx.sign(pair, {
    blockHash: api.genesisHash,
    genesisHash: api.genesisHash,
    nonce,
    runtimeVersion: api.runtimeVersion,
    signedExtensions: api.registry.signedExtensions,
  });
  return tx.toHex();
}

/** The next nonce of each of `pairs`, as the node sees it (pool included). */
async function nextNonces(api, pairs) {
  const nonces = await Promise.all(pairs.map((p) => api.rpc.system.accountNextIndex(p.address)));
  return nonces.map((n) => n.toNumber());
}

/** The operator accounts after Alice: Bob, Charlie, ... then //Operator<i> (to fund). */
function operatorPairs(keyring, count) {
  return Array.from({ length: Math.max(0, count - GENESIS_OPERATORS) }, (_, i) => {
    const suri = i < OPERATOR_NAMES.length ? `//${OPERATOR_NAMES[i]}` : `//Operator${i + 1}`;
    return { suri, pair: keyring.addFromUri(suri), funded: i < OPERATOR_NAMES.length };
  });
}

/**
 * Sends `amount` from `alice` to each of `pairs` (consecutive explicit nonces, all at once)
 * and waits until every one holds funds.
 */
async function fund(api, url, alice, pairs, amount, timeoutMs) {
  const [nonce] = await nextNonces(api, [alice]);
  const hexes = pairs.map((p, i) => signOffline(
    api, api.tx.balances.transferKeepAlive(p.address, amount), alice, nonce + i,
  ));
  const { accepted, refused } = await submitAll(url, hexes);
  if (accepted !== hexes.length) throw new Error(`funding refused by the pool: ${JSON.stringify(refused)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accounts = await api.query.system.account.multi(pairs.map((p) => p.address));
    if (accounts.every((a) => a.data.free.toBigInt() > 0n)) return;
    if (Date.now() > deadline) throw new Error('the funding transfers were not included in time');
    await sleep(500);
  }
}

/**
 * Puts each extra operator's `orcl` key in the node's keystore (`author_insertKey`) and
 * registers it on-chain, signed by its account.
 */
async function registerOperators(api, url, operators) {
  for (const { suri, pair } of operators) {
    await rpc(url, 'author_insertKey', ['orcl', suri, u8aToHex(pair.publicKey)]);
  }
  const bond = api.consts.inferenceOracle.operatorBond;
  await Promise.all(operators.map(({ pair }) => submit(
    api, api.tx.inferenceOracle.registerOperator(pair.publicKey, bond), pair,
  )));
}

// ---------------------------------------------------------------------------------------
// Following the chain block by block

/**
 * Follows new best heads from now on: calls `follower.onHead(header)` (settable) at once for
 * each new head, and `onBlock(number)` for every block after the current one, in order and
 * one at a time (blocks the subscription skipped included). `stalled()` tells whether no
 * head came for `stallMs`; `error` holds what `onBlock` threw, if it did.
 */
async function followChain(api, onBlock, stallMs) {
  const follower = {
    best: null,
    processed: null,
    error: null,
    lastHeadAt: Date.now(),
    onHead: null,
    headWaiters: [],
    stalled: () => Date.now() - follower.lastHeadAt > stallMs,
    /** Resolves with the next new best head; rejects if none comes within `stallMs`. */
    nextHead: () => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no new block for ${stallMs / 1000} s: the node stalled`)), stallMs);
      follower.headWaiters.push((header) => {
        clearTimeout(timer);
        resolve(header);
      });
    }),
  };
  let draining = false;
  async function drain() {
    if (draining || follower.error) return;
    draining = true;
    try {
      while (follower.processed < follower.best) {
        await onBlock(follower.processed + 1);
        follower.processed += 1;
      }
    } catch (e) {
      follower.error = e;
    } finally {
      draining = false;
    }
  }
  follower.unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => {
    const number = header.number.toNumber();
    follower.lastHeadAt = Date.now();
    if (follower.best === null) {
      // The current head: follow from the next block on.
      follower.best = number;
      follower.processed = number;
      return;
    }
    if (number <= follower.best) return;
    follower.best = number;
    follower.onHead?.(header);
    const waiters = follower.headWaiters.splice(0);
    for (const resolve of waiters) resolve(header);
    drain();
  });
  return follower;
}

/**
 * Waits until `done()` holds, checking every 200 ms; throws if the follower failed or the
 * node stalled; returns false (without throwing) after `timeoutMs`.
 */
async function waitUntil(follower, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (follower.error) throw follower.error;
    if (follower.stalled()) {
      throw new Error(`no new block for ${Math.round((Date.now() - follower.lastHeadAt) / 1000)} s: the node stalled`);
    }
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

/**
 * Block `number`: its calls ('section.method' per extrinsic, from the hex so that one
 * undecodable extrinsic does not lose the block), its normal-class weight, and its events
 * if `withEvents`.
 */
async function readBlock(api, url, number, withEvents) {
  const hash = await rpc(url, 'chain_getBlockHash', [number]);
  const { block } = await rpc(url, 'chain_getBlock', [hash]);
  const calls = block.extrinsics.map((hex) => {
    try {
      const { method } = api.createType('Extrinsic', hex);
      return `${method.section}.${method.method}`;
    } catch {
      return 'undecodable';
    }
  });
  const at = await api.at(hash);
  const weight = (await at.query.system.blockWeight()).normal;
  const events = withEvents ? await at.query.system.events() : [];
  return {
    number,
    hash,
    calls,
    refTime: weight.refTime.toBigInt(),
    proofSize: weight.proofSize.toBigInt(),
    events,
  };
}

// ---------------------------------------------------------------------------------------
// What is recorded of each block

/** Makes the recorder: per-block records, and the requests' fates from the events. */
function makeRecorder(api, url) {
  const maxTotal = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap();
  const limit = { refTime: maxTotal.refTime.toBigInt(), proofSize: maxTotal.proofSize.toBigInt() };
  const recorder = {
    blocks: new Map(), // number -> record
    requested: new Map(), // request id -> block
    finalized: new Map(), // request id -> block
    expired: new Map(), // request id -> block
    requestFailures: {}, // dispatch error -> count
    requestCalls: 0, // requestInference extrinsics included since eventsFrom
    eventsFrom: Infinity, // blocks from this one on are read with their events
    /** Reads and records block `number`. */
    async onBlock(number) {
      const withEvents = number >= recorder.eventsFrom;
      const b = await readBlock(api, url, number, withEvents);
      const record = {
        number,
        extrinsics: b.calls.length,
        transfers: b.calls.filter((c) => c === 'balances.transferKeepAlive').length,
        requestCalls: b.calls.filter((c) => c === 'inferenceOracle.requestInference').length,
        submissions: b.calls.filter((c) => c.startsWith('inferenceOracle.submitResult')).length,
        requested: 0,
        finalized: 0,
        expired: 0,
        requestsFailed: 0,
        refTimePct: pct(b.refTime, limit.refTime),
        proofSizePct: pct(b.proofSize, limit.proofSize),
      };
      if (withEvents) recorder.requestCalls += record.requestCalls;
      for (const { event, phase } of b.events) {
        const oracle = api.events.inferenceOracle;
        if (oracle.InferenceRequested.is(event)) {
          recorder.requested.set(event.data.request.toNumber(), number);
          record.requested += 1;
        } else if (oracle.ResultFinalized.is(event)) {
          recorder.finalized.set(event.data.request.toNumber(), number);
          record.finalized += 1;
        } else if (oracle.RequestExpired.is(event)) {
          recorder.expired.set(event.data.request.toNumber(), number);
          record.expired += 1;
        } else if (api.events.system.ExtrinsicFailed.is(event) && phase.isApplyExtrinsic
          && b.calls[phase.asApplyExtrinsic.toNumber()] === 'inferenceOracle.requestInference') {
          const why = describeDispatchError(api, event.data[0]);
          recorder.requestFailures[why] = (recorder.requestFailures[why] ?? 0) + 1;
          record.requestsFailed += 1;
        }
      }
      recorder.blocks.set(number, record);
    },
  };
  return recorder;
}

// ---------------------------------------------------------------------------------------
// The phases

/**
 * An estimate of how many transfers fit in a block, from a transfer's weight and length
 * against the normal class's limits (proof-size reclaim can let more in).
 */
async function estimateTransferCapacity(api, from, to) {
  const tx = api.tx.balances.transferKeepAlive(to.address, 1n);
  const hex = signOffline(api, tx, from, 0);
  const length = (hex.length - 2) / 2;
  const info = await api.call.transactionPaymentCallApi.queryCallInfo(tx.method, length);
  const normal = api.consts.system.blockWeights.perClass.normal;
  const base = normal.baseExtrinsic;
  const maxTotal = normal.maxTotal.unwrap();
  const refTime = info.weight.refTime.toBigInt() + base.refTime.toBigInt();
  const proofSize = info.weight.proofSize.toBigInt() + base.proofSize.toBigInt();
  const maxLength = BigInt(api.consts.system.blockLength.max.normal.toString());
  const byRefTime = Number(maxTotal.refTime.toBigInt() / refTime);
  const byProofSize = proofSize > 0n ? Number(maxTotal.proofSize.toBigInt() / proofSize) : Infinity;
  const byLength = Number(maxLength / BigInt(length));
  return { byRefTime, byProofSize, byLength, fee: info.partialFee.toBigInt() };
}

/** `capacity` without its fee, for the report. */
function capacityReport({ byRefTime, byProofSize, byLength }) {
  return { byRefTime, byProofSize, byLength };
}

/**
 * The reference phase: pre-signs `size` transfers over `senders` (nonces from `nonces`,
 * advanced), submits them right after a new head, and returns the transfer count of each
 * block until the flood has drained.
 */
async function transferFlood(api, url, follower, recorder, senders, nonces, size) {
  say(`reference: signing ${size} transfers`);
  const amount = api.consts.balances.existentialDeposit.toBigInt();
  const hexes = [];
  // Round by round (every sender's next nonce), so the first ones submitted are ready.
  for (let i = 0; hexes.length < size; i += 1) {
    const s = i % senders.length;
    const to = senders[(s + 1) % senders.length];
    hexes.push(signOffline(api, api.tx.balances.transferKeepAlive(to.address, amount), senders[s], nonces[s]));
    nonces[s] += 1;
  }
  // Let the heads that came while signing be handled, so that the next one is fresh.
  await sleep(100);
  const head = await follower.nextHead();
  const from = head.number.toNumber() + 1;
  const started = Date.now();
  const { accepted, refused } = await submitAll(url, hexes);
  // Blocks after this one were built with the whole flood in the pool.
  const submittedAt = follower.best;
  say(`reference: ${accepted} transfers in the pool in ${Date.now() - started} ms after block ${from - 1}`
    + (Object.keys(refused).length ? `; refused: ${JSON.stringify(refused)}` : ''));

  const counted = () => {
    let total = 0;
    for (let n = from; n <= follower.processed; n += 1) total += recorder.blocks.get(n)?.transfers ?? 0;
    return total;
  };
  // Drained: every accepted transfer is in a block. Given up: none came for 10 blocks.
  let lastCount = 0;
  let lastProgress = follower.processed;
  let gaveUp = false;
  const drained = await waitUntil(follower, () => {
    const count = counted();
    if (count >= accepted) return true;
    if (count > lastCount) {
      lastCount = count;
      lastProgress = follower.processed;
    }
    gaveUp = follower.processed - lastProgress >= 10;
    return gaveUp;
  }, Math.max(1_200_000, 200 * blockTime)) && !gaveUp;
  if (!drained) {
    // The fork-aware pool moves at most 7000 of its transactions into the view of a new
    // block, in no particular order: when a flood outlives a view, nonce gaps can leave the
    // rest waiting. Count what came and take the leftovers out of the pool.
    say(`reference: the flood did not drain (${counted()} of ${accepted} transfers in blocks); removing the rest from the pool`);
    const hashes = hexes.map((hex) => ({ hash: blake2AsHex(hexToU8a(hex), 256) }));
    const removed = await rpc(url, 'author_removeExtrinsic', [hashes]);
    say(`reference: ${removed.length} transfers removed from the pool`);
  }
  const perBlock = [];
  for (let n = from; n <= follower.processed; n += 1) {
    const r = recorder.blocks.get(n);
    if (r?.transfers > 0) {
      perBlock.push({
        number: n,
        transfers: r.transfers,
        refTimePct: r.refTimePct,
        proofSizePct: r.proofSizePct,
        // Full: built with the whole flood in the pool, and not the tail that drained it.
        full: n > submittedAt,
      });
    }
  }
  // The last block took what was left (or what the pool still offered).
  if (perBlock.length > 0) perBlock[perBlock.length - 1].full = false;
  return { submitted: accepted, refused, perBlock };
}

/** Waits (up to `blocks` blocks) until the node's pool holds no ready transaction. */
async function waitForEmptyPool(api, url, follower, blocks) {
  for (let i = 0; i < blocks; i += 1) {
    const pending = await rpc(url, 'author_pendingExtrinsics');
    if (pending.length === 0) return true;
    await follower.nextHead();
    if (follower.error) throw follower.error;
  }
  return false;
}

/**
 * The oracle phase's transactions: for each of `blocks` blocks, `rate` pre-signed requests
 * on model 0, spread over `senders` (nonces from `nonces`, advanced), as
 * `{ sender, nonce, hex }`.
 */
function signRequests(api, senders, nonces, rate, blocks) {
  const fee = api.consts.inferenceOracle.requestFee;
  const batches = [];
  let k = 0;
  for (let b = 0; b < blocks; b += 1) {
    const batch = [];
    for (let j = 0; j < rate; j += 1, k += 1) {
      const s = k % senders.length;
      const input = reference.cases[k % reference.cases.length].input_fixed_point;
      const hex = signOffline(api, api.tx.inferenceOracle.requestInference(0, input, fee), senders[s], nonces[s]);
      batch.push({ sender: s, nonce: nonces[s], hex });
      nonces[s] += 1;
    }
    batches.push(batch);
  }
  return batches;
}

// A request still out of a block this many blocks after it was sent is sent again.
const RESEND_AFTER_BLOCKS = 4;
// ... at most this many times.
const MAX_RESENDS = 3;

/**
 * Keeps track of the requests sent and not yet in a block, per sender in nonce order, and
 * sends again those the pool lost: the fork-aware pool was seen (on a debug node, with
 * requests sent right after a head while the OCW submits) to drop requests now and then,
 * which leaves every later nonce of their sender waiting. Sending the same bytes again
 * puts them back; the ones the pool still holds are refused as already imported.
 */
function makeResender(api, url, senders) {
  const queues = senders.map(() => []); // per sender: { nonce, hex, sentAt, resends }
  const resender = {
    resent: 0,
    refused: {},
    /** Records `txs` ({ sender, nonce, hex }) as sent after block `block`. */
    add(txs, block) {
      for (const { sender, nonce, hex } of txs) queues[sender].push({ nonce, hex, sentAt: block, resends: 0 });
    },
    /** Whether every request is in a block, or was given up (resent MAX_RESENDS times). */
    settled(best) {
      return queues.every((q) => q.length === 0
        || (q[0].resends >= MAX_RESENDS && best - q[0].sentAt >= RESEND_AFTER_BLOCKS));
    },
    /** How many requests are not in a block yet. */
    outstanding: () => queues.reduce((a, q) => a + q.length, 0),
    /** Forgets the requests now in a block; sends again the overdue ones. */
    async check(best) {
      const accounts = await api.query.system.account.multi(senders.map((p) => p.address));
      const again = [];
      accounts.forEach((account, s) => {
        const q = queues[s];
        const nonce = account.nonce.toNumber();
        while (q.length > 0 && q[0].nonce < nonce) q.shift();
        if (q.length === 0 || best - q[0].sentAt < RESEND_AFTER_BLOCKS || q[0].resends >= MAX_RESENDS) return;
        for (const entry of q) {
          if (best - entry.sentAt < RESEND_AFTER_BLOCKS) break;
          again.push(entry.hex);
          entry.sentAt = best;
          entry.resends += 1;
        }
      });
      if (again.length === 0) return;
      const { refused } = await submitAll(url, again);
      resender.resent += again.length;
      for (const [m, c] of Object.entries(refused)) resender.refused[m] = (resender.refused[m] ?? 0) + c;
    },
  };
  return resender;
}

/**
 * The oracle phase: submits one batch of `batches` right after each new best head, then
 * follows the chain until every request is in a block and finalized or expired (or the
 * response window plus 3 blocks has passed since the last one came). Returns the heads
 * the batches followed, and what the pool made of them.
 */
async function oracleLoad(api, url, follower, recorder, senders, batches) {
  const sentAfter = []; // head number each batch was sent after
  const sending = [];
  const refused = {};
  let accepted = 0;
  const resender = makeResender(api, url, senders);
  recorder.eventsFrom = follower.best + 1;
  follower.onHead = (header) => {
    const i = sentAfter.length;
    const head = header.number.toNumber();
    sentAfter.push(head);
    if (sentAfter.length === batches.length) follower.onHead = null;
    resender.add(batches[i], head);
    sending.push(submitAll(url, batches[i].map((tx) => tx.hex)).then((r) => {
      accepted += r.accepted;
      for (const [m, c] of Object.entries(r.refused)) refused[m] = (refused[m] ?? 0) + c;
    }));
  };
  // Check for lost requests once per block processed.
  let checked = follower.processed;
  const check = async () => {
    if (follower.processed > checked) {
      checked = follower.processed;
      await resender.check(follower.best);
    }
  };
  const allSent = () => sentAfter.length === batches.length;
  while (!allSent()) {
    await waitUntil(follower, () => allSent() || follower.processed > checked, Infinity);
    await check();
  }
  await Promise.all(sending);
  const lastSent = sentAfter[sentAfter.length - 1];
  say(`oracle: ${accepted} requests in the pool after blocks ${sentAfter[0]}..${lastSent}`
    + (Object.keys(refused).length ? `; refused: ${JSON.stringify(refused)}` : ''));

  const window = api.consts.inferenceOracle.responseWindow.toNumber();
  const resolved = () => [...recorder.requested.keys()]
    .every((id) => recorder.finalized.has(id) || recorder.expired.has(id));
  const lastRequestBlock = () => {
    let last = lastSent + 1;
    for (const n of recorder.requested.values()) last = Math.max(last, n);
    return last;
  };
  for (;;) {
    await waitUntil(follower, () => follower.processed > checked, Infinity);
    await check();
    const p = follower.processed;
    if (p <= lastSent) continue;
    if ((resender.settled(follower.best) && resolved()) || p >= lastRequestBlock() + window + 3) break;
  }
  if (resender.resent > 0) {
    say(`oracle: ${resender.resent} requests sent again (refused as: ${JSON.stringify(resender.refused)})`);
  }
  return {
    sentAfter,
    accepted,
    refused,
    resent: resender.resent,
    neverIncluded: resender.outstanding(),
    endBlock: follower.processed,
  };
}

/** The off-chain worker's run time (ms) per block from `from` on, from the node's log. */
function ocwTimes(logPath, from) {
  const log = readFileSync(logPath, 'utf8');
  return [...log.matchAll(/off-chain worker at block (\d+): .*? in (\d+) ms/g)]
    .filter((m) => Number(m[1]) >= from)
    .map((m) => Number(m[2]));
}

// ---------------------------------------------------------------------------------------
// The run

/** Runs the benchmark on `node`; returns the summary object. */
async function run(node) {
  const api = await node.connect();
  const url = `http://127.0.0.1:${node.rpcPort}`;
  const { alice } = await devAccounts();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const maxPerBlock = api.consts.inferenceOracle.maxRequestsPerBlock?.toNumber();
  if (maxPerBlock !== undefined && rate > maxPerBlock) {
    say(`warning: RATE ${rate} is above MaxRequestsPerBlock (${maxPerBlock}); the excess fails`);
  }

  const recorder = makeRecorder(api, url);
  const follower = await followChain(api, (n) => recorder.onBlock(n), Math.max(60_000, 20 * blockTime));

  // Accounts: senders, and the operators after the genesis ones (those beyond the dev
  // accounts need funds).
  const senders = Array.from({ length: senderCount }, (_, i) => keyring.addFromUri(`//load//${i}`));
  const floodSenders = Array.from({ length: senderCount }, (_, i) => keyring.addFromUri(`//load//flood//${i}`));
  const operators = operatorPairs(keyring, operatorCount);
  const capacity = await estimateTransferCapacity(api, alice, senders[0]);
  const floodSize = floodOverride ?? Math.min(40_000, Math.max(6000, 2 * Math.min(capacity.byRefTime, capacity.byLength)));
  const perSender = BigInt(Math.ceil(floodSize / senderCount) + Math.ceil(rate / senderCount) * blockCount);
  const requestFee = api.consts.inferenceOracle.requestFee.toBigInt();
  const need = perSender * (requestFee + 2n * capacity.fee + 1_000_000_000n) * 2n;
  const amount = need > 1000n * UNIT ? need : 1000n * UNIT;
  const toFund = [...senders, ...floodSenders, ...operators.filter((o) => !o.funded).map((o) => o.pair)];
  say(`funding ${toFund.length} accounts from Alice`);
  await fund(api, url, alice, toFund, amount, Math.max(120_000, 40 * blockTime));

  if (operators.length > 0) {
    say(`registering ${operators.length} more operators: ${operators.map((o) => o.suri).join(', ')}`);
    await registerOperators(api, url, operators);
  }
  const registered = (await api.query.inferenceOracle.operators.keys()).length;

  // 1. Reference: transfers per block.
  const nonces = await nextNonces(api, floodSenders);
  say(`reference: estimated transfers per block ${JSON.stringify(capacityReport(capacity))}`);
  const flood = await transferFlood(api, url, follower, recorder, floodSenders, nonces, floodSize);
  if (!(await waitForEmptyPool(api, url, follower, 30))) say('warning: the pool is not empty after 30 blocks');

  // 2. Oracle load.
  const oracleNonces = await nextNonces(api, senders);
  say(`oracle: signing ${rate * blockCount} requests`);
  const batches = signRequests(api, senders, oracleNonces, rate, blockCount);
  const load = await oracleLoad(api, url, follower, recorder, senders, batches);
  follower.unsubscribe();

  return summarize(node, recorder, { flood, load, registered, capacity, floodSize });
}

/** The summary object of the run (the JSON line), and the per-block table to print. */
function summarize(node, recorder, { flood, load, registered, capacity, floodSize }) {
  const transfers = flood.perBlock.map((b) => b.transfers);
  const full = flood.perBlock.filter((b) => b.full).map((b) => b.transfers);
  const firstOracle = recorder.eventsFrom;
  const oracleBlocks = [];
  for (let n = firstOracle; n <= load.endBlock; n += 1) oracleBlocks.push(recorder.blocks.get(n));
  const sendFirst = load.sentAfter[0] + 1;
  const sendLast = load.sentAfter[load.sentAfter.length - 1] + 1;
  const sendingPhase = oracleBlocks.filter((b) => b.number > sendFirst && b.number <= sendLast);

  const latencies = [...recorder.finalized].map(([id, at]) => at - recorder.requested.get(id))
    .filter((l) => !Number.isNaN(l));
  const ocw = ocwTimes(node.logPath, firstOracle);
  const requested = recorder.requested.size;
  const finalized = [...recorder.requested.keys()].filter((id) => recorder.finalized.has(id)).length;
  const expired = [...recorder.requested.keys()].filter((id) => recorder.expired.has(id)).length;
  const transfersPerBlock = max(transfers);
  const resultsPerBlock = median(sendingPhase.map((b) => b.finalized));
  return {
    summary: {
      rate,
      blocks: blockCount,
      operators: operatorCount,
      blockTimeMs: blockTime,
      requested,
      finalized,
      expired,
      unresolved: requested - finalized - expired,
      latencyBlocks: { median: median(latencies), p99: percentile(latencies, 99), max: max(latencies) },
      ocwMs: { median: median(ocw), max: max(ocw) },
      normalWeightUsedPct: {
        refTimeMax: max(oracleBlocks.map((b) => b.refTimePct)),
        proofSizeMax: max(oracleBlocks.map((b) => b.proofSizePct)),
      },
      transfersPerBlock,
      resultsPerBlock,
      resultsToTransfersRatio: transfersPerBlock && resultsPerBlock !== null
        ? Math.round((resultsPerBlock / transfersPerBlock) * 10_000) / 10_000 : null,
      // Context beyond the figures above.
      sent: rate * blockCount,
      acceptedByPool: load.accepted,
      resent: load.resent,
      neverIncluded: load.neverIncluded,
      operatorsRegistered: registered,
      requestsFailed: recorder.requestFailures,
      transfersPerFullBlockMedian: median(full),
      // Transfers left from the reference that landed in the oracle phase's blocks.
      transfersDuringOracle: oracleBlocks.reduce((a, b) => a + b.transfers, 0),
      transferFlood: { size: floodSize, accepted: flood.submitted, estimatedCapacity: capacityReport(capacity) },
      nodeBinary: nodeBinary(),
    },
    flood,
    oracleBlocks,
    sendRange: [sendFirst, sendLast],
  };
}

/** Prints the human-readable summary. */
function printSummary({ summary, flood, oracleBlocks, sendRange }) {
  const s = summary;
  console.log(`\nOracle load: ${s.rate} requests/block for ${s.blocks} blocks, ${s.operators} operator(s), ${s.blockTimeMs} ms blocks`);
  console.log(`node: ${s.nodeBinary}`);
  console.log(`\nReference: ${flood.submitted} transferKeepAlive in the pool; per block:`);
  for (const b of flood.perBlock) {
    console.log(`  #${b.number}: ${b.transfers} transfers, normal refTime ${b.refTimePct}%, proofSize ${b.proofSizePct}%${b.full ? ' (full)' : ''}`);
  }
  console.log(`  max ${s.transfersPerBlock}, median of full blocks ${s.transfersPerFullBlockMedian}`);
  console.log(`\nOracle phase (requests sent for blocks ${sendRange[0]}..${sendRange[1]}):`);
  console.log('  block   xts  reqs  subm  final  expir  failed  xfers  refTime%  proof%');
  for (const b of oracleBlocks) {
    const cols = [b.extrinsics, b.requestCalls, b.submissions, b.finalized, b.expired, b.requestsFailed, b.transfers];
    console.log(`  #${String(b.number).padEnd(6)}${cols.map((c, i) => String(c).padStart(i < 3 ? 5 : 7)).join('')}`
      + `${String(b.refTimePct).padStart(10)}${String(b.proofSizePct).padStart(8)}`);
  }
  console.log(`\nrequests: ${s.sent} sent, ${s.acceptedByPool} accepted by the pool (${s.resent} sent again, `
    + `${s.neverIncluded} never in a block), ${s.requested} made, `
    + `${s.finalized} finalized, ${s.expired} expired, ${s.unresolved} unresolved`
    + (Object.keys(s.requestsFailed).length ? `; failed: ${JSON.stringify(s.requestsFailed)}` : ''));
  if (s.transfersDuringOracle > 0) {
    console.log(`warning: ${s.transfersDuringOracle} transfers of the reference landed in the oracle phase's blocks`);
  }
  console.log(`latency (blocks): median ${s.latencyBlocks.median}, p99 ${s.latencyBlocks.p99}, max ${s.latencyBlocks.max}`);
  console.log(`off-chain worker (ms per block): median ${s.ocwMs.median}, max ${s.ocwMs.max}`);
  console.log(`normal weight used (max %): refTime ${s.normalWeightUsedPct.refTimeMax}, proofSize ${s.normalWeightUsedPct.proofSizeMax}`);
  console.log(`results per block ${s.resultsPerBlock} vs transfers per block ${s.transfersPerBlock}: ratio ${s.resultsToTransfersRatio}`);
}

const node = await startDevNode({
  name: 'oracle-load',
  args: [
    '--dev-block-time', String(blockTime),
    '-l', 'inference-oracle=info',
    '--pool-limit', '100000',
    '--pool-kbytes', '1000000',
    ...(process.env.LOAD_NODE_ARGS ? process.env.LOAD_NODE_ARGS.split(' ') : []),
  ],
  timeoutMs: 300_000,
});
let status = 0;
try {
  const result = await run(node);
  printSummary(result);
  const json = JSON.stringify(result.summary);
  writeFileSync(join(outputDir, 'oracle-load.json'), `${json}\n`);
  console.log(json);
} catch (e) {
  console.error(`oracle-load: the run failed: ${e.stack ?? e} (node log: ${node.logPath})`);
  status = 1;
} finally {
  await node.stop();
}
process.exit(status);
