// Pay as you watch end to end: a dev node, the two dev storage clusters, the gateway as
// the hub of payment channels (`--hub-suri`) and the paratii CLI. Three owners' clips
// (made here by ffmpeg from lavfi sources) are priced per minute; a viewer opens one
// channel and watches all three to the end with `paratii download --pay`, a voucher per
// segment and no transaction after the open; a viewer who stops signing, a replayed,
// stale, foreign or over-deposit voucher gets no segment; the gateway killed with
// SIGKILL mid-video keeps every voucher of what it served (the payer loses at most the
// segment in flight); the gateway settles on its own (here at a threshold of one
// planck: whatever it holds), each owner and the fund paid exactly the segments'
// prices; a channel whose open is not final yet gets its first segment on credit and
// the next once it is. The settlement before the expiry and the payer's close after the challenge
// period are the player's test (tests/e2e/player/micropay.test.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { connect, devAccount, findEvent, PTI, submit } from '../lib/chain.mjs';
import { finalizedHeadNumber } from '../lib/tx.mjs';
import {
  expectSettled, fundAndRegister, paratii, paratiiOk, segmentPrice, uploadPriced, voucher as signVoucher,
} from '../lib/micropay.mjs';
import { sessionToken } from '../lib/pti.mjs';
import { startNode } from '../lib/node.mjs';
import { startGateway, startStorage } from '../lib/services.mjs';

const work = mkdtempSync(join(tmpdir(), 'paratii-micropay-'));
const ledger = join(work, 'vouchers.log');
// The gateway serves nothing against a channel this many blocks before its expiry.
const MARGIN = 5;
const DEPOSIT = 10n * PTI;
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const fresh = (name) => {
  const suri = mnemonicGenerate();
  return { suri, pair: keyring.addFromUri(suri), name };
};

let node;
let api;
let genesis;
let gateway;
const storage = [];
const owners = [6n, 12n, 3n].map((tenths, i) => ({ ...fresh(`owner${i}`), minutePrice: tenths * PTI / 10n }));
const viewer = fresh();
const hasty = fresh(); // plays before its channel's open is final (last: its payments are not counted above)
let channel;
let before0; // the owners' free balances before the viewing

const ok = (...args) => paratiiOk(node, gateway, ...args);
const voucher = (key, ch, media, cumulative, chain = genesis) => signVoucher(key, chain, ch, media, cumulative);
const segment = (id, n, headers = {}) => fetch(`${gateway.download}/media/${id}/hls/240p/${n}.m4s`, { headers });
const held = async () => (await (await fetch(`${gateway.download}/micropay/channels/${channel}`)).json());
const heldFor = async (id) => BigInt((await held()).items.find((i) => i.media === id)?.cumulative ?? 0);
const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();

const startHub = () => startGateway(node, {
  extra: ['--hub-suri', '//Gateway', '--voucher-ledger', ledger, '--settle-every-secs', '1',
    '--expiry-margin', String(MARGIN), '--settle-threshold', '1'],
});

before(async () => {
  node = await startNode({ name: 'micropay-gateway', ownClusters: true });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  storage.push(await startStorage(node, 1), await startStorage(node, 2));
  gateway = await startHub();
  await fundAndRegister(api, [...owners, viewer, hasty]);
});

after(async () => {
  await gateway?.stop();
  for (const s of storage) await s.stop();
  await api?.disconnect();
  await node?.stop();
});

