/**
 * Worker heartbeats: each worker process scores its id in one sorted set with Redis's own clock,
 * so hosts whose clocks disagree still agree on who is alive. The API's readiness counts the
 * workers seen within {@link HEARTBEAT_LIVE_MS}.
 */
import type { Keys } from "./keys.js";
import type { RedisClient } from "./redis.js";

/** How often a worker beats. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** A worker seen within this long counts as live. */
export const HEARTBEAT_LIVE_MS = 5000;
/** Ids silent for this long are dropped from the set. */
const HEARTBEAT_FORGET_MS = 3600_000;

const NOW_MS = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

const BEAT = `${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now`;

const LIVE = `${NOW_MS}
return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

interface HeartbeatCommands {
  pdBeat(key: string, workerId: string, forgetMs: number): Promise<number>;
  pdLiveWorkers(key: string, liveMs: number): Promise<number>;
}

export function withHeartbeatCommands<R extends RedisClient>(redis: R): R & HeartbeatCommands {
  if (!("pdBeat" in redis)) {
    redis.defineCommand("pdBeat", { numberOfKeys: 1, lua: BEAT });
    redis.defineCommand("pdLiveWorkers", { numberOfKeys: 1, lua: LIVE });
  }
  return redis as R & HeartbeatCommands;
}

/** Records that `workerId` is alive now. */
export async function beat(redis: RedisClient, keys: Keys, workerId: string): Promise<void> {
  await withHeartbeatCommands(redis).pdBeat(keys.workers, workerId, HEARTBEAT_FORGET_MS);
}

/** Removes a stopping worker at once, rather than after {@link HEARTBEAT_LIVE_MS}. */
export async function forget(redis: RedisClient, keys: Keys, workerId: string): Promise<void> {
  await redis.zrem(keys.workers, workerId);
}

/** How many workers beat within {@link HEARTBEAT_LIVE_MS}. */
export async function liveWorkers(redis: RedisClient, keys: Keys): Promise<number> {
  return withHeartbeatCommands(redis).pdLiveWorkers(keys.workers, HEARTBEAT_LIVE_MS);
}
