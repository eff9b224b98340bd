// Pay as you watch in the Paratii Player, in Chromium (Debian's, driven by
// playwright-core): a dev node, two storage clusters, the indexer and the gateway as a
// hub of payment channels serving the player's build. Three owners' clips (lavfi, made
// here) are priced per minute, Alice's in the page (she still watches hers free), the
// others with the CLI. In the page, Bob opens one channel (one
// signature: its vouchers are signed by a session key the player made), watches the
// first video to the end and two more from the other owners without another prompt or
// transaction, the page showing what each cost; the gateway settles before the expiry
// and each owner is paid exactly the segments' prices (less the fund's share); on his
// account page Bob tops the channel up and, after the challenge period, closes it and
// gets the rest back.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium, WEB_DIST } from '../lib/browser.mjs';
import { connect, devAccount, PTI } from '../lib/chain.mjs';
import { expectSettled, fmtPti as fmt, fundAndRegister, readPrices, uploadPriced } from '../lib/micropay.mjs';
import { startNode, waitFor } from '../lib/node.mjs';
import { startGateway, startIndexer, startStorage } from '../lib/services.mjs';

const work = mkdtempSync(join(tmpdir(), 'paratii-player-pay-'));
const shots = process.env.PARATII_SCREENSHOTS ?? join(work, 'screenshots');
mkdirSync(shots, { recursive: true });
const MARGIN = 5;
const bob = devAccount('//Bob');
// Alice prices hers in the page; the others with the CLI.
const owners = ['//Alice', '//Charlie', '//Dave'].map((suri, i) => ({
  suri, pair: devAccount(suri), minutePrice: [6n, 12n, 3n][i] * PTI / 10n, inPage: i === 0,
}));

let node;
let api;
let indexer;
let gateway;
const clusters = [];
let browser;
let page;
let channel;
const consoleErrors = [];

const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
const held = async () => (await (await fetch(`${gateway.download}/micropay/channels/${channel}`)).json());

