// The --audit-* flags of kube-apiserver (k8s.io/apiserver/pkg/server/options/audit.go): names,
// defaults, and the validation messages upstream gives when a value is refused.
import { parseDuration } from '../../util/duration.js';
import { LOG_BATCH, MODES, WEBHOOK_BATCH, type BatchConfig, type Mode } from './buffered.js';
import { FORMATS, type Format } from './backend-log.js';
import { DEFAULT_TRUNCATE, type TruncateConfig } from './truncate.js';

/** One backend's mode, batching and truncation (flags --audit-<plugin>-*). */
export interface BackendOptions {
  mode: Mode;
  batch: BatchConfig;
  truncateEnabled: boolean;
  truncate: TruncateConfig;
}

export interface AuditOptions {
  policyFile?: string;
  logPath?: string;
  logMaxAgeDays?: number;
  logMaxBackups?: number;
  logMaxSizeMB?: number;
  logFormat?: Format;
  logCompress?: boolean;
  /** upstream's defaults: blocking, no batching */
  log?: BackendOptions;
  webhookConfigFile?: string;
  webhookInitialBackoffMs?: number;
  /** upstream's defaults: batch, 10000 buffered, 400 per batch, 30s, throttle 10 QPS burst 15 */
  webhook?: BackendOptions;
}

export const AUDIT_VERSION = 'audit.k8s.io/v1';

const PLUGINS = ['log', 'webhook'] as const;
const PER_BACKEND = [
  'mode',
  'batch-buffer-size',
  'batch-max-size',
  'batch-max-wait',
  'batch-throttle-qps',
  'batch-throttle-burst',
  'truncate-max-batch-size',
  'truncate-max-event-size',
  'version',
] as const;
const PER_BACKEND_BOOL = ['batch-throttle-enable', 'truncate-enabled'] as const;

type FlagOption = { type: 'string' } | { type: 'boolean' };

/** parseArgs options of every --audit-* flag. */
export const AUDIT_FLAG_OPTIONS: Record<string, FlagOption> = Object.fromEntries([
  ...[
    'audit-policy-file',
    'audit-log-path',
    'audit-log-maxage',
    'audit-log-maxbackup',
    'audit-log-maxsize',
    'audit-log-format',
    'audit-webhook-config-file',
    'audit-webhook-initial-backoff',
    'audit-webhook-batch-initial-backoff',
  ].map((f) => [f, { type: 'string' }]),
  ['audit-log-compress', { type: 'boolean' }],
  ...PLUGINS.flatMap((p) => [
    ...PER_BACKEND.map((f) => [`audit-${p}-${f}`, { type: 'string' }]),
    ...PER_BACKEND_BOOL.map((f) => [`audit-${p}-${f}`, { type: 'boolean' }]),
  ]),
]) as Record<string, FlagOption>;

export const AUDIT_FLAGS_HELP = `  --audit-policy-file FILE       audit.k8s.io/v1 Policy; without it nothing is audited
  --audit-log-path PATH          Write audit events to PATH ('-' = stdout), one line each
  --audit-log-format json|legacy JSON lines (default) or upstream's one-line text
  --audit-log-maxage DAYS        Remove rotated audit logs older than this (default 0 = keep)
  --audit-log-maxbackup N        Keep at most N rotated audit logs (default 0 = all)
  --audit-log-maxsize MB         Rotate the audit log at this size (default 100)
  --audit-log-compress           gzip rotated audit logs
  --audit-webhook-config-file F  kubeconfig of a server that receives audit EventList batches
  --audit-webhook-initial-backoff DUR  Wait before retrying a failed webhook request (default 10s)
  --audit-{log,webhook}-mode M   batch, blocking or blocking-strict (defaults: log blocking, webhook batch)
  --audit-{log,webhook}-batch-buffer-size N, -batch-max-size N, -batch-max-wait DUR,
    -batch-throttle-enable, -batch-throttle-qps Q, -batch-throttle-burst N   batch mode (upstream's defaults)
  --audit-{log,webhook}-truncate-enabled, -truncate-max-event-size B, -truncate-max-batch-size B
  --audit-{log,webhook}-version V  audit.k8s.io/v1 (the only one)
`;

type Values = Record<string, unknown>;

const bool = (values: Values, flag: string, fallback: boolean) =>
  values[flag] === undefined ? fallback : values[flag] === true;

/**
 * pflag's `--flag=true|false` for the boolean --audit-* flags, which node's parseArgs takes only
 * bare: returns the arguments without them and the values they set.
 */
export function auditBoolArgs(args: string[]): { args: string[]; values: Record<string, boolean> } {
  const values: Record<string, boolean> = {};
  const rest = args.filter((a) => {
    const m = /^--(audit-[a-z-]+)=(true|false)$/.exec(a);
    if (!m || AUDIT_FLAG_OPTIONS[m[1]]?.type !== 'boolean') return true;
    values[m[1]] = m[2] === 'true';
    return false;
  });
  return { args: rest, values };
}

function int(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (v === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(String(v)))
    throw new Error(
      `invalid argument "${String(v)}" for "--${flag}" flag: strconv.ParseInt: parsing "${String(v)}": invalid syntax`,
    );
  return Number(v);
}

function float(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (String(v).trim() === '' || Number.isNaN(n))
    throw new Error(
      `invalid argument "${String(v)}" for "--${flag}" flag: strconv.ParseFloat: parsing "${String(v)}": invalid syntax`,
    );
  return n;
}

