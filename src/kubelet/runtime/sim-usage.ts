// What a simulated pod "uses" (the sim runtime's /metrics/resource): the CPU rate and working
// set its `sim.k8ts.io/cpu-usage` and `sim.k8ts.io/memory-usage` annotations give (defaults 1m
// and 4Mi), shared evenly by its running containers. CPU time accumulates at the current rate,
// so a changed annotation changes the rate from then on, as real load would.
import { tryParseQuantity } from '../../api/quantity.js';
import type { Pod } from './types.js';
import { PREFIX } from './sim-steering.js';

export const DEFAULT_CPU_USAGE = '1m';
export const DEFAULT_MEMORY_USAGE = '4Mi';

export interface UsageRates {
  /** cores */
  cpu: number;
  /** bytes */
  memory: number;
}

const amount = (v: string | undefined, fallback: string): number => {
  const q = (v !== undefined ? tryParseQuantity(v) : undefined) ?? tryParseQuantity(fallback)!;
  return Math.max(0, Number(q.nanos) / 1e9);
};

export function usageRatesOf(pod: Pod): UsageRates {
  const a = pod.metadata.annotations ?? {};
  return {
    cpu: amount(a[`${PREFIX}cpu-usage`], DEFAULT_CPU_USAGE),
    memory: amount(a[`${PREFIX}memory-usage`], DEFAULT_MEMORY_USAGE),
  };
}

/** One pod's cumulative CPU seconds, advanced at the rate in force. */
export class PodUsage {
  private cpuSeconds = 0;
  private lastMs: number;

  constructor(
    private rates: UsageRates,
    now = Date.now(),
  ) {
    this.lastMs = now;
  }

  /** Accumulates up to now at the old rate, then switches to the new one. */
  setRates(rates: UsageRates, now = Date.now()): void {
    this.advance(now);
    this.rates = rates;
  }

  read(now = Date.now()): { cpuSeconds: number; memoryBytes: number } {
    this.advance(now);
    return { cpuSeconds: this.cpuSeconds, memoryBytes: this.rates.memory };
  }

  private advance(now: number): void {
    if (now > this.lastMs) this.cpuSeconds += (this.rates.cpu * (now - this.lastMs)) / 1000;
    this.lastMs = Math.max(this.lastMs, now);
  }
}
