// All type definitions the API server knows: the generated structure of every built-in type
// plus the merge/list extensions (merge-keys.ts) and our descriptions of the kinds (descriptions.ts).
import type { Definition, Definitions } from './dsl.js';
import { generatedDefinitions } from './generated.js';
import { atomicMaps, mergeKeys } from './merge-keys.js';
import { kindDescriptions } from './descriptions.js';

function build(): Definitions {
  const defs: Definitions = structuredClone(generatedDefinitions);
  for (const [name, fields] of Object.entries(mergeKeys)) {
    const d = defs[name];
    if (!d?.properties) continue;
    for (const [field, ext] of Object.entries(fields))
      if (d.properties[field]) Object.assign(d.properties[field], ext);
  }
  for (const [name, fields] of Object.entries(atomicMaps)) {
    const d = defs[name];
    for (const field of fields)
      if (d?.properties?.[field]) d.properties[field]['x-kubernetes-map-type'] = 'atomic';
  }
  for (const [name, description] of Object.entries(kindDescriptions))
    if (defs[name]) defs[name].description = description;
  return defs;
}

export const definitions: Definitions = build();

export function definitionFor(name: string): Definition | undefined {
  return definitions[name];
}
