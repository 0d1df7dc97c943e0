// A node's capacity and allocatable quantities as upstream's ValidateNodeResources checks them
// on create and on every update (status patches included): no negative quantity, and whole
// numbers for the integer resources (object counts and every extended resource, such as the
// example.com/dongle of seed 004 §3.13).
import { goQuantityStruct, milliValue, quantityToString, tryParseQuantity } from '../../../api/quantity.js';
import { isRecord, type KubeObject } from '../../../api/types.js';
import { invalidValue, isQualifiedName, Printed, type FieldError } from '../validation.js';

/** upstream's integerResources (pkg/apis/core/helper) */
const INTEGER_RESOURCES = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

/** Native resources have no domain, or a kubernetes.io one. */
function isNative(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

export function isExtendedResourceName(name: string): boolean {
  if (isNative(name) || name.startsWith('requests.')) return false;
  // the quota form of the name must be a qualified name
  return isQualifiedName(`requests.${name}`).length === 0;
}

function validateQuantities(list: unknown, path: string): FieldError[] {
  if (!isRecord(list)) return [];
  const errs: FieldError[] = [];
  for (const [name, raw] of Object.entries(list)) {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : undefined;
    const q = text === undefined ? undefined : tryParseQuantity(text);
    if (!q || text === undefined) continue; // the decoder rejects what does not parse
    const field = `${path}.${name}`;
    if (q.nanos < 0n)
      errs.push(invalidValue(field, quantityToString(q), 'must be greater than or equal to 0'));
    if ((INTEGER_RESOURCES.has(name) || isExtendedResourceName(name)) && milliValue(q) % 1000n !== 0n)
      errs.push(invalidValue(field, new Printed(goQuantityStruct(text)), 'must be an integer'));
  }
  return errs;
}

export function validateNodeResources(n: KubeObject): FieldError[] {
  const st = isRecord(n.status) ? n.status : {};
  return [
    ...validateQuantities(st.capacity, 'status.capacity'),
    ...validateQuantities(st.allocatable, 'status.allocatable'),
  ];
}
