// The ad exchange's channel node (`paratii-adx channel`) against a dev node: the
// exchange's node takes the messages of the block a real campaign collects — signed in
// polkadot.js as the exchange and a viewer sign them — refuses other blocks, other
// campaigns and bad signatures, then seals its part and posts its hash with
// `adExchange.submitPart` itself (opening the block), serves the part at the location
// it posted, and the chain's own processing (`AdExchangeApi.processBlock`) pays the
// views in it. Two validator nodes (`paratii-adx validator`, Dave and Eve) then process
// the block once its window closes, agree, and finalize it after the challenge period;
// the viewer and the producer claim exactly their shares, the fund the rest. In a second
// campaign (Dave and Ferdie its validators) Ferdie lies; the validator nodes draw the
// dispute's panel from the registry (Eve), Eve's node posts its result, and the honest
// result wins two to one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { admitAdValidators, connect, devAccount, findEvent, PTI, submit } from '../lib/chain.mjs';
import { freePort, startNode, waitFor } from '../lib/node.mjs';
import {
  encodePart, hex, partHash, partsDigest, payoutsRoot, resultHash, signMessage, view, win,
} from '../lib/adx.mjs';
import { serviceBinary, startProcess } from '../lib/services.mjs';

const advertiser = devAccount('//Alice');
const exchange = devAccount('//Bob');
const auditor = devAccount('//Charlie');
const [dave, eve, ferdie] = ['//Dave', '//Eve', '//Ferdie'].map(devAccount);
const BOND = 1_000n * PTI;
const fresh = () => new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonicGenerate());
const viewer = fresh();
const producer = fresh();

let node;
let api;
let genesis;
let channel;
let campaign;
let disputed; // the second campaign, where Ferdie lies
let validators = [];
let output; // the block's processing, as the chain's runtime computes it

async function ok(tx, signer) {
  const result = await submit(api, tx, signer);
  assert.equal(result.error, undefined, `${tx.method.section}.${tx.method.method}: ${JSON.stringify(result.error)}`);
  return result;
}

/** The `paratii` CLI against the node, answering JSON. */
const paratii = (...args) => spawnSync(serviceBinary('paratii'), ['--chain', node.ws, '--json', ...args],
  { encoding: 'utf8', timeout: 120_000 });

const post = (c, block, messages) => fetch(`${channel.url}/campaigns/${c}/blocks/${block}/messages`, {
  method: 'POST', body: encodePart(messages),
});

before(async () => {
  node = await startNode({ name: 'adx-channel' });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  await admitAdValidators(api, advertiser, [dave, eve, ferdie]);
  const create = async (named) => {
    const now = (await api.rpc.chain.getHeader()).number.toNumber();
    const { events } = await ok(api.tx.adExchange.createCampaign(
      100n * PTI, PTI, { viewer: 500_000_000, producer: 300_000_000, fund: 200_000_000 },
      named.map((v) => v.address), [exchange.address, auditor.address], auditor.address,
      now + 200, 2, u8aToHex(new Uint8Array(32).fill(0x5c)),
    ), advertiser);
    return findEvent(events, 'adExchange', 'CampaignCreated').data.campaign.toNumber();
  };
  // The first campaign as an advertiser creates it: with the CLI.
  const created = paratii('ad', 'campaign', 'create', '--suri', '//Alice', '--budget', '100', '--max-price', '1',
    '--validator', dave.address, '--validator', eve.address, '--participant', exchange.address,
    '--participant', auditor.address, '--auditor', auditor.address, '--valid-for', '200', '--challenge-period', '2');
  assert.equal(created.status, 0, created.stderr);
  campaign = JSON.parse(created.stdout).campaign; // Dave's and Eve's nodes accept it
  disputed = await create([dave, ferdie]);
  await ok(api.tx.adExchange.acceptCampaign(disputed), ferdie); // Ferdie runs no node
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess('adx-channel', serviceBinary('paratii-adx'), [
    'channel', '--chain', node.ws, '--listen', `127.0.0.1:${port}`, '--data-dir', mkdtempSync(join(tmpdir(), 'paratii-adx-')),
    '--participant-suri', '//Bob', '--public-url', url, '--open-after-secs', '3',
  ], async () => (await fetch(`${url}/health`)).ok);
  channel = { ...proc, url };
  // Ferdie runs no node: the test lies for him.
  validators = await Promise.all(['//Dave', '//Eve'].map(async (suri) => {
    const listen = `127.0.0.1:${await freePort()}`;
    const proc = await startProcess(`adx-validator-${suri.slice(2)}`, serviceBinary('paratii-adx'), [
      'validator', '--chain', node.ws, '--validator-suri', suri, '--listen', listen, '--accept-campaigns',
      '--data-dir', mkdtempSync(join(tmpdir(), 'paratii-adx-validator-')),
    ], async () => (await fetch(`http://${listen}/health`)).ok);
    return { ...proc, url: `http://${listen}` };
  }));
  // The disputed campaign's views: its block opens (and its window runs) beside the first's.
  const res = await post(disputed, 0, [3n, 4n].flatMap((impression) => [
    signMessage(exchange, genesis, disputed, 0, win(impression, viewer.publicKey, producer.publicKey, PTI / 4n)),
    signMessage(viewer, genesis, disputed, 0, view(impression)),
  ]));
  assert.equal(res.status, 200, await res.text());
});

