// Stands in for containerd in the supervisor's tests: reads the grpc address from the config
// file the supervisor wrote (--config), serves the CRI Version call there, exits on SIGTERM.
// K8TS_FAKE_CONTAINERD_DELAY_MS delays the listening socket (a slow start).
import { readFileSync } from 'node:fs';
import { startFakeCri } from './fake-cri.js';

// `node --test dist/test/` runs every file under test/ as a test: without --config this file
// is not being used as containerd and does nothing.
const configAt = process.argv.indexOf('--config');
if (configAt < 0) process.exit(0);
const config = process.argv[configAt + 1];
const address = /\[grpc\]\s*\n\s*address = "([^"]+)"/.exec(readFileSync(config, 'utf8'))?.[1];
if (!address) {
  console.error('fake containerd: no [grpc] address in', config);
  process.exit(2);
}
await new Promise((r) => setTimeout(r, Number(process.env.K8TS_FAKE_CONTAINERD_DELAY_MS ?? 0)));
const cri = await startFakeCri(address, {
  Version: () => ({
    version: '0.1.0',
    runtime_name: 'fake-containerd',
    runtime_version: '0',
    runtime_api_version: 'v1',
  }),
});
process.on('SIGTERM', () => {
  void cri.close().then(() => process.exit(0));
});
