// The ad exchange through polkadot.js on a dev node, with the off-chain side simulated
// here (lib/adx.mjs: the encodings written from the README, signed with real sr25519
// keys): an advertiser's campaign, two participants' parts, two validators agreeing,
// finalize, the viewer, the producer and the fund claiming exactly their shares, the
// advertiser's refund; and a campaign where one validator lies, the dispute's panel is
// drawn from the registry (from the hash of a later block), the honest result wins and
// the liar is slashed. Validators apply and the chain's governance (sudo here) admits
// them; each accepts the campaigns that name it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { compactToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { encodeAddress, mnemonicGenerate } from '@polkadot/util-crypto';
import { admitAdValidators, connect, devAccount, findEvent, PTI, submit, untilBlock } from '../lib/chain.mjs';
import { startNode } from '../lib/node.mjs';
import {
  check, encodePart, FLAGS, hex, partHash, partsDigest, payoutsRoot, resultHash, signMessage, view, win,
} from '../lib/adx.mjs';

const advertiser = devAccount('//Alice');
const exchange = devAccount('//Bob');
const auditor = devAccount('//Charlie');
const [dave, eve, ferdie] = ['//Dave', '//Eve', '//Ferdie'].map(devAccount);
const fresh = () => new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonicGenerate());
const viewer = fresh();
const producer = fresh();

const FUND = encodeAddress(u8aConcat(stringToU8a('modl'), stringToU8a('py/trsry'), new Uint8Array(20)), 42);
const BOND = 1_000n * PTI;
const SHARES = { viewer: 500_000_000, producer: 300_000_000, fund: 200_000_000 };

let node;
let api;
let genesis;
const campaigns = {};

const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
const reserved = async (who) => (await api.query.system.account(who)).data.reserved.toBigInt();
const bestNumber = async () => (await api.rpc.chain.getHeader()).number.toNumber();

async function ok(tx, signer) {
  const result = await submit(api, tx, signer);
  assert.equal(result.error, undefined, `${tx.method.section}.${tx.method.method}: ${JSON.stringify(result.error)}`);
  return result;
}

async function createCampaign(validators, validFor) {
  const now = await bestNumber();
  const { events } = await ok(api.tx.adExchange.createCampaign(
    100n * PTI, PTI, SHARES,
    validators.map((v) => v.address), [exchange.address, auditor.address], auditor.address,
    now + validFor, 2, u8aToHex(new Uint8Array(32).fill(0x5c)),
  ), advertiser);
  const { campaign, escrow } = findEvent(events, 'adExchange', 'CampaignCreated').data;
  const id = campaign.toNumber();
  // Naming a validator binds it to nothing: it accepts.
  await Promise.all(validators.map((v) => ok(api.tx.adExchange.acceptCampaign(id), v)));
  return { id, escrow: escrow.toString() };
}

/** The exchange's part: a win and the viewer's view for each `[impression, price]`. */
function exchangePart(campaign, block, views) {
  const messages = views.flatMap(([impression, price]) => [
    signMessage(exchange, genesis, campaign, block, win(impression, viewer.publicKey, producer.publicKey, price)),
    signMessage(viewer, genesis, campaign, block, view(impression)),
  ]);
  return encodePart(messages);
}

async function postPart(who, campaign, part) {
  await ok(api.tx.adExchange.submitPart(campaign, 0, u8aToHex(partHash(part)), u8aToHex(stringToU8a(`https://parts.example/${campaign}`))), who);
}

/** What a validator does: fetch the parts, run the chain's code over them, compare with our own root. */
async function processBlock(campaign, partsByAccount) {
  const pending = (await api.query.adExchange.pending(campaign, 0)).unwrap();
  await untilBlock(api, pending.collectUntil.toNumber());
  const parts = pending.parts.map((p) => partsByAccount[p.participant.toString()]);
  const result = await api.call.adExchangeApi.processBlock(campaign, 0, [], u8aConcat(compactToU8a(parts.length), ...parts));
  assert.ok(result.isOk, `processBlock: ${result.toString()}`);
  const out = result.asOk;
  const cumulative = out.cumulative.map(([a, v]) => [a.toU8a(), v.toBigInt()]);
  assert.equal(hex(payoutsRoot(cumulative)), out.payoutsRoot.toHex(), 'our payouts root is the chain\'s');
  const digest = partsDigest(pending.parts.map((p) => [p.participant.toU8a(), p.partHash.toU8a()]));
  assert.equal(hex(resultHash(genesis, campaign, 0, digest, new Uint8Array(32), payoutsRoot(cumulative), out.total.toBigInt())),
    out.resultHash.toHex(), 'our result hash is the chain\'s');
  return { out, digest };
}

