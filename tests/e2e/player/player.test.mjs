// The Paratii Player (web/) in Chromium, end to end: Debian's chromium driven by
// playwright-core against a dev node, two storage clusters, the gateway (serving the
// player's build, transcoding videos, counting views), the indexer, a local Ethereum
// node (Hardhat) with ParatiiAnchor and the relayer anchoring the chain there.
//
//   1. Alice (a development account picked in the page) uploads a picture and a video
//      through the upload page (tus: the video's connection is reset mid-upload and the
//      page resumes from the gateway's offset); the video is transcoded, registered and
//      plays in hls.js (its currentTime advances; a rendition switch happens when forced);
//   2. a wallet — an injected stand-in for the polkadot.js extension, whose signRaw
//      signs the data wrapped in <Bytes>…</Bytes> and whose signPayload signs
//      transactions — uploads a picture and a video too;
//   3. search as you type finds the new items with highlighted matches;
//   4. the proof panel shows the registration finalized and then anchored on Ethereum;
//   5. Bob registers a name on his account page, buys Alice's priced picture and then
//      sees its original, and likes it (the counts update) — with the keyboard only;
//      and Tab reaches every link, button and field of every page;
//   6. no page logs a console error.
// Screenshots of each page go to $PARATII_SCREENSHOTS (the README's, docs/images/player/,
// when run by scripts/screenshots.sh) or the run's directory; the Performance API's
// figures (first contentful paint of a 1,000-item catalogue, keystroke to painted
// results, video first frame) are printed and checked against the targets
// (SLACK below).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium, SLACK, WEB_DIST } from '../lib/browser.mjs';
import { Keyring } from '@polkadot/api';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { connect, devAccount, PTI, submitFinal } from '../lib/chain.mjs';
import { freePort, startNode, waitFor } from '../lib/node.mjs';
import { deployAnchor, startRelayer } from '../lib/beefy.mjs';
import {
  png, serviceBinary, startGateway, startIndexer, startProcess, startStorage,
} from '../lib/services.mjs';
import { startHardhatNode } from '../../../contracts/ethereum/lib/hardhat-node.mjs';

// The timing targets are held to SLACK times themselves (see lib/browser.mjs).
const work = mkdtempSync(join(tmpdir(), 'paratii-player-'));
const shots = process.env.PARATII_SCREENSHOTS ?? join(work, 'screenshots');
mkdirSync(shots, { recursive: true });

let node;
let api;
let hardhat;
let relayer;
let indexer;
let gateway;
const clusters = [];
let browser;
const consoleErrors = [];
const induced = new Set(); // URLs whose connection the test itself reset
const media = {}; // title -> id

const alice = devAccount('//Alice');
const wallet = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonicGenerate());

/**
 * A clip with sound from lavfi sources: by default 12 seconds of 854×480, two
 * renditions (240p, 480p).
 */
function clip(name = 'harbour.mp4', { size = '854x480', secs = 12 } = {}) {
  const path = join(work, name);
  const out = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30:duration=${secs}`,
    '-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=48000:duration=${secs}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path]);
  assert.equal(out.status, 0, `ffmpeg: ${out.stderr}`);
  return path;
}

/** A page in a context of its own (its own localStorage: its own account). */
async function newPage(name, { extension } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  if (extension) await injectWallet(context, extension);
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${name}: ${m.text()} (${m.location().url})`));
  page.on('pageerror', (e) => consoleErrors.push(`${name}: uncaught ${e.message}`));
  return page;
}

/**
 * A stand-in for the polkadot.js extension: `window.injectedWeb3['polkadot-js']` with
 * one account; signRaw signs `<Bytes>data</Bytes>` as the extension does, signPayload
 * signs the extrinsic payload — both with `pair`, here in Node.
 */
