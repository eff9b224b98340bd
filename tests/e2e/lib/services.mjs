// Starts the off-chain services (storage cluster nodes, the gateway, a local S3
// server) as real processes for the end-to-end tests, and makes test pictures.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { Keyring } from '@polkadot/api';
import { compactAddLength, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { freePort, killUnlessReady, stopChild, waitFor } from './node.mjs';

/** The dev gateway's key: it signs the gateway's requests to the storage clusters. */
export const GATEWAY_SURI = '//Gateway';
let gatewayPair;
/** The dev gateway's sr25519 pair (its account is also the dev view recorder). */
export function gatewayKey() {
  gatewayPair ??= new Keyring({ type: 'sr25519' }).addFromUri(GATEWAY_SURI);
  return gatewayPair;
}

/** The genesis hash of the chain at `node` (its JSON-RPC answers HTTP on the same port). */
export async function genesisOf(node) {
  const res = await fetch(node.ws.replace(/^ws/, 'http'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain_getBlockHash', params: [0] }),
  });
  return hexToU8a((await res.json()).result);
}

const u64le = (v) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
};

/**
 * The headers that sign a request to a storage cluster as a gateway it trusts
 * (paratii_client::signed::gateway_request_message): `method path`, for `owner` on a PUT.
 */
export function gatewayHeaders(genesis, method, path, { owner, signer = gatewayKey(), expiresIn = 60_000 } = {}) {
  const expires = Date.now() + expiresIn;
  const message = u8aConcat(stringToU8a('paratii/cluster/v1'), genesis,
    compactAddLength(stringToU8a(method)), compactAddLength(stringToU8a(path)),
    owner ? u8aConcat([1], decodeAddress(owner)) : [0], u64le(expires));
  return {
    'x-paratii-gateway': u8aToHex(signer.publicKey),
    'x-paratii-expires': String(expires),
    'x-paratii-signature': u8aToHex(signer.sign(message)),
  };
}

/**
 * A request to a storage cluster's `/objects/{hash}` signed as the dev gateway (or
 * `signer`; `unsigned: true` sends none). `cluster` is what startStorage returned.
 */
export function clusterFetch(cluster, method, hash, { owner, body, signer, unsigned, headers = {}, expiresIn } = {}) {
  const path = `/objects/${hash.replace(/^0x/, '')}`;
  const signed = unsigned ? {} : gatewayHeaders(cluster.genesis, method, path, { owner, signer, expiresIn });
  return fetch(`${cluster.url}${path}`, {
    method,
    body,
    headers: { ...(owner ? { 'x-paratii-owner': owner } : {}), ...signed, ...headers },
  });
}

/**
 * A binary the test command built (target dir of scripts/lib.sh); the release build's
 * with `PARATII_SERVICES_PROFILE=release` (the benchmarks).
 */
