// Serves discovery and OpenAPI documents, built once from the resource table at start.
import { definitions } from '../api/schema/index.js';
import { notAcceptable } from '../api/errors.js';
import { buildDiscovery, negotiateDiscovery } from './discovery/discovery.js';
import { buildOpenAPIV2, buildOpenAPIV3 } from './openapi/build.js';
import {
  encodeOpenAPIV2Protobuf,
  OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
  prefersOpenAPIV2Protobuf,
} from './openapi/v2-protobuf.js';
import type { DocumentServer, ServedDocument } from './handler.js';
import type { ResourceStrategy } from './registry/strategy.js';

const AGGREGATED = {
  'aggregated-v2': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'aggregated-v2beta1': 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
} as const;

function json(body: string, contentType = 'application/json'): ServedDocument {
  return { status: 200, contentType, body };
}

export function createDocumentServer(strategies: ResourceStrategy[], serverURL: string): DocumentServer {
  const address = serverURL.replace(/^https?:\/\//, '');
  const d = buildDiscovery(strategies, address);
  const text = {
    apiVersions: JSON.stringify(d.apiVersions),
    groupList: JSON.stringify(d.groupList),
    aggregatedCore: JSON.stringify(d.aggregatedCore),
    aggregatedGroups: JSON.stringify(d.aggregatedGroups),
  };
  const lists = new Map([...d.resourceLists].map(([k, v]) => [k, JSON.stringify(v)]));
  const groups = new Map([...d.groups].map(([k, v]) => [k, JSON.stringify(v)]));
  // OpenAPI documents are big; build them on first request
  let v2: string | undefined;
  let v2pb: Uint8Array | undefined;
  let v3: ReturnType<typeof buildOpenAPIV3> | undefined;
  const openapiV3 = () => (v3 ??= buildOpenAPIV3(strategies, definitions));

  const aggregated = (accept: string | undefined, which: 'core' | 'groups'): ServedDocument | undefined => {
    const format = negotiateDiscovery(accept);
    if (format === 'legacy') return undefined;
    let body = which === 'core' ? text.aggregatedCore : text.aggregatedGroups;
    if (format === 'aggregated-v2beta1')
      body = body.replace('"apidiscovery.k8s.io/v2"', '"apidiscovery.k8s.io/v2beta1"');
    return json(body, AGGREGATED[format]);
  };

  return {
    serve(path: string, accept: string | undefined): ServedDocument | undefined {
      const p = path.replace(/\/+$/, '') || '/';
      if (p === '/api') return aggregated(accept, 'core') ?? json(text.apiVersions);
      if (p === '/apis') return aggregated(accept, 'groups') ?? json(text.groupList);
      if (p.startsWith('/api/')) {
        const l = lists.get(p.slice('/api/'.length));
        return l ? json(l) : undefined;
      }
      if (p.startsWith('/apis/')) {
        const rest = p.slice('/apis/'.length);
        if (!rest.includes('/')) {
          const g = groups.get(rest);
          return g ? json(g) : undefined;
        }
        const l = lists.get(rest);
        return l ? json(l) : undefined;
      }
      if (p === '/openapi/v2') {
        // client-go asks for gnostic's protobuf encoding; curl and browsers get JSON
        if (prefersOpenAPIV2Protobuf(accept)) {
          v2pb ??= encodeOpenAPIV2Protobuf(buildOpenAPIV2(strategies, definitions));
          return { status: 200, contentType: OPENAPI_V2_PROTOBUF_CONTENT_TYPE, body: v2pb };
        }
        if (accept && !/application\/json|\*\/\*/.test(accept)) {
          throw notAcceptable(
            'only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
          );
        }
        v2 ??= JSON.stringify(buildOpenAPIV2(strategies, definitions));
        return json(v2);
      }
      if (p === '/openapi/v3') return json(JSON.stringify(openapiV3().index));
      if (p.startsWith('/openapi/v3/')) {
        const doc = openapiV3().docs.get(p.slice('/openapi/v3/'.length));
        if (!doc) return undefined;
        return { ...json(doc), headers: { 'Cache-Control': 'public, immutable' } };
      }
      return undefined;
    },
  };
}
