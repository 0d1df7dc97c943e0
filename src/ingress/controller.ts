// The ingress controller's control loop. Level-based: any change to Ingresses, IngressClasses,
// Services, EndpointSlices, Secrets or Nodes queues one key, and the worker rebuilds the whole
// serving state from the informer caches and swaps it into the listeners in one assignment.
// Per served Ingress it then records ingress-nginx's `Sync` / `Scheduled for sync` event once
// per generation, a Warning for each missing Service or unusable Secret (once per generation),
// and writes status.loadBalancer.ingress = the node's InternalIPs when they differ.
import type { KubeObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import type { SharedInformers } from '../client/shared-informers.js';
import { WorkQueue } from '../client/workqueue.js';
import { logger } from '../util/log.js';
import { AuthStore, authKey } from './auth.js';
import { resolveBackend, type Lookups, type ResolvedBackend } from './backends.js';
import type { CertificateStore } from './certificates.js';
import { isServed, ourClasses } from './classes.js';
import type { Listeners } from './listeners.js';
import { parseStreams, streamEndpoints, type StreamProtocol, type StreamProxies } from './streams.js';
import { backendOf, buildRouteTable, ingressKey, type BackendRef } from './routes.js';

const log = logger('ingress');
const SYNC_KEY = 'sync';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ControllerOptions {
  nodeName: string;
  /** fixed status addresses (--publish-status-address); else the node's InternalIPs */
  publishAddresses: string[];
  /** namespace/name of the --tcp-services-configmap / --udp-services-configmap, '' = none */
  tcpServices?: string;
  udpServices?: string;
  /** the controller's own HTTP/HTTPS ports, which a stream entry may not take */
  reservedPorts?: number[];
  streams?: StreamProxies;
}

export class IngressController {
  private readonly queue = new WorkQueue(5, 30_000);
  private readonly ingresses: Informer;
  private readonly classes: Informer;
  private readonly services: Informer;
  private readonly slices: Informer;
  private readonly secrets: Informer;
  private readonly nodes: Informer;
  /** the informers of the TCP/UDP services ConfigMaps' namespaces */
  private readonly streamMaps: { protocol: StreamProtocol; key: string; informer: Informer }[] = [];
  private readonly streamProblems = new Set<string>();
  /** uid → generation already announced / warned about */
  private readonly announced = new Map<string, number>();
  private readonly warned = new Map<string, string>();
  private running: Promise<void> | undefined;
  /** uids of the Ingresses the last sync served */
  private servedUids = new Set<string>();
  private readonly auth = new AuthStore();

  constructor(
    informers: SharedInformers,
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly listeners: Listeners,
    private readonly certs: CertificateStore,
    private readonly o: ControllerOptions,
  ) {
    this.ingresses = informers.informer('/apis/networking.k8s.io/v1/ingresses');
    this.classes = informers.informer('/apis/networking.k8s.io/v1/ingressclasses');
    this.services = informers.informer('/api/v1/services');
    this.slices = informers.informer('/apis/discovery.k8s.io/v1/endpointslices');
    this.secrets = informers.informer('/api/v1/secrets');
    this.nodes = informers.informer('/api/v1/nodes');
    this.slices.addIndex('service', (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    const poke = () => this.queue.add(SYNC_KEY);
    for (const [protocol, key] of [
      ['TCP', o.tcpServices],
      ['UDP', o.udpServices],
    ] as const) {
      if (!key) continue;
      const ns = key.split('/')[0];
      const informer = informers.informer(`/api/v1/namespaces/${ns}/configmaps`);
      informer.addHandlers({ onAdd: poke, onUpdate: poke, onDelete: poke });
      this.streamMaps.push({ protocol, key, informer });
    }
    for (const inf of [this.ingresses, this.classes, this.services, this.slices, this.secrets])
      inf.addHandlers({ onAdd: poke, onUpdate: poke, onDelete: poke });
    // only this node's addresses matter (the status), not every node's heartbeat
    const ourNode = (n: KubeObject) => {
      if (n.metadata.name === o.nodeName) poke();
    };
    this.nodes.addHandlers({ onAdd: ourNode, onUpdate: (_, n) => ourNode(n), onDelete: ourNode });
  }

  start(): void {
    this.queue.add(SYNC_KEY);
    this.running = this.work();
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        if (key === SYNC_KEY) this.sync();
        else await this.writeStatus(key);
        this.queue.forget(key);
      } catch (err) {
        log.warn('sync failed', { key, error: String(err) });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** The Ingresses served now, oldest first. */
  served(): KubeObject[] {
    const ours = ourClasses(this.classes.list());
    return this.ingresses.list().filter((i) => isServed(i, ours) && !i.metadata.deletionTimestamp);
  }

  private sync(): void {
    const served = this.served();
    this.servedUids = new Set(served.map((i) => i.metadata.uid ?? ''));
    const table = buildRouteTable(served);
    const previous = this.listeners.state.backends;
    const backends = new Map<string, ResolvedBackend>();
    const problems = new Map<string, string[]>();
    const note = (ing: string, why: string) => {
      const list = problems.get(ing) ?? [];
      if (!list.includes(why)) problems.set(ing, [...list, why]);
    };
    // annotation values ingress-nginx would ignore, and paths that do not compile
    for (const [ing, list] of table.problems) for (const why of list) note(ing, why);
    const lookups: Lookups = {
      service: (ns: string, name: string) => this.services.get(`${ns}/${name}`),
      slices: (ns: string, name: string) => this.slices.byIndex('service', `${ns}/${name}`),
    };
    for (const ing of served) {
      for (const ref of backendsOf(ing)) {
        const r = resolveBackend(ref, lookups);
        if (!backends.has(r.key)) {
          // keep the round-robin position across reloads
          r.next = (previous.get(r.key)?.next ?? 0) % Math.max(1, r.endpoints.length);
          backends.set(r.key, r);
        }
        if (r.problem && r.warn) note(ingressKey(ing), r.problem);
      }
    }
    const secrets = new Map<string, string | undefined>();
    for (const [, t] of table.tls) {
      if (!t.secret) continue;
      if (!secrets.has(t.secret))
        secrets.set(t.secret, this.certs.update(t.secret, this.secrets.get(t.secret)));
      const problem = secrets.get(t.secret);
      if (problem) note(t.ingress, `Error getting SSL certificate "${t.secret}": ${problem}`);
    }
    this.certs.retain(new Set(secrets.keys()));
    const auths = new Set<string>();
    const zones = new Set<string>();
    for (const [ing, c] of table.configs) {
      if (c.limits) zones.add(c.limits.zone);
      if (!c.auth || c.canary) continue;
      auths.add(authKey(c.auth));
      for (const why of this.auth.update(c.auth, this.secrets.get(c.auth.secret))) note(ing, why);
    }
    this.auth.retain(auths);
    this.listeners.limiter.retain(zones);
    this.syncStreams(lookups);
    this.listeners.state = { table, backends, auth: this.auth };
    log.debug('route table swapped', { ingresses: served.length, backends: backends.size });
    this.report(served, problems);
  }

  /** Opens the TCP/UDP services' ports; bad entries are logged once each, as ingress-nginx does. */
  private syncStreams(lookups: Lookups): void {
    if (!this.o.streams) return;
    const wanted = [];
    const seen = new Set<string>();
    for (const m of this.streamMaps) {
      const { entries, problems } = parseStreams(
        m.protocol,
        m.informer.get(m.key),
        this.o.reservedPorts ?? [],
      );
      for (const e of entries) {
        const r = streamEndpoints(e, lookups);
        if (r.problem) problems.push(`${m.protocol} services: ${r.problem}`);
        wanted.push({ entry: e, endpoints: r.endpoints });
      }
      for (const p of problems) {
        seen.add(p);
        if (!this.streamProblems.has(p))
          log.warn('skipping stream service entry', { configMap: m.key, problem: p });
      }
    }
    this.streamProblems.clear();
    for (const p of seen) this.streamProblems.add(p);
    this.o.streams.update(wanted);
  }

  private report(served: KubeObject[], problems: Map<string, string[]>): void {
    const live = new Set<string>();
    for (const ing of served) {
      const uid = ing.metadata.uid ?? '';
      live.add(uid);
      const gen = ing.metadata.generation ?? 0;
      const ref = { ...ing, apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' };
      if (this.announced.get(uid) !== gen) {
        this.announced.set(uid, gen);
        this.recorder.event(ref, 'Normal', 'Sync', 'Scheduled for sync');
      }
      const why = problems.get(ingressKey(ing)) ?? [];
      const mark = `${gen}:${why.join('\n')}`;
      if (why.length && this.warned.get(uid) !== mark)
        for (const w of why) {
          log.warn('ingress problem', { ingress: ingressKey(ing), problem: w });
          this.recorder.event(ref, 'Warning', 'Sync', w);
        }
      this.warned.set(uid, mark);
      this.queue.add(`status:${ingressKey(ing)}`);
    }
    for (const uid of this.announced.keys()) if (!live.has(uid)) this.announced.delete(uid);
    for (const uid of this.warned.keys()) if (!live.has(uid)) this.warned.delete(uid);
  }

  /** The addresses status.loadBalancer.ingress should list. */
  addresses(): string[] {
    if (this.o.publishAddresses.length) return [...this.o.publishAddresses].sort();
    const node = this.nodes.get(this.o.nodeName);
    const addrs =
      (node?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
    return [...new Set(addrs.filter((a) => a.type === 'InternalIP').map((a) => a.address))].sort();
  }

  private async writeStatus(key: string): Promise<void> {
    const name = key.slice('status:'.length);
    const ing = this.ingresses.get(name);
    if (!ing || !this.servedUids.has(ing.metadata.uid ?? '')) return;
    const want = this.addresses().map((ip) => ({ ip }));
    const status = (ing.status ?? {}) as { loadBalancer?: { ingress?: { ip?: string }[] } };
    const have = (status.loadBalancer?.ingress ?? []).map((x) => ({ ip: x.ip }));
    if (JSON.stringify(have) === JSON.stringify(want)) return;
    const [ns, n] = name.split('/');
    try {
      await this.client.request('PUT', `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${n}/status`, {
        ...ing,
        status: { ...status, loadBalancer: want.length ? { ingress: want } : {} },
      });
      log.info('updated status', { ingress: name, addresses: want.map((w) => w.ip).join(',') });
    } catch (err) {
      // a conflict means the cache is behind: the watch brings the new object and a new sync
      if (err instanceof StatusError && err.code === 404) return;
      throw err;
    }
  }
}

/** Every backend an Ingress's routes may reach. */
function backendsOf(ing: KubeObject): BackendRef[] {
  const out: BackendRef[] = [];
  const ns = ing.metadata.namespace ?? 'default';
  const spec = (ing.spec ?? {}) as {
    defaultBackend?: unknown;
    rules?: { http?: { paths?: { backend?: unknown }[] } }[];
  };
  const add = (b: unknown) => {
    const ref = backendOf(ns, b);
    if (ref) out.push(ref);
  };
  add(spec.defaultBackend);
  for (const r of spec.rules ?? []) for (const p of r.http?.paths ?? []) add(p.backend);
  return out;
}
