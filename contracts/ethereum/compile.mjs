// Compiles the Solidity files of this folder (ParatiiAnchor.sol) with solc-js (the npm
// `solc` package carries its compiler: nothing is downloaded) and writes
// build/<Contract>.json with the ABI and the creation bytecode, for ethers and the tests.
// abi/<Contract>.json is the same artifact, committed: the Rust services generate
// their bindings from it (alloy's `sol!`) and the relayer deploys its bytecode, so
// cargo never needs Node. test/artifact.test.mjs fails when it is out of date.
//
//   node compile.mjs                 (or: npm run build)
//   node compile.mjs --update-abi    also rewrites abi/ after a contract change
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = here;
const buildDir = join(here, 'build');
const abiDir = join(here, 'abi');

// Ethereum runs at least Cancun; the tests' Hardhat node runs the same fork.
export const EVM_VERSION = 'cancun';

export function compile({ updateAbi = false } = {}) {
  const files = readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort();
  console.log(`solc ${solc.version()}: compiling ${files.join(', ')} (evm ${EVM_VERSION})`);
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(srcDir, f), 'utf8') }])),
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  for (const e of output.errors ?? []) console.error(e.formattedMessage);
  if (errors.length) throw new Error(`solc: ${errors.length} error(s)`);

  mkdirSync(buildDir, { recursive: true });
  const written = [];
  for (const file of files) {
    for (const [name, contract] of Object.entries(output.contracts[file] ?? {})) {
      const artifact = { contractName: name, sourceName: file, abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
      const json = `${JSON.stringify(artifact, null, 2)}\n`;
      writeFileSync(join(buildDir, `${name}.json`), json);
      if (updateAbi) {
        mkdirSync(abiDir, { recursive: true });
        writeFileSync(join(abiDir, `${name}.json`), json);
      }
      written.push(`${name} (${(contract.evm.deployedBytecode.object.length / 2).toLocaleString('en')} bytes deployed)`);
    }
  }
  console.log(`wrote build/${updateAbi ? ' and abi/' : ''}: ${written.join(', ')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) compile({ updateAbi: process.argv.includes('--update-abi') });
