import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupStrategies } from '../../../src/apiserver/registry/groups.js';
import { systemPriorityClasses } from '../../../src/apiserver/registry/scheduling/priorityclasses.js';
import { columnNames, create, createErrors, row, strategy, updateErrors } from './helpers.js';

const ingresses = strategy('networking.k8s.io', 'v1', 'ingresses');
const ingressclasses = strategy('networking.k8s.io', 'v1', 'ingressclasses');
const networkpolicies = strategy('networking.k8s.io', 'v1', 'networkpolicies');
const roles = strategy('rbac.authorization.k8s.io', 'v1', 'roles');
const clusterroles = strategy('rbac.authorization.k8s.io', 'v1', 'clusterroles');
const rolebindings = strategy('rbac.authorization.k8s.io', 'v1', 'rolebindings');
const clusterrolebindings = strategy('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings');
const storageclasses = strategy('storage.k8s.io', 'v1', 'storageclasses');
const csidrivers = strategy('storage.k8s.io', 'v1', 'csidrivers');
const priorityclasses = strategy('scheduling.k8s.io', 'v1', 'priorityclasses');
const leases = strategy('coordination.k8s.io', 'v1', 'leases');
const csrs = strategy('certificates.k8s.io', 'v1', 'certificatesigningrequests');
const endpointslices = strategy('discovery.k8s.io', 'v1', 'endpointslices');
const pdbs = strategy('policy', 'v1', 'poddisruptionbudgets');

