// Servers of a managed-etcd cluster on one host (each with its own data dir and etcd ports on
// loopback), and who holds a leader-election Lease: shared by the HA tests and bench/ha.
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startServer, type TestServer } from './harness.js';

/** Starts `k8ts server --node-name name ...extra`; its data dir is pushed onto `dirs` for cleanup. */
export async function haServer(name: string, extra: string[], dirs: string[]): Promise<TestServer> {
  const dir = mkdtempSync('/tmp/ha-');
  dirs.push(dir);
  const ports = [
    '--etcd-client-port',
    String(await freePort()),
    '--etcd-peer-port',
    String(await freePort()),
  ];
  return startServer(['--node-name', name, '--node-ip', '127.0.0.1', ...ports, ...extra], {
    dir,
    port: await freePort(),
  });
}

/** The join token the first server wrote. */
export function serverToken(s: TestServer): string {
  return readFileSync(join(s.dataDir, 'server', 'token'), 'utf8').trim();
}

/** `<prefix>-1` with --cluster-init, then `<prefix>-2` and `-3` joining it with its token. */
export async function threeServers(prefix: string, dirs: string[]): Promise<TestServer[]> {
  const first = await haServer(`${prefix}-1`, ['--cluster-init'], dirs);
  const join = ['--server', `https://127.0.0.1:${first.port}`, '--token', serverToken(first)];
  return [first, await haServer(`${prefix}-2`, join, dirs), await haServer(`${prefix}-3`, join, dirs)];
}

/** The holderIdentity of a Lease in kube-system ('' when it cannot be read). */
export async function leaseHolder(s: TestServer, lease = 'kube-controller-manager'): Promise<string> {
  const r = await s.kubectl([
    '-n',
    'kube-system',
    'get',
    'lease',
    lease,
    '-o',
    'jsonpath={.spec.holderIdentity}',
  ]);
  return r.code === 0 ? r.stdout : '';
}
