// The entry point of the registry.k8s.io/cpa/cluster-proportional-autoscaler image:
// `k8ts cluster-proportional-autoscaler` alone, so that the image carries only its modules.
import { runClusterProportionalAutoscaler } from '../cli/cpa.js';

runClusterProportionalAutoscaler(process.argv.slice(2)).then(
  (code) => {
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(
      `cluster-proportional-autoscaler: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
