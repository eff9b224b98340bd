// Videos end to end: a 20-second 1280×720 clip with audio (made here by ffmpeg from
// lavfi sources) uploaded with the `paratii` CLI, transcoded into the 240p/480p/720p
// HLS ladder by a transcoder that is killed mid-job and resumed by another, registered
// and finalized; each rendition checked with ffprobe (size, keyframes at the same
// instants), the stream read whole by ffmpeg's own HLS client, a corrupted segment
// served from its replica, bad sources refused with nothing stored, and deletion
// removing every segment from the clusters.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { connect, devAccount, PTI, submitFinal } from '../lib/chain.mjs';
import { sessionToken } from '../lib/pti.mjs';
import { startNode, waitFor } from '../lib/node.mjs';
import {
  clusterFetch, metric, serviceBinary, startGateway, startStorage, startTranscoder,
} from '../lib/services.mjs';

const MAX_VIDEO_SECS = 30;
// A short preview, so that the 20-second clip has segments past it.
const PREVIEW_SECS = 8;
const sha256 = (bytes) => '0x' + createHash('sha256').update(bytes).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'paratii-video-'));

let node;
let api;
let gateway;
let transcoder;
const clusters = {}; // by cluster id
let owner; // { pair, mnemonic }
const video = {}; // the uploaded clip: { id, labels, manifests }

