// The foundation: the dev node produces blocks, includes a signed transfer, and exposes
// the runtime's pallets in its metadata.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { devAccounts, nextBlocks, sendAndWaitInBlock } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

describe('dev node', () => {
  let node;
  let api;

  before(async () => {
    // A fast block time keeps the suite short; the default (3000 ms) is checked below.
    node = await startDevNode({ name: 'foundation', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
  });

  after(async () => {
    await node?.stop();
  });

  it('produces at least 3 new blocks with increasing numbers', async () => {
    const headers = await nextBlocks(api, 3);
    const numbers = headers.map((h) => h.number.toNumber());
    for (let i = 1; i < numbers.length; i++) {
      assert.ok(numbers[i] > numbers[i - 1], `block numbers not increasing: ${numbers}`);
    }
  });

  it('includes a signed transfer from Alice to Bob and moves the balance', async () => {
    const { alice, bob } = await devAccounts();
    const amount = 1_234_000_000_000n; // 1.234 AIO
    const before = (await api.query.system.account(bob.address)).data.free.toBigInt();

    const tx = api.tx.balances.transferKeepAlive(bob.address, amount);
    const { blockHash, events, dispatchError } = await sendAndWaitInBlock(tx, alice);
    assert.equal(dispatchError, undefined, `transfer failed: ${dispatchError?.toString()}`);

    const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transfer, 'no Balances.Transfer event in the block');
    const [from, to, value] = transfer.event.data;
    assert.equal(from.toString(), alice.address);
    assert.equal(to.toString(), bob.address);
    assert.equal(value.toBigInt(), amount);

    const block = await api.rpc.chain.getBlock(blockHash);
    const included = block.block.extrinsics.some(
      (xt) => xt.isSigned && xt.signer.toString() === alice.address && xt.method.section === 'balances',
    );
    assert.ok(included, 'the signed transfer is not among the block extrinsics');

    const atBlock = await api.at(blockHash);
    const after = (await atBlock.query.system.account(bob.address)).data.free.toBigInt();
    assert.equal(after - before, amount);
  });

  it('reports a transaction InBlock, then Finalized a block later', async () => {
    const { bob, charlie } = await devAccounts();
    const statuses = await new Promise((resolve, reject) => {
      const seen = [];
      const timer = setTimeout(() => reject(new Error(`statuses so far: ${seen}`)), 60_000);
      api.tx.balances
        .transferKeepAlive(charlie.address, 1_000_000_000n)
        .signAndSend(bob, ({ status }) => {
          seen.push(status.type);
          if (status.isFinalized) {
            clearTimeout(timer);
            resolve(seen);
          }
        })
        .catch(reject);
    });
    assert.ok(statuses.indexOf('InBlock') >= 0, `no InBlock status: ${statuses}`);
    assert.ok(statuses.indexOf('InBlock') < statuses.indexOf('Finalized'), `order: ${statuses}`);
  });

  it('lists the runtime pallets in its metadata', async () => {
    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
    for (const name of [
      'System', 'ParachainSystem', 'Timestamp', 'ParachainInfo', 'WeightReclaim',
      'Balances', 'TransactionPayment', 'Sudo', 'Council', 'CouncilMembership',
      'Authorship', 'CollatorSelection', 'Session', 'Aura', 'AuraExt', 'MessageQueue',
    ]) {
      assert.ok(pallets.includes(name), `pallet ${name} missing from metadata: ${pallets}`);
    }
  });

  it('has the council and chain properties of the development preset', async () => {
    const { alice, bob, charlie } = await devAccounts();
    const members = (await api.query.council.members()).map((m) => m.toString()).sort();
    assert.deepEqual(members, [alice.address, bob.address, charlie.address].sort());
    const sudo = await api.query.sudo.key();
    assert.equal(sudo.unwrap().toString(), alice.address);
    const props = await api.rpc.system.properties();
    assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'AIO');
    assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 12);
  });
});

describe('dev node defaults', () => {
  it('seals a block every 3000 ms unless --dev-block-time says otherwise', async () => {
    const node = await startDevNode({ name: 'default-block-time' });
    try {
      const api = await node.connect();
      await nextBlocks(api, 1, 30_000);
      const log = readFileSync(node.logPath, 'utf8');
      assert.match(log, /Dev mode: parachain 2000, a block every 3000 ms/);
    } finally {
      await node.stop();
    }
  });
});
