// Upstream's slowStartBatch: calls `fn` `count` times in batches of 1, 2, 4, ... and stops at the
// first batch with a failure, so that a controller whose creations all fail (a quota, a bad
// template) sends one request, not hundreds. Returns how many succeeded and the first error.
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
