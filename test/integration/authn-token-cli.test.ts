// `k8ts token create|list|delete`: bootstrap tokens made by the CLI authenticate as
// system:bootstrap:<id> until deleted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, KUBECTL, ROOT, startServer, type TestServer } from './harness.js';

let s: TestServer;

function exec(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const k8tsToken = (args: string[]) =>
  exec(join(ROOT, 'bin', 'k8ts'), ['token', ...args, '--kubeconfig', s.kubeconfig]);
const whoami = (token: string) =>
  exec(KUBECTL, [
    '--server',
    `https://127.0.0.1:${s.port}`,
    '--certificate-authority',
    join(s.dataDir, 'server', 'tls', 'server-ca.crt'),
    '--kubeconfig',
    '/dev/null',
    '--token',
    token,
    'auth',
    'whoami',
  ]);

before(async () => {
  s = await startServer();
});

after(async () => {
  await s.stop();
  cleanup(s);
});

describe('k8ts token', () => {
  it('create prints a token that authenticates; list shows it; delete revokes it', async () => {
    const created = await k8tsToken(['create', '--description', 'node two']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const id = token.split('.')[0]!;
    const who = await whoami(token);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, new RegExp(`Username\\s+system:bootstrap:${id}\\n`));
    assert.match(
      who.stdout,
      /Groups\s+\[system:bootstrappers system:bootstrappers:k8ts:default-node-token system:authenticated\]/,
    );
    const list = await k8tsToken(['list']);
    assert.equal(list.code, 0, list.stderr);
    const [head, row] = list.stdout.split('\n');
    assert.match(head!, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/);
    assert.match(
      row!,
      new RegExp(
        `^${token}\\s+23h\\s+\\S+Z\\s+authentication,signing\\s+node two\\s+system:bootstrappers:k8ts:default-node-token$`,
      ),
    );
    const del = await k8tsToken(['delete', id]);
    assert.equal(del.stdout, `bootstrap token "${id}" deleted\n`);
    const after = await whoami(token);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });

  it('bad flags are refused and change nothing', async () => {
    const ttl = await k8tsToken(['create', '--ttl', '5x']);
    assert.equal(ttl.code, 1);
    assert.equal(ttl.stderr, 'k8ts: invalid duration "5x"\n');
    const usage = await k8tsToken(['create', '--usages', 'signing,login']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /invalid bootstrap token usage string: login/);
    const missing = await k8tsToken(['delete', 'zzzzzz']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'k8ts token: secrets "bootstrap-token-zzzzzz" not found\n');
    const list = await k8tsToken(['list']);
    assert.equal(list.stdout.trim().split('\n').length, 1, list.stdout);
  });
});