describe('groupStrategies', () => {
  it('holds each group/version/resource once, with an OpenAPI definition name', () => {
    const keys = groupStrategies.map((s) => `${s.group}/${s.version}/${s.resource}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const s of groupStrategies)
      // upstream's names: io.k8s.api.<group>..., the kube-aggregator, apiextensions and metrics packages
      assert.match(
        s.definition,
        /^io\.k8s\.(api\.[a-z0-9]+|kube-aggregator\.pkg\.apis\.[a-z0-9]+|apiextensions-apiserver\.pkg\.apis\.apiextensions|metrics\.pkg\.apis\.metrics)\.v[0-9a-z]+\.[A-Z]\w+$/,
      );
  });

  it('short names as kubectl api-resources lists them', () => {
    const short = Object.fromEntries(
      groupStrategies.filter((s) => s.shortNames).map((s) => [`${s.resource}.${s.version}`, s.shortNames]),
    );
    assert.deepEqual(short, {
      'daemonsets.v1': ['ds'],
      'deployments.v1': ['deploy'],
      'replicasets.v1': ['rs'],
      'statefulsets.v1': ['sts'],
      'events.v1': ['ev'],
      'horizontalpodautoscalers.v2': ['hpa'],
      'horizontalpodautoscalers.v1': ['hpa'],
      'cronjobs.v1': ['cj'],
      'certificatesigningrequests.v1': ['csr'],
      'ingresses.v1': ['ing'],
      'networkpolicies.v1': ['netpol'],
      'poddisruptionbudgets.v1': ['pdb'],
      'storageclasses.v1': ['sc'],
      'priorityclasses.v1': ['pc'],
      'customresourcedefinitions.v1': ['crd', 'crds'],
    });
  });
});

describe('networking.k8s.io/v1', () => {
  const backend = { service: { name: 'web', port: { number: 80 } } };
  it('Ingress needs rules or a default backend, and typed absolute paths', () => {
    assert.deepEqual(createErrors(ingresses, { metadata: { name: 'i' }, spec: {} }), [
      'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
    ]);
    const rules = [
      {
        host: 'a.example.com',
        http: {
          paths: [
            { path: 'x', backend },
            { path: 'y', pathType: 'Prefix', backend },
          ],
        },
      },
    ];
    assert.deepEqual(createErrors(ingresses, { metadata: { name: 'i' }, spec: { rules } }), [
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
      'spec.rules[0].http.paths[1].path: Invalid value: "y": must be an absolute path',
    ]);
  });

  it('Ingress table: NAME CLASS HOSTS ADDRESS PORTS AGE', () => {
    assert.deepEqual(columnNames(ingresses), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    const hosts = ['a', 'b', 'c', 'd', 'e'].map((h) => ({
      host: `${h}.example.com`,
      http: { paths: [{ path: '/', pathType: 'Prefix', backend }] },
    }));
    const ing = create(ingresses, {
      metadata: { name: 'i' },
      spec: { ingressClassName: 'nginx', rules: hosts, tls: [{ hosts: ['a.example.com'] }] },
    });
    ing.status = { loadBalancer: { ingress: [{ ip: '192.168.10.20' }, { ip: '10.0.0.1' }] } };
    assert.deepEqual(Object.values(row(ingresses, ing)), [
      'i',
      'nginx',
      'a.example.com,b.example.com,c.example.com + 2 more...',
      '10.0.0.1,192....',
      '80, 443',
      '60m',
    ]);
    const bare = create(ingresses, { metadata: { name: 'j' }, spec: { defaultBackend: backend } });
    assert.deepEqual(Object.values(row(ingresses, bare)).slice(1, 5), ['<none>', '*', '', '80']);
  });

  it('IngressClass parameters cell', () => {
    const c = create(ingressclasses, {
      metadata: { name: 'nginx' },
      spec: {
        controller: 'k8s.io/ingress-nginx',
        parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' },
      },
    });
    assert.deepEqual(Object.values(row(ingressclasses, c)), [
      'nginx',
      'k8s.io/ingress-nginx',
      'IngressParameters.k8s.example.com/external-lb',
      '60m',
    ]);
  });

  it('NetworkPolicy defaults policyTypes and TCP ports', () => {
    const np = create(networkpolicies, {
      metadata: { name: 'p' },
      spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] },
    });
    assert.deepEqual(np.spec, {
      podSelector: {},
      egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }],
      policyTypes: ['Ingress', 'Egress'],
    });
    assert.deepEqual(Object.values(row(networkpolicies, np)), ['p', '<none>', '60m']);
  });
});

describe('rbac.authorization.k8s.io/v1', () => {
  it('rule requirements', () => {
    assert.deepEqual(
      createErrors(roles, {
        metadata: { name: 'r' },
        rules: [{ verbs: [] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
      }),
      [
        'rules[0].verbs: Required value: verbs must contain at least one value',
        'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
        'rules[0].resources: Required value: resource rules must supply at least one resource',
        'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
      ],
    );
    assert.deepEqual(
      createErrors(clusterroles, {
        metadata: { name: 'c' },
        rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
      }),
      [],
    );
  });

  it('aggregated ClusterRoles need a selector', () => {
    assert.deepEqual(
      createErrors(clusterroles, {
        metadata: { name: 'a' },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] },
      }),
      [],
    );
    assert.deepEqual(createErrors(clusterroles, { metadata: { name: 'a' }, aggregationRule: {} }), [
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
  });

  it('bindings: defaults, checks and the immutable roleRef', () => {
    const rb = create(rolebindings, {
      metadata: { name: 'b' },
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'jane' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'ns1' },
      ],
    });
    assert.deepEqual(rb.roleRef, {
      kind: 'ClusterRole',
      name: 'view',
      apiGroup: 'rbac.authorization.k8s.io',
    });
    assert.deepEqual(rb.subjects, [
      { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'ns1' },
    ]);
    assert.deepEqual(
      createErrors(clusterrolebindings, {
        metadata: { name: 'c' },
        roleRef: { kind: 'Role', name: 'x' },
        subjects: [
          { kind: 'ServiceAccount', name: 'sa' },
          { kind: 'Robot', name: 'r' },
        ],
      }),
      [
        'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
        'subjects[0].namespace: Required value',
        'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      ],
    );
    const next = structuredClone(rb);
    (next.roleRef as { name: string }).name = 'edit';
    assert.deepEqual(updateErrors(rolebindings, rb, next), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
  });

  it('tables: roles NAME CREATED AT; bindings NAME ROLE AGE + USERS GROUPS SERVICEACCOUNTS', () => {
    assert.deepEqual(columnNames(clusterroles), ['NAME', 'CREATED AT']);
    assert.deepEqual(columnNames(rolebindings, true), [
      'NAME',
      'ROLE',
      'AGE',
      'USERS',
      'GROUPS',
      'SERVICEACCOUNTS',
    ]);
    const rb = create(rolebindings, {
      metadata: { name: 'b' },
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'jane' },
        { kind: 'User', name: 'joe' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'ns1' },
      ],
    });
    assert.deepEqual(Object.values(row(rolebindings, rb)), [
      'b',
      'ClusterRole/view',
      '60m',
      'jane, joe',
      '',
      'ns1/default',
    ]);
  });
});

describe('storage.k8s.io/v1', () => {
  it('StorageClass defaults, validation, immutability and table', () => {
    const sc = create(storageclasses, {
      metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
    });
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
    assert.deepEqual(columnNames(storageclasses), [
      'NAME',
      'PROVISIONER',
      'RECLAIMPOLICY',
      'VOLUMEBINDINGMODE',
      'ALLOWVOLUMEEXPANSION',
      'AGE',
    ]);
    assert.deepEqual(Object.values(row(storageclasses, sc)), [
      'local (default)',
      'rancher.io/local-path',
      'Delete',
      'Immediate',
      false,
      '60m',
    ]);
    assert.deepEqual(createErrors(storageclasses, { metadata: { name: 'x' }, reclaimPolicy: 'Recycle' }), [
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    ]);
    const next = structuredClone(sc);
    next.parameters = { a: 'b' };
    assert.deepEqual(updateErrors(storageclasses, sc, next), [
      'parameters: Forbidden: updates to parameters are forbidden.',
    ]);
  });

  it('CSIDriver defaults', () => {
    const d = create(csidrivers, { metadata: { name: 'csi.example.com' }, spec: {} });
    assert.deepEqual(d.spec, {
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      requiresRepublish: false,
      volumeLifecycleModes: ['Persistent'],
      seLinuxMount: false,
    });
  });
});

describe('scheduling.k8s.io/v1 PriorityClass', () => {
  it('the two built-in classes', () => {
    assert.deepEqual(
      systemPriorityClasses.map((p) => [p.metadata.name, p.value]),
      [
        ['system-node-critical', 2000001000],
        ['system-cluster-critical', 2000000000],
      ],
    );
    for (const p of systemPriorityClasses) assert.deepEqual(createErrors(priorityclasses, p as never), []);
  });

  it('value range and the reserved system- prefix', () => {
    assert.deepEqual(createErrors(priorityclasses, { metadata: { name: 'big' }, value: 1000000001 }), [
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ]);
    assert.deepEqual(createErrors(priorityclasses, { metadata: { name: 'system-mine' }, value: 10 }), [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    ]);
    assert.deepEqual(
      createErrors(priorityclasses, { metadata: { name: 'system-node-critical' }, value: 10 }),
      [
        "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000",
      ],
    );
    const pc = create(priorityclasses, { metadata: { name: 'high' }, value: 1000 });
    assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(updateErrors(priorityclasses, pc, { ...pc, value: 5 }), [
      'value: Forbidden: may not be changed in an update.',
    ]);
  });

  it('table: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', () => {
    assert.deepEqual(columnNames(priorityclasses), [
      'NAME',
      'VALUE',
      'GLOBAL-DEFAULT',
      'AGE',
      'PREEMPTIONPOLICY',
    ]);
    const pc = create(priorityclasses, { metadata: { name: 'high' }, value: 1000 });
    assert.deepEqual(Object.values(row(priorityclasses, pc)), [
      'high',
      1000,
      false,
      '60m',
      'PreemptLowerPriority',
    ]);
  });
});

describe('other groups', () => {
  it('Lease fields and table', () => {
    assert.deepEqual(
      createErrors(leases, {
        metadata: { name: 'l' },
        spec: { leaseDurationSeconds: 0, leaseTransitions: -1 },
      }),
      [
        'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
        'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
      ],
    );
    assert.deepEqual(columnNames(leases), ['NAME', 'HOLDER', 'AGE']);
    assert.deepEqual(
      Object.values(
        row(leases, create(leases, { metadata: { name: 'l' }, spec: { holderIdentity: 'node-1' } })),
      ),
      ['l', 'node-1', '60m'],
    );
  });

  it('CSR table: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION', () => {
    assert.deepEqual(columnNames(csrs), [
      'NAME',
      'AGE',
      'SIGNERNAME',
      'REQUESTOR',
      'REQUESTEDDURATION',
      'CONDITION',
    ]);
    const c = create(csrs, {
      metadata: { name: 'csr-1' },
      spec: {
        request: 'AA==',
        signerName: 'kubernetes.io/kube-apiserver-client',
        username: 'jane',
        expirationSeconds: 86400,
      },
    });
    assert.deepEqual(Object.values(row(csrs, c)), [
      'csr-1',
      '60m',
      'kubernetes.io/kube-apiserver-client',
      'jane',
      '24h',
      'Pending',
    ]);
    c.status = { conditions: [{ type: 'Approved' }], certificate: 'AA==' };
    assert.equal(row(csrs, c).Condition, 'Approved,Issued');
    c.status = { conditions: [{ type: 'Approved' }, { type: 'Denied' }, { type: 'Failed' }] };
    assert.equal(row(csrs, c).Condition, 'Denied,Failed');
  });

  it('EndpointSlice table: NAME ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
    assert.deepEqual(columnNames(endpointslices), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    const es = create(endpointslices, {
      metadata: { name: 'web-abc' },
      addressType: 'IPv4',
      ports: [{ port: 80 }, { name: 'metrics' }],
      endpoints: [
        { addresses: ['10.42.0.1'] },
        { addresses: ['10.42.0.2', '10.42.0.3'] },
        { addresses: ['10.42.0.4'] },
      ],
    });
    assert.deepEqual(Object.values(row(endpointslices, es)), [
      'web-abc',
      'IPv4',
      '80,metrics',
      '10.42.0.1,10.42.0.2,10.42.0.3 + 1 more...',
      '60m',
    ]);
  });

  it('PodDisruptionBudget table', () => {
    const p = create(pdbs, {
      metadata: { name: 'p' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'x' } } },
    });
    assert.deepEqual(Object.values(row(pdbs, p)), ['p', 2, 'N/A', 0, '60m']);
  });
});
