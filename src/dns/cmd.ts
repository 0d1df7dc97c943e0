// The entry point of the k8ts.io/coredns image: `k8ts dns` alone, so that the image carries
// only the modules the DNS imports (not the whole CLI with its native datastore addons).
import { runDns } from './main.js';

runDns(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`k8ts dns: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
