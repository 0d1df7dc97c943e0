// Duplicate keys in a JSON body. JSON.parse keeps the last value silently; upstream's strict
// decoder (sigs.k8s.io/json) reports `duplicate field "spec.replicas"` with the same path notation
// as unknown fields (keys joined by ".", list items as "[i]"). This scans the raw text, which the
// parsed value no longer shows. Input is assumed to be valid JSON (parse it first).

/** Strict-decoding paths of repeated keys, in document order, each reported once. */
export function findDuplicateFields(text: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  let pos = 0;

  const skipSpace = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };

  const readString = (): string => {
    const start = pos;
    pos++; // opening quote
    while (text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };

  const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

  const value = (path: string): void => {
    skipSpace();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const keys = new Set<string>();
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = readString();
        const child = join(path, key);
        if (keys.has(key)) {
          if (!seen.has(child)) found.push(child);
          seen.add(child);
        }
        keys.add(key);
        skipSpace();
        pos++; // ':'
        value(child);
        skipSpace();
        if (text[pos++] === '}') return;
      }
    }
    if (c === '[') {
      pos++;
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (let i = 0; ; i++) {
        value(`${path}[${i}]`);
        skipSpace();
        if (text[pos++] === ']') return;
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (pos < text.length && !',}] \t\n\r'.includes(text[pos])) pos++; // number, true, false, null
  };

  value('');
  return found;
}
