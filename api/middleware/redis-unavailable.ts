import { unavailable } from "../errors/unavailable.js";
import { ApiError } from "../errors/catalog.js";
import { redisUnavailable, type RedisClient } from "../../shared/redis/client.js";
import type { Logger } from "../../shared/runtime/log.js";
import { throttledLog } from "../../shared/runtime/throttled-log.js";
import type { Middleware } from "../state.js";

/**
 * For routes that talk to Redis themselves (the admin calls): when Redis cannot serve them
 * (unreachable, failing over, loading, full), the caller gets 503-100 with `Retry-After`, as a
 * predownload does, instead of 500-100: such a call is safe to repeat once Redis is back. The
 * cause is logged, at most once a second per kind.
 */
export function redisUnavailableAs503(redis: RedisClient, log: Logger): Middleware {
  const noisy = throttledLog(log);
  return async function redisUnavailableMiddleware(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (error instanceof ApiError || !redisUnavailable(error, redis)) throw error;
      noisy("warn", `admin:${(error as Error).name}`, { err: error, requestId: ctx.state.requestId }, "Redis could not serve an admin call");
      throw unavailable();
    }
  };
}
