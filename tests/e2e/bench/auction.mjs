// Benchmark of the ad auction on loopback (not a test: it measures and prints): the
// gateway's `GET /ads/vast` with 8 reference bidders (`paratii-adx bidder`, each for a
// campaign of its own), the exchange's channel node taking the wins, a viewer session
// on every request (so every auction signs a Win, queues it and sends the win notice,
// on which the winning bidder co-signs to its channel node). Closed-loop clients
// (`paratii-adx load-vast`) keep CONCURRENCY requests in flight for SECONDS; it prints
// the auctions per second and the latency quantiles. The node, the gateway, the bidders
// and the channel nodes are release builds (scripts/bench-auction.sh builds them and
// sets PARATII_NODE); the CLI the debug one.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Keyring } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { admitAdValidators, connect, devAccount, findEvent, PTI, submit, submitFinal } from '../lib/chain.mjs';
import { freePort, startNode, waitFor } from '../lib/node.mjs';
import { sessionToken } from '../lib/pti.mjs';
import { metric, serviceBinary, startGateway, startProcess, startStorage } from '../lib/services.mjs';

const BIDDERS = 8;
// Campaigns per bidder: a campaign takes at most MAX_SALES_PER_BLOCK (1,365) paid sales a
// channel block, so at 1,000 auctions a second each bidder's dearest fills in seconds and
// the auction goes on with the next.
const CAMPAIGNS_EACH = 4;
const SECONDS = Number(process.env.SECONDS_ ?? 20);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const work = mkdtempSync(join(tmpdir(), 'paratii-bench-auction-'));
const say = (m) => console.error(`==> ${m}`);
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = devAccount('//Alice');
const procs = [];

