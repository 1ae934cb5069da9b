/**
 * Every process on one Redis and `KEY_PREFIX` must split the sign jobs into the same number of
 * shards: a process that counts differently would look for results, queues and reply channels
 * where the others do not put them. The first process records its `QUEUE_SHARDS` in Redis; any
 * other count is refused.
 */
import type { Keys } from "./keys.js";
import type { Logger } from "../runtime/log.js";
import { whenReady, type RedisClient } from "./client.js";
import { within } from "../runtime/within.js";

/** This process's `QUEUE_SHARDS` differs from the one recorded for this Redis and prefix. */
export class ShardCountMismatch extends Error {
  constructor(mine: number, recorded: string, prefix: string) {
    super(
      `QUEUE_SHARDS is ${mine} here but ${recorded} for the processes already using this Redis under KEY_PREFIX "${prefix}"; ` +
        `run every API and worker with the same QUEUE_SHARDS (to change it, stop them all, let the queues drain, and delete the key ${prefix}:queue-shards)`,
    );
    this.name = "ShardCountMismatch";
  }
}

/** Records this process's shard count, or checks it against the one recorded. @throws ShardCountMismatch */
export async function agreeOnShardCount(redis: RedisClient, keys: Keys): Promise<void> {
  const mine = String(keys.shards.length);
  await redis.set(keys.shardCount, mine, "NX");
  const recorded = await redis.get(keys.shardCount);
  if (recorded !== null && recorded !== mine) throw new ShardCountMismatch(keys.shards.length, recorded, keys.prefix);
}

/** What a process knows of the agreement, for its readiness. */
export interface ShardCountGuard {
  /** The mismatch found, if any. */
  readonly problem: string | undefined;
}

/**
 * Checks the count at start (a mismatch then fails the start) and again whenever the connection
 * becomes ready, since a Redis restarted empty has forgotten it; a mismatch found then is logged
 * and kept for readiness. With Redis away at start, the check waits for it.
 */
export async function guardShardCount(redis: RedisClient, keys: Keys, log: Logger, startWaitMs: number): Promise<ShardCountGuard> {
  const guard: { problem: string | undefined } = { problem: undefined };
  const check = () =>
    agreeOnShardCount(redis, keys).then(
      () => (guard.problem = undefined),
      (error: unknown) => {
        if (!(error instanceof ShardCountMismatch)) return;
        guard.problem = error.message;
        log.error(error.message);
      },
    );
  redis.on("ready", () => void check());
  try {
    await within(
      new Promise<void>((resolve) => whenReady(redis, resolve)).then(() => agreeOnShardCount(redis, keys)),
      startWaitMs,
    );
  } catch (error) {
    if (error instanceof ShardCountMismatch) throw error;
  }
  return guard;
}
