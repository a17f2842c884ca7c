/** Retries `check` until it stops throwing (or 2 s pass): for work callgate finishes just after answering. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 2000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
