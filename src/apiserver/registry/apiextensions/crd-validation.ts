// CustomResourceDefinition validation (upstream's apiextensions/validation): group, names,
// scope, versions (exactly one storage version), structural schemas, printer columns and
// subresources, with upstream's paths and texts.
import { compileRules } from '../../crd/cel-rules.js';
import { validateDefaults } from '../../crd/defaults.js';
import { validateSelectableFields } from '../../crd/selectable.js';
import { validateWebhookClientConfig } from '../admissionregistration/webhook-validation.js';
import {
  fieldErrors,
  forbidden,
  invalidValue,
  isDNS1035Label,
  isDNS1123Subdomain,
  notSupported,
  Printed,
  required,
  type FieldError,
} from '../validation.js';
import { validateStructural } from '../../crd/structural.js';
import type {
  CRDConversion,
  CRDNames,
  CRDVersion,
  CustomResourceDefinition,
  JSONSchemaProps,
} from '../../crd/types.js';

const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const COLUMN_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'];

/** Go's %#v of the versions is long; upstream prints it, we print a short Go-like form. */
function versionsValue(versions: CRDVersion[]): Printed {
  const items = versions.map(
    (v) =>
      `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(v.name)}, Served:${!!v.served}, Storage:${!!v.storage}, ...}`,
  );
  return new Printed(`[]apiextensions.CustomResourceDefinitionVersion{${items.join(', ')}}`);
}

export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? ({} as CustomResourceDefinition['spec']);
  const names = spec.names ?? ({} as CRDNames);
  const wantName = `${names.plural ?? ''}.${spec.group ?? ''}`;
  if (crd.metadata.name && crd.metadata.name !== wantName)
    errs.push(invalidValue('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));

  if (!spec.group) errs.push(required('spec.group'));
  else if (isDNS1123Subdomain(spec.group).length)
    errs.push(invalidValue('spec.group', spec.group, isDNS1123Subdomain(spec.group).join(',')));
  else if (spec.group.split('.').length < 2)
    errs.push(invalidValue('spec.group', spec.group, 'should be a domain with at least one dot'));

  if (!spec.scope) errs.push(required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));

  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0)
    errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    errs.push(...fieldErrors(`${p}.name`, v.name ?? '', isDNS1035Label(v.name ?? '')));
    errs.push(...validateVersion(v, p));
  });
  if (!unique)
    errs.push(invalidValue('spec.versions', versionsValue(versions), 'must contain unique version names'));
  if (versions.length && storage !== 1)
    errs.push(
      invalidValue(
        'spec.versions',
        versionsValue(versions),
        'must have exactly one version marked as storage version',
      ),
    );

  if (!names.plural) errs.push(required('spec.names.plural'));
  if (!names.singular) errs.push(required('spec.names.singular'));
  if (!names.kind) errs.push(required('spec.names.kind'));
  if (!names.listKind) errs.push(required('spec.names.listKind'));
  errs.push(...validateNames(names, 'spec.names'));

  if (spec.preserveUnknownFields === true && versions.some((v) => hasDefaults(v.schema?.openAPIV3Schema)))
    errs.push(
      invalidValue(
        'spec.preserveUnknownFields',
        true,
        'must be false in order to use defaults in the schema',
      ),
    );
  const strategy = spec.conversion?.strategy;
  if (strategy !== undefined && strategy !== 'None' && spec.preserveUnknownFields === true)
    errs.push(
      invalidValue(
        'spec.conversion.strategy',
        strategy,
        'must be None if spec.preserveUnknownFields is true',
      ),
    );
  if (spec.conversion) errs.push(...validateConversion(spec.conversion));
  errs.push(...validateStoredVersions(crd));
  return errs;
}

function hasDefaults(s: JSONSchemaProps | undefined): boolean {
  if (!s || typeof s !== 'object') return false;
  if (s.default !== undefined) return true;
  const children = [
    ...Object.values(s.properties ?? {}),
    ...(typeof s.items === 'object' ? [s.items] : []),
    ...(typeof s.additionalProperties === 'object' ? [s.additionalProperties] : []),
  ];
  return children.some(hasDefaults);
}

/**
 * upstream validates the internal type, whose field names differ from v1's:
 * `spec.conversion.webhookClientConfig` is v1's webhook.clientConfig and
 * `spec.conversion.conversionReviewVersions` is v1's webhook.conversionReviewVersions.
 */
