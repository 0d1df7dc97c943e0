// The cluster-proportional-autoscaler's loop (upstream's AutoScaler.pollAPIServer): every poll
// period count the nodes and their allocatable cores, read the ConfigMap (creating it from
// --default-params when it is missing), rebuild the control mode when the ConfigMap's
// resourceVersion changed (so edits apply without a restart), and set the target's /scale.
import { StatusError } from '../api/errors.js';
import { tryParseQuantity } from '../api/quantity.js';
import type { KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest.js';
import { controlModeOf, type ClusterStatus, type ControlMode } from './params.js';

export interface AutoscalerOptions {
  namespace: string;
  configmap: string;
  /** `<kind>/<name>`: deployment, replicaset, statefulset or replicationcontroller */
  target: string;
  /** ConfigMap entries to create when it is missing (--default-params) */
  defaultParams?: Record<string, string>;
  pollPeriodMs: number;
  /** --nodelabels: only nodes with these labels count */
  nodeLabels: string;
  /** exit after this many failed polls in a row; 0 never */
  maxSyncFailures: number;
}

/** glog-style lines: `I1202 03:10:00.123456 4242 file.go] message`, shown up to --v. */
export interface GLog {
  info(v: number, file: string, msg: string): void;
  error(file: string, msg: string): void;
}

export function glog(verbosity: number, write: (line: string) => void): GLog {
  const line = (sev: string, file: string, msg: string) => {
    const d = new Date();
    const p2 = (n: number) => String(n).padStart(2, '0');
    const stamp = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')}`;
    write(`${sev}${stamp} ${String(process.pid).padStart(7)} ${file}] ${msg}\n`);
  };
  return {
    info: (v, file, msg) => {
      if (v <= verbosity) line('I', file, msg);
    },
    error: (file, msg) => line('E', file, msg),
  };
}

const SCALE_PATHS: Record<string, string> = {
  deployment: '/apis/apps/v1/namespaces/{ns}/deployments',
  replicaset: '/apis/apps/v1/namespaces/{ns}/replicasets',
  statefulset: '/apis/apps/v1/namespaces/{ns}/statefulsets',
  replicationcontroller: '/api/v1/namespaces/{ns}/replicationcontrollers',
};

/** The target's /scale path (upstream's requestForTarget). */
export function scalePath(target: string, namespace: string): string {
  const parts = target.split('/');
  if (parts.length !== 2) throw new Error(`target format error: ${target}`);
  const kind = parts[0]!.toLowerCase().replace(/s$/, '');
  const base = SCALE_PATHS[kind];
  if (!base) throw new Error(`unsupported target kind: ${parts[0]}`);
  return `${base.replace('{ns}', namespace)}/${parts[1]}/scale`;
}

/** Counts nodes and allocatable cores, all and schedulable (upstream's GetClusterStatus). */
export function clusterStatusOf(nodes: KubeObject[]): ClusterStatus {
  let total = 0n;
  let schedulable = 0n;
  let schedulableNodes = 0;
  for (const n of nodes) {
    const cpu = (n.status as { allocatable?: Record<string, string> } | undefined)?.allocatable?.cpu;
    const nanos = (cpu !== undefined ? tryParseQuantity(cpu)?.nanos : undefined) ?? 0n;
    total += nanos;
    if (!(n.spec as { unschedulable?: boolean } | undefined)?.unschedulable) {
      schedulableNodes++;
      schedulable += nanos;
    }
  }
  const NANO = 1_000_000_000n;
  if (total % NANO !== 0n || schedulable % NANO !== 0n)
    throw new Error('unable to compute integer values of schedulable cores in the cluster');
  return {
    totalNodes: nodes.length,
    schedulableNodes,
    totalCores: Number(total / NANO),
    schedulableCores: Number(schedulable / NANO),
  };
}

export class ProportionalAutoscaler {
  private mode?: { control: ControlMode; version: string };
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly client: RestClient,
    private readonly opts: AutoscalerOptions,
    private readonly log: GLog,
    private readonly exit: (code: number) => void,
  ) {
    scalePath(opts.target, opts.namespace); // bad --target fails at start, as upstream
  }

  start(): void {
    const tick = async () => {
      await this.tryPoll();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.opts.pollPeriodMs);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tryPoll(): Promise<void> {
    try {
      await this.poll();
      this.failures = 0;
    } catch {
      this.failures++;
      if (this.opts.maxSyncFailures > 0 && this.failures === this.opts.maxSyncFailures) {
        this.log.error(
          'autoscaler_server.go',
          `Maximum number of api server polling attempts (${this.opts.maxSyncFailures}) have been reached. Exiting application.`,
        );
        this.exit(1);
      }
    }
  }

  /** One poll; failures are logged as upstream logs them, then thrown to count them. */
  async poll(): Promise<void> {
    const fail = (msg: string, err: unknown): never => {
      this.log.error('autoscaler_server.go', `${msg}: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    };
    let status: ClusterStatus;
    try {
      const q = this.opts.nodeLabels ? `?labelSelector=${encodeURIComponent(this.opts.nodeLabels)}` : '';
      const nodes = await this.client.request<{ items: KubeObject[] }>('GET', `/api/v1/nodes${q}`);
      status = clusterStatusOf(nodes.items);
    } catch (err) {
      return fail('Error while getting cluster status', err);
    }
    this.log.info(
      4,
      'autoscaler_server.go',
      `Total nodes ${String(status.totalNodes).padStart(5)}, schedulable nodes: ${String(status.schedulableNodes).padStart(5)}`,
    );
    let cm: KubeObject & { data?: Record<string, string> };
    try {
      cm = await this.configMap();
    } catch (err) {
      return fail('Error syncing configMap with apiserver', err);
    }
    const version = cm.metadata.resourceVersion ?? '';
    if (!this.mode || this.mode.version !== version) {
      try {
        const control = controlModeOf(cm.data);
        if (this.mode?.control.mode !== control.mode)
          this.log.info(1, 'plugin.go', `Set control mode to ${control.mode}`);
        this.log.info(
          0,
          `${control.mode}_controller.go`,
          `ConfigMap version change (old: ${this.mode?.version ?? ''} new: ${version}) - rebuilding params`,
        );
        this.log.info(
          2,
          `${control.mode}_controller.go`,
          `Params from apiserver: \n${cm.data?.[control.mode] ?? ''}`,
        );
        this.mode = { control, version };
      } catch (err) {
        return fail('Error ensuring controller', err);
      }
    }
    const expected = this.mode.control.expectedReplicas(status);
    this.log.info(4, 'autoscaler_server.go', `Expected replica count: ${String(expected).padStart(3)}`);
    try {
      const path = scalePath(this.opts.target, this.opts.namespace);
      const scale = await this.client.request<{ spec?: { replicas?: number } } & Record<string, unknown>>(
        'GET',
        path,
      );
      const prev = scale.spec?.replicas ?? 0;
      if (prev !== expected) {
        this.log.info(
          0,
          'k8sclient.go',
          `Cluster status: SchedulableNodes[${status.schedulableNodes}], SchedulableCores[${status.schedulableCores}]`,
        );
        this.log.info(
          0,
          'k8sclient.go',
          `Replicas are not as expected : updating replicas from ${prev} to ${expected}`,
        );
        await this.client.request('PUT', path, { ...scale, spec: { ...scale.spec, replicas: expected } });
      }
    } catch (err) {
      this.log.error(
        'autoscaler_server.go',
        `Update failure: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw err;
    }
  }

  private async configMap(): Promise<KubeObject & { data?: Record<string, string> }> {
    const path = `/api/v1/namespaces/${this.opts.namespace}/configmaps`;
    try {
      return await this.client.request('GET', `${path}/${this.opts.configmap}`);
    } catch (err) {
      if (!this.opts.defaultParams) throw err;
      this.log.info(
        0,
        'autoscaler_server.go',
        `ConfigMap not found: ${err instanceof StatusError || err instanceof Error ? err.message : String(err)}, will create one with default params`,
      );
      const created = await this.client.request<KubeObject & { data?: Record<string, string> }>(
        'POST',
        path,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: this.opts.configmap, namespace: this.opts.namespace },
          data: this.opts.defaultParams,
        },
      );
      this.log.info(
        0,
        'k8sclient.go',
        `Created ConfigMap ${this.opts.configmap} in namespace ${this.opts.namespace}`,
      );
      return created;
    }
  }
}
