// Pay as you watch in the e2e tests: owners' clips uploaded and priced per minute with
// the paratii CLI, and vouchers signed as the player and the CLI sign them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bnToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { devAccount, PTI, submitFinal } from './chain.mjs';
import { waitFor } from './node.mjs';
import { finalizedHeadNumber } from './tx.mjs';
import { serviceBinary } from './services.mjs';

/** Runs the paratii CLI against `node` and `gateway`; resolves with its exit code and output. */
export function paratii(node, gateway, ...args) {
  const cli = ['--chain', node.ws, '--upload-url', gateway.upload, '--download-url', gateway.download, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(serviceBinary('paratii'), cli, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `paratii …` that must succeed: its standard output. */
export async function paratiiOk(node, gateway, ...args) {
  const out = await paratii(node, gateway, ...args);
  assert.equal(out.code, 0, `paratii ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

/** A 12-second 426×240 clip with sound from lavfi sources (three 4-second segments, one 240p rendition), hued `hue` degrees. */
export function clip(dir, name, hue) {
  const path = join(dir, name);
  const out = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=25:duration=12',
    '-f', 'lavfi', '-i', `sine=frequency=${300 + hue}:sample_rate=48000:duration=12`,
    '-vf', `hue=h=${hue}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path],
  { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return path;
}

/** Funds `accounts` (`{ pair, name? }`) from //Alice, then registers those with a `name` as users: all at once. */
export async function fundAndRegister(api, accounts) {
  const alice = devAccount('//Alice');
  const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  await Promise.all(accounts.map(async (a, i) => {
    const tx = api.tx.balances.transferKeepAlive(a.pair.address, 100n * PTI);
    assert.equal((await submitFinal(api, tx, alice, { nonce: nonce + i })).error, undefined);
  }));
  await Promise.all(accounts.filter((a) => a.name).map(async (a) => {
    assert.equal((await submitFinal(api, api.tx.users.register(a.name, null), a.pair)).error, undefined);
  }));
}

/**
 * Uploads a clip of each owner (`{ suri, minutePrice, inPage? }`) with the CLI and prices
 * it per minute (unless `inPage`: the test does it in the player), all at once; sets
 * each owner's `id` and, for those priced, its 240p segments' `prices` and `total`
 * (`readPrices`), once the gateway follows the prices.
 */
export async function uploadPriced(api, node, gateway, dir, owners) {
  await Promise.all(owners.map(async (o, i) => {
    const up = await paratiiOk(node, gateway, 'upload', clip(dir, `clip${i}.mp4`, 90 * i), '--title', `Minute by minute ${i}`,
      '--suri', o.suri, '--json');
    o.id = JSON.parse(up).media_id;
    if (o.inPage) return;
    await paratiiOk(node, gateway, 'channel', 'price', String(o.id), '--per-minute', fmtPti(o.minutePrice).replace(' PTI', ''),
      '--suri', o.suri);
  }));
  await gateway.follows(await finalizedHeadNumber(api));
  for (const o of owners) if (!o.inPage) await readPrices(gateway, o);
}

/** Sets `o.prices` and `o.total` from the gateway's prices.json of `o.id`'s 240p rendition, priced `o.minutePrice`. */
export async function readPrices(gateway, o) {
  const prices = await (await fetch(`${gateway.download}/media/${o.id}/hls/240p/prices.json`)).json();
  assert.equal(prices.minute_price, o.minutePrice.toString());
  o.prices = prices.segments.map(BigInt);
  o.total = o.prices.reduce((a, b) => a + b, 0n);
}

/** An amount as the player and the CLI write it: whole PTI and up to four decimals. */
export function fmtPti(v) {
  const frac = (v % PTI).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 4);
  return `${v / PTI}${frac ? '.' + frac : ''} PTI`;
}

const le = (value, bits) => bnToU8a(value, { bitLength: bits, isLe: true });

/** `key`'s signature (0x hex) over pallet-micropay's voucher payload. */
export function signVoucher(key, genesis, channel, media, cumulative) {
  const payload = u8aConcat(stringToU8a('paratii/micropay/v1'), genesis, le(channel, 64), le(media, 64), le(cumulative, 128));
  return u8aToHex(key.sign(payload));
}

/** The `X-Paratii-Voucher` header: `key`'s voucher signature. */
export function voucher(key, genesis, channel, media, cumulative) {
  return `${channel}:${cumulative}:${signVoucher(key, genesis, channel, media, cumulative).slice(2)}`;
}

/** What a segment of `duration` seconds costs at `minutePrice` (paratii_client::micropay::segment_price). */
export function segmentPrice(minutePrice, duration) {
  const millis = BigInt(Math.round(duration * 1000));
  const p = (minutePrice * millis + 59_999n) / 60_000n;
  return p > 0n ? p : 1n;
}

/**
 * Waits until channel `channel` has paid what each owner's `paid` says (the hub settles
 * on its own), then checks each item's settled amount and that each owner's free
 * balance grew from `before[i]` by exactly it less the fund's share. Resolves with the total.
 */
export async function expectSettled(api, channel, owners, before, { timeoutMs = 120_000 } = {}) {
  const total = owners.reduce((sum, o) => sum + o.paid, 0n);
  await waitFor('the gateway to settle the channel', async () => {
    const c = await api.query.micropay.channels(channel);
    return c.isSome && c.unwrap().paid.toBigInt() === total;
  }, { timeoutMs, intervalMs: 1_000 });
  const share = (await api.query.pti.redistributionShare()).toBigInt();
  for (const [i, o] of owners.entries()) {
    assert.equal((await api.query.micropay.settled(channel, o.id)).unwrap().toBigInt(), o.paid, `media ${o.id} settled`);
    const free = (await api.query.system.account(o.pair.address)).data.free.toBigInt();
    assert.equal(free - before[i], o.paid - o.paid * share / 1_000_000_000n, `the owner of media ${o.id}: its segments' prices less the fund's share`);
  }
  return total;
}
