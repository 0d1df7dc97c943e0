// `k8ts agent --server URL --token K10<hash>::<id>.<secret>`: TLS bootstrap with a bootstrap
// token from `k8ts token create --join` (CSR for system:node:<name>, approved automatically),
// the certificate kept in <data-dir>/agent/, the kubelet running as that node; wrong, expired
// and foreign-CA tokens are refused with a clear message.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, KUBECTL, ROOT, startServer, type TestServer } from './harness.js';

const K8TS = join(ROOT, 'bin', 'k8ts');
let s: TestServer;
let dir: string;
const agents: ChildProcess[] = [];

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  dir = mkdtempSync('/tmp/ha-');
  s = await startServer([], { dir, port: await freePort() });
});

after(async () => {
  for (const a of agents) a.kill('SIGTERM');
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

function agentArgs(token: string, name: string): string[] {
  return [
    'agent',
    '--server',
    `https://127.0.0.1:${s.port}`,
    '--token',
    token,
    '--data-dir',
    join(dir, name),
    '--node-name',
    name,
    '--runtime',
    'sim',
  ];
}

describe('agents that join with a bootstrap token', () => {
  it('bootstraps a node certificate and runs the kubelet as system:node:<name>', async () => {
    const created = await run(K8TS, ['token', 'create', '--join', '--kubeconfig', s.kubeconfig]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const agent = spawn(K8TS, agentArgs(token, 'worker-1'), { stdio: 'ignore' });
    agents.push(agent);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await s.kubectl([
        'get',
        'node',
        'worker-1',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]);
      if (r.stdout === 'True') break;
      assert.ok(Date.now() < deadline, `node worker-1 not Ready: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 300));
    }
    const csr = await s.kubectl([
      'get',
      'csr',
      '-o',
      'jsonpath={range .items[*]}{.spec.signerName} {.spec.username} {.status.conditions[*].type}{"\\n"}{end}',
    ]);
    assert.match(
      csr.stdout,
      /^kubernetes\.io\/kube-apiserver-client-kubelet system:bootstrap:[a-z0-9]{6} Approved$/m,
    );
    const kubeconfig = join(dir, 'worker-1', 'agent', 'kubelet.kubeconfig');
    assert.ok(existsSync(join(dir, 'worker-1', 'agent', 'client-kubelet.crt')));
    const who = await run(KUBECTL, ['--kubeconfig', kubeconfig, 'auth', 'whoami']);
    assert.equal(
      who.stdout,
      'ATTRIBUTE   VALUE\nUsername    system:node:worker-1\nGroups      [system:nodes system:authenticated]\n',
    );
    // the Node authorizer applies: the node may not read Secrets it has no pod for
    const secrets = await run(KUBECTL, ['--kubeconfig', kubeconfig, '-n', 'kube-system', 'get', 'secrets']);
    assert.equal(secrets.code, 1);
    assert.match(secrets.stderr, /User "system:node:worker-1" cannot list resource "secrets"/);
  });

  it('refuses a wrong secret, an expired token and a token for another CA', async () => {
    const created = await run(K8TS, ['token', 'create', '--join', '--kubeconfig', s.kubeconfig]);
    const token = created.stdout.trim();
    const wrong = await run(K8TS, agentArgs(token.replace(/\.[a-z0-9]{16}$/, '.0000000000000000'), 'bad-1'));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /refused the bootstrap token: Unauthorized/);
    const short = await run(K8TS, ['token', 'create', '--join', '--ttl', '1s', '--kubeconfig', s.kubeconfig]);
    await new Promise((res) => setTimeout(res, 2000));
    const expired = await run(K8TS, agentArgs(short.stdout.trim(), 'bad-2'));
    assert.equal(expired.code, 1);
    assert.match(expired.stderr, /refused the bootstrap token: Unauthorized/);
    const foreign = await run(
      K8TS,
      agentArgs(token.replace(/^K10[0-9a-f]{64}/, `K10${'b'.repeat(64)}`), 'bad-3'),
    );
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /token CA hash does not match the Cluster CA certificate hash/);
    const malformed = await run(K8TS, agentArgs('abcdef.0123456789abcdef', 'bad-4'));
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /invalid --token: want K10<ca-hash>::<token-id>\.<token-secret>/);
    const nodes = await s.kubectl(['get', 'nodes', '-o', 'name']);
    assert.doesNotMatch(nodes.stdout, /bad-/);
  });
});
