/**
 * Writes that must survive the loss of the server that took them: with `REDIS_WAIT_REPLICAS` above
 * 0, a write is followed, on the same connection, by WAIT, so its acknowledgement means that many
 * replicas have it too. A failover then cannot lose an audit event whose URL was handed out.
 */
import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "./redis.js";

export interface Durability {
  /** Replicas that must acknowledge a write; 0 does not wait. */
  readonly replicas: number;
  readonly timeoutMs: number;
}

export interface DurableResult {
  /** Each queued command's reply, in order. */
  readonly replies: unknown[];
  /** Whether the wanted number of replicas acknowledged within the timeout (always true without waiting). */
  readonly replicated: boolean;
}

/**
 * Runs the commands `queue` adds to one pipeline (on a cluster, their keys must share a slot, so
 * the pipeline and its WAIT go to one master), then waits for replicas when asked to.
 * @throws the first command's error.
 */
export async function writeDurably(redis: RedisClient, durability: Durability, queue: (pipeline: ChainableCommander) => void): Promise<DurableResult> {
  const pipeline = redis.pipeline();
  queue(pipeline);
  const queued = pipeline.length;
  if (durability.replicas > 0) pipeline.wait(durability.replicas, durability.timeoutMs);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0];
  const replies = results.slice(0, queued).map(([, reply]) => reply);
  const acked = durability.replicas > 0 ? Number(results[queued]?.[1] ?? 0) : 0;
  return { replies, replicated: acked >= durability.replicas };
}
