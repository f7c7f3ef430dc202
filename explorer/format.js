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
