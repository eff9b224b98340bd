// The Paratii Player's build: Vite with esbuild's JSX for Preact (tsconfig.json's
// jsxImportSource), no framework plugin. The chain client (@polkadot/api and the
// keyring's wasm crypto) is imported dynamically where it is first needed, so it is a
// chunk of its own that the catalogue and search pages never load. Each file is also
// written gzipped (`.gz`) for the gateway to send as is.
import { defineConfig, type Plugin } from 'vite';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

function gzipAssets(): Plugin {
  return {
    name: 'paratii-gzip',
    apply: 'build',
    // After the files are written: Vite rewrites chunks (its preload helper) until then.
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json|wasm)$/.test(name)) continue;
        const path = join(dir, name);
        writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [gzipAssets()],
  build: {
    target: 'es2022',
    // The chain client's chunk is large by nature; it is loaded on demand.
    chunkSizeWarningLimit: 2048,
    reportCompressedSize: false,
  },
});