const cliArgs = () => ['--chain', node.ws, '--upload-url', gateway.upload, '--download-url', gateway.download];
function paratii(...args) {
  const out = spawnSync(serviceBinary('paratii'), [...cliArgs(), ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** Runs ffmpeg or ffprobe; throws with its error output if it fails. */
function ff(tool, args) {
  const quiet = tool === 'ffmpeg' ? ['-hide_banner', '-nostdin'] : ['-hide_banner'];
  const out = spawnSync(tool, [...quiet, ...args], { encoding: 'utf8', timeout: 300_000 });
  if (out.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${out.stderr}`);
  return out;
}

/** A test clip from lavfi sources: moving test pattern and a tone. */
function clip(name, { size = '1280x720', secs = 20, rate = 30 } = {}) {
  const path = join(work, name);
  ff('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${secs}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${secs}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path]);
  return path;
}

async function puts() {
  let n = 0;
  for (const c of Object.values(clusters)) n += await metric(c.url, 'paratii_storage_puts_total', { outcome: 'written' });
  return n;
}

const jobDirs = () => readdirSync(join(gateway.dataDir, 'jobs'));

before(async () => {
  node = await startNode({ name: 'video', ownClusters: true });
  api = await connect(node);
  for (const n of [1, 2]) {
    const c = await startStorage(node, n);
    clusters[Number((await (await fetch(`${c.url}/health`)).json()).cluster)] = c;
  }
  // Uploads and streaming in one process, transcoding in another (killed below); the
  // cache off, so every segment is fetched from the clusters and verified.
  gateway = await startGateway(node, {
    cacheBytes: 0, maxUploadBytes: 64 * 1024 * 1024,
    extra: ['--transcoders', '0', '--max-video-secs', String(MAX_VIDEO_SECS), '--preview-secs', String(PREVIEW_SECS),
      '--view-recorder-suri', '//Gateway', '--view-batch-secs', '1'],
  });
  transcoder = await startTranscoder(node, gateway);
  const mnemonic = mnemonicGenerate();
  const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonic);
  await submitFinal(api, api.tx.balances.transferKeepAlive(pair.address, 100n * PTI), devAccount('//Alice'));
  assert.equal((await submitFinal(api, api.tx.users.register('filmmaker', null), pair)).error, undefined);
  owner = { pair, mnemonic };
});

after(async () => {
  await transcoder?.stop();
  await gateway?.stop();
  for (const c of Object.values(clusters)) await c.stop();
  await api?.disconnect();
  await node?.stop();
});

test('a clip uploaded with the CLI is transcoded (its transcoder killed and resumed), registered and finalized', async () => {
  const file = clip('clip.mp4');
  const child = spawn(serviceBinary('paratii'), [...cliArgs(), 'upload', file, '--title', 'Test pattern at dawn',
    '--suri', owner.mnemonic, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));

  // The CLI names the job; the transcoder is killed once a part of the video is done.
  const job = await waitFor('the CLI to name its job', () => stderr.match(/\(job ([0-9a-f]{32})\)/)?.[1], { timeoutMs: 60_000 });
  const status = async () => (await fetch(`${gateway.upload}/jobs/${job}`)).json();
  await waitFor('the transcoding to pass 50 %', async () => {
    const s = await status();
    if (s.state === 'done' || s.state === 'failed') throw new Error(`the job ended before the kill: ${JSON.stringify(s)}`);
    return s.state === 'transcoding' && s.percent >= 50 && s;
  }, { timeoutMs: 120_000, intervalMs: 100 });
  await transcoder.kill();
  const stalled = await status();
  assert.equal(stalled.state, 'transcoding', 'the job waits for a transcoder');
  transcoder = await startTranscoder(node, gateway);

  let timer;
  const code = await Promise.race([exited, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the CLI did not finish: ${stderr}`)), 240_000);
  })]).finally(() => {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  assert.equal(code, 0, stderr);
  const done = await status();
  assert.equal(done.state, 'done');
  assert.ok(done.resumed_at_segment >= 1, `resumed after finished segments: ${JSON.stringify(done)}`);
  assert.match(readFileSync(transcoder.logPath, 'utf8'), /resuming .* at segment \d+/);

  const result = JSON.parse(stdout);
  const id = result.media_id;
  assert.equal(result.stream_url, `${gateway.download}/media/${id}/hls/master.m3u8`);
  assert.equal(result.proof.finalized, true);
  const kinds = result.proof.objects.map((o) => o.kind);
  assert.deepEqual(kinds[0], 'original');
  assert.ok(kinds.some((k) => k.thumbnail?.width === 320), JSON.stringify(kinds));
  const labels = kinds.filter((k) => k.transcoded).map((k) => k.transcoded.label);
  assert.deepEqual(labels, ['240p', '480p', '720p']);
  for (const object of result.proof.objects) {
    assert.deepEqual(object.clusters.map((c) => c.receipt), ['verified', 'verified'], JSON.stringify(object));
  }
  // Each manifest is committed by the record: its bytes hash to the registered hash.
  const record = (await api.call.mediaApi.media(id)).unwrap();
  video.manifests = {};
  for (const [index, object] of record.objects.entries()) {
    if (!object.kind.isTranscoded) continue;
    const bytes = Buffer.from(await (await fetch(`${gateway.download}/media/${id}/objects/${index}`)).arrayBuffer());
    assert.equal(sha256(bytes), object.contentHash.toHex());
    const manifest = JSON.parse(bytes);
    assert.equal(manifest.format, 'paratii/hls-rendition/v1');
    assert.ok(manifest.segments.length >= 5, `20 s in ~4 s segments: ${manifest.segments.length}`);
    // The resumed run's segments follow the first run's initialization section: one
    // timeline, one section.
    assert.equal(manifest.inits.length, 1, `${manifest.label}: ${JSON.stringify(manifest.inits)}`);
    video.manifests[manifest.label] = manifest;
  }
  Object.assign(video, { id, labels, original: result.proof.objects[0].content_hash });
});

