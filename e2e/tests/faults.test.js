// Faults on purpose: one dev chain, kept in a base path of its own, whose node is stopped
// and crashed between the tests and restarted on the same base path each time.
//
//   1. A clean stop (SIGTERM) logs no failure, and a restart continues the chain: the
//      blocks, the finalized head and a result made before the stop are all still there,
//      and the restarted node answers a new request.
//   2. SIGKILL while the off-chain worker answers a request: once as soon as the block
//      with the request is imported (the worker is scoring and committing), once right
//      after the worker has handed its commitments to the transaction pool (they are lost
//      with the pool; the worker resends them after `RESEND_AFTER` blocks). After each
//      restart no finalized block is lost, and the request closes (finalized, or expired
//      with its fee refunded) by its deadline + 2, each operator having committed and
//      revealed at most once.
//   3. SIGKILL ~100 ms after a burst of transactions (requests from two accounts and a
//      transfer), timed to land 5, 25 and 60 ms into the sealing of the block that carries
//      them. After the restart no finalized block is lost, blocks are produced, each
//      transaction is in the chain entirely or not at all, every request that made it
//      closes by its deadline + 2, and the requesters' held fees are the fees of their
//      requests still pending.
//
// The node seals a block every second and finalizes it on the next tick. Alice's dev node
// answers for the three genesis operators (Alice, Bob, Charlie): a committee of three,
// commit then reveal.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';

import { devAccounts, findEvent, nextBlocks, submit } from '../lib/chain.js';
import { outputDir, startDevNode } from '../lib/node.js';

const BLOCK_TIME_MS = 1000;
const INPUT = [51000, 35000, 14000, 2000];
/** What the node must never log, on a clean stop or otherwise. */
const FAILURE = /failed|panicked|Essential task/i;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The lines of the log at `path` that match `FAILURE`. */
function failureLines(path) {
  return readFileSync(path, 'utf8').split('\n').filter((line) => FAILURE.test(line));
}

/** A log line, shorter: no timestamp, hashes abridged, no parent hash. */
function tidy(line) {
  return line
    .replace(/^\d{4}-\d\d-\d\d [\d:.]+\s+(?:[A-Z]+\s+\S+\s+[\w:-]+: )?/, '')
    .replace(/ parent_hash: \S+;/, '')
    .replace(/0x([0-9a-f]{4})[0-9a-f]{56}([0-9a-f]{4})/g, '0x$1…$2')
    .trim();
}

/** When the node wrote `line` (ms since the epoch), from the detailed log format's timestamp. */
function loggedAt(line) {
  const at = new Date(line.slice(0, 23).replace(' ', 'T')).getTime();
  assert.ok(Number.isFinite(at), `no timestamp in "${line}"`);
  return at;
}

/** `{ number, hash }` of the best block. */
async function bestHead(api) {
  const header = await api.rpc.chain.getHeader();
  return { number: header.number.toNumber(), hash: header.hash.toHex() };
}

/** `{ number, hash }` of the finalized head. */
async function finalizedHead(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  const header = await api.rpc.chain.getHeader(hash);
  return { number: header.number.toNumber(), hash: hash.toHex() };
}

/**
 * Follows the finalized head from now on; `latest()` is the last one this client was told
 * of (starting with the current one).
 */
async function followFinalized(api) {
  let latest = await finalizedHead(api);
  const unsubscribe = await api.rpc.chain.subscribeFinalizedHeads((header) => {
    const number = header.number.toNumber();
    if (number > latest.number) latest = { number, hash: header.hash.toHex() };
  });
  return { latest: () => latest, unsubscribe };
}

/** Waits until the best block is number `number` or later; returns its `{ number, hash }`. */
async function waitForBlock(api, number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const best = await bestHead(api);
    if (best.number >= number) return best;
    const left = deadline - Date.now();
    assert.ok(left > 0, `block ${number} not reached within ${timeoutMs} ms (best ${best.number})`);
    await nextBlocks(api, 2, left).catch(() => {});
  }
}

/**
 * Asserts that the restarted node lost no finalized block: its finalized head is at least
 * `before` (the last finalized block seen before the fault), and `before` is still the
 * chain's block at that height (a lost block sealed again would differ: its timestamp
 * comes from the clock). Returns the finalized head after the restart.
 */
