// The committed example models (models/*.onnx) and their reference JSON, as tests propose
// them: the ONNX bytes and a version proposal of its class probabilities.

import { readFileSync } from 'node:fs';

import { blake2AsHex } from '@polkadot/util-crypto';

const modelsDir = new URL('../../models/', import.meta.url);

/**
 * `models/<name>.onnx` and `models/<name>.json`:
 * `{ onnx, reference, proposal(trainingDatasets, { minAgreement }) }`, where the proposal
 * serves the `probabilities` output at the committed scales, with the first three
 * reference cases as golden vectors.
 */
export function committedModel(name) {
  const onnx = readFileSync(new URL(`${name}.onnx`, modelsDir));
  const reference = JSON.parse(readFileSync(new URL(`${name}.json`, modelsDir), 'utf8'));
  const probabilities = reference.outputs.findIndex((o) => o.name === 'probabilities');
  const proposal = (trainingDatasets, { minAgreement = 1 } = {}) => ({
    modelHash: blake2AsHex(onnx, 256),
    uri: `https://models.example/${name}.onnx`,
    input: { index: 0, elementType: 'F32', shape: [1, reference.n_features] },
    output: { index: probabilities, elementType: 'F32', shape: [1, reference.classes.length] },
    inputScale: reference.fixed_point.input_scale,
    outputScale: reference.fixed_point.output_scale,
    aggregation: { Median: { tolerance: 10 } },
    minAgreement,
    trainingDatasets,
    commercialUse: false,
    goldenVectors: reference.cases.slice(0, 3).map((c) => ({
      input: c.input_fixed_point,
      output: c.outputs[probabilities].fixed_point,
    })),
  });
  return { onnx, reference, proposal };
}
