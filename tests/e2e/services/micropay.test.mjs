// Pay as you watch end to end: a dev node, the two dev storage clusters, the gateway as
// the hub of payment channels (`--hub-suri`) and the paratii CLI. Three owners' clips
// (made here by ffmpeg from lavfi sources) are priced per minute; a viewer opens one
// channel and watches all three to the end with `paratii download --pay`, a voucher per
// segment and no transaction after the open; a viewer who stops signing, a replayed,
// stale, foreign or over-deposit voucher gets no segment; the gateway killed with
// SIGKILL mid-video keeps every voucher of what it served (the payer loses at most the
// segment in flight); the gateway settles on its own before the expiry, each owner and
// the fund paid exactly the segments' prices; the payer's close after the challenge
// period refunds the rest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { bnToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { connect, devAccount, PTI, submitFinal } from '../lib/chain.mjs';
import { finalizedHeadNumber, untilBlock } from '../lib/tx.mjs';
import { sessionToken } from '../lib/pti.mjs';
import { waitFor } from '../lib/node.mjs';
import { startNode } from '../lib/node.mjs';
import { serviceBinary, startGateway, startStorage } from '../lib/services.mjs';

const work = mkdtempSync(join(tmpdir(), 'paratii-micropay-'));
const ledger = join(work, 'vouchers.log');
// The gateway stops serving against a channel, and settles it, this many blocks before
// its expiry; the channel runs VALID_FOR blocks (3 s each) from its open.
const MARGIN = 5;
const VALID_FOR = 24;
const DEPOSIT = 10n * PTI;
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

let node;
let api;
let genesis;
let gateway;
const storage = [];
const owners = []; // { pair, suri, minutePrice, id, prices }
let viewer; // { pair, suri }
let channel;
let before0; // the owners' free balances before the viewing

