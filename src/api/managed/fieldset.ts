// Sets of field paths, shaped as structured-merge-diff keeps them: a tree in which every node
// knows which of its path elements are *members* (owned themselves) and which only lead to
// owned paths further down (*children*). The difference matters: `f:labels` as a member means
// "the whole labels map", as a child only "some keys of it".
//
// Path elements are held in their FieldsV1 spelling:
//   f:<name>        a struct field or map key
//   k:<json object> an item of a list keyed by its list-map-keys (keys sorted by name)
//   v:<json value>  an item of a set
//   i:<index>       an item of a list without identity (never produced for atomic lists)

export type PathElement = string;
export type Path = PathElement[];

export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    const parent = path.slice(0, -1).reduce<FieldSet>((node, pe) => node.child(pe), this);
    parent.members.add(path[path.length - 1]);
  }

  /** The child node for `pe`, created when missing. */
  child(pe: PathElement): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const parent = path.slice(0, -1).reduce<FieldSet | undefined>((node, pe) => node?.children.get(pe), this);
    return !!parent && parent.members.has(path[path.length - 1]);
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    for (const m of other.members) out.members.add(m);
    for (const [pe, c] of other.children) {
      const mine = out.children.get(pe);
      out.children.set(pe, mine ? mine.union(c) : c.clone());
    }
    return out;
  }

  /** Members of this set that `other` does not have; emptied nodes are dropped. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const theirs = other.children.get(pe);
      const d = theirs ? c.difference(theirs) : c.clone();
      if (!d.empty()) out.children.set(pe, d);
    }
    return out;
  }

  /** Whether the two sets share a member path (a non-empty intersection, without building it). */
  overlaps(other: FieldSet): boolean {
    for (const m of this.members) if (other.members.has(m)) return true;
    for (const [pe, c] of this.children) {
      const theirs = other.children.get(pe);
      if (theirs && c.overlaps(theirs)) return true;
    }
    return false;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const theirs = other.children.get(pe);
      if (!theirs) continue;
      const i = c.intersection(theirs);
      if (!i.empty()) out.children.set(pe, i);
    }
    return out;
  }

  /** The subtree below `pe` (empty when absent). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(pe) ?? new FieldSet();
  }

  clone(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [pe, c] of this.children) out.children.set(pe, c.clone());
    return out;
  }

  /** Every member path, in upstream's order (what conflict lists and FieldsV1 follow). */
  leaves(): Path[] {
    const out: Path[] = [];
    const visit = (node: FieldSet, prefix: Path) => {
      const pes = new Set([...node.members, ...node.children.keys()]);
      for (const pe of sortPathElements([...pes])) {
        if (node.members.has(pe)) out.push([...prefix, pe]);
        const c = node.children.get(pe);
        if (c) visit(c, [...prefix, pe]);
      }
    };
    visit(this, []);
    return out;
  }
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  return a.union(b);
}
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return a.difference(b);
}
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return a.intersection(b);
}
export function leaves(s: FieldSet): Path[] {
  return s.leaves();
}

// ---- path elements ----

export const fieldPE = (name: string): PathElement => `f:${name}`;
export const valuePE = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;
export const indexPE = (i: number): PathElement => `i:${i}`;

/** `k:{"containerPort":80,"protocol":"TCP"}`: key fields sorted by name, as upstream sorts them. */
export function keyPE(key: Record<string, unknown>): PathElement {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(key).sort()) sorted[k] = key[k];
  return `k:${JSON.stringify(sorted)}`;
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Upstream's PathElement order: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ka = KIND_ORDER[a[0]] ?? 9;
  const kb = KIND_ORDER[b[0]] ?? 9;
  if (ka !== kb) return ka - kb;
  const ra = a.slice(2);
  const rb = b.slice(2);
  if (a[0] === 'f') return ra < rb ? -1 : ra > rb ? 1 : 0;
  if (a[0] === 'i') return Number(ra) - Number(rb);
  const va: unknown = JSON.parse(ra);
  const vb: unknown = JSON.parse(rb);
  if (a[0] === 'k' && typeof va === 'object' && typeof vb === 'object' && va && vb) {
    const ea = Object.entries(va);
    const eb = Object.entries(vb);
    for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
      if (ea[i][0] !== eb[i][0]) return ea[i][0] < eb[i][0] ? -1 : 1;
      const c = compareValues(ea[i][1], eb[i][1]);
      if (c) return c;
    }
    return ea.length - eb.length;
  }
  return compareValues(va, vb);
}

export function sortPathElements(pes: PathElement[]): PathElement[] {
  return pes.sort(comparePathElements);
}

/** Go's %v / %q rendering of a value inside a printed path (strings quoted, numbers bare). */
function printValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}=${printValue(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** `.spec.containers[name="web"].image`: a path as upstream prints it in conflicts. */
export function pathString(path: Path): string {
  let out = '';
  for (const pe of path) {
    const rest = pe.slice(2);
    if (pe.startsWith('f:')) out += `.${rest}`;
    else if (pe.startsWith('k:')) {
      const key = JSON.parse(rest) as Record<string, unknown>;
      out += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${printValue(v)}`)
        .join(',')}]`;
    } else if (pe.startsWith('v:')) out += `[=${printValue(JSON.parse(rest))}]`;
    else if (pe.startsWith('i:')) out += `[${rest}]`;
  }
  return out;
}
