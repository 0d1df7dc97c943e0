// The kubelet API's port-forward and resource-metrics endpoints: /portForward/{ns}/{pod}[/{uid}]
// hands the upgraded connection to the port-forward protocol (portforward.ts) with a target in
// the pod's network namespace; /metrics/resource reports CPU and memory as metrics-server reads;
// /stats/summary the summary API.
import { renderResourceMetrics } from '../stats/resource-metrics.js';
import { handlePortForward } from './portforward.js';
import { writeRawResponse } from './remotecommand.js';
import type { RouteCall } from './routes.js';

export async function servePortForward(call: RouteCall): Promise<void> {
  const { socket, head } = call.upgrade ?? {};
  const { namespace, pod: name, uid } = call.params;
  const fail = (status: number, message: string) => {
    if (socket) writeRawResponse(socket, status, message);
    else call.res!.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
  };
  const pod = call.ctx.pod(namespace, name);
  if (!pod || (uid && pod.metadata.uid !== uid)) return fail(404, 'pod does not exist');
  if (!call.ctx.runtime.portForward)
    return fail(
      400,
      `container runtime "${call.ctx.runtime.name}" runs no processes, so port-forward is not available for its pods`,
    );
  if (!socket) return fail(400, 'Upgrade request required');
  let target;
  try {
    target = await call.ctx.runtime.portForward(pod.metadata.uid ?? '');
  } catch {
    // upstream's text when the runtime has no sandbox for the pod
    return fail(500, `pod not found ("${name}_${namespace}")`);
  }
  const session = handlePortForward(call.req, socket, head!, target, {
    podName: name,
    uid: pod.metadata.uid,
  });
  if (!session) target.close();
}

export async function serveResourceMetrics(call: RouteCall): Promise<void> {
  const usage = call.ctx.runtime.resourceUsage;
  if (!usage) {
    call.res!.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    return;
  }
  const text = renderResourceMetrics(await usage.call(call.ctx.runtime));
  call.res!.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
}

/** /stats/summary (what `kubectl get --raw /api/v1/nodes/<n>/proxy/stats/summary` shows). */
export async function serveStatsSummary(call: RouteCall): Promise<void> {
  const summary = call.ctx.runtime.statsSummary;
  if (!summary) {
    call.res!.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    return;
  }
  const body = JSON.stringify(await summary.call(call.ctx.runtime, call.ctx.nodeName), null, 2);
  call.res!.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
}
