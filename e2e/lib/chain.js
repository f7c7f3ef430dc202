// Small helpers for driving the chain with @polkadot/api.

import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { passReferendum } from '../examples/lib/referenda.js';

/** The dev accounts (sr25519 from the well-known //Alice, //Bob, ... seeds). */
export async function devAccounts() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const names = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
  return Object.fromEntries(names.map((n) => [n.toLowerCase(), keyring.addFromUri(`//${n}`)]));
}

/**
 * Resolves with `count` block headers as they come; the first is the current best head
 * (a new-heads subscription starts with it), so wait for 2 to see one new block.
 */
export function nextBlocks(api, count, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const headers = [];
    let unsubscribe;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`only ${headers.length} of ${count} blocks arrived within ${timeoutMs} ms`));
    }, timeoutMs);
    api.rpc.chain
      .subscribeNewHeads((header) => {
        headers.push(header);
        if (headers.length === count) {
          clearTimeout(timer);
          unsubscribe?.();
          resolve(headers);
        }
      })
      .then((u) => {
        unsubscribe = u;
        if (headers.length >= count) u();
      }, reject);
  });
}

/**
 * Signs and sends `tx`, resolving once it is in a block (or finalized) with
 * `{ blockHash, events, dispatchError }`; rejects on an invalid transaction or a timeout.
 */
export function sendAndWaitInBlock(tx, signer, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`transaction not in a block within ${timeoutMs} ms`));
    }, timeoutMs);
    tx.signAndSend(signer, (result) => {
      if (result.isError) {
        clearTimeout(timer);
        unsubscribe?.();
        reject(new Error(`transaction failed: ${result.status.type}`));
      } else if (result.status.isInBlock || result.status.isFinalized) {
        // Usually InBlock comes first; a pool that learns of the block only once it is
        // final reports Finalized alone.
        clearTimeout(timer);
        unsubscribe?.();
        resolve({
          blockHash: result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized,
          events: result.events,
          dispatchError: result.dispatchError,
        });
      }
    })
      .then((u) => {
        unsubscribe = u;
      })
      .catch((e) => {
        clearTimeout(timer);
        reject(e);
      });
  });
}

/** The module error of a failed dispatch as `Pallet.Error`, or the error as text. */
export function describeDispatchError(api, dispatchError) {
  if (!dispatchError.isModule) return dispatchError.toString();
  const { section, name } = api.registry.findMetaError(dispatchError.asModule);
  return `${section}.${name}`;
}

/** Sends `tx` signed by `signer`, asserts that it dispatched, and returns the block's events. */
export async function submit(api, tx, signer) {
  const { events, dispatchError } = await sendAndWaitInBlock(tx, signer);
  if (dispatchError) assert.fail(`dispatch failed: ${describeDispatchError(api, dispatchError)}`);
  return events;
}

/** The event `section.name` among `events` (asserting there is one). */
export function findEvent(api, events, section, name) {
  const found = events.find(({ event }) => api.events[section][name].is(event));
  assert.ok(found, `no ${section}.${name} event`);
  return found.event;
}

/**
 * Passes `call` as a council motion the way members do: `proposer` proposes it with
 * `threshold`, every account in `voters` votes aye, and `closer` closes it, which executes
 * it. Returns the `Council.Executed` event's result (`Ok` or the dispatch error).
 */
export async function passCouncilMotion(api, call, { proposer, voters, closer, threshold }) {
  const length = call.method.encodedLength;
  let events = await submit(api, api.tx.council.propose(threshold, call, length), proposer);
  const proposed = findEvent(api, events, 'council', 'Proposed');
  const { proposalHash, proposalIndex } = proposed.data;
  for (const voter of voters) {
    await submit(api, api.tx.council.vote(proposalHash, proposalIndex, true), voter);
  }
  // The weight bound `close` needs: the call's own weight, as the runtime reports it.
  const { weight } = await api.call.transactionPaymentCallApi.queryCallInfo(call.method, length);
  events = await submit(api, api.tx.council.close(proposalHash, proposalIndex, weight, length), closer);
  return findEvent(api, events, 'council', 'Executed').data.result;
}

