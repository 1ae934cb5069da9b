/** `/health/live`, `/health/ready` and `/metrics` on the API's port. */
import type { Middleware } from "koa";
import type { Registry } from "prom-client";
import { liveWorkers } from "../shared/heartbeat.js";
import { healthBody, within, type Readiness } from "../shared/health.js";
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
 * Ready when Redis answers, at least one worker beat within the last 5 s, and
 * the directory has been imported into this Redis (a Redis restarted empty has none). The answer
 * comes within `timeoutMs` whatever Redis does.
 */
export function ready(redis: RedisClient, keys: Keys, timeoutMs: number): Middleware {
  return async function readyHandler(ctx) {
    const { status, body } = healthBody(await readiness(redis, keys, timeoutMs));
    ctx.status = status;
    ctx.type = "application/json";
    ctx.body = body;
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
