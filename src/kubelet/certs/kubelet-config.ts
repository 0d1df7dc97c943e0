// The kubelet's --config file (kubelet.config.k8s.io/v1beta1 KubeletConfiguration, e.g.
// /var/lib/kubelet/config.yaml): the fields k8ts' kubelet honours. Others are accepted and
// ignored, as upstream's lenient decoding does with fields it does not know.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYAML } from 'yaml';
import { StatusError } from '../../api/errors.js';
import type { RestClient } from '../../client/rest.js';

export interface KubeletConfig {
  /** Request the serving certificate from the cluster by a kubelet-serving CSR. */
  serverTLSBootstrap: boolean;
  /** Renew the client certificate (upstream's rotateCertificates); see docs/security.md. */
  rotateCertificates: boolean;
  clusterDNS?: string[];
  port?: number;
  allowedUnsafeSysctls?: string[];
  /** Static pod manifests; a relative path is resolved against the configuration file's directory. */
  staticPodPath?: string;
  /** fileCheckFrequency in milliseconds (upstream's default 20s). */
  fileCheckFrequencyMs?: number;
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** A metav1.Duration text (Go's time.ParseDuration: "20s", "1m30s", "500ms") in milliseconds. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = re.lastIndex;
  }
  return at > 0 && at === text.length ? total : undefined;
}

const API_VERSION = 'kubelet.config.k8s.io/v1beta1';

/**
 * The cluster-wide KubeletConfiguration (OPS-08), key `kubelet`, in kube-system: kubeadm's
 * unversioned name first, then the versioned one of kubeadm before v1.24.
 */
export const KUBELET_CONFIG_MAPS = ['kubelet-config', 'kubelet-config-1.31'] as const;

function fail(path: string, why: string): never {
  throw new Error(`failed to load kubelet config file ${path}: ${why}`);
}

/** Parses the text of a KubeletConfiguration; throws naming the file and the field at fault. */
export function parseKubeletConfig(text: string, path = 'config'): KubeletConfig {
  let doc: unknown;
  try {
    doc = parseYAML(text);
  } catch (err) {
    fail(path, (err as Error).message);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail(path, 'not a KubeletConfiguration object');
  const o = doc as Record<string, unknown>;
  if (o.kind !== 'KubeletConfiguration')
    fail(path, `kind is ${JSON.stringify(o.kind)}, want KubeletConfiguration`);
  if (o.apiVersion !== API_VERSION)
    fail(path, `apiVersion is ${JSON.stringify(o.apiVersion)}, want ${API_VERSION}`);
  const bool = (k: string): boolean => {
    if (o[k] === undefined) return false;
    if (typeof o[k] !== 'boolean') fail(path, `${k} must be a boolean`);
    return o[k];
  };
  const strings = (k: string): string[] | undefined => {
    if (o[k] === undefined) return undefined;
    if (!Array.isArray(o[k]) || !o[k].every((x) => typeof x === 'string'))
      fail(path, `${k} must be a list of strings`);
    return o[k] as string[];
  };
  const cfg: KubeletConfig = {
    serverTLSBootstrap: bool('serverTLSBootstrap'),
    rotateCertificates: bool('rotateCertificates'),
  };
  const dns = strings('clusterDNS');
  if (dns) cfg.clusterDNS = dns;
  const sysctls = strings('allowedUnsafeSysctls');
  if (sysctls) cfg.allowedUnsafeSysctls = sysctls;
  if (o.port !== undefined) {
    if (!Number.isInteger(o.port) || (o.port as number) < 0 || (o.port as number) > 65535)
      fail(path, 'port must be an integer in 0..65535');
    cfg.port = o.port as number;
  }
  if (o.staticPodPath !== undefined) {
    if (typeof o.staticPodPath !== 'string') fail(path, 'staticPodPath must be a string');
    if (o.staticPodPath) cfg.staticPodPath = o.staticPodPath;
  }
  if (o.fileCheckFrequency !== undefined) {
    const ms = typeof o.fileCheckFrequency === 'string' ? parseDuration(o.fileCheckFrequency) : undefined;
    if (ms === undefined)
      fail(path, `fileCheckFrequency: invalid duration ${JSON.stringify(o.fileCheckFrequency)}`);
    cfg.fileCheckFrequencyMs = ms;
  }
  return cfg;
}

/** Relative paths in a configuration file are relative to the file (upstream's resolveRelativePaths). */
function resolvePaths(cfg: KubeletConfig, file: string): KubeletConfig {
  if (cfg.staticPodPath && !isAbsolute(cfg.staticPodPath))
    cfg.staticPodPath = resolve(dirname(file), cfg.staticPodPath);
  return cfg;
}

export function loadKubeletConfig(path: string): KubeletConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(path, (err as Error).message);
  }
  return resolvePaths(parseKubeletConfig(text, path), path);
}

/**
 * The cluster's KubeletConfiguration text from the first of KUBELET_CONFIG_MAPS that exists
 * (undefined when none does); other errors (forbidden, unreachable) are thrown.
 */
export async function fetchClusterKubeletConfig(
  client: RestClient,
): Promise<{ name: string; text: string } | undefined> {
  for (const name of KUBELET_CONFIG_MAPS) {
    try {
      const cm = await client.request<{ data?: Record<string, string> }>(
        'GET',
        `/api/v1/namespaces/kube-system/configmaps/${name}`,
      );
      const text = cm.data?.kubelet;
      if (text === undefined) throw new Error(`ConfigMap kube-system/${name} has no key "kubelet"`);
      return { name, text };
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) continue;
      throw err;
    }
  }
  return undefined;
}

/**
 * The configuration of a kubelet started without --config (OPS-08): the cluster's, checked and
 * written to `localCopy` (the node's /var/lib/kubelet/config.yaml); the local copy when the
 * cluster cannot be asked; none when the cluster has none.
 */
export async function clusterKubeletConfig(
  client: RestClient,
  localCopy: string,
  warn: (message: string, fields: Record<string, unknown>) => void,
): Promise<KubeletConfig | undefined> {
  let found: { name: string; text: string } | undefined;
  try {
    found = await fetchClusterKubeletConfig(client);
  } catch (err) {
    if (!existsSync(localCopy)) {
      warn('cluster kubelet configuration not read', { error: (err as Error).message });
      return undefined;
    }
    warn('cluster kubelet configuration not read; using the local copy', {
      error: (err as Error).message,
      path: localCopy,
    });
    return loadKubeletConfig(localCopy);
  }
  if (!found) return undefined;
  const { name, text } = found;
  const cfg = parseKubeletConfig(text, `ConfigMap kube-system/${name} key kubelet`);
  mkdirSync(dirname(localCopy), { recursive: true, mode: 0o700 });
  writeFileSync(`${localCopy}.tmp`, text, { mode: 0o644 });
  renameSync(`${localCopy}.tmp`, localCopy);
  return resolvePaths(cfg, localCopy);
}
