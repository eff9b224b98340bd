// Paid originals end to end: a dev node, the two dev storage clusters, the gateway and
// the paratii CLI. A priced picture's original is served only with an access token of
// its owner or of an account that bought it (pti.buy); thumbnails stay public.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hexToU8a } from '@polkadot/util';
import { connect, devAccount, findEvent, PTI, submit, submitFinal } from '../lib/chain.mjs';
import { startNode } from '../lib/node.mjs';
import { accessToken } from '../lib/pti.mjs';
import { png, serviceBinary, startGateway, startStorage, upload } from '../lib/services.mjs';

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
const get = (path, token) => fetch(`${gateway.download}${path}`, token ? { headers: { 'x-paratii-access': token } } : {});

before(async () => {
  node = await startNode({ name: 'paid', ownClusters: true });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  storage.push(await startStorage(node, 1), await startStorage(node, 2));
  gateway = await startGateway(node);
  picture = png(800, 600);
  const { status, body } = await upload(gateway, { file: picture, title: 'Premium harbour', owner: alice.address });
  assert.equal(status, 201, JSON.stringify(body));
  const { events, error } = await submit(api, api.tx(api.createType('Call', body.call)), alice);
  assert.equal(error, undefined);
  id = findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
  assert.equal((await submitFinal(api, api.tx.pti.setPrice(id, 5n * PTI), alice)).error, undefined);
});

after(async () => {
  await gateway?.stop();
  for (const s of storage) await s.stop();
  await api?.disconnect();
  await node?.stop();
});

test('a priced original answers 402 without a token, 401 with a bad one, 403 to a non-buyer; thumbnails stay public', async () => {
  const none = await get(`/media/${id}`);
  assert.equal(none.status, 402);
  assert.match((await none.json()).error, /costs 5 PTI/);
  assert.equal((await get(`/media/${id}/objects/1`)).status, 200, 'the thumbnail is public');
  const cid = (await (await get(`/media/${id}/proof`)).json()).objects[0].cid;
  assert.equal((await get(`/ipfs/${cid}`)).status, 402, 'the same by CID');

  assert.equal((await get(`/media/${id}`, accessToken(bob, genesis, id, Date.now() - 1000))).status, 401, 'expired');
  assert.equal((await get(`/media/${id}`, accessToken(bob, genesis, id + 1, inAnHour()))).status, 401, 'another item');
  assert.equal((await get(`/media/${id}`, accessToken(bob, genesis, id, Date.now() + 3 * 3600_000))).status, 401, 'too long');
  const forged = `${alice.address}.${accessToken(bob, genesis, id, inAnHour()).split('.').slice(1).join('.')}`;
  assert.equal((await get(`/media/${id}`, forged)).status, 401, "Bob's signature under Alice's name");
  const notBought = await get(`/media/${id}`, accessToken(bob, genesis, id, inAnHour()));
  assert.equal(notBought.status, 403);
  assert.match((await notBought.json()).error, /has not bought/);

  const owner = await get(`/media/${id}`, accessToken(alice, genesis, id, inAnHour()));
  assert.equal(owner.status, 200);
  assert.equal(sha256(Buffer.from(await owner.arrayBuffer())), sha256(picture));
});

test('after buying, the buyer gets the original: through polkadot.js and a token, and through the paratii CLI', async () => {
  const { error } = await submitFinal(api, api.tx.pti.buy(id, 5n * PTI), bob);
  assert.equal(error, undefined);
  const bought = await get(`/media/${id}`, accessToken(bob, genesis, id, inAnHour()));
  assert.equal(bought.status, 200);
  assert.equal(sha256(Buffer.from(await bought.arrayBuffer())), sha256(picture));

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
