// Composes the API server: PKI, storage, one watch cache and store per resource, the
// bootstrap objects, and the HTTPS listener that speaks HTTP/2 and HTTP/1.1 on one port.
import { hostname as osHostname } from 'node:os';
import { datastoreProbe, healthChecks } from './health.js';
import {
  createSecureServer,
  type Http2SecureServer,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { upgradeListener } from './http/upgrade.js';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { logger } from '../util/log.js';
import { adminKubeconfig, ensureServerPKI, type ServerPKI } from '../pki/bundle.js';
import { openStorage, type DatastoreTLS } from '../storage/open.js';
import {
  envelopeMetrics,
  kmsHealthCheck,
  reloadMetrics,
  withEncryption,
  type GroupResource,
} from '../storage/encryption/index.js';
import { WatchCache } from '../storage/cacher.js';
import type { Storage } from '../storage/types.js';
import type { WatchCacheApi } from '../storage/cacher-types.js';
import { allStrategies } from './registry/index.js';
import { ServiceAllocators, nthIP } from './allocators.js';
import { ResourceStore } from './endpoints/store.js';
import { decodeFromStorage } from './endpoints/object-json.js';
import { createHandler, storeKey } from './handler.js';
import { Metrics } from './metrics.js';
import { instrument } from './instrumented-storage.js';
import { namespaceChecker } from './namespace-lifecycle.js';
import { bootstrapObjects, systemContext } from './bootstrap.js';
import { AdmissionChain } from './admission/chain.js';
import { defaultAdmissionPlugins, enabledPlugins } from './admission/index.js';
import type { AdmissionPluginConfigs } from './admission/config.js';
import { buildAuthenticator, buildAuthorizer, type AuthenticationFlags } from './auth/index.js';
import { reconcileBootstrapPolicy } from './auth/rbac/reconcile.js';
import { CustomHandlers } from './endpoints/custom.js';
import { registerCustomHandlers, type ApiServerParts } from './extensions.js';
import { createDocumentServer } from './documents.js';
import { startCustomResources } from './crd/index.js';
import { withIssuerDiscovery } from './auth/authn/oidc.js';
import type { Req, Res } from './http/io.js';
import { Auditor, type AuditOptions } from './audit/index.js';
import { parseRuntimeConfig, runtimeConfig } from './runtime-config.js';
import { startAggregator } from './aggregator/index.js';
import type { PreRoute } from '../cluster/bootstrap-route.js';
import { apiserverIdentity, EndpointReconciler } from './endpoint-reconciler.js';
import { advertiseAddress } from './bootstrap.js';
import { ShutdownSequence, type ShutdownOptions } from './shutdown.js';

const log = logger('apiserver');

export interface ApiServerOptions {
  dataDir: string;
  bindAddress: string;
  port: number;
  serviceCIDR: string;
  clusterCIDR: string;
  /** --admission-control-config-file, as loadAdmissionConfig read it (plugin name → configuration). */
  admissionConfig?: AdmissionPluginConfigs;
  /** --disable-admission-plugins: upstream's plugin names to leave out. */
  disableAdmissionPlugins?: string[];
  /** The cluster DNS Service's IP (--cluster-dns); undefined: no kube-dns Service. */
  clusterDNS?: string;
  /** How often the Metrics API scrapes kubelets (metrics-server's --metric-resolution). */
  metricResolutionMs?: number;
  tlsSans: string[];
  datastoreEndpoint?: string;
  datastoreTLS?: DatastoreTLS;
  kubeconfigPath: string;
  kubeconfigMode: number;
  /** Server address written into the kubeconfig (defaults to https://127.0.0.1:<port>). */
  advertiseURL?: string;
  /** --token-auth-file, --service-account-issuer, ... */
  authentication?: AuthenticationFlags;
  /** --encryption-provider-config: an EncryptionConfiguration file (encryption at rest). */
  encryptionProviderConfig?: string;
  /** --encryption-provider-config-automatic-reload: watch that file and apply its changes. */
  encryptionProviderConfigAutomaticReload?: boolean;
  /** --audit-policy-file, --audit-log-*, --audit-webhook-*. */
  audit?: AuditOptions;
  /** --runtime-config: group versions and resources to serve or not (runtime-config.ts). */
  runtimeConfig?: string;
  /** Answers a request before authentication when it returns true (the join bootstrap endpoints). */
  preRoute?: PreRoute;
  /** Host name the API server identity Lease is made from (default: the OS's; --node-name). */
  hostname?: string;
  /** --kubelet-certificate-authority: PEM bundle that kubelets' serving certificates must chain to. */
  kubeletCA?: string;
  /** --shutdown-delay-duration, --shutdown-send-retry-after, --shutdown-watch-termination-grace-period */
  shutdown?: ShutdownOptions;
}

/** upstream's HTTP server shutdown timeout with --shutdown-send-retry-after (net/http waits 1 s for GOAWAY answers); used after every drain */
const RETRY_AFTER_SERVER_SHUTDOWN_MS = 2_000;

import { K8S_VERSION } from './version.js';
export { K8S_VERSION };

export class ApiServer {
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();
  /** open streams per HTTP/2 session */
  private readonly openStreams = new WeakMap<ServerHttp2Session, number>();
  /** TLS connections that speak HTTP/1.1 (ALPN did not choose h2) */
  private readonly http1 = new Set<TLSSocket>();
  private ready = false;
  private stopped?: Promise<void>;

  private constructor(
    private readonly server: Http2SecureServer,
    private readonly storage: Storage,
    private readonly caches: WatchCacheApi[],
    private readonly disposers: (() => void)[],
    readonly pki: ServerPKI,
    readonly port: number,
    private readonly audit: Auditor,
    private readonly reconciler: EndpointReconciler,
    private readonly shutdown: ShutdownSequence,
  ) {}

  /** Shutdown was initiated: /readyz fails its `shutdown` check (load balancers move away first). */
  get stopping(): boolean {
    return this.shutdown.initiated;
  }

  static async start(opts: ApiServerOptions): Promise<ApiServer> {
    const t0 = performance.now();
    const serving = runtimeConfig(parseRuntimeConfig(opts.runtimeConfig ?? ''), allStrategies);
    const allocators = new ServiceAllocators(opts.serviceCIDR);
    const pki = await ensureServerPKI({
      tlsDir: join(opts.dataDir, 'server', 'tls'),
      kubernetesServiceIP: nthIP(opts.serviceCIDR, 1),
      tlsSans: opts.tlsSans,
    });
    const metrics = new Metrics();
    // the envelope encryption metrics carry the hash of this server's identity, as upstream's
    envelopeMetrics.apiServerID = apiserverIdentity(opts.hostname ?? osHostname());
    metrics.addSection(() => envelopeMetrics.render());
    metrics.addSection(() => reloadMetrics.render());
    const audit = Auditor.create(opts.audit ?? {}, auditMetrics(metrics));
    const storage = await withEncryption(
      instrument(openStorage(opts.datastoreEndpoint, opts.dataDir, opts.datastoreTLS), metrics),
      opts.encryptionProviderConfig,
      storedResources(),
      { automaticReload: opts.encryptionProviderConfigAutomaticReload },
    );
    const disposers: (() => void)[] = [];
    const maintenance = (
      storage as {
        startMaintenance?: (o: { intervalMs: number; keepRevisions: number }) => { dispose(): void };
      }
    ).startMaintenance;
    if (maintenance) {
      const m = maintenance.call(storage, { intervalMs: 60_000, keepRevisions: 100_000 });
      disposers.push(() => m.dispose());
    }

    // one watch cache per storage prefix (versions of one resource share it)
    const caches = new Map<string, WatchCache>();
    const stores = new Map<string, ResourceStore>();
    const byResource = new Map<string, ResourceStore>();
    const checkNamespace = namespaceChecker(() => byResource.get('namespaces')!);
    const lookup = (group: string, resource: string) =>
      byResource.get(group ? `${resource}.${group}` : resource);
    // plugins are made after the stores exist; the stores reach them through this holder
    const admission = { chain: AdmissionChain.empty };
    const admissionProxy = {
      admit: (r: Parameters<AdmissionChain['admit']>[0]) => admission.chain.admit(r),
      validate: (r: Parameters<AdmissionChain['validate']>[0]) => admission.chain.validate(r),
    } as AdmissionChain;
    for (const st of allStrategies) {
      const prefix = `/registry/${(st.storedAs ?? st).resource}/`;
      let cache = caches.get(prefix);
      if (!cache) {
        cache = new WatchCache(storage, prefix, {
          decode: (kv) => decodeFromStorage(kv.value, kv.modRevision),
        });
        caches.set(prefix, cache);
      }
      const store = new ResourceStore(st, {
        storage,
        cache,
        allocators,
        checkNamespace,
        admission: admissionProxy,
      });
      stores.set(storeKey(st.group, st.version, st.resource), store);
      const grKey = st.group ? `${st.resource}.${st.group}` : st.resource;
      if (!st.storedAs && !byResource.has(grKey)) byResource.set(grKey, store);
    }
    await Promise.all([...caches.values()].map((c) => c.start()));
    await Promise.all([...caches.values()].map((c) => c.ready()));
    metrics.addGauge(
      'apiserver_storage_objects',
      'Number of stored objects at the time of last check split by kind.',
      () =>
        [...byResource.values()].map((s) => ({
          labels: {
            resource: s.strategy.group ? `${s.strategy.resource}.${s.strategy.group}` : s.strategy.resource,
          },
          value: countOf(s.cache),
        })),
    );
    // what existing Services hold
    const services = await byResource.get('services')!.cache.list({ resourceVersion: '0' });
    for (const s of services.items)
      allocators.reserve((s.obj as { spec?: Parameters<ServiceAllocators['reserve']>[0] }).spec);

    const advertise = opts.advertiseURL ?? `https://127.0.0.1:${opts.port}`;
    await bootstrapObjects(lookup, allocators, {
      bindAddress: opts.bindAddress,
      port: opts.port,
      clusterDNS: opts.clusterDNS,
      clusterInfo: { server: advertise, caPem: pki.caCertPem },
    });
    await reconcileBootstrapPolicy(lookup, systemContext);
    const reconciler = new EndpointReconciler({
      leases: lookup('coordination.k8s.io', 'leases')!,
      endpoints: lookup('', 'endpoints')!,
      endpointSlices: lookup('discovery.k8s.io', 'endpointslices')!,
      ip: advertiseAddress(opts.bindAddress),
      port: opts.port,
      hostname: opts.hostname,
    });
    await reconciler.start();
    const authOptions = { dataDir: opts.dataDir, lookup, clientCAPem: pki.caCertPem, ...opts.authentication };
    const authorizer = buildAuthorizer(authOptions);
    admission.chain = new AdmissionChain(
      enabledPlugins(
        defaultAdmissionPlugins({
          store: lookup,
          systemContext,
          authorizer: () => authorizer,
          config: opts.admissionConfig,
        }),
        opts.disableAdmissionPlugins ?? [],
      ),
    );
    const authenticator = buildAuthenticator(authOptions, authorizer);
    const parts: ApiServerParts = {
      dataDir: opts.dataDir,
      pki,
      serviceCIDR: opts.serviceCIDR,
      clusterCIDR: opts.clusterCIDR,
      lookup,
      systemContext,
      authenticator,
      authorizer,
      authentication: authenticator,
      onStop: (dispose) => disposers.push(dispose),
      metricResolutionMs: opts.metricResolutionMs,
      ...(opts.kubeletCA !== undefined ? { kubeletCA: opts.kubeletCA } : {}),
    };
    const custom = new CustomHandlers();
    registerCustomHandlers(custom, parts);

    // --runtime-config: what is not served leaves the handler's table (its storage stays for
    // lookups). The Metrics API is aggregated upstream, outside --runtime-config's reach, but
    // needs the aggregation API: without apiregistration.k8s.io (api/all=false) no APIService
    // can route it, so `kubectl api-versions` lists only what was turned back on.
    const aggregation = [...stores.values()].some(
      (s) => s.strategy.group === 'apiregistration.k8s.io' && serving.serves(s.strategy),
    );
    for (const [key, s] of stores) {
      const on = s.strategy.group === 'metrics.k8s.io' ? aggregation : serving.serves(s.strategy);
      if (!on) stores.delete(key);
    }
    const served = stores;
    const aggregator = await startAggregator({
      tlsDir: join(opts.dataDir, 'server', 'tls'),
      clientCAPem: pki.caCertPem,
      lookup,
      systemContext,
      served: [...served.values()].map((s) => s.strategy),
    });
    disposers.push(() => aggregator.stop());
    // custom resources join the stores and documents while the server runs (src/apiserver/crd)
    const customResources = await startCustomResources(
      {
        storage,
        crds: byResource.get('customresourcedefinitions.apiextensions.k8s.io')!,
        stores,
        byResource,
        storeDeps: { allocators, checkNamespace, admission: admissionProxy },
        storeKey,
        systemContext,
      },
      [...stores.values()].map((s) => s.strategy),
      (strategies) => aggregator.withDiscovery(createDocumentServer(strategies, advertise)),
    );
    disposers.push(() => customResources.dispose());
    const documents = withIssuerDiscovery(
      customResources.documents,
      authenticator.serviceAccounts.issuer,
      authenticator.serviceAccounts.publicKeys,
      advertise,
    );
    const api = { value: undefined as ApiServer | undefined };
    const shutdown = new ShutdownSequence(opts.shutdown);
    const handler = createHandler({
      stores: served,
      documents,
      metrics,
      version: {
        ...K8S_VERSION,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-11-22T00:00:00Z',
        goVersion: `node${process.versions.node}`,
        compiler: 'k8ts',
        platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      },
      health: healthChecks({
        datastore: datastoreProbe(storage),
        synced: () => api.value?.ready ?? false,
        shuttingDown: () => shutdown.initiated,
        kmsProviders: kmsHealthCheck(storage),
      }),
      shutdown,
      authenticator,
      authorizer,
      custom,
      lookup,
      audit,
      aggregator: aggregator.route,
    });
    const server = createSecureServer(
      {
        allowHTTP1: true,
        cert: pki.serving.certPem,
        key: pki.serving.keyPem,
        // no `ca`: OpenSSL would send it with the serving certificate (auth/x509.ts checks
        // client certificates against it instead)
        requestCert: true,
        rejectUnauthorized: false,
        settings: { maxConcurrentStreams: 1000 },
        // MB; Node's 10 MB default resets (ENHANCE_YOUR_CALM) a component's session while a
        // watch of thousands of pods is queued for it on a busy machine
        maxSessionMemory: 256,
      },
      (req, res) => {
        if (opts.preRoute?.(req, res)) return;
        void handler(req as unknown as Req & { socket?: unknown }, res as unknown as Res);
      },
    );
    // exec, attach and port-forward upgrade over HTTP/1.1 (endpoints/pod-connect.ts proxies them)
    server.on('upgrade', upgradeListener(handler));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.bindAddress, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const self = new ApiServer(
      server,
      storage,
      [...caches.values()],
      disposers,
      pki,
      port,
      audit,
      reconciler,
      shutdown,
    );
    server.on('connection', (s: Socket) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    server.on('secureConnection', (s: TLSSocket) => {
      if (s.alpnProtocol === 'h2') return;
      self.http1.add(s);
      s.on('close', () => self.http1.delete(s));
    });
    server.on('session', (session: ServerHttp2Session) => {
      self.sessions.add(session);
      session.on('close', () => self.sessions.delete(session));
    });
    server.on('stream', (stream: ServerHttp2Stream) => {
      const session = stream.session as ServerHttp2Session | undefined; // a server stream's session
      if (!session) return;
      self.openStreams.set(session, (self.openStreams.get(session) ?? 0) + 1);
      stream.on('close', () => self.openStreams.set(session, (self.openStreams.get(session) ?? 1) - 1));
    });
    api.value = self;
    writeKubeconfig(
      opts.kubeconfigPath,
      opts.kubeconfigMode,
      adminKubeconfig(opts.advertiseURL ?? `https://127.0.0.1:${port}`, pki),
    );
    self.ready = true;
    log.info('API server ready', { port, startupMs: Math.round(performance.now() - t0) });
    return self;
  }

  /** ShutdownInitiated without waiting: /readyz fails from now on (stop() continues from here). */
  initiateShutdown(): void {
    if (!this.shutdown.initiated) log.info('[graceful-termination] shutdown initiated');
    this.shutdown.initiate();
  }

  /**
   * Graceful termination in upstream's order (shutdown.ts): readiness fails, the delay passes,
   * new requests are refused or the listener closes, in-flight requests finish, watches end,
   * and only then the datastore, audit backends and caches close. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= this.terminate();
    return this.stopped;
  }

  private async terminate(): Promise<void> {
    const t0 = Date.now();
    this.initiateShutdown();
    // pre-shutdown hook, run at once as upstream: this server leaves the kubernetes Endpoints
    await this.reconciler.stop();
    const step = (name: string) => log.info(`[graceful-termination] ${name}`, { ms: Date.now() - t0 });
    step('pre-shutdown hooks completed');
    await this.shutdown.delayElapsed();
    this.shutdown.stopAccepting();
    let listenerClosed: Promise<void> | undefined;
    if (!this.shutdown.sendRetryAfter) listenerClosed = this.closeListener();
    // InFlightRequestsDrained: the non-long-running requests and (their grace period given)
    // the watches, side by side as upstream's two wait groups
    const [drained, watches] = await Promise.all([this.shutdown.drainRequests(), this.shutdown.endWatches()]);
    if (!drained)
      log.warn('[graceful-termination] in-flight requests did not finish within the request timeout', {
        inFlight: this.shutdown.inFlightCount,
      });
    step('in-flight requests drained');
    const late = this.shutdown.endOpenWatches(); // begun during the drain
    // with --shutdown-send-retry-after the listener stays open until the drain, answering 429
    listenerClosed ??= this.closeListener();
    // idle sessions go at once (net/http's Shutdown closes idle connections; a Node session that
    // already sent GOAWAY does not always notice its peer has gone); busy ones finish their streams
    for (const session of this.sessions)
      if (!this.openStreams.get(session)) session.destroy();
      else session.close();
    // HTTP/1.1 connections are idle now or carry long-running streams (exec, logs): cut them,
    // as net/http's Shutdown closes idle connections
    for (const s of this.http1) s.destroy();
    // only long-running streams (exec, logs) and sessions of vanished peers are left now: give
    // them upstream's 2 s GOAWAY window, then cut them (a Node session that sent GOAWAY does not
    // always notice its peer closed, which would hold the exit for its 60 s request timeout)
    const serverTimeout = RETRY_AFTER_SERVER_SHUTDOWN_MS;
    let timer: NodeJS.Timeout | undefined;
    const closedInTime = await Promise.race([
      listenerClosed.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), serverTimeout))),
    ]);
    clearTimeout(timer);
    step('HTTP server stopped');
    // HTTP/2 sessions that did not wind down after GOAWAY in time
    for (const s of this.sockets) s.destroy();
    await listenerClosed;
    for (const d of this.disposers) d();
    for (const c of this.caches) c.dispose();
    await this.audit.shutdown();
    await this.storage.close();
    log.info('[graceful-termination] apiserver is exiting', {
      ms: Date.now() - t0,
      watchesEnded: watches + late,
      connectionsCut: !closedInTime,
    });
  }

  /** Stops accepting connections; HTTP/2 sessions get GOAWAY and finish their open streams. */
  private closeListener(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.close();
    return closed;
  }
}

/** The group/resource stored under each /registry/<segment>/ prefix (for encryption at rest). */
function storedResources(): Map<string, GroupResource> {
  const out = new Map<string, GroupResource>();
  for (const st of allStrategies) {
    const stored = st.storedAs ?? st;
    out.set(stored.resource, { group: stored.group, resource: stored.resource });
  }
  return out;
}

function auditMetrics(metrics: Metrics) {
  const events = metrics.addCounter(
    'apiserver_audit_event_total',
    'Counter of audit events generated and sent to the audit backend.',
  );
  events.inc({}, 0);
  const errors = metrics.addCounter(
    'apiserver_audit_error_total',
    'Counter of audit events that failed to be audited properly. Plugin identifies the plugin affected by the error.',
  );
  const levels = metrics.addCounter(
    'apiserver_audit_level_total',
    'Counter of policy levels for audit events (1 per request).',
  );
  const rejected = metrics.addCounter(
    'apiserver_audit_requests_rejected_total',
    'Counter of apiserver requests rejected due to an error in audit logging backend.',
  );
  rejected.inc({}, 0);
  return {
    event: () => events.inc({}),
    error: (plugin: string, n: number) => errors.inc({ plugin }, n),
    level: (level: string) => levels.inc({ level }),
    rejected: () => rejected.inc({}),
  };
}

function countOf(cache: WatchCacheApi): number {
  return (cache as unknown as { size?: () => number }).size?.() ?? 0;
}

function writeKubeconfig(path: string, mode: number, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
}
