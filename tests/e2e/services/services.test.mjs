// The media services end to end: a dev node, two storage cluster nodes (the dev
// preset's //Cluster1 and //Cluster2), the gateway's upload and download roles, the
// `paratii` CLI, and polkadot.js as the owner's wallet. Upload → thumbnails and
// receipts → the owner signs registerMedia → proof after finality → download by id
// and by CID (Range too) → a dead cluster and a lying cluster → deletion → refusals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { connect, devAccount, findEvent, PTI, submit, submitFinal } from '../lib/chain.mjs';
import { startNode, waitFor } from '../lib/node.mjs';
import {
  clusterFetch, metric, png, serviceBinary, signUpload, startGateway, startStorage, upload,
} from '../lib/services.mjs';
import { storedReceipt } from '../lib/receipts.mjs';

const MAX_UPLOAD = 2 * 1024 * 1024;
const sha256 = (bytes) => '0x' + createHash('sha256').update(bytes).digest('hex');
const alice = devAccount('//Alice');

let node;
let api;
let gateway;
const clusters = {}; // by cluster id
let owner; // a fresh account: { pair, mnemonic }
const work = mkdtempSync(join(tmpdir(), 'paratii-services-'));
const uploaded = {}; // the first test's upload: { id, bytes, body }

function paratii(...args) {
  const out = spawnSync(serviceBinary('paratii'), [
    '--chain', node.ws, '--upload-url', gateway.upload, '--download-url', gateway.download, ...args,
  ], { encoding: 'utf8', timeout: 180_000 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

async function freshUser(name) {
  const mnemonic = mnemonicGenerate();
  const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonic);
  await submitFinal(api, api.tx.balances.transferKeepAlive(pair.address, 100n * PTI), alice);
  if (name) {
    const { error } = await submitFinal(api, api.tx.users.register(name, null), pair);
    assert.equal(error, undefined);
  }
  return { pair, mnemonic };
}

before(async () => {
  node = await startNode({ name: 'services', ownClusters: true });
  api = await connect(node);
  for (const n of [1, 2]) {
    const c = await startStorage(node, n);
    const id = Number((await (await fetch(`${c.url}/health`)).json()).cluster);
    clusters[id] = c;
  }
  // Cache off: every download is fetched from the clusters and verified.
  gateway = await startGateway(node, { maxUploadBytes: MAX_UPLOAD, cacheBytes: 0 });
  owner = await freshUser('photographer');
});

after(async () => {
  await gateway?.stop();
  for (const c of Object.values(clusters)) await c.stop();
  await api?.disconnect();
  await node?.stop();
});

test('an uploaded picture gets thumbnails, is stored on two clusters and registered by its owner', async () => {
  const bytes = png(1600, 900);
  const capturedAt = Date.UTC(2026, 5, 1);
  const { status, body } = await upload(gateway, {
    // Signed as the polkadot.js extension's signRaw does: wrapped in <Bytes>…</Bytes>.
    file: bytes, title: 'Sunset over Lisbon', owner: owner.pair, wrap: true, location: '38.7223,-9.1393', capturedAt,
  });
  assert.equal(status, 201, JSON.stringify(body));
  assert.equal(body.content_hash, sha256(bytes));
  assert.match(body.cid, /^bafkrei/);
  assert.deepEqual(body.objects.map((o) => o.kind), [
    'original', { thumbnail: { width: 320, height: 180 } }, { thumbnail: { width: 1280, height: 720 } },
  ]);
  assert.equal(body.objects[0].content_type, 'image/png');
  for (const object of body.objects) {
    assert.equal(object.receipts.length, 2);
    assert.notEqual(object.receipts[0].cluster, object.receipts[1].cluster);
    for (const { cluster } of object.receipts) {
      const head = await clusterFetch(clusters[cluster], 'HEAD', object.content_hash);
      assert.equal(head.status, 200, `cluster ${cluster} holds ${object.kind}`);
    }
  }

  // The owner signs the gateway's call with their own wallet.
  const call = api.createType('Call', body.call);
  assert.equal(`${call.section}.${call.method}`, 'media.registerMedia');
  const { events, error } = await submitFinal(api, api.tx(call), owner.pair);
  assert.equal(error, undefined);
  const id = findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
  Object.assign(uploaded, { id, bytes, body });

  // The gateway follows finality on its own subscription, a moment after the client's.
  const proof = await waitFor('the gateway\'s proof finalized', async () => {
    const p = await (await fetch(`${gateway.download}/media/${id}/proof`)).json();
    return p.finalized && p;
  }, { timeoutMs: 30_000 });
  const onChain = (await api.call.mediaApi.proofOfExistence(body.content_hash)).unwrap();
  assert.equal(proof.media_id, onChain.mediaId.toNumber());
  assert.equal(proof.owner, owner.pair.address);
  assert.equal(onChain.owner.toString(), owner.pair.address);
  assert.equal(proof.block_number, onChain.blockNumber.toNumber());
  assert.equal(proof.timestamp, onChain.timestamp.toNumber());
  assert.equal(proof.finalized, true);
  assert.equal(proof.status, 'active');
  assert.equal(proof.title, 'Sunset over Lisbon');
  assert.deepEqual(proof.objects[0].clusters.map((c) => c.cluster).sort(), onChain.clusters.map((c) => c.toNumber()).sort());
  for (const object of proof.objects) {
    assert.deepEqual(object.clusters.map((c) => c.receipt), ['verified', 'verified']);
  }
  // A page asking again within the same block gets the proof built once: five requests
  // in a row (well under a second) span at most two best blocks.
  const before = await metric(gateway.download, 'paratii_gateway_proofs_total', { source: 'chain' });
  for (let i = 0; i < 5; i++) {
    assert.equal((await (await fetch(`${gateway.download}/media/${id}/proof`)).json()).media_id, id);
  }
  assert.ok(await metric(gateway.download, 'paratii_gateway_proofs_total', { source: 'chain' }) - before <= 2);
  assert.ok(await metric(gateway.download, 'paratii_gateway_proofs_total', { source: 'cache' }) >= 3);
});

test('downloads by id and by CID are byte-equal to the upload, with Range and the right headers', async () => {
  const { id, bytes, body } = uploaded;
  const byId = await fetch(`${gateway.download}/media/${id}`);
  assert.equal(byId.status, 200);
  assert.equal(byId.headers.get('content-type'), 'image/png');
  assert.equal(byId.headers.get('etag'), `"${body.cid}"`);
  assert.match(byId.headers.get('cache-control'), /immutable/);
  assert.deepEqual(Buffer.from(await byId.arrayBuffer()), bytes);
  const byCid = await fetch(`${gateway.download}/ipfs/${body.cid}`);
  assert.deepEqual(Buffer.from(await byCid.arrayBuffer()), bytes);
  // The trustless-gateway form: the raw block (for a raw CID, the bytes themselves).
  for (const [query, headers] of [['', { accept: 'application/vnd.ipld.raw' }], ['?format=raw', {}]]) {
    const block = await fetch(`${gateway.download}/ipfs/${body.cid}${query}`, { headers });
    assert.equal(block.headers.get('content-type'), 'application/vnd.ipld.raw');
    assert.deepEqual(Buffer.from(await block.arrayBuffer()), bytes);
  }
  const range = await fetch(`${gateway.download}/media/${id}`, { headers: { range: 'bytes=100-1099' } });
  assert.equal(range.status, 206);
  assert.equal(range.headers.get('content-range'), `bytes 100-1099/${bytes.length}`);
  assert.deepEqual(Buffer.from(await range.arrayBuffer()), bytes.subarray(100, 1100));
  const thumb = await fetch(`${gateway.download}/media/${id}/objects/1`);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
  assert.equal(sha256(Buffer.from(await thumb.arrayBuffer())), body.objects[1].content_hash);
  assert.equal((await fetch(`${gateway.download}/media/${id}/objects/9`)).status, 404);
  assert.equal((await fetch(`${gateway.download}/media/999999`)).status, 404);
  // A client holding the object is answered 304 from the chain's record: the gateway
  // (its cache off here) asks no cluster for it.
  const gets = async () => {
    let n = 0;
    for (const c of Object.values(clusters)) n += await metric(c.url, 'paratii_storage_gets_total');
    return n;
  };
  const before = await gets();
  const held = await fetch(`${gateway.download}/media/${id}`, { headers: { 'if-none-match': `"${body.cid}"` } });
  assert.equal(held.status, 304);
  assert.equal(held.headers.get('etag'), `"${body.cid}"`);
  assert.equal(await gets(), before, 'no cluster was asked');
  // HEAD is answered from the record too: its size and CID, the type from the first
  // bytes of a holder, and the object is not fetched (a GET fetches it: the cache is off).
  const misses = await metric(gateway.download, 'paratii_gateway_cache_misses_total');
  const reads = async (source) => metric(gateway.download, 'paratii_gateway_record_reads_total', { source });
  const [fromChain, fromCache] = [await reads('chain'), await reads('cache')];
  for (let i = 0; i < 5; i++) {
    const head = await fetch(`${gateway.download}/media/${id}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal(head.headers.get('content-type'), 'image/png');
    assert.equal(head.headers.get('etag'), `"${body.cid}"`);
  }
  assert.equal(await metric(gateway.download, 'paratii_gateway_cache_misses_total'), misses, 'HEAD fetched no object');
  // The record is read once per finalized block: five requests in well under a second
  // span at most two finalized blocks.
  assert.ok(await reads('chain') - fromChain <= 2, 'the record was read from the chain at most twice');
  assert.ok(await reads('cache') - fromCache >= 3);
  assert.equal((await fetch(`${gateway.download}/ipfs/not-a-cid`)).status, 400);
});

test('a download is served by the replica when a cluster is down, and a cluster sending corrupted bytes is skipped', async () => {
  const { id, bytes, body } = uploaded;
  const record = (await api.call.mediaApi.media(id)).unwrap();
  const [first] = record.objects[0].clusters.map((c) => c.toNumber());
  const tried = clusters[first];

  await tried.kill();
  const unreachable = await metric(gateway.download, 'paratii_gateway_cluster_fallbacks_total', { reason: 'unreachable' });
  const res = await fetch(`${gateway.download}/media/${id}`);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  assert.equal(await metric(gateway.download, 'paratii_gateway_cluster_fallbacks_total', { reason: 'unreachable' }), unreachable + 1);

  // Back up on its data, with one byte of the original flipped on its disk.
  clusters[first] = await startStorage(node, tried.cluster, { dataDir: tried.dataDir });
  const path = join(tried.dataDir, 'objects', body.content_hash.slice(2, 4), body.content_hash.slice(2));
  const corrupted = readFileSync(path);
  corrupted[corrupted.length >> 1] ^= 0xff;
  writeFileSync(path, corrupted);
  const mismatch = await metric(gateway.download, 'paratii_gateway_cluster_fallbacks_total', { reason: 'mismatch' });
  const again = await fetch(`${gateway.download}/media/${id}`);
  assert.equal(again.status, 200);
  assert.deepEqual(Buffer.from(await again.arrayBuffer()), bytes);
  assert.equal(await metric(gateway.download, 'paratii_gateway_cluster_fallbacks_total', { reason: 'mismatch' }), mismatch + 1);
  assert.match(readFileSync(gateway.logPath, 'utf8'), new RegExp(`cluster ${first} .*do not match`));
});

test('an original over a MiB streams verified chunk by chunk: a lying cluster is left mid-stream, a lie on every holder cuts the answer', async () => {
  const bytes = png(2048, 2048);
  assert.ok(bytes.length > 1024 * 1024 && bytes.length < MAX_UPLOAD, `${bytes.length} bytes`);
  const { status, body } = await upload(gateway, { file: bytes, title: 'Wide harbour', owner: owner.pair });
  assert.equal(status, 201, JSON.stringify(body));
  // The chunk hashes come last: the SHA-256 of each MiB, 32 bytes per started MiB.
  const chunks = body.objects.at(-1);
  assert.equal(chunks.kind, 'chunk_hashes');
  assert.equal(chunks.size, 32 * Math.ceil(bytes.length / 2 ** 20));
  const { events, error } = await submitFinal(api, api.tx(api.createType('Call', body.call)), owner.pair);
  assert.equal(error, undefined);
  const id = findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
  const url = `${gateway.download}/media/${id}`;
  assert.deepEqual(Buffer.from(await (await fetch(url)).arrayBuffer()), bytes);
  // A range across the first chunk's end.
  const from = 2 ** 20 - 100;
  const range = await fetch(url, { headers: { range: `bytes=${from}-${from + 199}` } });
  assert.equal(range.status, 206);
  assert.deepEqual(Buffer.from(await range.arrayBuffer()), bytes.subarray(from, from + 200));

  // The second chunk flipped on the disk of the cluster asked first: the gateway has
  // sent the first MiB from it, and takes the rest from the other holder.
  const record = (await api.call.mediaApi.media(id)).unwrap();
  const holders = record.objects[0].clusters.map((c) => c.toNumber());
  const onDisk = (c) => join(clusters[c].dataDir, 'objects', body.content_hash.slice(2, 4), body.content_hash.slice(2));
  const flip = (c) => {
    const stored = readFileSync(onDisk(c));
    stored[2 ** 20 + 10] ^= 0xff;
    writeFileSync(onDisk(c), stored);
  };
  flip(holders[0]);
  const fallbacks = () => metric(gateway.download, 'paratii_gateway_cluster_fallbacks_total', { reason: 'stream' });
  const before = await fallbacks();
  const mended = await fetch(url);
  assert.deepEqual(Buffer.from(await mended.arrayBuffer()), bytes);
  assert.ok(await fallbacks() >= before + 1, 'a cluster was left mid-stream');
  assert.match(readFileSync(gateway.logPath, 'utf8'), /chunk 1 does not match the chain's chunk hash/);

  // Every holder lies about the second MiB: the answer started (the first MiB was
  // verified and sent) and is cut there, never with an unverified byte.
  flip(holders[1]);
  const cut = await fetch(url);
  assert.equal(cut.status, 200);
  assert.equal(cut.headers.get('content-length'), String(bytes.length));
  const received = [];
  const reader = cut.body.getReader();
  await assert.rejects(async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(value);
    }
  });
  // The cut is a reset: what the client reads before it is at most the verified first
  // MiB (the reset may drop some of it from the receiving socket), never more.
  const got = Buffer.concat(received);
  assert.ok(got.length <= 2 ** 20, `the verified first MiB at most, then the cut: ${got.length}`);
  assert.deepEqual(got, bytes.subarray(0, got.length));
  for (const c of holders) {
    flip(c); // mended again: later tests download it
  }
});

test('bad uploads are refused with a clear 4xx and nothing is stored', async () => {
  const written = async () => {
    let n = 0;
    for (const c of Object.values(clusters)) n += await metric(c.url, 'paratii_storage_puts_total', { outcome: 'written' });
    return n;
  };
  const before = await written();
  const who = owner.pair;
  const cases = [
    // Only the owner uploads in its name: unsigned, or signed by another key, is refused.
    ['an unsigned upload', { file: png(40, 30), title: 't', owner: who.address }, 401, /sign the upload/],
    ['an upload signed by another key', { file: png(40, 30), title: 't', owner: who, signer: devAccount('//Bob') }, 401,
      /not the named account's/],
    ['an empty file', { file: Buffer.alloc(0), title: 't', owner: who }, 400, /empty/],
    ['a file over the limit', { file: Buffer.concat([png(8, 8), randomBytes(MAX_UPLOAD)]), title: 't', owner: who }, 413, /at most/],
    ['a type not allowed', { file: Buffer.from('just some text'), title: 't', owner: who }, 415, /not accepted/],
    ['no title', { file: png(40, 30), owner: who }, 400, /title/],
    ['no owner', { file: png(40, 30), title: 't' }, 400, /owner/],
    ['a bad location', { file: png(40, 30), title: 't', owner: who, location: '95,10' }, 400, /location/],
    ['no file', { title: 't', owner: who }, 400, /no file/],
    // Refused at its 1,025th byte as it streams in, not read whole first (a larger field
    // would have the gateway answer and close while the client still writes it).
    ['a 2 KiB title', { file: png(40, 30), title: 'x'.repeat(2048), owner: who }, 400, /title is too long: at most 1024 bytes/],
  ];
  for (const [what, form, status, message] of cases) {
    const res = await upload(gateway, form).catch((e) => { throw new Error(`${what}: ${e.cause?.code ?? e.message}`); });
    assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.error, message, what);
  }
  // An account that is not a registered user.
  const stranger = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
  const res = await upload(gateway, { file: png(40, 30), title: 't', owner: stranger });
  assert.equal(res.status, 403);
  assert.match(res.body.error, /users\.register/);
  // The same file again.
  const again = await upload(gateway, { file: uploaded.bytes, title: 'again', owner: who });
  assert.equal(again.status, 409);
  assert.equal(await written(), before, 'no object was written for a refused upload');
});

test('a resumable (tus 1.0) upload is checked before its first byte, resumes at the offset and ends as an upload', async () => {
  const tus = { 'tus-resumable': '1.0.0' };
  const b64 = (s) => Buffer.from(s).toString('base64');
  const open = (bytes, { signer = owner.pair, who = owner.pair.address, length = bytes.length, sha } = {}) => {
    const { expires, signature, sha256: signed } = signUpload(gateway, signer, bytes);
    const metadata = { title: 'Tram 28 (resumable)', owner: who, expires: String(expires), signature, sha256: sha ?? signed };
    return fetch(`${gateway.upload}/tus`, {
      method: 'POST',
      headers: { ...tus, 'upload-length': String(length),
        'upload-metadata': Object.entries(metadata).map(([k, v]) => `${k} ${b64(v)}`).join(',') },
    });
  };
  const patch = (location, offset, body) => fetch(`${gateway.upload}${location}`, {
    method: 'PATCH', body, headers: { ...tus, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
  });
  const options = await fetch(`${gateway.upload}/tus`, { method: 'OPTIONS' });
  assert.equal(options.status, 204);
  assert.equal(options.headers.get('tus-version'), '1.0.0');
  assert.equal(options.headers.get('tus-max-size'), String(MAX_UPLOAD));

  const bytes = png(900, 600);
  // Refused before any byte: another key's signature, a stranger, too large, no version.
  const stranger = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
  assert.equal((await open(bytes, { signer: alice })).status, 401);
  assert.equal((await open(bytes, { signer: stranger, who: stranger.address })).status, 403);
  assert.equal((await open(bytes, { length: MAX_UPLOAD + 1 })).status, 413);
  assert.equal((await fetch(`${gateway.upload}/tus`, { method: 'POST', headers: { 'upload-length': '10' } })).status, 412);

  const created = await open(bytes);
  assert.equal(created.status, 201, await created.clone().text());
  const location = created.headers.get('location');
  assert.match(location, /^\/tus\/[0-9a-f]{32}$/);
  const half = Math.floor(bytes.length / 2);
  assert.equal((await patch(location, 0, bytes.subarray(0, half))).status, 204);
  // A wrong offset is refused; HEAD says where to go on from; the rest completes it.
  assert.equal((await patch(location, 0, bytes.subarray(0, 10))).status, 409);
  const head = await fetch(`${gateway.upload}${location}`, { method: 'HEAD', headers: tus });
  assert.equal(head.headers.get('upload-offset'), String(half));
  assert.equal((await (await fetch(`${gateway.upload}${location}/result`)).status), 409, 'not complete yet');
  const last = await patch(location, half, bytes.subarray(half));
  assert.equal(last.status, 204);
  assert.equal(last.headers.get('upload-offset'), String(bytes.length));
  const result = await fetch(`${gateway.upload}${location}/result`);
  const body = await result.json();
  assert.equal(result.status, 201, JSON.stringify(body));
  assert.equal(body.content_hash, sha256(bytes));
  assert.equal(body.title, 'Tram 28 (resumable)');
  assert.ok(body.objects.length >= 2 && body.objects.every((o) => o.receipts.length === 2));

  // Bytes other than the signed file: taken whole, then refused, nothing stored.
  const other = png(300, 200);
  const forged = await open(other, { sha: createHash('sha256').update(bytes).digest('hex'), signer: owner.pair });
  // (signed over `other`, claiming `bytes`' hash: the signature check refuses it at once)
  assert.equal(forged.status, 401);
  const swapped = await open(bytes);
  const swappedAt = swapped.headers.get('location');
  const puts = await metric(Object.values(clusters)[0].url, 'paratii_storage_puts_total', { outcome: 'written' });
  const fake = Buffer.from(bytes);
  fake[fake.length - 1] ^= 0xff;
  assert.equal((await patch(swappedAt, 0, fake)).status, 204);
  const refused = await fetch(`${gateway.upload}${swappedAt}/result`);
  assert.equal(refused.status, 422);
  assert.match((await refused.json()).error, /not the file whose SHA-256 was signed/);
  assert.equal(await metric(Object.values(clusters)[0].url, 'paratii_storage_puts_total', { outcome: 'written' }), puts);

  // Termination.
  const dropped = await open(bytes);
  const droppedAt = dropped.headers.get('location');
  assert.equal((await fetch(`${gateway.upload}${droppedAt}`, { method: 'DELETE', headers: tus })).status, 204);
  assert.equal((await fetch(`${gateway.upload}${droppedAt}`, { method: 'HEAD', headers: tus })).status, 404);
});

test('with fewer than ReplicationFactor clusters reachable an upload answers 503 and hands out no receipts', async () => {
  const ids = Object.keys(clusters).map(Number);
  const down = clusters[ids[1]];
  await down.stop();
  const res = await upload(gateway, { file: png(100, 80), title: 'only one cluster', owner: owner.pair });
  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.match(res.body.error, /no receipts/);
  assert.equal(res.body.objects, undefined);
  clusters[ids[1]] = await startStorage(node, down.cluster, { dataDir: down.dataDir });
});

test('web pages on other origins may upload and read the answers (CORS on both roles)', async () => {
  for (const [url, method] of [[`${gateway.upload}/uploads`, 'POST'], [`${gateway.download}/media/0`, 'GET']]) {
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://player.example.org', 'access-control-request-method': method },
    });
    assert.ok(preflight.ok, `${url}: ${preflight.status}`);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*', url);
  }
  // An extractor's refusal (a media id that is not a number) is JSON like every error.
  const bad = await fetch(`${gateway.download}/media/not-a-number`);
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /parse/);
});

test('registerMedia by an account that is not a registered user is refused on chain', async () => {
  const { pair } = await freshUser(null);
  const bytes = png(60, 40);
  const hash = sha256(bytes);
  const receipts = [];
  for (const c of Object.values(clusters)) {
    const r = await clusterFetch(c, 'PUT', hash, { owner: pair.address, body: bytes });
    const body = await r.json();
    receipts.push(storedReceipt(body));
  }
  const { error } = await submit(api, api.tx.media.registerMedia('not a user', null, null,
    [{ kind: 'Original', contentHash: hash, size: bytes.length, receipts }]), pair);
  assert.deepEqual(error, { section: 'media', name: 'NotRegisteredUser' });
  assert.ok((await api.call.mediaApi.proofOfExistence(hash)).isNone);
});

test('the paratii CLI uploads, proves, downloads and deletes; the clusters drop the bytes, the gateway answers 410, the proof stays', async () => {
  const file = join(work, 'harbour.png');
  const bytes = png(900, 600);
  writeFileSync(file, bytes);
  const up = paratii('upload', file, '--title', 'Harbour at dawn', '--suri', owner.mnemonic, '--json');
  assert.equal(up.code, 0, up.stderr);
  const result = JSON.parse(up.stdout);
  const registered = (await api.call.mediaApi.media(result.media_id)).unwrap();
  assert.equal(registered.objects[0].contentHash.toHex(), sha256(bytes));
  assert.equal(registered.title.toUtf8(), 'Harbour at dawn');
  assert.equal(result.proof.finalized, true);
  const id = result.media_id;

  const out = join(work, 'download.png');
  const down = paratii('download', String(id), '-o', out);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(readFileSync(out), bytes);
  const byCidFile = join(work, 'by-cid.png');
  const byCid = paratii('download', result.cid, '-o', byCidFile);
  assert.equal(byCid.code, 0, byCid.stderr);
  assert.deepEqual(readFileSync(byCidFile), bytes, 'the download by CID is the uploaded bytes');

  const proof = paratii('proof', file);
  assert.equal(proof.code, 0, proof.stderr);
  assert.match(proof.stdout, new RegExp(`media id   ${id}`));
  const other = join(work, 'never-uploaded.png');
  writeFileSync(other, png(10, 10));
  assert.equal(paratii('proof', other).code, 1);
  assert.equal(paratii('download', '999999').code, 1);

  // Only the owner may delete.
  const stranger = paratii('delete', String(id), '--suri', '//Bob');
  assert.equal(stranger.code, 3);
  assert.match(stranger.stderr, /NotOwner/);
  const del = paratii('delete', String(id), '--suri', owner.mnemonic);
  assert.equal(del.code, 0, del.stderr);

  const record = (await api.call.mediaApi.media(id)).unwrap();
  for (const object of record.objects) {
    for (const cluster of object.clusters.map((c) => c.toNumber())) {
      await waitFor(`cluster ${cluster} to drop ${object.contentHash.toHex()}`, async () =>
        (await clusterFetch(clusters[cluster], 'HEAD', object.contentHash.toHex())).status === 404,
      { timeoutMs: 60_000 });
    }
  }
  assert.equal((await fetch(`${gateway.download}/media/${id}`)).status, 410);
  assert.equal((await fetch(`${gateway.download}/ipfs/${result.cid}`)).status, 410);
  assert.equal(paratii('download', String(id), '-o', join(work, 'gone.png')).code, 1);
  const after = await (await fetch(`${gateway.download}/media/${id}/proof`)).json();
  assert.equal(after.status, 'deleted');
  assert.equal(after.owner, owner.pair.address);
  assert.equal(after.block_number, result.proof.block_number);
});
