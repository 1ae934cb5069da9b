/**
 * The CLIs' Redis connections (audit, directory), on any topology (one server, Sentinel, Cluster):
 * bounded waits, no silent retrying, a clear message on failure.
 */
import { Cluster, type RedisOptions } from "ioredis";
import { clientFor, type RedisClient } from "../shared/redis/client.js";
import type { HostPort, RedisTarget } from "../shared/redis/url.js";

/** Longest wait for Redis to accept the connection and answer its ready check. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * How long a closing connection may take to close. ioredis waits this long (default 2 s) on a
 * socket that had already closed, e.g. a cluster node that refused the connection, keeping the
 * process alive for nothing.
 */
const DISCONNECT_TIMEOUT_MS = 100;

/** Redis could not be reached or failed mid-run: exit 1 with this message. */
export class RedisFailure extends Error {}

/** Redis could not be reached at all: `where` names it (hosts only), `reason` says what happened. */
export class RedisUnreachable extends RedisFailure {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${where} (${reason}). Check REDIS_URL and that Redis is running.`);
  }
}

const noRetry = () => null;

/**
 * Connects, failing within {@link CONNECT_TIMEOUT_MS} when Redis is away. `commandTimeoutMs` must
 * exceed the longest BLOCK the caller uses. A lost connection is not retried: commands in flight
 * and later ones reject, and the caller reports it. On a cluster, ioredis still follows MOVED and
 * ASK redirections (a slot that moved is not a failure), within its bounded `maxRedirections`.
 */
export function connect(target: RedisTarget, name: string, commandTimeoutMs: number): Promise<RedisClient> {
  const connection: RedisOptions = {
    connectTimeout: CONNECT_TIMEOUT_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: noRetry,
    connectionName: name,
  };
  const client = clientFor(
    target,
    { ...connection, lazyConnect: true, enableOfflineQueue: false, sentinelRetryStrategy: noRetry },
    { clusterRetryStrategy: noRetry, slotsRefreshTimeout: CONNECT_TIMEOUT_MS },
  );
  return open(client, target);
}

/** Another connection to the same Redis with the same options, e.g. for a blocking read. */
export function duplicate(client: RedisClient, target: RedisTarget, name: string): Promise<RedisClient> {
  return open(client instanceof Cluster ? client.duplicate([], { redisOptions: { connectionName: name } }) : client.duplicate({ connectionName: name }), target);
}

async function open(client: RedisClient, target: RedisTarget): Promise<RedisClient> {
  let cause: Error | undefined;
  let timedOut = false;
  client.on("error", (error: Error) => (cause ??= error));
  const timer = setTimeout(() => {
    timedOut = true;
    client.disconnect();
  }, CONNECT_TIMEOUT_MS);
  try {
    await client.connect();
    return client;
  } catch (error) {
    // Disconnecting a connection that already ended leaves ioredis waiting out its disconnectTimeout.
    if (client.status !== "end") client.disconnect();
    // A cluster's rejection ("None of startup nodes is available") says more than its errors ("Connection is closed.").
    const reason = timedOut ? `no answer within ${CONNECT_TIMEOUT_MS} ms` : ((client instanceof Cluster ? undefined : cause) ?? (error as Error)).message;
    throw new RedisUnreachable(describeTarget(target), reason);
  } finally {
    clearTimeout(timer);
  }
}

/** Where Redis was expected, by hosts and ports only: a REDIS_URL may carry a password. */
export function describeTarget(target: RedisTarget): string {
  switch (target.kind) {
    case "single":
      try {
        return `Redis at ${new URL(target.url).host}`;
      } catch {
        return "Redis at REDIS_URL";
      }
    case "cluster":
      return `Redis Cluster at ${hostList(target.nodes)}`;
    case "sentinel":
      return `Redis master "${target.name}" through Sentinel at ${hostList(target.sentinels)}`;
  }
}

function hostList(hosts: readonly HostPort[]): string {
  return hosts.map(({ host, port }) => `${host.includes(":") ? `[${host}]` : host}:${port}`).join(",");
}
