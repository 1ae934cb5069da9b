/** `/health/live`, `/health/ready` and `/metrics` on the API's port. */
import type { Middleware } from "../state.js";
import type { Registry } from "prom-client";
import { liveShardCounts, liveWorkers } from "../../shared/redis/heartbeat.js";
import { combine, healthBody, type Readiness } from "../../shared/runtime/health.js";
import { within } from "../../shared/runtime/within.js";
import type { Keys } from "../../shared/redis/keys.js";
import { METRICS_CONTENT_TYPE } from "../../shared/runtime/metrics.js";
import { isConnected, type RedisClient } from "../../shared/redis/client.js";
import { redisCondition } from "../../shared/redis/condition.js";

/** Alive while the process answers at all. */
export function live(): Middleware {
  return async function liveHandler(ctx) {
    ctx.type = "application/json";
    ctx.body = JSON.stringify({ status: "live" });
  };
}

/**
 * Ready when Redis is a writable master with room (`redis: "ok"`, else what it is: `replica`,
 * `loading`, `full`, `unreachable`), at least one worker beat within the last 5 s, the live
 * workers beat with this process's shard count, the directory has been imported into this Redis
 * (a Redis restarted empty has none), and the process itself is ready (`local`). The answer comes
 * within `timeoutMs` whatever Redis does.
 */
export function ready(redis: RedisClient, keys: Keys, timeoutMs: number, local: () => Readiness): Middleware {
  return async function readyHandler(ctx) {
    // A mismatch the heartbeats show overrides the `shards` this process found agreed at start.
    const { status, body } = healthBody(combine(local(), await readiness(redis, keys, timeoutMs)));
    ctx.status = status;
    ctx.type = "application/json";
    ctx.body = body;
  };
}

/**
 * What the process itself must have: its reply subscription (without it every request would be
 * answered at its deadline) and a shard count that agrees with the other processes'.
 */
export function localReadiness(repliesListening: boolean, shardCountProblem: string | undefined): Readiness {
  return {
    ready: repliesListening && shardCountProblem === undefined,
    checks: { replies: repliesListening ? "listening" : "not_subscribed", shards: shardCountProblem === undefined ? "agreed" : "mismatch" },
  };
}

async function readiness(redis: RedisClient, keys: Keys, timeoutMs: number): Promise<Readiness> {
  const condition = await redisCondition(redis, timeoutMs);
  if (!isConnected(redis)) return { ready: false, checks: { redis: condition, workers: "unknown", directory: "unknown" } };
  try {
    const [workers, imported, shardCounts] = await within(
      Promise.all([liveWorkers(redis, keys), redis.exists(keys.directoryImported), liveShardCounts(redis, keys)]),
      timeoutMs,
    );
    const directory = imported === 1 ? "loaded" : "empty";
    const agreed = shardCounts.every((count) => count === keys.shards.length);
    return {
      ready: condition === "ok" && workers > 0 && directory === "loaded" && agreed,
      checks: { redis: condition, workers, directory, ...(agreed ? {} : { shards: "mismatch" }) },
    };
  } catch {
    return { ready: false, checks: { redis: condition === "ok" ? "unreachable" : condition, workers: "unknown", directory: "unknown" } };
  }
}

export function metricsEndpoint(registry: Registry): Middleware {
  return async function metricsHandler(ctx) {
    ctx.type = METRICS_CONTENT_TYPE;
    ctx.body = await registry.metrics();
  };
}
