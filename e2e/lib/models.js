// The committed example models (models/*.onnx) and their reference JSON, as tests propose
// them: the ONNX bytes and a version proposal of its class probabilities.

import { readFileSync } from 'node:fs';

import { blake2AsHex } from '@polkadot/util-crypto';

const modelsDir = new URL('../../models/', import.meta.url);

/**
 * What operators report for `values` (a whole output, rows of `rowLength`) under
 * `aggregation`, as the runtime computes it (`Aggregation::report`): the values
 * themselves, or per row the position of the largest (`ArgMax`), or the `k` largest
 * positions then their values (`TopK`), largest first, the lower position first on ties.
 */
export function reportOf(aggregation, values, rowLength) {
  // 'ArgMax' or { ArgMax: null }, { TopK: { k, tolerance } }, ...
  const kind = typeof aggregation === 'string' ? aggregation : Object.keys(aggregation)[0];
  if (kind !== 'ArgMax' && kind !== 'TopK') return values;
  const report = [];
  for (let start = 0; start < values.length; start += rowLength) {
    const row = values.slice(start, start + rowLength);
    const ranked = row.map((_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
    if (kind === 'TopK') {
      const top = ranked.slice(0, aggregation.TopK.k);
      report.push(...top, ...top.map((i) => row[i]));
    } else {
      report.push(ranked[0]);
    }
  }
  return report;
}

/**
 * `models/<name>.onnx` and `models/<name>.json`:
 * `{ onnx, reference, proposal(trainingDatasets, { minAgreement, aggregation }) }`, where
 * the proposal serves the `probabilities` output at the committed scales (reported whole
 * by default, or reduced by `aggregation`), with the first three reference cases as golden
 * vectors.
 */
export function committedModel(name) {
  const onnx = readFileSync(new URL(`${name}.onnx`, modelsDir));
  const reference = JSON.parse(readFileSync(new URL(`${name}.json`, modelsDir), 'utf8'));
  const probabilities = reference.outputs.findIndex((o) => o.name === 'probabilities');
  const classes = reference.classes.length;
  const proposal = (trainingDatasets, { minAgreement = 1, aggregation = { Median: { tolerance: 10 } } } = {}) => ({
    modelHash: blake2AsHex(onnx, 256),
    uri: `https://models.example/${name}.onnx`,
    inputs: [{ index: 0, elementType: 'F32', shape: [1, reference.n_features] }],
    output: { index: probabilities, elementType: 'F32', shape: [1, classes] },
    inputScale: reference.fixed_point.input_scale,
    outputScale: reference.fixed_point.output_scale,
    aggregation,
    minAgreement,
    trainingDatasets,
    commercialUse: false,
    goldenVectors: reference.cases.slice(0, 3).map((c) => ({
      input: c.input_fixed_point,
      output: reportOf(aggregation, c.outputs[probabilities].fixed_point, classes),
    })),
  });
  return { onnx, reference, proposal };
}

/**
 * `onnx` grown to `size` bytes without changing what it computes: a protobuf field the
 * ONNX schema does not define (number 1000, bytes) appended to the `ModelProto`, which
 * parsers skip. A large model for tests of uploads, with the small model's outputs.
 */
export function paddedModel(onnx, size) {
  const varint = (n) => {
    const out = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      if (v < 128) { out.push(v); break; }
      out.push((v % 128) | 128);
    }
    return out;
  };
  const tag = varint((1000 << 3) | 2);
  const header = (length) => [...tag, ...varint(length)];
  const padding = size - onnx.length - header(size).length;
  const bytes = new Uint8Array(size);
  bytes.set(onnx, 0);
  const head = header(padding);
  bytes.set(head, onnx.length);
  // The padding's own bytes stay zero; `size` leaves room for a header of that length.
  return bytes.subarray(0, onnx.length + head.length + padding);
}

/** `bytes` cut into chunks of at most `chunkBytes`, in order. */
export function chunksOf(bytes, chunkBytes) {
  const chunks = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) chunks.push(bytes.subarray(start, start + chunkBytes));
  return chunks;
}

