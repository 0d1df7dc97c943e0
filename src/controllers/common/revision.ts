// ControllerRevisions as StatefulSets and DaemonSets keep them (pkg/controller/history): the
// revision's data is the patch `{"spec":{"template":{..., "$patch":"replace"}}}` as Go's
// json.Marshal writes it (sorted keys, HTML-safe escapes), and its name is `<owner>-<hash>`
// with the hash FNV-32a over those bytes plus the collision count, SafeEncodeString'd.
import { isRecord, type KubeObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { RestClient } from '../../client/rest.js';
import { fnv32a, safeEncodeString } from './hash.js';
import { newControllerRef } from './controller-ref.js';
import type { PodTemplateSpec } from './objects.js';

export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

/** Go's encoding/json for decoded JSON values: sorted object keys, <>& and U+2028/9 escaped. */
export function goJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${goJSON(k)}:${goJSON(v[k])}`)
      .join(',')}}`;
  if (typeof v === 'string')
    return JSON.stringify(v).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return JSON.stringify(v ?? null);
}

/** getPatch: the template as the revision stores it. */
export function revisionData(template: PodTemplateSpec | undefined): Record<string, unknown> {
  const t = structuredClone(template ?? {}) as Record<string, unknown>;
  // fields Go always writes for a PodTemplateSpec
  const meta = (isRecord(t.metadata) ? t.metadata : (t.metadata = {})) as Record<string, unknown>;
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  t.$patch = 'replace';
  return { spec: { template: t } };
}

export function revisionHash(data: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(goJSON(data)));
  if (collisionCount !== undefined) {
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

export const sameData = (a: unknown, b: unknown) => goJSON(a) === goJSON(b);

/** The revision the owner's current template needs, created (or re-numbered) when missing. */
export async function ensureRevision(
  client: RestClient,
  owner: KubeObject & { spec?: { template?: PodTemplateSpec }; status?: { collisionCount?: number } },
  kind: string,
  existing: ControllerRevision[],
): Promise<{ revision: ControllerRevision; collisionCount: number | undefined }> {
  const ns = owner.metadata.namespace!;
  const path = `/apis/apps/v1/namespaces/${ns}/controllerrevisions`;
  const data = revisionData(owner.spec?.template);
  const next = existing.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
  const equal = existing.filter((r) => sameData(r.data, data)).sort((a, b) => a.revision - b.revision);
  let collisionCount = owner.status?.collisionCount;
  if (equal.length) {
    const latest = equal[equal.length - 1];
    if (latest.revision === next - 1) return { revision: latest, collisionCount };
    // a rollback to an older template: that revision becomes the newest
    const updated = await client.request<ControllerRevision>('PUT', `${path}/${latest.metadata.name}`, {
      ...latest,
      revision: next,
    });
    return { revision: updated, collisionCount };
  }
  for (;;) {
    const hash = revisionHash(data, collisionCount);
    const cr: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${owner.metadata.name}-${hash}`,
        namespace: ns,
        labels: { ...(owner.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        ownerReferences: [newControllerRef(owner, 'apps/v1', kind)],
      },
      data,
      revision: next,
    };
    try {
      return { revision: await client.request<ControllerRevision>('POST', path, cr), collisionCount };
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
      const other = await client.request<ControllerRevision>('GET', `${path}/${cr.metadata.name}`);
      if (
        sameData(other.data, data) &&
        other.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)
      )
        return { revision: other, collisionCount };
      collisionCount = (collisionCount ?? 0) + 1;
    }
  }
}

/** hashOf: the hash part of a revision name, as the DaemonSet label carries it. */
export function hashOf(r: ControllerRevision): string {
  return (
    r.metadata.labels?.[REVISION_HASH_LABEL] ?? r.metadata.name!.slice(r.metadata.name!.lastIndexOf('-') + 1)
  );
}
