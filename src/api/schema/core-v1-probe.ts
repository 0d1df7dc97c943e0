// Probes and lifecycle hooks of containers.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, int64, ref, arr, obj, t, INT_OR_STRING } from './dsl.js';
import { atomic, P } from './core-v1-common.js';

export const probeDefinitions: Definitions = {
  [`${P}.Probe`]: obj('A periodic check of a container.', {
    exec: ref(`${P}.ExecAction`, 'Run a command in the container; exit status 0 means healthy.'),
    failureThreshold: int32('Consecutive failures after which the probe counts as failed; defaults to 3.'),
    grpc: ref(`${P}.GRPCAction`, 'Call the gRPC health-checking service of the container.'),
    httpGet: ref(`${P}.HTTPGetAction`, 'Send an HTTP GET request; a 2xx or 3xx answer means healthy.'),
    initialDelaySeconds: int32('Seconds after the container starts before the first probe.'),
    periodSeconds: int32('Seconds between probes; defaults to 10.'),
    successThreshold: int32(
      'Consecutive successes after a failure for the probe to count as passing; defaults to 1.',
    ),
    tcpSocket: ref(`${P}.TCPSocketAction`, 'Open a TCP connection to a port.'),
    terminationGracePeriodSeconds: int64(
      "Grace period for stopping the pod when this probe fails; overrides the pod's value.",
    ),
    timeoutSeconds: int32('Seconds after which a probe times out; defaults to 1.'),
  }),
  [`${P}.ExecAction`]: obj('A command run inside a container.', {
    command: arr(t.str, 'The command and its arguments, run without a shell.', atomic),
  }),
  [`${P}.HTTPGetAction`]: obj(
    'An HTTP GET request.',
    {
      host: str('The host name to connect to; defaults to the pod IP.'),
      httpHeaders: arr(t.ref(`${P}.HTTPHeader`), 'Headers to send with the request.', atomic),
      path: str('The path of the request.'),
      port: ref(INT_OR_STRING, 'The port, by number or by name.'),
      scheme: str('The scheme to connect with; defaults to HTTP.', { enum: ['HTTP', 'HTTPS'] }),
    },
    { required: ['port'] },
  ),
  [`${P}.HTTPHeader`]: obj(
    'One HTTP header.',
    {
      name: str("The header's name."),
      value: str("The header's value."),
    },
    { required: ['name', 'value'] },
  ),
  [`${P}.TCPSocketAction`]: obj(
    'A TCP connection attempt.',
    {
      host: str('The host to connect to; defaults to the pod IP.'),
      port: ref(INT_OR_STRING, 'The port, by number or by name.'),
    },
    { required: ['port'] },
  ),
  [`${P}.GRPCAction`]: obj(
    'A gRPC health check.',
    {
      port: int32('The port of the gRPC service.'),
      service: str('The service name sent in the health check request.'),
    },
    { required: ['port'] },
  ),
  [`${P}.SleepAction`]: obj(
    'A pause.',
    {
      seconds: int64('How many seconds to sleep.'),
    },
    { required: ['seconds'] },
  ),
  [`${P}.Lifecycle`]: obj("Actions run by the system at points of a container's life.", {
    postStart: ref(
      `${P}.LifecycleHandler`,
      'Run right after the container is created; the container is restarted if it fails.',
    ),
    preStop: ref(
      `${P}.LifecycleHandler`,
      'Run before the container is stopped by an API request or a management event.',
    ),
  }),
  [`${P}.LifecycleHandler`]: obj('One lifecycle action; exactly one of its fields is set.', {
    exec: ref(`${P}.ExecAction`, 'Run a command in the container.'),
    httpGet: ref(`${P}.HTTPGetAction`, 'Send an HTTP GET request.'),
    sleep: ref(`${P}.SleepAction`, 'Wait for some time.'),
    tcpSocket: ref(`${P}.TCPSocketAction`, 'Deprecated; accepted for compatibility but not run.'),
  }),
};
