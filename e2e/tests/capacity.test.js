// A burst of requests larger than a block holds, on a real dev node: the requests the block
// has no room for wait in the pool for the next block (the CheckRequestCapacity
// transaction extension) instead of being included to fail TooManyRequestsInBlock.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { devAccounts, nextBlocks } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

// Long enough for the whole burst to reach the pool between two blocks on a debug node.
const BLOCK_TIME_MS = 15_000;
const EXTRA = 46;

/** Signs `count` requests from each of `senders`, immortal, nonces from the chain. */
async function signRequests(api, senders, count) {
  const input = [51000, 35000, 14000, 2000];
  const fee = api.consts.inferenceOracle.requestFee.toBigInt();
  const hexes = [];
  for (const sender of senders) {
    let nonce = (await api.rpc.system.accountNextIndex(sender.address)).toNumber();
    for (let i = 0; i < count; i += 1) {
      const tx = api.tx.inferenceOracle.requestInference(0, input, fee);
      tx.sign(sender, {
        blockHash: api.genesisHash,
        genesisHash: api.genesisHash,
        nonce,
        runtimeVersion: api.runtimeVersion,
        signedExtensions: api.registry.signedExtensions,
      });
      hexes.push(tx.toHex());
      nonce += 1;
    }
  }
  return hexes;
}

/** The block's request extrinsics: how many succeeded, and the errors of those that failed. */
async function requestsIn(api, hash) {
  const [block, events] = await Promise.all([
    api.rpc.chain.getBlock(hash),
    api.query.system.events.at(hash),
  ]);
  const indices = block.block.extrinsics
    .map((xt, index) => ({ xt, index }))
    .filter(({ xt }) => xt.method.section === 'inferenceOracle' && xt.method.method === 'requestInference')
    .map(({ index }) => index);
  let succeeded = 0;
  const failed = [];
  for (const index of indices) {
    const outcome = events.find(({ phase, event }) => phase.isApplyExtrinsic
      && phase.asApplyExtrinsic.toNumber() === index && event.section === 'system'
      && (event.method === 'ExtrinsicSuccess' || event.method === 'ExtrinsicFailed'));
    if (outcome?.event.method === 'ExtrinsicSuccess') {
      succeeded += 1;
    } else {
      const error = outcome?.event.data[0];
      const decoded = error?.isModule ? api.registry.findMetaError(error.asModule) : null;
      failed.push(decoded ? `${decoded.section}.${decoded.name}` : String(error));
    }
  }
  return { succeeded, failed };
}

describe('a burst of requests beyond a block', () => {
  let node;
  let api;

  before(async () => {
    node = await startDevNode({ name: 'capacity', args: ['--dev-block-time', String(BLOCK_TIME_MS)] });
    api = await node.connect();
  });

  after(async () => {
    await node?.stop();
  });

  it('fills one block and leaves the rest in the pool for the next', async () => {
    const perBlock = api.consts.inferenceOracle.maxRequestsPerBlock.toNumber();
    const { bob, charlie, dave, eve, ferdie } = await devAccounts();
    const senders = [bob, charlie, dave, eve, ferdie];
    const total = perBlock + EXTRA;
    const burst = await signRequests(api, senders, Math.ceil(total / senders.length));
    assert.ok(burst.length > perBlock);

    // Right after a new block, so the whole burst is in the pool before the next one.
    const [head] = await nextBlocks(api, 2, 2 * BLOCK_TIME_MS + 30_000).then((h) => h.slice(1));
    const results = await Promise.allSettled(burst.map((hex) => api.rpc.author.submitExtrinsic(hex)));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(refused.length, 0, `the pool refused ${refused.length}: ${refused[0]?.reason}`);
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    assert.equal(best, head.number.toNumber(), 'the burst reached the pool before the next block');

    // Follow blocks until every request is in one.
    let included = 0;
    const perBlockSeen = [];
    const failures = [];
    for (let n = head.number.toNumber() + 1; included < burst.length; n += 1) {
      assert.ok(n <= head.number.toNumber() + 4, `only ${included} of ${burst.length} requests in 4 blocks`);
      await nextBlocks(api, 2, 2 * BLOCK_TIME_MS + 30_000);
      const hash = await api.rpc.chain.getBlockHash(n);
      const { succeeded, failed } = await requestsIn(api, hash);
      included += succeeded + failed.length;
      perBlockSeen.push(succeeded);
      failures.push(...failed);
    }

    assert.deepEqual(failures, [], 'no request was included to fail');
    assert.equal(perBlockSeen[0], perBlock, `the first block is full of requests: ${perBlockSeen}`);
    assert.ok(perBlockSeen.every((c) => c <= perBlock), `no block holds more: ${perBlockSeen}`);
    assert.equal(perBlockSeen.reduce((a, b) => a + b, 0), burst.length, 'the rest came in the next blocks');
  });
});