const postResult = (validator, campaign, { resultHash: h, payoutsRoot: r, total }) =>
  submit(api, api.tx.adExchange.submitResult(campaign, 0, h, r, total), validator);

async function claim(campaign, out, who) {
  const proof = await api.call.adExchangeApi.payoutProof(out.cumulative, who);
  assert.ok(proof.isSome, `${who} earned something`);
  const [amount, payoutProof] = proof.unwrap();
  await ok(api.tx.adExchange.claim(campaign, who, amount, payoutProof.toJSON()), ferdie);
  return amount.toBigInt();
}

before(async () => {
  node = await startNode({ name: 'ad-exchange' });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
  // The dev chain's governance (Alice, its sudo key) admits the three applicants.
  await admitAdValidators(api, advertiser, [dave, eve, ferdie]);
  // Both campaigns collect at once, so the suite waits out one collection window.
  campaigns.settled = await createCampaign([dave, eve], 24);
  campaigns.disputed = await createCampaign([dave, eve], 200);
  const a = campaigns.settled.id;
  campaigns.settled.parts = {
    [exchange.address]: exchangePart(a, 0, [[1, PTI], [2, 6n * PTI / 10n], [3, PTI / 2n]]),
    [auditor.address]: encodePart([
      signMessage(auditor, genesis, a, 0, check(2, FLAGS.VIEW | FLAGS.CLICK)),
      signMessage(auditor, genesis, a, 0, check(3, FLAGS.FRAUD)),
    ]),
  };
  const b = campaigns.disputed.id;
  campaigns.disputed.parts = { [exchange.address]: exchangePart(b, 0, [[1, PTI]]) };
  await postPart(exchange, a, campaigns.settled.parts[exchange.address]);
  await Promise.all([
    postPart(auditor, a, campaigns.settled.parts[auditor.address]),
    postPart(exchange, b, campaigns.disputed.parts[exchange.address]),
  ]);
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

test('the payout root vector is the Rust crate\'s', () => {
  const accounts = [1, 2, 3].map((i) => [new Uint8Array(32).fill(i), BigInt(i) * 1000n]);
  assert.equal(hex(payoutsRoot(accounts)), '0x7041e90110729f54b30bc3967e8590981279e1c1cd2d52abc95891d2e2b3d5b7');
});

test('a campaign settles: parts, two agreeing validators, finalize, exact claims, refund, reaped', async () => {
  const { id, escrow, parts } = campaigns.settled;
  assert.equal(await free(escrow), 100n * PTI + (await api.consts.balances.existentialDeposit).toBigInt());
  const { out } = await processBlock(id, parts);
  // Impression 1 (1 PTI) and 2 (0.6 PTI, clicked) are paid; 3 is flagged as fraud.
  assert.equal(out.total.toBigInt(), 16n * PTI / 10n);
  assert.deepEqual([out.paidViews.toNumber(), out.clicks.toNumber(), out.fraud.toNumber()], [2, 1, 1]);

  // One validator's result alone does not finalize.
  const first = await postResult(dave, id, out);
  assert.equal(first.error, undefined);
  const early = await submit(api, api.tx.adExchange.finalize(id, 0), ferdie);
  assert.equal(early.error?.name, 'NotAgreed');
  const second = await postResult(eve, id, out);
  const agreed = findEvent(second.events, 'adExchange', 'BlockAgreed');
  assert.ok(agreed, 'both validators agree');
  await untilBlock(api, agreed.data.challengeEnd.toNumber());
  const { events } = await ok(api.tx.adExchange.finalize(id, 0), ferdie);
  assert.equal(findEvent(events, 'adExchange', 'BlockFinalized').data.total.toBigInt(), 16n * PTI / 10n);

  const fundBefore = await free(FUND);
  assert.equal(await claim(id, out, viewer.address), 8n * PTI / 10n);
  assert.equal(await claim(id, out, producer.address), 48n * PTI / 100n);
  assert.equal(await claim(id, out, FUND), 32n * PTI / 100n);
  assert.equal(await free(viewer.address), 8n * PTI / 10n);
  assert.equal(await free(producer.address), 48n * PTI / 100n);
  assert.equal((await free(FUND)) - fundBefore, 32n * PTI / 100n);
  const again = await submit(api, api.tx.adExchange.claim(id, viewer.address, 8n * PTI / 10n,
    (await api.call.adExchangeApi.payoutProof(out.cumulative, viewer.address)).unwrap()[1].toJSON()), ferdie);
  assert.equal(again.error?.name, 'NothingToClaim');

  const campaign = (await api.query.adExchange.campaigns(id)).unwrap();
  await untilBlock(api, campaign.validUntil.toNumber());
  const closed = await ok(api.tx.adExchange.closeCampaign(id), advertiser);
  assert.equal(findEvent(closed.events, 'adExchange', 'CampaignClosed').data.refunded.toBigInt(), 100n * PTI - 16n * PTI / 10n);
  // Everything paid: the escrow is empty (its deposit went back to the advertiser).
  assert.equal(await free(escrow), 0n);
  // Closed and fully claimed: anyone removes its records, the storage deposit goes back.
  const reaped = await ok(api.tx.adExchange.reapCampaign(id, 16), ferdie);
  assert.equal(findEvent(reaped.events, 'adExchange', 'CampaignReaped').data.deposit.toBigInt(),
    api.consts.adExchange.campaignDeposit.toBigInt());
  assert.ok((await api.query.adExchange.campaigns(id)).isNone);
  assert.ok((await api.query.adExchange.outcomes(id)).isNone);
});

test('a lying validator is outvoted in the dispute and slashed', async () => {
  const { id, parts } = campaigns.disputed;
  const { out: honest, digest } = await processBlock(id, parts);
  // Eve's lie: 50 PTI to herself, with a result hash the chain accepts.
  const lieCumulative = [[eve.publicKey, 50n * PTI]];
  const lieRoot = payoutsRoot(lieCumulative);
  const lie = {
    resultHash: hex(resultHash(genesis, id, 0, digest, new Uint8Array(32), lieRoot, 50n * PTI)),
    payoutsRoot: hex(lieRoot),
    total: 50n * PTI,
  };
  assert.equal((await postResult(dave, id, honest)).error, undefined);
  const { events, error } = await postResult(eve, id, lie);
  assert.equal(error, undefined);
  const opened = findEvent(events, 'adExchange', 'DisputeOpened');
  assert.ok(opened, 'two results differ: disputed');
  // The panel comes from the hash of a block after the dispute: anyone draws it then.
  await untilBlock(api, opened.data.drawAt.toNumber());
  const drawn = await ok(api.tx.adExchange.drawPanel(id, 0), ferdie);
  assert.deepEqual(findEvent(drawn.events, 'adExchange', 'PanelDrawn').data.panel.map((a) => a.toString()),
    [ferdie.address], 'the one registry validator not involved in the campaign');
  const fundBefore = await free(FUND);
  const decided = await postResult(ferdie, id, honest);
  assert.equal(decided.error, undefined);
  const finalized = findEvent(decided.events, 'adExchange', 'BlockFinalized');
  assert.equal(finalized.data.payoutsRoot.toHex(), honest.payoutsRoot.toHex(), 'the honest result wins (2 of 3)');
  const slashed = findEvent(decided.events, 'adExchange', 'ValidatorSlashed');
  assert.equal(slashed.data.validator.toString(), eve.address);
  assert.equal(slashed.data.amount.toBigInt(), BOND / 10n);
  assert.equal((await free(FUND)) - fundBefore, BOND / 10n);
  assert.equal(await reserved(eve.address), BOND - BOND / 10n);
  assert.equal(await reserved(dave.address), BOND);
  assert.ok(!(await api.query.adExchange.registry()).map((a) => a.toString()).includes(eve.address), 'the liar leaves the registry');
  // Eve cannot claim the 50 PTI she gave herself.
  const none = await api.call.adExchangeApi.payoutProof(honest.cumulative, eve.address);
  assert.ok(none.isNone);
});
