// --audit-{log,webhook}-truncate-*: upstream's truncate plugin, the outermost layer of a
// backend. An event larger than max-event-size loses its requestObject and responseObject (if
// its level recorded any) and gains the annotation audit.k8s.io/truncated: "true"; one still too
// large is dropped (plugin "truncate"). Events are passed on in batches of at most
// max-batch-size bytes.
import { allOf, pluginError, type AuditBackend, type ErrorCounter } from './backend.js';
import { eventJSON, type AuditEvent } from './event.js';
import { atLeast } from './policy.js';

export interface TruncateConfig {
  maxEventSize: number;
  maxBatchSize: number;
}

/** upstream's defaults: 100 KiB per event, 10 MiB per batch */
export const DEFAULT_TRUNCATE: TruncateConfig = { maxEventSize: 100 * 1024, maxBatchSize: 10 * 1024 * 1024 };

/** The encoded size, as upstream's sizer counts it (the JSON and its newline). */
const sizeOf = (ev: AuditEvent) => Buffer.byteLength(eventJSON(ev)) + 1;

function truncated(ev: AuditEvent): AuditEvent {
  const { requestObject: _req, responseObject: _res, ...rest } = ev;
  return { ...rest, annotations: { ...ev.annotations, 'audit.k8s.io/truncated': 'true' } };
}

export class TruncateBackend implements AuditBackend {
  readonly name = 'truncate';

  constructor(
    private readonly delegate: AuditBackend,
    private readonly config: TruncateConfig,
    private readonly countError: ErrorCounter,
  ) {}

  process(events: AuditEvent[]): boolean | Promise<boolean> {
    const { maxEventSize, maxBatchSize } = this.config;
    const results: (boolean | Promise<boolean>)[] = [];
    let batch: AuditEvent[] = [];
    let batchSize = 0;
    let tooLarge = 0;
    for (let ev of events) {
      let size = sizeOf(ev);
      if (size > maxEventSize && atLeast(ev.level, 'Request')) {
        ev = truncated(ev);
        size = sizeOf(ev);
      }
      if (size > maxEventSize) {
        tooLarge++;
        continue;
      }
      if (batch.length && batchSize + size > maxBatchSize) {
        results.push(this.delegate.process(batch));
        batch = [];
        batchSize = 0;
      }
      batchSize += size;
      batch.push(ev);
    }
    if (batch.length) results.push(this.delegate.process(batch));
    if (tooLarge)
      pluginError(this.countError, this.name, tooLarge, 'event is too large even after truncating');
    return allOf(results);
  }

  shutdown(): Promise<void> {
    return this.delegate.shutdown();
  }
}
