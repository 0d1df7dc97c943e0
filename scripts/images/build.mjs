#!/usr/bin/env node
// Builds k8ts's test images as OCI layout tarballs (no docker, no registry): busybox (+1.36),
// registry.k8s.io/pause:3.9, nginx and k8ts.io/test. Usage:
//   node scripts/images/build.mjs [OUT_DIR] [--only busybox,pause,nginx,k8ts-test]
// OUT_DIR defaults to <data-dir>/agent/images, the data dir being $K8TS_DATA_DIR, else what
// `k8ts server` uses (/var/lib/k8ts as root, ~/.k8ts otherwise): the
// directory the agent imports *.tar from at start. Re-running is cheap: an image whose layers
// and config did not change is not rewritten. Needs `npm run build` first (it runs dist/).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mod = join(root, 'dist', 'src', 'kubelet', 'containerd', 'oci', 'test-images.js');
if (!existsSync(mod)) {
  console.error('build.mjs: dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const { buildTestImages } = await import(mod);

const args = process.argv.slice(2);
let only;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only = args[++i].split(',');
  else if (args[i] === '-h' || args[i] === '--help') {
    console.log('usage: node scripts/images/build.mjs [OUT_DIR] [--only busybox,pause,nginx,k8ts-test]');
    process.exit(0);
  } else positional.push(args[i]);
}
const dataDir =
  process.env.K8TS_DATA_DIR ?? (process.getuid?.() === 0 ? '/var/lib/k8ts' : join(homedir(), '.k8ts'));
const outDir = resolve(positional[0] ?? join(dataDir, 'agent', 'images'));
const { mkdirSync } = await import('node:fs');
mkdirSync(outDir, { recursive: true });
const started = performance.now();
try {
  for (const r of buildTestImages(outDir, { only })) {
    console.log(
      `${r.cached ? 'cached' : 'built '} ${r.file} ${r.names.join(' ')} ${r.manifestDigest} ${r.ms.toFixed(0)} ms`,
    );
  }
} catch (err) {
  console.error('build.mjs:', err instanceof Error ? err.message : err);
  process.exit(1);
}
console.log(`total ${(performance.now() - started).toFixed(0)} ms`);
