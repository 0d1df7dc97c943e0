// A StatefulSet pod's stable identity (stateful_set_utils.go): name `<set>-<ordinal>`, the
// pod-name and pod-index labels, hostname and subdomain, the revision label, and one
// PersistentVolumeClaim per volumeClaimTemplate named `<template>-<set>-<ordinal>`.
import type { KubeObject } from '../../api/types.js';
import type { OwnerReference, Pod, PodTemplateSpec } from '../common/objects.js';
import { podFromTemplate } from '../common/pod-control.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

export interface ClaimTemplate {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

export interface StatefulSet extends KubeObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template: PodTemplateSpec;
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } };
    volumeClaimTemplates?: ClaimTemplate[];
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
    persistentVolumeClaimRetentionPolicy?: {
      whenDeleted?: 'Retain' | 'Delete';
      whenScaled?: 'Retain' | 'Delete';
    };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    collisionCount?: number;
  };
}

/** The ordinal a pod name of this set carries, or -1. */
export function ordinalOf(set: StatefulSet, p: Pod): number {
  const name = p.metadata?.name ?? '';
  const prefix = `${set.metadata.name}-`;
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

export const claimName = (set: StatefulSet, t: ClaimTemplate, ordinal: number) =>
  `${t.metadata?.name}-${set.metadata.name}-${ordinal}`;

/** getPersistentVolumeClaims: the claims of one ordinal, labelled with the set's selector. */
export function claimsFor(set: StatefulSet, ordinal: number): Record<string, unknown>[] {
  return (set.spec.volumeClaimTemplates ?? []).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...(t.metadata ?? {}),
      name: claimName(set, t, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(set.spec.selector?.matchLabels ?? {}) },
    },
    spec: structuredClone(t.spec ?? {}),
  }));
}

/** newVersionedStatefulSetPod with a given template and revision name. */
export function newPod(
  set: StatefulSet,
  template: PodTemplateSpec,
  revision: string,
  ordinal: number,
  ref: OwnerReference,
): Pod {
  const pod = podFromTemplate(template, set.metadata.name!, ref);
  const name = `${set.metadata.name}-${ordinal}`;
  const m = pod.metadata!;
  delete m.generateName;
  m.name = name;
  m.labels = {
    ...(m.labels ?? {}),
    [POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
    [REVISION_LABEL]: revision,
  };
  const spec = pod.spec!;
  spec.hostname = name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  // updateStorage: each claim template becomes the volume of that name
  const claimVolumes = (set.spec.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata!.name!,
    persistentVolumeClaim: { claimName: claimName(set, t, ordinal) },
  }));
  if (claimVolumes.length) {
    const names = new Set(claimVolumes.map((v) => v.name));
    spec.volumes = [...(spec.volumes ?? []).filter((v) => !names.has(v.name)), ...claimVolumes];
  }
  return pod;
}
