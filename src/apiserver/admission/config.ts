// --admission-control-config-file (k8s.io/apiserver admission.ReadAdmissionConfiguration): an
// AdmissionConfiguration naming, per plugin, its configuration inline or in a file (`path`,
// relative to the config file). Only PodSecurity reads a configuration in k8ts; the others'
// entries are kept but unused.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYAML } from 'yaml';
import { isRecord } from '../../api/types.js';
import { parsePodSecurityConfig } from './pod-security/config.js';

const API_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.k8s.io/v1alpha1'];

/** Plugin name → its configuration object. */
export type AdmissionPluginConfigs = ReadonlyMap<string, Record<string, unknown>>;

function parseDocument(text: string, file: string): unknown {
  try {
    return parseYAML(text);
  } catch (err) {
    throw new Error(`couldn't read admission config file "${file}": ${(err as Error).message}`);
  }
}

/** The plugins that read a configuration, each with its parser (which throws on bad input). */
const VALIDATORS: Record<string, (config: Record<string, unknown>) => unknown> = {
  PodSecurity: parsePodSecurityConfig,
};

/**
 * Reads and validates the file; throws on anything malformed. Called by the CLI before the
 * server opens anything, so a bad file stops `k8ts server` at once.
 */
export function loadAdmissionConfig(file: string): AdmissionPluginConfigs {
  const doc = parseDocument(readFileSync(file, 'utf8'), file);
  if (
    !isRecord(doc) ||
    doc.kind !== 'AdmissionConfiguration' ||
    !API_VERSIONS.includes(String(doc.apiVersion))
  )
    throw new Error(
      `couldn't read admission config file "${file}": want kind AdmissionConfiguration of ${API_VERSIONS.join(' or ')}`,
    );
  const out = new Map<string, Record<string, unknown>>();
  const plugins = Array.isArray(doc.plugins) ? doc.plugins : [];
  for (const p of plugins) {
    if (!isRecord(p) || typeof p.name !== 'string') throw new Error(`${file}: every plugin needs a name`);
    let config: unknown = p.configuration;
    if (config === undefined && typeof p.path === 'string') {
      const path = isAbsolute(p.path) ? p.path : join(dirname(file), p.path);
      config = parseDocument(readFileSync(path, 'utf8'), path);
    }
    if (config === undefined) continue;
    if (!isRecord(config)) throw new Error(`${file}: the configuration of ${p.name} must be an object`);
    VALIDATORS[p.name]?.(config);
    out.set(p.name, config);
  }
  return out;
}
