// upstream's envelope encryption metrics (k8s.io/apiserver/.../envelope/metrics), KMS v2 part:
// key IDs are exposed only as "sha256:<hex>" hashes, as is the API server's identity.
import { createHash } from 'node:crypto';
import { Counter, Histogram } from '../../../apiserver/metrics.js';

export const FROM_STORAGE = 'from_storage';
export const TO_STORAGE = 'to_storage';

/** upstream's getHash: empty stays empty */
export function keyIDHash(data: string): string {
  return data ? `sha256:${createHash('sha256').update(data).digest('hex')}` : '';
}

/** Go's grpc codes.Code.String() for the numeric status codes */
const GRPC_CODES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];
export const grpcCodeName = (code: number | undefined): string =>
  code === undefined ? 'unknown-non-grpc' : (GRPC_CODES[code] ?? `Code(${code})`);

/** 0.1 ms doubling 20 times, upstream's buckets for KMS calls */
const KMS_BUCKETS = Array.from({ length: 20 }, (_, i) => 0.0001 * 2 ** i);

/** A gauge of "when did this last happen" per label set (set to now on each record). */
export class LastTimestamp {
  private values = new Map<string, { labels: Record<string, string>; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(labels: Record<string, string>): void {
    this.values.set(JSON.stringify(labels), { labels, value: Date.now() / 1000 });
  }
  render(): string {
    const c = new Counter(this.name, this.help); // same text layout, gauge type
    for (const { labels, value } of this.values.values()) c.inc(labels, value);
    return c.render().replace(`# TYPE ${this.name} counter`, `# TYPE ${this.name} gauge`);
  }
}

class EnvelopeMetrics {
  /** The API server identity (its identity Lease name) whose hash labels the key ID metrics. */
  apiServerID = '';
  private readonly keyIDTotal = new Counter(
    'apiserver_envelope_encryption_key_id_hash_total',
    'Number of times a keyID is used split by transformation type, provider, and apiserver identity.',
  );
  private readonly keyIDLast = new LastTimestamp(
    'apiserver_envelope_encryption_key_id_hash_last_timestamp_seconds',
    'The last time in seconds when a keyID was used.',
  );
  private readonly statusLast = new LastTimestamp(
    'apiserver_envelope_encryption_key_id_hash_status_last_timestamp_seconds',
    'The last time in seconds when a keyID was returned by the Status RPC call.',
  );
  private readonly invalidKeyID = new Counter(
    'apiserver_envelope_encryption_invalid_key_id_from_status_total',
    'Number of times an invalid keyID is returned by the Status RPC call split by error.',
  );
  private readonly latency = new Histogram(
    'apiserver_envelope_encryption_kms_operations_latency_seconds',
    'KMS operation duration with gRPC error code status total.',
    KMS_BUCKETS,
  );
  private readonly cacheSizes = new Map<string, number>();

  recordKeyID(transformationType: string, providerName: string, keyID: string): void {
    const labels = {
      transformation_type: transformationType,
      provider_name: providerName,
      key_id_hash: keyIDHash(keyID),
      apiserver_id_hash: keyIDHash(this.apiServerID),
    };
    this.keyIDTotal.inc(labels);
    this.keyIDLast.set(labels);
  }

  recordKeyIDFromStatus(providerName: string, keyID: string): void {
    this.statusLast.set({
      provider_name: providerName,
      key_id_hash: keyIDHash(keyID),
      apiserver_id_hash: keyIDHash(this.apiServerID),
    });
  }

  recordInvalidKeyIDFromStatus(providerName: string, error: string): void {
    this.invalidKeyID.inc({ provider_name: providerName, error });
  }

  recordLatency(providerName: string, method: string, seconds: number, grpcCode: string): void {
    this.latency.observe(
      { provider_name: providerName, method_name: method, grpc_status_code: grpcCode },
      seconds,
    );
  }

  recordDEKSourceCacheSize(providerName: string, size: number): void {
    this.cacheSizes.set(providerName, size);
  }

  render(): string {
    const cache = [
      '# HELP apiserver_envelope_encryption_dek_source_cache_size Number of records in data encryption key (DEK) source cache. On a restart, this value is an approximation of the number of decrypt RPC calls the server will make to the KMS plugin.',
      '# TYPE apiserver_envelope_encryption_dek_source_cache_size gauge',
      ...[...this.cacheSizes].map(
        ([p, n]) => `apiserver_envelope_encryption_dek_source_cache_size{provider_name="${p}"} ${n}`,
      ),
    ].join('\n');
    // as Prometheus vectors: a family without series is not shown
    return [
      cache,
      this.invalidKeyID.render(),
      this.keyIDLast.render(),
      this.statusLast.render(),
      this.keyIDTotal.render(),
      this.latency.render(),
    ]
      .filter((family) => family.split('\n').length > 2)
      .join('\n');
  }
}

/** One set per process, as upstream's legacy registry. */
export const envelopeMetrics = new EnvelopeMetrics();