test('each rendition has its size and keyframes at the same instants, and ffmpeg reads the HLS stream whole', () => {
  const { id, labels } = video;
  const sizes = { '240p': [426, 240], '480p': [854, 480], '720p': [1280, 720] };
  const keyframes = {};
  for (const label of labels) {
    const out = join(work, `${label}.mp4`);
    const down = paratii('download', String(id), '--rendition', label, '-o', out);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /every piece verified/);
    const stream = JSON.parse(ff('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries',
      'stream=width,height,codec_name', '-of', 'json', out]).stdout).streams[0];
    assert.deepEqual([stream.width, stream.height], sizes[label]);
    assert.equal(stream.codec_name, 'h264');
    // One line per keyframe (ffprobe adds a side-data column and blank lines to some).
    keyframes[label] = ff('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-skip_frame', 'nokey',
      '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', out]).stdout.split('\n')
      .map((l) => l.split(',')[0].trim()).filter(Boolean).map(Number);
  }
  const reference = keyframes['720p'];
  assert.ok(reference.length >= 5, JSON.stringify(reference));
  // Every four seconds from the first frame (x264's B-frames put it at 2 frames, 66 ms),
  // across the seam where the transcoder was resumed.
  reference.forEach((t, n) => assert.ok(Math.abs(t - reference[0] - n * 4) < 0.05, `keyframe ${n} at ${t} s`));
  // Every frame is there: 20 s at 30 frames per second.
  const frames = Number(ff('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries',
    'stream=nb_read_frames', '-of', 'csv=p=0', join(work, '720p.mp4')]).stdout.trim());
  assert.equal(frames, 600);
  for (const label of labels) {
    assert.equal(keyframes[label].length, reference.length, label);
    keyframes[label].forEach((t, n) => assert.ok(Math.abs(t - reference[n]) < 0.001, `${label} keyframe ${n}`));
  }
  // A real HLS client, every rendition (-map 0), to the end without an error.
  const read = ff('ffmpeg', ['-v', 'error', '-i', `${gateway.download}/media/${id}/hls/master.m3u8`, '-map', '0', '-f', 'null', '-']);
  assert.equal(read.stderr.trim(), '', read.stderr);
});

