// Compiles every contract in src/ (../lib/solc.mjs, with this folder's `solc`) and writes
// build/<Contract>.json with the ABI and the creation bytecode, for ethers/viem and the
// end-to-end tests.
//
//   node compile.mjs            (or: npm run build)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFolder } from '../lib/solc.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

// pallet-revive runs the Cancun instruction set; newer solc defaults target later forks.
export const EVM_VERSION = 'cancun';

/** Resolves `import "@openzeppelin/..."` from node_modules. */
function findImports(path) {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch {
    return { error: `import not found: ${path} (run npm ci in contracts/chain)` };
  }
}

export function compile() {
  compileFolder({
    solc: require('solc'), srcDir: join(here, 'src'), buildDir: join(here, 'build'), evmVersion: EVM_VERSION,
    sourcePrefix: 'src/', findImports,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) compile();