function validateConversion(c: CRDConversion): FieldError[] {
  const errs: FieldError[] = [];
  const p = 'spec.conversion';
  const strategies = ['None', 'Webhook'];
  if (!c.strategy) errs.push(required(`${p}.strategy`));
  else if (!strategies.includes(c.strategy)) errs.push(notSupported(`${p}.strategy`, c.strategy, strategies));
  const cc = c.webhook?.clientConfig;
  const reviewVersions = c.webhook?.conversionReviewVersions ?? [];
  if (c.strategy === 'Webhook') {
    if (!cc) errs.push(required(`${p}.webhookClientConfig`, 'required when strategy is set to Webhook'));
    else errs.push(...validateWebhookClientConfig(cc, `${p}.webhookClientConfig`));
    errs.push(...validateReviewVersions(reviewVersions, `${p}.conversionReviewVersions`));
  } else {
    if (cc)
      errs.push(
        forbidden(`${p}.webhookClientConfig`, 'should not be set when strategy is not set to Webhook'),
      );
    if (reviewVersions.length)
      errs.push(
        forbidden(`${p}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'),
      );
  }
  return errs;
}

/** The ConversionReview versions kube-apiserver can send. */
export const REVIEW_VERSIONS = ['v1', 'v1beta1'];

function validateReviewVersions(versions: string[], p: string): FieldError[] {
  if (!versions.length) return [required(p)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) return void errs.push(invalidValue(`${p}[${i}]`, v, 'duplicate version'));
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(invalidValue(`${p}[${i}]`, v, msg));
  });
  if (!versions.some((v) => REVIEW_VERSIONS.includes(v)))
    errs.push(
      invalidValue(
        p,
        new Printed(`[]string{${versions.map((v) => JSON.stringify(v)).join(', ')}}`),
        `must include at least one of ${REVIEW_VERSIONS.join(', ')}`,
      ),
    );
  return errs;
}

function validateVersion(v: CRDVersion, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const schema = v.schema?.openAPIV3Schema;
  if (!schema) errs.push(required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
  else {
    const structural = validateStructural(schema, `${p}.schema.openAPIV3Schema`);
    errs.push(...structural);
    // As upstream, defaults are checked and rules compiled only on a schema without structural errors.
    const defaults = structural.length ? [] : validateDefaults(schema, `${p}.schema.openAPIV3Schema`);
    errs.push(...defaults);
    if (!structural.length && !defaults.length)
      errs.push(...compileRules(schema, `${p}.schema.openAPIV3Schema`).errors);
  }
  const scale = v.subresources?.scale;
  if (scale) {
    const sp = `${p}.subresources.scale`;
    if (!scale.specReplicasPath) errs.push(required(`${sp}.specReplicasPath`));
    else if (!scale.specReplicasPath.startsWith('.spec.'))
      errs.push(
        invalidValue(`${sp}.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'),
      );
    if (!scale.statusReplicasPath) errs.push(required(`${sp}.statusReplicasPath`));
    else if (!scale.statusReplicasPath.startsWith('.status.'))
      errs.push(
        invalidValue(
          `${sp}.statusReplicasPath`,
          scale.statusReplicasPath,
          'should be a json path under .status',
        ),
      );
    if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath))
      errs.push(
        invalidValue(
          `${sp}.labelSelectorPath`,
          scale.labelSelectorPath,
          'should be a json path under either .spec or .status',
        ),
      );
  }
  errs.push(...validateSelectableFields(v, p));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => {
    const cp = `${p}.additionalPrinterColumns[${i}]`;
    if (!c.name) errs.push(required(`${cp}.name`));
    if (!c.type) errs.push(required(`${cp}.type`));
    else if (!COLUMN_TYPES.includes(c.type)) errs.push(notSupported(`${cp}.type`, c.type, COLUMN_TYPES));
    if (c.format && !COLUMN_FORMATS.includes(c.format))
      errs.push(notSupported(`${cp}.format`, c.format, COLUMN_FORMATS));
    if (!c.jsonPath) errs.push(required(`${cp}.JSONPath`));
    else if (!c.jsonPath.startsWith('.'))
      errs.push(invalidValue(`${cp}.JSONPath`, c.jsonPath, 'must be a simple json path starting with .'));
  });
  return errs;
}

export function validateNames(names: Partial<CRDNames>, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: string, value: string | undefined, prefix = '') => {
    if (!value) return;
    const msgs = isDNS1035Label(prefix ? value.toLowerCase() : value);
    if (msgs.length) errs.push(invalidValue(field, value, prefix + msgs.join(',')));
  };
  label(`${p}.plural`, names.plural);
  label(`${p}.singular`, names.singular);
  label(`${p}.kind`, names.kind, 'may have mixed case, but should otherwise match: ');
  label(`${p}.listKind`, names.listKind, 'may have mixed case, but should otherwise match: ');
  (names.shortNames ?? []).forEach((s, i) => label(`${p}.shortNames[${i}]`, s));
  if (names.kind && names.kind === names.listKind)
    errs.push(invalidValue(`${p}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (names.categories ?? []).forEach((s, i) => label(`${p}.categories[${i}]`, s));
  return errs;
}

function validateStoredVersions(crd: CustomResourceDefinition): FieldError[] {
  const stored = crd.status?.storedVersions ?? [];
  const p = 'status.storedVersions';
  if (stored.length === 0)
    return [invalidValue(p, new Printed('[]string{}'), 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const names = new Set((crd.spec.versions ?? []).map((v) => v.name));
  for (const v of crd.spec.versions ?? [])
    if (v.storage && !stored.includes(v.name))
      errs.push(invalidValue(p, new Printed(v.name), `must have the storage version ${v.name}`));
  stored.forEach((v, i) => {
    if (!names.has(v)) errs.push(invalidValue(`${p}[${i}]`, v, 'must appear in spec.versions'));
  });
  return errs;
}

export function validateCRDUpdate(
  crd: CustomResourceDefinition,
  old: CustomResourceDefinition,
): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = (field: string, now: unknown, before: unknown) => {
    if (JSON.stringify(now) !== JSON.stringify(before))
      errs.push(invalidValue(field, now ?? '', 'field is immutable'));
  };
  const established = old.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  if (established) {
    immutable('spec.scope', crd.spec.scope, old.spec.scope);
    immutable('spec.names.kind', crd.spec.names?.kind, old.spec.names?.kind);
  }
  immutable('spec.group', crd.spec.group, old.spec.group);
  immutable('spec.names.plural', crd.spec.names?.plural, old.spec.names?.plural);
  if (crd.spec.preserveUnknownFields === true && !old.spec.preserveUnknownFields)
    errs.push(
      invalidValue(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  return errs;
}