test('playback starts fast: master playlist to the first segment on a cold cache', async () => {
  const base = `${gateway.download}/media/${video.id}/hls`;
  const started = performance.now();
  const master = await (await fetch(`${base}/master.m3u8`)).text();
  assert.match(master, /#EXT-X-STREAM-INF:.*CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
  const variant = master.split('\n').find((l) => l.endsWith('index.m3u8'));
  const playlist = await (await fetch(`${base}/${variant}`)).text();
  const init = playlist.match(/#EXT-X-MAP:URI="([^"]+)"/)[1];
  const first = playlist.split('\n').find((l) => l.endsWith('.m4s'));
  const dir = variant.replace(/index\.m3u8$/, '');
  assert.equal((await fetch(`${base}/${dir}${init}`)).status, 200);
  const segment = await fetch(`${base}/${dir}${first}`);
  assert.equal(segment.status, 200);
  assert.equal(segment.headers.get('access-control-allow-origin'), '*');
  await segment.arrayBuffer();
  const ms = performance.now() - started;
  console.log(`master playlist → first segment: ${ms.toFixed(0)} ms (debug gateway, cache off)`);
  assert.ok(ms < 1500, `${ms} ms`);
});

test('a segment corrupted on one cluster is served from its replica', async () => {
  const { id, manifests } = video;
  const segment = manifests['720p'].segments[2];
  const [first] = segment.receipts.map((r) => r.cluster);
  const path = join(clusters[first].dataDir, 'objects', segment.sha256.slice(2, 4), segment.sha256.slice(2));
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(path, bytes);
  const mismatch = await metric(gateway.download, 'paratii_gateway_cluster_fallbacks_total', { reason: 'mismatch' });
  const res = await fetch(`${gateway.download}/media/${id}/hls/720p/2.m4s`);
  assert.equal(res.status, 200);
  assert.equal(sha256(Buffer.from(await res.arrayBuffer())), segment.sha256);
  assert.equal(await metric(gateway.download, 'paratii_gateway_cluster_fallbacks_total', { reason: 'mismatch' }), mismatch + 1);
  // A range of a segment is verified too (the whole segment was, before a byte went out).
  const range = await fetch(`${gateway.download}/media/${id}/hls/720p/2.m4s`, { headers: { range: 'bytes=0-99' } });
  assert.equal(range.status, 206);
  assert.equal((await range.arrayBuffer()).byteLength, 100);
});

test('a priced video is free for its preview; later segments need a session of its owner or a buyer; watching counts a view', async () => {
  const { id } = video;
  const alice = devAccount('//Alice');
  const genesis = gateway.genesis;
  const inAnHour = () => Date.now() + 3600_000;
  assert.equal((await submitFinal(api, api.tx.pti.setPrice(id, 5n * PTI), owner.pair)).error, undefined);
  const segment = (n, session) => fetch(`${gateway.download}/media/${id}/hls/240p/${n}.m4s`,
    session ? { headers: { 'x-paratii-session': session } } : {});
  // Segments 0 and 1 start before 8 s: the preview. Segment 2 starts at 8 s.
  await waitFor('the price to be final at the gateway', async () => (await segment(2)).status === 402, { timeoutMs: 30_000 });
  for (const n of [0, 1]) assert.equal((await segment(n)).status, 200, `segment ${n} is in the preview`);
  assert.equal((await fetch(`${gateway.download}/media/${id}/hls/master.m3u8`)).status, 200, 'playlists are free');
  assert.equal((await segment(2, sessionToken(alice, genesis, inAnHour()))).status, 403, 'not a buyer');
  const mine = await segment(2, sessionToken(owner.pair, genesis, inAnHour()));
  assert.equal(mine.status, 200);
  assert.match(mine.headers.get('cache-control'), /private/);
  // The owner watches the whole rendition in a session: one view.
  const session = sessionToken(owner.pair, genesis, inAnHour());
  const queued = await metric(gateway.download, 'paratii_gateway_views_total', { fate: 'queued' });
  const count = video.manifests['240p'].segments.length;
  for (let n = 0; n < count; n++) assert.equal((await segment(n, session)).status, 200);
  assert.equal(await metric(gateway.download, 'paratii_gateway_views_total', { fate: 'queued' }), queued + 1);
  assert.equal((await submitFinal(api, api.tx.pti.setPrice(id, null), owner.pair)).error, undefined);
});

test('a corrupt file and a too-long video are refused and nothing is stored', async () => {
  const before = await puts();
  const jobs = jobDirs().length;
  // A file that sniffs as MP4 (a real header) but is not a video.
  const corrupt = join(work, 'corrupt.mp4');
  writeFileSync(corrupt, Buffer.concat([readFileSync(join(work, 'clip.mp4')).subarray(0, 32), randomBytes(200_000)]));
  const bad = paratii('upload', corrupt, '--title', 'Broken', '--suri', owner.mnemonic);
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /not a video ffmpeg can read/);
  const long = paratii('upload', clip('long.mp4', { size: '160x120', secs: MAX_VIDEO_SECS + 10, rate: 10 }),
    '--title', 'Too long', '--suri', owner.mnemonic);
  assert.equal(long.code, 3, long.stderr);
  assert.match(long.stderr, new RegExp(`at most ${MAX_VIDEO_SECS} s`));
  assert.equal(await puts(), before, 'no object was stored');
  assert.equal(jobDirs().length, jobs, 'no job was made');
  assert.deepEqual(readdirSync(join(gateway.dataDir, 'uploads')), [], 'no staging file left');
});

test('deleting the video removes every segment from the clusters', async () => {
  const { id, manifests } = video;
  const pieces = Object.values(manifests).flatMap((m) => [...m.inits, ...m.segments]);
  const held = async () => {
    let n = 0;
    for (const piece of pieces) {
      for (const { cluster } of piece.receipts) {
        if ((await clusterFetch(clusters[cluster], 'HEAD', piece.sha256)).status === 200) n += 1;
      }
    }
    return n;
  };
  assert.equal(await held(), pieces.length * 2, 'every piece on its two clusters');
  const del = paratii('delete', String(id), '--suri', owner.mnemonic);
  assert.equal(del.code, 0, del.stderr);
  await waitFor('the clusters to delete every segment', async () => (await held()) === 0, { timeoutMs: 60_000 });
  assert.equal((await fetch(`${gateway.download}/media/${id}/hls/master.m3u8`)).status, 410);
  // Nor do the clusters keep the list of the original's parts.
  for (const c of Object.values(clusters)) {
    assert.ok(!existsSync(join(c.dataDir, 'parts', video.original.slice(2))), `cluster ${c.cluster}`);
  }
});
