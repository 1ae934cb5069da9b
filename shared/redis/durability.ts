/**
 * Writes that must survive the loss of the server that took them: with `REDIS_WAIT_REPLICAS` above
 * 0, a write is followed, on the same connection, by WAIT, so that its acknowledgement means that
 * many replicas have it too. A failover then cannot lose an audit event whose URL was handed out.
 */
import type { ChainableCommander } from "ioredis";
import { dataNodes, type RedisClient } from "./client.js";

/** How long a scope whose replicas did not answer in time is written without waiting. */
export const DEGRADED_RETRY_MS = 5000;

interface Round {
  /** The WAIT sent last, not yet answered. */
  inFlight: Promise<boolean> | undefined;
  /** The WAIT that writes landing meanwhile share; sent when `inFlight` is answered. */
  next: Promise<boolean> | undefined;
}

/**
 * Replica acknowledgements, per scope (a shard: one slot, so one master and one connection).
 *
 * WAIT holds its connection until it answers, and it covers every write sent before it on that
 * connection, so writes share WAITs (group commit): at most one is in flight per scope, and the
 * writes that land while it is share the next one. When a scope's replicas miss the timeout, e.g. a
 * promoted master whose replica died with the old one, waiting again on every write would only add
 * the timeout to every request: the scope is written without waiting for {@link DEGRADED_RETRY_MS},
 * then tried again.
 */
export class Durability {
  private readonly degradedUntil = new Map<string, number>();
  private readonly rounds = new Map<string, Round>();

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

  /**
   * Resolves once the replicas have every write already made on `redis` in the slot of
   * `scopeKey` (a key of that slot, which routes the WAIT to its master on a cluster): true when
   * they acknowledged in time or none are wanted now, false when they did not (the scope is then
   * degraded). Rejects when Redis fails.
   */
  replicate(redis: RedisClient, scopeKey: string): Promise<boolean> {
    if (this.replicasFor(scopeKey) === 0) return Promise.resolve(true);
    let round = this.rounds.get(scopeKey);
    if (round === undefined) {
      round = { inFlight: undefined, next: undefined };
      this.rounds.set(scopeKey, round);
    }
    const { inFlight } = round;
    if (inFlight === undefined) return this.send(redis, scopeKey, round);
    // The WAIT in flight may have been sent before this write: share the next one.
    const current = round;
    current.next ??= inFlight.then(
      () => this.afterRound(redis, scopeKey, current),
      () => this.afterRound(redis, scopeKey, current),
    );
    return current.next;
  }

  private afterRound(redis: RedisClient, scopeKey: string, round: Round): Promise<boolean> {
    round.next = undefined;
    return this.replicasFor(scopeKey) === 0 ? Promise.resolve(true) : this.send(redis, scopeKey, round);
  }

  private send(redis: RedisClient, scopeKey: string, round: Round): Promise<boolean> {
    const replicas = this.replicas;
    const sent: Promise<boolean> = redis
      .pipeline()
      .exists(scopeKey)
      .wait(replicas, this.timeoutMs)
      .exec()
      .then((results) => {
        const [error, acked] = results?.[1] ?? [new Error("WAIT got no answer"), 0];
        if (error !== null) throw error;
        const replicated = Number(acked) >= replicas;
        if (!replicated) this.degrade(scopeKey);
        return replicated;
      })
      .finally(() => {
        if (round.inFlight === sent) round.inFlight = undefined;
      });
    round.inFlight = sent;
    return sent;
  }
}

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
 * Runs the commands `queue` adds to one pipeline (on a cluster their keys must share a slot, the
 * slot of `scopeKey`), then waits for the replicas when `durability` asks for them.
 * @throws the first command's error.
 */
export async function writeDurably(redis: RedisClient, durability: Durability, scopeKey: string, queue: (pipeline: ChainableCommander) => void): Promise<DurableResult> {
  const pipeline = redis.pipeline();
  queue(pipeline);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0];
  return { replies: results.map(([, reply]) => reply), replicated: await durability.replicate(redis, scopeKey) };
}

/**
 * Waits, on every master `redis` writes to, until `replicas` replicas hold every write it made
 * there so far: for bulk writes that touch every slot (an import). True when each master's
 * replicas acknowledged within `timeoutMs`, or none are wanted.
 */
export async function replicateEverywhere(redis: RedisClient, replicas: number, timeoutMs: number): Promise<boolean> {
  if (replicas === 0) return true;
  const acknowledged = await Promise.all(dataNodes(redis).map((node) => node.wait(replicas, timeoutMs)));
  return acknowledged.every((n) => n >= replicas);
}
