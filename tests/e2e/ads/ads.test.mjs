// The ad exchange as viewers meet it, end to end with the real services and Chromium:
// an advertiser uploads its creative (a video, transcoded) and creates its campaign
// with the `paratii` CLI; the reference bidder (`paratii-adx bidder`) bids for it, a
// second bidder for another campaign, and a third (here, in JS) answers after the
// auction's 100 ms tmax. The gateway runs the second-price auction for each pre-roll,
// answers VAST 4 with the creative's HLS stream, signs the exchange's Win and sends the
// win notice, on which the bidder co-signs it.
//   1. In Chromium, Alice opens a video: the player asked for the ad as the page opened,
//      plays it before the content (its trackers fire), signs her View and then plays
//      the content; with the VAST answer held back the content starts at once on play
//      and no ad starts after it.
//   2. For volume, viewers watch the pre-roll with the CLI (`paratii ad watch`: the VAST
//      tag, the creative streamed at its pace, its trackers, the View signed with the
//      viewer's key); anonymous auctions show the second price and the late bidder
//      skipped; an anonymous viewer's ad is unpaid; forged, repeated and wrong-block
//      Views are refused, and a viewer who fires the trackers without playing the ad
//      is flagged by the campaign's auditor (`paratii-adx auditor`) and not paid.
//   3. Both participants' channel nodes post their parts, the validator nodes agree and
//      finalize, and each viewer and the producer claim exactly their shares of the
//      second price.
// The validators apply and governance admits them with the CLI too; the test itself
// signs only what an attacker would (the forged Views, the tracker-firing viewer's).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { mnemonicGenerate, randomAsU8a } from '@polkadot/util-crypto';
import { connect, devAccount, PTI, submitFinal } from '../lib/chain.mjs';
import { freePort, startNode, waitFor } from '../lib/node.mjs';
import { hex, partsDigest, payoutsRoot, resultHash, signingPayload, view } from '../lib/adx.mjs';
import { sessionToken } from '../lib/pti.mjs';
import {
  clusterFetch, gatewayHeaders, metric, serviceBinary, startGateway, startIndexer, startProcess, startStorage,
} from '../lib/services.mjs';
import { launchChromium, SLACK, WEB_DIST } from '../lib/browser.mjs';

const [alice, bob, charlie, dave, eve, ferdie] =
  ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map(devAccount);
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'paratii-auction-'));
// The pre-roll's screenshot goes with the player's (scripts/screenshots.sh).
const shots = process.env.PARATII_SCREENSHOTS ?? work;
const fresh = (m = mnemonicGenerate()) => ({ pair: new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(m), mnemonic: m });
const BID = PTI / 2n; // the advertiser's bidder
const SECOND = PTI / 5n; // the other campaign's bidder: the price paid
const FLOOR = PTI / 10n; // the reserve: the price when the other bid came too late
// The auction's tmax here: other lanes of the test command load the two cores, and a
// debug-build bidder there can answer after 100 ms (the shipped default, which
// bench/auction.mjs measures); the late bidder answers after a second.
const TMAX_MS = 250;
/** A paid view's (viewer, producer, fund) shares: paratii_primitives::adx::Split::divide, 50/30/20. */
function divide(amount) {
  const share = (ppb) => (amount / 1_000_000_000n) * ppb + ((amount % 1_000_000_000n) * ppb) / 1_000_000_000n;
  const viewer = share(500_000_000n);
  const producer = share(300_000_000n);
  return [viewer, producer, amount - viewer - producer];
}

let node;
let api;
let genesis;
let gateway;
const procs = [];
const clusters = [];
let slow;
let advertiser;
// A third validator of the advertiser's campaign who lies about every block (it runs no
// node: the test submits its results, as an attacker would); Dave and Eve outvote it.
const liar = fresh();
let producer;
let creative;
let content;
let campaign;
let validators;
let other; // the second campaign, whose bidder sets the second price
let aliceAd; // the VAST Alice's player got
let indexer;
let browser;
const consoleErrors = [];
const viewers = [1, 2, 3].map(() => fresh());
const auditor = fresh(); // the advertiser's campaign's auditor
let auditorUrl;
let exchangeNode; // the exchange's channel node
let restartExchangeNode; // SIGKILLs it and starts it again on its data

