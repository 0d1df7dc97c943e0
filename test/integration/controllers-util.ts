// Helpers for the controller integration tests: poll kubectl until its output matches (no timed
// assertions: a deadline only bounds how long we wait), and small object builders.
import assert from 'node:assert/strict';
import type { TestServer } from './harness.js';

/** Runs kubectl until stdout matches `want` (or until `timeoutMs`); returns the last output. */
export async function eventually(
  s: TestServer,
  args: string[],
  want: RegExp | ((out: string) => boolean),
  timeoutMs = 20_000,
): Promise<string> {
  const ok = typeof want === 'function' ? want : (out: string) => want.test(out);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await s.kubectl(args);
    last = r.stdout + r.stderr;
    if (ok(r.stdout)) return r.stdout;
    if (Date.now() > deadline)
      assert.fail(`kubectl ${args.join(' ')} never matched ${String(want)}; last:\n${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An API call that must succeed; returns the parsed body. */
export async function apiOk<T = Record<string, unknown>>(
  s: TestServer,
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
): Promise<T> {
  const r = await s.api(
    method,
    path,
    body === undefined ? undefined : JSON.stringify(body),
    contentType ? { 'Content-Type': contentType } : {},
  );
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

export async function kubectlOk(s: TestServer, args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
