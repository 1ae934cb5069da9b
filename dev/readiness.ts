/** How `npm start` knows its children are up: the API refuses an anonymous request, the worker says it is ready. */
import { setTimeout as sleep } from "node:timers/promises";

const POLL_INTERVAL_MS = 100;

/** Resolves once the API answers an unauthenticated POST with 401, which proves its whole middleware chain is mounted. */
export async function waitForApi(baseUrl: string, signal: AbortSignal, timeoutMs: number): Promise<void> {
  await poll("the API", signal, timeoutMs, async () => {
    const res = await fetch(`${baseUrl}/assets/predownload`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}", signal });
    await res.body?.cancel();
    return res.status === 401;
  });
}

/** Resolves once the worker's own health port answers ready (connected, taking jobs). */
export async function waitForWorker(healthUrl: string, signal: AbortSignal, timeoutMs: number): Promise<void> {
  await poll("the worker", signal, timeoutMs, async () => {
    const res = await fetch(`${healthUrl}/health/ready`, { signal });
    await res.body?.cancel();
    return res.ok;
  });
}

async function poll(what: string, signal: AbortSignal, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
    await sleep(POLL_INTERVAL_MS, undefined, { signal });
  }
}
