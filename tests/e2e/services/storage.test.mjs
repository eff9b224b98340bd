// paratii-storage, the storage cluster node, as a real process against a dev node —
// the same tests for both backends: the local filesystem, and an S3 bucket on a
// local S3 server (moto). Receipts are checked in JS against the clusters' keys.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { ed25519Verify } from '@polkadot/util-crypto';
import { connect, devAccount, findEvent, submit } from '../lib/chain.mjs';
import { finalizedNumber, sleep, startNode, waitFor } from '../lib/node.mjs';
import { clusterKey, receiptMessage } from '../lib/receipts.mjs';
import { metric, startS3, startStorage } from '../lib/services.mjs';

const alice = devAccount('//Alice');
const sha256 = (bytes) => '0x' + createHash('sha256').update(bytes).digest('hex');
const put = (cluster, hash, body, owner = alice.address) =>
  fetch(`${cluster.url}/objects/${hash.slice(2)}`, {
    method: 'PUT',
    headers: owner ? { 'x-paratii-owner': owner } : {},
    body,
  });

for (const backend of ['fs', 's3']) {
  describe(`paratii-storage with the ${backend} backend`, () => {
    let node;
    let api;
    let s3;
    let genesis;
    const clusters = [];

    before(async () => {
      node = await startNode({ name: `storage-${backend}`, ownClusters: true });
      api = await connect(node);
      genesis = hexToU8a(api.genesisHash.toHex());
      if (backend === 's3') s3 = await startS3(['cluster1', 'cluster2']);
      for (const n of [1, 2]) {
        clusters.push(await startStorage(node, n, {
          backend,
          s3: s3 && { endpoint: s3.endpoint, bucket: `cluster${n}` },
          heartbeatSecs: 2,
        }));
      }
    });

    after(async () => {
      for (const c of clusters) await c.stop();
      await s3?.stop();
      await api?.disconnect();
      await node?.stop();
    });

    const clusterId = async (c) => Number((await (await fetch(`${c.url}/health`)).json()).cluster);

    test('a PUT stores the object and answers a receipt that verifies against the cluster key', async () => {
      const bytes = randomBytes(100_000);
      const hash = sha256(bytes);
      const res = await put(clusters[0], hash, bytes);
      assert.equal(res.status, 201, await res.clone().text());
      const body = await res.json();
      assert.equal(body.content_hash, hash);
      assert.equal(body.size, bytes.length);
      assert.equal(body.newly_written, true);
      const key = clusterKey('//Cluster1');
      assert.equal(body.public_key, u8aToHex(key.publicKey));
      const message = receiptMessage(genesis, hexToU8a(hash), bytes.length, alice.address);
      assert.ok(ed25519Verify(message, body.signature, key.publicKey), 'receipt verifies');
      // Not for another owner or size.
      assert.ok(!ed25519Verify(receiptMessage(genesis, hexToU8a(hash), bytes.length + 1, alice.address),
        body.signature, key.publicKey));
      const head = await fetch(`${clusters[0].url}/objects/${hash.slice(2)}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(bytes.length));
      if (backend === 'fs') {
        assert.ok(existsSync(join(clusters[0].dataDir, 'objects', hash.slice(2, 4), hash.slice(2))));
      }
    });

    test('a second PUT of a stored object answers a receipt without writing it again', async () => {
      const bytes = randomBytes(5000);
      const hash = sha256(bytes);
      assert.equal((await put(clusters[0], hash, bytes)).status, 201);
      const written = await metric(clusters[0].url, 'paratii_storage_puts_total', { outcome: 'written' });
      const bob = devAccount('//Bob');
      const res = await put(clusters[0], hash, bytes, bob.address);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.newly_written, false);
      const message = receiptMessage(genesis, hexToU8a(hash), bytes.length, bob.address);
      assert.ok(ed25519Verify(message, body.signature, clusterKey('//Cluster1').publicKey), 'receipt for Bob');
      assert.equal(await metric(clusters[0].url, 'paratii_storage_puts_total', { outcome: 'written' }), written);
      assert.equal(await metric(clusters[0].url, 'paratii_storage_puts_total', { outcome: 'existing' }) >= 1, true);
    });

    test('GET serves the bytes with Range, ETag and immutable caching', async () => {
      const bytes = randomBytes(10_000);
      const hash = sha256(bytes);
      assert.equal((await put(clusters[0], hash, bytes)).status, 201);
      const url = `${clusters[0].url}/objects/${hash.slice(2)}`;
      const full = await fetch(url);
      assert.equal(full.status, 200);
      assert.deepEqual(Buffer.from(await full.arrayBuffer()), bytes);
      assert.match(full.headers.get('cache-control'), /immutable/);
      const etag = full.headers.get('etag');
      assert.equal(etag, `"${hash.slice(2)}"`);
      const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 100-199/${bytes.length}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
      const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
      assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(bytes.length - 10));
      assert.equal((await fetch(url, { headers: { range: `bytes=${bytes.length}-` } })).status, 416);
      assert.equal((await fetch(url, { headers: { 'if-none-match': etag } })).status, 304);
      assert.equal((await fetch(`${clusters[0].url}/objects/${'0'.repeat(64)}`)).status, 404);
    });

    test('a body that does not match its hash is refused and leaves nothing behind', async () => {
      const claimed = randomBytes(3000);
      const sent = randomBytes(3000);
      const hash = sha256(claimed);
      const res = await put(clusters[0], hash, sent);
      assert.equal(res.status, 422);
      assert.match((await res.json()).error, /SHA-256/);
      assert.equal((await fetch(`${clusters[0].url}/objects/${hash.slice(2)}`, { method: 'HEAD' })).status, 404);
      assert.deepEqual(readdirSync(join(clusters[0].dataDir, 'staging')), []);
    });

    test('bad requests get a clear 4xx', async () => {
      const bytes = randomBytes(100);
      const hash = sha256(bytes);
      const noOwner = await put(clusters[0], hash, bytes, null);
      assert.equal(noOwner.status, 400);
      assert.match((await noOwner.json()).error, /x-paratii-owner/);
      assert.equal((await put(clusters[0], hash, bytes, 'not-an-account')).status, 400);
      assert.equal((await put(clusters[0], '0x1234', bytes)).status, 400);
      const empty = await put(clusters[0], sha256(Buffer.alloc(0)), Buffer.alloc(0));
      assert.equal(empty.status, 400);
      assert.equal((await fetch(`${clusters[0].url}/objects/${hash.slice(2)}`, { method: 'HEAD' })).status, 404);
    });

    test('heartbeats from the operator keep the cluster active and report the bytes used', async () => {
      const id = await clusterId(clusters[0]);
      const used = Number((await (await fetch(`${clusters[0].url}/health`)).json()).used_bytes);
      assert.ok(used > 0);
      const info = await waitFor('a heartbeat with the bytes used', async () => {
        const c = (await api.query.topology.clusters(id)).unwrap();
        return c.lastHeartbeat.toNumber() > c.registeredAt.toNumber() && c.usedBytes.toNumber() > 0 ? c : null;
      }, { timeoutMs: 60_000 });
      assert.equal(info.status.type, 'Active');
      assert.ok(await metric(clusters[0].url, 'paratii_storage_heartbeats_total', { outcome: 'ok' }) >= 1);
    });

    test('objects of media deleted on chain are deleted after finality, and only those', async () => {
      const kept = randomBytes(2000);
      assert.equal((await put(clusters[0], sha256(kept), kept)).status, 201);
      const bytes = randomBytes(20_000);
      const hash = sha256(bytes);
      const receipts = [];
      for (const c of clusters) {
        const res = await put(c, hash, bytes);
        assert.equal(res.status, 201);
        const body = await res.json();
        receipts.push({ cluster: body.cluster, signature: body.signature });
      }
      const registered = await submit(api, api.tx.media.registerMedia(`deletion ${backend}`, null, null,
        [{ kind: 'Original', contentHash: hash, size: bytes.length, receipts }]), alice);
      assert.equal(registered.error, undefined);
      const id = findEvent(registered.events, 'media', 'MediaRegistered').data.mediaId.toNumber();
      const deleted = await submit(api, api.tx.media.deleteMedia(id), alice);
      assert.equal(deleted.error, undefined);
      const block = (await api.rpc.chain.getHeader(deleted.blockHash)).number.toNumber();
      // While the deleting block is in the chain but not final (GRANDPA votes 2 blocks
      // behind the best: about 6 s), every cluster still serves the object. Each round
      // asks the clusters first and the node second, so a round that finds the block not
      // final saw the clusters before it was.
      let rounds = 0;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const served = await Promise.all(clusters.map(async (c) => {
          const res = await fetch(`${c.url}/objects/${hash.slice(2)}`);
          return res.ok && Buffer.from(await res.arrayBuffer()).equals(bytes);
        }));
        const finalized = await finalizedNumber(node.http);
        if (finalized >= block) break;
        assert.deepEqual(served, clusters.map(() => true),
          `the clusters deleted the object before its deletion in #${block} was final (finalized #${finalized})`);
        rounds += 1;
        assert.ok(Date.now() < deadline, `#${block} was not final within 60 s (finalized #${finalized})`);
        await sleep(200);
      }
      assert.ok(rounds >= 1, `#${block} was already final when the clusters were first asked: nothing seen before finality`);
      for (const c of clusters) {
        await waitFor(`cluster ${c.cluster} to delete the object`, async () =>
          (await fetch(`${c.url}/objects/${hash.slice(2)}`, { method: 'HEAD' })).status === 404,
        { timeoutMs: 60_000 });
      }
      assert.ok(await finalizedNumber(node.http) >= block, 'deleted only once the deletion was final');
      assert.equal((await fetch(`${clusters[0].url}/objects/${sha256(kept).slice(2)}`, { method: 'HEAD' })).status, 200);
      assert.ok(await metric(clusters[0].url, 'paratii_storage_deletions_total') >= 1);
      // The proof stays on chain.
      const proof = (await api.call.mediaApi.proofOfExistence(hash)).unwrap();
      assert.equal(proof.status.type, 'Deleted');
    });
  });
}
