#!/usr/bin/env node
// Serves the provenance explorer: the files of explorer/ and, under /vendor/, the
// Polkadot.js browser bundles that ship in e2e/node_modules. Node builtins only, so it
// runs wherever the end-to-end packages are installed, with no build step.
//
//   node explorer/serve.js [--port 8080] [--host 127.0.0.1] [--rpc ws://127.0.0.1:9944]
//
// --rpc only changes the URL printed to open: the page reads the node's URL from its own
// ?rpc= parameter, and the browser connects to the node directly.
//
// CommonJS on purpose: there is no package.json above this file to make `.js` an ES
// module, and the browser side does not need one.

'use strict';

const { createServer } = require('node:http');
const { readFile } = require('node:fs/promises');
const path = require('node:path');

const explorerDir = __dirname;
const nodeModules = path.join(__dirname, '..', 'e2e', 'node_modules');

// The only files served from node_modules: a fixed map, so nothing else there is
// reachable. Loaded by index.html in this order (each bundle reads the previous ones'
// globals: polkadotUtil, polkadotUtilCrypto, polkadotTypes, then polkadotApi).
const vendor = {
  '/vendor/polkadot-util.js': '@polkadot/util/bundle-polkadot-util.js',
  '/vendor/polkadot-util-crypto.js': '@polkadot/util-crypto/bundle-polkadot-util-crypto.js',
  '/vendor/polkadot-types.js': '@polkadot/types/bundle-polkadot-types.js',
  '/vendor/polkadot-api.js': '@polkadot/api/bundle-polkadot-api.js',
};

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

// The server's own file is not part of the page.
const hidden = new Set(['serve.js']);

/** The file a URL path names, or null if it is outside what is served. */
function resolveFile(urlPath) {
  if (vendor[urlPath]) return path.join(nodeModules, vendor[urlPath]);
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(explorerDir, relative);
  // Refuse anything that resolves outside explorer/ (`..`, absolute paths).
  if (!file.startsWith(explorerDir + path.sep)) return null;
  if (hidden.has(path.relative(explorerDir, file))) return null;
  return file;
}

async function handle(req, res) {
  const send = (status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const { pathname } = new URL(req.url, 'http://localhost');
  const file = resolveFile(pathname);
  if (!file) {
    send(403, 'text/plain; charset=utf-8', 'forbidden\n');
    return;
  }
  let body;
  try {
    body = await readFile(file);
  } catch {
    send(404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  send(200, contentTypes[path.extname(file)] || 'application/octet-stream', body);
}

/**
 * Starts the server; resolves with `{ server, url }` once it listens.
 * @param {{port?: number, host?: string}} options
 */
function startServer({ port = 8080, host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({ server, url: `http://${shownHost}:${bound}/` });
    });
  });
}

function parseArgs(argv) {
  const options = {};
  const names = { '--port': 'port', '--host': 'host', '--rpc': 'rpc' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (!names[flag]) {
      throw new Error(`unknown argument ${argv[i]} (usage: serve.js [--port 8080] [--host 127.0.0.1] [--rpc ws://127.0.0.1:9944])`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    options[names[flag]] = flag === '--port' ? Number(value) : value;
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port < 65536)) {
    throw new Error('--port must be a port number');
  }
  return options;
}

const DEFAULT_RPC = 'ws://127.0.0.1:9944';

/** The page's URL for the node at `rpc`: ?rpc= only when it is not the page's default. */
function pageUrl(url, rpc) {
  if (!rpc || rpc === DEFAULT_RPC) return url;
  // Left readable when it needs no escaping (ws://host:port), as people type it.
  const value = /^[\w:/.\-[\]]+$/.test(rpc) ? rpc : encodeURIComponent(rpc);
  return `${url}?rpc=${value}`;
}

if (require.main === module) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`serve.js: ${e.message}`);
    process.exit(2);
  }
  startServer(options).then(
    ({ url }) => {
      console.log(`explorer: serving on ${url}`);
      const defaultNode = !options.rpc || options.rpc === DEFAULT_RPC;
      console.log(`explorer: open ${pageUrl(url, options.rpc)}${defaultNode ? `  (node: ${DEFAULT_RPC})` : ''}`);
    },
    (e) => {
      console.error(`serve.js: cannot listen: ${e.message}`);
      process.exit(1);
    },
  );
}

module.exports = { startServer };
