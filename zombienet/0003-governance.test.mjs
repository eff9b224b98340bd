// Zombienet test 3, on a production chain (no sudo key): the council registers a
// storage cluster, and admits a fifth validator. Eve's node creates session
// keys (`author_rotateKeysWithOwner`) and Eve registers them (`session.setKeys`); Eve
// herself may not add a validator (BadOrigin); a council motion (Alice proposes; she,
// Bob and Charlie vote aye, 3 of 4; Dave closes it) adds her; from the session after next she is in the
// validator set, authors blocks and is a BEEFY authority, and her operator sits on the
// council. A second motion (four of the five members) removes her, and her seat. Throughout, paratii-relayer anchors the chain on a local Ethereum node
// (Hardhat): ParatiiAnchor hands over to the five-member set and back, and keeps
// accepting anchors under each.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { connect, freePort, rpc, scanAuthors, spawnNetwork, waitFor } from './lib/network.mjs';
import { deployAnchor, startRelayer } from '../tests/e2e/lib/beefy.mjs';
import { serviceBinary } from '../tests/e2e/lib/services.mjs';
import { councilMotion, submit } from '../tests/e2e/lib/tx.mjs';
import { startHardhatNode } from '../contracts/ethereum/lib/hardhat-node.mjs';

let network;
let api;
let keyring;
let hardhat;
let contract;
let relayer;

before(async () => {
  ({ network } = await spawnNetwork('five-nodes.toml'));
  api = await connect(network.nodesByName.alice);
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  hardhat = await startHardhatNode({ port: await freePort() });
  const chain = { ws: network.nodesByName.alice.wsUri };
  contract = deployAnchor(chain, hardhat.url);
  relayer = await startRelayer(chain, hardhat.url, contract, { everyBlocks: 4 });
}, { timeout: 600_000 });

after(async () => {
  await relayer?.stop();
  await hardhat?.stop();
  await api?.disconnect();
  await network?.stop();
});

/** ParatiiAnchor's position, as `paratii-relayer status` prints it. */
function anchorStatus() {
  const out = execFileSync(serviceBinary('paratii-relayer'), ['status', '--eth-rpc', hardhat.url, '--contract', contract],
    { encoding: 'utf8' });
  const [, id, len] = out.match(/^current set\s+id (\d+) \((\d+) validators\)/m);
  return { latest: Number(out.match(/^latest block\s+(\d+)/m)[1]), setId: Number(id), setLen: Number(len) };
}

/** Waits for the contract to follow the chain to a set of `len` and anchor under it. */
async function anchoredUnderSetOf(len) {
  const rotated = await waitFor(`ParatiiAnchor handed over to a set of ${len}`, () => {
    const s = anchorStatus();
    return s.setLen === len && s;
  }, { timeoutMs: 300_000, intervalMs: 3000 });
  const later = await waitFor(`an anchor signed by the set of ${len}`, () => {
    const s = anchorStatus();
    return s.latest > rotated.latest && s;
  }, { timeoutMs: 180_000, intervalMs: 3000 });
  console.log(`  ParatiiAnchor: set ${rotated.setId} of ${len} from block ${rotated.latest}, anchored #${later.latest} under it`);
}

const has = (events, section, method) => events.some(({ event }) => event.section === section && event.method === method);

/** The council's votes on a motion: Alice proposes, Alice, Bob and Charlie vote aye (3 of 4), Dave closes. */
function council() {
  const [alice, bob, charlie, dave] = ['//Alice', '//Bob', '//Charlie', '//Dave'].map((s) => keyring.addFromUri(s));
  return { voters: [alice, bob, charlie], closer: dave };
}

const validators = async () => (await api.query.session.validators()).map(String);

