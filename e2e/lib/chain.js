// Small helpers for driving the chain with @polkadot/api.

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** The dev accounts (sr25519 from the well-known //Alice, //Bob, ... seeds). */
export async function devAccounts() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const names = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
  return Object.fromEntries(names.map((n) => [n.toLowerCase(), keyring.addFromUri(`//${n}`)]));
}

/** Resolves with the next `count` new block headers. */
export function nextBlocks(api, count, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const headers = [];
    let unsubscribe;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`only ${headers.length} of ${count} blocks arrived within ${timeoutMs} ms`));
    }, timeoutMs);
    api.rpc.chain
      .subscribeNewHeads((header) => {
        headers.push(header);
        if (headers.length === count) {
          clearTimeout(timer);
          unsubscribe?.();
          resolve(headers);
        }
      })
      .then((u) => {
        unsubscribe = u;
        if (headers.length >= count) u();
      }, reject);
  });
}

/**
 * Signs and sends `tx`, resolving once it is in a block (or finalized) with
 * `{ blockHash, events, dispatchError }`; rejects on an invalid transaction or a timeout.
 */
export function sendAndWaitInBlock(tx, signer, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`transaction not in a block within ${timeoutMs} ms`));
    }, timeoutMs);
    tx.signAndSend(signer, (result) => {
      if (result.isError) {
        clearTimeout(timer);
        unsubscribe?.();
        reject(new Error(`transaction failed: ${result.status.type}`));
      } else if (result.status.isInBlock || result.status.isFinalized) {
        // Usually InBlock comes first; a pool that learns of the block only once it is
        // final reports Finalized alone.
        clearTimeout(timer);
        unsubscribe?.();
        resolve({
          blockHash: result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized,
          events: result.events,
          dispatchError: result.dispatchError,
        });
      }
    })
      .then((u) => {
        unsubscribe = u;
      })
      .catch((e) => {
        clearTimeout(timer);
        reject(e);
      });
  });
}