async function injectWallet(context, pair) {
  await context.exposeBinding('__walletSignRaw', (_source, data) => u8aToHex(pair.sign(u8aWrapBytes(hexToU8a(data)))));
  await context.exposeBinding('__walletSignPayload', (_source, payload) =>
    api.registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(pair).signature);
  await context.addInitScript(({ address }) => {
    const accounts = [{ address, name: 'Test wallet', type: 'sr25519' }];
    window.injectedWeb3 = {
      'polkadot-js': {
        version: '0.63.1',
        enable: async () => ({
          accounts: { get: async () => accounts, subscribe: (cb) => { cb(accounts); return () => {}; } },
          metadata: { get: async () => [], provide: async () => true },
          signer: {
            signRaw: async ({ data }) => ({ id: 1, signature: await window.__walletSignRaw(data) }),
            signPayload: async (payload) => ({ id: 2, signature: await window.__walletSignPayload(payload) }),
          },
        }),
      },
    };
  }, { address: pair.address });
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/**
 * Presses Tab until the focused element matches `selector` (and holds `text`); fails
 * after `max` presses.
 */
async function tabTo(page, selector, text = '', max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const there = await page.evaluate(([s, t]) => {
      const el = document.activeElement;
      return !!el && el.matches(s) && el.textContent.includes(t);
    }, [selector, text]);
    if (there) return;
  }
  assert.fail(`Tab never reached ${selector} ${text}`);
}

/**
 * Uploads `file` through the upload page and waits for the new item's page; returns its
 * id. With `dropAPatch`, the connection of the upload's second PATCH (tus) is reset,
 * and the page must resume from the bytes the gateway has: the tus requests are returned.
 */
async function uploadThroughPage(page, file, title, { place, video = false, dropAPatch = false } = {}) {
  const tus = [];
  const seen = (r) => {
    if (r.url().includes('/tus')) tus.push({ method: r.method(), offset: r.headers()['upload-offset'] });
  };
  page.on('request', seen);
  if (dropAPatch) {
    let patches = 0;
    await page.route('**/tus/*', (route) =>
      route.request().method() === 'PATCH' && ++patches === 2
        ? (induced.add(route.request().url()), route.abort('connectionreset'))
        : route.continue());
  }
  await page.goto(`${gateway.web}/upload`);
  await page.setInputFiles('input[type=file]', file);
  await page.fill('label:has-text("Title") input', title);
  if (place) await page.fill('label:has-text("Place") input', place);
  await page.click('button[type=submit]');
  if (video) {
    await page.waitForSelector('progress[aria-label=Transcoding]', { timeout: 60_000 });
  }
  // The item's page, or the error the upload page shows (failing the test with its words).
  const refused = page.waitForSelector('.upload [role=alert]', { timeout: 0 })
    .then(async (el) => { throw new Error(`the upload page says: ${await el.innerText()}`); });
  refused.catch(() => {});
  await Promise.race([page.waitForURL(/\/media\/\d+$/, { timeout: video ? 240_000 : 120_000 }), refused]);
  const id = Number(page.url().match(/\/media\/(\d+)$/)[1]);
  media[title] = id;
  if (dropAPatch) await page.unroute('**/tus/*');
  page.off('request', seen);
  return { id, tus };
}

before(async () => {
  node = await startNode({ name: 'player', ownClusters: true });
  api = await connect(node);
  hardhat = await startHardhatNode({ port: await freePort() });
  const contract = deployAnchor(node, hardhat.url);
  relayer = await startRelayer(node, hardhat.url, contract, { everyBlocks: 4 });
  for (const n of [1, 2]) clusters.push(await startStorage(node, n));
  indexer = await startIndexer(node);
  gateway = await startGateway(node, {
    maxUploadBytes: 64 * 1024 * 1024,
    web: { dir: WEB_DIST, indexer: indexer.url },
    extra: ['--max-video-secs', '30', '--view-recorder-suri', '//Gateway', '--view-batch-secs', '1',
      '--eth-rpc', hardhat.url, '--anchor-contract', contract],
  });
  // The wallet's account: funded and registered (Bob registers through the page below).
  await submitFinal(api, api.tx.balances.transferKeepAlive(wallet.address, 100n * PTI), alice);
  assert.equal((await submitFinal(api, api.tx.users.register('wallet-user', null), wallet)).error, undefined);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
  await indexer?.stop();
  for (const c of clusters) await c.stop();
  await relayer?.stop();
  await hardhat?.stop();
  await api?.disconnect();
  await node?.stop();
});

