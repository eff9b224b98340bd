// `scripts/network.sh`: spawns a zombienet network of paratii-node processes
// (default: four-validators.toml) and keeps it running until Ctrl-C.
import { spawnNetwork } from './lib/network.mjs';

const file = process.argv[2] ?? 'four-validators.toml';
const { network, dir } = await spawnNetwork(file);
console.log('\n  Paratii local network (zombienet, native provider)\n  -------------------------------------------------');
for (const [name, node] of Object.entries(network.nodesByName)) {
  const apps = `https://polkadot.js.org/apps/?rpc=${encodeURIComponent(node.wsUri)}#/explorer`;
  console.log(`  ${name.padEnd(8)} ${node.wsUri.padEnd(24)} ${apps}`);
}
console.log(`  logs     ${dir}/<name>.log\n  Stop with Ctrl-C.\n`);
const stop = async () => {
  await network.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
