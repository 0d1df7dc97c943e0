// `k8ts kubectl ...`: the bundled kubectl v1.31, pointed at the admin kubeconfig unless the
// user set KUBECONFIG (as `k3s kubectl` does).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function kubectlPath(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const bundled = join(root, '.bin-tools', 'kubectl');
  return existsSync(bundled) ? bundled : 'kubectl';
}

export function runKubectl(args: string[]): Promise<number> {
  const env = { ...process.env };
  if (!env.KUBECONFIG) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    env.KUBECONFIG = join(isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts'), 'admin.kubeconfig');
  }
  return new Promise((resolve) => {
    const child = spawn(kubectlPath(), args, { stdio: 'inherit', env });
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', (err) => {
      process.stderr.write(`k8ts: cannot run kubectl: ${err.message}\n`);
      resolve(1);
    });
  });
}