test('three owners upload clips with the CLI and price them per minute; prices.json lists each segment', async () => {
  await uploadPriced(api, node, gateway, work, owners);
  for (const owner of owners) {
    const manifest = await (await fetch(`${gateway.download}/media/${owner.id}/hls/240p/index.m3u8`)).text();
    const durations = [...manifest.matchAll(/#EXTINF:([0-9.]+)/g)].map((m) => Number(m[1]));
    assert.ok(durations.length >= 3, manifest);
    assert.deepEqual(owner.prices, durations.map((d) => segmentPrice(owner.minutePrice, d)));
  }
  const prices = await (await fetch(`${gateway.download}/media/${owners[0].id}/hls/240p/prices.json`)).json();
  assert.equal(prices.hub, devAccount('//Gateway').address);
  // Not priced per minute: no prices.
  assert.equal((await fetch(`${gateway.download}/media/99999/hls/240p/prices.json`)).status, 404);
});

test('a viewer opens one channel and watches all three to the end, a voucher a segment, no transaction after the open', async () => {
  const opened = JSON.parse(await ok('channel', 'open', '--deposit', '10', '--valid-for', '200', '--suri', viewer.suri, '--json'));
  channel = opened.channel;
  assert.equal(opened.deposit, DEPOSIT.toString());
  before0 = await Promise.all(owners.map((o) => free(o.pair.address)));
  const nonce = (await api.query.system.account(viewer.pair.address)).nonce.toNumber();
  for (const owner of owners) {
    const file = join(work, `watched-${owner.id}.mp4`);
    const out = await paratii(node, gateway, 'download', String(owner.id), '--pay', '--suri', viewer.suri, '-o', file);
    assert.equal(out.code, 0, out.stderr);
    const total = owner.total;
    assert.match(out.stderr, new RegExp(`with channel ${channel}`));
    assert.ok(statSync(file).size > 10_000, 'the whole rendition was written');
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    assert.ok(Math.abs(Number(probe.stdout) - 12) < 1, `watched to the end: ${probe.stdout} s`);
    assert.equal(await heldFor(owner.id), total, 'the gateway holds a voucher for every segment');
  }
  assert.equal((await api.query.system.account(viewer.pair.address)).nonce.toNumber(), nonce,
    'no transaction of the viewer while watching');
  const status = JSON.parse(await ok('channel', 'status', String(channel), '--json'));
  assert.equal(status.vouchers.length, 3);
  assert.equal(status.deposit, DEPOSIT.toString());
});

test('no voucher, a replayed, stale, foreign or over-deposit one, or another channel gets no segment; the owner watches free', async () => {
  const [a] = owners;
  const key = viewer.pair;
  const was = await heldFor(a.id);
  const refused = async (headers, pattern, status = 402) => {
    const r = await segment(a.id, 0, headers);
    const body = await r.json();
    assert.equal(r.status, status, JSON.stringify(body));
    assert.match(body.error, pattern);
    return r;
  };
  const none = await refused({}, /costs .* a minute: this segment costs/);
  assert.equal(none.headers.get('x-paratii-price'), a.prices[0].toString());
  const h = (v) => ({ 'x-paratii-voucher': v });
  await refused(h(voucher(key, channel, a.id, was)), /must cover/); // the last one, replayed
  await refused(h(voucher(key, channel, a.id, was - 1n)), /must cover/); // stale
  await refused(h(voucher(key, channel, a.id, was + a.prices[0] - 1n)), /must cover/); // short of the price
  await refused(h(voucher(devAccount('//Eve'), channel, a.id, was + a.prices[0])), /not the channel signer/);
  await refused(h(voucher(key, channel, a.id, was + a.prices[0], new Uint8Array(32))), /not the channel signer/);
  await refused(h(voucher(key, channel, owners[1].id, was + a.prices[0])), /not the channel signer/); // another item's
  await refused(h(voucher(key, channel + 1000, a.id, was + a.prices[0])), /no open channel/);
  await refused(h(voucher(key, channel, a.id, DEPOSIT)), /top it up/);
  await refused(h('not a voucher'), /is not \{channel\}/, 400);
  assert.equal(await heldFor(a.id), was, 'nothing refused was kept');
  // Its owner needs no voucher.
  const own = await segment(a.id, 0, { 'x-paratii-session': sessionToken(a.pair, genesis, Date.now() + 600_000) });
  assert.equal(own.status, 200);
  await own.arrayBuffer();
});

test('the gateway killed with SIGKILL mid-video keeps the vouchers of what it served: the payer loses at most one segment', async () => {
  const b = owners[1];
  let cumulative = await heldFor(b.id);
  const paid = async (n) => {
    cumulative += b.prices[n];
    const r = await segment(b.id, n, { 'x-paratii-voucher': voucher(viewer.pair, channel, b.id, cumulative) });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(r.headers.get('x-paratii-paid'), cumulative.toString(), JSON.stringify([...r.headers]));
    await r.arrayBuffer();
  };
  await paid(0);
  const served = cumulative;
  // The next segment's request, and the kill while it is in flight.
  cumulative += b.prices[1];
  const inFlight = segment(b.id, 1, { 'x-paratii-voucher': voucher(viewer.pair, channel, b.id, cumulative) })
    .then((r) => r.arrayBuffer()).catch(() => undefined);
  await gateway.kill();
  await inFlight;
  gateway = await startHub();
  const kept = await heldFor(b.id);
  assert.ok(kept === served || kept === cumulative, `kept ${kept}: served ${served}, in flight ${cumulative}`);
  // Playback goes on from what the restarted gateway holds.
  cumulative = kept;
  await paid(2);
  assert.equal(await heldFor(b.id), cumulative);
});

test('the gateway settles what it holds on its own, each owner and the fund paid exactly; the payer may not close before the expiry', async () => {
  for (const o of owners) o.paid = await heldFor(o.id);
  await expectSettled(api, channel, owners, before0);
  const early = await paratii(node, gateway, 'channel', 'close', String(channel), '--suri', viewer.suri);
  assert.equal(early.code, 3, early.stderr);
  assert.match(early.stderr, /ChallengePeriodNotOver/);
});

test('a channel whose open is not final yet gets one segment of credit, the next once it is final', async () => {
  const [a] = owners;
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const hub = devAccount('//Gateway').address;
  const opened = await submit(api, api.tx.micropay.open(hub, hasty.pair.publicKey, 2n * PTI, now + 200), hasty.pair);
  const ch = findEvent(opened.events, 'micropay', 'Opened').data.channel.toNumber();
  const block = (await api.rpc.chain.getHeader(opened.blockHash)).number.toNumber();
  const pay = (n, cumulative) => segment(a.id, n, { 'x-paratii-voucher': voucher(hasty.pair, ch, a.id, cumulative) });
  const first = await pay(0, a.prices[0]);
  assert.equal(first.status, 200, await first.clone().text());
  await first.arrayBuffer();
  const second = await pay(1, a.prices[0] + a.prices[1]);
  assert.ok(await finalizedHeadNumber(api) < block, 'the open was not final while the two segments were asked for');
  assert.equal(second.status, 402);
  assert.match((await second.json()).error, /not final yet: one segment is served on credit/);
  await gateway.follows(block);
  const later = await pay(1, a.prices[0] + a.prices[1]);
  assert.equal(later.status, 200, await later.clone().text());
  await later.arrayBuffer();
});
