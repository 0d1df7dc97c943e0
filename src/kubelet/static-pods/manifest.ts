// One static pod manifest file to a Pod as upstream v1.31's file source makes it
// (pkg/kubelet/config/common.go applyDefaults): name `<name>-<lowercased node>`, namespace
// default when empty, UID an md5 over the pod, the node and the file (kept when the file sets
// one), config.hash = UID, config.source = file, config.seen, spec.nodeName, and a toleration
// of every NoExecute taint so node problems never evict it.
import { createHash } from 'node:crypto';
import { parse as parseYAML } from 'yaml';
import { isRecord } from '../../api/types.js';
import type { Pod } from '../runtime/types.js';

export const CONFIG_SOURCE = 'kubernetes.io/config.source';
export const CONFIG_HASH = 'kubernetes.io/config.hash';
export const CONFIG_SEEN = 'kubernetes.io/config.seen';
export const CONFIG_MIRROR = 'kubernetes.io/config.mirror';

/** Names the file source reads (upstream skips dotfiles; we also want a manifest extension). */
export function isManifestName(name: string): boolean {
  return !name.startsWith('.') && /\.(ya?ml|json)$/i.test(name);
}

/** Sorts object keys so that the hash does not depend on the order the file lists them. */
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (!isRecord(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, stable(v[k])]),
  );
}

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** IfNotPresent for a tagged or pinned image, Always for :latest or no tag (upstream's rule). */
function pullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const tagAt = image.indexOf(':', image.lastIndexOf('/') + 1);
  return tagAt < 0 || image.slice(tagAt + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * Parses and defaults one manifest; throws an Error saying why the file is not a usable Pod
 * (the file source logs it and skips the file, as upstream does).
 */
export function podFromManifest(text: string, file: string, nodeName: string, seen: string): Pod {
  let doc: unknown;
  try {
    doc = parseYAML(text); // JSON is YAML
  } catch (err) {
    throw new Error(`could not parse ${file}: ${(err as Error).message}`);
  }
  if (!isRecord(doc)) throw new Error(`${file}: not an object`);
  if (doc.kind !== 'Pod' || (doc.apiVersion !== 'v1' && doc.apiVersion !== undefined))
    throw new Error(`${file}: kind ${JSON.stringify(doc.kind)} is not a v1 Pod`);
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  const spec = isRecord(doc.spec) ? doc.spec : undefined;
  if (typeof meta.name !== 'string' || !meta.name) throw new Error(`${file}: metadata.name: Required value`);
  if (!spec || !Array.isArray(spec.containers) || spec.containers.length === 0)
    throw new Error(`${file}: spec.containers: Required value`);
  for (const [i, c] of spec.containers.entries()) {
    if (!isRecord(c) || typeof c.name !== 'string' || !c.name)
      throw new Error(`${file}: spec.containers[${i}].name: Required value`);
    if (typeof c.image !== 'string' || !c.image)
      throw new Error(`${file}: spec.containers[${i}].image: Required value`);
  }
  const name = `${meta.name}-${nodeName.toLowerCase()}`;
  if (name.length > 253 || !DNS_1123.test(name))
    throw new Error(`${file}: metadata.name: Invalid value: ${JSON.stringify(name)}`);
  const uid =
    typeof meta.uid === 'string' && meta.uid
      ? meta.uid
      : createHash('md5')
          .update(JSON.stringify(stable(doc)))
          .update(`host:${nodeName}`)
          .update(`file:${file}`)
          .digest('hex');
  const annotations: Record<string, string> = isRecord(meta.annotations)
    ? (Object.fromEntries(Object.entries(meta.annotations).map(([k, v]) => [k, String(v)])) as Record<
        string,
        string
      >)
    : {};
  annotations[CONFIG_HASH] = uid;
  annotations[CONFIG_SOURCE] = 'file';
  annotations[CONFIG_SEEN] = seen;
  const tolerations = Array.isArray(spec.tolerations) ? [...(spec.tolerations as unknown[])] : [];
  const tolerateAll = (t: unknown) =>
    isRecord(t) && t.operator === 'Exists' && !t.key && t.effect === 'NoExecute' && t.value === undefined;
  if (!tolerations.some(tolerateAll)) tolerations.push({ operator: 'Exists', effect: 'NoExecute' });
  const containers = (spec.containers as Record<string, unknown>[]).map((c) => ({
    imagePullPolicy: pullPolicy(c.image as string),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...c,
  }));
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      name,
      namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default',
      uid,
      annotations,
    },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      ...spec,
      containers,
      tolerations,
      nodeName,
    },
    status: { phase: 'Pending' },
  };
  return pod as unknown as Pod;
}
