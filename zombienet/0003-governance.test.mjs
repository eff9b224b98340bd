// Zombienet test 3, on a production chain (no sudo key): the council registers a
// storage cluster, and admits a fifth validator. Eve's node creates session
// keys (`author_rotateKeysWithOwner`) and Eve registers them (`session.setKeys`); Eve
// herself may not add a validator (BadOrigin); a council motion (Alice proposes; she,
// Bob and Charlie vote aye, 3 of 4; Dave closes it) adds her; from the session after next she is in the
// validator set, authors blocks and is a BEEFY authority. A second motion removes her
// the same way.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { connect, rpc, scanAuthors, spawnNetwork, waitFor } from './lib/network.mjs';

let network;
let api;
let keyring;

before(async () => {
  ({ network } = await spawnNetwork('five-nodes.toml'));
  api = await connect(network.nodesByName.alice);
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
}, { timeout: 600_000 });

after(async () => {
  await api?.disconnect();
  await network?.stop();
});

/** Signs and submits; resolves with the block's events once it is in a block. */
function submit(tx, signer) {
  return new Promise((resolve, reject) => {
    let unsub;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInBlock) {
        unsub?.();
        resolve({ events, dispatchError });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        unsub?.();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

const has = (events, section, method) => events.some(({ event }) => event.section === section && event.method === method);

/** A council motion for `call`: Alice proposes, Alice, Bob and Charlie vote aye (3 of 4), Dave closes. */
async function councilMotion(call) {
  const [alice, bob, charlie, dave] = ['//Alice', '//Bob', '//Charlie', '//Dave'].map((s) => keyring.addFromUri(s));
  const length = call.method.encodedLength;
  const proposed = await submit(api.tx.council.propose(3, call, length), alice);
  const event = proposed.events.find(({ event }) => event.section === 'council' && event.method === 'Proposed')?.event;
  assert.ok(event, `no council.Proposed: ${proposed.dispatchError}`);
  const [, index, hash] = event.data;
  for (const member of [alice, bob, charlie]) {
    const { dispatchError } = await submit(api.tx.council.vote(hash, index, true), member);
    assert.equal(dispatchError, undefined, `vote: ${dispatchError}`);
  }
  const closed = await submit(
    api.tx.council.close(hash, index, { refTime: 10_000_000_000n, proofSize: 1_000_000n }, length), dave);
  const error = closed.dispatchError?.isModule
    ? JSON.stringify(api.registry.findMetaError(closed.dispatchError.asModule)) : String(closed.dispatchError);
  assert.ok(has(closed.events, 'council', 'Executed'), `the motion executed: ${error}; ${closed.events.map(({ event }) => `${event.section}.${event.method}`)}`);
  return closed.events;
}

const validators = async () => (await api.query.session.validators()).map(String);

test('the council admits a fifth validator, which then authors and signs BEEFY; it removes her the same way', async () => {
  const eve = keyring.addFromUri('//Eve');
  assert.ok(!(await validators()).includes(eve.address), 'Eve starts outside the set');

  // Eve's node makes her session keys; Eve registers them with their ownership proof.
  const eveHttp = network.nodesByName.eve.wsUri.replace(/^ws:/, 'http:');
  const generated = await rpc(eveHttp, 'author_rotateKeysWithOwner', [u8aToHex(eve.publicKey)]);
  const setKeys = await submit(api.tx.session.setKeys(generated.keys, generated.proof), eve);
  assert.equal(setKeys.dispatchError, undefined, `session.setKeys: ${setKeys.dispatchError}`);

  // Not by herself.
  const selfAdd = await submit(api.tx.consortium.addValidator(eve.address), eve);
  assert.ok(selfAdd.dispatchError?.isBadOrigin, `expected BadOrigin, got ${selfAdd.dispatchError}`);

  const added = await councilMotion(api.tx.consortium.addValidator(eve.address));
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

  const removed = await councilMotion(api.tx.consortium.removeValidator(eve.address));
  assert.ok(has(removed, 'consortium', 'ValidatorRemoved'));
  await waitFor('Eve out of the session validators', async () => !(await validators()).includes(eve.address),
    { timeoutMs: 420_000, intervalMs: 3000 });
  assert.equal((await api.query.beefy.authorities()).length, 4);
  assert.deepEqual((await api.query.consortium.validators()).length, 4);
});

test('the production chain has no sudo key; a council motion registers a storage cluster', async () => {
  assert.equal((await api.query.sudo.key()).isNone, true, 'no sudo key');
  assert.equal((await api.query.consortium.minimumValidators()).toNumber(), 3);
  const ferdie = keyring.addFromUri('//Ferdie');
  const key = '0x' + '11'.repeat(32);
  const register = api.tx.topology.registerCluster(ferdie.address, key, 'https://cluster.example', 1n << 40n);
  // Not by a member alone...
  const direct = await submit(register, keyring.addFromUri('//Alice'));
  assert.ok(direct.dispatchError?.isBadOrigin, `expected BadOrigin, got ${direct.dispatchError}`);
  // ...but by two thirds of the council.
  const events = await councilMotion(register);
  assert.ok(has(events, 'topology', 'ClusterRegistered'), events.map(({ event }) => `${event.section}.${event.method}`).join(', '));
  const cluster = await api.query.topology.clusterByKey(key);
  assert.ok(cluster.isSome, 'the cluster is registered');
});
