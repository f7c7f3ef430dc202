// A council motion, step by step: a member proposes a call, members vote, anyone closes.
// On a live chain each member runs their own step with their own key; on the dev chain
// Alice, Bob and Charlie are the council and one script can play them all.

import { describeDispatchError, findEvent, send } from './chain.js';

/**
 * The ayes a motion needs for the council's powers (the model registry's emergency
 * deprecation and rollback, the oracle's operator removal, whitelisting), two thirds of
 * the council: 2 of the 3 dev members. Fewer ayes execute the call with an
 * origin that fails `BadOrigin`.
 */
export async function twoThirds(api) {
  const members = await api.query.council.members();
  return Math.ceil((members.length * 2) / 3);
}

/** `modelRegistry.activateVersion(0, 2)` */
export function describeCall(call) {
  return `${call.method.section}.${call.method.method}(${call.method.args.map(String).join(', ')})`;
}

/**
 * `proposer` (a member) proposes `call` as a motion needing `threshold` ayes. Returns the
 * motion: `{ call, proposalHash, proposalIndex, length }`. The proposer's vote is not
 * implied: they vote like everyone else.
 */
export async function propose(api, call, proposer, threshold) {
  const length = call.method.encodedLength; // the length bound `close` is given again
  const { events } = await send(api, api.tx.council.propose(threshold, call, length), proposer);
  const { proposalHash, proposalIndex } = findEvent(api, events, 'council', 'Proposed').data;
  console.log(`${proposer.name} proposes motion #${proposalIndex}: ${describeCall(call)}, ${threshold} ayes needed`);
  return { call, proposalHash, proposalIndex, length };
}

/** `voter` (a member) votes aye (or nay) on `motion`. */
export async function vote(api, motion, voter, aye = true) {
  await send(api, api.tx.council.vote(motion.proposalHash, motion.proposalIndex, aye), voter);
  console.log(`  ${voter.name} votes ${aye ? 'aye' : 'nay'}`);
}

/**
 * `closer` (any account) closes `motion` once it has enough ayes, which executes the call.
 * `close` takes bounds on the call's weight and length, so that the closer knows what the
 * block will pay for: the runtime reports the weight. Returns the events of the close
 * (Council.Closed, Approved, Executed and the call's own); throws if the call failed.
 */
export async function close(api, motion, closer) {
  const { weight } = await api.call.transactionPaymentCallApi.queryCallInfo(motion.call.method, motion.length);
  const tx = api.tx.council.close(motion.proposalHash, motion.proposalIndex, weight, motion.length);
  const { events, blockNumber } = await send(api, tx, closer);
  const disapproved = events.find(({ event }) => api.events.council.Disapproved.is(event));
  if (disapproved) throw new Error(`motion #${motion.proposalIndex} was disapproved`);
  const { result } = findEvent(api, events, 'council', 'Executed').data;
  if (result.isErr) {
    throw new Error(`motion #${motion.proposalIndex} executed, but the call failed: ${describeDispatchError(api, result.asErr)}`);
  }
  console.log(`  ${closer.name} closes it in block #${blockNumber}: executed`);
  return events;
}

/** Proposes `call`, has every voter vote aye, closes; returns the events of the close. */
export async function passMotion(api, call, { proposer, voters, closer }) {
  const motion = await propose(api, call, proposer, await twoThirds(api));
  for (const voter of voters) await vote(api, motion, voter);
  return close(api, motion, closer);
}
