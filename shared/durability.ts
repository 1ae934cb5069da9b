/**
 * Writes that must survive the loss of the server that took them: with `REDIS_WAIT_REPLICAS` above
 * 0, a write is followed, on the same connection, by WAIT, so its acknowledgement means that many
 * replicas have it too. A failover then cannot lose an audit event whose URL was handed out.
 */
import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "./redis.js";

/** How long a scope whose replicas did not answer in time is written without waiting. */
export const DEGRADED_RETRY_MS = 5000;

/**
 * How many replicas must acknowledge a write, per scope (a shard: one master). When a scope's
 * replicas miss the timeout, e.g. a promoted master whose replica died with the old one, waiting
 * again on every write would only add the timeout to every request: the scope is written without
 * waiting for {@link DEGRADED_RETRY_MS}, then tried again.
 */
export class Durability {
  private readonly degradedUntil = new Map<string, number>();

  constructor(
    readonly replicas: number,
    readonly timeoutMs: number,
  ) {}

  /** Replicas to wait for on `scope` now. */
  replicasFor(scope: string, now = Date.now()): number {
    if (this.replicas === 0) return 0;
    const until = this.degradedUntil.get(scope);
    if (until === undefined) return this.replicas;
    if (now < until) return 0;
    this.degradedUntil.delete(scope);
    return this.replicas;
  }

  /** Records that `scope`'s replicas did not acknowledge in time. */
  degrade(scope: string, now = Date.now()): void {
    this.degradedUntil.set(scope, now + DEGRADED_RETRY_MS);
  }
}

/** No waiting: one server without replicas, or replicas left to their asynchronous course. */
export const NO_WAIT = new Durability(0, 1);

export interface DurableResult {
  /** Each queued command's reply, in order. */
  readonly replies: unknown[];
  /**
   * False when this write waited for replicas and they did not acknowledge in time: the write
   * holds, but a failover could lose it. The scope is then written without waiting for a while
   * (see {@link Durability}); those writes report true, having asked for nothing.
   */
  readonly replicated: boolean;
}

/**
 * Runs the commands `queue` adds to one pipeline (on a cluster, their keys must share a slot, so
 * the pipeline and its WAIT go to one master), then waits for replicas when `scope` asks for it.
 * @throws the first command's error.
 */
export async function writeDurably(redis: RedisClient, durability: Durability, scope: string, queue: (pipeline: ChainableCommander) => void): Promise<DurableResult> {
  const pipeline = redis.pipeline();
  queue(pipeline);
  const queued = pipeline.length;
  const replicas = durability.replicasFor(scope);
  if (replicas > 0) pipeline.wait(replicas, durability.timeoutMs);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0];
  const replies = results.slice(0, queued).map(([, reply]) => reply);
  const replicated = replicas === 0 || Number(results[queued]?.[1] ?? 0) >= replicas;
  if (!replicated) durability.degrade(scope);
  return { replies, replicated };
}
