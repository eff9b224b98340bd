// The ad auction end to end, with the real services: an advertiser uploads its creative
// (a video, transcoded) and creates a campaign with the `paratii` CLI; the reference
// bidder (`paratii-adx bidder`) bids for it, a second bidder for another campaign, and
// a third bidder (here, in JS) answers after the auction's 100 ms tmax. The gateway
// runs the second-price auction for a viewer's pre-roll, answers VAST 4 with the
// creative's HLS stream, signs the exchange's Win and sends the win notice, on which
// the bidder co-signs it; the viewer's View goes back through the gateway. Both
// participants' channel nodes post their parts, the validator nodes agree and finalize,
// and the viewer and producer claim exactly their shares of the second price.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { admitAdValidators, connect, devAccount, PTI, submitFinal } from '../lib/chain.mjs';
import { freePort, startNode, waitFor } from '../lib/node.mjs';
import { signingPayload, view } from '../lib/adx.mjs';
import { sessionToken } from '../lib/pti.mjs';
import { metric, serviceBinary, startGateway, startProcess, startStorage } from '../lib/services.mjs';

const [alice, bob, charlie, dave, eve, ferdie] =
  ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map(devAccount);
const work = mkdtempSync(join(tmpdir(), 'paratii-auction-'));
const fresh = (m = mnemonicGenerate()) => ({ pair: new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(m), mnemonic: m });
const BID = PTI / 2n; // the advertiser's bidder
const SECOND = PTI / 5n; // the other campaign's bidder: the price paid

let node;
let api;
let genesis;
let gateway;
const procs = [];
let slow;
let advertiser;
let producer;
let creative;
let content;
let campaign;
let validators;
const viewer = fresh().pair;

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

async function uploaded(file, title, owner) {
  const out = paratii('upload', file, '--title', title, '--suri', owner.mnemonic);
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout).media_id;
}

const adx = async (name, args, health) => {
  const proc = await startProcess(name, serviceBinary('paratii-adx'), args, async () => (await fetch(health)).ok);
  procs.push(proc);
  return proc;
};
const dataDir = (what) => mkdtempSync(join(tmpdir(), `paratii-${what}-`));

/** A campaign created with the CLI by the advertiser, Dave and Eve its validators. */
function createCampaign(participants) {
  const out = paratii('ad', 'campaign', 'create', '--suri', advertiser.mnemonic, '--budget', '10', '--max-price', '1',
    '--validator', dave.address, '--validator', eve.address, ...participants.flatMap((p) => ['--participant', p.address]),
    '--valid-for', '400', '--challenge-period', '2');
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout).campaign;
}

before(async () => {
  node = await startNode({ name: 'adx-auction', ownClusters: true });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  for (const n of [1, 2]) procs.push(await startStorage(node, n));
  const port = async () => `127.0.0.1:${await freePort()}`;
  const [exchangeChannel, advertiserChannel, bidderA, bidderB] = await Promise.all([port(), port(), port(), port()]);
  // The late bidder: a valid, dearer bid for the advertiser's campaign, after 400 ms.
  slow = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => setTimeout(() => {
      const request = JSON.parse(body);
      slow.asked = (slow.asked ?? 0) + 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: request.id, seatbid: [{ bid: [{ id: 'late', impid: '1', price: 0.9, crid: String(creative),
        ext: { paratii: { campaign, price: String(PTI * 9n / 10n) } } }] }] }));
    }, 400));
  });
  await new Promise((r) => slow.listen(0, '127.0.0.1', r));
  gateway = await startGateway(node, { extra: ['--ad-exchange-suri', '//Bob', '--ad-channel', `http://${exchangeChannel}`,
    '--ad-bidder', `http://127.0.0.1:${slow.address().port}/openrtb2/bid`,
    '--ad-bidder', `http://${bidderA}/openrtb2/bid`, '--ad-bidder', `http://${bidderB}/openrtb2/bid`] });
  procs.push(gateway);

  advertiser = fresh();
  producer = fresh();
  for (const [who, name] of [[advertiser, 'studio'], [producer, 'filmmaker']]) {
    await submitFinal(api, api.tx.balances.transferKeepAlive(who.pair.address, 100n * PTI), alice);
    assert.equal((await submitFinal(api, api.tx.users.register(name, null), who.pair)).error, undefined);
  }
  creative = await uploaded(clip('ad.mp4', 4, 'testsrc2'), 'Fresh lemonade', advertiser);
  content = await uploaded(clip('dawn.mp4', 6, 'smptebars'), 'Harbour at dawn', producer);

  await admitAdValidators(api, alice, [dave, eve]);
  validators = await Promise.all(['//Dave', '//Eve'].map(async (suri) => {
    const listen = await port();
    const proc = await adx(`adx-validator-${suri.slice(2)}`, ['validator', '--chain', node.ws, '--validator-suri', suri,
      '--listen', listen, '--accept-campaigns', '--data-dir', dataDir('adx-validator')], `http://${listen}/health`);
    return { ...proc, url: `http://${listen}` };
  }));
  campaign = createCampaign([bob, charlie]); // the exchange, the advertiser's bidder
  const other = createCampaign([bob, ferdie]);
  for (const [suri, listen] of [['//Bob', exchangeChannel], ['//Charlie', advertiserChannel]]) {
    await adx(`adx-channel-${suri.slice(2)}`, ['channel', '--chain', node.ws, '--listen', listen, '--data-dir', dataDir('adx'),
      '--participant-suri', suri, '--public-url', `http://${listen}`, '--open-after-secs', '3'], `http://${listen}/health`);
  }
  const bidder = async (name, suri, listen, spec) => {
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(spec));
    await adx(name, ['bidder', '--chain', node.ws, '--listen', listen, '--public-url', `http://${listen}`,
      '--campaigns', file, '--bidder-suri', suri, '--channel-url', `http://${advertiserChannel}`], `http://${listen}/health`);
  };
  await bidder('bidder-advertiser', '//Charlie', bidderA,
    [{ campaign, creative, bid: String(BID), words: ['dawn', 'sunset'], kinds: ['video'] }]);
  await bidder('bidder-other', '//Ferdie', bidderB, [{ campaign: other, creative, bid: String(SECOND) }]);
});

