// An in-memory stand-in for the API server, enough for one controller's informers and writes:
// lists from fixed objects, watches that stay quiet, and a hook deciding each write's answer.
import { EventEmitter } from 'node:events';
import type { KubeObject } from '../../../src/api/types.js';
import type { RestClient } from '../../../src/client/rest.js';
import { SharedInformers } from '../../../src/client/shared-informers.js';
import { EventRecorder } from '../../../src/client/events.js';
import type { ControllerContext } from '../../../src/controller-manager/context.js';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

export class FakeApi {
  readonly calls: Call[] = [];
  constructor(
    /** collection path → objects it lists */
    private readonly lists: Record<string, KubeObject[]>,
    /** answers a write, or throws the error the server would */
    private readonly onWrite: (call: Call) => unknown = (c) => c.body,
  ) {}

  client(): RestClient {
    const fake = {
      request: (method: string, path: string, body?: unknown): Promise<unknown> => {
        if (method === 'GET') {
          const collection = path.split('?')[0];
          return Promise.resolve({ metadata: { resourceVersion: '1' }, items: this.lists[collection] ?? [] });
        }
        const call = { method, path, body };
        this.calls.push(call);
        try {
          return Promise.resolve(this.onWrite(call));
        } catch (err) {
          return Promise.reject(err);
        }
      },
      stream: (): EventEmitter & { setEncoding(): void; close(): void } => {
        const s = new EventEmitter() as EventEmitter & { setEncoding(): void; close(): void };
        s.setEncoding = () => undefined;
        s.close = () => undefined;
        return s;
      },
      close: () => undefined,
    };
    return fake as unknown as RestClient;
  }

  context(): { ctx: ControllerContext; informers: SharedInformers; recorders: EventRecorder[] } {
    const client = this.client();
    const informers = new SharedInformers(client);
    const recorders: EventRecorder[] = [];
    const ctx: ControllerContext = {
      client,
      informers,
      recorder: (component) => {
        const r = new EventRecorder(client, component);
        recorders.push(r);
        return r;
      },
      clusterCIDR: '10.42.0.0/16',
      serviceCIDR: '10.43.0.0/16',
      flags: {},
    };
    return { ctx, informers, recorders };
  }

  writes(method: string, pathPart: string): Call[] {
    return this.calls.filter((c) => c.method === method && c.path.includes(pathPart));
  }
}