test('Alice uploads a picture and a video through the page; the video plays and switches rendition', async () => {
  const page = await newPage('alice');
  await page.goto(gateway.web);
  await page.click('button:has-text("Development accounts")');
  await page.waitForSelector('select[aria-label=Account]');
  assert.match(await page.inputValue('select[aria-label=Account]'), new RegExp(alice.address));

  const picture = join(work, 'harbour.png');
  writeFileSync(picture, png(640, 360));
  const { id } = await uploadThroughPage(page, picture, 'Sunrise over the harbour', { place: '52.3702, 4.8952' });
  await page.waitForSelector('[data-testid=finality]:has-text("finalized")', { timeout: 60_000 });
  const img = page.locator('img.original');
  await img.waitFor();
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth === 640), 'the original is shown');
  await shot(page, 'media-picture');
  // Alice prices it (2 PTI) for Bob to buy below.
  assert.equal((await submitFinal(api, api.tx.pti.setPrice(id, 2n * PTI), alice)).error, undefined);

  // The clip (over 4 MiB: two PATCHes) loses its connection in the second PATCH and
  // resumes from the gateway's offset (HEAD), not from the start.
  const { id: videoId, tus } = await uploadThroughPage(page, clip(), 'Harbour timelapse at noon',
    { video: true, dropAPatch: true });
  assert.ok(videoId > id);
  const methods = tus.map((r) => r.method);
  assert.deepEqual(methods.slice(0, 3), ['POST', 'PATCH', 'PATCH'], `tus requests: ${methods}`);
  const resumed = tus.findIndex((r) => r.method === 'HEAD');
  assert.ok(resumed > 2, `the page asked the gateway for its offset after the drop: ${methods}`);
  assert.equal(tus[resumed + 1].method, 'PATCH');
  assert.equal(tus[resumed + 1].offset, String(4 * 1024 * 1024), 'resumed from the 4-MiB mark');
  const video = page.locator('video');
  await video.waitFor();
  await page.evaluate(() => document.querySelector('video').play());
  await waitFor('the video to play', () => video.evaluate((v) => v.currentTime > 1.5), { timeoutMs: 60_000 });
  const quality = page.locator('[aria-label=Quality] button');
  assert.deepEqual(await quality.allTextContents(), ['Auto', '240p', '480p']);
  await page.click('[aria-label=Quality] button:has-text("240p")');
  await page.waitForSelector('[data-testid=playing]:has-text("Playing 240p")', { timeout: 30_000 });
  await page.click('[aria-label=Quality] button:has-text("480p")');
  await page.waitForSelector('[data-testid=playing]:has-text("Playing 480p")', { timeout: 30_000 });
  const before = await video.evaluate((v) => v.currentTime);
  await waitFor('playback to go on after the switch', () => video.evaluate((v, t) => v.currentTime > t + 0.5, before));
  await shot(page, 'media-video');
  await page.context().close();
});

test('a browser wallet (signRaw with <Bytes>) uploads a picture and a video', async () => {
  const page = await newPage('wallet', { extension: wallet });
  await page.goto(gateway.web);
  await page.click('button:has-text("Connect wallet")');
  await page.waitForSelector('select[aria-label=Account]');
  assert.equal(await page.inputValue('select[aria-label=Account]'), wallet.address);
  const file = join(work, 'tram.png');
  writeFileSync(file, png(480, 320));
  await page.click('nav a:has-text("Upload")');
  await shot(page, 'upload');
  const { id } = await uploadThroughPage(page, file, 'Yellow tram in the harbour district');
  const record = await (await fetch(`${indexer.url}/media/${id}`)).json();
  assert.equal(record.owner, wallet.address);
  assert.equal(record.owner_name, 'wallet-user');
  // A short video too: transcoded, registered with the wallet's signature, playable.
  const { id: videoId } = await uploadThroughPage(page, clip('ferry.mp4', { size: '426x240', secs: 6 }),
    'Night ferry crossing', { video: true });
  await page.locator('video').waitFor();
  const video = await (await fetch(`${indexer.url}/media/${videoId}`)).json();
  assert.equal(video.kind, 'video');
  assert.equal(video.owner, wallet.address);
  await page.context().close();
});

