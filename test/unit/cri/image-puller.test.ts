import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { CriClient } from '../../../src/cri/client.js';
import {
  ImagePuller,
  PullBackoff,
  applyDefaultImageTag,
  goDurationMs,
  type ImageEvent,
} from '../../../src/kubelet/containerd/image-puller.js';
import { grpcError, startFakeCri, type FakeCri } from './fake-cri.js';

describe('image puller (imagePullPolicy over CRI)', () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'pull-')), 'cri.sock');
  const present = new Set(['busybox:latest']);
  let server: FakeCri;
  let cri: CriClient;
  let clock = 1_000_000;
  const now = () => clock;

  before(async () => {
    server = await startFakeCri(socket, {
      ImageStatus: (r) => {
        const image = (r.image as { image: string }).image;
        return { image: present.has(image) ? { id: `sha256:${image.length}`, size: '1057286' } : null };
      },
      PullImage: (r) => {
        const image = (r.image as { image: string }).image;
        const auth = r.auth as { username?: string } | null;
        if (image === 'private:1' && auth?.username !== 'good')
          throw grpcError(status.UNKNOWN, `pull denied for ${auth?.username}`);
        if (image === 'nothere:latest') {
          throw grpcError(
            status.NOT_FOUND,
            'failed to pull and unpack image "docker.io/library/nothere:latest": not found',
          );
        }
        present.add(image);
        return { image_ref: `sha256:${image.length}` };
      },
    });
    cri = new CriClient(socket);
  });
  after(async () => {
    cri.close();
    await server.close();
  });

  function puller() {
    const events: ImageEvent[] = [];
    const p = new ImagePuller(cri, new PullBackoff(10_000, 300_000, now), now);
    return { p, events, emit: (e: ImageEvent) => events.push(e) };
  }

  it('IfNotPresent with the image present: no pull, "already present on machine"', async () => {
    const { p, events, emit } = puller();
    const r = await p.ensureImage({ podUid: 'u', image: 'busybox', policy: 'IfNotPresent' }, emit);
    assert.deepEqual(r, { imageRef: 'sha256:14' });
    assert.deepEqual(events, [
      { type: 'Normal', reason: 'Pulled', message: 'Container image "busybox" already present on machine' },
    ]);
    assert.equal(server.calls.filter((c) => c.method === 'PullImage').length, 0);
  });

  it('Always pulls even when present, with Pulling and Pulled events', async () => {
    const { p, events, emit } = puller();
    const r = await p.ensureImage({ podUid: 'u', image: 'busybox', policy: 'Always' }, emit);
    assert.ok('imageRef' in r);
    assert.deepEqual(
      events.map((e) => [e.reason, e.message.replace(/in \S+ \(\S+ including/, 'in X (X including')]),
      [
        ['Pulling', 'Pulling image "busybox"'],
        [
          'Pulled',
          'Successfully pulled image "busybox" in X (X including waiting). Image size: 1057286 bytes.',
        ],
      ],
    );
  });

  it('Never without the image: ErrImageNeverPull in upstream words', async () => {
    const { p, events, emit } = puller();
    const r = await p.ensureImage({ podUid: 'u', image: 'nginx:1.25', policy: 'Never' }, emit);
    assert.deepEqual(r, {
      reason: 'ErrImageNeverPull',
      message: 'Container image "nginx:1.25" is not present with pull policy of Never',
    });
    assert.equal(events[0].type, 'Warning');
    assert.equal(events[0].reason, 'ErrImageNeverPull');
  });

  it('a failed pull gives ErrImagePull with the runtime error, then ImagePullBackOff until the back-off ends', async () => {
    const { p, events, emit } = puller();
    const req = { podUid: 'u2', image: 'nothere', policy: 'IfNotPresent' as const };
    const first = await p.ensureImage(req, emit);
    const runtimeErr =
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nothere:latest": not found';
    assert.deepEqual(first, { reason: 'ErrImagePull', message: runtimeErr });
    assert.deepEqual(events.at(-1), {
      type: 'Warning',
      reason: 'Failed',
      message: `Failed to pull image "nothere": ${runtimeErr}`,
    });
    const second = await p.ensureImage(req, emit);
    assert.deepEqual(second, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nothere"' });
    assert.deepEqual(events.at(-1), {
      type: 'Normal',
      reason: 'BackOff',
      message: 'Back-off pulling image "nothere"',
    });
    clock += 10_001;
    assert.equal(
      ((await p.ensureImage(req, emit)) as { reason: string }).reason,
      'ErrImagePull',
      'pulls again after 10 s',
    );
    clock += 10_001; // the back-off doubled to 20 s
    assert.equal(((await p.ensureImage(req, emit)) as { reason: string }).reason, 'ImagePullBackOff');
  });

  it('tries each pull credential in order', async () => {
    const { p, emit } = puller();
    const r = await p.ensureImage(
      {
        podUid: 'u3',
        image: 'private:1',
        policy: 'IfNotPresent',
        auths: [{ username: 'bad' }, { username: 'good' }],
      },
      emit,
    );
    assert.ok('imageRef' in r);
    const { p: p2, emit: emit2 } = puller();
    present.delete('private:1');
    const bad = await p2.ensureImage(
      { podUid: 'u4', image: 'private:1', policy: 'Always', auths: [{ username: 'a' }, { username: 'b' }] },
      emit2,
    );
    assert.deepEqual(bad, {
      reason: 'ErrImagePull',
      message:
        '[rpc error: code = Unknown desc = pull denied for a, rpc error: code = Unknown desc = pull denied for b]',
    });
  });

  it('an invalid reference gives InvalidImageName without asking the runtime', async () => {
    const { p, events, emit } = puller();
    const calls = server.calls.length;
    const r = await p.ensureImage({ podUid: 'u', image: 'Busybox', policy: 'IfNotPresent' }, emit);
    assert.deepEqual(r, {
      reason: 'InvalidImageName',
      message:
        'Failed to apply default image tag "Busybox": couldn\'t parse image reference "Busybox": invalid reference format',
    });
    assert.equal(events[0].reason, 'InspectFailed');
    assert.equal(server.calls.length, calls);
  });
});

describe('image reference defaults and Go durations', () => {
  it('adds :latest only when there is neither tag nor digest, without a docker.io prefix', () => {
    assert.equal(applyDefaultImageTag('busybox'), 'busybox:latest');
    assert.equal(applyDefaultImageTag('busybox:1.36'), 'busybox:1.36');
    assert.equal(applyDefaultImageTag('localhost:5000/app'), 'localhost:5000/app:latest');
    assert.equal(applyDefaultImageTag('registry.k8s.io/pause:3.9'), 'registry.k8s.io/pause:3.9');
    const digest = 'sha256:' + 'a'.repeat(64);
    assert.equal(applyDefaultImageTag(`nginx@${digest}`), `nginx@${digest}`);
    assert.throws(() => applyDefaultImageTag('UPPER'), /invalid reference format/);
    assert.throws(() => applyDefaultImageTag('a b'), /invalid reference format/);
  });

  it('prints durations as Go does after Truncate(time.Millisecond)', () => {
    assert.equal(goDurationMs(0.4), '0s');
    assert.equal(goDurationMs(250.7), '250ms');
    assert.equal(goDurationMs(1500), '1.5s');
    assert.equal(goDurationMs(15981), '15.981s');
    assert.equal(goDurationMs(60_000), '1m0s');
    assert.equal(goDurationMs(123_400), '2m3.4s');
    assert.equal(goDurationMs(3_723_000), '1h2m3s');
  });
});
