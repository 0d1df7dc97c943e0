// In-process cost of auditing one request at Metadata level (no server, no network): the
// record's calls from the request path plus the log backend's serialization, writing to
// /dev/null. Usage: npm run build && node dist/bench/audit/micro.js [--requests 100000]
import { parseArgs } from 'node:util';
import { Auditor } from '../../src/apiserver/audit/index.js';
import type { Req, Res } from '../../src/apiserver/http/io.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100000' } } });
const user = { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
const body = Buffer.from(
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } }),
);

function fakeReq(method: string, url: string): Req {
  return {
    method,
    url,
    headers: { 'user-agent': 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc' },
    async *[Symbol.asyncIterator]() {
      yield body;
    },
  };
}
const res = {
  statusCode: 200,
  headersSent: false,
  setHeader: () => undefined,
  writeHead: () => undefined,
  write: () => true,
  end: () => undefined,
  on: () => undefined,
  once: () => undefined,
  removeListener: () => undefined,
} as unknown as Res;

async function run(
  label: string,
  auditor: Auditor,
  method: string,
  url: string,
  readBody: boolean,
): Promise<void> {
  const n = Number(values.requests);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const a = auditor.begin(fakeReq(method, url), res);
    a.received(user);
    a.authorized('allow', '');
    if (readBody) for await (const _ of a.request(fakeReq(method, url))) void _;
    a.complete(200);
    // let the log writer run, as the event loop of a server does between requests
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  await auditor.shutdown();
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${label}: ${us.toFixed(1)} µs per request (${Math.round(1e6 / us)} requests/s on one core)`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-micro-'));
  writeFileSync(
    join(dir, 'policy.yaml'),
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n',
  );
  const metrics = { event: () => undefined, error: () => undefined };
  const make = (policy: boolean) =>
    Auditor.create(policy ? { policyFile: join(dir, 'policy.yaml'), logPath: '/dev/null' } : {}, metrics);
  await run('audit off, GET', make(false), 'GET', '/api/v1/namespaces/default', false);
  await run('audit Metadata, GET', make(true), 'GET', '/api/v1/namespaces/default', false);
  await run(
    'audit Metadata, create (body read for the name)',
    make(true),
    'POST',
    '/api/v1/namespaces/default/configmaps',
    true,
  );
  rmSync(dir, { recursive: true, force: true });
}

void main();