async function assertFinalizedKept(api, before) {
  const now = await finalizedHead(api);
  assert.ok(
    now.number >= before.number,
    `finalized head #${now.number} after the restart, #${before.number} before: finalized blocks lost`,
  );
  const hash = (await api.rpc.chain.getBlockHash(before.number)).toHex();
  assert.equal(hash, before.hash, `block #${before.number} was finalized as ${before.hash}, is now ${hash}`);
  return now;
}

/** The hold reason of a `balances.holds` entry as `pallet.Reason`. */
function holdReason(id) {
  const [[pallet, reason]] = Object.entries(id.toJSON());
  return `${pallet}.${reason}`;
}

/**
 * Waits until request `id` is no longer pending, asserting at each block that it is not
 * still pending at its deadline + 2 or later. Returns `{ status, number, hash, view }` of
 * the first block where it is closed.
 */
async function waitForClose(api, id) {
  const made = await api.call.inferenceOracleApi.request(id);
  assert.ok(made.isSome, `request ${id} is not on-chain`);
  const deadline = made.unwrap().deadline.toNumber();
  for (;;) {
    const { number, hash } = await bestHead(api);
    const view = (await (await api.at(hash)).call.inferenceOracleApi.request(id)).unwrap();
    if (!view.status.isPending) return { status: view.status.type, number, hash, view };
    assert.ok(
      number < deadline + 2,
      `request ${id} still pending at block #${number}: its deadline is #${deadline}, it expires from #${deadline + 1}`,
    );
    await nextBlocks(api, 2, 30_000);
  }
}

/**
 * Asserts that no operator answered request `id` twice: over the blocks `from..=to`, at
 * most one `AnswerCommitted` and one `ResultSubmitted` of it per operator, and in its
 * `commits` and `submissions` at `to`, one entry per operator. Returns the operators who
 * committed and who revealed, by events, and the penalties of the request
 * (`operator: fault at #block`).
 */
async function assertAnsweredOnce(api, id, from, to) {
  const seen = { AnswerCommitted: new Map(), ResultSubmitted: new Map() };
  const penalized = [];
  for (let n = from; n <= to; n += 1) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const events = await (await api.at(hash)).query.system.events();
    for (const { event } of events) {
      if (event.section !== 'inferenceOracle') continue;
      if (event.method === 'OperatorPenalized' && event.data.request.toNumber() === id) {
        penalized.push(`${event.data.operator}: ${event.data.fault.type} at #${n}`);
      }
      if (!(event.method in seen) || event.data.request.toNumber() !== id) continue;
      const who = event.data.operator.toString();
      const blocks = seen[event.method].get(who) ?? [];
      seen[event.method].set(who, [...blocks, n]);
    }
  }
  for (const [kind, by] of Object.entries(seen)) {
    for (const [who, blocks] of by) {
      assert.equal(blocks.length, 1, `request ${id}: ${kind} of ${who} in blocks ${blocks.join(', ')}`);
    }
  }
  const at = await api.at(await api.rpc.chain.getBlockHash(to));
  const commits = (await at.query.inferenceOracle.commits(id)).map(([who]) => who.toString());
  const submissions = (await at.query.inferenceOracle.submissions(id)).map((s) => s.operator.toString());
  assert.equal(new Set(commits).size, commits.length, `request ${id}: commitments ${commits}`);
  assert.equal(new Set(submissions).size, submissions.length, `request ${id}: submissions ${submissions}`);
  return { committed: [...seen.AnswerCommitted.keys()], revealed: [...seen.ResultSubmitted.keys()], penalized };
}

/**
 * Asserts, at block `hash`, that what is held from each of `accounts` for requests is what
 * their retained requests hold: the `RequestFee` hold is the sum of the fees of their
 * pending requests, the `RequestRetention` hold the sum of the deposits of all of them.
 * Returns the ids of their pending requests.
 */