function validateVersion(version: string): string | undefined {
  const parts = version.split('/');
  if (parts.length > 2) return `unexpected GroupVersion string: ${version}`;
  if (version !== AUDIT_VERSION) return `invalid group version, allowed versions are ["${AUDIT_VERSION}"]`;
  return undefined;
}

function backendOptions(values: Values, plugin: 'log' | 'webhook', errs: string[]): BackendOptions {
  const f = (name: string) => `audit-${plugin}-${name}`;
  const defaults = plugin === 'log' ? LOG_BATCH : WEBHOOK_BATCH;
  const mode = (values[f('mode')] as string | undefined) ?? (plugin === 'log' ? 'blocking' : 'batch');
  const wait = values[f('batch-max-wait')] as string | undefined;
  const batch: BatchConfig = {
    bufferSize: int(values, f('batch-buffer-size'), defaults.bufferSize),
    maxBatchSize: int(values, f('batch-max-size'), defaults.maxBatchSize),
    maxBatchWaitMs: wait === undefined ? defaults.maxBatchWaitMs : parseDuration(wait, f('batch-max-wait')),
    throttleEnable: bool(values, f('batch-throttle-enable'), defaults.throttleEnable),
    throttleQPS: float(values, f('batch-throttle-qps'), defaults.throttleQPS),
    throttleBurst: int(values, f('batch-throttle-burst'), defaults.throttleBurst),
    asyncDelegate: defaults.asyncDelegate,
  };
  const truncate: TruncateConfig = {
    maxEventSize: int(values, f('truncate-max-event-size'), DEFAULT_TRUNCATE.maxEventSize),
    maxBatchSize: int(values, f('truncate-max-batch-size'), DEFAULT_TRUNCATE.maxBatchSize),
  };
  if (!(MODES as readonly string[]).includes(mode))
    errs.push(`invalid audit ${plugin} mode ${mode}, allowed modes are "${MODES.join(',')}"`);
  else if (mode === 'batch') {
    if (batch.bufferSize <= 0)
      errs.push(`invalid audit batch ${plugin} buffer size ${batch.bufferSize}, must be a positive number`);
    else if (batch.maxBatchSize <= 0)
      errs.push(
        `invalid audit batch ${plugin} max batch size ${batch.maxBatchSize}, must be a positive number`,
      );
    else if (batch.throttleEnable && batch.throttleQPS <= 0)
      errs.push(`invalid audit batch ${plugin} throttle QPS ${batch.throttleQPS}, must be a positive number`);
    else if (batch.throttleEnable && batch.throttleBurst <= 0)
      errs.push(
        `invalid audit batch ${plugin} throttle burst ${batch.throttleBurst}, must be a positive number`,
      );
  }
  if (truncate.maxEventSize <= 0)
    errs.push(
      `invalid audit truncate ${plugin} max event size ${truncate.maxEventSize}, must be a positive number`,
    );
  else if (truncate.maxBatchSize < truncate.maxEventSize)
    errs.push(
      `invalid audit truncate ${plugin} max batch size ${truncate.maxBatchSize}, must be greater than max event size (${truncate.maxEventSize})`,
    );
  const versionErr = validateVersion((values[f('version')] as string | undefined) ?? AUDIT_VERSION);
  if (versionErr) errs.push(versionErr);
  return { mode: mode as Mode, batch, truncateEnabled: bool(values, f('truncate-enabled'), false), truncate };
}

/**
 * AuditOptions from parsed --audit-* flags; throws upstream's messages (several as "[a, b]").
 * `resolvePath` makes file flags absolute.
 */
export function auditOptionsFromFlags(values: Values, resolvePath: (p: string) => string): AuditOptions {
  const o: AuditOptions = {};
  const str = (flag: string) => values[flag] as string | undefined;
  const errs: string[] = [];
  if (str('audit-policy-file')) o.policyFile = resolvePath(str('audit-policy-file')!);
  const logPath = str('audit-log-path');
  if (logPath) {
    o.logPath = logPath === '-' ? '-' : resolvePath(logPath);
    o.log = backendOptions(values, 'log', errs);
    const format = str('audit-log-format') ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format))
      errs.push(`invalid audit log format ${format}, allowed formats are "${FORMATS.join(',')}"`);
    o.logFormat = format as Format;
    o.logCompress = bool(values, 'audit-log-compress', false);
    const sizes: [string, 'logMaxAgeDays' | 'logMaxBackups' | 'logMaxSizeMB'][] = [
      ['audit-log-maxage', 'logMaxAgeDays'],
      ['audit-log-maxbackup', 'logMaxBackups'],
      ['audit-log-maxsize', 'logMaxSizeMB'],
    ];
    for (const [flag, key] of sizes) {
      const n = int(values, flag, 0);
      if (n < 0) errs.push(`--${flag} ${n} can't be a negative number`);
      o[key] = n;
    }
  }
  const webhookConfig = str('audit-webhook-config-file');
  if (webhookConfig) {
    o.webhookConfigFile = resolvePath(webhookConfig);
    o.webhook = backendOptions(values, 'webhook', errs);
    // the deprecated --audit-webhook-batch-initial-backoff sets the same value
    const backoff = str('audit-webhook-initial-backoff') ?? str('audit-webhook-batch-initial-backoff');
    if (backoff) o.webhookInitialBackoffMs = parseDuration(backoff, 'audit-webhook-initial-backoff');
  }
  if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  return o;
}
