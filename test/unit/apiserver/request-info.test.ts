import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourcePath } from '../../../src/apiserver/http/request-info.js';

const q = (s = '') => new URLSearchParams(s);

describe('request paths are read as upstream reads them', () => {
  it('namespaced object with subresource', () => {
    assert.deepEqual(parseResourcePath('PUT', '/apis/apps/v1/namespaces/ns/deployments/web/scale', q()), {
      group: 'apps',
      version: 'v1',
      namespace: 'ns',
      resource: 'deployments',
      name: 'web',
      subresource: 'scale',
      verb: 'update',
    });
  });
  it('a namespace object and its finalize subresource are not namespaced requests', () => {
    assert.deepEqual(parseResourcePath('GET', '/api/v1/namespaces/foo', q()), {
      group: '',
      version: 'v1',
      resource: 'namespaces',
      name: 'foo',
      verb: 'get',
    });
    assert.equal(parseResourcePath('PUT', '/api/v1/namespaces/foo/finalize', q())?.subresource, 'finalize');
  });
  it('list, watch by parameter and by the legacy /watch/ prefix, deletecollection', () => {
    assert.equal(parseResourcePath('GET', '/api/v1/pods', q())?.verb, 'list');
    assert.equal(parseResourcePath('GET', '/api/v1/namespaces/a/pods', q('watch=true'))?.verb, 'watch');
    assert.equal(parseResourcePath('GET', '/api/v1/watch/namespaces/a/pods', q())?.verb, 'watch');
    assert.equal(parseResourcePath('DELETE', '/api/v1/namespaces/a/pods', q())?.verb, 'deletecollection');
  });
  it('discovery paths are not resource requests', () => {
    assert.equal(parseResourcePath('GET', '/api/v1', q()), undefined);
    assert.equal(parseResourcePath('GET', '/apis/apps/v1', q()), undefined);
    assert.equal(parseResourcePath('GET', '/version', q()), undefined);
  });
});
