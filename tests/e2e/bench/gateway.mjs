// Benchmark of the media services on loopback (not a test: it measures and prints).
//
// 1. Download throughput of a 64 MiB file from the gateway's download role, next to
//    nginx serving the same file from disk: sequential single downloads and 8 at once,
//    with curl. The gateway's first download fetches from a cluster and verifies the
//    SHA-256 ("cold"); later ones are served from its verified cache.
// 2. Upload → finalized proof latency over 20 uploads of a 1600×900 picture: upload
//    (hash, thumbnails, 2 replicas each), the owner signs registerMedia, and the
//    proof answers `finalized: true`.
//
// Run through scripts/bench-gateway.sh, which builds what it needs.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, devAccount, findEvent, submit } from '../lib/chain.mjs';
import { finalizedNumber, freePort, startNode, waitFor } from '../lib/node.mjs';
import { png, startGateway, startStorage, upload } from '../lib/services.mjs';

const SIZE = 64 * 1024 * 1024;
const RUNS = 10;
const UPLOADS = Number(process.env.UPLOADS ?? 20);
const work = mkdtempSync(join(tmpdir(), 'paratii-bench-'));
const say = (m) => console.error(`==> ${m}`);
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const mib = (bytesPerSec) => (bytesPerSec / 1024 / 1024).toFixed(0);

/** curl's download speed (bytes/s) for one GET of `url`. */
function curlSpeed(url) {
  return Number(execFileSync('curl', ['-sf', '-o', '/dev/null', '-w', '%{speed_download}', url], { encoding: 'utf8' }));
}

/** Aggregate bytes/s of `n` concurrent GETs of `url`. */
async function parallel(url, n) {
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const c = spawn('curl', ['-sf', '-o', '/dev/null', url]);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited ${code}`))));
  })));
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return (n * SIZE) / secs;
}

async function startNginx(dir) {
  const port = await freePort();
  const prefix = join(work, 'nginx');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, `daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${port}; root ${dir}; } }
`);
  const child = spawn('nginx', ['-c', conf, '-p', prefix], { stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('nginx', async () => (await fetch(`${url}/`)).status < 500);
  return { url, stop: () => child.kill('SIGQUIT') };
}

const node = await startNode({ name: 'bench' });
const api = await connect(node);
const clusters = [await startStorage(node, 1), await startStorage(node, 2)];
const gateway = await startGateway(node);
const alice = devAccount('//Alice');

async function registerFinal(body) {
  const { events, error, blockHash } = await submit(api, api.tx(api.createType('Call', body.call)), alice);
  if (error) throw new Error(`registerMedia failed: ${JSON.stringify(error)}`);
  const number = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  await waitFor(`block #${number} final`, async () => (await finalizedNumber(node.http)) >= number, { intervalMs: 100 });
  return findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
}

try {
  // --- 64 MiB download throughput ---
  say(`uploading a ${SIZE / 1024 / 1024} MiB video`);
  const file = Buffer.concat([Buffer.from('000000186674797069736f6d', 'hex'), randomBytes(SIZE - 12)]);
  const dir = join(work, 'www');
  mkdirSync(dir);
  writeFileSync(join(dir, 'video.mp4'), file);
  // nginx's workers run as an unprivileged user: let them read the file.
  chmodSync(work, 0o755);
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'video.mp4'), 0o644);
  const up = await upload(gateway, { file, title: 'bench video', owner: alice, filename: 'video.mp4' });
  if (up.status !== 201) throw new Error(`upload: ${up.status} ${JSON.stringify(up.body)}`);
  const id = await registerFinal(up.body);
  const nginx = await startNginx(dir);
  process.on('exit', () => nginx.stop());
  const gw = `${gateway.download}/media/${id}`;
  say('downloading: gateway cold (fetch from a cluster + verify), then warm, then nginx');
  const cold = curlSpeed(gw);
  const gwRuns = Array.from({ length: RUNS }, () => curlSpeed(gw));
  const ngRuns = Array.from({ length: RUNS }, () => curlSpeed(`${nginx.url}/video.mp4`));
  const gwParallel = await parallel(gw, 8);
  const ngParallel = await parallel(`${nginx.url}/video.mp4`, 8);
  nginx.stop();

  // --- upload → finalized proof latency ---
  const latencies = [];
  const uploadParts = [];
  for (let i = 0; i < UPLOADS; i++) {
    const picture = png(1600, 900);
    const t0 = performance.now();
    const res = await upload(gateway, { file: picture, title: `bench ${i}`, owner: alice });
    if (res.status !== 201) throw new Error(`upload ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    const t1 = performance.now();
    const media = await registerFinal(res.body);
    const proof = await (await fetch(`${gateway.download}/media/${media}/proof`)).json();
    if (!proof.finalized) throw new Error('proof not final');
    latencies.push(performance.now() - t0);
    uploadParts.push(t1 - t0);
    say(`upload ${i + 1}/${UPLOADS}: ${(latencies.at(-1) / 1000).toFixed(2)} s to a finalized proof`);
  }

  const table = [
    ['64 MiB download, one at a time (median of 10)', `gateway ${mib(quantile(gwRuns, 0.5))} MiB/s`, `nginx ${mib(quantile(ngRuns, 0.5))} MiB/s`],
    ['64 MiB download, 8 at once (aggregate)', `gateway ${mib(gwParallel)} MiB/s`, `nginx ${mib(ngParallel)} MiB/s`],
    ['64 MiB download, gateway cache cold (fetch + verify)', `gateway ${mib(cold)} MiB/s`, ''],
    [`upload → finalized proof (${UPLOADS} uploads, 1600×900 PNG)`, `p50 ${(quantile(latencies, 0.5) / 1000).toFixed(2)} s`, `p90 ${(quantile(latencies, 0.9) / 1000).toFixed(2)} s`],
    ['  of which the upload itself (hash, 2 thumbnails, 3 objects × 2 clusters)', `p50 ${quantile(uploadParts, 0.5).toFixed(0)} ms`, `p90 ${quantile(uploadParts, 0.9).toFixed(0)} ms`],
  ];
  console.log(`\nParatii gateway benchmark, ${new Date().toISOString().slice(0, 10)}, loopback, debug build\n`);
  for (const row of table) console.log(`| ${row.join(' | ')} |`);
  writeFileSync(join(work, 'result.json'), JSON.stringify({ cold, gwRuns, ngRuns, gwParallel, ngParallel, latencies, uploadParts }, null, 1));
  console.log(`\nraw figures: ${join(work, 'result.json')}`);
} finally {
  await gateway.stop();
  for (const c of clusters) await c.stop();
  await api.disconnect();
  await node.stop();
}
