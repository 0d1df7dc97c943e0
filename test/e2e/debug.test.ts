// kubectl debug against real containers (004 §2.1.6, seed features KCL-06..KCL-11): an exec
// into an image without a shell fails as upstream's does, an ephemeral container with --target
// sees the target's processes, a node debug pod sees the node's root at /host and its
// processes, and --copy-to with --share-processes / --set-image / --container makes the copies.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { KUBECTL, startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const DONE = 'k8ts-debug-done';

/**
 * kubectl with `script` on stdin, kept open until the output shows the script's last line ran
 * (stdin closes, then the shell exits): kubectl debug's containers have stdinOnce unset, and
 * containerd ends such an attach as soon as stdin ends, as it does for upstream.
 */
function interactive(s: TestServer, args: string[], script: string, ms = 60_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(KUBECTL, ['--kubeconfig', s.kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl ${args.join(' ')}: no ${DONE} in ${ms} ms: ${stdout} ${stderr}`));
    }, ms);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes(DONE)) child.stdin.end('exit\n');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.write(`${script}\necho ${DONE}\n`);
  });
}

/**
 * kubectl on a pseudo-terminal (util-linux `script`), as a user types: each step waits for its
 * pattern in the output, then types its text. Resolves with the output once kubectl exits.
 */
function onTerminal(s: TestServer, args: string[], steps: [RegExp, string][], ms = 60_000) {
  const cmd = [KUBECTL, '--kubeconfig', s.kubeconfig, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise<string>((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let next = 0;
    let mark = 0; // a step looks only at what came after the previous one typed
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl ${args.join(' ')} on a terminal: stuck at step ${next}: ${out}`));
    }, ms);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      while (next < steps.length && steps[next][0].test(out.slice(mark))) {
        child.stdin.write(steps[next][1]);
        mark = out.length;
        next++;
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (next < steps.length) reject(new Error(`kubectl exited at step ${next}: ${out}`));
      else resolve(out);
    });
  });
}

