// Floats never go on-chain: a request's input and a result's output are integers in the
// model version's fixed point. This module converts both ways; the other examples import
// it. Run it to see the conversion for a model's active version:
//
//   node e2e/examples/fixed-point.js [ws-url] [--model 0] [--input 5.1,3.5,1.4,0.2]
//
// The rules (primitives/src/model.rs, inference/src/fixed_point.rs):
//   input:  q = round_half_even(x * 10^input_scale)   (what you send)
//   output: y = q / 10^output_scale                   (what you get back; the operators'
//           engines computed q = round_half_even(y * 10^output_scale) from the model's float)

import { pathToFileURL } from 'node:url';

import { cli, printResult, run } from './lib/chain.js';

/** The largest scale a version may have: 10^18 still fits an i64. */
export const MAX_SCALE = 18;

/**
 * `x` in fixed point with `scale` decimals, as a BigInt: `round_half_even(x * 10^scale)`,
 * computed exactly from the binary value of `x` (as `models/*.json` computes
 * `input_fixed_point`). `5.1` at scale 4 is `51000n`; `2.5` at scale 0 is `2n`.
 */
export function toFixedPoint(x, scale) {
  if (!Number.isFinite(x)) throw new RangeError(`${x} has no fixed-point value`);
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) {
    throw new RangeError(`scale ${scale} is not an integer from 0 to ${MAX_SCALE}`);
  }
  // A double is exactly mantissa * 2^exponent: scale that by 10^scale in integers.
  const [mantissa, exponent] = decompose(x);
  const scaled = mantissa * 10n ** BigInt(scale);
  let q;
  if (exponent >= 0) {
    q = scaled << BigInt(exponent);
  } else {
    const divisor = 1n << BigInt(-exponent);
    q = scaled / divisor; // truncated toward zero
    const rest = scaled % divisor;
    const twiceRest = 2n * (rest < 0n ? -rest : rest);
    // Away from zero above the half; at exactly the half, to the even neighbour.
    if (twiceRest > divisor || (twiceRest === divisor && q % 2n !== 0n)) q += scaled < 0n ? -1n : 1n;
  }
  if (q < -(2n ** 63n) || q >= 2n ** 63n) throw new RangeError(`${x} at scale ${scale} overflows an i64`);
  return q;
}

/** The exact `[mantissa, exponent]` (BigInt, Number) with `x == mantissa * 2^exponent`. */
function decompose(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Subnormals have no implicit leading 1 and the smallest exponent.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return [negative ? -mantissa : mantissa, exponent];
}

/** A fixed-point value (number, BigInt, or an i64 from the chain) as a float: `q / 10^scale`. */
export function fromFixedPoint(q, scale) {
  return Number(BigInt(q.toString())) / 10 ** scale;
}

/**
 * The serving contract of `model`'s active version, read from the chain:
 * `{ view, version, inputScale, outputScale, inputLength, outputLength }`. Throws if the
 * model has no active version (a request would fail with `NoActiveVersion`).
 */
export async function activeContract(api, model) {
  const active = await api.call.modelRegistryApi.activeVersion(model);
  if (active.isNone) throw new Error(`model ${model} has no active version`);
  const view = active.unwrap();
  const elements = (spec) => spec.shape.reduce((n, d) => n * d.toNumber(), 1);
  return {
    view,
    version: view.version.toNumber(),
    inputScale: view.inputScale.toNumber(),
    outputScale: view.outputScale.toNumber(),
    inputLength: view.inputs.reduce((n, spec) => n + elements(spec), 0),
    outputLength: elements(view.output),
  };
}

/** `[1, 4] F32` */
export function describeTensor(spec) {
  return `[${spec.shape.map((d) => d.toNumber()).join(', ')}] ${spec.elementType}`;
}

// The demo: run only when this file is the script, not when another example imports it.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url, args } = cli(
    'node fixed-point.js [ws-url] [--model 0] [--input 5.1,3.5,1.4,0.2]',
    { model: { type: 'string', default: '0' }, input: { type: 'string' } },
  );
  await run(url, async (api) => {
    const model = Number(args.model);
    const c = await activeContract(api, model);
    const name = (await api.call.modelRegistryApi.model(model)).unwrap().name.toUtf8();
    console.log(`model ${model} (${name}), active version ${c.version}:`);
    console.log(`  inputs ${c.view.inputs.map(describeTensor).join(' + ')}, ${c.inputScale} decimals`);
    console.log(`  output ${describeTensor(c.view.output)}, ${c.outputScale} decimals`);

    // Floats in: what requestInference takes.
    const floats = args.input
      ? args.input.split(',').map(Number)
      : c.view.goldenVectors[0]?.input.map((q) => fromFixedPoint(q, c.inputScale)) ?? [];
    const fixed = floats.map((x) => toFixedPoint(x, c.inputScale));
    console.log(`\ninput [${floats.join(', ')}] in fixed point: [${fixed.join(', ')}]`);
    if (fixed.length !== c.inputLength) {
      console.log(`  (the version takes ${c.inputLength} elements: a request would fail with InputLengthMismatch)`);
    }

    // Fixed point out: the version's golden vectors are real outputs of the model.
    const golden = c.view.goldenVectors.map((g) => ({
      input: g.input.map((q) => fromFixedPoint(q, c.inputScale)),
      output: g.output.map((q) => q.toNumber()),
      outputFloats: g.output.map((q) => fromFixedPoint(q, c.outputScale)),
    }));
    golden.forEach((g, i) => {
      console.log(`golden vector ${i}: input [${g.input.join(', ')}]`);
      console.log(`  output [${g.output.join(', ')}] = [${g.outputFloats.join(', ')}]`);
    });
    printResult({
      model, version: c.version, inputScale: c.inputScale, outputScale: c.outputScale,
      input: floats, fixedPoint: fixed, goldenVectors: golden,
    });
  });
}
