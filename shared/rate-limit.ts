/**
 * Per-actor rate limiting in Redis (GCRA: one key per actor holding its theoretical arrival time),
 * so every API process shares one budget per actor. Redis's clock is used, not the callers'.
 */
import type { Actor } from "./attachment.js";
import type { RateLimitConfig } from "./config.js";
import type { Keys } from "./keys.js";
import type { RedisClient } from "./redis.js";

// Times are in microseconds. string.format keeps them integral: tostring() would print 1.7e+15.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + interval
local allowAt = nextTat - tonumber(ARGV[2]) * interval
if now < allowAt then return math.ceil(allowAt - now) end
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 1)
return 0
`;

interface RateLimitCommands {
  pdAcquire(key: string, intervalUs: number, burst: number): Promise<number>;
}

/** Resolves 0 when the actor may go ahead, else how many ms until it may. */
export type RateLimiter = (actor: Actor) => Promise<number>;

/** A limiter for `limits`; with a rate of 0 it lets everything through without asking Redis. */
export function createRateLimiter(redis: RedisClient, keys: Keys, limits: RateLimitConfig): RateLimiter {
  if (limits.perSecond === 0) return async () => 0;
  if (!("pdAcquire" in redis)) redis.defineCommand("pdAcquire", { numberOfKeys: 1, lua: ACQUIRE });
  const client = redis as RedisClient & RateLimitCommands;
  const intervalUs = Math.round(1_000_000 / limits.perSecond);
  return async (actor) => {
    const waitUs = await client.pdAcquire(keys.rateLimit(actor.type, actor.id), intervalUs, limits.burst);
    return Math.ceil(waitUs / 1000);
  };
}
