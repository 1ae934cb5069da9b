/** Redis connections, built once per process with the options each role needs, for any topology. */
import { Cluster, Redis, type ClusterOptions, type RedisOptions as IoRedisOptions } from "ioredis";
import type { Logger } from "./log.js";
import type { RedisTarget } from "./redis-url.js";
import { within } from "./within.js";

/** A connection to one server (or its Sentinel-managed master) or to a whole cluster. */
export type RedisClient = Redis | Cluster;

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
  /** Overrides the connection name (`predownload-<role>`). */
  readonly name?: string;
}

const retryStrategy = (times: number) => Math.min(50 * 2 ** times, 2000);

export function createRedis(target: RedisTarget, role: RedisRole, options: RedisOptions = {}): RedisClient {
  const command = role === "command";
  const connection: IoRedisOptions = {
    connectionName: options.name ?? `predownload-${role}`,
    enableOfflineQueue: !command,
    maxRetriesPerRequest: command ? 1 : null,
    commandTimeout: command ? options.commandTimeoutMs : undefined,
    retryStrategy,
  };
  // Replies travel on shard channels (SPUBLISH/SSUBSCRIBE) on a cluster: one subscriber per master.
  const redis = clientFor(target, connection, { clusterRetryStrategy: retryStrategy, shardedSubscribers: role === "subscriber" });
  redis.on("error", (error: Error) => {
    options.onError?.(role);
    options.log?.warn({ err: error, role }, "redis connection error");
  });
  return redis;
}

/**
 * A client for any topology with the given connection options; on a cluster they apply to each
 * node, and `cluster` adds what only a cluster has. The offline-queue and lazy-connect choices hold
 * for the cluster as a whole too: a command client must not queue on a node that is down (a master
 * failing over) any more than on a cluster that is not ready.
 */
export function clientFor(target: RedisTarget, connection: IoRedisOptions, cluster: ClusterOptions = {}): RedisClient {
  switch (target.kind) {
    case "single":
      return new Redis(target.url, connection);
    case "sentinel":
      return new Redis({
        ...connection,
        sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
        name: target.name,
        db: target.db,
        username: target.username,
        password: target.password,
        sentinelPassword: target.sentinelPassword,
        ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      });
    case "cluster": {
      const { lazyConnect, ...perNode } = connection;
      return new Cluster(
        target.nodes.map((n) => ({ host: n.host, port: n.port })),
        {
          lazyConnect,
          enableOfflineQueue: connection.enableOfflineQueue,
          ...cluster,
          redisOptions: { ...perNode, username: target.username, password: target.password, ...(target.tls ? { tls: {} } : {}) },
        },
      );
    }
  }
}

/**
 * Closes a connection within `timeoutMs`: QUIT when connected, else (or when QUIT does not answer,
 * e.g. queued behind commands for a Redis that is gone) a plain disconnect.
 */
export async function closeRedis(client: RedisClient, timeoutMs: number): Promise<void> {
  if (!isConnected(client)) {
    client.disconnect();
    return;
  }
  await within(client.quit(), timeoutMs).catch(() => client.disconnect());
}

/** Runs `action` once the client is connected: now if it is, else at its first `ready`. */
export function whenReady(client: RedisClient, action: () => void): void {
  if (isConnected(client)) action();
  else client.once("ready", action);
}

/** True when the client is connected and may send commands now. */
export function isConnected(redis: RedisClient): boolean {
  return redis.status === "ready";
}

/** The servers that hold data: the cluster's masters, or the one server. */
export function dataNodes(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes("master") : [redis];
}

/**
 * Warns when Redis may evict keys: evicted queue, result or directory keys lose decisions. Managed
 * Redis services often refuse CONFIG; then the setting cannot be checked and that is said instead.
 */
export async function checkEvictionPolicy(redis: RedisClient, log: Logger): Promise<void> {
  for (const node of dataNodes(redis)) {
    try {
      const [, policy] = (await node.config("GET", "maxmemory-policy")) as [string, string];
      if (policy !== "noeviction") {
        log.warn({ maxmemoryPolicy: policy }, `Redis maxmemory-policy is "${policy}": set it to "noeviction", or Redis may evict queue, result and directory keys`);
        return;
      }
    } catch (error) {
      log.info({ err: error }, "could not read Redis maxmemory-policy (CONFIG refused?); make sure it is noeviction");
      return;
    }
  }
}
