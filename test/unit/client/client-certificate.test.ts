// RestClient.setClientCertificate (a kubelet's renewed client certificate): the next request
// opens a new connection that presents the new certificate; no restart of the client.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCA, issue } from '../../../src/pki/certs.js';
import { RestClient } from '../../../src/client/rest.js';

let server: Http2SecureServer | undefined;
after(() => server?.close());

describe('client certificate swap', () => {
  it('presents the new certificate from the next request on', async () => {
    const ca = await createCA('test-ca');
    const serving = await issue(ca, {
      commonName: 'api',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validDays: 1,
    });
    const client = (cn: string) =>
      issue(ca, { commonName: cn, organizations: ['system:nodes'], usage: 'client', validDays: 1 });
    const first = await client('system:node:old');
    const second = await client('system:node:new');
    server = createSecureServer({
      cert: serving.certPem,
      key: serving.keyPem,
      ca: ca.pem.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    server.on('stream', (stream) => {
      const peer = (stream.session!.socket as TLSSocket).getPeerCertificate();
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ cn: peer.subject.CN }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const rest = new RestClient({
      server: `https://127.0.0.1:${port}`,
      ca: ca.pem.certPem,
      cert: first.certPem,
      key: first.keyPem,
    });
    try {
      assert.deepEqual(await rest.request('GET', '/whoami'), { cn: 'system:node:old' });
      rest.setClientCertificate(second.certPem, second.keyPem);
      assert.deepEqual(await rest.request('GET', '/whoami'), { cn: 'system:node:new' });
    } finally {
      rest.close();
    }
  });
});
