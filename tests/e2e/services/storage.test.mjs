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
import { connect, devAccount, findEvent, submit, submitFinal } from '../lib/chain.mjs';
import { finalizedNumber, sleep, startNode, waitFor } from '../lib/node.mjs';
import { clusterKey, receiptMessage, storedReceipt } from '../lib/receipts.mjs';
import { clusterFetch, gatewayHeaders, metric, startS3, startStorage } from '../lib/services.mjs';

const alice = devAccount('//Alice');
const sha256 = (bytes) => '0x' + createHash('sha256').update(bytes).digest('hex');
// Every object request is signed as the dev gateway, whose key the clusters trust.
const put = (cluster, hash, body, owner = alice.address) => clusterFetch(cluster, 'PUT', hash, { owner, body });
const get = (cluster, hash, headers = {}) => clusterFetch(cluster, 'GET', hash, { headers });
const head = (cluster, hash) => clusterFetch(cluster, 'HEAD', hash);

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
      // Signed now, for this cluster: the chain takes it for an hour.
      assert.ok(Math.abs(body.issued_at - Date.now()) < 60_000, `issued at ${body.issued_at}`);
      const message = receiptMessage(genesis, body.cluster, hexToU8a(hash), bytes.length, alice.address, body.issued_at);
      assert.ok(ed25519Verify(message, body.signature, key.publicKey), 'receipt verifies');
      // Not for another size, cluster or time.
      assert.ok(!ed25519Verify(receiptMessage(genesis, body.cluster, hexToU8a(hash), bytes.length + 1, alice.address,
        body.issued_at), body.signature, key.publicKey));
      assert.ok(!ed25519Verify(receiptMessage(genesis, body.cluster + 1, hexToU8a(hash), bytes.length, alice.address,
        body.issued_at), body.signature, key.publicKey));
      assert.ok(!ed25519Verify(receiptMessage(genesis, body.cluster, hexToU8a(hash), bytes.length, alice.address,
        body.issued_at + 1), body.signature, key.publicKey));
      const headed = await head(clusters[0], hash);
      assert.equal(headed.status, 200);
      assert.equal(headed.headers.get('content-length'), String(bytes.length));
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
      const message = receiptMessage(genesis, body.cluster, hexToU8a(hash), bytes.length, bob.address, body.issued_at);
      assert.ok(ed25519Verify(message, body.signature, clusterKey('//Cluster1').publicKey), 'receipt for Bob');
      assert.equal(await metric(clusters[0].url, 'paratii_storage_puts_total', { outcome: 'written' }), written);
      assert.equal(await metric(clusters[0].url, 'paratii_storage_puts_total', { outcome: 'existing' }) >= 1, true);
    });

    test('GET serves the bytes with Range, ETag and immutable caching', async () => {
      const bytes = randomBytes(10_000);
      const hash = sha256(bytes);
      assert.equal((await put(clusters[0], hash, bytes)).status, 201);
      const full = await get(clusters[0], hash);
      assert.equal(full.status, 200);
      assert.deepEqual(Buffer.from(await full.arrayBuffer()), bytes);
      assert.match(full.headers.get('cache-control'), /immutable/);
      const etag = full.headers.get('etag');
      assert.equal(etag, `"${hash.slice(2)}"`);
      const part = await get(clusters[0], hash, { range: 'bytes=100-199' });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 100-199/${bytes.length}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
      const tail = await get(clusters[0], hash, { range: 'bytes=-10' });
      assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(bytes.length - 10));
      assert.equal((await get(clusters[0], hash, { range: `bytes=${bytes.length}-` })).status, 416);
      assert.equal((await get(clusters[0], hash, { 'if-none-match': etag })).status, 304);
      assert.equal((await get(clusters[0], '0'.repeat(64))).status, 404);
    });

    test('a body that does not match its hash is refused and leaves nothing behind', async () => {
      const claimed = randomBytes(3000);
      const sent = randomBytes(3000);
      const hash = sha256(claimed);
      const res = await put(clusters[0], hash, sent);
      assert.equal(res.status, 422);
      assert.match((await res.json()).error, /SHA-256/);
      assert.equal((await head(clusters[0], hash)).status, 404);
      assert.deepEqual(readdirSync(join(clusters[0].dataDir, 'staging')), []);
    });

    test('bad requests get a clear 4xx', async () => {
      const bytes = randomBytes(100);
      const hash = sha256(bytes);
      const noOwner = await put(clusters[0], hash, bytes, null);
      assert.equal(noOwner.status, 400);
      assert.match((await noOwner.json()).error, /x-paratii-owner/);
      const badOwner = await clusterFetch(clusters[0], 'PUT', hash, { body: bytes, headers: { 'x-paratii-owner': 'not-an-account' } });
      assert.equal(badOwner.status, 400);
      assert.equal((await put(clusters[0], '0x1234', bytes)).status, 400);
      const empty = await put(clusters[0], sha256(Buffer.alloc(0)), Buffer.alloc(0));
      assert.equal(empty.status, 400);
      assert.equal((await head(clusters[0], hash)).status, 404);
    });

    test('a cluster answers object requests only to the gateways it trusts', async () => {
      const bytes = randomBytes(2000);
      const hash = sha256(bytes);
      const path = `/objects/${hash.slice(2)}`;
      const mallory = devAccount('//Mallory');
      const refused = async (res, status, message, what) => {
        assert.equal(res.status, status, `${what}: ${await res.clone().text()}`);
        assert.match((await res.json()).error, message, what);
      };
      // Writes: unsigned; signed by a key it does not trust; signed for another owner;
      // expired. None of them stores anything.
      const write = (options) => clusterFetch(clusters[0], 'PUT', hash, { owner: alice.address, body: bytes, ...options });
      await refused(await write({ unsigned: true }), 401, /signed requests only/, 'an unsigned PUT');
      await refused(await write({ signer: mallory }), 403, /not one this cluster trusts/, 'an untrusted key');
      const forAlice = gatewayHeaders(clusters[0].genesis, 'PUT', path, { owner: alice.address });
      await refused(await fetch(`${clusters[0].url}${path}`, {
        method: 'PUT', body: bytes, headers: { ...forAlice, 'x-paratii-owner': devAccount('//Bob').address },
      }), 401, /not the named account/, 'a signature for another owner');
      await refused(await write({ expiresIn: -1 }), 401, /expired/, 'an expired signature');
      assert.equal((await head(clusters[0], hash)).status, 404, 'nothing was stored');
      // Reads: a stored object (a priced original, say) goes to a trusted gateway only.
      assert.equal((await put(clusters[0], hash, bytes)).status, 201);
      await refused(await clusterFetch(clusters[0], 'GET', hash, { unsigned: true }), 401, /signed requests only/, 'an unsigned GET');
      await refused(await clusterFetch(clusters[0], 'GET', hash, { unsigned: true, headers: { range: 'bytes=-1' } }),
        401, /signed requests only/, 'an unsigned Range GET');
      await refused(await clusterFetch(clusters[0], 'GET', hash, { signer: mallory }), 403, /not one this cluster trusts/, 'GET, untrusted');
      // A signature for one object, or one method, opens nothing else.
      const another = gatewayHeaders(clusters[0].genesis, 'GET', `/objects/${'0'.repeat(64)}`);
      await refused(await fetch(`${clusters[0].url}${path}`, { headers: another }), 401, /not the named account/, 'another path');
      const asHead = gatewayHeaders(clusters[0].genesis, 'HEAD', path);
      await refused(await fetch(`${clusters[0].url}${path}`, { headers: asHead }), 401, /not the named account/, 'another method');
      assert.ok(await metric(clusters[0].url, 'paratii_storage_refused_total', { reason: 'forbidden' }) >= 2);
      assert.deepEqual(Buffer.from(await (await get(clusters[0], hash)).arrayBuffer()), bytes);
      // Health and metrics stay open.
      assert.equal((await fetch(`${clusters[0].url}/health`)).status, 200);
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
        receipts.push(storedReceipt(body));
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
          const res = await get(c, hash);
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
          (await head(c, hash)).status === 404,
        { timeoutMs: 60_000 });
      }
      assert.ok(await finalizedNumber(node.http) >= block, 'deleted only once the deletion was final');
      assert.equal((await head(clusters[0], sha256(kept))).status, 200);
      assert.ok(await metric(clusters[0].url, 'paratii_storage_deletions_total') >= 1);
      // The proof stays on chain.
      const proof = (await api.call.mediaApi.proofOfExistence(hash)).unwrap();
      assert.equal(proof.status.type, 'Deleted');
    });

    test('objects nobody registers are deleted after the grace period, registered ones stay', async () => {
      const unregistered = randomBytes(3000);
      const registered = randomBytes(4000);
      assert.equal((await put(clusters[1], sha256(unregistered), unregistered)).status, 201);
      const receipts = [];
      for (const c of clusters) {
        const res = await put(c, sha256(registered), registered);
        assert.ok(res.ok);
        receipts.push(storedReceipt(await res.json()));
      }
      const marks = join(clusters[1].dataDir, 'unregistered');
      assert.ok(existsSync(join(marks, sha256(unregistered).slice(2))), 'marked until registered');
      const { error } = await submitFinal(api, api.tx.media.registerMedia(`kept ${backend}`, null, null,
        [{ kind: 'Original', contentHash: sha256(registered), size: registered.length, receipts }]), alice);
      assert.equal(error, undefined);
      // Cluster 2 again, on the same data, with a 2-second grace period: both objects are
      // older than that; one has a finalized registration naming the cluster, one none.
      const before = clusters[1];
      await before.stop();
      clusters[1] = await startStorage(node, 2, {
        backend, dataDir: before.dataDir, heartbeatSecs: 2,
        s3: s3 && { endpoint: s3.endpoint, bucket: 'cluster2' },
        extra: ['--unregistered-grace-secs', '2'],
      });
      await waitFor('both objects to be checked', async () =>
        !existsSync(join(marks, sha256(unregistered).slice(2))) && !existsSync(join(marks, sha256(registered).slice(2))),
      { timeoutMs: 60_000 });
      assert.equal((await head(clusters[1], sha256(unregistered))).status, 404, 'the unregistered object is gone');
      assert.equal((await head(clusters[1], sha256(registered))).status, 200, 'the registered object stays');
      assert.ok(await metric(clusters[1].url, 'paratii_storage_unregistered_deletions_total') >= 1);
    });
  });
}
