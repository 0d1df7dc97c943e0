// Every acknowledged write survives kill -9 of the server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer } from './harness.js';

describe('durability', () => {
  it('finds every acknowledged object after kill -9 and restart', async () => {
    const s = await startServer();
    await s.kubectl(['create', 'namespace', 'dur']);
    const acked: string[] = [];
    const writes = Array.from({ length: 200 }, async (_, i) => {
      const name = `cm-${i}`;
      const r = await s.api(
        'POST',
        '/api/v1/namespaces/dur/configmaps',
        JSON.stringify({ metadata: { name }, data: { i: String(i) } }),
      );
      if (r.status === 201) acked.push(name);
    });
    await Promise.all(writes);
    const code = await s.stop('SIGKILL');
    assert.equal(code, null);
    const again = await startServer([], { dir: s.dir, port: s.port });
    try {
      const r = await again.api('GET', '/api/v1/namespaces/dur/configmaps');
      const names = new Set(
        (JSON.parse(r.body) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name),
      );
      assert.equal(acked.length, 200);
      for (const n of acked) assert.ok(names.has(n), `${n} lost`);
    } finally {
      await again.stop();
      cleanup(again);
    }
  });

  it('shuts down cleanly on SIGTERM with exit 0', async () => {
    const s = await startServer();
    // an open watch must not hold shutdown up
    const watching = s.kubectl(['get', 'configmaps', '-A', '-w']);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await s.stop('SIGTERM'), 0);
    await watching;
    cleanup(s);
  });
});