before(async () => {
  node = await startNode({ name: 'player-pay', ownClusters: true });
  api = await connect(node);
  for (const n of [1, 2]) clusters.push(await startStorage(node, n));
  indexer = await startIndexer(node);
  gateway = await startGateway(node, {
    web: { dir: WEB_DIST, indexer: indexer.url },
    extra: ['--hub-suri', '//Gateway', '--settle-every-secs', '1', '--expiry-margin', String(MARGIN),
      '--settle-threshold', String(1000n * PTI)],
  });
  // Charlie and Dave register as users to publish (Alice is one from genesis).
  const unregistered = [];
  for (const o of owners.slice(1)) {
    if ((await api.query.users.users(o.pair.address)).isNone) unregistered.push({ pair: o.pair, name: o.suri.slice(2).toLowerCase() });
  }
  await fundAndRegister(api, unregistered);
  await uploadPriced(api, node, gateway, work, owners);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${m.text()} (${m.location().url})`));
  page.on('pageerror', (e) => consoleErrors.push(`uncaught ${e.message}`));
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
  await indexer?.stop();
  for (const c of clusters) await c.stop();
  await api?.disconnect();
  await node?.stop();
});

/** Plays the page's video to its end, fast. */
async function watchToTheEnd() {
  const video = page.locator('video[aria-label^="Minute by minute"]');
  await video.waitFor();
  await waitFor('the stream to load', () => video.evaluate((v) => v.readyState >= 2), { timeoutMs: 60_000 });
  await video.evaluate((v) => { v.playbackRate = 4; return v.play(); });
  await waitFor('the video to play to its end', () => video.evaluate((v) => v.ended), { timeoutMs: 90_000, intervalMs: 250 });
}

let before0;
let nonce;

test('Alice prices her video per minute in the page and still watches it free', async () => {
  const [a] = owners;
  await page.goto(`${gateway.web}/media/${a.id}`);
  await page.click('button:has-text("Development accounts")');
  await page.waitForSelector('select[aria-label=Account]');
  assert.equal(await page.inputValue('select[aria-label=Account]'), a.pair.address);
  await page.fill('label:has-text("Price per minute") input', '0.6');
  await page.click('button:has-text("Set the price per minute")');
  await page.waitForSelector('[role=status]:has-text("Priced 0.6 PTI a minute.")', { timeout: 60_000 });
  await page.waitForSelector('text=Viewers pay 0.6 PTI a minute.', { timeout: 30_000 });
  await waitFor('the gateway to follow the price', async () =>
    (await fetch(`${gateway.download}/media/${a.id}/hls/240p/prices.json`)).ok);
  await readPrices(gateway, a);
  const video = page.locator('video[aria-label^="Minute by minute"]');
  await waitFor('her video to load without a voucher', () => video.evaluate((v) => v.readyState >= 2), { timeoutMs: 60_000 });
});

test('Bob opens one channel in the page and watches a per-minute-priced video to the end, its cost shown', async () => {
  const [a] = owners;
  await page.goto(`${gateway.web}/media/${a.id}`);
  await page.click('button:has-text("Development accounts")');
  await page.selectOption('select[aria-label=Account]', bob.address);
  await page.waitForSelector('text=Pay as you watch: 0.6 PTI a minute', { timeout: 60_000 });
  await page.fill('label:has-text("Deposit") input', '5');
  // A short channel (1.5 minutes: 30 blocks), so that it can be closed below.
  await page.fill('label:has-text("For (minutes)") input', '1.5');
  await page.click('button:has-text("Open a payment channel")');
  const spent = page.locator('[data-testid=spent]');
  await spent.waitFor({ timeout: 60_000 });
  channel = Number((await spent.innerText()).match(/Channel #(\d+)/)[1]);
  before0 = await Promise.all(owners.map((o) => free(o.pair.address)));
  nonce = (await api.query.system.account(bob.address)).nonce.toNumber();
  await watchToTheEnd();
  await waitFor('the page to show what the video cost', async () => (await spent.innerText()).includes(`paid ${fmt(a.total)}`),
    { timeoutMs: 10_000 });
  const item = (await held()).items.find((i) => i.media === a.id);
  assert.equal(BigInt(item.cumulative), a.total, 'every segment paid by one voucher, at its price');
  await page.screenshot({ path: join(shots, 'media-pay-as-you-watch.png') });
});

test('two more videos from other owners play on the same channel, without a prompt or a transaction', async () => {
  for (const o of owners.slice(1)) {
    await page.goto(`${gateway.web}/media/${o.id}`);
    await page.locator('[data-testid=spent]').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('[data-testid=spent]').innerText(), new RegExp(`Channel #${channel}`));
    await watchToTheEnd();
    await waitFor('the gateway to hold the whole video', async () =>
      BigInt((await held()).items.find((i) => i.media === o.id)?.cumulative ?? 0) === o.total, { timeoutMs: 10_000 });
  }
  assert.equal((await api.query.system.account(bob.address)).nonce.toNumber(), nonce, 'no transaction while watching');
});

test('the gateway settles before the expiry, each owner paid exactly; Bob tops up and, after the challenge period, closes on his account page', async () => {
  const total = owners.reduce((s, o) => s + o.total, 0n);
  await page.goto(`${gateway.web}/account/${bob.address}`);
  const row = page.locator(`tr[data-channel="${channel}"]`);
  await row.waitFor({ timeout: 30_000 });
  await row.locator('label:has-text("Add") input').fill('1');
  await row.locator('button:has-text("Top up")').click();
  await page.waitForSelector('[role=status]:has-text("1 PTI added")', { timeout: 60_000 });
  for (const o of owners) o.paid = o.total;
  await expectSettled(api, channel, owners, before0, { timeoutMs: 150_000 });
  await page.waitForSelector(`[data-channel="${channel}"] [data-testid=paid]:has-text("${fmt(total)}")`, { timeout: 30_000 });
  const close = row.locator(`button:has-text("Close #${channel}")`);
  await close.waitFor({ timeout: 150_000 });
  await page.screenshot({ path: join(shots, 'account-payment-channels.png') });
  const heldBefore = (await api.query.system.account(bob.address)).data.reserved.toBigInt();
  await close.click();
  const refunded = 6n * PTI - total;
  await page.waitForSelector(`[role=status]:has-text("Channel #${channel} closed")`, { timeout: 60_000 });
  assert.match(await page.locator('[role=status]').first().innerText(), new RegExp(`${fmt(refunded).replace('.', '\\.')} came back`));
  assert.ok(heldBefore > 0n);
  assert.equal((await api.query.micropay.channels(channel)).isNone, true);
});

test('no page logged a console error', () => {
  assert.deepEqual(consoleErrors, []);
});
