/**
 * Prometheus metrics. Each process (and each API or worker started in one test process) has its
 * own registry, with the process metrics and the counters both roles share.
 */
import type { Queue } from "bullmq";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { RedisRole } from "../redis/client.js";

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Counts one Redis connection error; pass as `createRedis`'s `onError`. */
  onRedisError(role: RedisRole): void;
}

export function createMetrics(process: "api" | "worker"): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: "predownload_" });
  const redisErrors = new Counter({ name: "predownload_redis_errors_total", help: "Redis connection errors, by connection role", labelNames: ["role"], registers: [registry] });
  return { registry, onRedisError: (role) => redisErrors.inc({ role }) };
}

/**
 * Gauges of the sign queues, read from Redis at each scrape (kept as they were when Redis does not
 * answer): job counts by state, summed over the shards, and each shard's backlog (the jobs no
 * worker has taken yet: waiting, prioritized, and delayed ones already due by `now`, Redis's clock),
 * the signal worker fleets are scaled on.
 */
export function queueGauges(registry: Registry, queues: readonly Queue[], now: () => number): void {
  new Gauge({
    name: "predownload_queue_jobs",
    help: "Sign jobs in the queue, by state",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      try {
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts("waiting", "active", "delayed")));
        for (const state of ["waiting", "active", "delayed"]) this.set({ state }, counts.reduce((sum, c) => sum + (c[state] ?? 0), 0));
      } catch {
        // Redis is unreachable: the scrape still answers, and predownload_redis_errors_total says why.
      }
    },
  });
  new Gauge({
    name: "predownload_queue_backlog",
    help: "Sign jobs no worker has taken yet, by shard: waiting, prioritized, and delayed ones already due",
    labelNames: ["shard"],
    registers: [registry],
    async collect() {
      try {
        const due = Math.floor(now());
        const backlogs = await Promise.all(
          queues.map(async (queue) => {
            const [waiting, prioritized, delayed] = await Promise.all([queue.getWaitingCount(), queue.getPrioritizedCount(), queue.getDelayedCount(due)]);
            return waiting + prioritized + delayed;
          }),
        );
        backlogs.forEach((backlog, shard) => this.set({ shard: String(shard) }, backlog));
      } catch {
        // As above: kept as it was.
      }
    },
  });
}
