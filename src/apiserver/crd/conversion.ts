// Webhook conversion of custom resources (upstream's apiextensions-apiserver/pkg/apiserver/
// conversion webhook converter): objects not yet in the desired apiVersion are sent in one
// ConversionReview (v1 or v1beta1, the first of conversionReviewVersions k8ts speaks) over HTTPS
// to the CRD's webhook (a URL, or a Service resolved to a ready endpoint as for admission
// webhooks, whose client code this reuses). The answer is checked as upstream checks it (kind,
// uid, result, count; each object's apiVersion, kind, name, namespace and uid) and every
// converted object gets its original metadata back, except labels and annotations.
import { randomUUID } from 'node:crypto';
import { isRecord, type KubeObject } from '../../api/types.js';
import { postJSON } from '../admission/webhook/call.js';
import { resolveTarget, type ObjectGetter } from '../admission/webhook/resolve.js';
import { validateAnnotations, validateLabels } from '../registry/meta-validation.js';
import { errorText } from '../registry/validation.js';
import type { CRDConversion } from './types.js';

/** Go's %T of a decoded JSON value. */
function goType(v: unknown): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'object') return 'map[string]interface {}';
  return typeof v;
}

/** utilerrors.Aggregate's Error(): one message as it is, several in brackets. */
const aggregate = (msgs: string[]) => (msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`);

/** upstream's webhook client timeout (the request carries no ?timeout= of its own). */
const CONVERSION_TIMEOUT_SECONDS = 30;

export class ConversionError extends Error {}

export interface Converter {
  /**
   * `objs` converted to `apiVersion` (objects already in it are returned as they are).
   * `single`: one object being read or written (upstream's texts differ from those of lists).
   */
  convert(objs: KubeObject[], apiVersion: string, single: boolean): Promise<KubeObject[]>;
}

const gvk = (apiVersion: string | undefined, kind: string) => {
  const [group, version] = (apiVersion ?? '').includes('/') ? apiVersion!.split('/') : ['', apiVersion ?? ''];
  return `${group}/${version}, Kind=${kind}`;
};

export class WebhookConverter implements Converter {
  constructor(
    private readonly conversion: CRDConversion,
    private readonly getObject: ObjectGetter,
  ) {}

  async convert(objs: KubeObject[], apiVersion: string, single: boolean): Promise<KubeObject[]> {
    const todo = objs.map((o, i) => [o, i] as const).filter(([o]) => o.apiVersion !== apiVersion);
    if (!todo.length) return objs;
    const first = todo[0]![0];
    const inKind = single ? first.kind : `${first.kind}List`;
    const name = gvk(first.apiVersion, inKind ?? '');
    const converted = await this.call(
      todo.map(([o]) => o),
      apiVersion,
      name,
    );
    if (converted.length !== todo.length)
      throw new ConversionError(
        `conversion webhook for ${name} returned ${converted.length} objects, expected ${todo.length}`,
      );
    const out = [...objs];
    todo.forEach(([original, i], n) => {
      out[i] = checkConverted(original, converted[n], apiVersion, name, single ? undefined : n);
    });
    return out;
  }

  private async call(objects: KubeObject[], desiredAPIVersion: string, name: string): Promise<unknown[]> {
    const wh = this.conversion.webhook ?? {};
    const reviewVersion = (wh.conversionReviewVersions ?? []).find((v) => v === 'v1' || v === 'v1beta1');
    if (!reviewVersion) throw new ConversionError('no supported conversion review versions');
    const uid = randomUUID();
    const cc = wh.clientConfig ?? {};
    const caPem = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
    const query = `?timeout=${CONVERSION_TIMEOUT_SECONDS}s`;
    const failed = (msg: string) => new ConversionError(`conversion webhook for ${name} failed: ${msg}`);
    let answer: unknown;
    try {
      const t = await resolveTarget(cc, CONVERSION_TIMEOUT_SECONDS, this.getObject);
      // the resolver adds admission's ?timeout=; conversion requests go without it
      const target = { ...t, path: t.path.replace(query, ''), url: t.url.replace(query, '') };
      answer = await postJSON(
        target,
        {
          apiVersion: `apiextensions.k8s.io/${reviewVersion}`,
          kind: 'ConversionReview',
          request: { uid, desiredAPIVersion, objects },
        },
        caPem,
        CONVERSION_TIMEOUT_SECONDS * 1000,
      );
    } catch (err) {
      throw failed((err as Error).message.replace(query, ''));
    }
    try {
      return convertedObjects(answer, reviewVersion, uid);
    } catch (err) {
      throw failed((err as Error).message);
    }
  }
}

function convertedObjects(answer: unknown, reviewVersion: string, uid: string): unknown[] {
  const review = isRecord(answer) ? answer : {};
  if (reviewVersion === 'v1') {
    const want = 'apiextensions.k8s.io/v1, Kind=ConversionReview';
    const got = `${String(review.apiVersion ?? '')}, Kind=${String(review.kind ?? '')}`;
    if (got !== want) throw new Error(`expected webhook response of ${want}, got ${got}`);
  }
  const response = review.response;
  if (!isRecord(response)) throw new Error('no response provided');
  // as upstream, v1beta1 answers are not checked for their uid
  if (reviewVersion === 'v1' && response.uid !== uid)
    throw new Error(
      `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`,
    );
  const result = isRecord(response.result) ? response.result : {};
  if (result.status !== 'Success') {
    if (typeof result.message === 'string' && result.message) throw new Error(result.message);
    throw new Error(`response.result.status was '${String(result.status ?? '')}', not 'Success'`);
  }
  return Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
}

function checkConverted(
  original: KubeObject,
  converted: unknown,
  apiVersion: string,
  name: string,
  index: number | undefined,
): KubeObject {
  const what =
    index === undefined
      ? (detail: string) => `conversion webhook for ${name} returned invalid object at index 0: ${detail}`
      : (detail: string) =>
          `conversion webhook for ${name} returned invalid converted object at index ${index}: ${detail}`;
  const obj = (isRecord(converted) ? converted : {}) as Partial<KubeObject>;
  if (obj.apiVersion !== apiVersion)
    throw new ConversionError(
      what(`invalid groupVersion (expected ${apiVersion}, received ${String(obj.apiVersion ?? '')})`),
    );
  if (obj.kind !== original.kind)
    throw new ConversionError(
      what(`invalid kind (expected ${original.kind}, received ${String(obj.kind ?? '')})`),
    );
  const invalid =
    index === undefined
      ? (detail: string) => `conversion webhook for ${name} returned invalid object: ${detail}`
      : what;
  const m = isRecord(obj.metadata) ? obj.metadata : {};
  const om = original.metadata;
  for (const [field, label] of [
    ['name', 'name'],
    ['namespace', 'namespace'],
    ['uid', 'UID'],
  ] as const)
    if ((m[field] ?? '') !== (om[field] ?? ''))
      throw new ConversionError(
        invalid(`must have the same ${label}: ${String(om[field] ?? '')} != ${String(m[field] ?? '')}`),
      );
  const badMeta = (detail: string) =>
    new ConversionError(
      `conversion webhook for ${name} ${index === undefined ? 'returned invalid metadata' : `returned invalid metadata in object at index ${index}`}: ${detail}`,
    );
  if (!isRecord(obj.metadata)) throw badMeta('missing metadata in converted object');
  // everything but labels and annotations comes back from the original
  const metadata: KubeObject['metadata'] = structuredClone(om);
  for (const fld of ['labels', 'annotations'] as const) {
    const v = m[fld];
    if (v === undefined || v === null) {
      delete metadata[fld];
      continue;
    }
    if (!isRecord(v)) throw badMeta(`invalid metadata.${fld} of type ${goType(v)} in converted object`);
    const before: Record<string, string> = om[fld] ?? {};
    let changed = Object.keys(before).length !== Object.keys(v).length;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string')
        throw badMeta(`metadata.${fld}[${k}] must be a string, but is ${goType(x)} in converted object`);
      if (before[k] !== x) changed = true;
    }
    if (changed) {
      const values = v as Record<string, string>;
      // upstream's path for annotations is "metadata.annotation"
      const errs =
        fld === 'labels'
          ? validateLabels(values, 'metadata.labels')
          : validateAnnotations(values, 'metadata.annotation');
      if (errs.length) throw badMeta(aggregate(errs.map(errorText)));
    }
    metadata[fld] = v as Record<string, string>;
  }
  return { ...(obj as KubeObject), metadata };
}
