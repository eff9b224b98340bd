// Search and the catalogue end to end: a dev node, the real paratii-indexer following
// finalized blocks, polkadot.js registering media (receipts signed by the dev
// clusters' keys), the paratii CLI, and — for views — the storage clusters and the
// gateway counting completed views on chain as the dev view recorder //Gateway.
//
//   1. prefixes, typos, case and accents; the exact title first; filters; bad queries
//      get 400s; a deleted item leaves the results after finality;
//   2. the indexer killed and restarted resumes from its position, every item once;
//   3. a fresh indexer catches up with a chain of 500+ media items (rate printed);
//   4. views through the gateway reach the chain and /media?order=most_viewed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hexToU8a } from '@polkadot/util';
import { connect, devAccount, findEvent, PTI, submit } from '../lib/chain.mjs';
import { startNode, waitFor } from '../lib/node.mjs';
import { sessionToken } from '../lib/pti.mjs';
import { clusterKey, randomFile, receipt } from '../lib/receipts.mjs';
import {
  metric, png, serviceBinary, startGateway, startIndexer as startIndexerOf, startStorage, upload,
} from '../lib/services.mjs';

const alice = devAccount('//Alice');
const bob = devAccount('//Bob');
const charlie = devAccount('//Charlie');
const dave = devAccount('//Dave');
const eve = devAccount('//Eve');
const ferdie = devAccount('//Ferdie');
const CLUSTERS = [{ id: 0, pair: clusterKey('//Cluster1') }, { id: 1, pair: clusterKey('//Cluster2') }];

let node;
let api;
let genesis;
let indexer;
const registered = new Map(); // media id -> title, every item registered in this file

/** Starts paratii-indexer on a free port with `dataDir`. */
const startIndexer = (dataDir) => startIndexerOf(node, dataDir);

const get = async (path, base = indexer.url) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
};

/** Waits until the chain has finalized `blockHash` and `idx` has indexed it. */
async function indexed(blockHash, idx = indexer) {
  const number = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  await waitFor(`block #${number} finalized and indexed`, async () => {
    const health = (await get('/health', idx.url)).body;
    return health.indexed_block >= number;
  }, { timeoutMs: 120_000 });
  return number;
}

/** An original object with receipts from both dev clusters. */
function original(owner) {
  const file = randomFile(1024);
  return {
    kind: 'Original',
    contentHash: file.hash,
    size: file.size,
    receipts: CLUSTERS.map((c) => receipt(c.id, c.pair, genesis, hexToU8a(file.hash), file.size, owner.address)),
  };
}

/**
 * Registers one media item per title, owned by `owner`, submitting them all at once
 * with consecutive nonces. Resolves with `{ ids, lastBlock }` when all are in blocks.
 */
async function registerAll(titles, owner, { location = null } = {}) {
  let nonce = (await api.rpc.system.accountNextIndex(owner.address)).toNumber();
  const included = titles.map(async (title) => {
    const { events, error, blockHash } = await submit(api, api.tx.media.registerMedia(title, location, null, [original(owner)]),
      owner, { nonce: nonce++ });
    if (error) throw new Error(`registerMedia(${title}): ${error.section}.${error.name}`);
    const id = findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
    return { id, title, blockHash: blockHash.toHex() };
  });
  const done = await Promise.all(included);
  for (const { id, title } of done) registered.set(id, title);
  let lastBlock = done[0].blockHash;
  let last = 0;
  for (const { blockHash } of done) {
    const n = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    if (n >= last) [last, lastBlock] = [n, blockHash];
  }
  return { ids: done.map((d) => d.id), lastBlock };
}

const search = async (q, extra = '') => get(`/search?q=${encodeURIComponent(q)}${extra}`);
const hitIds = async (q, extra) => {
  const { status, body } = await search(q, extra);
  assert.equal(status, 200, JSON.stringify(body));
  return body.hits.map((h) => h.media.id);
};