const cliArgs = () => ['--chain', node.ws, '--upload-url', gateway.upload, '--download-url', gateway.download];
function paratii(...args) {
  const out = spawnSync(serviceBinary('paratii'), [...cliArgs(), ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}
function ok(...args) {
  const out = paratii(...args);
  assert.equal(out.code, 0, `paratii ${args.join(' ')}: ${out.stderr}`);
  return out;
}

/** A 12-second 426×240 clip (three 4-second segments in one 240p rendition), its hue `hue`. */
function clip(name, hue) {
  const path = join(work, name);
  const out = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=25:duration=12',
    '-f', 'lavfi', '-i', `sine=frequency=${300 + hue}:sample_rate=48000:duration=12`,
    '-vf', `hue=h=${hue}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return path;
}

const le = (value, bits) => bnToU8a(value, { bitLength: bits, isLe: true });
/** The `X-Paratii-Voucher` header: `key`'s signature over pallet-micropay's payload. */
function voucher(key, ch, media, cumulative, chain = genesis) {
  const payload = u8aConcat(stringToU8a('paratii/micropay/v1'), chain, le(ch, 64), le(media, 64), le(cumulative, 128));
  return `${ch}:${cumulative}:${u8aToHex(key.sign(payload)).slice(2)}`;
}
/** What a segment of `duration` seconds costs at `minutePrice` (the gateway's rule). */
const segmentPrice = (minutePrice, duration) => {
  const millis = BigInt(Math.round(duration * 1000));
  const p = (minutePrice * millis + 59_999n) / 60_000n;
  return p > 0n ? p : 1n;
};
const segment = (id, n, headers = {}) => fetch(`${gateway.download}/media/${id}/hls/240p/${n}.m4s`, { headers });
const held = async () => (await (await fetch(`${gateway.download}/micropay/channels/${channel}`)).json());
const heldFor = async (id) => BigInt((await held()).items.find((i) => i.media === id)?.cumulative ?? 0);
const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
const funded = async (pair, name) => {
  await submitFinal(api, api.tx.balances.transferKeepAlive(pair.address, 100n * PTI), devAccount('//Alice'));
  if (name) assert.equal((await submitFinal(api, api.tx.users.register(name, null), pair)).error, undefined);
};

const startHub = (extra = []) => startGateway(node, {
  extra: ['--hub-suri', '//Gateway', '--voucher-ledger', ledger, '--settle-every-secs', '1',
    '--expiry-margin', String(MARGIN), '--settle-threshold', String(1000n * PTI), ...extra],
});

before(async () => {
  node = await startNode({ name: 'micropay-gateway', ownClusters: true });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  storage.push(await startStorage(node, 1), await startStorage(node, 2));
  gateway = await startHub();
  for (const [i, minutePrice] of [6n * PTI / 10n, 12n * PTI / 10n, 3n * PTI / 10n].entries()) {
    const suri = mnemonicGenerate();
    const pair = keyring.addFromUri(suri);
    await funded(pair, `owner${i}`);
    owners.push({ pair, suri, minutePrice });
  }
  viewer = { suri: mnemonicGenerate() };
  viewer.pair = keyring.addFromUri(viewer.suri);
  await funded(viewer.pair);
});

after(async () => {
  await gateway?.stop();
  for (const s of storage) await s.stop();
  await api?.disconnect();
  await node?.stop();
});

test('three owners upload clips with the CLI and price them per minute; prices.json lists each segment', async () => {
  for (const [i, owner] of owners.entries()) {
    const started = Date.now();
    const up = JSON.parse(ok('upload', clip(`clip${i}.mp4`, 90 * i), '--title', `Pay as you watch ${i}`,
      '--suri', owner.suri, '--json').stdout);
    owner.id = up.media_id;
    console.log(`clip ${i}: media ${owner.id}, uploaded, transcoded and finalized in ${Date.now() - started} ms`);
    const perMinute = (Number(owner.minutePrice) / Number(PTI)).toString();
    const pricing = Date.now();
    ok('channel', 'price', String(owner.id), '--per-minute', perMinute, '--suri', owner.suri);
    console.log(`clip ${i}: priced in ${Date.now() - pricing} ms`);
  }
  await gateway.follows(await finalizedHeadNumber(api));
  for (const owner of owners) {
    const manifest = await (await fetch(`${gateway.download}/media/${owner.id}/hls/240p/index.m3u8`)).text();
    const durations = [...manifest.matchAll(/#EXTINF:([0-9.]+)/g)].map((m) => Number(m[1]));
    assert.ok(durations.length >= 3, manifest);
    const prices = await (await fetch(`${gateway.download}/media/${owner.id}/hls/240p/prices.json`)).json();
    assert.equal(prices.minute_price, owner.minutePrice.toString());
    assert.equal(prices.hub, devAccount('//Gateway').address);
    owner.prices = prices.segments.map(BigInt);
    assert.deepEqual(owner.prices, durations.map((d) => segmentPrice(owner.minutePrice, d)));
  }
  // Not priced per minute: no prices.
  assert.equal((await fetch(`${gateway.download}/media/99999/hls/240p/prices.json`)).status, 404);
});

test('a viewer opens one channel and watches all three to the end, a voucher a segment, no transaction after the open', async () => {
  const opened = JSON.parse(ok('channel', 'open', '--deposit', '10', '--valid-for', String(VALID_FOR),
    '--suri', viewer.suri, '--json').stdout);
  channel = opened.channel;
  assert.equal(opened.deposit, DEPOSIT.toString());
  before0 = await Promise.all(owners.map((o) => free(o.pair.address)));
  const nonce = (await api.query.system.account(viewer.pair.address)).nonce.toNumber();
  for (const owner of owners) {
    const file = join(work, `watched-${owner.id}.mp4`);
    const out = ok('download', String(owner.id), '--pay', '--suri', viewer.suri, '-o', file);
    const total = owner.prices.reduce((a, b) => a + b, 0n);
    assert.match(out.stderr, new RegExp(`with channel ${channel}`));
    assert.ok(statSync(file).size > 10_000, 'the whole rendition was written');
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    assert.ok(Math.abs(Number(probe.stdout) - 12) < 1, `watched to the end: ${probe.stdout} s`);
    assert.equal(await heldFor(owner.id), total, 'the gateway holds a voucher for every segment');
  }
  assert.equal((await api.query.system.account(viewer.pair.address)).nonce.toNumber(), nonce,
    'no transaction of the viewer while watching');
  const status = JSON.parse(ok('channel', 'status', String(channel), '--json').stdout);
  assert.equal(status.vouchers.length, 3);
  assert.equal(status.paid, '0', 'nothing settled yet: settlement is batched');
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
    assert.equal(r.headers.get('x-paratii-paid'), cumulative.toString());
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

test('the gateway settles before the expiry, each owner and the fund paid exactly; the payer closes after the challenge period', async () => {
  const owed = {};
  for (const o of owners) owed[o.id] = await heldFor(o.id);
  const total = Object.values(owed).reduce((a, b) => a + b, 0n);
  const record = (await api.query.micropay.channels(channel)).unwrap();
  const expiresAt = record.expiresAt.toNumber();
  // Refused before the expiry and challenge period.
  const early = paratii('channel', 'close', String(channel), '--suri', viewer.suri);
  assert.equal(early.code, 3, early.stderr);
  assert.match(early.stderr, /ChallengePeriodNotOver/);
  await waitFor('the gateway to settle the channel', async () => {
    const c = await api.query.micropay.channels(channel);
    return c.isSome && c.unwrap().paid.toBigInt() === total;
  }, { timeoutMs: (VALID_FOR + 30) * 3_000, intervalMs: 1_000 });
  const share = (await api.query.pti.redistributionShare()).toBigInt();
  for (const [i, o] of owners.entries()) {
    const amount = owed[o.id];
    assert.equal((await api.query.micropay.settled(channel, o.id)).unwrap().toBigInt(), amount);
    const toFund = amount * share / 1_000_000_000n;
    assert.equal(await free(o.pair.address) - before0[i], amount - toFund, `owner ${i} paid the segments' prices less the fund's share`);
  }
  const challenge = api.consts.micropay.challengePeriod.toNumber();
  await untilBlock(api, expiresAt + challenge);
  const heldBefore = (await api.query.system.account(viewer.pair.address)).data.reserved.toBigInt();
  const closed = JSON.parse(ok('channel', 'close', String(channel), '--suri', viewer.suri, '--json').stdout);
  assert.equal(BigInt(closed.refunded), DEPOSIT - total, 'the rest of the deposit came back');
  assert.ok(heldBefore > 0n);
  assert.equal((await api.query.system.account(viewer.pair.address)).data.reserved.toBigInt(), 0n, 'nothing stays held');
  assert.equal((await api.query.micropay.channels(channel)).isNone, true);
});
