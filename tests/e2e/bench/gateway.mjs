// Benchmark of the media services on loopback (not a test: it measures and prints).
//
// 1. Download throughput of a 64 MiB file from the gateway's download role, next to
//    nginx serving the same file from disk: sequential single downloads and 8 at once,
//    with curl, served from the gateway's verified cache.
// 2. Cold downloads: ten other 8 MiB files, each downloaded once (streamed from a
//    cluster, each MiB verified against the chain's chunk hashes as it comes): time to
//    the first byte and throughput.
// 3. Slowloris: 1,000 connections sending their headers a byte a second (reopened when
//    the gateway drops them at its header timeout) while a picture is downloaded 20
//    times; its latency next to the same downloads idle.
// 4. Upload → finalized proof latency over 20 uploads of a 1600×900 picture: upload
//    (hash, thumbnails, 2 replicas each), the owner signs registerMedia, and the
//    proof answers `finalized: true`.
//
// Run through scripts/bench-gateway.sh, which builds what it needs (the services with
// the release profile: PARATII_SERVICES_PROFILE=release).
import { execFileSync, spawn } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** curl's seconds to the first byte and bytes/s for one GET of `url`. */
function curlTimes(url) {
  const body = join(work, 'answer');
  const out = execFileSync('curl', ['-s', '-o', body, '-w', '%{http_code} %{time_starttransfer} %{speed_download} %{time_total}', url], { encoding: 'utf8' });
  const [status, ttfb, speed, total] = out.split(' ').map(Number);
  if (status !== 200) throw new Error(`${url} answered ${status}: ${readFileSync(body, 'utf8').slice(0, 300)}`);
  return { ttfb, speed, total };
}

/**
 * `n` slowloris connections to `url`'s host: each sends a request line and then one
 * header byte a second, and is opened again when the server closes it. Returns
 * `{ stop(), reopened() }`.
 */
