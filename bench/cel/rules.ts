// CEL validation rules: compile time of the Gateway-API-like fixture's rules, and evaluation
// time and cost per object with 1, 16 and 64 listeners (the two uniqueness rules are O(n²)).
// Run: node dist/bench/cel/rules.js
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileRules, evaluateRules } from '../../src/apiserver/crd/cel-rules.js';
import { compileExpression } from '../../src/apiserver/cel/compile.js';
import type { CustomResourceDefinition } from '../../src/apiserver/crd/types.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const crd = parseYaml(
  readFileSync(join(ROOT, 'test/fixtures/crds/gateway-cel-crd.yaml'), 'utf8'),
) as CustomResourceDefinition;
const schema = crd.spec.versions[0]!.schema!.openAPIV3Schema!;

let t = process.hrtime.bigint();
const rounds = 200;
for (let i = 0; i < rounds; i++) compileRules(schema, 'openAPIV3Schema');
const compileUs = Number(process.hrtime.bigint() - t) / 1e3 / rounds;
console.log(`compile all 7 rules of the fixture: ${compileUs.toFixed(0)} µs`);
const { node } = compileRules(schema, 'openAPIV3Schema');
if (!node) throw new Error('no rules');

for (const n of [1, 16, 64]) {
  const listeners = Array.from({ length: n }, (_, i) => ({
    name: `l${i}`,
    port: 8000 + i,
    protocol: 'HTTP',
  }));
  const obj = {
    apiVersion: 'example.k8ts.io/v1',
    kind: 'Gateway',
    metadata: { name: 'g' },
    spec: { gatewayClassName: 'k8ts', replicas: 2, timeout: '30s', memory: '1Gi', listeners },
  };
  const iterations = n === 64 ? 50 : 500;
  t = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const errs = evaluateRules(node, obj, obj);
    if (errs.length) throw new Error(JSON.stringify(errs));
  }
  const us = Number(process.hrtime.bigint() - t) / 1e3 / iterations;
  const uniqueness = compileExpression('self.all(l1, self.exists_one(l2, l1.name == l2.name))', {
    variables: { self: undefined },
  }).run({ self: listeners });
  console.log(
    `${n} listeners: ${us.toFixed(0)} µs per object (all rules, update with oldSelf); uniqueness rule cost ${uniqueness.cost}`,
  );
}
