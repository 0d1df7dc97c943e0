// upstream's encryption config controller metrics (k8s.io/apiserver/pkg/server/options/
// encryptionconfig/metrics), as a v1.31 server shows them: automatic_reloads_total and
// automatic_reload_last_timestamp_seconds by status and apiserver identity. The per-outcome
// counters automatic_reload_{failures,success}_total are deprecated since 1.30 and therefore
// hidden in 1.31, so they are not shown here either.
import { Counter } from '../../apiserver/metrics.js';
import { envelopeMetrics, keyIDHash, LastTimestamp } from './kms/metrics.js';

const PREFIX = 'apiserver_encryption_config_controller_';

export class ReloadMetrics {
  private readonly reloads = new Counter(
    `${PREFIX}automatic_reloads_total`,
    'Total number of reload successes and failures of encryption configuration split by apiserver identity.',
  );
  private readonly last = new LastTimestamp(
    `${PREFIX}automatic_reload_last_timestamp_seconds`,
    'Timestamp of the last successful or failed automatic reload of encryption configuration split by apiserver identity.',
  );

  /** identity: the API server identity whose hash labels every series. */
  constructor(private readonly identity: () => string) {}

  private record(status: 'success' | 'failure'): void {
    const labels = { apiserver_id_hash: keyIDHash(this.identity()), status };
    this.reloads.inc(labels);
    this.last.set(labels);
  }

  recordSuccess(): void {
    this.record('success');
  }

  recordFailure(): void {
    this.record('failure');
  }

  /** Prometheus text; '' before the first reload (a vector without series is not shown). */
  render(): string {
    return [this.reloads.render(), this.last.render()]
      .filter((family) => family.split('\n').length > 2)
      .join('\n');
  }
}

/** One set per process, as upstream's legacy registry; labelled with the envelope metrics' identity. */
export const reloadMetrics = new ReloadMetrics(() => envelopeMetrics.apiServerID);