test('the council admits a fifth validator, which then authors and signs BEEFY; it removes her the same way', async () => {
  const eve = keyring.addFromUri('//Eve');
  assert.ok(!(await validators()).includes(eve.address), 'Eve starts outside the set');

  // Eve's node makes her session keys; Eve registers them with their ownership proof.
  const eveHttp = network.nodesByName.eve.wsUri.replace(/^ws:/, 'http:');
  const generated = await rpc(eveHttp, 'author_rotateKeysWithOwner', [u8aToHex(eve.publicKey)]);
  const setKeys = await submit(api, api.tx.session.setKeys(generated.keys, generated.proof), eve);
  assert.equal(setKeys.dispatchError, undefined, `session.setKeys: ${setKeys.dispatchError}`);

  // Not by herself.
  const selfAdd = await submit(api, api.tx.consortium.addValidator(eve.address), eve);
  assert.ok(selfAdd.dispatchError?.isBadOrigin, `expected BadOrigin, got ${selfAdd.dispatchError}`);

  const added = await councilMotion(api, api.tx.consortium.addValidator(eve.address), council());
  assert.ok(has(added, 'consortium', 'ValidatorAdded'));
  const addedAt = (await api.rpc.chain.getHeader()).number.toNumber();
  const sessionAtAdd = (await api.query.session.currentIndex()).toNumber();

  await waitFor('Eve in the session validators', async () => (await validators()).includes(eve.address),
    { timeoutMs: 420_000, intervalMs: 3000 });
  const session = (await api.query.session.currentIndex()).toNumber();
  console.log(`  added at #${addedAt} (session ${sessionAtAdd}); validating from session ${session}`);
  assert.ok(session >= sessionAtAdd + 1 && session <= sessionAtAdd + 2, 'from the session after next at the latest');
  assert.equal((await api.query.beefy.authorities()).length, 5, 'Eve is a BEEFY authority');
  const joinedAt = (await api.rpc.chain.getHeader()).number.toNumber();
  const block = await scanAuthors(api, joinedAt, (author) => author === eve.address,
    { what: 'a block authored by Eve', timeoutMs: 120_000 });
  console.log(`  Eve authored #${block}`);
  await anchoredUnderSetOf(5);

  // Eve's operator joined the council with her: two thirds of five is four ayes.
  const members = async () => (await api.query.council.members()).map(String);
  assert.ok((await members()).includes(eve.address), 'Eve has a council seat');
  const { voters, closer } = council();
  const removed = await councilMotion(api, api.tx.consortium.removeValidator(eve.address), { voters: [...voters, eve], closer });
  assert.ok(!(await members()).includes(eve.address), 'Eve lost her council seat with her validator seat');
  assert.ok(has(removed, 'consortium', 'ValidatorRemoved'));
  await waitFor('Eve out of the session validators', async () => !(await validators()).includes(eve.address),
    { timeoutMs: 420_000, intervalMs: 3000 });
  assert.equal((await api.query.beefy.authorities()).length, 4);
  assert.deepEqual((await api.query.consortium.validators()).length, 4);
  await anchoredUnderSetOf(4);
  const m = await relayer.metrics();
  assert.ok(m.handovers_total >= 2, `handovers ${m.handovers_total}`);
  console.log(`  relayer: ${m.anchors_total} anchors, ${m.handovers_total} handovers, last ${m.last_anchor_gas} gas (4 validators)`);
});

test('the production chain has no sudo key; a council motion registers a storage cluster', async () => {
  assert.equal((await api.query.sudo.key()).isNone, true, 'no sudo key');
  assert.equal((await api.query.consortium.minimumValidators()).toNumber(), 3);
  const ferdie = keyring.addFromUri('//Ferdie');
  const key = '0x' + '11'.repeat(32);
  const register = api.tx.topology.registerCluster(ferdie.address, key, 'https://cluster.example', 1n << 40n);
  // Not by a member alone...
  const direct = await submit(api, register, keyring.addFromUri('//Alice'));
  assert.ok(direct.dispatchError?.isBadOrigin, `expected BadOrigin, got ${direct.dispatchError}`);
  // ...but by two thirds of the council.
  const events = await councilMotion(api, register, council());
  assert.ok(has(events, 'topology', 'ClusterRegistered'), events.map(({ event }) => `${event.section}.${event.method}`).join(', '));
  const cluster = await api.query.topology.clusterByKey(key);
  assert.ok(cluster.isSome, 'the cluster is registered');
});
