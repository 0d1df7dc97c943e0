import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { CriClient, CriError, isNotFound } from '../../../src/cri/client.js';
import { grpcError, startFakeCri, type FakeCri } from './fake-cri.js';

describe('CRI client against a CRI server', () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'cri-')), 'cri.sock');
  let server: FakeCri;
  let cri: CriClient;

  before(async () => {
    server = await startFakeCri(socket, {
      Version: () => ({
        version: '0.1.0',
        runtime_name: 'containerd',
        runtime_version: '1.6.20',
        runtime_api_version: 'v1',
      }),
      RunPodSandbox: () => ({ pod_sandbox_id: 'sb1' }),
      CreateContainer: () => ({ container_id: 'c1' }),
      ContainerStatus: (r) => {
        if (r.container_id !== 'c1')
          throw grpcError(
            status.NOT_FOUND,
            `an error occurred when try to find container "${r.container_id}": not found`,
          );
        return {
          status: {
            id: 'c1',
            state: 'CONTAINER_EXITED',
            exit_code: 137,
            reason: 'OOMKilled',
            created_at: '1796158146012810687',
          },
        };
      },
      ExecSync: () => ({ stdout: Buffer.from('out\n'), stderr: Buffer.from(''), exit_code: 3 }),
      ImageStatus: (r) => ({
        image:
          (r.image as { image: string }).image === 'busybox'
            ? { id: 'sha256:abc', repo_tags: ['docker.io/library/busybox:latest'], size: '1057286' }
            : null,
      }),
      ListPodSandbox: () => ({
        items: [{ id: 'sb1', state: 'SANDBOX_READY', metadata: { name: 'p', uid: 'u', namespace: 'n' } }],
      }),
      Exec: () => ({ url: 'http://127.0.0.1:1234/exec/abc' }),
    });
    cri = new CriClient(socket);
  });
  after(async () => {
    cri.close();
    await server.close();
  });

  it('calls Version with the v1 API version', async () => {
    assert.deepEqual(await cri.version(), {
      version: '0.1.0',
      runtime_name: 'containerd',
      runtime_version: '1.6.20',
      runtime_api_version: 'v1',
    });
    assert.deepEqual(server.calls.at(-1), { method: 'Version', request: { version: 'v1' } });
  });

  it('sends snake_case fields with upstream numbers; int64 arrive exact', async () => {
    const config = {
      metadata: { name: 'p', uid: 'u', namespace: 'n', attempt: 1 },
      linux: {
        cgroup_parent: '/kubepods/podu',
        security_context: { namespace_options: { pid: 'CONTAINER' as const } },
      },
    };
    assert.equal(await cri.runPodSandbox(config, 'runc'), 'sb1');
    const req = server.calls.at(-1)!.request as { config: typeof config; runtime_handler: string };
    assert.equal(req.runtime_handler, 'runc');
    assert.equal(req.config.metadata.attempt, 1);
    assert.equal(req.config.linux.cgroup_parent, '/kubepods/podu');
    assert.equal(req.config.linux.security_context.namespace_options.pid, 'CONTAINER');
    assert.equal(
      await cri.createContainer(
        'sb1',
        {
          metadata: { name: 'c' },
          image: { image: 'busybox' },
          linux: { resources: { memory_limit_in_bytes: 9007199254740993n.toString() } },
        },
        config,
      ),
      'c1',
    );
    const created = server.calls.at(-1)!.request as {
      config: { linux: { resources: { memory_limit_in_bytes: string } } };
    };
    assert.equal(created.config.linux.resources.memory_limit_in_bytes, '9007199254740993');
  });

  it('decodes statuses with enums as names and timestamps as exact strings', async () => {
    const s = (await cri.containerStatus('c1')).status!;
    assert.equal(s.state, 'CONTAINER_EXITED');
    assert.equal(s.exit_code, 137);
    assert.equal(s.reason, 'OOMKilled');
    assert.equal(s.created_at, '1796158146012810687');
    assert.equal(s.finished_at, '0', 'defaults are filled in');
  });

  it("keeps the runtime's error text in Go's grpc format", async () => {
    const err = await cri.containerStatus('nope').catch((e: unknown) => e);
    assert.ok(err instanceof CriError);
    assert.ok(isNotFound(err));
    assert.equal(err.method, 'ContainerStatus');
    assert.equal(
      err.message,
      'rpc error: code = NotFound desc = an error occurred when try to find container "nope": not found',
    );
  });

  it('returns exec output as bytes with the exit code', async () => {
    const r = await cri.execSync('c1', ['sh', '-c', 'exit 3'], 5);
    assert.equal(r.stdout.toString(), 'out\n');
    assert.equal(r.exit_code, 3);
    assert.deepEqual(server.calls.at(-1)!.request, {
      container_id: 'c1',
      cmd: ['sh', '-c', 'exit 3'],
      timeout: '5',
    });
  });

  it('reports an absent image as null, not as an error', async () => {
    assert.equal(await cri.imageStatus('nothere'), null);
    assert.equal((await cri.imageStatus('busybox'))?.size, '1057286');
  });

  it('lists sandboxes and returns streaming URLs', async () => {
    assert.deepEqual(
      (await cri.listPodSandbox()).map((s) => [s.id, s.state]),
      [['sb1', 'SANDBOX_READY']],
    );
    assert.equal(
      await cri.exec({ container_id: 'c1', cmd: ['sh'], stdin: true }),
      'http://127.0.0.1:1234/exec/abc',
    );
  });

  it('reports methods the runtime lacks as Unimplemented', async () => {
    const err = (await cri.imageFsInfo().catch((e: Error) => e)) as Error;
    assert.match(err.message, /^rpc error: code = Unimplemented desc = /);
  });

  it('fails fast with Unavailable when nothing listens', async () => {
    const none = new CriClient(join(tmpdir(), 'no-such-cri.sock'), { timeoutMs: 2000 });
    try {
      const err = await none.version().catch((e: Error) => e);
      assert.ok(err instanceof CriError);
      assert.equal(err.code, status.UNAVAILABLE);
    } finally {
      none.close();
    }
  });
});
