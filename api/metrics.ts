/** The API's metrics, beside the shared ones (process, Redis errors, queue counts). */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface ApiMetrics {
  readonly requests: Counter<"route" | "status" | "outcome">;
  readonly duration: Histogram<"route">;
}

export function createApiMetrics(registry: Registry, gauges: { liveWorkers: () => Promise<number>; pendingReplies: () => number }): ApiMetrics {
  new Gauge({
    name: "predownload_workers_live",
    help: "Worker processes whose heartbeat was seen within the last 5 s",
    registers: [registry],
    async collect() {
      try {
        this.set(await gauges.liveWorkers());
      } catch {
        // Redis is unreachable: keep the last value; readiness and predownload_redis_errors_total say so.
      }
    },
  });
  new Gauge({
    name: "predownload_pending_replies",
    help: "Requests of this API process waiting for their sign result",
    registers: [registry],
    collect() {
      this.set(gauges.pendingReplies());
    },
  });
  return {
    requests: new Counter({
      name: "predownload_http_requests_total",
      help: "HTTP requests answered, by route, status and outcome (the audit outcome for the endpoint, none elsewhere)",
      labelNames: ["route", "status", "outcome"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "predownload_http_request_duration_seconds",
      help: "Time from receiving a request to answering it",
      labelNames: ["route"],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
