// Runtime cost of one CEL evaluation, so that a runaway rule cannot hold the server: every
// comprehension iteration is charged the number of calls in its body (see instrument.ts), library
// functions that walk a string or list are charged its size, and once the limit is passed every
// further charge fails the evaluation with cel-go's "operation cancelled: actual cost limit exceeded".
// The meter is module state because CEL functions have no context argument; evaluation is
// synchronous, so one meter is active at a time.

/** kube-apiserver's per-expression limit (k8s.io/apiserver/pkg/apis/cel PerCallLimit). */
export const PER_CALL_LIMIT = 1_000_000;
/** kube-apiserver's budget for all rules of one custom resource (RuntimeCELCostBudget). */
export const RUNTIME_COST_BUDGET = 10_000_000;
export const COST_EXCEEDED = 'operation cancelled: actual cost limit exceeded';

interface Meter {
  used: number;
  limit: number;
  exceeded: boolean;
}

let active: Meter | undefined;

export class CostLimitExceeded extends Error {
  constructor() {
    super(COST_EXCEEDED);
  }
}

/** Adds n to the running evaluation's cost; throws once the limit is passed. */
export function chargeCost(n: number): void {
  if (!active) return;
  active.used += n;
  if (active.used > active.limit) {
    active.exceeded = true;
    throw new CostLimitExceeded();
  }
}

/** Runs fn with a fresh meter and reports what it used. */
export function metered<T>(limit: number, fn: () => T): { result: T; cost: number; exceeded: boolean } {
  const outer = active;
  const meter: Meter = { used: 0, limit, exceeded: false };
  active = meter;
  try {
    const result = fn();
    return { result, cost: meter.used, exceeded: meter.exceeded };
  } finally {
    active = outer;
  }
}
