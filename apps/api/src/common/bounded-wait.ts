/**
 * Waits for `work` (its failure ignored) at most `ms`, then returns either way. For shutdown: with Redis unreachable,
 * BullMQ's `close()` would wait for it forever.
 */
export async function bounded(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work?.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