/** Who votes model versions in, in the tests: Dave submits, Dave, Eve and Ferdie vote. */
export async function tokenHolders() {
  const { dave, eve, ferdie } = await devAccounts();
  return { proposer: dave, voters: [dave, eve, ferdie] };
}

/** 500,000 AIO: three such aye votes are 25% of the dev chain's issuance, above the
 * support the `model_upgrades` track asks for at first (20%). */
const VOTE = 500_000n * 10n ** 12n;

/**
 * Votes `call` in the way token holders do: a referendum on the `model_upgrades` track,
 * submitted (preimage, submission, decision deposit) by `proposer`, voted aye by each of
 * `voters` with 500,000 AIO at `Locked1x`, and enacted by the scheduler with the track's
 * origin (about 8 blocks at the dev chain's pace). Returns the referendum's index and the
 * enacted call's result: `{ index, ok: true }` or `{ index, ok: false, error }`.
 */
export async function passModelReferendum(api, call, { proposer, voters }) {
  const votes = voters.map((voter) => ({ voter, aye: true, balance: VOTE, conviction: 'Locked1x' }));
  const { index, result } = await passReferendum(api, call, { proposer, votes, log: () => {} });
  return { ...result, index };
}

/**
 * Resolves with the first event for which `matches(event)` holds, in the blocks imported
 * from now on; rejects after `timeoutMs`.
 */
export function waitForEvent(api, matches, timeoutMs = 120_000, what = 'the event') {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`${what} did not come within ${timeoutMs} ms`));
    }, timeoutMs);
    api.query.system
      .events((records) => {
        const found = records.find(({ event }) => matches(event));
        if (found) {
          clearTimeout(timer);
          unsubscribe?.();
          resolve(found.event);
        }
      })
      .then((u) => { unsubscribe = u; }, reject);
  });
}

/** A verdict as text: `Reproduced`, `Failed(GoldenVectorMismatch)`, `Failed(Engine(...))`. */
export function verdictText(verdict) {
  if (verdict.isReproduced) return 'Reproduced';
  const failure = verdict.asFailed;
  return `Failed(${failure.isEngine ? `Engine(${failure.asEngine.toString()})` : failure.type})`;
}

/** Operators' verdicts of a validation view as `address: verdict, ...` (or `none`). */
export function describeVerdicts(validation) {
  const verdicts = validation.verdicts.map(([who, verdict]) => `${who}: ${verdictText(verdict)}`);
  return verdicts.length ? verdicts.join(', ') : 'none';
}

/**
 * Polls `modelRegistryApi.provenance(model, version).validation` at each new block until
 * `done(validation)` holds; returns that validation view (`{ verdicts, quorum, validated }`).
 * Throws after `timeoutMs` with the verdicts seen.
 */
export async function waitForVerdicts(api, model, version, done, timeoutMs = 60_000, what = 'validated') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const provenance = await api.call.modelRegistryApi.provenance(model, version);
    assert.ok(provenance.isSome, `model ${model} has no version ${version}`);
    const { validation } = provenance.unwrap();
    if (done(validation)) return validation;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(
        `model ${model} version ${version} not ${what} within ${timeoutMs} ms: quorum `
        + `${validation.quorum}, validated ${validation.validated.isTrue}, verdicts: ${describeVerdicts(validation)}`,
      );
    }
    // The subscription starts with the current head: the second header is a new block.
    await nextBlocks(api, 2, left).catch(() => {});
  }
}

/**
 * Waits until enough operators of the operator set reproduced version `version` of
 * `model` for governance to approve it (`validation.validated`), polling its provenance at
 * each new block; returns the validation view. Throws with the verdicts seen after
 * `timeoutMs`. Operators' nodes judge a version while it is `Proposed`: call this before
 * a council motion approves it.
 */
export function waitForValidation(api, model, version, timeoutMs = 60_000) {
  return waitForVerdicts(api, model, version, (v) => v.validated.isTrue, timeoutMs);
}
