// Drives a strategy the way the generic store does, with in-memory allocators, so tests see
// what a client would get back.
import type { KubeObject } from '../../../src/api/types.js';
import type {
  Allocators,
  ResourceStrategy,
  StrategyContext,
} from '../../../src/apiserver/registry/strategy.js';
import { errorText } from '../../../src/apiserver/registry/validation.js';

export const NOW = new Date('2024-06-01T12:00:00Z');

/** Allocators over 10.43.0.0/16 and 30000-32767 that remember what is taken. */
export class FakeAllocators implements Allocators {
  readonly ips = new Set<string>();
  readonly ports = new Set<number>();
  serviceCIDRs = ['10.43.0.0/16'];
  private nextIP = 10;
  private nextPort = 30000;

  allocateServiceIP(_family: 'IPv4' | 'IPv6', requested?: string): string {
    let ip = requested;
    while (!ip || (!requested && this.ips.has(ip))) ip = `10.43.0.${this.nextIP++}`;
    if (this.ips.has(ip)) throw new Error(`IP ${ip} taken`);
    this.ips.add(ip);
    return ip;
  }
  releaseServiceIP(ip: string): void {
    this.ips.delete(ip);
  }
  allocateNodePort(requested?: number): number {
    let port = requested;
    while (!port || (!requested && this.ports.has(port))) port = this.nextPort++;
    if (this.ports.has(port)) throw new Error(`port ${port} taken`);
    this.ports.add(port);
    return port;
  }
  releaseNodePort(port: number): void {
    this.ports.delete(port);
  }
}

export function context(
  allocators: Allocators = new FakeAllocators(),
  namespace = 'default',
): StrategyContext {
  return { now: NOW, namespace, allocators, dryRun: false };
}

/** create: defaults, prepareForCreate, validate (throws with upstream's texts), allocate. */
export function create(st: ResourceStrategy, obj: KubeObject, ctx: StrategyContext = context()): KubeObject {
  const o = structuredClone(obj);
  if (st.namespaced && !o.metadata.namespace) o.metadata.namespace = ctx.namespace;
  o.metadata.creationTimestamp ??= '2024-06-01T11:00:00Z';
  st.defaults?.(o);
  st.prepareForCreate?.(o, ctx);
  const errs = st.validate?.(o, ctx) ?? [];
  if (errs.length) throw new Error(errs.map(errorText).join('; '));
  st.allocate?.(o, undefined, ctx);
  return o;
}

/** The validation messages of a create, after defaulting ([] when valid). */
export function createErrors(
  st: ResourceStrategy,
  obj: KubeObject,
  ctx: StrategyContext = context(),
): string[] {
  const o = structuredClone(obj);
  if (st.namespaced && !o.metadata.namespace) o.metadata.namespace = ctx.namespace;
  st.defaults?.(o);
  st.prepareForCreate?.(o, ctx);
  return (st.validate?.(o, ctx) ?? []).map(errorText);
}

/** update: keeps status for status-bearing resources, as the store does, then validates. */
export function update(
  st: ResourceStrategy,
  next: KubeObject,
  old: KubeObject,
  ctx: StrategyContext = context(),
): { obj: KubeObject; errors: string[] } {
  const o = structuredClone(next);
  o.metadata.namespace ??= old.metadata.namespace;
  if (st.status) o.status = structuredClone(old.status);
  o.metadata.uid = old.metadata.uid;
  o.metadata.creationTimestamp = old.metadata.creationTimestamp;
  st.defaults?.(o);
  st.prepareForUpdate?.(o, old, ctx);
  const errors = [...(st.validate?.(o, ctx) ?? []), ...(st.validateUpdate?.(o, old, ctx) ?? [])].map(
    errorText,
  );
  if (!errors.length) st.allocate?.(o, old, ctx);
  return { obj: o, errors };
}

export function strategy(all: ResourceStrategy[], resource: string): ResourceStrategy {
  const st = all.find((s) => s.resource === resource);
  if (!st) throw new Error(`no strategy for ${resource}`);
  return st;
}

/** Cells keyed by column name. */
export function row(st: ResourceStrategy, obj: KubeObject, now: Date = NOW): Record<string, unknown> {
  const cells = st.table!.cells(obj, now);
  return Object.fromEntries(st.table!.columns.map((c, i) => [c.name, cells[i]]));
}
