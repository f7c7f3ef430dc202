// Formatting of chain values for people: token amounts, fixed-point tensors, accounts,
// hashes. Pure functions, no chain access.

// The well-known development accounts (public test keys from the //Alice... seeds), named
// so that a dev chain reads as a story rather than as addresses.
const DEV_NAMES = {
  '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY': 'Alice',
  '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty': 'Bob',
  '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y': 'Charlie',
  '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy': 'Dave',
  '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw': 'Eve',
  '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL': 'Ferdie',
};

/** `1234567` -> `1,234,567` (a BigInt or a digit string). */
function groupDigits(digits) {
  return String(digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * An amount in the chain's smallest unit as tokens: `10000000000n` with 12 decimals and
 * `AIO` -> `0.01 AIO`. Exact (BigInt), trailing zeros dropped.
 */
export function formatAmount(planck, { decimals, token }) {
  const value = BigInt(planck);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = groupDigits(abs / base);
  const fraction = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''} ${token}`;
}

/** What a request holds: `0.01 AIO`, or with its version's price `0.01 AIO + 0.5 AIO price`. */
export function formatFeeAndPrice(fee, price, chain) {
  return `${formatAmount(fee, chain)}${BigInt(price) ? ` + ${formatAmount(price, chain)} price` : ''}`;
}

/** A fixed-point integer with `scale` decimals as a decimal string: (980988, 6) -> `0.980988`. */
export function formatFixedPoint(value, scale) {
  const v = BigInt(value);
  if (scale === 0) return v.toString();
  const negative = v < 0n;
  const abs = (negative ? -v : v).toString().padStart(scale + 1, '0');
  const text = `${abs.slice(0, -scale)}.${abs.slice(-scale)}`.replace(/\.?0+$/, '');
  return `${negative ? '-' : ''}${text}`;
}

/** A tensor of fixed-point integers: `[0.980988, 0.019011, 0.000001]`. */
export function formatTensor(values, scale) {
  return `[${values.map((v) => formatFixedPoint(v, scale)).join(', ')}]`;
}

/** A request's input: its elements, or the input blob (and dataset) it names. */
export function formatInput(request, scale) {
  const ref = request.inputReference;
  if (!ref) return formatTensor(request.input, scale);
  return `by reference: input blob ${ref.blob}${ref.dataset === null ? '' : `, the content of dataset #${ref.dataset}`}`;
}

/**
 * What operators report and how it is combined: `median, tolerance 10` (or `median ±10`
 * when `short`), `exact majority`, `argmax, exact majority`, `top 3, median ±10`.
 */
export function formatAggregation(aggregation, { short = false } = {}) {
  switch (aggregation.kind) {
    case 'median':
      return short ? `median ±${aggregation.tolerance}` : `median, tolerance ${aggregation.tolerance}`;
    case 'argmax':
      return short ? 'argmax' : 'argmax, exact majority';
    case 'top-k':
      return short
        ? `top ${aggregation.k}, ±${aggregation.tolerance}`
        : `top ${aggregation.k}: positions by exact majority, scores by median, tolerance ${aggregation.tolerance}`;
    default:
      return 'exact majority';
  }
}

/**
 * What an operator reported, or a result, under `aggregation`: the output's values at
 * `scale` decimals, or its reduction: `#4` per row for argmax, `#5 0.900000, #1 0.080000`
 * (positions with their scores) per row for top k.
 */
export function formatReport(values, scale, aggregation) {
  if (aggregation?.kind === 'argmax') return values.map((p) => `#${p}`).join(', ');
  if (aggregation?.kind !== 'top-k') return formatTensor(values, scale);
  const { k } = aggregation;
  const rows = [];
  for (let start = 0; start + 2 * k <= values.length; start += 2 * k) {
    const positions = values.slice(start, start + k);
    const scores = values.slice(start + k, start + 2 * k);
    rows.push(positions.map((p, i) => `#${p} ${formatFixedPoint(scores[i], scale)}`).join(', '));
  }
  return rows.map((r) => `[${r}]`).join(' ');
}

/** A dev account's name, or null. */
export function devName(address) {
  return DEV_NAMES[address] ?? null;
}

/** `5Grwva…utQY`, or the dev name: for tight places (graph nodes). */
export function shortAccount(address) {
  return devName(address) ?? `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** `Alice (5Grwva…utQY)`, or the short address alone. */
export function labelAccount(address) {
  const name = devName(address);
  const short = `${address.slice(0, 6)}…${address.slice(-4)}`;
  return name ? `${name} (${short})` : short;
}

/** `0x06acbe…4cbf`. */
export function shortHash(hex) {
  return `${hex.slice(0, 8)}…${hex.slice(-4)}`;
}

/** A dataset's display name: the last segment of its URI (`…/53/iris` -> `iris`). */
export function datasetName(dataset) {
  const uri = dataset?.uri ?? '';
  const segment = uri.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop();
  return segment || `dataset ${dataset?.id ?? '?'}`;
}

/** Clips `text` to `max` characters with an ellipsis. */
export function clip(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A result's stage: finalized (disputable until `settlesAt`), disputed, or settled (with
 * how its dispute ended, if it had one). `short` for graph nodes.
 */
export function formatStage(result, { short = false } = {}) {
  const { stage, settlesAt, dispute } = result;
  if (stage === 'Finalized') {
    return short ? `disputable until #${settlesAt}` : `Finalized; may be disputed until #${settlesAt}`;
  }
  if (stage === 'Disputed') {
    const round = dispute ? `round #${dispute.round}` : 'a round';
    return short ? `DISPUTED · ${round}` : `Disputed by ${dispute ? labelAccount(dispute.disputer) : 'someone'}: ${round} re-scores it`;
  }
  if (!dispute) return short ? 'Settled' : `Settled: undisputed, the dispute window closed at #${settlesAt}`;
  const status = dispute.status.toLowerCase();
  return short
    ? `Settled · dispute ${status}`
    : `Settled: the dispute by ${labelAccount(dispute.disputer)} was ${status} (round #${dispute.round})`;
}

/**
 * Operators' validation of a model version: how many of their nodes reproduced its golden
 * vectors, of the quorum governance needed to approve it. `short` for graph nodes.
 */
export function formatValidation(validation, { short = false } = {}) {
  const { quorum, validated, verdicts } = validation;
  const reproduced = verdicts.filter((v) => v.reproduced).length;
  if (!verdicts.length) return short ? `no verdicts · quorum ${quorum}` : `no operator verdicts (quorum ${quorum})`;
  if (short) return validated ? `validated by ${reproduced} · quorum ${quorum}` : `NOT validated: ${reproduced} of ${quorum}`;
  return `${validated ? 'validated' : 'not validated'}: ${reproduced} of ${verdicts.length} operators reproduced its golden vectors (quorum ${quorum})`;
}

/** A Perbill (parts per billion) as a percentage: 500000000 -> `50%`, 2500000 -> `0.25%`. */
export function formatPerbill(parts) {
  return `${formatFixedPoint(parts, 7)}%`;
}

/** A Permill (parts per million) as a percentage: 100000 -> `10%`, 2500 -> `0.25%`. */
export function formatPermill(parts) {
  return `${formatFixedPoint(parts, 4)}%`;
}

/** The uses a dataset's owner permits or not (C2PA/CAWG), in the chain's order. */
const USES = [
  ['aiTraining', 'AI training', 'training'],
  ['aiInference', 'AI inference', 'inference'],
  ['dataMining', 'data mining', 'mining'],
];

/** One use's permission: `allowed`, `NOT allowed`, `under terms 0x5a1c2b…9f0e`. */
export function formatPermission(permission) {
  if (permission.kind === 'Constrained') return `under terms ${shortHash(permission.constraint)}`;
  return permission.kind === 'NotAllowed' ? 'NOT allowed' : 'allowed';
}

/**
 * Usage permissions (`plainPermissions`): `AI training: allowed · AI inference: under
 * terms 0x5a1c2b…9f0e · data mining: NOT allowed`. `short`, for graph nodes, names only
 * the uses not plainly allowed: `inference: terms · mining: no`, or `all uses allowed`.
 */
export function formatPermissions(permissions, { short = false } = {}) {
  if (!short) return USES.map(([key, name]) => `${name}: ${formatPermission(permissions[key])}`).join(' · ');
  const limited = USES.filter(([key]) => permissions[key].kind !== 'Allowed')
    .map(([key, , word]) => `${word}: ${permissions[key].kind === 'NotAllowed' ? 'no' : 'terms'}`);
  return limited.length ? limited.join(' · ') : 'all uses allowed';
}

/**
 * How a model version was trained (chain.js `plainTrainingRun`), line by line:
 * `scikit-learn 1.5.2, run by Dave (5DAAnr…TXFy)`, its code's hash and URI, its
 * hyperparameters' hash.
 */
export function trainingRunLines(run) {
  return [
    `${run.framework} ${run.frameworkVersion}, run by ${labelAccount(run.ranBy)}`,
    `code ${run.codeHash}${run.codeUri ? ` at ${run.codeUri}` : ''}`,
    `hyperparameters ${run.hyperparametersHash}`,
  ];
}

/** Summed milliseconds over `n` comparisons as a mean: `4.0 ms`, or `<1 ms` when all read 0. */
function meanMillis(total, n) {
  if (BigInt(total) === 0n) return '<1 ms';
  return `${(Number(total) / n).toFixed(1)} ms`;
}

/** How a canary ended (`Promoted`, `FellBack`, `Stopped`), in a word. */
export function canaryEndWord(end) {
  return { Promoted: 'promoted', FellBack: 'FELL BACK', Stopped: 'stopped' }[end] ?? end;
}

/** How and when a canary ended: `promoted at #40`, `FELL BACK at #40`, `stopped at #40`. */
export function formatCanaryEnd(ended) {
  return ended ? `${canaryEndWord(ended.end)} at #${ended.at}` : 'running';
}

/**
 * A version's canary record (`plainCanary`) as lines: its sample, its comparisons against
 * the bounds, the mean scoring times, and whether it runs or how it ended.
 */
export function canaryLines(record) {
  const { compared, agreed, disagreed, failed, maxDisagreements, maxFailures } = record;
  return [
    `${formatPerbill(record.sample)} of requests sampled`,
    `${compared} compared: ${agreed} agreed, ${disagreed} disagreed (max ${maxDisagreements}), ${failed} failed (max ${maxFailures})`,
    compared
      ? `mean time: candidate ${meanMillis(record.candidateMillis, compared)}, active ${meanMillis(record.activeMillis, compared)}`
      : 'no timings yet',
    record.ended ? formatCanaryEnd(record.ended) : `running since #${record.startedAt}`,
  ];
}

/**
 * The same on one line: `100% of requests sampled · 3 compared: 1 agreed, 0 disagreed
 * (max 10), 2 failed (max 1) · mean time: candidate 4.0 ms, active 3.0 ms · FELL BACK at #40`.
 */
export function formatCanary(record) {
  return canaryLines(record).join(' · ');
}

/**
 * What a request's canary check says (`canary` of `loadCustody`), given the request's
 * status: `candidate v2 agreed with the result`, `... pending: judged when finalized`,
 * `... not counted (...)`.
 */
export function formatCanaryCheck(check, requestStatus) {
  const words = {
    Agreed: 'agreed with the result',
    Disagreed: 'DISAGREED with the result',
    Failed: 'FAILED (no output, or its operators did not agree)',
  };
  const head = `sampled for the canary of v${check.version}: the candidate`;
  if (check.verdict) return `${head} ${words[check.verdict] ?? check.verdict}`;
  if (requestStatus === 'Pending') return `${head} scores it too; judged when the request is finalized`;
  if (requestStatus === 'Expired') return `${head} was not judged: the request expired without a result`;
  return `${head} was not judged: no agreeing operator reported on it`;
}
