// A shared informer (client-go's reflector + indexer): lists, then watches from the list's
// resourceVersion, keeps a local cache, and tells handlers what changed. On 410 Gone or a broken
// stream it lists again, with backoff. Disposing it ends the watch.
import type { KubeObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { RestClient } from './rest.js';

export interface InformerHandlers {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, obj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

interface ListBody {
  metadata: { resourceVersion: string; continue?: string };
  items: KubeObject[];
}

export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? '');
}

export class Informer {
  private readonly items = new Map<string, KubeObject>();
  private readonly handlers: InformerHandlers[] = [];
  private synced = false;
  private stopped = false;
  private resourceVersion = '';
  private abortWatch: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 200;
  private syncWaiters: (() => void)[] = [];
  /** index name → (index value → keys), kept current with the cache */
  private readonly indexers = new Map<string, (obj: KubeObject) => string[]>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  /** `path` is the collection, e.g. '/api/v1/namespaces' or '/apis/apps/v1/deployments'. */
  constructor(
    private readonly client: RestClient,
    private readonly path: string,
  ) {
    this.addIndex('namespace', (o) => (o.metadata.namespace ? [o.metadata.namespace] : []));
  }

  /** Handlers added after the first list hear about the objects already known as adds. */
  addHandlers(h: InformerHandlers): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.items.values()) h.onAdd?.(o);
  }

  list(): KubeObject[] {
    return [...this.items.values()];
  }

  /**
   * Adds an index (client-go's Indexer): `fn` gives the values an object is filed under.
   * Add indexes before start(). The 'namespace' index is always there.
   */
  addIndex(name: string, fn: (obj: KubeObject) => string[]): void {
    if (this.indexers.has(name)) return;
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) this.fileUnder(index, fn(obj), key);
  }

  /** Objects filed under `value` in index `name`. */
  byIndex(name: string, value: string): KubeObject[] {
    const keys = this.indices.get(name)?.get(value);
    if (!keys) return [];
    const out: KubeObject[] = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /** Objects of one namespace. */
  listNamespace(namespace: string): KubeObject[] {
    return this.byIndex('namespace', namespace);
  }

  private fileUnder(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      let set = index.get(v);
      if (!set) index.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private unfile(key: string, obj: KubeObject): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set && set.size === 0) index.delete(v);
      }
    }
  }

  private store(key: string, obj: KubeObject | undefined): void {
    const old = this.items.get(key);
    if (old) this.unfile(key, old);
    if (obj === undefined) {
      this.items.delete(key);
      return;
    }
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.fileUnder(this.indices.get(name)!, fn(obj), key);
  }

  get(key: string): KubeObject | undefined {
    return this.items.get(key);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    void this.relist();
  }

  dispose(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abortWatch?.();
  }

  private retryLater(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.relist(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const fresh = new Map<string, KubeObject>();
      let cont = '';
      let rv = '';
      do {
        const page = await this.client.request<ListBody>(
          'GET',
          `${this.path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        );
        for (const item of page.items) fresh.set(objectKey(item), item);
        rv = page.metadata.resourceVersion;
        cont = page.metadata.continue ?? '';
      } while (cont);
      this.replace(fresh);
      this.resourceVersion = rv;
      this.backoffMs = 200;
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.watch();
    } catch {
      this.retryLater();
    }
  }

  private replace(fresh: Map<string, KubeObject>): void {
    for (const [key, old] of this.items) {
      if (!fresh.has(key)) {
        this.store(key, undefined);
        for (const h of this.handlers) h.onDelete?.(old);
      }
    }
    for (const [key, obj] of fresh) this.apply('MODIFIED', key, obj);
  }

  private apply(type: string, key: string, obj: KubeObject): void {
    const old = this.items.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.store(key, undefined);
      for (const h of this.handlers) h.onDelete?.(obj);
      return;
    }
    this.store(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }

  private watch(): void {
    if (this.stopped) return;
    const stream = this.client.stream(
      'GET',
      `${this.path}?watch=true&allowWatchBookmarks=true&resourceVersion=${this.resourceVersion}`,
    );
    this.abortWatch = () => stream.close();
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as { type: string; object: KubeObject & { code?: number } };
        if (ev.type === 'ERROR') {
          // 410 Gone/Expired: our revision was compacted away; list again
          this.resourceVersion = '';
          stream.close();
          return;
        }
        if (ev.object.metadata?.resourceVersion) this.resourceVersion = ev.object.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') continue;
        this.apply(ev.type, objectKey(ev.object), ev.object);
      }
    });
    const restart = () => {
      if (this.stopped) return;
      if (this.resourceVersion === '') this.retryLater();
      else setTimeout(() => this.watch(), 100).unref();
    };
    stream.on('close', restart);
    stream.on('error', () => undefined);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}