after(async () => {
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

test('a viewer\'s pre-roll: second-price auction within tmax, VAST with the creative, Win co-signed, View kept', async () => {
  const session = { 'x-paratii-session': sessionToken(viewer, genesis, Date.now() + 3600_000) };
  // The validators accept the campaigns; then the auction has bids.
  const first = await waitFor('an ad', async () => {
    const answer = await vast(session);
    return answer.xml.includes('<InLine>') && answer;
  }, { timeoutMs: 120_000 });
  const impressions = [first];
  impressions.push(await vast(session));
  for (const { xml, ms } of impressions) {
    assert.ok(ms < 400, `the auction answered in ${ms} ms, the late bidder skipped`);
    assert.equal(field(xml, 'Campaign'), String(campaign), 'the advertiser\'s bid won');
    assert.equal(field(xml, 'UniversalAdId'), String(creative));
    assert.equal(field(xml, 'Paid'), 'true');
    assert.match(field(xml, 'Duration'), /^00:00:0[34]\.\d{3}$/);
    const stream = await fetch(field(xml, 'MediaFile'));
    assert.equal(stream.status, 200, 'the creative streams from the clusters');
    assert.match(await stream.text(), /#EXTM3U/);
  }
  await waitFor('the late bidder asked', () => slow.asked >= 2);
  const late = await metric(gateway.download, 'paratii_gateway_ad_bids_total', { fate: 'late' });
  assert.ok(late >= 2, `late bids counted: ${late}`);
  // An anonymous viewer sees the ad, unpaid: no Win is signed for it.
  const anonymous = await vast();
  assert.equal(field(anonymous.xml, 'Paid'), 'false');

  // The player signs each View after the ad has played (the viewer's key, the chain,
  // campaign and block of the VAST extension); the gateway keeps it once.
  const block = Number(field(first.xml, 'Block'));
  const ids = impressions.map(({ xml }) => BigInt(xml.match(/<Ad id="(\d+)"/)[1]));
  const signView = (impression, signer = viewer) =>
    u8aToHex(signer.sign(signingPayload(genesis, campaign, block, viewer.publicKey, view(impression))));
  const postView = (impression, signature) => fetch(`${gateway.download}/ads/views`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ impression: String(impression), signature }),
  });
  const forged = await postView(ids[0], signView(ids[0], fresh().pair));
  assert.equal(forged.status, 400, 'another key\'s signature');
  for (const id of ids) assert.equal((await postView(id, signView(id))).status, 202);
  assert.equal((await postView(ids[0], signView(ids[0]))).status, 404, 'one View per impression');

  // Both participants post their parts (the exchange's wins and views, the bidder's
  // co-signed wins); the validators agree and finalize.
  await waitFor('block finalized', async () =>
    (await api.query.adExchange.campaigns(campaign)).unwrap().nextBlock.toNumber() > block, { timeoutMs: 240_000 });
  const record = (await api.query.adExchange.campaigns(campaign)).unwrap();
  assert.equal(record.settled.toBigInt(), 2n * SECOND, 'two views at the second price');
  const expected = { [viewer.address]: SECOND, [producer.pair.address]: 2n * SECOND * 3n / 10n };
  for (const [who, amount] of Object.entries(expected)) {
    await waitFor('the validator\'s proof', async () =>
      (await fetch(`${validators[0].url}/campaigns/${campaign}/earnings/${who}`)).ok);
    const claimed = paratii('ad', 'claim', String(campaign), '--suri', '//Ferdie', '--account', who,
      '--validator-url', validators[0].url);
    assert.equal(claimed.status, 0, claimed.stderr);
    assert.equal(JSON.parse(claimed.stdout).claimed, String(amount), `${who}'s share`);
  }
});
