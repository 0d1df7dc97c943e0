// core/v1 Probe as the kubelet reads it, and the results a probe run gives (upstream's
// pkg/probe Result: success, warning, failure, unknown).

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface ProbeSpec {
  exec?: { command?: string[] };
  httpGet?: {
    path?: string;
    port: number | string;
    host?: string;
    scheme?: 'HTTP' | 'HTTPS';
    httpHeaders?: HTTPHeader[];
  };
  tcpSocket?: { port: number | string; host?: string };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** As upstream's probe.Result.String(). */
export type ProbeResult = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** What the probe answered (exec output, HTTP reason); shown in the Unhealthy event. */
  output: string;
  /** Set when the probe could not run (result unknown), e.g. a port name that does not exist. */
  error?: string;
}

/** "Liveness", as upstream's probeType.String() prints it in events. */
export function probeTypeTitle(t: ProbeType): string {
  return t === 'liveness' ? 'Liveness' : t === 'readiness' ? 'Readiness' : 'Startup';
}

/** Upstream's defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe). */
export function probeTiming(
  p: ProbeSpec,
): Required<
  Pick<
    ProbeSpec,
    'initialDelaySeconds' | 'timeoutSeconds' | 'periodSeconds' | 'successThreshold' | 'failureThreshold'
  >
> {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    timeoutSeconds: p.timeoutSeconds || 1,
    periodSeconds: p.periodSeconds || 10,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}
