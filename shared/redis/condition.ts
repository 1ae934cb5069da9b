/**
 * Whether Redis can take the service's writes, for readiness: answering is not enough. After a
 * failover behind one address the server may be a replica (every write refused with READONLY),
 * a server restarting loads its data (LOADING), and a full one (`maxmemory` reached under
 * `noeviction`) refuses writes with OOM.
 */
import type { Redis } from "ioredis";
import { dataNodes, fullLately, isConnected, lastRefusal, redisErrorCode, type RedisClient } from "./client.js";
import { within } from "../runtime/within.js";

/** What readiness says of Redis: `ok` is a writable master with room. */
export type RedisCondition = "ok" | "replica" | "loading" | "full" | "unreachable";

/**
 * The condition of the servers holding data (every master of a cluster): the first one not `ok`.
 * A client away because a server refused it lately (it reconnects, backing off) says what refused it.
 */
export async function redisCondition(redis: RedisClient, timeoutMs: number): Promise<RedisCondition> {
  if (!isConnected(redis)) {
    const refusal = lastRefusal(redis);
    return refusal === undefined ? "unreachable" : refusal === "LOADING" ? "loading" : "replica";
  }
  try {
    const conditions = await within(Promise.all(dataNodes(redis).map((node) => nodeCondition(node))), timeoutMs);
    // Memory hovers at the limit while full: a write lately refused with OOM counts too.
    return conditions.find((c) => c !== "ok") ?? (fullLately(redis) ? "full" : "ok");
  } catch (error) {
    return redisErrorCode(error) === "LOADING" ? "loading" : "unreachable";
  }
}

async function nodeCondition(node: Redis): Promise<RedisCondition> {
  const results = (await node.pipeline().role().info("memory").exec()) ?? [];
  for (const [error] of results) if (error !== null) throw error;
  const [[, role], [, memory]] = results as [[null, [string, ...unknown[]]], [null, string]];
  if (role[0] !== "master") return "replica";
  return isFull(memory) ? "full" : "ok";
}

/** Room below `maxmemory` that still counts as full: 1 % of it, at least 64 KiB. */
export function fullMargin(maxmemory: number): number {
  return Math.max(Math.floor(maxmemory / 100), 64 * 1024);
}

/**
 * Redis refuses writes with OOM once the memory it counts (all it uses, less replication and AOF
 * buffers) is above `maxmemory` and nothing can be evicted: always under `noeviction`. A full Redis
 * hovers at the limit (each refused write frees its buffers, the next small one fits), so what is
 * within {@link fullMargin} of it counts as full too.
 */
export function isFull(infoMemory: string): boolean {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(infoMemory)?.[1] ?? "0");
  const maxmemory = field("maxmemory");
  const policy = /^maxmemory_policy:(\S+)/m.exec(infoMemory)?.[1];
  const counted = field("used_memory") - field("mem_not_counted_for_evict");
  return maxmemory > 0 && policy === "noeviction" && counted > maxmemory - fullMargin(maxmemory);
}
