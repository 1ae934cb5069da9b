/**
 * One load level: autocannon drives the endpoint with the request mix; every response's status is
 * checked against what that request must get, and latencies are kept with sub-millisecond
 * precision (autocannon's own histogram counts whole milliseconds).
 */
import autocannon from "autocannon";
import type { RequestSpec } from "./seed.js";
import { quantile } from "./stats.js";

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** Connection errors, timeouts, 5xx, and any status other than the expected one. */
  readonly errors: number;
  readonly byStatus: Record<string, number>;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly specs: readonly RequestSpec[];
  readonly durationSeconds?: number;
  readonly amount?: number;
  /** Ends the load early (before `durationSeconds`) when aborted. */
  readonly signal?: AbortSignal;
}

interface Context {
  expected?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let mismatches = 0;
  let next = 0;
  const started = performance.now();
  const requests: autocannon.Request[] = [
    {
      method: "POST",
      setupRequest(request, context: Context) {
        const spec = options.specs[next++ % options.specs.length]!;
        context.expected = spec.status;
        return { ...request, method: "POST", body: spec.body, headers: { "content-type": "application/json", authorization: `Bearer ${spec.token}` } };
      },
      onResponse(status: number, _body: string, context: Context) {
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (status !== context.expected) mismatches++;
      },
    },
  ];
  const target = {
    url: `${options.url}/assets/predownload`,
    connections: options.connections,
    timeout: 10,
    requests,
    ...(options.amount === undefined ? { duration: options.durationSeconds ?? 10 } : { amount: options.amount }),
  };
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(target, (error, result) => (error ? reject(error as Error) : resolve(result)));
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
    options.signal?.addEventListener("abort", () => instance.stop(), { once: true });
  });
  const result = await finished;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => quantile(latencies, q);
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    errors: result.errors + result.timeouts + mismatches,
    byStatus,
  };
}
