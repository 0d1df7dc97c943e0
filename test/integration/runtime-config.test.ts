// `k8ts server --runtime-config`: disabled group versions and resources vanish from discovery
// (kubectl api-resources), from the Local APIServices, and answer 404; a bad flag stops the
// server with upstream's message.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, freePort, ROOT, startServer, type TestServer } from './harness.js';

describe('--runtime-config', () => {
  let s: TestServer;
  const k = (args: string[]) => s.kubectl(args);
  before(async () => {
    s = await startServer([
      '--disable-controller-manager',
      '--runtime-config',
      'batch/v1=false,apps/v1/deployments=false',
    ]);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('leaves disabled APIs out of discovery and the Local APIServices', async () => {
    const r = await k(['api-resources', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout.trim().split('\n');
    assert.ok(!names.includes('jobs.batch') && !names.includes('cronjobs.batch'), r.stdout);
    assert.ok(!names.includes('deployments.apps'));
    assert.ok(names.includes('statefulsets.apps') && names.includes('pods'));
    const groups = JSON.parse((await k(['get', '--raw', '/apis'])).stdout).groups.map(
      (g: { name: string }) => g.name,
    );
    assert.ok(!groups.includes('batch'));
    const apiservices = await k(['get', 'apiservices', '-o', 'name']);
    assert.ok(
      !apiservices.stdout.includes('apiservice.apiregistration.k8s.io/v1.batch\n'),
      apiservices.stdout,
    );
    assert.ok(apiservices.stdout.includes('apiservice.apiregistration.k8s.io/v1.apps\n'));
  });

  it('answers 404 for disabled APIs and serves the rest', async () => {
    assert.equal((await s.api('GET', '/apis/batch/v1/jobs')).status, 404);
    assert.equal((await s.api('GET', '/apis/apps/v1/deployments')).status, 404);
    assert.equal((await s.api('GET', '/apis/apps/v1/statefulsets')).status, 200);
    const r = await k(['create', 'deployment', 'web', '--image=nginx']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /the server could not find the requested resource|doesn't have a resource type|no matches for kind "Deployment"/,
    );
  });

  // seed API-21: `--runtime-config=api/all=false,api/v1=true` serves core v1 alone
  it('api/all=false,api/v1=true leaves only v1 in kubectl api-versions', async () => {
    const only = await startServer([
      '--disable-controller-manager',
      '--runtime-config',
      'api/all=false,api/v1=true',
    ]);
    try {
      const r = await only.kubectl(['api-versions']);
      assert.equal(r.stdout, 'v1\n');
      const d = await only.kubectl(['get', 'deployments']);
      assert.equal(d.code, 1);
      assert.equal(d.stderr.trim(), 'error: the server doesn\'t have a resource type "deployments"');
    } finally {
      await only.stop();
      cleanup(only);
    }
  });

  it('stops the server with upstream message on a bad value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-rc-'));
    const port = await freePort();
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(
        join(ROOT, 'bin', 'k8ts'),
        [
          'server',
          '--data-dir',
          join(dir, 'data'),
          '--bind-address',
          '127.0.0.1',
          '--https-listen-port',
          String(port),
          '--disable-agent',
          '--disable-controller-manager',
          '--write-kubeconfig',
          join(dir, 'kc'),
          '--runtime-config',
          'api/all=maybe',
        ],
        { timeout: 30_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, text: stdout + stderr }),
      );
    });
    rmSync(dir, { recursive: true, force: true });
    assert.notEqual(out.code, 0);
    assert.match(out.text, /invalid value api\/all=maybe/);
  });
});
