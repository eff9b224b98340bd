// Paid originals end to end: a dev node, the two dev storage clusters, the gateway and
// the paratii CLI. A priced picture's original is served only to a viewer session (or a
// link the gateway signs from one) of its owner or of an account that bought it
// (pti.buy); thumbnails stay public.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { connect, devAccount, findEvent, PTI, submit, submitFinal } from '../lib/chain.mjs';
import { startNode } from '../lib/node.mjs';
import { sessionToken } from '../lib/pti.mjs';
import { clusterFetch, png, serviceBinary, startGateway, startStorage, upload } from '../lib/services.mjs';

const alice = devAccount('//Alice');
const bob = devAccount('//Bob');
const charlie = devAccount('//Charlie');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

let node;
let api;
let genesis;
let gateway;
const storage = [];
let id;
let picture;

const inAnHour = () => Date.now() + 30 * 60 * 1000;
const get = (path, session) => fetch(`${gateway.download}${path}`, session ? { headers: { 'x-paratii-session': session } } : {});

before(async () => {
  node = await startNode({ name: 'paid', ownClusters: true });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  storage.push(await startStorage(node, 1), await startStorage(node, 2));
  gateway = await startGateway(node);
  picture = png(800, 600);
  const { status, body } = await upload(gateway, { file: picture, title: 'Premium harbour', owner: alice });
  assert.equal(status, 201, JSON.stringify(body));
  const { events, error } = await submit(api, api.tx(api.createType('Call', body.call)), alice);
  assert.equal(error, undefined);
  id = findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
  const priced = await submitFinal(api, api.tx.pti.setPrice(id, 5n * PTI), alice);
  assert.equal(priced.error, undefined);
  await gateway.follows(priced.blockNumber);
});

after(async () => {
  await gateway?.stop();
  for (const s of storage) await s.stop();
  await api?.disconnect();
  await node?.stop();
});

test('a priced original answers 402 without a session, 401 with a bad one, 403 to a non-buyer; thumbnails stay public', async () => {
  const none = await get(`/media/${id}`);
  assert.equal(none.status, 402);
  assert.match((await none.json()).error, /costs 5 PTI/);
  assert.equal((await get(`/media/${id}/objects/1`)).status, 200, 'the thumbnail is public');
  const cid = (await (await get(`/media/${id}/proof`)).json()).objects[0].cid;
  assert.equal((await get(`/ipfs/${cid}`)).status, 402, 'the same by CID');

  assert.equal((await get(`/media/${id}`, sessionToken(bob, genesis, Date.now() - 1000))).status, 401, 'expired');
  assert.equal((await get(`/media/${id}`, sessionToken(bob, genesis, Date.now() + 13 * 3600_000))).status, 401, 'too long');
  const forged = `${alice.address}.${sessionToken(bob, genesis, inAnHour()).split('.').slice(1).join('.')}`;
  assert.equal((await get(`/media/${id}`, forged)).status, 401, "Bob's signature under Alice's name");
  // The old ways of naming someone, in the URL, name nobody.
  assert.equal((await fetch(`${gateway.download}/media/${id}?viewer=${alice.address}&access=x`)).status, 402);
  const notBought = await get(`/media/${id}`, sessionToken(bob, genesis, inAnHour()));
  assert.equal(notBought.status, 403);
  assert.match((await notBought.json()).error, /has not bought/);

  // Alice's session, signed by a browser wallet (wrapped in <Bytes>).
  const owner = await get(`/media/${id}`, sessionToken(alice, genesis, inAnHour(), { wrap: true }));
  assert.equal(owner.status, 200);
  assert.equal(sha256(Buffer.from(await owner.arrayBuffer())), sha256(picture));
  // Only for her: no shared cache (a CDN) may keep it and hand it to the next person.
  assert.match(owner.headers.get('cache-control'), /^private/);
  assert.match(owner.headers.get('vary'), /x-paratii-session/);
  assert.match((await get(`/media/${id}/objects/1`)).headers.get('cache-control'), /^public/);
  // Nor does it come straight from a storage cluster, whose endpoint the chain lists.
  const direct = await clusterFetch(storage[0], 'GET', sha256(picture), { unsigned: true });
  assert.equal(direct.status, 401, 'a cluster serves gateways only');
});

test('after buying, the buyer gets the original: through a session, a link for <video src>, and the paratii CLI', async () => {
  const { error } = await submitFinal(api, api.tx.pti.buy(id, 5n * PTI), bob);
  assert.equal(error, undefined);
  const session = sessionToken(bob, genesis, inAnHour());
  const bought = await get(`/media/${id}`, session);
  assert.equal(bought.status, 200);
  assert.equal(sha256(Buffer.from(await bought.arrayBuffer())), sha256(picture));
  // A link: what a <video src> carries instead of a header, for this item and viewer only.
  const linked = await fetch(`${gateway.download}/media/${id}/link`, { method: 'POST', headers: { 'x-paratii-session': session } });
  assert.equal(linked.status, 200);
  const { url, link, expires_ms: expires } = await linked.json();
  assert.ok(expires > Date.now() && expires <= Date.now() + 10 * 60_000 + 5_000, 'ten minutes');
  const viaLink = await fetch(`${gateway.download}${url}`);
  assert.equal(viaLink.status, 200);
  assert.equal(sha256(Buffer.from(await viaLink.arrayBuffer())), sha256(picture));
  // Another media item (a free one: a bad link is refused whatever the price).
  const other = await upload(gateway, { file: png(64, 48), title: 'Free harbour', owner: alice });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  const registered = await submitFinal(api, api.tx(api.createType('Call', other.body.call)), alice);
  const otherId = findEvent(registered.events, 'media', 'MediaRegistered').data.mediaId.toNumber();
  assert.equal((await fetch(`${gateway.download}/media/${otherId}?link=${link}`)).status, 401, 'another item');
  const stolen = link.replace(/^0x[0-9a-f]{64}/, u8aToHex(decodeAddress(charlie.address)));
  assert.equal((await fetch(`${gateway.download}/media/${id}?link=${stolen}`)).status, 401, 'another viewer');
  assert.equal((await fetch(`${gateway.download}/media/${id}/link`, { method: 'POST' })).status, 401, 'no session, no link');

  const cli = (...args) => spawnSync(serviceBinary('paratii'), [
    '--chain', node.ws, '--upload-url', gateway.upload, '--download-url', gateway.download, ...args,
  ], { encoding: 'utf8', timeout: 180_000 });
  const out = join(mkdtempSync(join(tmpdir(), 'paratii-paid-')), 'premium.png');
  const refused = cli('download', String(id), '-o', out, '--suri', '//Charlie');
  assert.equal(refused.status, 3, refused.stderr);
  assert.match(refused.stderr, /403/);
  const buy = cli('buy', String(id), '--suri', '//Charlie');
  assert.equal(buy.status, 0, buy.stderr);
  assert.match(buy.stdout, /bought media/);
  assert.ok((await api.query.pti.purchases(id, charlie.address)).isSome);
  const again = cli('buy', String(id), '--suri', '//Charlie');
  assert.equal(again.status, 3, 'a second purchase is refused');
  assert.match(again.stderr, /AlreadyPurchased/);
  const downloaded = cli('download', String(id), '-o', out, '--suri', '//Charlie');
  assert.equal(downloaded.status, 0, downloaded.stderr);
  assert.equal(sha256(readFileSync(out)), sha256(picture));
});
