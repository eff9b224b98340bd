// Compiles the Solidity files of this folder (ParatiiAnchor.sol; ../lib/solc.mjs, with
// this folder's `solc`) and writes build/<Contract>.json with the ABI and the creation
// bytecode, for ethers and the tests. abi/<Contract>.json is the same artifact,
// committed: the Rust services generate their bindings from it (alloy's `sol!`) and the
// relayer deploys its bytecode, so cargo never needs Node. test/artifact.test.mjs fails
// when it is out of date.
//
//   node compile.mjs                 (or: npm run build)
//   node compile.mjs --update-abi    also rewrites abi/ after a contract change
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFolder } from '../lib/solc.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

// Ethereum runs at least Cancun; the tests' Hardhat node runs the same fork.
export const EVM_VERSION = 'cancun';

export function compile({ updateAbi = false } = {}) {
  compileFolder({
    solc: require('solc'), srcDir: here, buildDir: join(here, 'build'), evmVersion: EVM_VERSION,
    copyTo: updateAbi ? join(here, 'abi') : undefined,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) compile({ updateAbi: process.argv.includes('--update-abi') });
