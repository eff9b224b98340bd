// Starts and stops a real paratii-node for the end-to-end tests, on free ports, and
// speaks JSON-RPC to it over HTTP.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * A directory the tests of one test command share (PARATII_TEST_CACHE, which
 * scripts/test.sh sets; otherwise one under the system's temporary directory), with a
 * subdirectory per node binary (its size and mtime), so a rebuilt node never sees what
 * an older one left. It holds wasmtime's cache of the compiled runtime and the raw chain
 * specs the nodes start from.
 */
export function testCache() {
  const bin = statSync(nodeBinary());
  const dir = join(process.env.PARATII_TEST_CACHE ?? join(tmpdir(), 'paratii-test-cache'), `node-${bin.size}-${Math.trunc(bin.mtimeMs)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The raw chain spec of `chain` (`dev`, `local`, `production:<file>`) as
 * `paratii-node export-chain-spec --chain <chain> --raw` writes it, exported once per node
 * binary: the export runs the runtime's genesis builder in wasm, which compiles the
 * runtime first (about 20 s on 2 cores). A node started from the raw spec has the same
 * genesis (state root and hash) as one started with `--chain <chain>`. Concurrent test
 * files may export the same spec; each writes its own file and renames it into place.
 */
export function rawChainSpec(chain) {
  // `production:<file>`: the spec follows the file, so a changed file is exported anew.
  const source = chain.slice(chain.indexOf(':') + 1);
  const version = chain.includes(':') && existsSync(source) ? `-${Math.trunc(statSync(source).mtimeMs)}` : '';
  const file = join(testCache(), `${chain.replace(/[^A-Za-z0-9_.-]+/g, '_')}${version}-raw.json`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, runNodeCommand(['export-chain-spec', '--chain', chain, '--raw']));
    renameSync(partial, file);
  }
  return file;
}

/**
 * A raw dev chain spec whose storage clusters `//Cluster1` and `//Cluster2` are registered
 * at `http://127.0.0.1:<ports[0]>` and `:<ports[1]>` instead of the dev preset's 4001 and
 * 4002, so that test files run clusters of their own side by side (and beside a running
 * `scripts/dev.sh`). The dev spec's genesis patch is edited and exported raw, once per
 * pair of ports (a raw export builds the genesis state in wasm: seconds of CPU).
 */
export function devSpecWithClusters(ports) {
  const file = join(testCache(), `dev-clusters-${ports.join('-')}-raw.json`);
  if (existsSync(file)) return file;
  const plain = join(testCache(), 'dev.json');
  if (!existsSync(plain)) {
    writeFileSync(`${plain}.${process.pid}`, runNodeCommand(['export-chain-spec', '--chain', 'dev']));
    renameSync(`${plain}.${process.pid}`, plain);
  }
  // Edited as text: the spec's u128 balances do not survive JSON.parse (they become
  // floats). An endpoint is bytes, a JSON array of numbers; the preset's two are replaced.
  let spec = readFileSync(plain, 'utf8');
  const bytesArray = (text) => new RegExp(`\\[\\s*${[...Buffer.from(text)].join('\\s*,\\s*')}\\s*\\]`);
  ports.forEach((port, i) => {
    const preset = bytesArray(`http://127.0.0.1:${4001 + i}`);
    if (!preset.test(spec)) throw new Error(`the dev spec has no cluster endpoint http://127.0.0.1:${4001 + i}`);
    spec = spec.replace(preset, JSON.stringify([...Buffer.from(`http://127.0.0.1:${port}`)]));
  });
  const patched = join(testCache(), `dev-clusters-${ports.join('-')}.json`);
  writeFileSync(patched, spec);
  writeFileSync(`${file}.${process.pid}`, runNodeCommand(['export-chain-spec', '--chain', patched, '--raw']));
  renameSync(`${file}.${process.pid}`, file);
  return file;
}

/**
 * The arguments every test node gets besides its own: wasmtime's cache shared by the
 * test command's nodes (without it each node compiles the runtime, about 10 s of two
 * cores, before its RPC answers).
 */
export function sharedNodeArgs() {
  return [`--wasmtime-cache=${join(testCache(), 'wasmtime')}`];
}

/** Whether `port` can be listened on at 127.0.0.1 right now. */
function canListen(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Where `freePort` claims the ports it hands out: shared by every test process of one
 * test command (scripts/test.sh's run directory), so that no two of them, in any lane,
 * get the same port. A claim older than an hour (a run that ended) no longer counts.
 */
function portClaims() {
  const dir = join(process.env.PARATII_TEST_CACHE ?? join(tmpdir(), 'paratii-test-cache'), 'ports');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A TCP port nothing listens on, and that no other test of this run was given. Ports
 * come from 20000–32767, below Linux's ephemeral range (32768–60999), so an outgoing
 * connection never takes one between this call and the process that binds it, and each
 * is claimed with an exclusive file (`portClaims`) — the OS's `listen(0)` would hand the
 * same port to two test processes that ask at once.
 */
export async function freePort() {
  const dir = portClaims();
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const claim = join(dir, String(port));
    try {
      if (Date.now() - statSync(claim).mtimeMs < 3_600_000) continue;
      rmSync(claim, { force: true });
    } catch {
      // no claim yet
    }
    try {
      writeFileSync(claim, String(process.pid), { flag: 'wx' });
    } catch {
      continue; // claimed by another test process a moment ago
    }
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in 20000-32767 after 1000 tries (claims in ${dir})`);
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
 * Stops `child` (whose exit `exited` resolves with) with SIGINT, what Ctrl-C sends, and
 * SIGKILL if it has not exited within `timeoutMs`; resolves with its exit status.
 */
export async function stopChild(child, exited, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await exited;
  clearTimeout(timer);
  return status;
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

/**
 * Resolves with the exit status `{ code, signal }` of `child` (call it right after
 * spawning) once it has exited and its output streams are closed; if that takes longer
 * than `timeoutMs`, SIGKILLs it and rejects, naming it `what`.
 */
export function exitWithin(child, what, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${timeoutMs / 1000} s: killed it`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/**
 * One JSON-RPC call over HTTP; throws on an RPC error, and after `timeoutMs` if given (a
 * stopped process accepts the connection but never answers).
 */
export async function rpc(url, method, params = [], { timeoutMs } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
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
 * whose path is returned, so a failing test can point at it. A `--dev` node without a
 * `--chain` starts from the dev chain's raw spec (`rawChainSpec('dev')`: the genesis
 * `--dev` builds, without building it again); the node smoke tier starts plain `--dev`.
 */
export async function startNode({ args = ['--dev', '--tmp'], name = 'node', rawDevSpec = true, ownClusters = false } = {}) {
  // ownClusters: the dev chain with its two storage clusters on free ports of this node's
  // own (`clusterPorts`, which startStorage listens on), not on the preset's 4001/4002.
  const clusterPorts = ownClusters ? [await freePort(), await freePort()] : undefined;
  if (rawDevSpec && args.includes('--dev') && !args.includes('--chain')) {
    args = [...args, '--chain', clusterPorts ? devSpecWithClusters(clusterPorts) : rawChainSpec('dev')];
  }
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'paratii-e2e-'));
  const logPath = join(logDir, `${name}.log`);
  const log = createWriteStream(logPath);
  const startedAt = Date.now();
  const child = spawn(
    nodeBinary(),
    [...args, ...sharedNodeArgs(), '--rpc-port', String(rpcPort), '--port', String(p2pPort), '--no-prometheus', '--no-telemetry', '--no-mdns'],
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
    clusterPorts,
    startedAt,
    child,
    exited,
    /** Sends SIGINT (what Ctrl-C does) and resolves with the exit status. */
    stop: (timeoutMs = 30_000) => stopChild(child, exited, timeoutMs),
  };
}