const node = await startNode({ name: 'bench-auction', ownClusters: true });
const api = await connect(node);
const genesis = hexToU8a(api.genesisHash.toHex());
try {
  for (const n of [1, 2]) procs.push(await startStorage(node, n));
  const port = async () => `127.0.0.1:${await freePort()}`;
  const exchangeChannel = await port();
  const advertisersChannel = await port();
  const bidderAddrs = await Promise.all(Array.from({ length: BIDDERS }, port));
  say(`starting the gateway (release) with ${BIDDERS} bidders`);
  const gateway = await startGateway(node, {
    extra: ['--ad-exchange-suri', '//Bob', '--ad-channel', `http://${exchangeChannel}`,
      ...bidderAddrs.flatMap((a) => ['--ad-bidder', `http://${a}/openrtb2/bid`])],
  });
  procs.push(gateway);
  const owner = { mnemonic: mnemonicGenerate() };
  owner.pair = keyring.addFromUri(owner.mnemonic);
  await submitFinal(api, api.tx.balances.transferKeepAlive(owner.pair.address, 1000n * PTI), alice);
  await submitFinal(api, api.tx.users.register('benchmark', null), owner.pair);
  const clip = (name, pattern) => {
    const path = join(work, name);
    spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', `${pattern}=size=320x240:rate=15:duration=4`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path]);
    return path;
  };
  say('uploading the creative (a 4-second clip) and the content with the CLI');
  const upload = (file, title) => {
    const out = spawnSync(serviceBinary('paratii', 'debug'), ['--chain', node.ws, '--upload-url', gateway.upload,
      '--download-url', gateway.download, '--json', 'upload', file, '--title', title, '--suri', owner.mnemonic], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(out.stderr);
    return JSON.parse(out.stdout).media_id;
  };
  const creative = upload(clip('ad.mp4', 'testsrc2'), 'Lemonade');
  const content = upload(clip('dawn.mp4', 'smptebars'), 'Harbour at dawn');

  say(`creating ${BIDDERS * CAMPAIGNS_EACH} campaigns, ${CAMPAIGNS_EACH} per bidder, each with its bidder's key among the participants`);
  const [dave, eve] = ['//Dave', '//Eve'].map(devAccount);
  await admitAdValidators(api, alice, [dave, eve]);
  const bidderKeys = Array.from({ length: BIDDERS }, (_, i) => keyring.addFromUri(`//Bidder${i}`));
  const campaigns = [];
  let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const created = await Promise.all(bidderKeys.flatMap((k) => Array(CAMPAIGNS_EACH).fill(k)).map((k) => submit(api, api.tx.adExchange.createCampaign(
    1000n * PTI, PTI, { viewer: 500_000_000, producer: 300_000_000, fund: 200_000_000 },
    [dave.address, eve.address], [devAccount('//Bob').address, k.address], null, now + 10_000, 200,
    '0x' + '00'.repeat(32)), alice, { nonce: nonce++ })));
  for (const { events, error } of created) {
    if (error) throw new Error(JSON.stringify(error));
    campaigns.push(findEvent(events, 'adExchange', 'CampaignCreated').data.campaign.toNumber());
  }
  const adx = (name, args, health) =>
    startProcess(name, serviceBinary('paratii-adx'), args, async () => (await fetch(health)).ok).then((p) => procs.push(p));
  await adx('channel-exchange', ['channel', '--chain', node.ws, '--listen', exchangeChannel, '--data-dir', join(work, 'exchange'),
    '--participant-suri', '//Bob', '--public-url', `http://${exchangeChannel}`, '--open-after-secs', '600'], `http://${exchangeChannel}/health`);
  await adx('channel-advertisers', ['channel', '--chain', node.ws, '--listen', advertisersChannel, '--data-dir', join(work, 'advertisers'),
    '--public-url', `http://${advertisersChannel}`], `http://${advertisersChannel}/health`);
  for (const [i, listen] of bidderAddrs.entries()) {
    const file = join(work, `bidder-${i}.json`);
    const own = campaigns.slice(i * CAMPAIGNS_EACH, (i + 1) * CAMPAIGNS_EACH);
    writeFileSync(file, JSON.stringify(own.map((campaign, j) =>
      ({ campaign, creative, bid: String(PTI / 1000n * BigInt(j * BIDDERS + i + 1)) }))));
    await adx(`bidder-${i}`, ['bidder', '--chain', node.ws, '--listen', listen, '--public-url', `http://${listen}`,
      '--campaigns', file, '--bidder-suri', `//Bidder${i}`, '--channel-url', `http://${advertisersChannel}`], `http://${listen}/health`);
  }
  const viewers = Array.from({ length: CONCURRENCY }, () => keyring.addFromUri(mnemonicGenerate()));
  const sessions = viewers.map((v) => sessionToken(v, genesis, Date.now() + 3600_000));
  const url = `${gateway.download}/ads/vast?media=${content}`;
  await waitFor('every bidder bidding', async () => {
    await fetch(url, { headers: { 'x-paratii-session': sessions[0] } });
    return await metric(gateway.download, 'paratii_gateway_ad_bids_total', { fate: 'valid' }) >= BIDDERS * 2;
  }, { timeoutMs: 120_000 });

  const sessionsFile = join(work, 'sessions.txt');
  writeFileSync(sessionsFile, sessions.join('\n'));
  say(`${CONCURRENCY} clients (paratii-adx load-vast) for ${SECONDS} s`);
  // Asynchronously: the services' logs go through this process's event loop, which must
  // keep draining them (a blocked loop fills their pipes and stalls them).
  const load = await promisify(execFile)(serviceBinary('paratii-adx'), ['load-vast', '--url', url,
    '--sessions', sessionsFile, '--concurrency', String(CONCURRENCY), '--seconds', String(SECONDS)]);
  const measured = JSON.parse(load.stdout);
  const won = await metric(gateway.download, 'paratii_gateway_ad_auctions_total', { outcome: 'won' });
  const late = await metric(gateway.download, 'paratii_gateway_ad_bids_total', { fate: 'late' });
  const full = await metric(gateway.download, 'paratii_gateway_ad_bids_total', { fate: 'full' });
  const dropped = await metric(gateway.download, 'paratii_gateway_ad_records_total', { kind: 'dropped' });
  console.log(JSON.stringify({
    bidders: BIDDERS, ...measured,
    gateway: { won, late_bids: late, bids_of_full_parts: full, dropped_records: dropped },
  }, null, 1));
} finally {
  for (const p of procs.reverse()) await p.stop();
  await api.disconnect();
  await node.stop();
}
