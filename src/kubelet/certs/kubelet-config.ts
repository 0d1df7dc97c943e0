// The kubelet's --config file (kubelet.config.k8s.io/v1beta1 KubeletConfiguration, e.g.
// /var/lib/kubelet/config.yaml): the fields k8ts' kubelet honours. Others are accepted and
// ignored, as upstream's lenient decoding does with fields it does not know.
import { readFileSync } from 'node:fs';
import { parse as parseYAML } from 'yaml';

export interface KubeletConfig {
  /** Request the serving certificate from the cluster by a kubelet-serving CSR. */
  serverTLSBootstrap: boolean;
  /** Renew the client certificate (upstream's rotateCertificates); see docs/security.md. */
  rotateCertificates: boolean;
  clusterDNS?: string[];
  port?: number;
  allowedUnsafeSysctls?: string[];
}

const API_VERSION = 'kubelet.config.k8s.io/v1beta1';

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
  return cfg;
}

export function loadKubeletConfig(path: string): KubeletConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(path, (err as Error).message);
  }
  return parseKubeletConfig(text, path);
}
