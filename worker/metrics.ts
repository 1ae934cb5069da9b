/** The worker's metrics, beside the shared ones (process, Redis errors, queue counts). */
import { Counter, Histogram, type Registry } from "prom-client";

export interface WorkerMetrics {
  readonly jobs: Counter<"outcome">;
  readonly jobDuration: Histogram<"outcome">;
  readonly heartbeats: Counter;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  return {
    jobs: new Counter({ name: "predownload_jobs_total", help: "Sign jobs finished, by outcome", labelNames: ["outcome"], registers: [registry] }),
    jobDuration: new Histogram({
      name: "predownload_job_duration_seconds",
      help: "Time one sign job took in this worker (directory read, decision, presign, settlement)",
      labelNames: ["outcome"],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    heartbeats: new Counter({ name: "predownload_worker_heartbeats_total", help: "Heartbeats this worker wrote to Redis", registers: [registry] }),
  };
}
