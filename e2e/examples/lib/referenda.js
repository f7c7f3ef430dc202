// An OpenGov referendum, step by step, as token holders run one: the proposer notes the
// call's preimage and submits it on a track, someone places the track's decision deposit,
// token holders vote with conviction (or delegate their votes), and once it has been
// passing for the track's confirm period the scheduler enacts the call with the track's
// origin. On a live chain each voter signs with their own key; on the dev chain one script
// can play them all.

import { blake2AsHex } from '@polkadot/util-crypto';
import { bnToU8a, compactToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';

import { describeDispatchError, devAccount, findEvent, formatBalance, send } from './chain.js';

/** The proposal origin of the `model_upgrades` track: it decides model versions. */
export const MODEL_UPGRADES = { Origins: 'ModelUpgrades' };

/** `modelRegistry.activateVersion(0, 2)` */
export function describeCall(call) {
  return `${call.method.section}.${call.method.method}(${call.method.args.map(String).join(', ')})`;
}

/** The scheduler's id of referendum `index`'s enactment: blake2_256(("assembly", "enactment", index)). */
export function enactmentId(index) {
  return blake2AsHex(u8aConcat(
    stringToU8a('assembly'),
    compactToU8a(9), stringToU8a('enactment'),
    bnToU8a(index, { bitLength: 32, isLe: true }),
  ), 256);
}

/**
 * `proposer` notes `call`'s preimage (unless it is already noted), submits it as a
 * referendum dispatching with `origin`, and places the track's decision deposit. Returns
 * `{ index, track }`.
 */
export async function submitReferendum(api, call, proposer, origin = MODEL_UPGRADES, log = console.log) {
  const bytes = call.method.toU8a();
  const hash = blake2AsHex(bytes, 256);
  if ((await api.query.preimage.requestStatusFor(hash)).isNone) {
    // As hex: @polkadot/api would read a Uint8Array given for `Bytes` as already
    // length-prefixed.
    await send(api, api.tx.preimage.notePreimage(u8aToHex(bytes)), proposer);
    log(`${proposer.name ?? proposer.address} notes the preimage ${hash} (${bytes.length} bytes): ${describeCall(call)}`);
  }
  const submitTx = api.tx.referenda.submit(origin, { Lookup: { hash, len: bytes.length } }, { After: 0 });
  const { events } = await send(api, submitTx, proposer);
  const { index, track } = findEvent(api, events, 'referenda', 'Submitted').data;
  log(`referendum #${index} submitted on track ${track} with origin ${JSON.stringify(origin)}`);
  await send(api, api.tx.referenda.placeDecisionDeposit(index), proposer);
  log(`  ${proposer.name ?? proposer.address} places the decision deposit`);
  return { index: index.toNumber(), track: track.toNumber() };
}

/**
 * `voter` votes on referendum `index`: aye or nay, `balance` (planck) locked at
 * `conviction` (`None`, `Locked1x` ... `Locked6x`).
 */
export async function voteReferendum(api, index, voter, { aye = true, balance, conviction = 'Locked1x' }, log = console.log) {
  const vote = { Standard: { vote: { aye, conviction }, balance } };
  await send(api, api.tx.convictionVoting.vote(index, vote), voter);
  log(`  ${voter.name ?? voter.address} votes ${aye ? 'aye' : 'nay'} with ${formatBalance(api, balance)} at ${conviction}`);
}

/**
 * Resolves when referendum `index` is enacted, with the enacted call's result
 * (`{ ok: true }` or `{ ok: false, error }`); rejects if it is rejected, times out, is
 * cancelled or killed, or after `timeoutMs`.
 */
export function waitForEnactment(api, index, timeoutMs = 180_000) {
  const id = enactmentId(index);
  const ends = ['Rejected', 'TimedOut', 'Cancelled', 'Killed'];
  return new Promise((resolve, reject) => {
    let unsubscribe;
    const finish = (settle, value) => {
      clearTimeout(timer);
      unsubscribe?.();
      settle(value);
    };
    const timer = setTimeout(() => finish(reject, new Error(`referendum #${index} was not enacted within ${timeoutMs} ms`)), timeoutMs);
    api.query.system.events((records) => {
      for (const { event } of records) {
        if (api.events.scheduler.Dispatched.is(event) && event.data.id.isSome && event.data.id.unwrap().toHex() === id) {
          const { result } = event.data;
          finish(resolve, result.isOk ? { ok: true } : { ok: false, error: describeDispatchError(api, result.asErr) });
          return;
        }
        const ended = ends.find((name) => api.events.referenda[name].is(event) && event.data.index.toNumber() === index);
        if (ended) {
          finish(reject, new Error(`referendum #${index}: ${ended}`));
          return;
        }
      }
    }).then((u) => { unsubscribe = u; }, (e) => finish(reject, e));
  });
}

/**
 * Passes `call` by referendum: `proposer` submits it on the track of `origin`, each of
 * `votes` (`{ voter, aye, balance, conviction }`) votes, and the call is enacted.
 * Returns `{ index, result }`: the enacted call's result.
 */
export async function passReferendum(api, call, { proposer, votes, origin = MODEL_UPGRADES, log = console.log }) {
  const { index } = await submitReferendum(api, call, proposer, origin, log);
  const enacted = waitForEnactment(api, index);
  await Promise.all(votes.map(({ voter, ...vote }) => voteReferendum(api, index, voter, vote, log)));
  const result = await enacted;
  log(`referendum #${index} enacted: ${result.ok ? 'Ok' : result.error}`);
  return { index, result };
}

/**
 * The aye votes of a `--votes` option, `Name:AIO:Conviction,...` (dev accounts), as
 * `passReferendum` takes them.
 */
export function ayeVotes(api, spec) {
  const unit = 10n ** BigInt(api.registry.chainDecimals[0]);
  return Promise.all(spec.split(',').map(async (entry) => {
    const [name, aio, conviction] = entry.split(':');
    return { voter: await devAccount(api, name), aye: true, balance: BigInt(aio) * unit, conviction };
  }));
}

/** Passes `call` by referendum (see `passReferendum`); throws if the enacted call failed. Returns its index. */
export async function passOrThrow(api, call, options) {
  const { index, result } = await passReferendum(api, call, options);
  if (!result.ok) throw new Error(`referendum #${index} passed, but ${describeCall(call)} failed: ${result.error}`);
  return index;
}
