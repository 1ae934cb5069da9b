/**
 * Worker heartbeats: each worker process scores its id in one sorted set with Redis's own clock,
 * so hosts whose clocks disagree still agree on who is alive. The API's readiness counts the
 * workers seen within {@link HEARTBEAT_LIVE_MS}. Each member also carries the worker's shard
 * count (`<id>/<QUEUE_SHARDS>`), so that a fleet whose processes disagree shows in readiness.
 */
import type { Keys } from "./keys.js";
import type { RedisClient } from "./client.js";
import { countLiveWorkers, listLiveWorkers, scoreHeartbeat } from "./scripts.js";

/** How often a worker beats. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** A worker seen within this long counts as live. */
export const HEARTBEAT_LIVE_MS = 5000;
/** Ids silent for this long are dropped from the set. */
const HEARTBEAT_FORGET_MS = 3600_000;

/** Records that `workerId` is alive now. */
export async function beat(redis: RedisClient, keys: Keys, workerId: string): Promise<void> {
  await scoreHeartbeat(redis, { workers: keys.workers, member: member(keys, workerId), forgetMs: HEARTBEAT_FORGET_MS });
}

/** Removes a stopping worker at once, rather than after {@link HEARTBEAT_LIVE_MS}. */
export async function forget(redis: RedisClient, keys: Keys, workerId: string): Promise<void> {
  await redis.zrem(keys.workers, member(keys, workerId));
}

/** How many workers beat within {@link HEARTBEAT_LIVE_MS}. */
export async function liveWorkers(redis: RedisClient, keys: Keys): Promise<number> {
  return countLiveWorkers(redis, { workers: keys.workers, liveMs: HEARTBEAT_LIVE_MS });
}

/** The shard counts the live workers beat with, each once. */
export async function liveShardCounts(redis: RedisClient, keys: Keys): Promise<number[]> {
  const members = await listLiveWorkers(redis, { workers: keys.workers, liveMs: HEARTBEAT_LIVE_MS });
  return [...new Set(members.map((m) => Number(m.slice(m.lastIndexOf("/") + 1))).filter((n) => Number.isInteger(n) && n > 0))];
}

function member(keys: Keys, workerId: string): string {
  return `${workerId}/${keys.shards.length}`;
}
