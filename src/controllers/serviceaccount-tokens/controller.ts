// The tokens controller (upstream's serviceaccount-token controller, tokens_controller.go): a
// Secret of type kubernetes.io/service-account-token annotated with the name of a service
// account gets data.token (a legacy JWT signed with --service-account-private-key-file),
// data.ca.crt (the cluster CA) and data.namespace, and the account's uid as annotation. A
// token Secret whose service account is gone (or was recreated: other uid) is deleted.
// Level-based: each pass reads the Secret and its account from the caches and fixes what
// differs; service-account events re-check the Secrets that name the account.
import { readFileSync } from 'node:fs';
import { StatusError } from '../../api/errors.js';
import {
  legacyTokenClaims,
  SERVICE_ACCOUNT_NAME_ANNOTATION,
  SERVICE_ACCOUNT_TOKEN_SECRET_TYPE,
  SERVICE_ACCOUNT_UID_ANNOTATION,
} from '../../api/serviceaccount-tokens.js';
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { signJWT } from '../../pki/jwt.js';
import { loadSigningKey, type SigningKey } from '../../pki/service-account-key.js';
import { logger } from '../../util/log.js';

const log = logger('tokens-controller');
const BY_ACCOUNT = 'serviceaccount';

type SecretData = Record<string, string>;

function isTokenSecret(o: KubeObject): boolean {
  return (o as { type?: string }).type === SERVICE_ACCOUNT_TOKEN_SECRET_TYPE;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}

function decoded(data: SecretData | undefined, key: string): string {
  const v = data?.[key];
  return v ? Buffer.from(v, 'base64').toString('utf8') : '';
}

export class TokensController implements Controller {
  private readonly secrets: Informer;
  private readonly accounts: Informer;
  private readonly queue = new WorkQueue();
  private readonly client: RestClient;
  private readonly rootCA: string;

  constructor(
    ctx: ControllerContext,
    private readonly key: SigningKey,
    private readonly workers = 2,
  ) {
    this.client = ctx.client;
    // the cluster CA: --root-ca-file, else the one the controller manager's kubeconfig trusts
    const rootCAFile = ctx.flags['root-ca-file'];
    this.rootCA = rootCAFile ? readFileSync(rootCAFile, 'utf8') : ctx.client.config.ca;
    this.secrets = ctx.informers.informer('/api/v1/secrets');
    this.accounts = ctx.informers.informer('/api/v1/serviceaccounts');
    this.secrets.addIndex(BY_ACCOUNT, (s) =>
      isTokenSecret(s)
        ? [`${s.metadata.namespace}/${s.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? ''}`]
        : [],
    );
    const onSecret = (s: KubeObject) => {
      if (isTokenSecret(s)) this.queue.add(keyOf(s));
    };
    this.secrets.addHandlers({ onAdd: onSecret, onUpdate: (_o, s) => onSecret(s) });
    const onAccount = (sa: KubeObject) => {
      for (const s of this.secrets.byIndex(BY_ACCOUNT, keyOf(sa))) this.queue.add(keyOf(s));
    };
    this.accounts.addHandlers({ onAdd: onAccount, onUpdate: (_o, sa) => onAccount(sa), onDelete: onAccount });
  }

  start(): void {
    runWorkers(this.queue, this.workers, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** The account by name from the cache, else from the server (it may be newer than our cache). */
  private async account(namespace: string, name: string): Promise<KubeObject | undefined> {
    const cached = this.accounts.get(`${namespace}/${name}`);
    if (cached) return cached;
    try {
      return await this.client.request<KubeObject>(
        'GET',
        `/api/v1/namespaces/${namespace}/serviceaccounts/${name}`,
      );
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  async reconcile(key: string): Promise<void> {
    const secret = this.secrets.get(key);
    if (!secret || !isTokenSecret(secret) || secret.metadata.deletionTimestamp) return;
    const ns = secret.metadata.namespace!;
    const name = secret.metadata.name!;
    const saName = secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? '';
    const saUID = secret.metadata.annotations?.[SERVICE_ACCOUNT_UID_ANNOTATION] ?? '';
    const sa = await this.account(ns, saName);
    if (!sa || (saUID && sa.metadata.uid !== saUID)) {
      await this.deleteSecret(secret);
      return;
    }
    if (!this.needsUpdate(secret)) return;
    // write onto the live copy; when our cache is behind, the coming update event brings us back
    const live = await this.client.request<KubeObject>('GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
    if (live.metadata.resourceVersion !== secret.metadata.resourceVersion || !this.needsUpdate(live)) return;
    const data = { ...((live as { data?: SecretData }).data ?? {}) };
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    if (this.rootCA && decoded(data, 'ca.crt') !== this.rootCA) data['ca.crt'] = b64(this.rootCA);
    if (!data.namespace) data.namespace = b64(ns);
    if (!data.token) data.token = b64(signJWT(legacyTokenClaims(sa, live), this.key.privateKey));
    const updated = {
      ...live,
      metadata: {
        ...live.metadata,
        annotations: {
          ...live.metadata.annotations,
          [SERVICE_ACCOUNT_NAME_ANNOTATION]: sa.metadata.name!,
          [SERVICE_ACCOUNT_UID_ANNOTATION]: sa.metadata.uid!,
        },
      },
      data,
    };
    try {
      await this.client.request('PUT', `/api/v1/namespaces/${ns}/secrets/${name}`, updated);
    } catch (err) {
      // a conflict or a deletion meanwhile: the event that caused it brings the Secret back
      if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return;
      throw err;
    }
  }

  /** upstream's secretUpdateNeeded: the CA differs, or namespace or token is missing. */
  private needsUpdate(secret: KubeObject): boolean {
    const data = (secret as { data?: SecretData }).data;
    const needsCA = this.rootCA !== '' && decoded(data, 'ca.crt') !== this.rootCA;
    return needsCA || !data?.namespace || !data?.token;
  }

  private async deleteSecret(secret: KubeObject): Promise<void> {
    const { namespace, name, uid } = secret.metadata;
    try {
      await this.client.request('DELETE', `/api/v1/namespaces/${namespace}/secrets/${name}`, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        preconditions: { uid },
      });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

/** The controller when a signing key is configured; without one upstream does not start it. */
export function createTokensController(ctx: ControllerContext): Controller {
  const keyFile = ctx.flags['service-account-private-key-file'];
  if (!keyFile) {
    log.warn('--service-account-private-key-file is not set: token Secrets are left alone');
    return { start: () => undefined, stop: () => undefined };
  }
  return new TokensController(ctx, loadSigningKey(keyFile));
}
