// The naming and establishing controllers' decisions (upstream's
// apiextensions-apiserver/pkg/controller/status and .../establish): which of a CRD's requested
// names it may have, given the names other CRDs of its group already accepted, and the
// NamesAccepted and Established conditions that follow.
import type { CRDCondition, CRDNames, CustomResourceDefinition } from './types.js';

export interface NamingDecision {
  acceptedNames: Partial<CRDNames>;
  namesAccepted: CRDCondition;
  established: CRDCondition;
}

function freshOrOurs(
  requested: string | undefined,
  accepted: string | undefined,
  used: Set<string>,
): string | undefined {
  if (!requested || requested === accepted || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

export function decideNames(crd: CustomResourceDefinition, all: CustomResourceDefinition[]): NamingDecision {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of all) {
    if (other.metadata.name === crd.metadata.name || other.spec.group !== crd.spec.group) continue;
    const a = other.status?.acceptedNames ?? {};
    for (const n of [a.plural, a.singular, ...(a.shortNames ?? [])]) if (n) resources.add(n);
    for (const n of [a.kind, a.listKind]) if (n) kinds.add(n);
  }
  const requested = crd.spec.names;
  const accepted = crd.status?.acceptedNames ?? {};
  const names: Partial<CRDNames> = { ...accepted };
  let failure: { reason: string; message: string } | undefined;
  const check = (reason: string, err: string | undefined, take: () => void) => {
    if (err) failure = { reason, message: err };
    else take();
  };
  check(
    'PluralConflict',
    freshOrOurs(requested.plural, accepted.plural, resources),
    () => (names.plural = requested.plural),
  );
  check(
    'SingularConflict',
    freshOrOurs(requested.singular, accepted.singular, resources),
    () => (names.singular = requested.singular),
  );
  const ownShort = new Set(accepted.shortNames ?? []);
  const shortErrs = (requested.shortNames ?? [])
    .filter((s) => !ownShort.has(s))
    .map((s) => freshOrOurs(s, '', resources))
    .filter((e): e is string => !!e);
  check(
    'ShortNamesConflict',
    shortErrs.length === 0 ? undefined : shortErrs.length === 1 ? shortErrs[0] : `[${shortErrs.join(', ')}]`,
    () => {
      if (requested.shortNames?.length) names.shortNames = requested.shortNames;
      else delete names.shortNames;
    },
  );
  check(
    'KindConflict',
    freshOrOurs(requested.kind, accepted.kind, kinds),
    () => (names.kind = requested.kind),
  );
  check(
    'ListKindConflict',
    freshOrOurs(requested.listKind, accepted.listKind, kinds),
    () => (names.listKind = requested.listKind),
  );
  if (requested.categories?.length) names.categories = requested.categories;
  else delete names.categories;

  const namesAccepted: CRDCondition = failure
    ? { type: 'NamesAccepted', status: 'False', ...failure }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const prev = crd.status?.conditions?.find((c) => c.type === 'Established');
  let established: CRDCondition = prev ?? {
    type: 'Established',
    status: 'False',
    reason: 'NotAccepted',
    message: 'not all names are accepted',
  };
  // the establishing controller's step follows at once: we serve before we write the status
  if (established.status !== 'True' && namesAccepted.status === 'True')
    established = {
      type: 'Established',
      status: 'True',
      reason: 'InitialNamesAccepted',
      message: 'the initial names have been accepted',
    };
  return { acceptedNames: names, namesAccepted, established };
}
