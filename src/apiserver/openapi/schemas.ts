// Turns our definitions (src/api/schema, refs by bare name) into the schema objects of the
// OpenAPI documents: refs get the document's prefix, and a ref that carries its own
// description or extensions is encoded as each version of upstream's documents encodes it.
import type { Definitions, PropSchema } from '../../api/schema/dsl.js';

export type RefStyle =
  /** OpenAPI v2 as upstream writes it: siblings stay next to $ref ({description, $ref}). */
  | 'siblings'
  /** OpenAPI v3 as upstream writes it: {allOf: [{$ref}], description, ...} since $ref siblings are ignored in 3.0. */
  | 'allOf';

function convert(s: PropSchema, prefix: string, style: RefStyle, defs: Definitions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') continue;
    if (k === 'items' || k === 'additionalProperties') out[k] = convert(v as PropSchema, prefix, style, defs);
    else if (k === 'properties')
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, PropSchema>).map(([n, p]) => [n, convert(p, prefix, style, defs)]),
      );
    else out[k] = v;
  }
  // a ref to a missing definition would make clients reject the whole document
  // (kubectl: "unknown model in reference"), so it degrades to an untyped schema
  if (!s.$ref || !defs[s.$ref]) return out;
  const ref = { $ref: prefix + s.$ref };
  if (Object.keys(out).length === 0) return ref;
  return style === 'allOf' ? { allOf: [ref], ...out } : { ...out, ...ref };
}

/** The named definitions (all, or those in `names`) as document schemas. */
export function schemasFor(
  defs: Definitions,
  prefix: string,
  style: RefStyle,
  names?: Set<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(defs).sort()) {
    if (!names || names.has(name)) out[name] = convert(defs[name], prefix, style, defs);
  }
  return out;
}

/** Names of every definition reachable from the roots (roots included when defined). */
export function reachable(defs: Definitions, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (s: PropSchema | undefined) => {
    if (!s) return;
    if (s.$ref && !seen.has(s.$ref) && defs[s.$ref]) {
      seen.add(s.$ref);
      visit(defs[s.$ref]);
    }
    visit(s.items);
    visit(s.additionalProperties);
    for (const p of Object.values(s.properties ?? {})) visit(p);
  };
  for (const r of roots) visit({ $ref: r });
  return seen;
}

/** Refs that name no definition, as [ref, where] pairs; the documents drop them (see convert). */
export function danglingRefs(defs: Definitions): [string, string][] {
  const found: [string, string][] = [];
  const visit = (s: PropSchema | undefined, where: string) => {
    if (!s) return;
    if (s.$ref && !defs[s.$ref]) found.push([s.$ref, where]);
    visit(s.items, `${where}[]`);
    visit(s.additionalProperties, `${where}{}`);
    for (const [n, p] of Object.entries(s.properties ?? {})) visit(p, `${where}.${n}`);
  };
  for (const [name, d] of Object.entries(defs)) visit(d, name);
  return found;
}