test('search as you type finds the new items with highlighted matches', async () => {
  const page = await newPage('search');
  await page.goto(gateway.web);
  await page.waitForSelector('ul[aria-label=Media] li');
  await shot(page, 'catalogue');
  await page.focus('header input[type=search]');
  await page.keyboard.type('harbuor', { delay: 150 }); // a typo: two letters swapped
  await page.waitForURL(/\/search\?q=harbuor$/);
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 3);
  const titles = await page.locator('ul[aria-label=Results] h3').allInnerTexts();
  assert.deepEqual(titles.sort(), ['Harbour timelapse at noon', 'Sunrise over the harbour', 'Yellow tram in the harbour district']);
  const marks = await page.locator('ul[aria-label=Results] mark').allInnerTexts();
  assert.ok(marks.length >= 3 && marks.every((m) => m.toLowerCase() === 'harbour'), `highlighted: ${marks}`);
  await shot(page, 'search');
  // Facets filter: videos only.
  await page.click('aside label:has-text("video") input');
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 1);
  await page.click('aside label:has-text("video") input');
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 3);
  // The owner facet (named by display name) and the date filter.
  await page.click('aside label:has-text("wallet-user") input');
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 1);
  assert.deepEqual(await page.locator('ul[aria-label=Results] h3').allInnerTexts(), ['Yellow tram in the harbour district']);
  await page.click('aside label:has-text("wallet-user") input');
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.fill('aside input[type=date] >> nth=0', tomorrow);
  await page.waitForFunction(() => document.querySelector('[aria-live]')?.textContent.startsWith('0 results'));
  await page.fill('aside input[type=date] >> nth=0', '');
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 3);
  // The place filter: within 10 km of Amsterdam only the sunrise (uploaded there); Paris none.
  await page.fill('aside label:has-text("near") input', '52.37, 4.89');
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 1);
  assert.deepEqual(await page.locator('ul[aria-label=Results] h3').allInnerTexts(), ['Sunrise over the harbour']);
  await page.fill('aside label:has-text("near") input', '48.85, 2.35');
  await page.waitForFunction(() => document.querySelector('[aria-live]')?.textContent.startsWith('0 results'));
  await page.selectOption('aside select', '1000'); // Amsterdam is 430 km from Paris
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 1);
  await page.fill('aside label:has-text("near") input', '');
  await page.waitForFunction(() => document.querySelectorAll('ul[aria-label=Results] li').length === 3);
  // Keyboard: the arrows move through the hits and Enter opens one.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/media\/\d+$/);

  // Keystroke to painted results (the page's Performance marks), typed one key at a time.
  await page.context().close();
  await withinTarget('search keystroke → results painted, p95', 100, async () => {
    const typing = await newPage('search-keystrokes');
    await typing.goto(`${gateway.web}/search?q=`);
    await typing.focus('header input[type=search]');
    await typing.keyboard.type('sunrise over the harbour', { delay: 120 });
    await typing.waitForFunction(() => document.querySelector('[aria-live]')?.textContent.includes('sunrise over the harbour'));
    const latencies = await typing.evaluate(() => {
      const keys = performance.getEntriesByName('paratii-keystroke');
      const shown = performance.getEntriesByName('paratii-results');
      return keys.map((k) => {
        const r = shown.find((s) => s.detail === k.detail && s.startTime >= k.startTime);
        return r ? r.startTime - k.startTime : null;
      }).filter((x) => x !== null);
    });
    await typing.context().close();
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.ceil(latencies.length * 0.95) - 1];
    console.log(`# search keystroke → results painted: ${latencies.length} keystrokes, median ${latencies[latencies.length >> 1].toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    assert.ok(latencies.length >= 20, `results painted for ${latencies.length} of 24 keystrokes`);
    return p95;
  });
});

test('the proof panel shows the registration finalized, then anchored on Ethereum', async () => {
  const page = await newPage('proof');
  await page.goto(`${gateway.web}/media/${media['Yellow tram in the harbour district']}`);
  await page.waitForSelector('[data-testid=finality]:has-text("finalized")', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=anchor]:has-text("anchored")', { timeout: 180_000 });
  const anchor = await page.locator('[data-testid=anchor]').innerText();
  assert.match(anchor, /verifyMedia returned true/);
  assert.match(anchor, /transaction 0x[0-9a-f]{64}/);
  const receipts = await page.locator('.proof li').allInnerTexts();
  assert.ok(receipts.length >= 2 && receipts.every((r) => /receipt verified/.test(r)), receipts.join('\n'));
  await shot(page, 'proof');
  await page.context().close();
});

test('Bob registers, buys the priced picture and sees the original, and likes it — keyboard only', async () => {
  const page = await newPage('bob');
  await page.goto(gateway.web);
  await tabTo(page, 'button', 'Development accounts');
  await page.keyboard.press('Enter');
  await page.waitForSelector('select[aria-label=Account]');
  await page.focus('select[aria-label=Account]');
  await page.keyboard.press('ArrowDown'); // Alice → Bob
  const bob = devAccount('//Bob').address;
  assert.equal(await page.inputValue('select[aria-label=Account]'), bob);

  // His account page: no name yet; he registers one.
  await tabTo(page, 'nav a', 'My account');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=balance]');
  await tabTo(page, 'form.inline input');
  await page.keyboard.type('bob-the-viewer');
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:text("bob-the-viewer")', { timeout: 60_000 });

  // The priced picture: a preview and a Buy button, reached and pressed by keyboard.
  const id = media['Sunrise over the harbour'];
  await page.goto(`${gateway.web}/media/${id}`);
  await page.waitForSelector('button:has-text("Buy for 2 PTI")');
  assert.equal(await page.locator('img.original:not(.preview)').count(), 0, 'no original before buying');
  await shot(page, 'media-priced');
  await tabTo(page, 'button', 'Buy for 2 PTI');
  await page.keyboard.press('Enter');
  await page.waitForSelector('img.original:not(.preview)', { timeout: 60_000 });
  assert.ok(await page.locator('img.original').evaluate((el) => el.decode().then(() => el.naturalWidth === 640)));

  // A like, by keyboard; the count follows once the indexer has the block.
  await tabTo(page, 'button[aria-label^="Like"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('button[aria-label="Like (1)"]', { timeout: 60_000 });
  // The purchase shows on his account page.
  await page.goto(`${gateway.web}/account/${bob}`);
  await page.waitForSelector(`a[href="/media/${id}"]`);
  await shot(page, 'account');
  await page.context().close();
});

/**
 * Tabs through the whole page from its start and asserts that every action on it — each
 * link, button, field and select — receives the focus.
 */
async function everyActionByKeyboard(page, name) {
  const total = await page.evaluate(() => {
    const actions = [...document.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]), select')];
    actions.forEach((el, i) => el.setAttribute('data-action', String(i)));
    document.activeElement?.blur();
    return actions.length;
  });
  assert.ok(total > 3, `${name}: ${total} actions`);
  const reached = new Set();
  for (let i = 0; i < total * 2 + 10 && reached.size < total; i++) {
    await page.keyboard.press('Tab');
    const action = await page.evaluate(() => document.activeElement?.getAttribute('data-action'));
    if (action !== null && action !== undefined) reached.add(action);
  }
  const missed = await page.evaluate((seen) => [...document.querySelectorAll('[data-action]')]
    .filter((el) => !seen.includes(el.getAttribute('data-action'))).map((el) => el.outerHTML.slice(0, 100)), [...reached]);
  assert.deepEqual(missed, [], `${name}: actions the keyboard does not reach`);
}

test('the keyboard reaches every action of every page', async () => {
  const page = await newPage('keyboard');
  await page.goto(gateway.web);
  await page.click('button:has-text("Development accounts")');
  await page.waitForSelector('select[aria-label=Account]');
  const pages = {
    catalogue: ['/', 'ul[aria-label=Media] li'],
    search: ['/search?q=harbour', 'ul[aria-label=Results] li'],
    video: [`/media/${media['Harbour timelapse at noon']}`, '[aria-label=Quality] button:has-text("480p")'],
    picture: [`/media/${media['Yellow tram in the harbour district']}`, 'img.original'],
    upload: ['/upload', 'button[type=submit]'],
    account: [`/account/${alice.address}`, 'ul.grid li'],
  };
  for (const [name, [path, ready]] of Object.entries(pages)) {
    await page.goto(gateway.web + path);
    await page.waitForSelector(ready);
    await everyActionByKeyboard(page, name);
  }
  await page.context().close();
});

test('the catalogue of 1,000 items paints within a second; a video shows its first frame within a second', async () => {
  // A synthetic index of 1,000 items behind a second gateway's player.
  const port = await freePort();
  const synthetic = await startProcess('synthetic-indexer', serviceBinary('paratii-indexer'),
    ['--listen', `127.0.0.1:${port}`, 'synthetic', '--titles', '1000'],
    async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok);
  const big = await startGateway(node, { web: { dir: WEB_DIST, indexer: `http://127.0.0.1:${port}` } });
  try {
    await withinTarget('first contentful paint of the 1,000-item catalogue, slowest of 5', 1000, async () => {
      const fcps = [];
      for (let i = 0; i < 5; i++) {
        const page = await newPage('catalogue-1000');
        await page.goto(big.web);
        await page.waitForSelector('ul[aria-label=Media] li');
        fcps.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0].startTime));
        await page.context().close();
      }
      fcps.sort((a, b) => a - b);
      console.log(`# catalogue of 1,000 items, first contentful paint: ${fcps.map((t) => t.toFixed(0)).join(', ')} ms`);
      return fcps.at(-1);
    });
  } finally {
    await big.stop();
    await synthetic.stop();
  }
  // The target is a 95th percentile: twenty openings, the nineteenth slowest held to it.
  await withinTarget('video first frame from opening the page, p95', 1000, async () => {
    const frames = [];
    let slowest = { at: -1, waterfall: '' };
    for (let i = 0; i < 20; i++) {
      const page = await newPage('first-frame');
      // The main thread's long tasks (over 50 ms) go in the waterfall beside the requests.
      await page.addInitScript(() => {
        window.__longTasks = [];
        new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries())).observe({ type: 'longtask' });
      });
      await page.goto(`${gateway.web}/media/${media['Harbour timelapse at noon']}`);
      await page.waitForFunction(() => performance.getEntriesByName('paratii-first-frame').length > 0, null, { timeout: 30_000 });
      const at = await page.evaluate(() => performance.getEntriesByName('paratii-first-frame')[0].startTime);
      frames.push(at);
      // What the slowest opening waited for: each request's start and end (ms from opening).
      if (at > slowest.at) slowest = { at, waterfall: await page.evaluate(waterfall) };
      await page.context().close();
    }
    frames.sort((a, b) => a - b);
    const p95 = frames[Math.ceil(frames.length * 0.95) - 1];
    console.log(`# video first frame from opening the page: ${frames.map((t) => t.toFixed(0)).join(', ')} ms; p95 ${p95.toFixed(0)} ms`);
    console.log(`# the slowest opening's requests:\n${slowest.waterfall}`);
    return p95;
  });
});

