// All type definitions the API server knows, keyed by upstream's OpenAPI names. They drive the
// OpenAPI documents (kubectl explain, apply, diff), strict field validation, strategic merge
// patch and server-side apply. Each API group's types live in their own file.
import type { Definition, Definitions } from './dsl.js';
import { metaDefinitions } from './meta.js';
import { coreV1Definitions } from './core-v1.js';
import { appsV1Definitions } from './apps-v1.js';
import { autoscalingDefinitions } from './autoscaling.js';
import { batchV1Definitions } from './batch-v1.js';
import { certificatesV1Definitions } from './certificates-v1.js';
import { coordinationV1Definitions } from './coordination-v1.js';
import { discoveryV1Definitions } from './discovery-v1.js';
import { eventsV1Definitions } from './events-v1.js';
import { networkingV1Definitions } from './networking-v1.js';
import { nodeV1Definitions } from './node-v1.js';
import { policyV1Definitions } from './policy-v1.js';
import { rbacV1Definitions } from './rbac-v1.js';
import { schedulingV1Definitions } from './scheduling-v1.js';
import { storageV1Definitions } from './storage-v1.js';
import { metricsV1beta1Definitions } from './metrics-v1beta1.js';
import { admissionregistrationV1Definitions } from './admissionregistration-v1.js';
import { apiregistrationV1Definitions } from './apiregistration-v1.js';
import { generatedDefinitions } from './generated.js';
import { addSchemaExtensions } from './apiextensions-v1.js';

/** The definitions of the non-core API groups (apps, batch, autoscaling, networking, rbac, ...). */
export const groupDefinitions: Definitions = {
  ...appsV1Definitions,
  ...batchV1Definitions,
  ...autoscalingDefinitions,
  ...policyV1Definitions,
  ...networkingV1Definitions,
  ...rbacV1Definitions,
  ...storageV1Definitions,
  ...coordinationV1Definitions,
  ...discoveryV1Definitions,
  ...eventsV1Definitions,
  ...schedulingV1Definitions,
  ...nodeV1Definitions,
  ...certificatesV1Definitions,
  ...metricsV1beta1Definitions,
  ...admissionregistrationV1Definitions,
  ...apiregistrationV1Definitions,
};

const written: Definitions = { ...metaDefinitions, ...coreV1Definitions, ...groupDefinitions };

/** 'io.k8s.api.apps.v1.Deployment' -> 'io.k8s.api.apps.v1' */
const packageOf = (name: string): string => name.slice(0, name.lastIndexOf('.'));

/**
 * Packages without written definitions (authentication, authorization, admissionregistration,
 * apiextensions) keep the bare structure generated from kubernetes-types, so that requests to
 * them still validate. A package with any written definition is complete and takes nothing here.
 */
function unwrittenPackages(): Definitions {
  const covered = new Set(Object.keys(written).map(packageOf));
  return Object.fromEntries(
    Object.entries(generatedDefinitions).filter(([name]) => !covered.has(packageOf(name))),
  );
}

export const definitions: Definitions = { ...unwrittenPackages(), ...written };
addSchemaExtensions(definitions);

export function definitionFor(name: string): Definition | undefined {
  return Object.hasOwn(definitions, name) ? definitions[name] : undefined;
}
