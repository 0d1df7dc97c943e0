// The API-backed volumes of one pod (configMap, secret, downwardAPI, projected) as upstream's
// volume manager sets them up: before the sandbox runs (the pod stays ContainerCreating with
// Warning FailedMount `MountVolume.SetUp failed for volume "x" : configmap "y" not found` until
// it can), retried with exponential back-off, then re-synced every RESYNC_MS so that a changed
// ConfigMap or Secret reaches the files (atomically, see atomic-writer.ts); bound
// service-account tokens are renewed once 80% of their lifetime passed, as upstream's token
// manager does.
import { mkdirSync } from 'node:fs';
import { podSecurityContext } from '../runtime/security-context.js';
import { setVolumeOwnership } from './ownership.js';
import { ensureTmpfs, memoryVolumeSize } from './tmpfs.js';
import { checkHostPathType } from './hostpath-type.js';
import { join } from 'node:path';
import type { KubeObject } from '../../api/types.js';
import { logger } from '../../util/log.js';
import type { Pod } from '../runtime/types.js';
import { writeAtomic } from './atomic-writer.js';
import {
  pluginDir,
  volumePayload,
  type AnyVolume,
  type VolumeObjects,
  type VolumeSource,
} from './sources.js';

const log = logger('volumes');
/** How often mounted volumes are refreshed from the API (upstream: the pod sync period, 1 min). */
export const RESYNC_MS = 30_000;
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 122_000;

export interface PodVolumesDeps {
  /** GET of a ConfigMap, Secret or claim in the pod's namespace (or a PV); undefined when it does not exist. */
  getObject(
    resource: 'configmaps' | 'secrets' | 'persistentvolumeclaims' | 'persistentvolumes',
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined>;
  /** Filled with volume name → host directory of each persistentVolumeClaim volume once bound. */
  claimPaths?: Map<string, string>;
  /** A token bound to the pod (TokenRequest). */
  requestToken?(pod: Pod, serviceAccount: string, expirationSeconds: number): Promise<string>;
  /** Warning FailedMount against the pod. */
  event(type: 'Warning', reason: string, message: string): void;
  podIP(): string | undefined;
  /** secret, downwardAPI and projected volumes are tmpfs mounts (needs root). */
  memoryVolumes?: boolean;
}

interface CachedToken {
  token: string;
  fetchedAt: number;
  expirationSeconds: number;
}

/** Whether a volume is one of the kinds this manager writes. */
export function isManagedVolume(v: AnyVolume): boolean {
  return pluginDir(v) !== undefined;
}

export class PodVolumes {
  private readonly tokens = new Map<string, CachedToken>();
  private mounted = false;
  private lastSync = 0;
  private retryMs = 0;
  private nextAttempt = 0;

  constructor(
    private pod: Pod,
    private readonly podDir: string,
    private readonly deps: PodVolumesDeps,
  ) {}

  private get volumes(): VolumeSource[] {
    return ((this.pod.spec as { volumes?: VolumeSource[] }).volumes ?? []).filter(isManagedVolume);
  }

  /** The pod as the API has it now (labels and annotations feed downwardAPI files). */
  update(pod: Pod): void {
    this.pod = pod;
  }

  static dirOf(podDir: string, v: AnyVolume): string {
    return join(podDir, 'volumes', pluginDir(v)!, v.name);
  }

  /**
   * true once every volume is written. Before that, each call past the back-off tries again;
   * afterwards, it refreshes the files every RESYNC_MS.
   */
  async ensure(now = Date.now()): Promise<boolean> {
    if (this.mounted) {
      if (now - this.lastSync >= RESYNC_MS) await this.sync(now, false);
      return true;
    }
    if (now < this.nextAttempt) return false;
    if (!(await this.claims())) return false; // retried on the next round: binding is on its way
    if ((await this.hostPaths()) && (await this.sync(now, true))) {
      this.mounted = true;
      return true;
    }
    this.retryMs = this.retryMs ? Math.min(this.retryMs * 2, RETRY_MAX_MS) : RETRY_BASE_MS;
    this.nextAttempt = now + this.retryMs;
    return false;
  }

  /**
   * Resolves persistentVolumeClaim volumes to their PV's directory (hostPath or local path,
   * created for DirectoryOrCreate as local-path's helper does); false while a claim is not bound.
   */
  private async claims(): Promise<boolean> {
    const ns = this.pod.metadata.namespace ?? 'default';
    const vols = (
      this.pod.spec as {
        volumes?: { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } }[];
      }
    ).volumes;
    for (const v of vols ?? []) {
      if (!v.persistentVolumeClaim || this.deps.claimPaths?.has(v.name)) continue;
      const pvc = await this.deps
        .getObject('persistentvolumeclaims', ns, v.persistentVolumeClaim.claimName)
        .catch(() => undefined);
      const volumeName = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
      if (!pvc || !volumeName || (pvc.status as { phase?: string } | undefined)?.phase !== 'Bound')
        return false;
      const pv = await this.deps.getObject('persistentvolumes', '', volumeName).catch(() => undefined);
      const spec = pv?.spec as
        { hostPath?: { path?: string; type?: string }; local?: { path?: string } } | undefined;
      const dir = spec?.hostPath?.path ?? spec?.local?.path;
      if (!dir) return false;
      if (spec?.hostPath && (spec.hostPath.type ?? '') !== 'Directory')
        mkdirSync(dir, { recursive: true, mode: 0o777 });
      // upstream's local plugin applies the fsGroup to a writable mount; hostPath (what
      // local-path provisions) never gets it
      if (spec?.local && !v.persistentVolumeClaim.readOnly) {
        const { fsGroup, fsGroupChangePolicy: policy } = podSecurityContext(this.pod);
        try {
          setVolumeOwnership(dir, { fsGroup, readOnly: false, policy });
        } catch (err) {
          this.deps.event(
            'Warning',
            'FailedMount',
            `MountVolume.SetUp failed for volume "${volumeName}" : ${(err as Error).message}`,
          );
          return false;
        }
      }
      this.deps.claimPaths?.set(v.name, dir);
    }
    return true;
  }