const paratii = (...args) => spawnSync(serviceBinary('paratii'), ['--chain', node.ws, '--upload-url', gateway.upload,
  '--download-url', gateway.download, '--json', ...args], { encoding: 'utf8', timeout: 300_000 });

function clip(name, secs, pattern) {
  const path = join(work, name);
  const out = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i',
    `${pattern}=size=320x240:rate=15:duration=${secs}`, '-f', 'lavfi', '-i', `sine=duration=${secs}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return path;
}

/** Uploads `file` with the CLI (in the background: two uploads transcode one after the other). */
async function uploaded(file, title, owner) {
  const { stdout } = await run(serviceBinary('paratii'), ['--chain', node.ws, '--upload-url', gateway.upload,
    '--download-url', gateway.download, '--json', 'upload', file, '--title', title, '--suri', owner.mnemonic],
  { timeout: 300_000 });
  return JSON.parse(stdout).media_id;
}

const adx = async (name, args, health) => {
  const proc = await startProcess(name, serviceBinary('paratii-adx'), args, async () => (await fetch(health)).ok);
  procs.push(proc);
  return proc;
};
const dataDir = (what) => mkdtempSync(join(tmpdir(), `paratii-${what}-`));

/** `paratii ARGS --json` (in the background: several run at once); its JSON answer. */
async function cli(...args) {
  const { stdout } = await run(serviceBinary('paratii'), ['--chain', node.ws, '--upload-url', gateway?.upload ?? '',
    '--download-url', gateway?.download ?? '', '--json', ...args], { timeout: 300_000 });
  return stdout.trim().startsWith('{') ? JSON.parse(stdout) : stdout;
}

/** A campaign created with the CLI by the advertiser, Dave and Eve its validators. */
function createCampaign(participants, extra = []) {
  const out = paratii('ad', 'campaign', 'create', '--suri', advertiser.mnemonic, '--budget', '10', '--max-price', '1',
    '--validator', dave.address, '--validator', eve.address, ...participants.flatMap((p) => ['--participant', p.address]),
    '--valid-for', '400', '--challenge-period', '2', ...extra);
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout).campaign;
}

before(async () => {
  node = await startNode({ name: 'adx-auction', ownClusters: true });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  const port = async () => `127.0.0.1:${await freePort()}`;
  const [exchangeChannel, advertiserChannel, bidderA, bidderB, auditorListen] =
    await Promise.all([port(), port(), port(), port(), port()]);
  auditorUrl = `http://${auditorListen}`;
  exchangeNode = `http://${exchangeChannel}`;
  // The late bidder: a valid, dearer bid for the advertiser's campaign, after a second.
  slow = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => setTimeout(() => {
      const request = JSON.parse(body);
      slow.asked = (slow.asked ?? 0) + 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: request.id, seatbid: [{ bid: [{ id: 'late', impid: '1', price: 0.9, crid: String(creative),
        ext: { paratii: { campaign, price: String(PTI * 9n / 10n) } } }] }] }));
    }, 1000));
  });
  await new Promise((r) => slow.listen(0, '127.0.0.1', r));
  indexer = await startIndexer(node);
  procs.push(indexer);
  // Dave and Eve apply to the ad validators' registry; governance (sudo here) admits them.
  await Promise.all(['//Dave', '//Eve'].map((suri) => cli('ad', 'validator', 'apply', '--suri', suri)));
  await submitFinal(api, api.tx.balances.transferKeepAlive(liar.pair.address, 1100n * PTI), alice);
  await cli('ad', 'validator', 'apply', '--suri', liar.mnemonic);
  for (const v of [dave, eve, liar.pair]) await cli('ad', 'validator', 'admit', v.address, '--suri', '//Alice');
  validators = await Promise.all(['//Dave', '//Eve'].map(async (suri) => {
    const listen = await port();
    const proc = await adx(`adx-validator-${suri.slice(2)}`, ['validator', '--chain', node.ws, '--validator-suri', suri,
      '--listen', listen, '--accept-campaigns', '--data-dir', dataDir('adx-validator')], `http://${listen}/health`);
    return { ...proc, url: `http://${listen}` };
  }));
  // The clusters after: their operators (Eve, Ferdie) sign heartbeats, Eve applied above.
  for (const n of [1, 2]) {
    clusters.push(await startStorage(node, n));
    procs.push(clusters.at(-1));
  }

  gateway = await startGateway(node, {
    web: { dir: WEB_DIST, indexer: indexer.url, adValidators: validators.map((v) => v.url) },
    extra: ['--ad-exchange-suri', '//Bob', '--ad-channel', `http://${exchangeChannel}`,
      '--ad-tmax-ms', String(TMAX_MS), '--ad-floor', String(FLOOR), '--ad-auditor', auditorUrl,
      '--ad-bidder', `http://127.0.0.1:${slow.address().port}/openrtb2/bid`,
      '--ad-bidder', `http://${bidderA}/openrtb2/bid`, '--ad-bidder', `http://${bidderB}/openrtb2/bid`],
  });
  procs.push(gateway);

  advertiser = fresh();
  producer = fresh();
  for (const [who, name] of [[advertiser, 'studio'], [producer, 'filmmaker']]) {
    await submitFinal(api, api.tx.balances.transferKeepAlive(who.pair.address, 100n * PTI), alice);
    assert.equal((await submitFinal(api, api.tx.users.register(name, null), who.pair)).error, undefined);
  }
  [creative, content] = await Promise.all([
    uploaded(clip('ad.mp4', 4, 'testsrc2'), 'Fresh lemonade', advertiser),
    uploaded(clip('dawn.mp4', 6, 'smptebars'), 'Harbour at dawn', producer),
  ]);

  // The exchange and the advertiser's bidder; the advertiser's auditor checks its ads.
  campaign = createCampaign([bob, charlie], ['--auditor', auditor.pair.address, '--validator', liar.pair.address]);
  assert.equal((await submitFinal(api, api.tx.adExchange.acceptCampaign(campaign), liar.pair)).error, undefined);
  other = createCampaign([bob, ferdie]);
  // The advertiser's campaign's participants share a block secret: their parts are
  // served sealed; the other campaign's in the clear.
  const secrets = join(work, 'block-secrets.json');
  writeFileSync(secrets, JSON.stringify({ [campaign]: u8aToHex(randomAsU8a(32)) }));
  // The advertiser's node opens a block 3 s after its first message; the exchange's,
  // which holds the wins and views, posts its part at the window's end.
  for (const [suri, listen, openAfter] of [['//Bob', exchangeChannel, 600], ['//Charlie', advertiserChannel, 3]]) {
    const args = ['channel', '--chain', node.ws, '--listen', listen, '--data-dir', dataDir('adx'),
      '--participant-suri', suri, '--public-url', `http://${listen}`, '--open-after-secs', String(openAfter),
      '--block-secrets', secrets,
      // The exchange brings each block's key to the validators; they ask the advertiser's.
      ...(suri === '//Bob' ? validators.flatMap((v) => ['--validator-url', v.url]) : [])];
    let proc = await adx(`adx-channel-${suri.slice(2)}`, args, `http://${listen}/health`);
    if (suri === '//Bob') {
      restartExchangeNode = async () => {
        await proc.kill();
        proc = await adx('adx-channel-Bob-restarted', args, `http://${listen}/health`);
      };
    }
  }
  const bidder = async (name, suri, listen, spec) => {
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(spec));
    await adx(name, ['bidder', '--chain', node.ws, '--listen', listen, '--public-url', `http://${listen}`,
      '--campaigns', file, '--bidder-suri', suri, '--channel-url', `http://${advertiserChannel}`], `http://${listen}/health`);
  };
  // The auditor takes its trackers and posts its checks to the exchange's node, where
  // the wins and views of each impression go.
  await adx('adx-auditor', ['auditor', '--chain', node.ws, '--listen', auditorListen, '--auditor-suri', auditor.mnemonic,
    '--channel-url', `http://${exchangeChannel}`], `${auditorUrl}/health`);
  await bidder('bidder-advertiser', '//Charlie', bidderA,
    [{ campaign, creative, bid: String(BID), words: ['dawn', 'sunset'], kinds: ['video'], auditor: auditorUrl }]);
  await bidder('bidder-other', '//Ferdie', bidderB, [{ campaign: other, creative, bid: String(SECOND) }]);
  // The validators accept the campaigns; then the auction has bids (an anonymous
  // viewer's ad: no Win signed, nothing sent to the channel nodes yet).
  await waitFor('an ad', async () => (await vast()).xml.includes('<InLine>'), { timeoutMs: 120_000 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const p of procs.reverse()) await p.stop();
  slow?.close();
  await api?.disconnect();
  await node?.stop();
});

