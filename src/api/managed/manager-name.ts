// The field manager a write is recorded under when the client names none: upstream takes the
// User-Agent up to its first '/', keeps only printable characters, and cuts it to 128 bytes
// (so kubectl without --field-manager would be "kubectl"). kubectl itself always names one:
// "kubectl-create", "kubectl-client-side-apply" (apply), "kubectl" (apply --server-side),
// "kubectl-edit", "kubectl-patch", "kubectl-label", "kubectl-annotate", "kubectl-replace", ...
export const FIELD_MANAGER_MAX_LENGTH = 128;

export function fieldManagerFromUserAgent(userAgent: string): string {
  const prefix = userAgent.split('/')[0];
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!isPrintable(ch)) continue;
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/** The ?fieldManager value if given, else the User-Agent's. */
export function fieldManagerOf(fieldManager: string | undefined | null, userAgent: string): string {
  return fieldManager ? fieldManager : fieldManagerFromUserAgent(userAgent);
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrintable(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}