  /** hostPath volumes pass their type check (hostpath-type.ts); failures are FailedMount events. */
  private async hostPaths(): Promise<boolean> {
    const vols = (
      this.pod.spec as { volumes?: { name: string; hostPath?: { path: string; type?: string } }[] }
    ).volumes;
    let ok = true;
    for (const v of vols ?? []) {
      const error = v.hostPath && checkHostPathType(v.hostPath.path, v.hostPath.type);
      if (!error) continue;
      ok = false;
      this.deps.event('Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : ${error}`);
    }
    return ok;
  }

  private async fetchAll(): Promise<VolumeObjects> {
    const ns = this.pod.metadata.namespace ?? 'default';
    const want = { configmaps: new Set<string>(), secrets: new Set<string>() };
    const tokens: { exp: number; aud: string }[] = [];
    for (const v of this.volumes) {
      if (v.configMap?.name) want.configmaps.add(v.configMap.name);
      if (v.secret?.secretName) want.secrets.add(v.secret.secretName);
      for (const s of v.projected?.sources ?? []) {
        if (s.configMap?.name) want.configmaps.add(s.configMap.name);
        if (s.secret?.name) want.secrets.add(s.secret.name);
        if (s.serviceAccountToken)
          tokens.push({
            exp: s.serviceAccountToken.expirationSeconds ?? 3600,
            aud: s.serviceAccountToken.audience ?? '',
          });
      }
    }
    const got = { configmaps: new Map<string, KubeObject>(), secrets: new Map<string, KubeObject>() };
    for (const r of ['configmaps', 'secrets'] as const)
      await Promise.all(
        [...want[r]].map(async (name) => {
          const o = await this.deps.getObject(r, ns, name);
          if (o) got[r].set(name, o);
        }),
      );
    for (const t of tokens) await this.token(t.exp, t.aud);
    const ip = this.deps.podIP();
    return {
      configMap: (n) => got.configmaps.get(n),
      secret: (n) => got.secrets.get(n),
      token: (exp, aud) => this.tokens.get(`${exp}/${aud}`)?.token ?? '',
      ...(ip ? { podIP: ip } : {}),
    };
  }

  private async token(expirationSeconds: number, audience: string): Promise<void> {
    const key = `${expirationSeconds}/${audience}`;
    const cached = this.tokens.get(key);
    const now = Date.now();
    if (cached && now - cached.fetchedAt < cached.expirationSeconds * 800) return;
    if (!this.deps.requestToken) return;
    const sa = (this.pod.spec as { serviceAccountName?: string }).serviceAccountName ?? 'default';
    const token = await this.deps.requestToken(this.pod, sa, expirationSeconds);
    this.tokens.set(key, { token, fetchedAt: now, expirationSeconds });
  }

  /** Writes every volume; returns whether all succeeded (failures are FailedMount events). */
  private async sync(now: number, first: boolean): Promise<boolean> {
    this.lastSync = now;
    let objs: VolumeObjects;
    try {
      objs = await this.fetchAll();
    } catch (err) {
      log.warn('could not read volume sources', { pod: this.pod.metadata.name, error: String(err) });
      if (first) for (const v of this.volumes) this.failed(v, (err as Error).message);
      return false;
    }
    let ok = true;
    for (const v of this.volumes) {
      try {
        const payload = volumePayload(this.pod, v, objs);
        if (!payload) continue;
        const { fsGroup, fsGroupChangePolicy: policy } = podSecurityContext(this.pod);
        // with an fsGroup the files are group-readable (SetVolumeOwnership's read-only mask);
        // written so, an unchanged payload still compares equal
        if (fsGroup !== undefined) for (const f of payload.values()) f.mode |= 0o440;
        const dir = PodVolumes.dirOf(this.podDir, v);
        if (this.deps.memoryVolumes && !v.configMap) {
          // secret, downwardAPI, projected: memory-backed, as upstream wraps them
          mkdirSync(dir, { recursive: true, mode: 0o755 });
          ensureTmpfs(dir, memoryVolumeSize(this.pod));
        }
        if (writeAtomic(dir, payload) || first) setVolumeOwnership(dir, { fsGroup, readOnly: true, policy });
      } catch (err) {
        ok = false;
        this.failed(v, (err as Error).message);
      }
    }
    return ok;
  }

  private failed(v: VolumeSource, message: string): void {
    this.deps.event('Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : ${message}`);
  }
}
