// Zombienet test 1: four validators of the `local` chain (Alice, Bob, Charlie, Dave)
// all author blocks, GRANDPA keeps the finalized head within 3 blocks of the best on
// every node, BEEFY produces justifications signed by at least two thirds of the
// validators (each signature recovered to its validator's BEEFY key), and the MMR root
// BEEFY signs is served.
//
// Then, on the same network, one of the four (Dave) goes down (zombienet pauses his
// process). The other three keep finalizing (GRANDPA needs more than 2/3: three of
// four). Dave is then killed (SIGKILL) and restarted at once on his own database: he
// catches up to the finalized head, authors again, and every block the others finalized
// meanwhile is in his chain unchanged. Every wait is on a condition, none on a timer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { keccakAsU8a, secp256k1Recover } from '@polkadot/util-crypto';
import { decodeJustification } from '../tests/e2e/lib/beefy.mjs';
import { finalizedHeadNumber, watch } from '../tests/e2e/lib/tx.mjs';
import { connect, rpc, scanAuthors, spawnNetwork, waitFor } from './lib/network.mjs';

const NAMES = ['alice', 'bob', 'charlie', 'dave'];
let network;
const apis = {};

before(async () => {
  ({ network } = await spawnNetwork('four-validators.toml'));
  for (const name of NAMES) apis[name] = await connect(network.nodesByName[name]);
}, { timeout: 600_000 });

after(async () => {
  for (const api of Object.values(apis)) await api.disconnect();
  await network?.stop();
});

const hex = (bytes) => `0x${Buffer.from(bytes).toString('hex')}`;

/**
 * The next BEEFY justification `api`'s node sends, as the raw SCALE a bridge relayer
 * receives (polkadot.js's type for it predates the compact signature encoding).
 */
function nextBeefyJustification(api, timeoutMs) {
  const provider = api._rpcCore.provider;
  return watch('a BEEFY justification', (callback) =>
    provider.subscribe('beefy_justifications', 'beefy_subscribeJustifications', [],
      (error, raw) => callback({ error, raw }))
      .then((id) => () =>
        provider.unsubscribe('beefy_justifications', 'beefy_unsubscribeJustifications', id).catch(() => {})),
  ({ error, raw }, resolve, reject) => (error ? reject(error) : resolve(Buffer.from(raw.slice(2), 'hex'))),
  timeoutMs);
}

test('blocks are authored by all four validators', async () => {
  const api = apis.alice;
  const validators = (await api.query.session.validators()).map(String).sort();
  assert.equal(validators.length, 4);
  assert.deepEqual((await api.query.consortium.validators()).map(String).sort(), validators);

  const authors = new Set();
  const last = await scanAuthors(api, 1, (author) => authors.add(author).size === 4,
    { what: 'a block from each validator' });
  assert.deepEqual([...authors].sort(), validators);
  console.log(`  all four authored within the first ${last} blocks`);
});

test('every node finalizes, within 3 blocks of its best', async () => {
  await waitFor('finalized #5 on every node', async () => {
    for (const name of NAMES) {
      if (await finalizedHeadNumber(apis[name]) < 5) return false;
    }
    return true;
  }, { timeoutMs: 180_000 });
  for (const name of NAMES) {
    const api = apis[name];
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const finalized = await finalizedHeadNumber(api);
    assert.ok(best - finalized <= 3, `${name}: best #${best}, finalized #${finalized}`);
  }
});