async function assertRequestHolds(api, hash, accounts) {
  const at = await api.at(hash);
  const expected = new Map(accounts.map((a) => [a.address, { fee: 0n, deposit: 0n, pending: [] }]));
  const next = (await at.query.inferenceOracle.nextRequestId()).toNumber();
  for (let id = 0; id < next; id += 1) {
    const stored = await at.query.inferenceOracle.requests(id);
    if (stored.isNone) continue;
    const request = stored.unwrap();
    const mine = expected.get(request.requester.toString());
    if (!mine) continue;
    mine.deposit += request.deposit.toBigInt();
    if (request.status.isPending) {
      mine.fee += request.fee.toBigInt();
      mine.pending.push(id);
    }
  }
  const pending = [];
  for (const [who, { fee, deposit, pending: ids }] of expected) {
    const holds = new Map();
    for (const { id, amount } of await at.query.balances.holds(who)) {
      holds.set(holdReason(id), amount.toBigInt());
    }
    assert.equal(
      holds.get('inferenceOracle.RequestFee') ?? 0n, fee,
      `${who}: the RequestFee hold is not the fees of its pending requests ${ids.join(', ') || '(none)'}`,
    );
    assert.equal(
      holds.get('inferenceOracle.RequestRetention') ?? 0n, deposit,
      `${who}: the RequestRetention hold is not the deposits of its retained requests`,
    );
    pending.push(...ids);
  }
  return pending;
}

/**
 * After a request `id` closed (`closed`, from `waitForClose`): if finalized, its result is
 * readable; if expired, its fee was released (the requester's holds match its pending
 * requests at the closing block, and it is not one of them).
 */
async function assertClosedProperly(api, id, closed, requester) {
  if (closed.status === 'Finalized') {
    const result = await api.call.inferenceOracleApi.result(id);
    assert.ok(result.isSome, `request ${id} is finalized but has no result`);
  } else {
    assert.equal(closed.status, 'Expired');
    const stillHeld = await assertRequestHolds(api, closed.hash, [requester]);
    assert.ok(!stillHeld.includes(id));
  }
}

/**
 * The dev node answers for all three members, honestly, and is back one block after the
 * crash: the crash must cost them nothing, with most of the response window left. A
 * commitment the worker sent before the crash died with the transaction pool while its
 * "sent" marker, in the offchain DB, survived; the node writes a new boot id at each start
 * and the worker resends at once what an earlier boot marked (before that fix the resend
 * waited RESEND_AFTER = CommitWindow blocks, and the member was shut out and slashed as a
 * no-show).
 */
function noPenaltyForTheCrash(t, id, penalized) {
  return t.test(
    `no member of request ${id}'s committee is penalized for the crash`,
    () => assert.deepEqual(penalized, [], `request ${id}: ${penalized.join(', ')}`),
  );
}

