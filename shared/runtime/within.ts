/** Bounded waits: nothing the service waits on at a request, a probe or a shutdown may hang it. */

/** Resolves `promise`, or rejects after `ms`: a health check must answer, and a shutdown end, even when Redis is frozen or gone. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
