// An agent that joined through one server (`k8ts agent --server A --token T`) talks through its
// loopback load balancer, learns every server from the `kubernetes` Endpoints, and keeps its
// node Ready (its node Lease renewed) after A is killed, through the other server. Two servers
// on one etcd. Skipped without /usr/bin/etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT, startServer, type TestServer } from './harness.js';
import { etcdAvailable, startEtcd, type EtcdProcess } from '../unit/storage/etcd-fixture.js';

const K8TS = join(ROOT, 'bin', 'k8ts');
let agentLog = '';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; agent log:\n${agentLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe(
  'the agent load balancer',
  {
    skip: !etcdAvailable() && 'needs /usr/bin/etcd',
  },
  () => {
    let etcd: EtcdProcess;
    const servers: TestServer[] = [];
    const dirs: string[] = [];
    let agent: ChildProcess | undefined;
    before(async () => {
      etcd = await startEtcd();
      for (const name of ['lb-a', 'lb-b']) {
        const dir = mkdtempSync('/tmp/ha-lb-agent-');
        dirs.push(dir);
        // servers of one cluster share its CA and keys (joining servers fetch them); here the
        // second one starts from a copy of the first one's
        const first = servers[0];
        if (first)
          cpSync(join(first.dataDir, 'server', 'tls'), join(dir, 'data', 'server', 'tls'), {
            recursive: true,
          });
        servers.push(
          // on every interface: each server advertises its first non-loopback address in the
          // `kubernetes` Endpoints, which is where the agent's load balancer connects
          await startServer(
            ['--datastore-endpoint', etcd.endpoint, '--node-name', name, '--bind-address', '0.0.0.0'],
            {
              dir,
              port: await freePort(),
            },
          ),
        );
      }
    });
    after(async () => {
      agent?.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.stop()));
      await etcd?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('keeps the node Ready after the server it joined through dies', async () => {
      const [a, b] = servers as [TestServer, TestServer];
      const token = await new Promise<string>((resolve, reject) =>
        execFile(K8TS, ['token', 'create', '--join', '--kubeconfig', a.kubeconfig], (err, stdout) =>
          err ? reject(err) : resolve(stdout.trim()),
        ),
      );
      const args = ['agent', '--server', `https://127.0.0.1:${a.port}`, '--token', token];
      agent = spawn(
        K8TS,
        [
          ...args,
          '--data-dir',
          join(dirs[0]!, 'agent'),
          '--node-name',
          'lb-worker',
          '--runtime',
          'sim',
          '--kubelet-port',
          '0',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      agent.stdout!.on('data', (d: Buffer) => (agentLog += d.toString()));
      agent.stderr!.on('data', (d: Buffer) => (agentLog += d.toString()));
      const ready = async (s: TestServer) => {
        const r = await s.kubectl([
          'get',
          'node',
          'lb-worker',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]);
        return r.stdout === 'True' ? true : undefined;
      };
      await until('node lb-worker Ready', () => ready(b));
      // it learned both servers from the kubernetes Endpoints
      await until('both servers in the agent load balancer', async () =>
        new RegExp(`"servers":\\[[^\\]]*:${b.port}"`).test(agentLog) ? true : undefined,
      );
      await a.stop('SIGKILL');
      const renewTime = async () =>
        (
          await b.kubectl([
            '-n',
            'kube-node-lease',
            'get',
            'lease',
            'lb-worker',
            '-o',
            'jsonpath={.spec.renewTime}',
          ])
        ).stdout;
      const before = await renewTime();
      // the kubelet renews its Lease every 10 s: a renewal after the kill went through b
      await until('a node Lease renewal through the other server', async () => {
        const now = await renewTime();
        return now && now !== before ? true : undefined;
      });
      assert.equal(await ready(b), true);
      assert.match(agentLog, /agent load balancer switched server/);
    });
  },
);
