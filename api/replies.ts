/**
 * Waiting for sign results. One subscriber per API process listens on the process's own reply
 * channel; each request registers a pending entry before its job is enqueued. A reply message
 * resolves it; at the deadline the result key is claimed (the worker's result if it is there,
 * otherwise a tombstone that stops a late worker from issuing anything). After the subscriber
 * reconnects, results that may have been published meanwhile are read from their keys.
 */
import type { Queue } from "bullmq";
import { SIGN_JOB, type SignJobData, type SignJobName, type SignJobReturn, type SignReply, type SignResult } from "../shared/job.js";
import type { Keys } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";
import { isConnected, type RedisClient } from "../shared/redis.js";
import { unavailable } from "./predownload/route.js";
import { claim, peekResults } from "../shared/reply.js";

export interface Settled {
  readonly result: SignResult;
  /** True when nobody answered in time and this process settled the request as unavailable. */
  readonly timedOut: boolean;
}

interface Pending {
  readonly resolve: (settled: Settled) => void;
  readonly timer: NodeJS.Timeout;
  readonly deadline: number;
}

export class Replies {
  private readonly pending = new Map<string, Pending>();
  /** This process's reply channels: one on a single server, one per shard on a cluster. */
  readonly channels: readonly string[];

  constructor(
    private readonly subscriber: RedisClient,
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    instanceId: string,
    private readonly log: Logger,
  ) {
    this.channels = [...new Set(keys.shards.map((shard) => shard.replyChannel(instanceId)))];
    const mine = new Set(this.channels);
    subscriber.on(keys.shardedReplies ? "smessage" : "message", (channel: string, message: string) => {
      if (mine.has(channel)) this.onMessage(message);
    });
    let connectedBefore = false;
    subscriber.on("ready", () => {
      if (connectedBefore) void this.recoverMissed();
      connectedBefore = true;
    });
    // A cluster's shard subscribers resubscribe on their own after a failover; the cluster itself
    // stays ready, so this is the moment replies published meanwhile may have been missed.
    if (keys.shardedReplies) subscriber.on("subscribersReady", () => void this.recoverMissed());
  }

  private subscribed = false;

  /** Subscribes; resolves once subscribed, but requests may be accepted before that. */
  async start(): Promise<void> {
    if (this.keys.shardedReplies) await Promise.all(this.channels.map((channel) => this.subscriber.ssubscribe(channel)));
    else await this.subscriber.subscribe(...this.channels);
    this.subscribed = true;
  }

  /** Whether replies can reach this process now: subscribed once (ioredis resubscribes after a reconnect) and connected. */
  get listening(): boolean {
    return this.subscribed && isConnected(this.subscriber);
  }

  /** Registers a wait for `jobId`; call before enqueueing the job. */
  wait(jobId: string, deadline: number): Promise<Settled> {
    return new Promise<Settled>((resolve) => {
      const timer = setTimeout(() => void this.expire(jobId), Math.max(deadline - Date.now(), 0));
      this.pending.set(jobId, { resolve, timer, deadline });
    });
  }

  /** Settles a wait whose job could not be enqueued, as at its deadline. */
  fail(jobId: string): void {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    void this.expire(jobId);
  }

  get size(): number {
    return this.pending.size;
  }

  private onMessage(message: string): void {
    let reply: SignReply;
    try {
      reply = JSON.parse(message) as SignReply;
    } catch {
      this.log.warn("unreadable reply message");
      return;
    }
    this.resolve(reply.jobId, { result: reply.result, timedOut: false });
  }

  private resolve(jobId: string, settled: Settled): void {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(jobId);
    entry.resolve(settled);
  }

  private async expire(jobId: string): Promise<void> {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    try {
      const reply = await claim(this.redis, this.keys, jobId, entry.deadline);
      this.resolve(jobId, reply === undefined ? { result: { outcome: "unavailable" }, timedOut: true } : { result: reply.result, timedOut: false });
    } catch (error) {
      this.log.warn({ err: error, jobId }, "could not claim an expired request");
      this.resolve(jobId, { result: { outcome: "unavailable" }, timedOut: true });
    }
  }

  private async recoverMissed(): Promise<void> {
    try {
      for (const reply of await peekResults(this.redis, this.keys, [...this.pending.keys()])) {
        this.resolve(reply.jobId, { result: reply.result, timedOut: false });
      }
    } catch (error) {
      this.log.warn({ err: error }, "could not read results after resubscribing");
    }
  }
}

/**
 * Signs through the queue of the job's shard: registers the wait, enqueues the job, and resolves
 * with its settlement.
 * While Redis is unreachable it rejects with 503-100 at once: BullMQ's `add` would otherwise wait
 * for a connection well past any deadline.
 */
export function queuedSign(queues: ReadonlyArray<Queue<SignJobData, SignJobReturn, SignJobName>>, keys: Keys, redis: RedisClient, replies: Replies, log: Logger) {
  return function sign(jobId: string, data: SignJobData): Promise<Settled> {
    if (!isConnected(redis)) return Promise.reject(unavailable());
    const waiting = replies.wait(jobId, data.deadline);
    queues[keys.shardFor(jobId).index]!.add(SIGN_JOB, data, { jobId }).catch((error: unknown) => {
      log.warn({ err: error, requestId: data.requestId }, "sign job could not be enqueued");
      replies.fail(jobId);
    });
    return waiting;
  };
}
