// The media pallets end to end with polkadot.js against a dev node: clusters are
// registered (sudo), receipts are signed in JS with the clusters' ed25519 keys, a
// user registers media, the proof of existence is read through the runtime API, and
// reactions, flags, deletion and the pallets' errors behave as specified.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hexToU8a } from '@polkadot/util';
import { connect, devAccount, findEvent, submit, sudo } from '../lib/chain.mjs';
import { startNode } from '../lib/node.mjs';
import { clusterKey, randomFile, receipt } from '../lib/receipts.mjs';

let node;
let api;
let genesis;
const alice = devAccount('//Alice');
const bob = devAccount('//Bob');
const clusters = []; // { id, pair }

before(async () => {
  node = await startNode({ name: 'media' });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

/** Receipts from `ids` (indices into `clusters`) for a file owned by `owner`. */
const receiptsFor = (file, owner, ids = [0, 1]) =>
  ids.map((i) => receipt(clusters[i].id, clusters[i].pair, genesis, hexToU8a(file.hash), file.size, owner.address));

const original = (file, owner, ids) => ({
  kind: 'Original',
  contentHash: file.hash,
  size: file.size,
  receipts: receiptsFor(file, owner, ids),
});

test('the dev preset has two clusters and Alice as a user', async () => {
  const [epoch, ring] = (await api.call.topologyApi.ring()).toJSON();
  assert.ok(epoch >= 2);
  assert.equal(ring.length, 2);
  assert.ok((await api.query.users.users(alice.address)).isSome);
});

test('sudo registers two storage clusters with keys made in JS', async () => {
  for (const uri of ['//E2eCluster1', '//E2eCluster2']) {
    const pair = clusterKey(uri);
    const operator = devAccount('//Eve');
    const { events } = await sudo(api,
      api.tx.topology.registerCluster(operator.address, pair.publicKey, `http://127.0.0.1:${4100 + clusters.length}`, 10n ** 12n), alice);
    const registered = findEvent(events, 'topology', 'ClusterRegistered');
    clusters.push({ id: registered.data.clusterId.toNumber(), pair });
  }
  const [, ring] = (await api.call.topologyApi.ring()).toJSON();
  assert.equal(ring.length, 4);
});

let mediaId;
let file;

test('a registered user registers media with receipts and gets a proof of existence', async () => {
  const reg = await submit(api, api.tx.users.register('bob', null), bob);
  assert.equal(reg.error, undefined);

  file = randomFile();
  const thumb = randomFile(512);
  const { events, error, blockHash } = await submit(api, api.tx.media.registerMedia(
    'Canal at dusk', [52370000, 4890000], 1700000000000,
    [original(file, bob), {
      kind: { Thumbnail: { width: 160, height: 90 } }, contentHash: thumb.hash, size: thumb.size,
      receipts: receiptsFor(thumb, bob),
    }],
  ), bob);
  assert.equal(error, undefined, JSON.stringify(error));
  const ev = findEvent(events, 'media', 'MediaRegistered');
  mediaId = ev.data.mediaId.toNumber();
  assert.equal(ev.data.contentHash.toHex(), file.hash);

  const proof = await api.call.mediaApi.proofOfExistence(file.hash);
  assert.ok(proof.isSome);
  const p = proof.unwrap();
  assert.equal(p.mediaId.toNumber(), mediaId);
  assert.equal(p.owner.toString(), bob.address);
  assert.equal(p.status.toString(), 'Active');
  assert.deepEqual(p.clusters.map((c) => c.toNumber()), clusters.map((c) => c.id));
  const header = await api.rpc.chain.getHeader(blockHash);
  assert.equal(p.blockNumber.toNumber(), header.number.toNumber());

  const thumbProof = (await api.call.mediaApi.proofOfExistence(thumb.hash)).unwrap();
  assert.equal(thumbProof.objectIndex.toNumber(), 1);
  const record = (await api.query.media.media(mediaId)).unwrap();
  assert.equal(record.title.toUtf8(), 'Canal at dusk');
  const held = await api.query.balances.holds(bob.address);
  assert.ok(held.some((h) => h.amount.eq(record.deposit)), 'the record says what it holds');
  assert.ok((await api.call.mediaApi.proofOfExistence(randomFile().hash)).isNone);
});

test('a tampered receipt is rejected with InvalidReceiptSignature', async () => {
  const other = randomFile();
  const obj = original(other, bob);
  const sig = hexToU8a(obj.receipts[1].signature);
  sig[10] ^= 0xff;
  obj.receipts[1].signature = sig;
  const { error } = await submit(api, api.tx.media.registerMedia('tampered', null, null, [obj]), bob);
  assert.deepEqual(error, { section: 'media', name: 'InvalidReceiptSignature' });
  assert.ok((await api.call.mediaApi.proofOfExistence(other.hash)).isNone);
});

test('a receipt is taken only while fresh: an hour-old one is ReceiptExpired', async () => {
  const late = randomFile();
  const issuedAt = Date.now() - api.consts.media.receiptLifetime.toNumber() - 60_000;
  const receipts = [0, 1].map((i) =>
    receipt(clusters[i].id, clusters[i].pair, genesis, hexToU8a(late.hash), late.size, bob.address, issuedAt));
  const { error } = await submit(api, api.tx.media.registerMedia('late', null, null,
    [{ kind: 'Original', contentHash: late.hash, size: late.size, receipts }]), bob);
  assert.deepEqual(error, { section: 'media', name: 'ReceiptExpired' });
  assert.ok((await api.call.mediaApi.proofOfExistence(late.hash)).isNone);
});

test('a duplicate content hash is rejected; the first registrant keeps it', async () => {
  const { error } = await submit(api, api.tx.media.registerMedia('copy', null, null, [original(file, alice)]), alice);
  assert.deepEqual(error, { section: 'media', name: 'ContentAlreadyRegistered' });
  assert.equal((await api.call.mediaApi.mediaByHash(file.hash)).unwrap().toNumber(), mediaId);
});

test('receipts from too few clusters are rejected', async () => {
  const lone = randomFile();
  const { error } = await submit(api, api.tx.media.registerMedia('lonely', null, null, [original(lone, bob, [0])]), bob);
  assert.deepEqual(error, { section: 'media', name: 'InsufficientReceipts' });
});

test('reactions and flags count per user', async () => {
  let r = await submit(api, api.tx.users.react(mediaId, 'Like'), alice);
  assert.equal(r.error, undefined);
  r = await submit(api, api.tx.users.react(mediaId, 'Dislike'), bob);
  assert.equal(r.error, undefined);
  let tally = await api.query.users.reactionCounts(mediaId);
  assert.deepEqual([tally.likes.toNumber(), tally.dislikes.toNumber()], [1, 1]);
  r = await submit(api, api.tx.users.react(mediaId, 'Like'), bob);
  tally = await api.query.users.reactionCounts(mediaId);
  assert.deepEqual([tally.likes.toNumber(), tally.dislikes.toNumber()], [2, 0]);

  r = await submit(api, api.tx.users.flag(mediaId, 'spam'), alice);
  assert.ok(findEvent(r.events, 'users', 'Flagged'));
  r = await submit(api, api.tx.users.flag(mediaId, 'spam again'), alice);
  assert.deepEqual(r.error, { section: 'users', name: 'AlreadyFlagged' });
  assert.equal((await api.query.users.flagCount(mediaId)).toNumber(), 1);
});

test('the owner deletes the media; the proof of existence stays as a tombstone', async () => {
  let r = await submit(api, api.tx.media.deleteMedia(mediaId), alice);
  assert.deepEqual(r.error, { section: 'media', name: 'NotOwner' });
  r = await submit(api, api.tx.media.deleteMedia(mediaId), bob);
  assert.equal(r.error, undefined);
  const p = (await api.call.mediaApi.proofOfExistence(file.hash)).unwrap();
  assert.equal(p.status.toString(), 'Deleted');
  assert.equal(p.owner.toString(), bob.address);
  r = await submit(api, api.tx.users.react(mediaId, 'Like'), alice);
  assert.deepEqual(r.error, { section: 'users', name: 'UnknownMedia' });
});
