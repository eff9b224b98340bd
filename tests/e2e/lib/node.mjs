// Starts and stops a real paratii-node for the end-to-end tests, on free ports, and
// speaks JSON-RPC to it over HTTP.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The node binary the test command built (override with PARATII_NODE). */
export function nodeBinary() {
  const bin =
    process.env.PARATII_NODE ??
    join(process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/paratii/target'), 'debug/paratii-node');
  if (!existsSync(bin)) {
    throw new Error(`paratii-node not found at ${bin}: run scripts/test.sh (it builds it) or set PARATII_NODE`);
  }
  return bin;
}

/** Runs a paratii-node subcommand to completion and returns its stdout. */
export function runNodeCommand(args) {
  const out = spawnSync(nodeBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) {
    throw new Error(`paratii-node ${args.join(' ')} exited ${out.status}: ${out.stderr}`);
  }
  return out.stdout;
}

/** A TCP port nothing listens on right now. */
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

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(what, probe, { timeoutMs = 90_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

/**
 * Waits for `ready`; if it rejects, SIGKILLs `child` before rethrowing, so a process that
 * never became ready does not outlive its test (and keep the test runner waiting).
 */
export async function killUnlessReady(child, ready) {
  try {
    return await ready;
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw e;
  }
}

/** One JSON-RPC call over HTTP; throws on an RPC error. */
export async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** The number of the latest finalized block. */
export async function finalizedNumber(url) {
  const hash = await rpc(url, 'chain_getFinalizedHead');
  const header = await rpc(url, 'chain_getHeader', [hash]);
  return parseInt(header.number, 16);
}

/**
 * Starts `paratii-node` (default `--dev --tmp`) on free ports. Its log goes to a file
 * whose path is returned, so a failing test can point at it.
 */
export async function startNode({ args = ['--dev', '--tmp'], name = 'node' } = {}) {
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'paratii-e2e-'));
  const logPath = join(logDir, `${name}.log`);
  const log = createWriteStream(logPath);
  const startedAt = Date.now();
  const child = spawn(
    nodeBinary(),
    [...args, '--rpc-port', String(rpcPort), '--port', String(p2pPort), '--no-prometheus', '--no-telemetry', '--no-mdns'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const http = `http://127.0.0.1:${rpcPort}`;
  const ws = `ws://127.0.0.1:${rpcPort}`;
  // The RPC server starts once the genesis state is built, which runs the runtime's
  // genesis builder in wasm: 91 s was measured while two other lanes of tests ran.
  await killUnlessReady(child, Promise.race([
    waitFor(`RPC on ${http} (log: ${logPath})`, () => rpc(http, 'system_health'), { timeoutMs: 240_000 }),
    exited.then(({ code, signal }) => {
      throw new Error(`paratii-node exited early (code ${code}, signal ${signal}); log: ${logPath}`);
    }),
  ]));
  return {
    http,
    ws,
    logPath,
    startedAt,
    child,
    exited,
    /** Sends SIGINT (what Ctrl-C does) and resolves with the exit status. */
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
}
