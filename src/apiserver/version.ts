// The Kubernetes version this server reports (/version, kubectl version, the kubelet's nodeInfo).
export const K8S_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0+k8ts' };
