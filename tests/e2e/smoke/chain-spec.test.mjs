// `paratii-node export-chain-spec` writes specs built from the runtime's presets.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rawChainSpec, runNodeCommand } from '../lib/node.mjs';

/** The genesis config patch of an exported (non-raw) chain spec. */
function genesisPatch(chain) {
  const spec = JSON.parse(runNodeCommand(['export-chain-spec', '--chain', chain]));
  assert.equal(spec.properties.tokenSymbol, 'PTI');
  assert.equal(spec.properties.tokenDecimals, 18);
  const patch = spec.genesis?.runtimeGenesis?.patch;
  assert.ok(patch, `no runtimeGenesis.patch in the ${chain} spec: ${Object.keys(spec.genesis ?? {})}`);
  return patch;
}

// Validators enter through the consortium pallet and their keys through pallet-session
// (Aura, GRANDPA and BEEFY take their authorities from it), not through those pallets.
function assertValidators(patch, n) {
  assert.equal(patch.consortium.validators.length, n);
  assert.equal(patch.session.keys.length, n);
  for (const [account, validator, keys] of patch.session.keys) {
    assert.equal(account, validator);
    assert.ok(patch.consortium.validators.includes(account));
    assert.deepEqual(Object.keys(keys).sort(), ['aura', 'beefy', 'grandpa']);
  }
  assert.equal(patch.aura, undefined, 'no Aura authorities outside the session');
  assert.equal(patch.grandpa, undefined, 'no GRANDPA authorities outside the session');
}

test('--chain local has four validators with aura, grandpa and beefy keys, and a council', () => {
  const patch = genesisPatch('local');
  assertValidators(patch, 4);
  assert.equal(patch.councilMembership.members.length, 4);
});

test('--chain dev has one validator, a council and funded dev accounts', () => {
  const patch = genesisPatch('dev');
  assertValidators(patch, 1);
  assert.equal(patch.councilMembership.members.length, 3);
  assert.ok(patch.balances.balances.length >= 6);
});

test('--raw exports a spec with the runtime code in genesis storage', () => {
  // The export `rawChainSpec` made (or makes now) with `export-chain-spec --raw`.
  const spec = JSON.parse(readFileSync(rawChainSpec('dev'), 'utf8'));
  // 0x3a636f6465 is the well-known `:code` storage key.
  assert.ok(spec.genesis.raw.top['0x3a636f6465'].length > 100_000);
});

const PRODUCTION_VALIDATORS = new URL('../../../zombienet/production-validators.json', import.meta.url).pathname;

test('--chain production:<validators.json>: no sudo key, at least 3 validators, the council of their operators, no dev accounts', () => {
  const patch = genesisPatch(`production:${PRODUCTION_VALIDATORS}`);
  assertValidators(patch, 4);
  assert.equal(patch.sudo, undefined, 'no sudo key in a production spec');
  assert.equal(patch.consortium.minValidators, 3);
  assert.deepEqual([...patch.councilMembership.members].sort(), [...patch.consortium.validators].sort());
  // Only the accounts the file funds (the four operators and Eve), none of the dev
  // chain's Ethereum keys, no clusters, no users.
  assert.equal(patch.balances.balances.length, 5);
  assert.equal(patch.topology, undefined);
  assert.equal(patch.users, undefined);
  assert.equal(patch.consortium.sessionPeriod, 10, 'the file\'s sessionPeriod override');
  const spec = JSON.parse(runNodeCommand(['export-chain-spec', '--chain', `production:${PRODUCTION_VALIDATORS}`]));
  assert.equal(spec.chainType, 'Live');
});

test('--chain production without validators, or with too few, says what is needed', () => {
  assert.throws(() => runNodeCommand(['export-chain-spec', '--chain', 'production']),
    /needs the validators: `--chain production:<validators.json>`/);
  const dir = mkdtempSync(join(tmpdir(), 'paratii-spec-'));
  const file = join(dir, 'two.json');
  const two = JSON.parse(readFileSync(PRODUCTION_VALIDATORS, 'utf8'));
  two.validators = two.validators.slice(0, 2);
  writeFileSync(file, JSON.stringify(two));
  assert.throws(() => runNodeCommand(['export-chain-spec', '--chain', `production:${file}`]),
    /needs at least 3 validators, the file lists 2/);
  const bad = { ...two, validators: [{ ...two.validators[0], grandpa: 'not-a-key' }] };
  writeFileSync(file, JSON.stringify(bad));
  assert.throws(() => runNodeCommand(['export-chain-spec', '--chain', `production:${file}`]),
    /`not-a-key` is not a ed25519 public key/);
});

test('--chain production refuses the well-known development keys unless a test network opts in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paratii-spec-'));
  const file = join(dir, 'dev-keys.json');
  // The zombienet file uses //Alice..//Dave's keys and says so ("allowDevKeys": true).
  const devKeys = JSON.parse(readFileSync(PRODUCTION_VALIDATORS, 'utf8'));
  assert.equal(devKeys.allowDevKeys, true);
  delete devKeys.allowDevKeys;
  writeFileSync(file, JSON.stringify(devKeys));
  assert.throws(() => runNodeCommand(['export-chain-spec', '--chain', `production:${file}`]),
    /validator 1 uses the well-known development key \/\/Alice: .*never reuse a BEEFY key/s);
  // One dev BEEFY key among fresh keys is enough to refuse.
  const fresh = JSON.parse(readFileSync(PRODUCTION_VALIDATORS, 'utf8'));
  delete fresh.allowDevKeys;
  for (const v of fresh.validators) {
    v.aura = '0x' + '00'.repeat(31) + '01';
    v.grandpa = '0x' + '00'.repeat(31) + '02';
    v.beefy = '0x02' + 'a1'.repeat(32);
  }
  fresh.validators[2].beefy = devKeys.validators[2].beefy;
  writeFileSync(file, JSON.stringify(fresh));
  assert.throws(() => runNodeCommand(['export-chain-spec', '--chain', `production:${file}`]),
    /validator 3 uses the well-known development key \/\/Charlie/);
});

test('the node documents its database in --help and runs ParityDB by default', async () => {
  const help = runNodeCommand(['--help']);
  assert.match(help, /Database: ParityDB/);
  const base = mkdtempSync(join(tmpdir(), 'paratii-db-'));
  // From the raw dev spec (the `--dev` genesis, not built again).
  runNodeCommand(['export-blocks', '--dev', '--chain', rawChainSpec('dev'), '--base-path', base, '--to', '0']);
  const chainDir = join(base, 'chains', 'paratii_dev');
  assert.ok(existsSync(join(chainDir, 'paritydb')), `no paritydb in ${readdirSync(chainDir)}`);
  assert.ok(!existsSync(join(chainDir, 'db')), 'no RocksDB directory');
});
