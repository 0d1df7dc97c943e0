// Scrapes every Ready node's kubelet /metrics/resource at the metric resolution (15 s, as
// metrics-server's default), over HTTPS with the API server's kubelet client certificate,
// into the MetricsStore the Metrics API answers from. A node that fails to answer keeps its
// previous figures until it answers again or goes away.
import { request } from 'node:https';
import type { KubeObject } from '../../api/types.js';
import type { ResourceStore } from '../endpoints/store.js';
import { logger } from '../../util/log.js';
import type { MetricsStore } from './store.js';

const log = logger('metrics-scraper');
export const METRIC_RESOLUTION_MS = 15_000;
const TIMEOUT_MS = 10_000;

export interface KubeletTLS {
  /** the kubelets' CA; without it their serving certificates are not verified (upstream's default) */
  ca?: string;
  cert: string;
  key: string;
}

/** Where a node's kubelet listens: its InternalIP and status.daemonEndpoints.kubeletEndpoint.Port. */
export function kubeletAddress(node: KubeObject): { host: string; port: number } | undefined {
  const st = node.status as
    | {
        addresses?: { type: string; address: string }[];
        daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
        conditions?: { type: string; status: string }[];
      }
    | undefined;
  const port = st?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const host = st?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const ready = st?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  return host && port > 0 && ready ? { host, port } : undefined;
}

export function fetchResourceMetrics(tls: KubeletTLS, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: '/metrics/resource',
        method: 'GET',
        ca: tls.ca,
        rejectUnauthorized: tls.ca !== undefined,
        cert: tls.cert,
        key: tls.key,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(`kubelet answered ${res.statusCode}: ${body.slice(0, 200)}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export class MetricsScraper {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly metrics: MetricsStore,
    private readonly nodes: () => ResourceStore | undefined,
    private readonly fetch: (host: string, port: number) => Promise<string>,
    private readonly intervalMs = METRIC_RESOLUTION_MS,
  ) {}

  start(): void {
    const tick = () => void this.scrapeAll();
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async scrapeAll(): Promise<void> {
    const store = this.nodes();
    if (!store || this.running) return;
    this.running = true;
    try {
      const nodes = (await store.cache.list({ resourceVersion: '0' })).items.map((i) => i.obj);
      const names = new Set(nodes.map((n) => n.metadata.name!));
      for (const gone of this.metrics.nodes()) if (!names.has(gone)) this.metrics.forget(gone);
      await Promise.all(
        nodes.map(async (n) => {
          const at = kubeletAddress(n);
          if (!at) return;
          try {
            this.metrics.record(n.metadata.name!, await this.fetch(at.host, at.port));
          } catch (err) {
            log.debug('could not scrape kubelet', { node: n.metadata.name, error: String(err) });
          }
        }),
      );
    } finally {
      this.running = false;
    }
  }
}
