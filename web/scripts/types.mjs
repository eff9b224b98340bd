// Generates src/api/*.ts — the TypeScript types of the services' JSON — from the
// OpenAPI documents the services serve, committed in docs/openapi/ (their tests keep
// those equal to the code). Run by scripts/update-openapi.sh; `npm run build` checks
// the app against them.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(web, 'node_modules', '.bin', 'openapi-typescript');
for (const name of ['gateway-upload', 'gateway-download', 'indexer']) {
  const from = join(web, '..', 'docs', 'openapi', `${name}.json`);
  const to = join(web, 'src', 'api', `${name}.ts`);
  execFileSync(cli, [from, '-o', to], { stdio: 'inherit' });
}