/**
 * Measures a figure (`measure` resolves with it, in ms) and holds it to the issue's
 * `target` × SLACK. A figure over the limit is measured once more before the test fails:
 * inside the test command another lane's burst of CPU (a runtime's release build, a
 * test binary's link) can stall one measurement, while a slow player is slow both times.
 */
async function withinTarget(what, target, measure) {
  const limit = target * SLACK;
  let figure = await measure();
  if (figure > limit) {
    console.log(`# ${what}: ${figure.toFixed(0)} ms, over ${limit} ms — measured again`);
    figure = await measure();
  }
  assert.ok(figure <= limit, `${what}: ${figure.toFixed(0)} ms (target ${target} ms, ×${SLACK})`);
}

/** In the page: every request (and the first-frame mark) with its start and end, in ms. */
function waterfall() {
  const rows = performance.getEntriesByType('resource').map((e) =>
    [e.startTime, e.responseEnd, new URL(e.name).pathname]);
  for (const m of performance.getEntriesByType('mark')) rows.push([m.startTime, m.startTime, `mark ${m.name}`]);
  for (const t of window.__longTasks ?? []) rows.push([t.startTime, t.startTime + t.duration, 'main thread busy']);
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) rows.push([0, nav.responseEnd, 'the page']);
  return rows.sort((a, b) => a[0] - b[0])
    .map(([s, e, n]) => `#   ${s.toFixed(0).padStart(5)} → ${e.toFixed(0).padStart(5)}  ${n}`).join('\n');
}

test('no page logged a console error', () => {
  // Chromium logs the connection the test reset on purpose; nothing else may be logged.
  const unexpected = consoleErrors.filter((e) =>
    ![...induced].some((url) => e.includes('ERR_CONNECTION_RESET') && e.includes(url)));
  assert.equal(consoleErrors.length - unexpected.length, induced.size, 'the reset connection was logged once');
  assert.deepEqual(unexpected, []);
});