export function serviceBinary(name, profile = process.env.PARATII_SERVICES_PROFILE ?? 'debug') {
  const bin = join(process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/paratii/target'), profile, name);
  if (!existsSync(bin)) throw new Error(`${name} not found at ${bin}: run scripts/test.sh (it builds it)`);
  return bin;
}

/**
 * Runs a service binary with `args`, logging to a file, until `ready(logPath)` answers. Returns
 * `{ child, logPath, stop(), kill() }`.
 */
export async function startProcess(name, bin, args, ready, env = {}) {
  const logDir = mkdtempSync(join(tmpdir(), `paratii-${name}-`));
  const logPath = join(logDir, `${name}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await killUnlessReady(child, Promise.race([
    waitFor(`${name} to be ready (log: ${logPath})`, () => ready(logPath), { timeoutMs: 120_000 }),
    exited.then(({ code, signal }) => {
      throw new Error(`${name} exited early (code ${code}, signal ${signal}); log: ${logPath}`);
    }),
  ]));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    logPath,
    exited,
    running,
    stop: (timeoutMs = 10_000) => stopChild(child, exited, timeoutMs),
    /** SIGKILL: the process dies as in a crash. */
    async kill() {
      if (!running()) return exited;
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Whether something listens on 127.0.0.1:`port` (a fetch gets any answer). */
async function answers(url) {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `paratii-storage` for one of the dev preset's clusters: `//Cluster1` (run by
 * //Eve) or `//Cluster2` (//Ferdie), listening where `node`'s chain registers it: the
 * node's own free ports (`startNode({ ownClusters: true })`), else the dev chain spec's
 * http://127.0.0.1:4001 and :4002.
 */
export async function startStorage(node, cluster, { backend = 'fs', s3, dataDir, heartbeatSecs = 300, extra = [] } = {}) {
  const { suri, operator } = DEV_CLUSTERS[cluster];
  const port = node.clusterPorts?.[cluster - 1] ?? DEV_CLUSTERS[cluster].port;
  const url = `http://127.0.0.1:${port}`;
  if (await answers(`${url}/health`)) throw new Error(`port ${port} is busy: stop whatever listens there (scripts/dev.sh?)`);
  dataDir ??= mkdtempSync(join(tmpdir(), `paratii-storage-${cluster}-`));
  await cryptoWaitReady();
  const args = [
    '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--chain', node.ws,
    '--cluster-suri', suri, '--operator-suri', operator, '--heartbeat-secs', String(heartbeatSecs),
    '--backend', backend, '--trusted-gateway', u8aToHex(gatewayKey().publicKey), ...extra,
  ];
  const env = {};
  if (backend === 's3') {
    args.push('--s3-bucket', s3.bucket, '--s3-endpoint', s3.endpoint);
    Object.assign(env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  }
  const proc = await startProcess(`storage-${cluster}`, serviceBinary('paratii-storage'), args,
    async () => (await fetch(`${url}/health`)).ok, env);
  return { ...proc, url, dataDir, cluster, genesis: await genesisOf(node) };
}

export const DEV_CLUSTERS = {
  1: { id: 0, port: 4001, suri: '//Cluster1', operator: '//Eve' },
  2: { id: 1, port: 4002, suri: '//Cluster2', operator: '//Ferdie' },
};

/** Starts `paratii-gateway` (both roles) on free ports. */
export async function startGateway(node, { maxUploadBytes, cacheBytes, extra = [], web } = {}) {
  const uploadPort = await freePort();
  const downloadPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'paratii-gateway-'));
  const args = [
    '--chain', node.ws, '--upload-listen', `127.0.0.1:${uploadPort}`,
    '--download-listen', `127.0.0.1:${downloadPort}`, '--data-dir', dataDir,
    '--gateway-suri', GATEWAY_SURI, '--ad-public-url', `http://127.0.0.1:${downloadPort}`, ...extra,
  ];
  if (maxUploadBytes !== undefined) args.push('--max-upload-bytes', String(maxUploadBytes));
  if (cacheBytes !== undefined) args.push('--cache-bytes', String(cacheBytes));
  const upload = `http://127.0.0.1:${uploadPort}`;
  const download = `http://127.0.0.1:${downloadPort}`;
  // The web player (`web: { dir, indexer, adValidators }`): served on a port of its own,
  // told where the services are, with the development accounts offered.
  let webUrl;
  if (web) {
    const webPort = await freePort();
    webUrl = `http://127.0.0.1:${webPort}`;
    args.push('--web-dir', web.dir, '--web-listen', `127.0.0.1:${webPort}`, '--web-upload-url', upload,
      '--web-download-url', download, '--web-indexer-url', web.indexer, '--web-chain-url', node.ws, '--web-dev-accounts',
      ...(web.adValidators ?? []).flatMap((v) => ['--web-ad-validator', v]));
  }
  const proc = await startProcess('gateway', serviceBinary('paratii-gateway'), args,
    async () => (await fetch(`${upload}/health`)).ok && (await fetch(`${download}/health`)).ok &&
      (!webUrl || (await fetch(`${webUrl}/config.json`)).ok));
  // Downloads read the chain at the finalized block the gateway has followed, a moment
  // behind the node's: `follows(n)` resolves once a change finalized in block `n` (a
  // price, a deletion) applies to them.
  const follows = (n) => waitFor(`the gateway to follow finalized block #${n}`, async () =>
    Number((await (await fetch(`${download}/health`)).json()).followed_block) >= n);
  return { ...proc, upload, download, web: webUrl, dataDir, genesis: await genesisOf(node), follows };
}

/** paratii-indexer on a free port, following `node`, with its index in `dataDir`. */
export async function startIndexer(node, dataDir = mkdtempSync(join(tmpdir(), 'paratii-indexer-'))) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess('indexer', serviceBinary('paratii-indexer'),
    ['--chain', node.ws, '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
    async () => (await fetch(`${url}/health`)).ok);
  return { ...proc, url, dataDir };
}

export async function startTranscoder(node, gateway) {
  const args = ['--role', 'transcode', '--chain', node.ws, '--data-dir', gateway.dataDir, '--gateway-suri', GATEWAY_SURI];
  return startProcess('transcoder', serviceBinary('paratii-gateway'), args,
    async (logPath) => existsSync(logPath) && readFileSync(logPath, 'utf8').includes('waiting for video jobs'));
}

/**
 * Starts a local S3 server (moto, from PyPI; scripts/test.sh installs it) with the
 * given buckets.
 */
export async function startS3(buckets) {
  // scripts/test.sh names the Python that has moto (a virtual environment where the
  // system's refuses pip installs).
  const python = process.env.PARATII_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import moto.server'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`moto is not installed (pip install "moto[server]"): ${probe.stderr}`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = await startProcess('s3', python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    async () => (await fetch(endpoint)).status < 500);
  for (const bucket of buckets) {
    const res = await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
    if (!res.ok) throw new Error(`creating bucket ${bucket}: ${res.status} ${await res.text()}`);
  }
  return { ...proc, endpoint };
}

/** A PNG of `width` × `height` pixels (a gradient with a seed, so every call differs). */
export function png(width, height, seed = Math.floor(Math.random() * 2 ** 31)) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])) >>> 0, 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x + seed) & 0xff;
      raw[row + 2 + x * 3] = (y + (seed >> 8)) & 0xff;
      raw[row + 3 + x * 3] = (x ^ y ^ (seed >> 16)) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** POSTs a multipart upload to the gateway; resolves with `{ status, body }`. */
