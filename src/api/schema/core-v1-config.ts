// ConfigMaps, Secrets, ServiceAccounts and Namespaces, and the reference types shared across core/v1.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, bool, ref, arr, map, mergeList, obj, t, TIME } from './dsl.js';
import { kind, listOf, atomicStruct, atomic, mergeBy, bytes, P } from './core-v1-common.js';

export const configDefinitions: Definitions = {
  [`${P}.ConfigMap`]: kind('ConfigMap', 'Non-confidential configuration as key/value pairs.', {
    binaryData: map(bytes, 'Binary values, base64-encoded; keys must not repeat those of data.'),
    data: map(t.str, 'Text values.'),
    immutable: bool(
      'Whether the data can no longer be changed; the object can only be deleted and recreated.',
    ),
  }),
  [`${P}.ConfigMapList`]: listOf('ConfigMap'),
  [`${P}.Secret`]: kind('Secret', 'Confidential data as key/value pairs.', {
    data: map(bytes, 'Values, base64-encoded.'),
    immutable: bool('Whether the data can no longer be changed.'),
    stringData: map(t.str, 'Write-only plain-text values, merged into data on write; they take precedence.'),
    type: str('How the data is used, e.g. Opaque or kubernetes.io/tls.'),
  }),
  [`${P}.SecretList`]: listOf('Secret'),
  [`${P}.ServiceAccount`]: kind('ServiceAccount', 'An identity for the processes of pods.', {
    automountServiceAccountToken: bool('Whether pods using this account get its token mounted by default.'),
    imagePullSecrets: arr(
      t.ref(`${P}.LocalObjectReference`),
      'Secrets used to pull images for pods using this account.',
      atomic,
    ),
    secrets: arr(
      t.ref(`${P}.ObjectReference`),
      'Secrets that pods using this account may use.',
      mergeBy('name'),
    ),
  }),
  [`${P}.ServiceAccountList`]: listOf('ServiceAccount'),
  [`${P}.Namespace`]: kind('Namespace', 'A scope for names; most objects belong to exactly one namespace.', {
    spec: ref(`${P}.NamespaceSpec`, 'What the namespace needs, such as finalizers.'),
    status: ref(`${P}.NamespaceStatus`, 'The observed state of the namespace.'),
  }),
  [`${P}.NamespaceList`]: listOf('Namespace'),
  [`${P}.NamespaceSpec`]: obj('What a namespace needs.', {
    finalizers: arr(t.str, 'Conditions that must be cleared before the namespace is removed.', atomic),
  }),
  [`${P}.NamespaceStatus`]: obj('The observed state of a namespace.', {
    conditions: mergeList(t.ref(`${P}.NamespaceCondition`), "The namespace's current conditions.", ['type']),
    phase: str('Whether the namespace is Active or Terminating.', { enum: ['Active', 'Terminating'] }),
  }),
  [`${P}.NamespaceCondition`]: obj(
    "One aspect of a namespace's state.",
    {
      lastTransitionTime: ref(TIME, 'When the condition last changed status.'),
      message: str('A human-readable explanation of the last transition.'),
      reason: str('A brief CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition.'),
    },
    { required: ['status', 'type'] },
  ),
  [`${P}.ObjectReference`]: atomicStruct(
    obj('A reference to an object, possibly to a field within it.', {
      apiVersion: str("The object's API version."),
      fieldPath: str('A path to a field within the object, e.g. spec.containers{name}.'),
      kind: str("The object's kind."),
      name: str("The object's name."),
      namespace: str("The object's namespace."),
      resourceVersion: str("The object's resource version the reference was made at."),
      uid: str("The object's UID."),
    }),
  ),
  [`${P}.LocalObjectReference`]: atomicStruct(
    obj('An object in the same namespace, named by its name.', {
      name: str("The object's name."),
    }),
  ),
  [`${P}.TopologySelectorTerm`]: atomicStruct(
    obj('A set of label requirements; a topology matches when all of them hold.', {
      matchLabelExpressions: arr(t.ref(`${P}.TopologySelectorLabelRequirement`), 'The requirements.', atomic),
    }),
  ),
  [`${P}.TopologySelectorLabelRequirement`]: obj(
    'A label and the values it may have.',
    {
      key: str('The label key.'),
      values: arr(t.str, 'The allowed values; one must match.', atomic),
    },
    { required: ['key', 'values'] },
  ),
};