describe('kubectl debug on containerd', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  let node = '';
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  const running = (pod: string) =>
    until(`${pod} Running`, async () =>
      / Running /.test((await k(['get', 'pod', pod, '--no-headers'])).stdout),
    );
  const jsonpath = async (pod: string, path: string) =>
    (await k(['get', 'pod', pod, '-o', `jsonpath=${path}`])).stdout;

  before(async () => {
    // a private netns may have no interface but lo: name the node IP rather than guess it
    s = await startServer([
      '--enable-agent',
      '--runtime',
      'containerd',
      '--kubelet-port',
      '0',
      '--kubelet-arg',
      'node-ip=127.0.0.1',
    ]);
    await until('node Ready', async () => / Ready /.test((await k(['get', 'nodes', '--no-headers'])).stdout));
    node = (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    const run = await k(['run', 'ephemeral-demo', '--image=registry.k8s.io/pause:3.1', '--restart=Never']);
    assert.equal(run.code, 0, run.stderr);
    const app = await k(['run', 'myapp', '--image=busybox', '--restart=Never', '--', 'sleep', '1d']);
    assert.equal(app.code, 0, app.stderr);
    await running('ephemeral-demo');
    await running('myapp');
  });
  after(async () => {
    if (!s) return;
    // pods outlive the node agent: delete them first, so that no container stays behind
    await k(['delete', 'pod', '--all', '--grace-period=1', '--timeout=60s']);
    await stopContainerdServer(s);
  });

  it('KCL-06: exec of a shell the image does not have fails with the OCI runtime error', async () => {
    const r = await k(['exec', 'ephemeral-demo', '--', 'sh']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /OCI runtime exec failed: exec failed: .*exec: "sh": executable file not found in \$PATH: unknown/,
    );
  });

  it("KCL-07: an ephemeral container with --target sees the target container's processes", async () => {
    const r = await interactive(
      s,
      ['debug', '-i', 'ephemeral-demo', '--image=busybox', '--target=ephemeral-demo', '--', 'sh'],
      'ps',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Defaulting debug container name to debugger-[a-z0-9]{5}\.$/m);
    assert.match(r.stdout, /^Targeting container "ephemeral-demo"\. If you don't see processes/m);
    assert.match(r.stderr, /If you don't see a command prompt, try pressing enter\./);
    // the target's process (/pause) as PID 1 of the namespace the debugger joined
    assert.match(r.stdout, /^\s*1 root\s+\/pause$/m);
    const name = /debugger-[a-z0-9]{5}/.exec(r.stdout)![0];
    await until('debugger terminated', async () =>
      /terminated/.test(await jsonpath('ephemeral-demo', '{.status.ephemeralContainerStatuses[0].state}')),
    );
    const d = (await k(['describe', 'pod', 'ephemeral-demo'])).stdout;
    const section = d.slice(d.indexOf('Ephemeral Containers:'), d.indexOf('Conditions:'));
    assert.match(section, new RegExp(`^  ${name}:$`, 'm'));
    assert.match(section, /^ {4}Image:\s+busybox$/m);
    assert.match(section, /^ {4}State:\s+Terminated$/m);
    assert.match(section, /^ {4}Ready:\s+False$/m);
    assert.match(section, /^ {4}Restart Count:\s+0$/m);
    // what it printed stays in its log
    const logs = await k(['logs', 'ephemeral-demo', '-c', name]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, new RegExp(DONE));
  });

  it("KCL-07: kubectl debug -it gives a shell prompt on a terminal, with the target's processes", async () => {
    const out = await onTerminal(
      s,
      ['debug', '-it', 'ephemeral-demo', '--image=busybox', '--target=ephemeral-demo'],
      [
        [/\/ # /, 'ps\r'],
        [/\/pause/, 'exit\r'],
      ],
    );
    assert.match(out, /If you don't see a command prompt, try pressing enter\./);
    assert.match(out, /^\s*1 root\s+\/pause\r?$/m);
  });

  it('KCL-07: kubectl logs and attach reach a running ephemeral container', async () => {
    const r = await k([
      'debug',
      'ephemeral-demo',
      '--image=busybox',
      '--target=ephemeral-demo',
      '--',
      'sh',
      '-c',
      'while true; do echo tick; sleep 1; done',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const name = /debugger-[a-z0-9]{5}/.exec(r.stdout)![0];
    await until('second debugger running', async () =>
      (await jsonpath('ephemeral-demo', '{.status.ephemeralContainerStatuses[*].state.running}')).includes(
        'startedAt',
      ),
    );
    const logs = await until('ticks in the logs', async () => {
      const l = await k(['logs', 'ephemeral-demo', '-c', name]);
      return /tick/.test(l.stdout) && l;
    });
    assert.equal(logs.code, 0);
    // attach does not end by itself: stop it once it relayed a tick
    const attached = await new Promise<string>((resolve) => {
      const child = spawn(KUBECTL, ['--kubeconfig', s.kubeconfig, 'attach', 'ephemeral-demo', '-c', name]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/tick/.test(out)) child.kill();
      });
      child.on('exit', () => resolve(out));
    });
    assert.match(attached, /tick/);
  });

  it('kubectl debug --profile=sysadmin: a privileged ephemeral container in an unprivileged pod', async () => {
    const r = await k([
      'debug',
      'ephemeral-demo',
      '--image=busybox',
      '--profile=sysadmin',
      '--',
      'sleep',
      '1d',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const name = /debugger-[a-z0-9]{5}/.exec(r.stdout)![0];
    const privileged = await jsonpath(
      'ephemeral-demo',
      `{.spec.ephemeralContainers[?(@.name=="${name}")].securityContext.privileged}`,
    );
    assert.equal(privileged, 'true');
    await until('privileged debugger running', async () =>
      (
        await jsonpath(
          'ephemeral-demo',
          `{.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.running}`,
        )
      ).includes('startedAt'),
    );
  });

  it('KCL-11: a node debug pod runs in the host namespaces with the root file system at /host', async () => {
    const r = await interactive(
      s,
      ['debug', `node/${node}`, '-i', '--image=busybox', '--', 'sh'],
      'ls /host\nps -o comm',
    );
    assert.equal(r.code, 0, r.stderr);
    const m = new RegExp(
      `Creating debugging pod (node-debugger-${node}-[a-z0-9]{5}) with container debugger on node ${node}\\.`,
    ).exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.match(r.stdout, /^etc$/m);
    assert.match(r.stdout, /^proc$/m);
    // the host's PID namespace: containerd runs there
    assert.match(r.stdout, /^containerd$/m);
    const spec = JSON.parse((await k(['get', 'pod', m[1], '-o', 'json'])).stdout).spec;
    assert.equal(spec.hostPID, true);
    assert.equal(spec.hostIPC, true);
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.nodeName, node);
    assert.equal((await k(['delete', 'pod', m[1]])).code, 0);
  });

  it('KCL-08: --copy-to with --share-processes puts every container in one PID namespace', async () => {
    const r = await interactive(
      s,
      ['debug', 'myapp', '-i', '--image=busybox', '--share-processes', '--copy-to=myapp-debug', '--', 'sh'],
      'ps',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Defaulting debug container name to debugger-[a-z0-9]{5}\./);
    assert.match(r.stdout, /sleep 1d/);
    assert.match(r.stdout, /^\s*1 root\s+\/pause$/m);
    assert.equal(await jsonpath('myapp-debug', '{.spec.shareProcessNamespace}'), 'true');
  });

  it('KCL-08, KCL-11: ubuntu shells on a terminal prompt as root@<host>:/#', async () => {
    const copy = await onTerminal(
      s,
      ['debug', 'myapp', '-it', '--image=ubuntu', '--share-processes', '--copy-to=myapp-ubuntu'],
      [[/root@myapp-ubuntu:\/# /, 'exit\r']],
    );
    assert.match(copy, /^Defaulting debug container name to debugger-[a-z0-9]{5}\.\r?$/m);
    const onNode = await onTerminal(
      s,
      ['debug', `node/${node}`, '-it', '--image=ubuntu'],
      [[new RegExp(`root@${node}:/# `), 'exit\r']],
    );
    assert.match(
      onNode,
      new RegExp(
        `Creating debugging pod node-debugger-${node}-[a-z0-9]{5} with container debugger on node ${node}\\.`,
      ),
    );
  });

  it("KCL-09: --copy-to with --container changes that container's command", async () => {
    const r = await interactive(
      s,
      ['debug', 'myapp', '-i', '--copy-to=myapp-sh', '--container=myapp', '--', 'sh'],
      'echo in-copy',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /in-copy/);
    assert.equal(await jsonpath('myapp-sh', '{.spec.containers[0].command}'), '["sh"]');
  });

  it('KCL-10: --copy-to with --set-image changes every image', async () => {
    const r = await k(['debug', 'myapp', '--copy-to=myapp-img', '--set-image=*=ubuntu']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await jsonpath('myapp-img', '{.spec.containers[*].image}'), 'ubuntu');
    await running('myapp-img');
  });

  it('KCL-12: kubectl run --rm -ti attaches to the new pod on a terminal and deletes it on exit', async () => {
    const out = await onTerminal(
      s,
      ['run', 'busybox', '--rm', '-ti', '--image=busybox:1.28', '--restart=Never', '--', '/bin/sh'],
      [
        [/\/ # /, 'echo k8ts-$((6*7))\r'],
        [/k8ts-42/, 'exit\r'],
      ],
      90_000,
    );
    assert.match(out, /^pod "busybox" deleted\r?$/m);
    await until('pod busybox gone', async () => (await k(['get', 'pod', 'busybox'])).code !== 0);
  });

  it('KCL-04: kubectl exec -it -c picks the container and gives its shell on a terminal', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: my-pod}
spec:
  containers:
  - {name: main-app, image: busybox, command: [sleep, "3600"]}
  - {name: helper-app, image: busybox, command: [sleep, "3601"]}
`;
    assert.equal((await k(['apply', '-f', '-'], pod)).code, 0);
    await running('my-pod');
    const out = await onTerminal(
      s,
      ['exec', '-i', '-t', 'my-pod', '--container', 'main-app', '--', '/bin/sh'],
      [
        [/\/ # /, 'ps\r'],
        [/sleep 360/, 'exit\r'],
      ],
    );
    // its own PID namespace: PID 1 is main-app's sleep, helper-app's is not there
    assert.match(out, /^\s*1 root\s+(\S+\s+)?sleep 3600\r?$/m);
    assert.doesNotMatch(out, /sleep 3601/);
  });
});