describe('faults on purpose', () => {
  let basePath;
  let accounts;
  let node;
  let api;
  let starts = 0;

  /** Starts the node on the chain's base path; the log is test-output/faults-<n>-<label>.log. */
  async function start(label) {
    starts += 1;
    node = await startDevNode({
      name: `faults-${starts}-${label}`,
      basePath,
      // Log lines with the time they were written at, to the ms (see the burst test).
      args: ['--dev-block-time', String(BLOCK_TIME_MS), '--detailed-log-output'],
    });
    api = await node.connect();
    return node;
  }

  /** The node of the previous test, or a new one on the same chain if it did not leave one. */
  async function running(label) {
    if (!node) await start(label);
    return node;
  }

  /** SIGKILLs the node, asserts it died of it having logged no failure, and forgets it. */
  async function crash() {
    const dead = node;
    node = undefined;
    api = undefined;
    const status = await dead.kill('SIGKILL');
    assert.equal(status.signal, 'SIGKILL', `the node exited before the kill: ${JSON.stringify(status)}`);
    assert.deepEqual(failureLines(dead.logPath), [], `failures logged in ${dead.logPath}`);
    return dead;
  }

  before(async () => {
    basePath = mkdtempSync(join(tmpdir(), 'aioracle-faults-'));
    // This run's logs only: faults-<n>-<label>.log, numbered by start.
    for (const file of readdirSync(outputDir, { withFileTypes: true })) {
      if (file.isFile() && /^faults-\d+-.*\.log$/.test(file.name)) rmSync(join(outputDir, file.name));
    }
    accounts = await devAccounts();
  });

  after(async () => {
    // The last node stops cleanly too: its log must show no failure either.
    if (node) {
      const { logPath } = node;
      const status = await node.stop();
      assert.deepEqual(status, { code: 0, signal: null, forced: false });
      assert.deepEqual(failureLines(logPath), [], `failures logged in ${logPath}`);
    }
    if (basePath) rmSync(basePath, { recursive: true, force: true });
  });

  it('a clean stop logs no failure, and a restart continues the chain', async () => {
    const { dave } = accounts;
    await running('clean-stop');
    const fee = api.consts.inferenceOracle.requestFee;
    const events = await submit(api, api.tx.inferenceOracle.requestInference(0, INPUT, fee), dave);
    const request = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
    const closed = await waitForClose(api, request);
    assert.equal(closed.status, 'Finalized', `request ${request} was not answered`);
    const result = (await api.call.inferenceOracleApi.result(request)).unwrap();
    // Stop once the block that finalized it is itself finalized.
    const followed = await followFinalized(api);
    for (let i = 0; followed.latest().number < closed.number; i += 1) {
      assert.ok(i < 30, `block #${closed.number} not finalized`);
      await nextBlocks(api, 2);
    }
    followed.unsubscribe();
    const bestBefore = await bestHead(api);
    const finalizedBefore = await finalizedHead(api);

    // SIGTERM: the node shuts down by itself, at once, with status 0, and says nothing of
    // a failure (it used to log "Essential task `txpool-background` failed").
    const stopped = node;
    node = undefined;
    const status = await stopped.stop();
    assert.deepEqual(status, { code: 0, signal: null, forced: false }, 'a graceful exit');
    assert.deepEqual(failureLines(stopped.logPath), [], `failures logged in ${stopped.logPath}`);

    await start('after-clean-stop');
    // A clean stop keeps everything: the best block too, not only the finalized ones.
    await assertFinalizedKept(api, finalizedBefore);
    const best = await bestHead(api);
    assert.ok(best.number >= bestBefore.number, `best #${best.number} after the restart, #${bestBefore.number} before`);
    assert.equal((await api.rpc.chain.getBlockHash(bestBefore.number)).toHex(), bestBefore.hash);
    const resultAfter = await api.call.inferenceOracleApi.result(request);
    assert.ok(resultAfter.isSome, `the result of request ${request} is gone`);
    assert.deepEqual(resultAfter.unwrap().toJSON(), result.toJSON());

    // The chain goes on, and the restarted node's worker answers a new request.
    await waitForBlock(api, best.number + 2);
    const again = await submit(api, api.tx.inferenceOracle.requestInference(0, INPUT, fee), dave);
    const next = findEvent(api, again, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
    assert.equal((await waitForClose(api, next)).status, 'Finalized');
  });

  // Two kill points. (a) As soon as the node reports the request's transaction in a block
  // (the raw InBlock status of author_submitAndWatchExtrinsic, sent when the pool sees the
  // block imported, without waiting for the client to fetch the block's events): the node
  // runs its off-chain worker on each imported block, so the worker is then loading the
  // model, scoring and committing (~100 ms in a debug build); where it was exactly varies
  // from run to run. (b) When the worker logs
  // that line for the request's block: it has recorded in local storage that it sent the
  // three commitments, which are in the transaction pool only, not yet in a block; the pool
  // dies with the node, and the restarted worker must send them again (after RESEND_AFTER
  // blocks) for the request to be answered before its deadline.
  for (const killAt of ['in-block', 'worker-log']) {
    it(`kill -9 while the off-chain worker answers a request (${killAt})`, async (t) => {
      const { dave } = accounts;
      await running(`before-kill-${killAt}`);
      const followed = await followFinalized(api);
      const fee = api.consts.inferenceOracle.requestFee;
      // Nobody else makes requests: this one takes the next id.
      const request = (await api.query.inferenceOracle.nextRequestId()).toNumber();
      const signed = await api.tx.inferenceOracle.requestInference(0, INPUT, fee).signAsync(dave);
      // The worker's line for a block with a request to score; watched from before the
      // request is sent, since the worker may run before the client hears of the block.
      const workerLine = node.waitForLog(/off-chain worker at block \d+: [1-9]\d* requests scored/, 60_000);
      workerLine.catch(() => {}); // unused in (a), where the kill ends the wait
      const inBlock = await new Promise((resolve, reject) => {
        api.rpc.author.submitAndWatchExtrinsic(signed, (status) => {
          if (status.isInBlock) resolve(status.asInBlock.toHex());
          else if (status.isInvalid || status.isDropped || status.isUsurped) {
            reject(new Error(`the request was not included: ${status.type}`));
          }
        }).catch(reject);
      });
      let killedAt;
      if (killAt === 'worker-log') killedAt = await workerLine;
      const finalizedBefore = followed.latest();
      const dead = await crash();

      // What the worker had done on the request's block when the node died, from its log
      // (whose last few tens of ms die with the node, unwritten).
      const log = readFileSync(dead.logPath, 'utf8');
      const short = `${inBlock.slice(0, 6)}…${inBlock.slice(-4)}`;
      const number = log.match(new RegExp(`Imported #(\\d+) \\(\\S+ → ${short}\\)`))?.[1];
      const workerDone = number !== undefined && log.includes(`off-chain worker at block ${number}:`);
      console.log(`request ${request} in block ${short}; killed ${
        killedAt ? `at "${tidy(killedAt)}"` : `with the worker's line for it ${workerDone ? '' : 'not '}in the log`
      }; finalized #${finalizedBefore.number} seen before the kill`);

      await start(`after-kill-${killAt}`);
      await assertFinalizedKept(api, finalizedBefore);
      // The block with the request was imported, and announced, before the kill, but not
      // finalized: a crash may lose it, and then there is nothing more to check here.
      const made = await api.call.inferenceOracleApi.request(request);
      if (made.isNone) {
        t.skip(`request ${request} was lost with its block ${inBlock}, not finalized at the kill`);
        return;
      }
      const closed = await waitForClose(api, request);
      console.log(`request ${request}: ${closed.status} at #${closed.number} `
        + `(made at #${closed.view.createdAt}, deadline #${closed.view.deadline})`);
      await assertClosedProperly(api, request, closed, dave);
      const { revealed, penalized } = await assertAnsweredOnce(
        api, request, closed.view.createdAt.toNumber(), closed.number,
      );
      if (closed.status === 'Finalized') {
        const result = (await api.call.inferenceOracleApi.result(request)).unwrap();
        for (const who of result.agreeing) assert.ok(revealed.includes(who.toString()), `${who} agreed without a reveal`);
      }
      await assertRequestHolds(api, closed.hash, [dave]);
      await noPenaltyForTheCrash(t, request, penalized);
    });
  }

  // Three kill points in the sealing of the block that carries the burst, timed from the
  // node's own clock. Its log lines come in batches (the node's stderr writer flushes every
  // few tens of ms), too late to kill on, but each carries the time it was written at, to
  // the ms (--detailed-log-output): "Starting consensus session" marks the dev timer's
  // tick, one every BLOCK_TIME_MS. The burst goes 100 ms before a tick, so that the pool
  // holds it when the proposer starts; the kill comes 5 ms after the tick (the proposer is
  // applying the block's transactions: 20-40 ms in a debug build), 25 ms after (the block
  // is being built, imported or written) or 60 ms after (the block is in the database; the
  // pool and the off-chain worker are starting on it).
  for (const offset of [5, 25, 60]) {
    const killAt = `seal+${offset}ms`;
    it(`kill -9 while the node seals a burst of transactions (${offset} ms into the seal)`, async (t) => {
      const { dave, eve, ferdie } = accounts;
      await running(`before-burst-${killAt}`);
      const followed = await followFinalized(api);
      const fee = api.consts.inferenceOracle.requestFee;
      // A fresh account that only the burst's transfer can fund.
      const recipient = new Keyring({ type: 'sr25519' }).addFromUri(`//faults//burst-${offset}`);
      const amount = api.consts.balances.existentialDeposit.toBigInt() * 10n;
      const nonces = {};
      for (const who of [dave, eve, ferdie]) {
        nonces[who.address] = (await api.rpc.system.accountNextIndex(who.address)).toNumber();
      }
      const nextIdBefore = (await api.query.inferenceOracle.nextRequestId()).toNumber();
      // Signed ahead, so that the burst is only the submissions.
      const request = (who, nonce) => api.tx.inferenceOracle.requestInference(0, INPUT, fee).signAsync(who, { nonce });
      const burst = [
        await request(dave, nonces[dave.address]),
        await request(dave, nonces[dave.address] + 1),
        await request(eve, nonces[eve.address]),
        await api.tx.balances.transferKeepAlive(recipient.address, amount).signAsync(ferdie, { nonce: nonces[ferdie.address] }),
      ];
      // The next tick at least 300 ms away, from the time of a recent one.
      const tickLine = await node.waitForLog(/Starting consensus session on top of parent \S+ \(#\d+\)/, 10_000);
      const tick = loggedAt(tickLine);
      const sealAt = tick + Math.ceil((Date.now() + 300 - tick) / BLOCK_TIME_MS) * BLOCK_TIME_MS;
      await sleep(sealAt - 100 - Date.now());
      const submittingAt = Date.now();
      await Promise.all(burst.map((xt) => api.rpc.author.submitExtrinsic(xt)));
      const submittedAt = Date.now();
      await sleep(sealAt + offset - Date.now());
      const finalizedBefore = followed.latest();
      const killedAt = Date.now();
      const dead = await crash();
      const lastLines = readFileSync(dead.logPath, 'utf8').trim().split('\n').slice(-3).map(tidy);
      console.log(`burst submitted at tick${submittingAt - sealAt} ms, in the pool at tick${submittedAt - sealAt} ms, `
        + `killed at tick+${killedAt - sealAt} ms; finalized #${finalizedBefore.number} seen before the kill; `
        + `the node's last lines (its last ms of output die with it):\n  ${lastLines.join('\n  ')}`);

      await start(`after-burst-${killAt}`);
      await assertFinalizedKept(api, finalizedBefore);
      // Blocks are produced again.
      const resumed = await bestHead(api);
      await waitForBlock(api, resumed.number + 3, 30_000);

      // Each transaction is in the chain entirely or not at all: a signer's nonce moved by
      // the number of its transactions that made it, one request each, and the transfer's
      // amount arrived iff Ferdie's nonce moved.
      const made = (await api.query.inferenceOracle.nextRequestId()).toNumber() - nextIdBefore;
      const moved = {};
      for (const who of [dave, eve, ferdie]) {
        moved[who.address] = (await api.query.system.account(who.address)).nonce.toNumber() - nonces[who.address];
      }
      assert.ok([0, 1, 2].includes(moved[dave.address]), `Dave's nonce moved by ${moved[dave.address]}`);
      assert.ok([0, 1].includes(moved[eve.address]), `Eve's nonce moved by ${moved[eve.address]}`);
      assert.ok([0, 1].includes(moved[ferdie.address]), `Ferdie's nonce moved by ${moved[ferdie.address]}`);
      assert.equal(made, moved[dave.address] + moved[eve.address], 'one request per request transaction applied');
      const funded = (await api.query.system.account(recipient.address)).data.free.toBigInt();
      assert.equal(funded, moved[ferdie.address] ? amount : 0n, 'the transfer arrived iff it was applied');
      console.log(`after the restart: best #${resumed.number}, finalized #${(await finalizedHead(api)).number}; `
        + `${made} of 3 requests and ${moved[ferdie.address]} of 1 transfer on-chain`);

      // Holds match the pending requests, now and once each request that made it closed
      // (by its deadline + 2); none is left pending.
      await assertRequestHolds(api, (await bestHead(api)).hash, [dave, eve]);
      for (let id = nextIdBefore; id < nextIdBefore + made; id += 1) {
        const requester = (await api.call.inferenceOracleApi.request(id)).unwrap().requester.toString();
        const closed = await waitForClose(api, id);
        await assertClosedProperly(api, id, closed, requester === dave.address ? dave : eve);
        const { penalized } = await assertAnsweredOnce(api, id, closed.view.createdAt.toNumber(), closed.number);
        await assertRequestHolds(api, closed.hash, [dave, eve]);
        await noPenaltyForTheCrash(t, id, penalized);
      }
      const pending = await assertRequestHolds(api, (await bestHead(api)).hash, [dave, eve]);
      assert.deepEqual(pending, [], 'no request left pending');

      // The chain takes transactions again.
      const events = await submit(api, api.tx.inferenceOracle.requestInference(0, INPUT, fee), eve);
      const again = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
      assert.equal((await waitForClose(api, again)).status, 'Finalized');
    });
  }
});