/** Every item of the catalogue in `order`, page by page. */
async function wholeCatalogue(order, limit = 7) {
  const items = [];
  let cursor;
  for (;;) {
    const { status, body } = await get(`/media?order=${order}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(status, 200, JSON.stringify(body));
    items.push(...body.items);
    if (!body.next_cursor) return items;
    cursor = body.next_cursor;
  }
}

before(async () => {
  node = await startNode({ name: 'search', ownClusters: true });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  // Views count only for registered users: Bob and Charlie are, Dave is not.
  for (const [name, pair] of [['bob', bob], ['charlie', charlie]]) {
    const { error } = await submit(api, api.tx.users.register(name, null), pair);
    assert.equal(error, undefined, `${name} registers`);
  }
  indexer = await startIndexer(mkdtempSync(join(tmpdir(), 'paratii-indexer-')));
});

after(async () => {
  await indexer?.stop();
  await api?.disconnect();
  await node?.stop();
});

const ids = {};

test('search finds titles by prefix, typo, case and accents, ranks the exact title first, filters, and drops deleted media', async () => {
  const titles = [
    'Sunset over Lisbon',
    'sunset OVER lisbon harbour at dusk',
    'Pôr do Sol em Lisboa',
    'Café at the Sunset Boulevard',
    'Morning fog in Porto',
    'Lisbon trams',
  ];
  const lisbon = { location: [38_722_300, -9_139_300] };
  const { ids: aliceIds } = await registerAll(titles, alice, lisbon);
  titles.forEach((t, i) => { ids[t] = aliceIds[i]; });
  const { ids: [bobs], lastBlock } = await registerAll(['Sunset in Porto, by Bob'], bob);
  await indexed(lastBlock);

  const [lisbonExact, lisbonHarbour, porDoSol, cafe, fog, trams] = aliceIds;
  // The last word is a prefix ("sun" → Sunset).
  assert.deepEqual((await hitIds('sun')).sort(), [lisbonExact, lisbonHarbour, cafe, bobs].sort());
  assert.deepEqual((await hitIds('morning fo')), [fog]);
  // One typo in a word of five letters or more, anywhere in the query — in the word
  // being typed too, as a prefix: "lisbn" is one letter from "lisbo", Lisboa's start.
  assert.deepEqual((await hitIds('lisbn')).sort(), [lisbonExact, lisbonHarbour, porDoSol, trams].sort());
  assert.deepEqual((await hitIds('sunet lisbon')).sort(), [lisbonExact, lisbonHarbour].sort());
  // Short words must be exact: "fig" is not "fog".
  assert.deepEqual(await hitIds('fig in porto'), []);
  // Case and accents fold both ways.
  assert.deepEqual(await hitIds('POR DO SOL'), [porDoSol]);
  assert.equal((await hitIds('LISBÔA'))[0], porDoSol);
  assert.deepEqual(await hitIds('cafe'), [cafe]);
  // The exact title ranks first, the longer title with the same words after it.
  const ranked = await hitIds('sunset over lisbon');
  assert.deepEqual(ranked.slice(0, 2), [lisbonExact, lisbonHarbour]);
  const { body } = await search('Sunset over Lisbon');
  assert.ok(body.hits[0].score > body.hits[1].score);
  assert.equal(body.hits[0].media.title, 'Sunset over Lisbon');
  assert.equal(body.hits[0].media.owner, alice.address);
  assert.deepEqual(body.hits[0].media.location, { latitude: 38.7223, longitude: -9.1393 });
  assert.equal(body.hits[0].media.objects[0].kind, 'original');
  assert.match(body.hits[0].media.objects[0].cid, /^bafkrei/);

  // Filters: owner, capture place, registration date.
  assert.deepEqual(await hitIds('sunset', `&owner=${bob.address}`), [bobs]);
  assert.deepEqual((await hitIds('sunset', '&bbox=38.6,-9.3,38.8,-9.0')).sort(), [lisbonExact, lisbonHarbour, cafe].sort());
  assert.deepEqual(await hitIds('sunset', '&to=2000-01-01'), []);
  assert.equal((await hitIds('sunset', `&from=${Date.now() - 3_600_000}`)).length, 4);

  // Owners' display names are searched too (Bob registered as "bob"), and each hit's
  // title comes highlighted, HTML-escaped.
  assert.deepEqual(await hitIds('bob'), [bobs]);
  const { body: marked } = await search('lisbn harb');
  assert.equal(marked.hits[0].highlighted_title, 'sunset OVER <mark>lisbon</mark> <mark>harbour</mark> at dusk');
  // Nothing typed: a browse, newest first, with the facets of everything it matches.
  for (const path of ['/search?q=&limit=100&facets=true', '/search?q=%20%20&limit=100&facets=true']) {
    const { status, body: browse } = await get(path);
    assert.equal(status, 200, path);
    assert.equal(browse.sort, 'newest');
    assert.equal(browse.hits[0].media.id, Math.max(...browse.hits.map((h) => h.media.id)));
    assert.equal(browse.total, browse.hits.length);
    assert.equal(browse.facets.kind.other, browse.total, 'registered without thumbnails: other');
    assert.equal(browse.facets.price.free, browse.total);
    assert.deepEqual(browse.facets.owner[0], { value: alice.address, count: 6 });
    assert.equal(browse.facets.year[String(new Date().getUTCFullYear())], browse.total);
  }
  assert.deepEqual(await hitIds('sunset', '&kind=video'), []);
  assert.deepEqual(await hitIds('sunset', '&price=paid'), []);
  // A price set on chain reaches the index: filters, sorts and the record have it.
  const priced = await submit(api, api.tx.pti.setPrice(trams, 2n * PTI), alice);
  assert.equal(priced.error, undefined);
  await indexed(priced.blockHash);
  assert.deepEqual(await hitIds('lisbon', '&price=paid'), [trams]);
  assert.equal((await hitIds('lisbon', '&sort=price_desc'))[0], trams);
  const { body: tramHit } = await search('trams');
  assert.equal(tramHit.hits[0].media.price, String(2n * PTI));
  assert.equal(tramHit.hits[0].media.owner_name, 'alice');

  // Bad queries: 400 with the reason, for search and the catalogue.
  for (const [path, why] of [
    ['/search?q=...', /no letters or digits/],
    ['/search?q=sun&kind=song', /kind/],
    ['/search?q=sun&price=cheap', /price/],
    ['/search?q=sun&sort=best', /sort/],
    ['/search?q=sun&facets=yes', /facets/],
    [`/search?q=${'a'.repeat(201)}`, /over 200 characters/],
    ['/search?q=sun&limit=abc', /limit/],
    ['/search?q=sun&limit=1000', /limit must be 1..=100/],
    ['/search?q=sun&offset=-1', /offset/],
    ['/search?q=sun&owner=nobody', /owner/],
    ['/search?q=sun&bbox=1,2,3', /bbox/],
    ['/search?q=sun&from=yesterday', /from/],
    ['/media?order=best', /order/],
    ['/media?cursor=xyz', /cursor/],
    ['/media/abc', /not a media id/],
  ]) {
    const { status, body: err } = await get(path);
    assert.equal(status, 400, path);
    assert.match(err.error, why, path);
  }
  assert.equal((await get('/media/999999')).status, 404);

  // The paratii CLI asks the indexer.
  const cli = spawnSync(serviceBinary('paratii'), ['--indexer-url', indexer.url, 'search', 'sunset', 'over', 'lisbon'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout.split('\n')[1], new RegExp(`^\\s*${lisbonExact}\\s+Sunset over Lisbon\\s`));
  const json = spawnSync(serviceBinary('paratii'), ['--indexer-url', indexer.url, '--json', 'search', 'trams'], { encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).hits.map((h) => h.media.id), [trams]);
  const none = spawnSync(serviceBinary('paratii'), ['--indexer-url', indexer.url, 'search', 'zanzibar'], { encoding: 'utf8' });
  assert.equal(none.status, 1);

  // Deleted: gone from search and the catalogue once final; the record says so.
  const { error, blockHash } = await submit(api, api.tx.media.deleteMedia(lisbonExact), alice);
  assert.equal(error, undefined);
  await indexed(blockHash);
  assert.ok(!(await hitIds('sunset over lisbon')).includes(lisbonExact));
  assert.ok(!(await wholeCatalogue('newest')).some((m) => m.id === lisbonExact));
  const record = await get(`/media/${lisbonExact}`);
  assert.equal(record.status, 200);
  assert.equal(record.body.status, 'deleted');
  registered.delete(lisbonExact);
});

test('the indexer, killed and restarted, resumes from its position and holds every item exactly once', async () => {
  const before = (await get('/health')).body;
  await indexer.kill(); // SIGKILL: no chance to tidy up
  const titles = Array.from({ length: 20 }, (_, i) => `While the indexer was down #${i}`);
  const { lastBlock } = await registerAll(titles, alice);
  indexer = await startIndexer(indexer.dataDir);
  const number = await indexed(lastBlock);
  const log = readFileSync(indexer.logPath, 'utf8');
  const resumed = log.match(/resuming after block #(\d+)/);
  assert.ok(resumed, `the log says where it resumed:\n${log}`);
  assert.ok(Number(resumed[1]) >= before.indexed_block && Number(resumed[1]) < number);
  assert.doesNotMatch(log, /indexing from genesis/);

  const newest = await wholeCatalogue('newest');
  const seen = newest.map((m) => m.id);
  assert.equal(new Set(seen).size, seen.length, 'no item twice');
  assert.deepEqual([...seen].sort((a, b) => a - b), [...registered.keys()].sort((a, b) => a - b));
  assert.deepEqual(seen, [...seen].sort((a, b) => b - a), 'newest first');
  assert.deepEqual(await hitIds('indexer was down 7', '&limit=1'), [newest.find((m) => m.title.endsWith('#7')).id]);
});

test('a fresh indexer catches up with a chain of 500 media items and answers', async () => {
  const titles = Array.from({ length: 500 }, (_, i) => `Harbour clip ${String(i).padStart(3, '0')} from the pier`);
  const { lastBlock } = await registerAll(titles, alice);
  await indexed(lastBlock); // the running indexer too
  const fresh = await startIndexer(mkdtempSync(join(tmpdir(), 'paratii-indexer-fresh-')));
  try {
    await indexed(lastBlock, fresh);
    const health = (await get('/health', fresh.url)).body;
    assert.equal(health.media, registered.size + 1, 'every item, the deleted one included');
    const { body } = await get(`/search?q=${encodeURIComponent('harbour clip 417')}&limit=1`, fresh.url);
    assert.equal(body.hits[0].media.title, 'Harbour clip 417 from the pier');
    assert.equal((await get('/search?q=harbour%20clip', fresh.url)).body.total, 500);
    const caught = readFileSync(fresh.logPath, 'utf8').match(/caught up at #\d+: .*/);
    assert.ok(caught, 'the catch-up line is logged');
    console.log(`catch-up: ${caught[0]}`);
  } finally {
    await fresh.stop();
  }
});

test('views in viewer sessions are counted on chain, for registered users once per window, and order the catalogue', async () => {
  const storage = [await startStorage(node, 1), await startStorage(node, 2)];
  const gateway = await startGateway(node, { extra: ['--view-recorder-suri', '//Gateway', '--view-batch-secs', '1'] });
  try {
    const { status, body } = await upload(gateway, { file: png(640, 360), title: 'Most watched tram ride', owner: alice });
    assert.equal(status, 201, JSON.stringify(body));
    const { events, error } = await submit(api, api.tx(api.createType('Call', body.call)), alice);
    assert.equal(error, undefined);
    const id = findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
    await waitFor('the media to be final', async () => (await fetch(`${gateway.download}/media/${id}`, { method: 'HEAD' })).ok);

    // Each viewer watches in a session signed by their own key.
    const inAnHour = Date.now() + 3600_000;
    const watch = async (viewer, path = `/media/${id}`, init = {}) => {
      const headers = { 'x-paratii-session': sessionToken(viewer, genesis, inAnHour), ...init.headers };
      const res = await fetch(`${gateway.download}${path}`, { ...init, headers });
      assert.ok(res.ok, `${path}: ${res.status}`);
      await res.arrayBuffer();
    };
    await watch(bob);
    await watch(bob); // the same viewer again within the window
    await watch(charlie);
    await watch(dave, `/media/${id}`, { method: 'HEAD' }); // no body: not a view
    await watch(dave, `/media/${id}/objects/1`); // a thumbnail: not a view
    await watch(dave); // a view, but Dave is not a registered user: the chain does not count it
    // One-byte probes in Eve's session: a byte is not a view.
    for (let i = 0; i < 5; i++) await watch(eve, `/media/${id}`, { headers: { range: 'bytes=-1' } });
    // A name in the URL, unsigned, is nobody's view; a made-up session is refused.
    assert.ok((await fetch(`${gateway.download}/media/${id}?viewer=${ferdie.address}`)).ok);
    const bad = await fetch(`${gateway.download}/media/${id}`, { headers: { 'x-paratii-session': 'nobody' } });
    assert.equal(bad.status, 401);

    // Reported to the recorder: Bob's two views, Charlie's and Dave's; not the HEAD, the
    // thumbnail, the probes or the unsigned name.
    assert.equal(await metric(gateway.download, 'paratii_gateway_views_total', { fate: 'queued' }), 4);
    const reached = await waitFor('2 views on chain', async () => {
      const header = await api.rpc.chain.getHeader();
      return (await (await api.at(header.hash)).query.users.views(id)).toNumber() === 2 && header.number.toNumber();
    }, { timeoutMs: 120_000 });
    assert.ok(await metric(gateway.download, 'paratii_gateway_views_total', { fate: 'repeated' }) >= 1);
    // ...and it stays 2: a view counted twice, or a HEAD or thumbnail counted, would come in
    // a later batch (one a second, each in the next block). Every block up to 3 after the
    // one that reached 2, and the finalized state then, still say 2.
    await waitFor(`block #${reached + 3}`, async () => (await api.rpc.chain.getHeader()).number.toNumber() >= reached + 3,
      { timeoutMs: 60_000 });
    for (let n = reached; n <= reached + 3; n++) {
      const at = await api.at(await api.rpc.chain.getBlockHash(n));
      assert.equal((await at.query.users.views(id)).toNumber(), 2, `views of #${id} at block #${n}`);
    }
    await waitFor('the batches to be finalized', async () =>
      await metric(gateway.download, 'paratii_gateway_views_total', { fate: 'counted' }) >= 2, { timeoutMs: 120_000 });
    assert.equal(await metric(gateway.download, 'paratii_gateway_views_total', { fate: 'counted' }), 2,
      'the chain counted 2 views of the gateway\'s batches');
    await waitFor('Dave\'s view refused on chain', async () =>
      await metric(gateway.download, 'paratii_gateway_views_total', { fate: 'unregistered' }) === 1, { timeoutMs: 120_000 });
    const finalized = await api.at(await api.rpc.chain.getFinalizedHead());
    assert.equal((await finalized.query.users.views(id)).toNumber(), 2, 'finalized: 2 views');
    await waitFor('the indexer to rank it most viewed', async () => {
      const { body: page } = await get('/media?order=most_viewed&limit=1');
      return page.items[0]?.id === id && page.items[0].views === 2;
    }, { timeoutMs: 120_000 });
    assert.equal((await get(`/media/${id}`)).body.views, 2);
  } finally {
    await gateway.stop();
    for (const s of storage) await s.stop();
  }
});
