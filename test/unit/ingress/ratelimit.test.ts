// The limit-* annotations: ingress-nginx's parsing (burst = limit × limit-burst-multiplier,
// default 5; a bad whitelist drops the limits) and nginx's limit_req/limit_conn arithmetic
// (nodelay: 1 + burst requests at once, then the rate; per client address; whitelisted
// clients never limited), on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations, parseCidr, PREFIX } from '../../../src/ingress/annotations.js';
import { Limiter, type RateLimits } from '../../../src/ingress/ratelimit.js';

const parse = (a: Record<string, string>) =>
  parseAnnotations(Object.fromEntries(Object.entries(a).map(([k, v]) => [PREFIX + k, v])));

function limits(o: Partial<RateLimits>): RateLimits {
  return { zone: 'web/site/uid', rps: 0, rpm: 0, connections: 0, burstMultiplier: 5, whitelist: [], ...o };
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** How many of n requests at the same instant are admitted. */
function admitted(l: Limiter, lim: RateLimits, client: string, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (l.admit(lim, client).ok) ok++;
  return ok;
}

test('limit annotations: defaults, burst multiplier, whitelist, bad values', () => {
  assert.equal(parse({}).config.limits, undefined);
  const { config } = parse({ 'limit-rps': '2', 'limit-whitelist': '10.0.0.0/8, 192.168.1.7' });
  assert.equal(config.limits?.rps, 2);
  assert.equal(config.limits?.burstMultiplier, 5);
  assert.equal(config.limits?.whitelist.length, 2);
  assert.equal(parse({ 'limit-rpm': '60', 'limit-burst-multiplier': '1' }).config.limits?.burstMultiplier, 1);
  const bad = parse({ 'limit-rps': 'fast' });
  assert.equal(bad.config.limits, undefined);
  assert.deepEqual(bad.problems, [`annotation ${PREFIX}limit-rps ignored: not an integer (value "fast")`]);
  // ingress-nginx: a whitelist that does not parse makes the whole rate limit config fail
  const badList = parse({ 'limit-rps': '2', 'limit-whitelist': '10.0.0.0/33' });
  assert.equal(badList.config.limits, undefined);
  assert.match(badList.problems[0], /limit-whitelist: invalid IP address or network "10.0.0.0\/33"/);
});

test('limit-rps with nodelay: 1 + burst at once, then one per 1/rps seconds', () => {
  const c = clock();
  const l = new Limiter(c.now);
  const lim = limits({ rps: 1 });
  assert.equal(admitted(l, lim, '10.1.1.1', 10), 6, '1 + 5 × 1');
  c.advance(999);
  assert.equal(admitted(l, lim, '10.1.1.1', 1), 0);
  c.advance(1);
  assert.equal(admitted(l, lim, '10.1.1.1', 3), 1);
  c.advance(10_000);
  assert.equal(admitted(l, lim, '10.1.1.1', 10), 6, 'drained after a quiet spell');
  assert.equal(admitted(l, lim, '10.2.2.2', 10), 6, 'another client has a budget of its own');
});

test('limit-rpm and burst multiplier; rejected requests do not count', () => {
  const c = clock();
  const l = new Limiter(c.now);
  const lim = limits({ rpm: 2, burstMultiplier: 1 });
  assert.equal(admitted(l, lim, '10.1.1.1', 5), 3, '1 + 2 × 1');
  c.advance(29_999);
  assert.equal(admitted(l, lim, '10.1.1.1', 5), 0);
  c.advance(1);
  assert.equal(admitted(l, lim, '10.1.1.1', 5), 1);
});

test('limits are per Ingress zone: two Ingresses do not share a budget', () => {
  const l = new Limiter(clock().now);
  assert.equal(admitted(l, limits({ rps: 1, burstMultiplier: 0 }), '10.1.1.1', 3), 1);
  assert.equal(admitted(l, limits({ zone: 'web/other/uid2', rps: 1, burstMultiplier: 0 }), '10.1.1.1', 3), 1);
});

test('limit-connections counts requests in progress per client; release frees a slot', () => {
  const l = new Limiter(clock().now);
  const lim = limits({ connections: 2 });
  const a = l.admit(lim, '10.1.1.1');
  const b = l.admit(lim, '10.1.1.1');
  assert.ok(a.ok && b.ok);
  assert.deepEqual(l.admit(lim, '10.1.1.1'), { ok: false, why: 'connections' });
  assert.ok(l.admit(lim, '10.9.9.9').ok);
  a.release();
  a.release(); // twice is once
  assert.ok(l.admit(lim, '10.1.1.1').ok);
  assert.equal(l.admit(lim, '10.1.1.1').ok, false);
});

test('limit-whitelist: listed clients (also as ::ffff: mapped addresses) are not limited', () => {
  const l = new Limiter(clock().now);
  const lim = limits({ rps: 1, burstMultiplier: 0, whitelist: [parseCidr('127.0.0.0/8')!] });
  assert.equal(admitted(l, lim, '::ffff:127.0.0.1', 20), 20);
  assert.equal(admitted(l, lim, '10.1.1.1', 20), 1);
});