function slowloris(url, n) {
  const { hostname, port } = new URL(url);
  let stopped = false;
  let reopened = 0;
  const sockets = new Set();
  const open = () => {
    if (stopped) return;
    const socket = tcpConnect({ host: hostname, port: Number(port) });
    sockets.add(socket);
    let timer;
    socket.on('connect', () => {
      socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\n`);
      timer = setInterval(() => socket.write('X'), 1000);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
      if (!stopped) {
        reopened++;
        setImmediate(open);
      }
    });
  };
  for (let i = 0; i < n; i++) open();
  return {
    open: () => sockets.size,
    reopened: () => reopened,
    stop: () => {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
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
const profile = process.env.PARATII_SERVICES_PROFILE ?? 'debug';
const alice = devAccount('//Alice');

/** Registers an upload (in a block); `{ id, number }`. */
async function register(body) {
  const { events, error, blockHash } = await submit(api, api.tx(api.createType('Call', body.call)), alice);
  if (error) throw new Error(`registerMedia failed: ${JSON.stringify(error)}`);
  const number = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  return { id: findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber(), number };
}

/** Registers an upload and waits until the gateway's downloads see it final. */
async function registerFinal(body) {
  const { id, number } = await register(body);
  await waitFor(`block #${number} final`, async () => (await finalizedNumber(node.http)) >= number, { intervalMs: 100 });
  await gateway.follows(number);
  return id;
}

try {
  // --- 64 MiB download throughput ---
  // A GIF is stored as it is (no thumbnails, no transcoding): the bytes are random.
  say(`uploading a ${SIZE / 1024 / 1024} MiB file`);
  const file = Buffer.concat([Buffer.from('GIF89a'), randomBytes(SIZE - 6)]);
  const dir = join(work, 'www');
  mkdirSync(dir);
  writeFileSync(join(dir, 'big.gif'), file);
  // nginx's workers run as an unprivileged user: let them read the file.
  chmodSync(work, 0o755);
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'big.gif'), 0o644);
  const up = await upload(gateway, { file, title: 'bench file', owner: alice, filename: 'big.gif' });
  if (up.status !== 201) throw new Error(`upload: ${up.status} ${JSON.stringify(up.body)}`);
  const id = await registerFinal(up.body);
  const nginx = await startNginx(dir);
  process.on('exit', () => nginx.stop());
  const gw = `${gateway.download}/media/${id}`;
  say('downloading: the gateway (its first download fills the cache), then nginx');
  curlSpeed(gw);
  const gwRuns = Array.from({ length: RUNS }, () => curlSpeed(gw));
  const ngRuns = Array.from({ length: RUNS }, () => curlSpeed(`${nginx.url}/big.gif`));
  const gwParallel = await parallel(gw, 8);
  const ngParallel = await parallel(`${nginx.url}/big.gif`, 8);
  nginx.stop();

  say(`uploading ${RUNS} other 8 MiB files, then downloading each once (cold)`);
  const others = [];
  for (let i = 0; i < RUNS; i++) {
    const other = Buffer.concat([Buffer.from('GIF89a'), randomBytes(8 * 1024 * 1024 - 6)]);
    const res = await upload(gateway, { file: other, title: `cold ${i}`, owner: alice, filename: 'cold.gif' });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    others.push(await register(res.body));
  }
  const last = others.at(-1).number;
  await waitFor(`block #${last} final`, async () => (await finalizedNumber(node.http)) >= last, { intervalMs: 100 });
  await gateway.follows(last);
  const coldRuns = others.map(({ id: other }) => curlTimes(`${gateway.download}/media/${other}`));

  say('slowloris: a picture downloaded 20 times idle, then beside 1,000 slow connections');
  const picture = await upload(gateway, { file: png(1600, 900), title: 'bench picture', owner: alice });
  const pictureUrl = `${gateway.download}/media/${await registerFinal(picture.body)}`;
  const latencies20 = () => Array.from({ length: 20 }, () => curlTimes(pictureUrl).total * 1000);
  latencies20(); // warm the cache
  const idle = latencies20();
  const loris = slowloris(gateway.download, 1000);
  await waitFor('1,000 slow connections open', async () => loris.open() >= 1000, { intervalMs: 100 });
  // Past one header timeout (10 s): the gateway has dropped and they reopened.
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  const underAttack = [];
  for (let i = 0; i < 20; i++) {
    underAttack.push(curlTimes(pictureUrl).total * 1000);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const stillOpen = loris.open();
  const reopened = loris.reopened();
  loris.stop();

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
    ['8 MiB download, cache cold: time to the first byte (median, p90 of 10 files)', `${(quantile(coldRuns.map((r) => r.ttfb), 0.5) * 1000).toFixed(1)} ms`, `${(quantile(coldRuns.map((r) => r.ttfb), 0.9) * 1000).toFixed(1)} ms`],
    ['8 MiB download, cache cold: throughput (median of 10 files)', `gateway ${mib(quantile(coldRuns.map((r) => r.speed), 0.5))} MiB/s`, ''],
    ['a 686 KB picture, 20 downloads idle (median, p90)', `${quantile(idle, 0.5).toFixed(1)} ms`, `${quantile(idle, 0.9).toFixed(1)} ms`],
    [`the same beside 1,000 slowloris connections (${stillOpen} open, ${reopened} reopened after the header timeout)`, `${quantile(underAttack, 0.5).toFixed(1)} ms`, `${quantile(underAttack, 0.9).toFixed(1)} ms`],
    [`upload → finalized proof (${UPLOADS} uploads, 1600×900 PNG)`, `p50 ${(quantile(latencies, 0.5) / 1000).toFixed(2)} s`, `p90 ${(quantile(latencies, 0.9) / 1000).toFixed(2)} s`],
    ['  of which the upload itself (hash, 2 thumbnails, 3 objects × 2 clusters)', `p50 ${quantile(uploadParts, 0.5).toFixed(0)} ms`, `p90 ${quantile(uploadParts, 0.9).toFixed(0)} ms`],
  ];
  console.log(`\nParatii gateway benchmark, ${new Date().toISOString().slice(0, 10)}, loopback, ${profile} build of the services\n`);
  for (const row of table) console.log(`| ${row.join(' | ')} |`);
  writeFileSync(join(work, 'result.json'), JSON.stringify({ coldRuns, gwRuns, ngRuns, gwParallel, ngParallel, idle, underAttack, latencies, uploadParts }, null, 1));
  console.log(`\nraw figures: ${join(work, 'result.json')}`);
} finally {
  await gateway.stop();
  for (const c of clusters) await c.stop();
  await api.disconnect();
  await node.stop();
}