after(async () => {
  for (const v of validators) await v.stop();
  await channel?.stop();
  await api?.disconnect();
  await node?.stop();
});

test('the exchange\'s channel node keeps the collecting block\'s signed messages, refuses the rest and posts its part', async () => {
  const messages = [1n, 2n].flatMap((impression) => [
    signMessage(exchange, genesis, campaign, 0, win(impression, viewer.publicKey, producer.publicKey, PTI / 2n)),
    signMessage(viewer, genesis, campaign, 0, view(impression)),
  ]);
  const first = await post(campaign, 0, messages);
  assert.equal(first.status, 200, await first.clone().text());
  assert.deepEqual(await first.json(), { accepted: 4, duplicates: 0, part_messages: 4 });
  // The same statements signed again (sr25519 signatures differ each time) are duplicates.
  const again = await post(campaign, 0, [signMessage(viewer, genesis, campaign, 0, view(1n))]);
  assert.deepEqual(await again.json(), { accepted: 0, duplicates: 1, part_messages: 4 });

  // Block 2 is not the collecting block nor the next, campaign 99 does not exist, a
  // message signed for block 1 does not verify for block 0: each refused with what to
  // fix, nothing kept.
  const later = await post(campaign, 2, [signMessage(viewer, genesis, campaign, 2, view(3n))]);
  assert.equal(later.status, 409);
  assert.match((await later.json()).error, /collects block 0, not 2/);
  assert.deepEqual(await (await fetch(`${channel.url}/campaigns/${campaign}/collecting`)).json(), { campaign, block: 0 });
  assert.equal((await post(99, 0, [signMessage(viewer, genesis, 99, 0, view(3n))])).status, 404);
  const mixed = await post(campaign, 0, [
    signMessage(viewer, genesis, campaign, 0, view(4n)),
    signMessage(viewer, genesis, campaign, 1, view(5n)),
  ]);
  assert.equal(mixed.status, 400);
  assert.match((await mixed.json()).error, /message 1's signature does not verify/);
  assert.equal((await post(campaign, 0, [new Uint8Array([1, 2, 3])])).status, 400);

  // Three seconds after its first message the node seals the part and opens the block
  // with it: its hash and location on chain, signed by the exchange.
  const posted = await waitFor('the exchange\'s part on chain', async () => {
    const pending = await api.query.adExchange.pending(campaign, 0);
    return pending.isSome && pending.unwrap().parts.find((p) => p.participant.toString() === exchange.address);
  }, { timeoutMs: 60_000 });
  const location = new TextDecoder().decode(posted.location.toU8a(true));
  assert.equal(location, `${channel.url}/campaigns/${campaign}/blocks/0/part`);
  const res = await fetch(location);
  const part = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual(part, encodePart(messages));
  assert.equal(res.headers.get('x-paratii-part-hash'), u8aToHex(partHash(part)));
  assert.equal(posted.partHash.toHex(), u8aToHex(partHash(part)));
  // Sealed: a late message is told to sign for the next block.
  const late = await post(campaign, 0, [signMessage(viewer, genesis, campaign, 0, view(6n))]);
  assert.equal(late.status, 409);
  // The chain's own processing of the part pays both views.
  const processed = await api.call.adExchangeApi.processBlock(campaign, 0, [], u8aConcat(compactToU8a(1), part));
  assert.ok(processed.isOk, processed.toString());
  assert.equal(processed.asOk.total.toBigInt(), PTI, 'two views at half a PTI each');
  output = processed.asOk;
});

test('the validator nodes agree on the block, finalize it, and each earner claims exactly its share', async () => {
  assert.ok(output, 'the block was processed');
  // The window closes, both validators post the same result, the challenge period
  // passes, and one of them finalizes: the campaign moves to block 1 with that root.
  await waitFor('block 0 finalized by the validators', async () =>
    (await api.query.adExchange.campaigns(campaign)).unwrap().nextBlock.toNumber() === 1, { timeoutMs: 180_000 });
  const record = (await api.query.adExchange.campaigns(campaign)).unwrap();
  assert.equal(record.balanceRoot.toHex(), output.payoutsRoot.toHex());
  assert.equal(record.settled.toBigInt(), PTI);
  const status = paratii('ad', 'campaign', 'status', String(campaign));
  assert.equal(status.status, 0, status.stderr);
  const shown = JSON.parse(status.stdout);
  assert.deepEqual([shown.settled, shown.budget, shown.next_block, shown.validators_accepted, shown.status],
    [String(PTI), String(100n * PTI), 1, 2, 'active']);
  for (const v of validators) {
    await waitFor('the result posted', async () =>
      readFileSync(v.logPath, 'utf8').includes(`posted the result of block 0 of campaign ${campaign}`));
  }
  // Viewer 50 %, producer 30 % of 1 PTI; the fund the remainder. Each claims with the
  // CLI, from a validator's proof (anyone may sign a claim: the PTI goes to the earner).
  const expected = { [viewer.address]: PTI / 2n, [producer.address]: 3n * PTI / 10n };
  for (const [i, [who, amount]] of Object.entries(expected).entries()) {
    // The validator serves proofs once it has seen the block settle with its root.
    await waitFor('the validator\'s proof', async () =>
      (await fetch(`${validators[i % 2].url}/campaigns/${campaign}/earnings/${who}`)).ok);
    const before = (await api.query.system.account(who)).data.free.toBigInt();
    const claimed = paratii('ad', 'claim', String(campaign), '--suri', '//Ferdie', '--account', who,
      '--validator-url', validators[i % 2].url);
    assert.equal(claimed.status, 0, claimed.stderr);
    assert.equal(JSON.parse(claimed.stdout).claimed, String(amount), `${who}'s share`);
    assert.equal((await api.query.system.account(who)).data.free.toBigInt() - before, amount);
  }
  // Claimed: nothing more to claim; an account that earned nothing has no proof.
  const again = paratii('ad', 'claim', String(campaign), '--suri', '//Ferdie', '--account', viewer.address,
    '--validator-url', validators[0].url);
  assert.equal(again.status, 3, again.stderr);
  const none = await fetch(`${validators[0].url}/campaigns/${campaign}/earnings/${exchange.address}`);
  assert.equal(none.status, 404);
  const total = output.cumulative.reduce((sum, [, v]) => sum + v.toBigInt(), 0n);
  assert.equal(total, PTI, 'every planck of the two views is paid out');
});

test('a validator that lies is outvoted: the validator nodes draw the panel and the honest result wins', async () => {
  const pending = await waitFor('the disputed campaign\'s block open', async () => {
    const p = await api.query.adExchange.pending(disputed, 0);
    return p.isSome && p.unwrap();
  });
  await waitFor('its window closed', async () =>
    (await api.rpc.chain.getHeader()).number.toNumber() >= pending.collectUntil.toNumber(), { timeoutMs: 120_000 });
  const parts = await Promise.all(pending.parts.map(async (p) =>
    new Uint8Array(await (await fetch(new TextDecoder().decode(p.location.toU8a(true)))).arrayBuffer())));
  const processed = await api.call.adExchangeApi.processBlock(disputed, 0, [], u8aConcat(compactToU8a(parts.length), ...parts));
  const honest = processed.asOk;
  // Ferdie's lie: 50 PTI to himself, with a result hash the chain accepts.
  const digest = partsDigest(pending.parts.map((p) => [p.participant.toU8a(), p.partHash.toU8a()]));
  const lieRoot = payoutsRoot([[ferdie.publicKey, 50n * PTI]]);
  const lie = hex(resultHash(genesis, disputed, 0, digest, new Uint8Array(32), lieRoot, 50n * PTI));
  await ok(api.tx.adExchange.submitResult(disputed, 0, lie, hex(lieRoot), 50n * PTI), ferdie);
  await waitFor('the dispute decided', async () =>
    (await api.query.adExchange.campaigns(disputed)).unwrap().nextBlock.toNumber() === 1, { timeoutMs: 180_000 });
  const record = (await api.query.adExchange.campaigns(disputed)).unwrap();
  assert.equal(record.balanceRoot.toHex(), honest.payoutsRoot.toHex(), 'the honest result wins (2 of 3)');
  assert.equal(record.settled.toBigInt(), PTI / 2n);
  const ferdieHeld = (await api.query.system.account(ferdie.address)).data.reserved.toBigInt();
  assert.equal(ferdieHeld, BOND - BOND / 10n, 'the liar is slashed a tenth of his bond');
  // The nodes log a transaction once it is finalized, a moment after the state above.
  const logged = (v, line) => waitFor(line, async () => readFileSync(v.logPath, 'utf8').includes(line));
  await Promise.any(validators.map((v) => logged(v, `drew the dispute panel of block 0 of campaign ${disputed}`)));
  await logged(validators[1], `posted the result of block 0 of campaign ${disputed}`); // Eve, on the panel
});
