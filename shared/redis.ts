/** Redis connections, built once per process with the options each role needs. */
import { Redis } from "ioredis";
import type { Logger } from "./log.js";

/**
 * - `command`: the API's and CLIs' client; fails fast while Redis is unreachable instead of queueing,
 *   and gives up on a command Redis does not answer in time (a frozen server).
 * - `subscriber`: the API's reply listener; reconnects forever.
 * - `worker`: BullMQ workers and the worker's own reads and writes; waits for Redis to return.
 */
export type RedisRole = "command" | "subscriber" | "worker";

export interface RedisOptions {
  readonly log?: Logger;
  /** `command` role only: a command not answered within this many ms fails. */
  readonly commandTimeoutMs?: number;
  /** Called on every connection error, e.g. to count it. */
  readonly onError?: (role: RedisRole) => void;
}

export function createRedis(url: string, role: RedisRole, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    connectionName: `predownload-${role}`,
    enableOfflineQueue: role !== "command",
    maxRetriesPerRequest: role === "command" ? 1 : null,
    commandTimeout: role === "command" ? options.commandTimeoutMs : undefined,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
  });
  redis.on("error", (error: Error) => {
    options.onError?.(role);
    options.log?.warn({ err: error, role }, "redis connection error");
  });
  return redis;
}

/** True when the client is connected and may send commands now. */
export function isConnected(redis: Redis): boolean {
  return redis.status === "ready";
}

/**
 * Warns when Redis may evict keys: evicted queue, result or directory keys lose decisions. Managed
 * Redis services often refuse CONFIG; then the setting cannot be checked and that is said instead.
 */
export async function checkEvictionPolicy(redis: Redis, log: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config("GET", "maxmemory-policy")) as [string, string];
    if (policy !== "noeviction") {
      log.warn({ maxmemoryPolicy: policy }, `Redis maxmemory-policy is "${policy}": set it to "noeviction", or Redis may evict queue, result and directory keys`);
    }
  } catch (error) {
    log.info({ err: error }, "could not read Redis maxmemory-policy (CONFIG refused?); make sure it is noeviction");
  }
}