const vast = async (headers = {}) => {
  const started = performance.now();
  const res = await fetch(`${gateway.download}/ads/vast?media=${content}`, { headers });
  assert.equal(res.status, 200);
  return { xml: await res.text(), ms: performance.now() - started };
};
const field = (xml, tag) => xml.match(new RegExp(`<${tag}(?:\\s[^>]*)?>(?:<!\\[CDATA\\[)?([^<\\]]*)`))?.[1];

/** Alice's page (a development account) at media `id`; `hold` delays the VAST answer. */
async function alicePage({ hold } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(`uncaught ${e.message}`));
  await page.goto(gateway.web);
  await page.click('button:has-text("Development accounts")');
  await page.waitForSelector('select[aria-label=Account]');
  if (hold) await page.route('**/ads/vast*', async (route) => { await hold; await route.continue(); });
  return page;
}
const contentVideo = (page) => page.locator('video:not(.ad)');
const playing = (page) => page.evaluate(() => {
  const v = document.querySelector('video:not(.ad)');
  return !v.paused && v.currentTime > 0.3;
});

test('in Chromium the pre-roll plays before the video, Alice signs its View, the content follows', async () => {
  const page = await alicePage();
  const answered = page.waitForResponse((r) => r.url().includes('/ads/vast'));
  await page.goto(`${gateway.web}/media/${content}`);
  aliceAd = await (await answered).text();
  assert.match(aliceAd, /<InLine>/);
  await contentVideo(page).waitFor();
  const viewPosted = page.waitForResponse((r) => r.url().endsWith('/ads/views') && r.request().method() === 'POST',
    { timeout: 60_000 });
  // The player pauses the content for the ad: play()'s promise is interrupted then.
  await page.evaluate(() => void document.querySelector('video:not(.ad)').play().catch(() => {}));
  await page.waitForSelector('[data-testid=ad]');
  assert.equal(await playing(page), false, 'the content waits for the ad');
  await page.waitForFunction(() => document.querySelector('video.ad').currentTime > 1);
  await page.screenshot({ path: join(shots, 'preroll.png') });
  assert.equal((await viewPosted).status(), 202, 'the View signed by Alice was kept');
  if (Number(field(aliceAd, 'Campaign')) === campaign) {
    assert.ok(aliceAd.includes(`${auditorUrl}/events/${campaign}/`), 'the auditor\'s trackers are in the ad');
    await waitFor('the auditor\'s check of Alice\'s ad', async () =>
      await metric(auditorUrl, 'paratii_adx_auditor_checks_total', { flag: 'view' }) >= 1);
  }
  await page.waitForSelector('[data-testid=ad]', { state: 'detached' });
  await waitFor('the content playing', () => playing(page), { timeoutMs: 30_000, intervalMs: 100 });
  for (const event of ['impression', 'start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete']) {
    assert.ok(await metric(gateway.download, 'paratii_gateway_ad_events_total', { event }) >= 1, `${event} tracked`);
  }
  await page.context().close();
});

