// `paratii-node export-chain-spec` writes specs built from the runtime's presets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNodeCommand } from './lib/node.mjs';

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
  const spec = JSON.parse(runNodeCommand(['export-chain-spec', '--chain', 'dev', '--raw']));
  // 0x3a636f6465 is the well-known `:code` storage key.
  assert.ok(spec.genesis.raw.top['0x3a636f6465'].length > 100_000);
});
