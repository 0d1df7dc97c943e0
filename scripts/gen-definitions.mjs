// Generates src/api/schema/generated.ts: the field structure (names, JSON types, required
// fields, group/version/kind) of every built-in type, read from the kubernetes-types
// declaration files with the TypeScript compiler API. Only structure is taken, never the
// doc comments; merge keys and list types are added by src/api/schema/merge-keys.ts.
// Run: node scripts/gen-definitions.mjs
import ts from 'typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = join(root, 'node_modules', 'kubernetes-types');
const MODULES = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  version: 'io.k8s.apimachinery.pkg.version',
  'core/v1': 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'batch/v1': 'io.k8s.api.batch.v1',
  'autoscaling/v1': 'io.k8s.api.autoscaling.v1',
  'autoscaling/v2': 'io.k8s.api.autoscaling.v2',
  'policy/v1': 'io.k8s.api.policy.v1',
  'networking/v1': 'io.k8s.api.networking.v1',
  'rbac/v1': 'io.k8s.api.rbac.v1',
  'storage/v1': 'io.k8s.api.storage.v1',
  'coordination/v1': 'io.k8s.api.coordination.v1',
  'discovery/v1': 'io.k8s.api.discovery.v1',
  'events/v1': 'io.k8s.api.events.v1',
  'scheduling/v1': 'io.k8s.api.scheduling.v1',
  'node/v1': 'io.k8s.api.node.v1',
  'certificates/v1': 'io.k8s.api.certificates.v1',
  'authentication/v1': 'io.k8s.api.authentication.v1',
  'authorization/v1': 'io.k8s.api.authorization.v1',
  'admissionregistration/v1': 'io.k8s.api.admissionregistration.v1',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
};

/** Scalars that upstream names as definitions of their own. */
const SCALARS = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': {
    'x-kubernetes-preserve-unknown-fields': true,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { type: 'object' },
};
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

const defs = {};

function moduleOfImport(fromFile, spec) {
  const abs = join(dirname(fromFile), spec);
  return relative(typesDir, abs).replace(/\\/g, '/');
}

function schemaOf(node, ctx) {
  if (!node) return {};
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.LiteralType:
      return node.literal.kind === ts.SyntaxKind.StringLiteral ? { type: 'string' } : { type: 'boolean' };
    case ts.SyntaxKind.UnionType: {
      const kinds = node.types.map((t) => t.kind);
      if (kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword))
        return { $ref: INT_OR_STRING };
      return schemaOf(node.types[0], ctx);
    }
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: schemaOf(node.elementType, ctx) };
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find((m) => m.kind === ts.SyntaxKind.IndexSignature);
      if (index) return { type: 'object', additionalProperties: schemaOf(index.type, ctx) };
      return { type: 'object' };
    }
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText(ctx.sf);
      if (name === 'Array' && node.typeArguments)
        return { type: 'array', items: schemaOf(node.typeArguments[0], ctx) };
      if (name === 'Record' && node.typeArguments)
        return { type: 'object', additionalProperties: schemaOf(node.typeArguments[1], ctx) };
      const mod = ctx.imports.get(name) ?? ctx.module;
      const prefix = MODULES[mod];
      if (!prefix) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      return { $ref: `${prefix}.${name}` };
    }
    case ts.SyntaxKind.ObjectKeyword:
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      return {};
  }
}

function groupVersionOf(apiVersion) {
  return apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
}

for (const [mod, prefix] of Object.entries(MODULES)) {
  const file = join(typesDir, `${mod}.d.ts`);
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const imports = new Map();
  for (const st of sf.statements) {
    if (
      ts.isImportDeclaration(st) &&
      st.importClause?.namedBindings &&
      ts.isNamedImports(st.importClause.namedBindings)
    ) {
      const target = moduleOfImport(file, st.moduleSpecifier.text);
      for (const el of st.importClause.namedBindings.elements) imports.set(el.name.text, target);
    }
  }
  const ctx = { sf, imports, module: mod };
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st)) {
      const name = `${prefix}.${st.name.text}`;
      if (SCALARS[name]) continue;
      const properties = {};
      const required = [];
      let apiVersion;
      let kind;
      for (const m of st.members) {
        if (!ts.isPropertySignature(m) || !m.name) continue;
        const prop = m.name.getText(sf).replace(/^"|"$/g, '');
        if (prop === 'apiVersion' && m.type && ts.isLiteralTypeNode(m.type)) apiVersion = m.type.literal.text;
        if (prop === 'kind' && m.type && ts.isLiteralTypeNode(m.type)) kind = m.type.literal.text;
        properties[prop] = schemaOf(m.type, ctx);
        if (!m.questionToken) required.push(prop);
      }
      const def = { type: 'object', properties };
      if (required.length) def.required = required;
      if (apiVersion && kind) {
        const [group, version] = groupVersionOf(apiVersion);
        def['x-kubernetes-group-version-kind'] = [{ group, version, kind }];
      }
      if (Object.keys(properties).length === 0) def['x-kubernetes-preserve-unknown-fields'] = true;
      defs[name] = def;
    }
  }
}
Object.assign(defs, SCALARS);
const sorted = Object.fromEntries(Object.entries(defs).sort(([a], [b]) => (a < b ? -1 : 1)));
const out = `// Generated by scripts/gen-definitions.mjs from the kubernetes-types declarations (structure
// only: field names, JSON types, required fields, group/version/kind). Do not edit by hand.
import type { Definitions } from './dsl.js';

export const generatedDefinitions: Definitions = ${JSON.stringify(sorted, null, 1)};
`;
writeFileSync(join(root, 'src', 'api', 'schema', 'generated.ts'), out);
console.log(`gen-definitions: ${Object.keys(sorted).length} definitions`);
