/** Redis connections, built once per process with the options each role needs, for any topology. */
import { Cluster, Redis, ReplyError, type ClusterOptions, type RedisOptions as IoRedisOptions } from "ioredis";
import type { Logger } from "../runtime/log.js";
import { throttledLog } from "../runtime/throttled-log.js";
import type { RedisTarget } from "./url.js";
import { within } from "../runtime/within.js";

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

const MAX_RETRY_DELAY_MS = 2000;
const retryStrategy = (times: number) => Math.min(50 * 2 ** times, MAX_RETRY_DELAY_MS);

/**
 * The Redis error code of a reply Redis refused (`OOM`, `READONLY`, `LOADING`, `WRONGTYPE`, …);
 * undefined for anything else (a timeout, a lost connection), where the command may have run.
 */
export function redisErrorCode(error: unknown): string | undefined {
  if (!(error instanceof ReplyError)) return undefined;
  return /^[A-Z]+/.exec((error as Error).message)?.[0];
}

/**
 * Replies that say this connection reached a server that cannot take writes now: after a failover
 * behind one address (a managed Redis endpoint, a proxy, DNS) the old connections land on the
 * demoted master, or on a server still loading its data. A new connection reaches the new master.
 */
const RECONNECT_ON: ReadonlySet<string> = new Set(["READONLY", "MASTERDOWN", "LOADING"]);

/** Refusals that say the server cannot take commands now, not that the command was wrong: asked again later, it may. */
const UNAVAILABLE_ON: ReadonlySet<string> = new Set([...RECONNECT_ON, "OOM", "CLUSTERDOWN", "TRYAGAIN"]);

/**
 * Whether `error`, from a command sent on `redis`, says that Redis could not serve it (unreachable,
 * failing over, loading, full) rather than that something else went wrong: one of those refusals,
 * ioredis giving up on the command after its retries, or any failure while the client is not
 * connected.
 */
export function redisUnavailable(error: unknown, redis: RedisClient): boolean {
  const code = redisErrorCode(error);
  if (code !== undefined) return UNAVAILABLE_ON.has(code);
  return (error as Error | undefined)?.name === "MaxRetriesPerRequestError" || !isConnected(redis);
}

/** Within this long of the last one, a reconnect for a refused write counts as repeated. */
const ROLE_RECONNECT_MEMORY_MS = 10_000;

/**
 * Reconnects on {@link RECONNECT_ON} replies, backing off when they repeat: a connection that only
 * ever reaches a replica (`REDIS_URL` on one) then tries again up to {@link MAX_RETRY_DELAY_MS}
 * apart instead of spinning. Shared by a client and its duplicates (BullMQ's connections).
 */
function roleReconnects(): RoleReconnects {
  let repeated = 0;
  let last = 0;
  let lastCode: string | undefined;
  let lastOom = 0;
  const recent = () => Date.now() - last < ROLE_RECONNECT_MEMORY_MS;
  return {
    // Called by ioredis for every error reply, so it also sees a full Redis refusing a write.
    reconnectOnError(error) {
      const code = redisErrorCode(error);
      if (code === "OOM") lastOom = Date.now();
      if (code === undefined || !RECONNECT_ON.has(code)) return false;
      const now = Date.now();
      repeated = recent() ? repeated + 1 : 0;
      last = now;
      lastCode = code;
      return true;
    },
    delayMs: () => (recent() ? Math.min(100 * 2 ** repeated, MAX_RETRY_DELAY_MS) : 0),
    lastRefusal: () => (recent() ? lastCode : undefined),
    fullLately: () => Date.now() - lastOom < FULL_MEMORY_MS,
  };
}

interface RoleReconnects {
  reconnectOnError(error: Error): boolean;
  delayMs(): number;
  /** The reply that last made the client reconnect, if it did lately. */
  lastRefusal(): string | undefined;
  /** Whether a write was refused with OOM within {@link FULL_MEMORY_MS}. */
  fullLately(): boolean;
}

/** How long after a write refused with OOM the client's Redis counts as full. */
export const FULL_MEMORY_MS = 1000;

/**
 * Whether the client's Redis refused a write for want of memory within the last second: callers
 * are then answered 503 at once instead of adding to a Redis that refuses work.
 */
export function fullLately(redis: RedisClient): boolean {
  return reconnectsOf.get(redis)?.fullLately() === true;
}

const reconnectsOf = new WeakMap<RedisClient, RoleReconnects>();

/**
 * Why a client that is not connected now is away, when a server's refusal sent it away lately
 * (`READONLY`, `MASTERDOWN`, `LOADING`): it reconnects, backing off, and readiness can say so.
 */
export function lastRefusal(redis: RedisClient): string | undefined {
  return reconnectsOf.get(redis)?.lastRefusal();
}

export function createRedis(target: RedisTarget, role: RedisRole, options: RedisOptions = {}): RedisClient {
  const command = role === "command";
  const reconnects = roleReconnects();
  const connection: IoRedisOptions = {
    connectionName: options.name ?? `predownload-${role}`,
    enableOfflineQueue: !command,
    maxRetriesPerRequest: command ? 1 : null,
    commandTimeout: command ? options.commandTimeoutMs : undefined,
    retryStrategy: (times) => Math.max(retryStrategy(times), reconnects.delayMs()),
    reconnectOnError: reconnects.reconnectOnError,
  };
  // Replies travel on shard channels (SPUBLISH/SSUBSCRIBE) on a cluster: one subscriber per master.
  const redis = clientFor(target, connection, { clusterRetryStrategy: retryStrategy, shardedSubscribers: role === "subscriber" });
  reconnectsOf.set(redis, reconnects);
  const warn = options.log === undefined ? undefined : throttledLog(options.log);
  redis.on("error", (error: Error) => {
    options.onError?.(role);
    warn?.("warn", `${role}:${redisErrorCode(error) ?? (error as NodeJS.ErrnoException).code ?? error.message}`, { err: error, role }, "redis connection error");
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
