// PodSecurity as the real kubectl and the audit log see it: warn mode's warnings, audit mode's
// annotations on audit events, enforce-version pinning, warnings when a namespace is tightened,
// and --admission-control-config-file's PodSecurityConfiguration (defaults; exempt usernames,
// namespaces and runtimeClasses).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';

const ADMISSION_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      audit: restricted
    exemptions:
      usernames: [ci-bot]
      namespaces: [legacy]
      runtimeClasses: [trusted]
`;

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources: [{group: "", resources: [pods]}]
`;

/** What the restricted level asks of a pod that `kubectl run` leaves out. */
const RESTRICTED_VIOLATIONS = (c: string) =>
  `allowPrivilegeEscalation != false (container "${c}" must set securityContext.allowPrivilegeEscalation=false), ` +
  `unrestricted capabilities (container "${c}" must set securityContext.capabilities.drop=["ALL"]), ` +
  `runAsNonRoot != true (pod or container "${c}" must set securityContext.runAsNonRoot=true), ` +
  `seccompProfile (pod or container "${c}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;

function restrictedPod(name: string, podSecurityContext: string, runtimeClass = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  ${runtimeClass ? `runtimeClassName: ${runtimeClass}` : ''}
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}${podSecurityContext}}
  containers:
  - name: c
    image: busybox
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;
}

interface AuditEvent {
  stage: string;
  verb: string;
  objectRef?: { resource?: string; namespace?: string; name?: string };
  user: { username?: string };
  annotations?: Record<string, string>;
}

describe('PodSecurity: warn, audit, versions, exemptions', () => {
  let s: TestServer;
  let logPath: string;

  /** The annotations of the ResponseComplete event of a pod create, once it is written. */
  async function createEvent(namespace: string, name: string): Promise<Record<string, string>> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const events = existsSync(logPath)
        ? readFileSync(logPath, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as AuditEvent)
        : [];
      const ev = events.find(
        (e) =>
          e.stage === 'ResponseComplete' &&
          e.verb === 'create' &&
          e.objectRef?.namespace === namespace &&
          // a create names no object in its URL: the event takes the name from the body
          e.objectRef?.name === name,
      );
      if (ev) return ev.annotations ?? {};
      if (Date.now() > deadline) throw new Error(`no audit event for creating ${namespace}/${name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-psa-'));
    writeFileSync(join(dir, 'admission.yaml'), ADMISSION_CONFIG);
    writeFileSync(join(dir, 'audit.yaml'), AUDIT_POLICY);
    logPath = join(dir, 'audit.log');
    s = await startServer([
      '--admission-control-config-file',
      join(dir, 'admission.yaml'),
      '--audit-policy-file',
      join(dir, 'audit.yaml'),
      '--audit-log-path',
      logPath,
    ]);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('warn mode: kubectl prints the violations, the pod is created', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'w'])).code, 0);
    assert.equal(
      (await s.kubectl(['label', 'ns', 'w', 'pod-security.kubernetes.io/warn=restricted'])).code,
      0,
    );
    const r = await s.kubectl(['-n', 'w', 'run', 'x', '--image=busybox']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      `Warning: would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS('x')}\n`,
    );
    assert.equal(r.stdout, 'pod/x created\n');
  });

  it('audit mode (here from the configured defaults): the audit event carries the violations', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'a'])).code, 0);
    const r = await s.kubectl(['-n', 'a', 'run', 'y', '--image=busybox']);
    assert.deepEqual([r.code, r.stderr], [0, ''], 'no warning: warn stays privileged');
    const annotations = await createEvent('a', 'y');
    assert.equal(
      annotations['pod-security.kubernetes.io/audit-violations'],
      `would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS('y')}`,
    );
    assert.equal(annotations['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
  });

  it('labelling a namespace enforce=restricted warns about the pods already there', async () => {
    const r = await s.kubectl(['label', 'ns', 'w', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      'Warning: existing pods in namespace "w" violate the new PodSecurity enforce level "restricted:latest"\n' +
        'Warning: x: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile\n',
    );
    assert.equal(r.stdout, 'namespace/w labeled\n');
  });

  it('enforce-version pins the checks: runAsUser=0 is refused from v1.23 on only', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'pinned'])).code, 0);
    let r = await s.kubectl([
      'label',
      'ns',
      'pinned',
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/enforce-version=v1.22',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'pinned', 'create', '-f', '-'], restrictedPod('root-uid', ', runAsUser: 0'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (await createEvent('pinned', 'root-uid'))['pod-security.kubernetes.io/enforce-policy'],
      'restricted:v1.22',
    );

    r = await s.kubectl([
      'label',
      '--overwrite',
      'ns',
      'pinned',
      'pod-security.kubernetes.io/enforce-version=latest',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      'Warning: existing pods in namespace "pinned" violate the new PodSecurity enforce level "restricted:latest"\n' +
        'Warning: root-uid: runAsUser=0\n',
    );
    r = await s.kubectl(['-n', 'pinned', 'create', '-f', '-'], restrictedPod('root-uid-2', ', runAsUser: 0'));
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'Error from server (Forbidden): error when creating "STDIN": pods "root-uid-2" is forbidden: violates PodSecurity "restricted:latest": runAsUser=0 (pod must not set runAsUser=0)\n',
    );
    r = await s.kubectl(['-n', 'pinned', 'create', '-f', '-'], restrictedPod('fine', ', runAsUser: 1000'));
    assert.deepEqual([r.code, r.stderr], [0, '']);
  });

  it('exempt usernames, namespaces and runtimeClasses are not checked (and the audit event says why)', async () => {
    // ci-bot may create pods (not as system:masters: the exemption is by name)
    let r = await s.kubectl([
      'create',
      'clusterrolebinding',
      'ci-bot',
      '--clusterrole=edit',
      '--user=ci-bot',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['--as', 'ci-bot', '-n', 'w', 'run', 'by-bot', '--image=busybox']);
    assert.deepEqual([r.code, r.stderr, r.stdout], [0, '', 'pod/by-bot created\n']);
    assert.equal((await createEvent('w', 'by-bot'))['pod-security.kubernetes.io/exempt'], 'user');

    assert.equal((await s.kubectl(['create', 'namespace', 'legacy'])).code, 0);
    assert.equal((await s.kubectl(['-n', 'legacy', 'run', 'old', '--image=busybox'])).code, 0);
    r = await s.kubectl(['label', 'ns', 'legacy', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.deepEqual([r.code, r.stderr], [0, ''], 'no warnings for an exempt namespace');
    r = await s.kubectl(['-n', 'legacy', 'run', 'older', '--image=busybox']);
    assert.deepEqual([r.code, r.stderr], [0, '']);

    // a pod with the exempt runtimeClass passes where the same pod without it does not
    const privileged = (name: string, runtimeClass: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  ${runtimeClass}
  containers: [{name: c, image: busybox, securityContext: {privileged: true}}]
`;
    r = await s.kubectl(['-n', 'w', 'create', '-f', '-'], privileged('plain', ''));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /pods "plain" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\)/,
    );
    r = await s.kubectl(['-n', 'w', 'create', '-f', '-'], privileged('kata', 'runtimeClassName: trusted'));
    assert.deepEqual([r.code, r.stderr], [0, '']);
    assert.equal((await createEvent('w', 'kata'))['pod-security.kubernetes.io/exempt'], 'runtimeClass');
  });

  it('a PodSecurityConfiguration with a bad level stops the server at start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-psa-bad-'));
    writeFileSync(
      join(dir, 'admission.yaml'),
      ADMISSION_CONFIG.replace('audit: restricted', 'audit: strict'),
    );
    const r = spawnSync(
      join(ROOT, 'bin', 'k8ts'),
      [
        'server',
        '--data-dir',
        join(dir, 'data'),
        '--bind-address',
        '127.0.0.1',
        '--https-listen-port',
        '0',
        '--disable-agent',
        '--admission-control-config-file',
        join(dir, 'admission.yaml'),
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.notEqual(r.status, 0);
    assert.match(
      r.stdout + r.stderr,
      /PodSecurity invalid: defaults.audit: Invalid value: "strict": must be one of privileged, baseline, restricted/,
    );
  });
});
