// kubectl logs, exec, attach and cp against real containers (`k8ts server --runtime
// containerd`), through the API server's proxy and the kubelet API: what a user sees.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { KUBECTL, startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';

/** Runs kubectl until `enough(stdout)` holds, then stops it (for -f and attach, which do not end). */
function kubectlUntil(s: TestServer, args: string[], enough: (out: string) => boolean, ms = 30_000) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(KUBECTL, ['--kubeconfig', s.kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl ${args.join(' ')}: not enough output in ${ms} ms: ${out} ${err}`));
    }, ms);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (enough(out)) {
        clearTimeout(timer);
        child.kill();
        resolve(out);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  });
}

const TALKER = `apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "i=0; while true; do echo line-$i; echo err-$i >&2; i=$((i+1)); sleep 0.5; done"]
  - name: side
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo side-says-hi; sleep 3600"]
`;

const CRASHER = `apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo run-at-$(date +%s%N); exit 3"]
`;

describe('kubectl logs, exec, attach, cp on containerd', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  before(async () => {
    s = await startServer(['--enable-agent', '--runtime', 'containerd', '--kubelet-port', '0']);
    await until('node Ready', async () => / Ready /.test((await k(['get', 'nodes', '--no-headers'])).stdout));
    assert.equal((await k(['apply', '-f', '-'], TALKER)).code, 0);
    assert.equal((await k(['apply', '-f', '-'], CRASHER)).code, 0);
    await until('talker Running', async () =>
      / 2\/2 +Running /.test((await k(['get', 'pod', 'talker', '--no-headers'])).stdout),
    );
  });
  after(async () => {
    if (!s) return;
    try {
      await k(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
    } finally {
      await stopContainerdServer(s);
    }
  });

  it('logs shows stdout and stderr; --tail, --timestamps, --limit-bytes, -c, --all-containers', async () => {
    const all = await until('some lines', async () => {
      const r = await k(['logs', 'talker', '-c', 'main']);
      return /line-2\n/.test(r.stdout) && r.stdout;
    });
    // both streams, in the order containerd wrote them (it copies each pipe on its own)
    for (const l of ['line-0', 'err-0', 'line-1', 'err-1']) assert.match(all, new RegExp(`^${l}$`, 'm'));
    const tail = await k(['logs', 'talker', '-c', 'main', '--tail=1']);
    assert.equal(tail.stdout.split('\n').length, 2, tail.stdout);
    const ts = await k(['logs', 'talker', '-c', 'main', '--timestamps', '--tail=1']);
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (line|err)-\d+\n$/);
    // the first 4 bytes of the log, whichever stream containerd copied first
    assert.equal((await k(['logs', 'talker', '-c', 'main', '--limit-bytes=4'])).stdout, all.slice(0, 4));
    const both = await k(['logs', 'talker', '--all-containers', '--tail=1']);
    assert.match(both.stdout, /side-says-hi/);
    const since = await k(['logs', 'talker', '-c', 'main', '--since=1s']);
    assert.ok(since.stdout.split('\n').length < all.split('\n').length, since.stdout);
    // kubectl picks the first container of a multi-container pod itself, and says so
    const dflt = await k(['logs', 'talker', '--tail=1']);
    assert.match(dflt.stderr, /Defaulted container "main" out of: main, side/);
  });

  it('logs -f follows new lines', async () => {
    const first = (await k(['logs', 'talker', '-c', 'main', '--tail=1'])).stdout;
    const n = Number(/-(\d+)/.exec(first)![1]);
    const out = await kubectlUntil(s, ['logs', '-f', 'talker', '-c', 'main', '--tail=1'], (o) =>
      o.includes(`line-${n + 3}\n`),
    );
    assert.match(out, new RegExp(`line-${n + 2}\\n`));
  });

  it('logs --previous shows the run before a crash', async () => {
    await until('a restart', async () => {
      const r = await k([
        'get',
        'pod',
        'crasher',
        '-o',
        'jsonpath={.status.containerStatuses[0].restartCount}',
      ]);
      return Number(r.stdout) >= 1;
    });
    const prev = await k(['logs', 'crasher', '--previous']);
    assert.equal(prev.code, 0, prev.stderr);
    assert.match(prev.stdout, /^run-at-\d+/);
    const none = await k(['logs', 'talker', '-c', 'main', '--previous']);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /Error from server \(BadRequest\): previous terminated container "main" in pod "talker" not found/,
    );
  });

  it('logs of a completed pod (Succeeded and Failed) are still there', async () => {
    const done = (name: string, code: number) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "echo ${name}-says-bye; exit ${code}"]}
`;
    for (const [name, code, phase] of [
      ['finisher', 0, 'Succeeded'],
      ['failer', 2, 'Failed'],
    ] as const) {
      assert.equal((await k(['apply', '-f', '-'], done(name, code))).code, 0);
      await until(`${name} ${phase}`, async () => {
        const r = await k(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
        return r.stdout === phase;
      });
      const logs = await k(['logs', name]);
      assert.deepEqual([logs.code, logs.stdout], [0, `${name}-says-bye\n`], logs.stderr);
    }
  });

  it('exec runs in the container and reports the exit code', async () => {
    const ok = await k(['exec', 'talker', '-c', 'main', '--', 'sh', '-c', 'echo out; echo err >&2']);
    assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'out\n', 'err\n']);
    const bad = await k(['exec', 'talker', '-c', 'main', '--', 'sh', '-c', 'exit 3']);
    assert.equal(bad.code, 3);
    assert.equal(bad.stderr, 'command terminated with exit code 3\n');
    const missing = await k(['exec', 'talker', '-c', 'main', '--', '/no/such/binary']);
    assert.notEqual(missing.code, 0);
  });

  it('exec -i passes stdin', async () => {
    const r = await k(
      ['exec', '-i', 'talker', '-c', 'main', '--', 'head', '-c', '11'],
      'hello stdin and more',
    );
    assert.equal(r.stdout, 'hello stdin');
    assert.equal(r.code, 0);
  });

  it('exec -i: stdin end-of-file reaches the process, and its later output and exit code arrive', async () => {
    const cat = await k(['exec', '-i', 'talker', '-c', 'main', '--', 'cat'], 'hi\n');
    assert.deepEqual([cat.code, cat.stdout], [0, 'hi\n']);
    const after = await k(
      ['exec', '-i', 'talker', '-c', 'main', '--', 'sh', '-c', 'cat; echo done; exit 4'],
      'hi\n',
    );
    assert.deepEqual([after.code, after.stdout], [4, 'hi\ndone\n']);
    assert.equal(after.stderr, 'command terminated with exit code 4\n');
    // 1 MiB through stdin, counted after its end
    const big = await k(['exec', '-i', 'talker', '-c', 'main', '--', 'wc', '-c'], 'x'.repeat(1 << 20));
    assert.deepEqual([big.code, big.stdout.trim()], [0, String(1 << 20)]);
    const empty = await k(['exec', '-i', 'talker', '-c', 'main', '--', 'wc', '-l'], '');
    assert.deepEqual([empty.code, empty.stdout.trim()], [0, '0']);
  });

  it('cp copies into and out of the pod', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cp-'));
    writeFileSync(join(dir, 'in.txt'), 'copied-in\n'.repeat(1000));
    const put = await k(['cp', join(dir, 'in.txt'), 'talker:/tmp/in.txt', '-c', 'main']);
    assert.equal(put.code, 0, put.stderr);
    const check = await k(['exec', 'talker', '-c', 'main', '--', 'wc', '-c', '/tmp/in.txt']);
    assert.match(check.stdout, /^10000 \/tmp\/in.txt/);
    const get = await k(['cp', 'talker:/tmp/in.txt', join(dir, 'out.txt'), '-c', 'main']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'copied-in\n'.repeat(1000));
  });

  it('attach streams the running process', async () => {
    const out = await kubectlUntil(s, ['attach', 'talker', '-c', 'main'], (o) =>
      /line-\d+\n.*line-\d+\n/s.test(o),
    );
    assert.match(out, /line-\d+/);
  });

  it('exec into a container that is not running is upstream error', async () => {
    await until('crasher waiting', async () =>
      /CrashLoopBackOff|Error/.test((await k(['get', 'pod', 'crasher', '--no-headers'])).stdout),
    );
    const r = await k(['exec', 'crasher', '--', 'true']);
    if (r.code !== 0) assert.match(r.stderr, /unable to upgrade connection: container not found \("c"\)/);
  });
});
