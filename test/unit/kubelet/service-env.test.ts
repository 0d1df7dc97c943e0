// The service variables upstream's kubelet puts into containers (pkg/kubelet/envvars).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { serviceEnv } from '../../../src/kubelet/runtime/service-env.js';
import { containerEnv } from '../../../src/kubelet/runtime/cri-config.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

const svc = (ns: string, name: string, spec: object): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: ns, name },
  spec,
});
const services = [
  svc('default', 'kubernetes', {
    clusterIP: '10.43.0.1',
    ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
  }),
  svc('app', 'simple-app-svc', { clusterIP: '10.43.7.7', ports: [{ port: 8080, protocol: 'TCP' }] }),
  svc('app', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
  svc('other', 'elsewhere', { clusterIP: '10.43.9.9', ports: [{ port: 80 }] }),
];

describe('service environment variables', () => {
  it('gives every pod the kubernetes Service, as in-cluster clients expect', () => {
    const env = serviceEnv({ namespace: 'kube-system' }, services);
    assert.deepEqual(Object.fromEntries(env), {
      KUBERNETES_SERVICE_HOST: '10.43.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.43.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.43.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.43.0.1',
    });
  });

  it('adds the services of the pod namespace unless enableServiceLinks is false; none for headless', () => {
    const env = serviceEnv({ namespace: 'app' }, services);
    assert.equal(env.get('SIMPLE_APP_SVC_SERVICE_HOST'), '10.43.7.7');
    assert.equal(env.get('SIMPLE_APP_SVC_PORT'), 'tcp://10.43.7.7:8080');
    assert.equal(env.has('HEADLESS_SERVICE_HOST'), false);
    assert.equal(env.has('ELSEWHERE_SERVICE_HOST'), false);
    const off = serviceEnv({ namespace: 'app', enableServiceLinks: false }, services);
    assert.equal(off.has('SIMPLE_APP_SVC_SERVICE_HOST'), false);
    assert.equal(off.get('KUBERNETES_SERVICE_HOST'), '10.43.0.1');
  });

  it('lets the container env override and refer to them', () => {
    const pod = { metadata: { name: 'p', namespace: 'app' }, spec: { containers: [] } } as unknown as Pod;
    const vars = containerEnv(
      pod,
      {
        name: 'c',
        env: [
          { name: 'KUBERNETES_SERVICE_PORT', value: '6443' },
          { name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST)' },
        ],
      },
      '10.42.0.5',
      undefined,
      serviceEnv({ namespace: 'app' }, services),
    );
    assert.equal(vars.get('KUBERNETES_SERVICE_PORT'), '6443');
    assert.equal(vars.get('API'), 'https://10.43.0.1');
  });
});
