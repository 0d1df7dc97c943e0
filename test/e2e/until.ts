// Polls until `f` answers something (not undefined or false), retrying when it throws, or fails
// naming what it waited for (and the last error). The deadline bounds the wait; it is not a
// timed assertion.
export async function until<T>(
  what: string,
  f: () => Promise<T | undefined | false>,
  ms = 120_000,
  pollMs = 250,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await f().catch((e: unknown) => ((last = e), undefined));
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
