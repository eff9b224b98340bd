// The solc-js driver of both contract folders (contracts/chain, contracts/ethereum):
// compiles every `.sol` file of a folder with the `solc` package its caller passes (each
// folder pins its own in its package.json; the npm package carries its compiler, nothing
// is downloaded) and writes `<buildDir>/<Contract>.json` — the ABI and the creation
// bytecode — for ethers/viem and the tests, and the same file to `copyTo` when given.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `solc`: the solc-js module; `srcDir`: where the `.sol` files are; `sourcePrefix`: how
 * artifacts name that folder (`src/`, or nothing); `findImports`: resolves imports
 * (`@openzeppelin/...`), if the sources have any.
 */
export function compileFolder({ solc, srcDir, buildDir, evmVersion, sourcePrefix = '', findImports, copyTo }) {
  const files = readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort();
  console.log(`solc ${solc.version()}: compiling ${files.join(', ')} (evm ${evmVersion})`);
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(srcDir, f), 'utf8') }])),
    settings: {
      evmVersion,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), findImports ? { import: findImports } : undefined));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  for (const e of output.errors ?? []) console.error(e.formattedMessage);
  if (errors.length) throw new Error(`solc: ${errors.length} error(s)`);

  mkdirSync(buildDir, { recursive: true });
  if (copyTo) mkdirSync(copyTo, { recursive: true });
  const written = [];
  for (const file of files) {
    for (const [name, contract] of Object.entries(output.contracts[file] ?? {})) {
      const artifact = {
        contractName: name, sourceName: `${sourcePrefix}${file}`, abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}`,
      };
      const json = `${JSON.stringify(artifact, null, 2)}\n`;
      writeFileSync(join(buildDir, `${name}.json`), json);
      if (copyTo) writeFileSync(join(copyTo, `${name}.json`), json);
      written.push(`${name} (${(contract.evm.deployedBytecode.object.length / 2).toLocaleString('en')} bytes deployed)`);
    }
  }
  console.log(`wrote ${buildDir}${copyTo ? ` and ${copyTo}` : ''}: ${written.join(', ')}`);
}
