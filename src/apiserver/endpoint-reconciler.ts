// Keeps the `kubernetes` Service's Endpoints and EndpointSlice listing every live API server,
// as upstream's lease endpoint reconciler does with several kube-apiservers on one etcd. Each
// server publishes its identity Lease (kube-system/apiserver-<hash>, label
// apiserver.kubernetes.io/identity=kube-apiserver, renewed every 10 s, 3600 s duration, as
// upstream's APIServerIdentity) and marks it with the address it serves on. Upstream keeps that
// address in a separate etcd key with a 15 s TTL ("master leases"); we keep it on the identity
// Lease (annotation k8ts.io/apiserver-endpoint) and count a server as live while its Lease was
// renewed within the same 15 s. Identity Leases expired for their whole duration are deleted.
import { randomUUID, createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceStore } from './endpoints/store.js';
import { systemContext } from './bootstrap.js';
import { logger } from '../util/log.js';

const log = logger('endpoint-reconciler');

export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
export const ENDPOINT_ANNOTATION = 'k8ts.io/apiserver-endpoint';
const NAMESPACE = 'kube-system';
const LEASE_DURATION_S = 3600;
const RENEW_MS = 10_000;
const MASTER_LEASE_TTL_MS = 15_000;

/** upstream's identity: sha256 over the length-prefixed host name and "kube-apiserver", base32. */
export function apiserverIdentity(host: string): string {
  const field = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    return Buffer.concat([len, b]);
  };
  const hash = createHash('sha256')
    .update(Buffer.concat([field(host), field('kube-apiserver')]))
    .digest()
    .subarray(0, 16);
  return `apiserver-${base32(hash).toLowerCase()}`;
}

function base32(data: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
}

export interface ReconcilerOptions {
  leases: ResourceStore;
  endpoints: ResourceStore;
  endpointSlices: ResourceStore;
  /** The address and port this server is reached on. */
  ip: string;
  port: number;
  /** The host name the identity is made from (default: the OS's). */
  hostname?: string;
  now?: () => number;
}