/**
 * `POST /uploads`. `owner` is a keyring pair, which signs the file's hash
 * (paratii_client::signed::upload_message; `wrap: true` signs it wrapped in
 * `<Bytes>…</Bytes>` as a browser wallet does), or an address, which sends no signature;
 * `signer` signs in the owner's place (a forgery).
 */
/**
 * `signer`'s upload signature of `file` (its SHA-256) for `gateway`'s chain, valid ten
 * minutes; `wrap` signs it as the polkadot.js extension's signRaw does.
 */
export function signUpload(gateway, signer, file, { wrap = false } = {}) {
  const expires = Date.now() + 10 * 60_000;
  const hash = createHash('sha256').update(file).digest();
  let message = u8aConcat(stringToU8a('paratii/upload/v1'), gateway.genesis, hash, u64le(expires));
  if (wrap) message = u8aConcat(stringToU8a('<Bytes>'), message, stringToU8a('</Bytes>'));
  return { expires, signature: u8aToHex(signer.sign(message)), sha256: hash.toString('hex') };
}

export async function upload(gateway, { file, title, owner, signer, wrap, location, capturedAt, filename = 'upload.bin' }) {
  const form = new FormData();
  if (title !== undefined) form.append('title', title);
  const address = typeof owner === 'string' ? owner : owner?.address;
  if (address !== undefined) form.append('owner', address);
  signer ??= typeof owner === 'string' ? undefined : owner;
  if (signer && file !== undefined) {
    const { expires, signature } = signUpload(gateway, signer, file, { wrap });
    form.append('expires', String(expires));
    form.append('signature', signature);
  }
  if (location !== undefined) form.append('location', location);
  if (capturedAt !== undefined) form.append('captured_at', String(capturedAt));
  if (file !== undefined) form.append('file', new Blob([file]), filename);
  const res = await fetch(`${gateway.upload}/uploads`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

/** The value of a Prometheus counter or gauge (summing label sets that match `labels`). */
export async function metric(url, name, labels = {}) {
  // A kept-alive connection the service closed while idle (its header timeout) fails
  // the first request sent on it: asked once more, on a new one.
  const scrape = () => fetch(`${url}/metrics`).then((r) => r.text());
  const text = await scrape().catch(scrape);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = line.match(/^([a-z_]+)(\{([^}]*)\})? ([0-9.e+-]+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries((m[3] ?? '').split(',').filter(Boolean).map((kv) => {
      const [k, v] = kv.split('=');
      return [k, v.replace(/"/g, '')];
    }));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[4]);
  }
  return total;
}