test('with the ad\'s answer held back, the content starts at once on play and no ad starts after it', async () => {
  let release;
  const page = await alicePage({ hold: new Promise((r) => { release = r; }) });
  await page.goto(`${gateway.web}/media/${content}`);
  await contentVideo(page).waitFor();
  await page.waitForFunction(() => document.querySelector('video:not(.ad)').readyState >= 3, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const v = document.querySelector('video:not(.ad)');
    const t0 = performance.now();
    v.addEventListener('playing', () => resolve(performance.now() - t0), { once: true });
    void v.play();
  }));
  console.log(`content started ${ms.toFixed(0)} ms after play with no ad answer (target 250 ms)`);
  assert.ok(ms <= 250 * SLACK, `${ms} ms`);
  const answered = page.waitForResponse((r) => r.url().includes('/ads/vast'));
  release();
  await answered;
  await waitFor('the content playing on', () => playing(page), { intervalMs: 100 });
  assert.equal(await page.locator('[data-testid=ad]').count(), 0, 'no ad once the content has begun');
  assert.deepEqual(consoleErrors, []);
  await page.context().close();
});

test('VAST for volume: second price within tmax, the late bidder skipped, Views kept once, tracker fraud flagged; the validators settle and each earner claims its share', async () => {
  const sale = (xml) => ({ campaign: Number(field(xml, 'Campaign')), price: BigInt(field(xml, 'Price')) });
  // The auctions, anonymous (no Win is signed for them: an anonymous viewer is unpaid).
  const auctions = [];
  for (let i = 0; i < 6; i++) auctions.push(await vast());
  for (const { xml, ms } of auctions) {
    assert.ok(ms < TMAX_MS + 300 * SLACK, `the auction answered in ${ms} ms: the late bidder skipped`);
    const { campaign: won, price } = sale(xml);
    // The advertiser's 0.5 PTI wins at the other's 0.2 PTI (or at the reserve, if that bid
    // was late); never the late bidder's 0.9 PTI, which would have made it pay 0.5.
    assert.ok(won === campaign || won === other, `campaign ${won}`);
    assert.ok(won === campaign ? [SECOND, FLOOR].includes(price) : price === FLOOR, `${won} at ${price}`);
    assert.equal(field(xml, 'UniversalAdId'), String(creative));
    assert.equal(field(xml, 'Paid'), 'false');
    assert.match(field(xml, 'Duration'), /^00:00:0[34]\.\d{3}$/);
  }
  const ours = auctions.filter(({ xml }) => sale(xml).campaign === campaign).length;
  assert.ok(ours >= auctions.length / 2, `the advertiser's bid won ${ours} of ${auctions.length}`);
  const stream = await fetch(field(auctions[0].xml, 'MediaFile'));
  assert.equal(stream.status, 200, 'the creative streams from the clusters');
  assert.match(await stream.text(), /#EXTM3U/);
  await waitFor('the late bidder asked', () => slow.asked >= auctions.length);
  const late = await metric(gateway.download, 'paratii_gateway_ad_bids_total', { fate: 'late' });
  assert.ok(late >= auctions.length, `late bids counted: ${late}`);

  // The public valuation a bidder may ask (`paratii-adx bidder --valuation`): from the
  // item's indexed history, approval × reach in parts per billion.
  const worth = await (await fetch(`${indexer.url}/media/${content}/valuation`)).json();
  const B = 1_000_000_000n;
  const [likes, dislikes, views] = [worth.likes, worth.dislikes, worth.views].map(BigInt);
  const approval = (likes + 1n) * B / (likes + dislikes + 2n);
  assert.equal(BigInt(worth.factor_ppb), approval * (B / 2n + (B / 2n) * views / (views + 100n)) / B, JSON.stringify(worth));
  assert.equal((await fetch(`${indexer.url}/media/999999/valuation`)).status, 404);

  // Each viewer watches the pre-roll twice with the CLI, as the player would: it plays
  // the creative at its pace, fires the trackers and signs the View with its own key.
  const watched = await Promise.all(viewers.flatMap((v) => [v, v]).map(async (v) =>
    ({ viewer: v.pair, ...(await cli('ad', 'watch', String(content), '--suri', v.mnemonic)) })));
  for (const w of watched) {
    assert.equal(w.paid, true, JSON.stringify(w));
    assert.ok(w.seconds >= 3, `the ad played at its pace: ${w.seconds} s`);
  }
  const blocks = new Set(watched.filter((w) => w.campaign === campaign).map((w) => w.block));

  // The attacks, signed by the test as an attacker would: a thief's session buys an
  // impression of the advertiser's campaign (the auditor's trackers in its VAST).
  const thief = fresh();
  const session = { 'x-paratii-session': sessionToken(thief.pair, genesis, Date.now() + 3600_000) };
  let stolen;
  await waitFor('an impression of the audited campaign', async () => {
    stolen = (await vast(session)).xml;
    return sale(stolen).campaign === campaign;
  }, { intervalMs: 100 });
  const id = (xml) => BigInt(xml.match(/<Ad id="(\d+)"/)[1]);
  const blockFor = async (impression) =>
    (await (await fetch(`${gateway.download}/ads/views?impression=${impression}`)).json()).block;
  const signView = (block, signer) =>
    u8aToHex(signer.sign(signingPayload(genesis, campaign, block, thief.pair.publicKey, view(id(stolen)))));
  const postView = (block, signature) => fetch(`${gateway.download}/ads/views`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ impression: String(id(stolen)), block, signature }),
  });
  const block = await blockFor(id(stolen));
  assert.equal((await postView(block, signView(block, fresh().pair))).status, 400, 'another key\'s signature');
  assert.equal((await postView(block + 5, signView(block + 5, thief.pair))).status, 409,
    'a block the channel node does not take');
  // It fires the auditor's trackers at once, without playing the ad, and signs its View:
  // the gateway keeps the View, the auditor flags the impression as fraud.
  const fraudBefore = await metric(auditorUrl, 'paratii_adx_auditor_checks_total', { flag: 'fraud' });
  const trackers = [...stolen.matchAll(/<(?:Impression|Tracking)[^>]*><!\[CDATA\[([^\]]+)\]\]>/g)].map((m) => m[1]);
  const audited = trackers.filter((url) => url.startsWith(auditorUrl));
  assert.equal(audited.length, 6, 'impression, start, three quartiles and complete');
  for (const url of audited) assert.equal((await fetch(url)).status, 204, url);
  const thiefBlock = await blockFor(id(stolen));
  assert.equal((await postView(thiefBlock, signView(thiefBlock, thief.pair))).status, 202);
  blocks.add(thiefBlock);
  assert.equal((await postView(thiefBlock, signView(thiefBlock, thief.pair))).status, 404, 'one View per impression');
  await waitFor('the auditor\'s fraud check', async () =>
    await metric(auditorUrl, 'paratii_adx_auditor_checks_total', { flag: 'fraud' }) > fraudBefore);
  // The auditor judges a played ad a second after its complete (a late quartile counts).
  await waitFor('a VIEW check for each ad played', async () =>
    await metric(auditorUrl, 'paratii_adx_auditor_checks_total', { flag: 'view' })
      >= watched.filter((w) => w.campaign === campaign).length);

  // The exchange's channel node is killed with SIGKILL mid-window, every Win, View and
  // Check of its open blocks acknowledged, and started again on its data: its parts hold
  // every message they held (an empty batch's answer says how many a part holds), and the
  // settlement below pays every view from them.
  const held = async (b) => {
    const answer = await fetch(`${exchangeNode}/campaigns/${campaign}/blocks/${b}/messages`,
      { method: 'POST', body: new Uint8Array([0]) });
    return answer.ok ? (await answer.json()).part_messages : `${answer.status}`;
  };
  const open = [...blocks].sort();
  const before = await Promise.all(open.map(held));
  assert.ok(before.some((n) => typeof n === 'number' && n > 0), `a block still collecting: ${before}`);
  await restartExchangeNode();
  assert.deepEqual(await Promise.all(open.map(held)), before, 'no acknowledged message lost');

  // What each earner should get: the campaign's split of each clearing price, Alice's
  // view (in Chromium) included, the thief's not (its auditor flagged it).
  const paid = [{ viewer: alice, ...sale(aliceAd) }, ...watched.map((w) => ({ ...w, price: BigInt(w.price) }))]
    .filter((w) => w.campaign === campaign);
  const earned = {};
  let total = 0n;
  for (const { viewer, price } of paid) {
    const [v, p] = divide(price);
    earned[viewer.address] = (earned[viewer.address] ?? 0n) + v;
    earned[producer.pair.address] = (earned[producer.pair.address] ?? 0n) + p;
    total += price;
  }

  // Both participants post their parts (the exchange's wins and views, the bidder's
  // co-signed wins); the validators agree and finalize every block the views went to.
  const last = Math.max(...blocks);
  // The liar posts, for each block whose window has closed, a result paying itself: every
  // block is disputed, the validator nodes draw the panel and the honest result settles
  // it with 2 of 3.
  const lied = new Set();
  let lying = true;
  const lies = (async () => {
    while (lying) {
      const record = (await api.query.adExchange.campaigns(campaign)).unwrap();
      const b = record.nextBlock.toNumber();
      const pending = await api.query.adExchange.pending(campaign, b);
      const now = (await api.rpc.chain.getHeader()).number.toNumber();
      if (!lied.has(b) && pending.isSome && now >= pending.unwrap().collectUntil.toNumber()) {
        const p = pending.unwrap();
        const digest = partsDigest(p.parts.map((part) => [part.participant.toU8a(), part.partHash.toU8a()]));
        const total = PTI / 10n; // the block's total, within the budget left
        const root = payoutsRoot([[liar.pair.publicKey, total]]);
        const lie = hex(resultHash(genesis, campaign, b, digest, record.balanceRoot.toU8a(), root, total));
        const { error } = await submitFinal(api, api.tx.adExchange.submitResult(campaign, b, lie, hex(root), total), liar.pair);
        if (!error) lied.add(b);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  await waitFor(`block ${last} finalized`, async () =>
    (await api.query.adExchange.campaigns(campaign)).unwrap().nextBlock.toNumber() > last, { timeoutMs: 300_000 });
  lying = false;
  await lies;
  assert.ok(lied.has(last), `the liar's result for block ${last} was taken: ${[...lied]}`);
  const slashed = (await api.query.system.account(liar.pair.address)).data.reserved.toBigInt();
  const bond = api.consts.adExchange.validatorBond.toBigInt();
  assert.ok(slashed < bond, `the liar is slashed (${slashed} of its ${bond} bond held)`);
  await Promise.any(validators.map((v) => waitFor('a validator node drew the panel', async () =>
    readFileSync(v.logPath, 'utf8').includes(`drew the dispute panel of block ${last} of campaign ${campaign}`))));
  const record = (await api.query.adExchange.campaigns(campaign)).unwrap();
  assert.equal(record.settled.toBigInt(), total, 'every view at its clearing price');
  // The validators read the exchange's sealed part with the block key only they get.
  const part = await fetch(`${exchangeNode}/campaigns/${campaign}/blocks/${last}/part`);
  assert.equal(part.headers.get('x-paratii-part-sealed'), 'chacha20poly1305');
  const sealedBytes = new Uint8Array(await part.arrayBuffer());
  assert.equal(new TextDecoder().decode(sealedBytes.slice(0, 6)), 'PXPART');
  const keyPath = `/campaigns/${campaign}/blocks/${last}/key`;
  assert.equal((await fetch(`${exchangeNode}${keyPath}`)).status, 401, 'unsigned');
  assert.equal((await fetch(`${exchangeNode}${keyPath}`, { headers: gatewayHeaders(genesis, 'GET', keyPath, { signer: alice }) }))
    .status, 403, 'not a validator of the campaign');
  const key = await fetch(`${exchangeNode}${keyPath}`, { headers: gatewayHeaders(genesis, 'GET', keyPath, { signer: dave }) });
  assert.equal(key.status, 200);
  assert.match((await key.json()).key, /^0x[0-9a-f]{64}$/);
  const plain = await fetch(`${exchangeNode}/campaigns/${other}/blocks/0/part`);
  assert.equal(plain.headers.get('x-paratii-part-sealed'), null, 'no secret for the other campaign: plain');

  // The channel node put the same sealed bytes on the storage clusters (the location on
  // chain named their SHA-256; the validators read them there): anyone may fetch them,
  // they are sealed.
  const partHash = createHash('sha256').update(sealedBytes).digest('hex');
  for (const v of validators) {
    const log = readFileSync(v.logPath, 'utf8');
    assert.ok(log.includes(`read part 0x${partHash} from the clusters`), `${v.url} read the exchange's part from the clusters`);
    assert.ok(log.includes(`block key of block ${last} of campaign ${campaign} from participant ${u8aToHex(devAccount('//Bob').publicKey)}`),
      `the exchange brought ${v.url} the block's key`);
  }
  // Only a participant brings a key.
  const bring = (signer) => {
    const path = `/campaigns/${campaign}/blocks/${last + 1}/key?key=0x${'11'.repeat(32)}`;
    return fetch(`${validators[0].url}${path}`, { method: 'POST', headers: gatewayHeaders(genesis, 'POST', path, { signer }) });
  };
  assert.equal((await bring(devAccount('//Ferdie'))).status, 403, 'not a participant');
  for (const c of clusters) {
    const stored = await clusterFetch(c, 'GET', partHash, { unsigned: true });
    assert.equal(stored.status, 200, `cluster ${c.cluster} holds the exchange's part`);
    assert.deepEqual(new Uint8Array(await stored.arrayBuffer()), sealedBytes);
  }
  // What a cluster refuses: a part from someone not in the campaign, for a block the
  // chain has settled, or a part claiming a media object's hash (to open it to all).
  const putPart = (signer, hash, block, body) => {
    const path = `/objects/${hash}?adx=${campaign}-${block}`;
    return fetch(`${clusters[0].url}${path}`, { method: 'PUT', body, headers: {
      'x-paratii-owner': signer.address, ...gatewayHeaders(genesis, 'PUT', path, { owner: signer.address, signer }) } });
  };
  const junk = randomAsU8a(64);
  const junkHash = createHash('sha256').update(junk).digest('hex');
  const bob = devAccount('//Bob');
  assert.equal((await putPart(devAccount('//Ferdie'), junkHash, last + 1, junk)).status, 403, 'not a participant');
  // (Clusters read the finalized state.)
  await waitFor(`block ${last} settled in a finalized block`, async () => {
    const at = await api.at(await api.rpc.chain.getFinalizedHead());
    return (await at.query.adExchange.campaigns(campaign)).unwrap().nextBlock.toNumber() > last;
  });
  assert.equal((await putPart(bob, junkHash, last, junk)).status, 409, 'a settled block');
  const mediaHash = (await (await fetch(`${gateway.download}/media/${creative}/proof`)).json()).objects[0].content_hash
    .replace(/^0x/, '');
  const next = (await api.query.adExchange.campaigns(campaign)).unwrap().nextBlock.toNumber();
  const claim = await putPart(bob, mediaHash, next, junk);
  assert.equal(claim.status, 409);
  assert.match((await claim.json()).error, /not a block part/, 'a media object is not a part');
  assert.equal((await clusterFetch(clusters[0], 'GET', mediaHash, { unsigned: true })).status, 401,
    'media objects stay the gateways\' only');
  assert.equal((await clusterFetch(clusters[0], 'GET', junkHash, { unsigned: true })).status, 401, 'nothing stored');

  // Alice claims on her account page: her earnings (from the validators) and a Claim button.
  const aliceShare = earned[alice.address];
  assert.ok(aliceShare > 0n, 'Alice\'s view was the advertiser\'s');
  const shown = `${aliceShare / PTI}.${(aliceShare % PTI).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 4)} PTI`;
  const page = await alicePage();
  await page.goto(`${gateway.web}/account/${alice.address}`);
  const row = page.locator(`table[aria-label="Ad earnings"] tr[data-campaign="${campaign}"]`);
  await waitFor('Alice\'s claimable earnings shown', async () => {
    await page.reload();
    await row.waitFor({ timeout: 10_000 }).catch(() => {});
    return (await row.count()) === 1 && (await row.locator('[data-testid=claimable]').innerText()) === shown;
  }, { timeoutMs: 60_000 });
  await page.screenshot({ path: join(shots, 'account-earnings.png') });
  await row.locator('button:has-text("Claim")').click();
  await page.waitForSelector('[role=status]:has-text("Claimed.")', { timeout: 60_000 });
  assert.equal((await api.query.adExchange.withdrawn(campaign, alice.address)).toBigInt(), aliceShare);
  assert.equal(await row.locator('[data-testid=claimable]').innerText(), '0 PTI');
  await page.context().close();

  // The others claim with the CLI: exactly their shares.
  assert.equal(earned[thief.pair.address], undefined);
  for (const who of [viewers[0].pair.address, viewers[1].pair.address, producer.pair.address].filter((w) => earned[w])) {
    await waitFor('the validator\'s proof', async () =>
      (await fetch(`${validators[0].url}/campaigns/${campaign}/earnings/${who}`)).ok);
    const claimed = paratii('ad', 'claim', String(campaign), '--suri', '//Ferdie', '--account', who,
      '--validator-url', validators[0].url);
    assert.equal(claimed.status, 0, claimed.stderr);
    assert.equal(JSON.parse(claimed.stdout).claimed, String(earned[who]), `${who}'s share`);
  }
});
