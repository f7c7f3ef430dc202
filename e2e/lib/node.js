// Starts a real aioracle-node in dev mode for a test, and stops it whatever happens.
//
//   const node = await startDevNode();   // --dev --tmp on free ports, waits for RPC
//   const api = await node.connect();    // an @polkadot/api ApiPromise on it
//   await node.stop();                   // stops it with SIGTERM (also killed on process exit)
//
// A node started with `basePath` keeps its chain there, so that a later `startDevNode`
// with the same `basePath` continues it; `node.kill()` SIGKILLs it (a crash) where
// `stop()` lets it shut down cleanly.
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
    if (child.exitCode !== null || child.signalCode !== null) {
      const status = child.exitCode ?? child.signalCode;
      throw new Error(`aioracle-node exited with status ${status} before its RPC came up`);
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
 * Starts `aioracle-node --dev --tmp` on free ports (`basePath`, or `--base-path` in `args`,
 * replaces `--tmp`).
 * @param {{name?: string, args?: string[], basePath?: string, timeoutMs?: number}} options
 */
export async function startDevNode({
  name = 'dev-node', args = [], basePath, timeoutMs = 120_000,
} = {}) {
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
      ...(basePath ? ['--base-path', basePath] : args.includes('--base-path') ? [] : ['--tmp']),
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
  // Each line of output, to the watchers of `waitForLog`.
  const logWatchers = new Set();
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop();
      for (const line of lines) for (const watch of logWatchers) watch(line);
    });
  }
  // 'close' comes after 'exit' and after the node's output has been read to its end.
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const logWritten = new Promise((resolve) => log.on('close', resolve));
  /** Waits for the process to end, then for its output to be in the log file. */
  const finish = async () => {
    const status = await exited;
    running.delete(child);
    log.end();
    await logWritten;
    return status;
  };

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
    /**
     * Resolves with the first line the node writes from now on that matches `pattern`;
     * rejects after `timeoutMs`, or if the node exits first.
     */
    waitForLog(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const done = (settle, value) => {
          clearTimeout(timer);
          logWatchers.delete(watch);
          settle(value);
        };
        const watch = (line) => {
          if (pattern.test(line)) done(resolve, line);
        };
        const timer = setTimeout(
          () => done(reject, new Error(`no log line matching ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        logWatchers.add(watch);
        exited.then(() => done(reject, new Error(`the node exited before logging ${pattern}`)));
      });
    },
    /**
     * Disconnects every API and stops the node with SIGTERM (SIGKILL if it is still there
     * after 10 s); resolves when the process is gone and its output is in the log, with
     * `{ code, signal, forced }` (`forced`: it had to be SIGKILLed).
     */
    async stop() {
      await Promise.allSettled(node.apis.map((api) => api.disconnect()));
      let forced = false;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          forced = true;
          child.kill('SIGKILL');
        }, 10_000);
        await exited;
        clearTimeout(timer);
      }
      return { ...(await finish()), forced };
    },
    /**
     * Sends `signal` (SIGKILL: a crash, nothing flushed) at once, then disconnects every API;
     * resolves when the process is gone and its output is in the log, with `{ code, signal }`.
     */
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await Promise.allSettled(node.apis.map((api) => api.disconnect()));
      return finish();
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
