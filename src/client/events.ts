// Records core/v1 Events about objects (client-go's record.EventRecorder), the ones
// `kubectl describe` and `kubectl get events` show. Repeats of the same event (same object,
// reason and message) within ten minutes bump count and lastTimestamp instead of adding a new
// Event, as upstream's correlator does; from the tenth different message about the same object,
// type and reason within ten minutes on, they go to one Event whose message reads
// "(combined from similar events): <latest>" (its EventAggregator). Writes are fire-and-forget:
// a failed event write is logged, never an error for the controller that records it.
import type { KubeObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { logger } from '../util/log.js';
import type { RestClient } from './rest.js';

const log = logger('events');
const AGGREGATE_WINDOW_MS = 10 * 60_000;
const MAX_REMEMBERED = 4096;
/** upstream's defaultAggregateMaxEvents: distinct messages before similar events are combined */
const AGGREGATE_MAX_EVENTS = 10;
const COMBINED_PREFIX = '(combined from similar events): ';

export type EventType = 'Normal' | 'Warning';

/** The distinct messages seen lately for one object, type and reason. */
interface Similar {
  messages: Set<string>;
  last: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  last: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly similar = new Map<string, Similar>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: RestClient,
    /** source.component / reportingController, e.g. 'deployment-controller'. */
    private readonly component: string,
    private readonly host = '',
  ) {}

  /** Records an event about `obj` (a full object or an object reference). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const ns = obj.metadata.namespace || 'default';
    const similarKey = `${obj.metadata.uid ?? ''}/${ns}/${obj.metadata.name}/${type}/${reason}`;
    let key = `${similarKey}/${message}`;
    if (this.isAggregated(similarKey, message, Date.now())) {
      key = similarKey;
      message = COMBINED_PREFIX + message;
    }
    // serialize writes so a burst of repeats aggregates instead of racing
    this.pending = this.pending.then(() => this.write(obj, ns, key, type, reason, message));
  }

  /** Records the message among its similar ones; true once there are too many to keep apart. */
  private isAggregated(similarKey: string, message: string, now: number): boolean {
    let rec = this.similar.get(similarKey);
    if (!rec || now - rec.last > AGGREGATE_WINDOW_MS) rec = { messages: new Set(), last: now };
    rec.messages.add(message);
    rec.last = now;
    this.similar.delete(similarKey); // re-insert: the map's order is least recently used first
    this.similar.set(similarKey, rec);
    if (this.similar.size > MAX_REMEMBERED) this.similar.delete(this.similar.keys().next().value!);
    if (rec.messages.size < AGGREGATE_MAX_EVENTS) return false;
    // keep the set at its threshold, as upstream pops one
    rec.messages.delete(rec.messages.values().next().value!);
    return true;
  }

  /** Set by abandon(): the client is about to close, so failed writes are expected. */
  private abandoned = false;

  /**
   * The component is stopping: events not written yet are dropped without a warning, as
   * client-go's broadcaster Shutdown drops what it still queues.
   */
  abandon(): void {
    this.abandoned = true;
  }

  /** Resolves once every event recorded so far is written (for tests and shutdown). */
  flush(): Promise<void> {
    return this.pending;
  }

  private async write(
    obj: KubeObject,
    ns: string,
    key: string,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = Date.now();
    const stamp = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    const prior = this.seen.get(key);
    try {
      if (prior && now - prior.last < AGGREGATE_WINDOW_MS) {
        prior.count++;
        prior.last = now;
        await this.client.request(
          'PATCH',
          `/api/v1/namespaces/${prior.namespace}/events/${prior.name}`,
          // a combined event carries the latest of the similar messages
          { count: prior.count, lastTimestamp: stamp, message },
          'application/strategic-merge-patch+json',
        );
        return;
      }
      const name = `${obj.metadata.name}.${(now * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
      const involved: Record<string, unknown> = {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
      };
      const fieldPath = (obj as { fieldPath?: string }).fieldPath;
      if (fieldPath) involved.fieldPath = fieldPath;
      await this.client.request('POST', `/api/v1/namespaces/${ns}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: involved,
        reason,
        message,
        source: this.host ? { component: this.component, host: this.host } : { component: this.component },
        firstTimestamp: stamp,
        lastTimestamp: stamp,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: this.component,
        reportingInstance: this.host,
      });
      if (this.seen.size >= MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(key, { name, namespace: ns, count: 1, last: now });
    } catch (err) {
      if (prior && err instanceof StatusError && err.code === 404) {
        // the aggregated event was deleted (or expired): start a new one
        this.seen.delete(key);
        return this.write(obj, ns, key, type, reason, message);
      }
      const fields = { reason, object: obj.metadata.name, error: String(err) };
      if (this.abandoned) log.debug('event dropped at shutdown', fields);
      else log.warn('could not record event', fields);
    }
  }
}
