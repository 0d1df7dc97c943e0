// Parses a request path into what it addresses (upstream's RequestInfoFactory):
//   /api/v1/namespaces/ns/pods/name/status, /apis/apps/v1/deployments?watch=true, ...
import { badRequest } from '../../api/errors.js';

export type RequestVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'proxy'
  | 'connect';

export interface ResourceRequest {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** For proxy subresources: what follows `/proxy` (with its leading '/', '' if nothing). */
  proxyPath?: string;
  verb: RequestVerb;
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
export const isTrue = (v: string | null): boolean => v !== null && TRUE.has(v);

/** Returns undefined for paths that are not resource requests (discovery, health, ...). */
export function parseResourcePath(
  method: string,
  pathname: string,
  query: URLSearchParams,
): ResourceRequest | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else return undefined;
  rest = rest.map((p) => decodeURIComponent(p));

  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}...: a namespaced request, unless the third part is one of the
  // namespace object's own subresources (status, finalize), as upstream decides it.
  if (rest[0] === 'namespaces' && rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  // .../{resource}/{name}/proxy/{path...}: the rest of the path goes to the proxied server
  let proxyPath: string | undefined;
  if (rest.length >= 3 && rest[2] === 'proxy') {
    // `rest` is the decoded tail of the path; the proxied path keeps its encoding
    const raw = pathname.split('/').filter((p) => p !== '');
    const tail = raw.slice(raw.length - rest.length + 3).join('/');
    proxyPath = tail ? `/${tail}${pathname.endsWith('/') ? '/' : ''}` : pathname.endsWith('/') ? '/' : '';
    rest = rest.slice(0, 3);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [resource, name, subresource] = rest;
  if (namespace !== undefined && namespace === '') throw badRequest('namespace must not be empty');

  let verb: RequestVerb;
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') {
    if (watchPath || isTrue(query.get('watch'))) verb = 'watch';
    else verb = name === undefined ? 'list' : 'get';
  } else if (m === 'POST') verb = 'create';
  else if (m === 'PUT') verb = 'update';
  else if (m === 'PATCH') verb = 'patch';
  else if (m === 'DELETE') verb = name === undefined ? 'deletecollection' : 'delete';
  else verb = 'connect';
  const out: ResourceRequest = { group, version, resource, verb };
  if (namespace !== undefined) out.namespace = namespace;
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  if (proxyPath !== undefined) out.proxyPath = proxyPath;
  return out;
}
