/** The audit CLI's Redis connection: bounded waits, no silent retrying, a clear message on failure. */
import { Redis } from "ioredis";
import type { Config } from "../../shared/config.js";

/** Longest wait for Redis to accept the connection and answer its ready check. */
const CONNECT_TIMEOUT_MS = 5000;

/** Redis could not be reached or failed mid-run: exit 1 with this message. */
export class RedisFailure extends Error {}

/**
 * Connects, failing within {@link CONNECT_TIMEOUT_MS} when Redis is away. `commandTimeoutMs` must
 * exceed the longest BLOCK the caller uses. A lost connection is not retried: commands in flight
 * and later ones reject, and the caller reports it.
 */
export async function connect(config: Config, name: string, commandTimeoutMs: number): Promise<Redis> {
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectionName: name,
  });
  let cause: Error | undefined;
  redis.on("error", (error: Error) => (cause ??= error));
  const timer = setTimeout(() => {
    cause ??= new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`);
    redis.disconnect();
  }, CONNECT_TIMEOUT_MS);
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    // Disconnecting a connection that already ended leaves ioredis waiting out its disconnectTimeout.
    if (redis.status !== "end") redis.disconnect();
    throw new RedisFailure(`cannot reach Redis at ${redisLocation(config.redisUrl)} (${(cause ?? (error as Error)).message}). Check REDIS_URL and that Redis is running.`);
  } finally {
    clearTimeout(timer);
  }
}

/** Host and port only: a REDIS_URL may carry a password. */
export function redisLocation(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "REDIS_URL";
  }
}