test('BEEFY justifications are signed by at least two thirds of the validators, and the MMR root they sign is served', async () => {
  const api = apis.alice;
  assert.equal((await api.query.beefy.authorities()).length, 4, 'four BEEFY authorities');
  // A fresh justification, as a bridge relayer receives it.
  const justification = decodeJustification(await nextBeefyJustification(api, 180_000));
  const { blockNumber, validatorSetId, signatures, commitment, mmrRoot } = justification;
  assert.ok(blockNumber >= 1, `a justification for #${blockNumber}`);
  const blockHash = await api.rpc.chain.getBlockHash(blockNumber);
  const at = await api.at(blockHash);

  // Signed by the BEEFY set of its block, one signature slot per authority.
  const authorities = (await at.query.beefy.authorities()).map((key) => key.toHex());
  assert.equal(validatorSetId, (await at.query.beefy.validatorSetId()).toBigInt(), 'the validator set id of its block');
  assert.equal(signatures.length, authorities.length, 'one signature slot per BEEFY authority');
  // Whose BEEFY key each authority is: the session validators' registered keys.
  const validators = (await at.query.session.validators()).map(String);
  const owners = new Map();
  for (const validator of validators) {
    owners.set((await at.query.session.nextKeys(validator)).unwrap().beefy.toHex(), validator);
  }
  assert.deepEqual([...authorities].sort(), [...owners.keys()].sort(), 'the BEEFY authorities are the validators\' keys');

  // Each signature (recoverable ECDSA over the commitment's keccak-256) recovers to the
  // key of the authority in its slot, a validator's; together at least the threshold.
  const digest = keccakAsU8a(commitment, 256, true);
  const signers = new Set();
  signatures.forEach((signature, i) => {
    if (!signature) return;
    const recovery = signature[64] >= 27 ? signature[64] - 27 : signature[64];
    const key = hex(secp256k1Recover(digest, signature, recovery, 'blake2', true));
    assert.equal(key, authorities[i], `signature ${i} is by BEEFY authority ${i}`);
    assert.ok(owners.has(key), `BEEFY authority ${i} (${key}) is the key of a session validator`);
    signers.add(owners.get(key));
  });
  const threshold = validators.length - Math.floor((validators.length - 1) / 3);
  assert.ok(signers.size >= threshold,
    `#${blockNumber} signed by ${signers.size} of ${validators.length} validators (at least ${threshold})`);

  // The MMR root it signs is the node's at that block; the BEEFY-finalized head is at
  // least that block, and the node serves the MMR root there too.
  assert.equal((await api.rpc.mmr.root(blockHash)).toHex(), mmrRoot, `the MMR root at #${blockNumber}`);
  const head = await api.rpc.beefy.getFinalizedHead();
  const number = (await api.rpc.chain.getHeader(head)).number.toNumber();
  assert.ok(number >= blockNumber, `BEEFY-finalized #${number}, a justification for #${blockNumber}`);
  const root = await api.rpc.mmr.root(head);
  assert.match(root.toHex(), /^0x[0-9a-f]{64}$/);
  console.log(`  #${blockNumber} signed by ${signers.size} of ${validators.length} (set ${validatorSetId}); ` +
    `BEEFY-finalized #${number}, MMR root ${root.toHex()}`);
});

test('three of four validators keep finalizing while the fourth is down; restarted, it catches up and authors again', async () => {
  const { alice, dave } = apis;
  // Dave's validator account: his //Dave sr25519 dev key (the local preset's).
  const daveAccount = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Dave').address;
  assert.ok((await alice.query.session.validators()).map(String).includes(daveAccount), 'Dave validates');
  await waitFor('finalized #3 before Dave goes down', async () => (await finalizedHeadNumber(alice)) >= 3);

  // Down: zombienet pauses Dave's process (SIGSTOP). He neither authors nor votes, and
  // his RPC takes connections but never answers.
  const daveNode = network.nodesByName.dave;
  const daveHttp = daveNode.wsUri.replace(/^ws/, 'http');
  const daveAnswers = async () => {
    try {
      await rpc(daveHttp, 'system_health', [], { timeoutMs: 3000 });
      return true;
    } catch {
      return false;
    }
  };
  assert.equal(await daveAnswers(), true, 'Dave answers before he goes down');
  assert.equal(await daveNode.pause(), true, 'zombienet paused Dave');
  // SIGSTOP takes effect as the kernel delivers it: an answer already under way may still
  // come (seen once under load); from then on he is silent.
  await waitFor('Dave silent once paused', async () => !(await daveAnswers()), { timeoutMs: 30_000 });
  const downAt = Date.now();
  // A block Dave authored just before the pause may reach Alice after this; none later.
  const bestAtPause = (await alice.rpc.chain.getHeader()).number.toNumber();
  const finalizedAtPause = await finalizedHeadNumber(alice);
  const during = await waitFor('three more blocks finalized without Dave', async () => {
    const now = await finalizedHeadNumber(alice);
    return now >= finalizedAtPause + 3 ? now : false;
  }, { timeoutMs: 120_000 });
  assert.equal(await daveAnswers(), false, 'Dave was down the whole time');
  console.log(`  with Dave down: finalized #${finalizedAtPause} -> #${during} in ${((Date.now() - downAt) / 1000).toFixed(1)} s`);
  const checkpoint = (await alice.rpc.chain.getBlockHash(during)).toHex();

  // Killed (SIGKILL) and started again at once on his database: zombienet's restart
  // without a delay, which resolves once the new process runs and logs; then his RPC
  // answers again.
  assert.equal(await daveNode.restart(), true, 'zombienet restarted Dave');
  const restartedAt = Date.now();
  await waitFor('Dave\'s RPC to answer again', daveAnswers, { timeoutMs: 120_000 });
  await waitFor('Dave catching up to the finalized head', async () =>
    (await finalizedHeadNumber(dave)) >= during, { timeoutMs: 180_000 });
  console.log(`  Dave finalized #${during} ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after his restart`);
  assert.equal((await dave.rpc.chain.getBlockHash(during)).toHex(), checkpoint,
    'Dave has the block the others finalized while he was down');

  // Dave authors again: a block after his restart whose author is his account (past any
  // block he may have authored before the pause).
  const authored = await scanAuthors(alice, Math.max(during + 1, bestAtPause + 2), (author) => author === daveAccount,
    { what: 'a block authored by Dave after his restart' });
  console.log(`  Dave authored #${authored} after his restart`);
});
