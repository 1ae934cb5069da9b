/** `/health/live`, `/health/ready` and `/metrics` on the API's port. */
import type { Middleware } from "koa";
import type { Registry } from "prom-client";
import { liveWorkers } from "../shared/heartbeat.js";
import { combine, healthBody, type Readiness } from "../shared/health.js";
import { within } from "../shared/within.js";
import type { Keys } from "../shared/keys.js";
import { METRICS_CONTENT_TYPE } from "../shared/metrics.js";
import { isConnected, type RedisClient } from "../shared/redis.js";

/** Alive while the process answers at all. */
export function live(): Middleware {
  return async function liveHandler(ctx) {
    ctx.type = "application/json";
    ctx.body = JSON.stringify({ status: "live" });
  };
}

/**
 * Ready when Redis answers, at least one worker beat within the last 5 s, the directory has been
 * imported into this Redis (a Redis restarted empty has none), and the process itself is ready
 * (`local`). The answer comes within `timeoutMs` whatever Redis does.
 */
export function ready(redis: RedisClient, keys: Keys, timeoutMs: number, local: () => Readiness): Middleware {
  return async function readyHandler(ctx) {
    const { status, body } = healthBody(combine(await readiness(redis, keys, timeoutMs), local()));
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
  if (!isConnected(redis)) return { ready: false, checks: { redis: "unreachable", workers: "unknown", directory: "unknown" } };
  try {
    const [workers, imported] = await within(Promise.all([liveWorkers(redis, keys), redis.exists(keys.directoryImported)]), timeoutMs);
    const directory = imported === 1 ? "loaded" : "empty";
    return { ready: workers > 0 && directory === "loaded", checks: { redis: "ok", workers, directory } };
  } catch {
    return { ready: false, checks: { redis: "unreachable", workers: "unknown", directory: "unknown" } };
  }
}

export function metricsEndpoint(registry: Registry): Middleware {
  return async function metricsHandler(ctx) {
    ctx.type = METRICS_CONTENT_TYPE;
    ctx.body = await registry.metrics();
  };
}
