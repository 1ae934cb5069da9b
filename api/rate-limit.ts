/**
 * Rate limiting in Redis (GCRA: one key per actor, or per address, holding its theoretical arrival
 * time), so every API process shares one budget per actor or address. Redis's clock is used, not the callers'.
 */
import type { Actor } from "../shared/domain/attachment.js";
import type { RateLimitConfig } from "../shared/runtime/config.js";
import type { Keys } from "../shared/redis/keys.js";
import type { RedisClient } from "../shared/redis/client.js";
import { acquireRateLimit } from "../shared/redis/scripts.js";

/** Resolves 0 when the holder of a limiter key may go ahead, else how many ms until it may. */
export type KeyedRateLimiter = (key: string) => Promise<number>;

/** Resolves 0 when the actor may go ahead, else how many ms until it may. */
export type RateLimiter = (actor: Actor) => Promise<number>;

/** A limiter for `limits` over any key; with a rate of 0 it lets everything through without asking Redis. */
export function createKeyedRateLimiter(redis: RedisClient, limits: RateLimitConfig): KeyedRateLimiter {
  if (limits.perSecond === 0) return async () => 0;
  const intervalUs = Math.round(1_000_000 / limits.perSecond);
  return async (key) => {
    const waitUs = await acquireRateLimit(redis, { key, intervalUs, burst: limits.burst });
    return Math.ceil(waitUs / 1000);
  };
}

/** A limiter for `limits` per actor. */
export function createRateLimiter(redis: RedisClient, keys: Keys, limits: RateLimitConfig): RateLimiter {
  const acquire = createKeyedRateLimiter(redis, limits);
  return async (actor) => acquire(keys.rateLimit(actor.type, actor.id));
}
