// The marketplace in the explorer's words: how a version's price splits between its
// model's owner and the royalties of its training data's lineage, and who a payment went
// to. Pure functions, no chain access.

import { datasetName, labelAccount, shortAccount } from './format.js';

/** A Permill's whole: parts per million. */
const WHOLE = 1_000_000n;

/**
 * `price` split as the chain credits it (`aioracle_primitives::market::split`): the
 * model's owner first, taking what the royalties leave, then each royalty, nearest
 * first; each amount rounded down (the dust stays unpaid).
 * `[{ payee, depth, share, amount }]`, `payee` as chain.js's `plainPayee`, `share` in
 * parts per million, `depth` 0 for the owner.
 */
export function priceSplit(price, royalties) {
  const taken = royalties.reduce((sum, r) => sum + BigInt(r.share), 0n);
  const rest = taken >= WHOLE ? 0n : WHOLE - taken;
  const part = (share) => (BigInt(price) * BigInt(share)) / WHOLE;
  return [
    { payee: { kind: 'owner' }, depth: 0, share: Number(rest), amount: part(rest) },
    ...royalties.map((r) => ({
      payee: { kind: 'dataset', dataset: r.dataset }, depth: r.depth, share: r.share, amount: part(r.share),
    })),
  ];
}

/** A payee or recipient as a key for data-* attributes: `owner`, `dataset:3`, `operator:5Grw…`. */
export function recipientKey(to) {
  if (to.kind === 'operator') return `operator:${to.account}`;
  return to.kind === 'owner' ? 'owner' : `dataset:${to.dataset}`;
}

/**
 * A payee or recipient in words, with the owner it is paid to now where the custody knows
 * it: `operator Alice (5Grwva…utQY)`, `model owner Dave (5DAAnr…TXFy)`,
 * `dataset #2 iris-clean (owner Bob)`.
 */
export function describeRecipient(to, custody) {
  if (to.kind === 'operator') return `operator ${labelAccount(to.account)}`;
  if (to.kind === 'owner') return `model owner${custody.modelOwner ? ` ${labelAccount(custody.modelOwner)}` : ''}`;
  const dataset = custody.datasets.get(to.dataset)?.dataset;
  const name = dataset?.uri ? ` ${datasetName(dataset)}` : '';
  return `dataset #${to.dataset}${name}${dataset?.owner ? ` (owner ${shortAccount(dataset.owner)})` : ''}`;
}

/**
 * What a payment was: an operator's share of the fee (paid at once), or a payee's share of
 * the price (credited to the version's earnings, paid out to the payee's owner by `payOut`).
 */
export function describePaymentKind(to) {
  return to.kind === 'operator' ? 'share of the fee, paid' : 'share of the price, credited to its earnings';
}
