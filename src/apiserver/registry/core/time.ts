// Timestamps as the API writes them: RFC 3339 with whole seconds (upstream's metav1.Time).
export function timestampOf(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
