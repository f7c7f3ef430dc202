// Below the custody graph: the model version's details (its price and how the price
// splits between the model's owner and its data's royalties, its earnings, what its
// training data permits, whether it is tainted, how it was trained) and who the request
// drawn paid.

import { fill, h } from './dom.js';
import { formatAmount, formatPermill, formatPermissions, trainingRunLines } from './format.js';
import { describePaymentKind, describeRecipient, priceSplit, recipientKey } from './market.js';

/**
 * The version's taint: marked by the registry's scan (`marked`), tainted by its data
 * before the scan reached it (`pending`), or `clean`; with the words for it.
 */
function versionTaint(custody) {
  if (custody.versionTaintedAt !== null) {
    return { state: 'marked', text: `TAINTED: the registry found it trained on retracted data at #${custody.versionTaintedAt}` };
  }
  if (custody.provenance.tainted) {
    return { state: 'pending', text: 'TAINTED: its training data is retracted or derived from retracted data (the registry has not marked it yet)' };
  }
  return { state: 'clean', text: 'not tainted: no training dataset, nor any of their ancestors, is retracted' };
}

/** Each payee of the version's price: the model's owner (the rest), then each royalty. */
function splitRows(custody, chain) {
  const { price, royalties } = custody.provenance.version.market;
  return priceSplit(price, royalties).map((s) => h('tr', {
    'data-payee': recipientKey(s.payee), 'data-share': s.share, 'data-amount': s.amount,
  }, [
    h('td', {}, describeRecipient(s.payee, custody)),
    h('td', {}, s.payee.kind === 'owner' ? 'what the royalties leave' : `royalty, depth ${s.depth}`),
    h('td', {}, formatPermill(s.share)),
    h('td', { class: 'nowrap' }, formatAmount(s.amount, chain)),
  ]));
}

/** Fills the version section of the custody template (`root`) for `custody`. */
export function renderVersionDetails(root, custody, chain) {
  const section = root.querySelector('#version-details');
  if (!custody.provenance) {
    section.hidden = true;
    return;
  }
  const v = custody.provenance.version;
  fill(root, 'version-title', `${custody.modelName ?? `model ${v.model}`} v${v.version}`);
  fill(root, 'price', v.market.price ? `${formatAmount(v.market.price, chain)} per inference` : 'free')
    .dataset.price = v.market.price;
  fill(root, 'earnings', formatAmount(v.market.earnings, chain)).dataset.earnings = v.market.earnings;
  fill(root, 'usage', formatPermissions(v.usage)).dataset.inference = v.usage.aiInference.kind;
  const taint = versionTaint(custody);
  const taintField = fill(root, 'version-taint', taint.text);
  taintField.dataset.taint = taint.state;
  taintField.dataset.taintedAt = custody.versionTaintedAt ?? '';
  if (v.trainingRun) {
    const run = root.querySelector('[data-field="training-run"]');
    run.append(...trainingRunLines(v.trainingRun).map((line) => h('div', {}, line)));
    run.dataset.codeHash = v.trainingRun.codeHash;
    run.parentElement.hidden = false;
  }
  section.querySelector('#split tbody').append(...splitRows(custody, chain));
}

/** Who the request paid: each agreeing operator's share of the fee, then the price's split. */
export function paymentRows(custody, chain) {
  if (!custody.payments.length) {
    const why = custody.result
      ? 'Nothing was paid (no fee or price).'
      : 'Nothing yet: the fee and price are paid once the request is finalized, refunded if it expires.';
    return [h('tr', {}, h('td', { colspan: 3, class: 'muted' }, why))];
  }
  return custody.payments.map((p) => h('tr', {
    'data-recipient': recipientKey(p.to), 'data-amount': p.amount,
  }, [
    h('td', {}, describeRecipient(p.to, custody)),
    h('td', {}, describePaymentKind(p.to)),
    h('td', { class: 'nowrap' }, formatAmount(p.amount, chain)),
  ]));
}
