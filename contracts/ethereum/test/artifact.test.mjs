// The committed artifact the Rust services are built from (abi/) is the one this
// checkout's Solidity compiles to (build/, written by compile.mjs before the tests).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const read = (dir, f) => readFileSync(new URL(`../${dir}/${f}`, import.meta.url), 'utf8');

test('abi/ holds the compiled artifacts (run `node compile.mjs --update-abi` after a contract change)', () => {
  const built = readdirSync(new URL('../build/', import.meta.url)).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(readdirSync(new URL('../abi/', import.meta.url)).sort(), built);
  for (const f of built) assert.equal(read('abi', f), read('build', f), `abi/${f} is out of date`);
});
