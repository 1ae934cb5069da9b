/** Redis connections, built once per process with the options each role needs. */
import { Redis } from "ioredis";
import type { Logger } from "./log.js";

/**
 * - `command`: the API's and CLIs' client; fails fast while Redis is unreachable instead of queueing.
 * - `subscriber`: the API's reply listener; reconnects forever.
 * - `worker`: BullMQ workers and the worker's own reads and writes; waits for Redis to return.
 */
export type RedisRole = "command" | "subscriber" | "worker";

export function createRedis(url: string, role: RedisRole, log?: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: `predownload-${role}`,
    enableOfflineQueue: role !== "command",
    maxRetriesPerRequest: role === "command" ? 1 : null,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
  });
  redis.on("error", (error: Error) => log?.warn({ err: error, role }, "redis connection error"));
  return redis;
}
