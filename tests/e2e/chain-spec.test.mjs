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

test('--chain local has four authorities', () => {
  const patch = genesisPatch('local');
  assert.equal(patch.aura.authorities.length, 4);
  assert.equal(patch.grandpa.authorities.length, 4);
});

test('--chain dev has one authority and funded dev accounts', () => {
  const patch = genesisPatch('dev');
  assert.equal(patch.aura.authorities.length, 1);
  assert.equal(patch.grandpa.authorities.length, 1);
  assert.ok(patch.balances.balances.length >= 6);
});

test('--raw exports a spec with the runtime code in genesis storage', () => {
  const spec = JSON.parse(runNodeCommand(['export-chain-spec', '--chain', 'dev', '--raw']));
  // 0x3a636f6465 is the well-known `:code` storage key.
  assert.ok(spec.genesis.raw.top['0x3a636f6465'].length > 100_000);
});