export class EndpointReconciler {
  readonly name: string;
  readonly holder: string;
  private timer: NodeJS.Timeout | undefined;
  private readonly host: string;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly o: ReconcilerOptions) {
    this.host = o.hostname ?? osHostname();
    this.name = apiserverIdentity(this.host);
    this.holder = `${this.name}_${randomUUID()}`;
    this.now = o.now ?? Date.now;
  }

  get endpoint(): string {
    return `${this.o.ip}:${this.o.port}`;
  }

  /** Publishes this server and writes the endpoints once, then keeps doing it every 10 s. */
  async start(): Promise<void> {
    await this.tick();
    const loop = () => {
      this.timer = setTimeout(() => {
        this.tick()
          .catch((err: unknown) => log.warn('reconcile failed', { error: String(err) }))
          .finally(() => {
            if (!this.stopped) loop();
          });
      }, RENEW_MS);
    };
    loop();
  }

  /** Leaves the endpoints (upstream removes its master lease on shutdown); the identity Lease stays. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    try {
      await this.o.leases.update(
        NAMESPACE,
        this.name,
        systemContext(NAMESPACE),
        (cur) => {
          const annotations = { ...(cur.metadata.annotations ?? {}) };
          delete annotations[ENDPOINT_ANNOTATION];
          return { ...cur, metadata: { ...cur.metadata, annotations } };
        },
        { retry: true },
      );
      await this.reconcileEndpoints(false);
    } catch (err) {
      log.warn('could not remove this server from the endpoints', { error: String(err) });
    }
  }

  async tick(): Promise<void> {
    await this.renew();
    await this.reconcileEndpoints(true);
  }

  private leaseObject(): KubeObject {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: NAMESPACE,
        labels: { [IDENTITY_LABEL]: 'kube-apiserver', 'kubernetes.io/hostname': this.host },
        annotations: { [ENDPOINT_ANNOTATION]: this.endpoint },
      },
      spec: {
        holderIdentity: this.holder,
        leaseDurationSeconds: LEASE_DURATION_S,
        renewTime: microTime(this.now()),
      },
    } as KubeObject;
  }

  private async renew(): Promise<void> {
    const want = this.leaseObject();
    const ctx = systemContext(NAMESPACE);
    try {
      await this.o.leases.update(
        NAMESPACE,
        this.name,
        ctx,
        (cur) => ({
          ...cur,
          metadata: {
            ...cur.metadata,
            labels: { ...(cur.metadata.labels ?? {}), ...want.metadata.labels },
            annotations: { ...(cur.metadata.annotations ?? {}), ...want.metadata.annotations },
          },
          spec: { ...(cur as { spec?: object }).spec, ...(want as unknown as { spec: object }).spec },
        }),
        { retry: true },
      );
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
      await this.o.leases.create(want, ctx);
    }
  }

  /** The other live servers from the watch cache, plus this one while `includeSelf`. */
  private async liveEndpoints(includeSelf: boolean): Promise<string[]> {
    const list = await this.o.leases.cache.list({
      resourceVersion: '0',
      keyPrefix: `${this.o.leases.prefix}${NAMESPACE}/`,
    });
    const live = new Set<string>();
    const now = this.now();
    for (const { obj } of list.items) {
      if (obj.metadata.labels?.[IDENTITY_LABEL] !== 'kube-apiserver') continue;
      const spec = (obj as { spec?: LeaseSpec }).spec ?? {};
      const renewed = Date.parse(spec.renewTime ?? '');
      if (obj.metadata.name !== this.name && renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now) {
        await this.collect(obj);
        continue;
      }
      const ep = obj.metadata.annotations?.[ENDPOINT_ANNOTATION];
      if (obj.metadata.name === this.name || !ep || !(now - renewed <= MASTER_LEASE_TTL_MS)) continue;
      live.add(ep);
    }
    if (includeSelf) live.add(this.endpoint);
    return [...live].sort();
  }

  /** Deletes an identity Lease nobody renewed for its whole duration (upstream's GC). */
  private async collect(lease: KubeObject): Promise<void> {
    try {
      await this.o.leases.delete(NAMESPACE, lease.metadata.name!, systemContext(NAMESPACE), {
        preconditions: { resourceVersion: lease.metadata.resourceVersion },
      });
      log.info('deleted an expired apiserver identity lease', { lease: lease.metadata.name });
    } catch {
      // another server collected it, or its holder came back
    }
  }

  private async reconcileEndpoints(includeSelf: boolean): Promise<void> {
    const live = await this.liveEndpoints(includeSelf);
    const byPort = new Map<number, string[]>();
    for (const ep of live) {
      const i = ep.lastIndexOf(':');
      const port = Number(ep.slice(i + 1));
      byPort.set(port, [...(byPort.get(port) ?? []), ep.slice(0, i)]);
    }
    const subsets = [...byPort.entries()]
      .sort(([a], [b]) => a - b)
      .map(([port, ips]) => ({
        addresses: [...new Set(ips)].sort().map((ip) => ({ ip })),
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      }));
    await upsertIfChanged(this.o.endpoints, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
      },
      subsets,
    } as KubeObject);
    // one slice carries one port set: with every server on one port (the usual case) it lists them all
    const [port, ips] =
      [...byPort.entries()].find(([p]) => p === this.o.port) ?? [...byPort.entries()][0] ?? [];
    await upsertIfChanged(this.o.endpointSlices, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'kubernetes' },
      },
      addressType: 'IPv4',
      endpoints: [...new Set(ips ?? [])]
        .sort()
        .map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: port === undefined ? [] : [{ name: 'https', port, protocol: 'TCP' }],
    } as KubeObject);
  }
}

const sameContent = (a: KubeObject, b: KubeObject, fields: string[]) =>
  fields.every(
    (f) =>
      JSON.stringify((a as Record<string, unknown>)[f]) === JSON.stringify((b as Record<string, unknown>)[f]),
  );

async function upsertIfChanged(store: ResourceStore, obj: KubeObject): Promise<void> {
  const ns = obj.metadata.namespace;
  const fields = obj.kind === 'Endpoints' ? ['subsets'] : ['endpoints', 'ports'];
  const cur = store.cache.get(store.key(ns, obj.metadata.name!))?.obj;
  if (cur && sameContent(cur, obj, fields)) return;
  try {
    await store.update(
      ns,
      obj.metadata.name!,
      systemContext(ns),
      (c) => ({ ...obj, metadata: { ...c.metadata, ...obj.metadata, resourceVersion: undefined } }),
      { retry: true },
    );
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
    try {
      await store.create(obj, systemContext(ns));
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
}
