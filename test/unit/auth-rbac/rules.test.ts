import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ruleAllows, type PolicyRule } from '../../../src/apiserver/auth/rbac/rules.js';
import { req, urlReq, user } from './fake-source.js';

const jane = user('jane');
const allows = (rule: PolicyRule, ...a: Parameters<typeof req>) => ruleAllows(req(...a), rule);

describe('RBAC rule matching (upstream RuleAllows)', () => {
  it('verbs: exact or *', () => {
    const r = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
    assert.equal(allows(r, jane, 'get', 'pods'), true);
    assert.equal(allows(r, jane, 'delete', 'pods'), false);
    assert.equal(allows({ ...r, verbs: ['*'] }, jane, 'delete', 'pods'), true);
  });

  it('apiGroups: "" is the core group only, * is every group', () => {
    const r = { verbs: ['get'], apiGroups: [''], resources: ['deployments'] };
    assert.equal(allows(r, jane, 'get', 'deployments', { group: 'apps' }), false);
    assert.equal(allows({ ...r, apiGroups: ['*'] }, jane, 'get', 'deployments', { group: 'apps' }), true);
    assert.equal(allows({ ...r, apiGroups: ['apps'] }, jane, 'get', 'deployments', { group: 'apps' }), true);
  });

  it('resources: a subresource needs resource/subresource, */subresource, or *', () => {
    const pods = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    assert.equal(allows(pods, jane, 'get', 'pods/log'), false);
    assert.equal(allows({ ...pods, resources: ['pods/log'] }, jane, 'get', 'pods/log'), true);
    assert.equal(allows({ ...pods, resources: ['pods/log'] }, jane, 'get', 'pods'), false);
    assert.equal(allows({ ...pods, resources: ['*/log'] }, jane, 'get', 'pods/log'), true);
    assert.equal(allows({ ...pods, resources: ['*/log'] }, jane, 'get', 'pods'), false);
    assert.equal(allows({ ...pods, resources: ['*/scale'] }, jane, 'get', 'pods/log'), false);
    assert.equal(allows({ ...pods, resources: ['*'] }, jane, 'get', 'pods/log'), true);
  });

  it('resourceNames: only named requests match (a list has no name)', () => {
    const r = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
    assert.equal(allows(r, jane, 'get', 'configmaps', { name: 'a' }), true);
    assert.equal(allows(r, jane, 'get', 'configmaps', { name: 'b' }), false);
    assert.equal(allows(r, jane, 'list', 'configmaps'), false);
  });

  it('nonResourceURLs: exact, *, or a prefix ending in *', () => {
    const r = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    assert.equal(ruleAllows(urlReq(jane, 'get', '/healthz'), r), true);
    assert.equal(ruleAllows(urlReq(jane, 'get', '/healthz/etcd'), r), false);
    assert.equal(ruleAllows(urlReq(jane, 'get', '/apis/apps/v1'), r), true);
    assert.equal(ruleAllows(urlReq(jane, 'get', '/apis'), r), false);
    assert.equal(ruleAllows(urlReq(jane, 'post', '/healthz'), r), false);
    assert.equal(
      ruleAllows(urlReq(jane, 'get', '/anything'), { verbs: ['get'], nonResourceURLs: ['*'] }),
      true,
    );
  });

  it('a resource rule never allows a non-resource request, nor the reverse', () => {
    const res = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
    assert.equal(ruleAllows(urlReq(jane, 'get', '/healthz'), res), false);
    assert.equal(allows({ verbs: ['*'], nonResourceURLs: ['*'] }, jane, 'get', 'pods'), false);
  });
});
