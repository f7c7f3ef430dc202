// Starts a real aioracle-node in dev mode for a test, and stops it whatever happens.
//
//   const node = await startDevNode();   // --dev --tmp on free ports, waits for RPC
//   const api = await node.connect();    // an @polkadot/api ApiPromise on it
//   await node.stop();                   // kills the node (also on process exit)
//
// The binary is $AIORACLE_NODE, else the debug build in $CARGO_TARGET_DIR or
// ~/.cache/aioracle/target. The node's output goes to test-output/<name>.log.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';

const here = dirname(fileURLToPath(import.meta.url));
export const outputDir = join(here, '..', 'test-output');

export function nodeBinary() {
  if (process.env.AIORACLE_NODE) return process.env.AIORACLE_NODE;
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'aioracle', 'target');
  return join(target, 'debug', 'aioracle-node');
}

/** A TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const running = new Set();
function killAll() {
  for (const child of running) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Polls the node's RPC until it answers `system_health`, or fails after `timeoutMs`. */
async function waitForRpc(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`aioracle-node exited with status ${child.exitCode} before its RPC came up`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`aioracle-node's RPC did not come up within ${timeoutMs} ms`);
}

/**
 * Starts `aioracle-node --dev --tmp` on free ports (`--base-path` in `args` replaces `--tmp`).
 * @param {{name?: string, args?: string[], timeoutMs?: number}} options
 */
export async function startDevNode({ name = 'dev-node', args = [], timeoutMs = 120_000 } = {}) {
  const binary = nodeBinary();
  if (!existsSync(binary)) {
    throw new Error(`no aioracle-node at ${binary}: build it (cargo build -p aioracle-node) or set AIORACLE_NODE`);
  }
  mkdirSync(outputDir, { recursive: true });
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const prometheusPort = await freePort();
  const logPath = join(outputDir, `${name}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(
    binary,
    [
      '--dev',
      // Fresh state, unless the test keeps it in a directory of its own.
      ...(args.includes('--base-path') ? [] : ['--tmp']),
      '--rpc-port', String(rpcPort),
      '--port', String(p2pPort),
      '--prometheus-port', String(prometheusPort),
      '--no-telemetry',
      '--no-mdns',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.on('exit', resolve));

  const node = {
    rpcPort,
    prometheusPort,
    logPath,
    url: `ws://127.0.0.1:${rpcPort}`,
    apis: [],
    /** Connects an ApiPromise, using only the chain's metadata. */
    async connect() {
      const api = await ApiPromise.create({
        provider: new WsProvider(node.url, 1000),
        noInitWarn: true,
        throwOnConnect: true,
      });
      node.apis.push(api);
      return api;
    },
    /** Disconnects every API and stops the node; resolves when the process is gone. */
    async stop() {
      await Promise.allSettled(node.apis.map((api) => api.disconnect()));
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      log.end();
    },
  };
  try {
    await waitForRpc(rpcPort, child, timeoutMs);
  } catch (e) {
    await node.stop();
    throw new Error(`${e.message} (log: ${logPath})`);
  }
  return node;
}
