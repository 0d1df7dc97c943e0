/**
 * The smallest string greater than every string starting with prefix (etcd's range end).
 * The empty prefix means every key; keys are ASCII paths, so U+FFFF is above all of them.
 */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\uffff';
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
