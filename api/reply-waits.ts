/**
 * Waiting for sign results. One subscriber per API process listens on the process's own reply
 * channel; each request registers a pending entry before its job is enqueued. A reply message
 * resolves it; at the deadline the result key is claimed (the worker's result if it is there,
 * otherwise a tombstone that stops a late worker from issuing anything). After the subscriber
 * reconnects, results that may have been published meanwhile are read from their keys.
 */
import type { Queue } from "bullmq";
import { Clock } from "../shared/redis/clock.js";
import type { BacklogOrder } from "./backlog.js";
import { REDEEM_JOB, SIGN_JOB, SIGN_QUEUE, type JobData, type JobDataOf, type JobName, type JobResult, type JobReturn, type RedeemJobData, type RedeemResult, type SignJobData, type SignReply, type SignResult } from "../shared/domain/job.js";
import type { Keys } from "../shared/redis/keys.js";
import type { Logger } from "../shared/runtime/log.js";
import { fullLately, isConnected, redisErrorCode, type RedisClient } from "../shared/redis/client.js";
import { unavailable } from "./errors/unavailable.js";
import { claim, peekResults } from "../shared/redis/settlement.js";
import { throttledLog, type ThrottledLog } from "../shared/runtime/throttled-log.js";
import { NO_TRACING, type Tracing } from "../shared/runtime/tracing.js";

/** How a request's wait for its job's result ended. */
export interface JobAnswer<R extends JobResult = JobResult> {
  readonly result: R;
  /** True when nobody answered in time and this process settled the request as unavailable. */
  readonly timedOut: boolean;
}

/** How a request's wait for its sign result ended. */
export type SignAnswer = JobAnswer<SignResult>;

/** How a redeem's wait for its result ended. */
export type RedeemAnswer = JobAnswer<RedeemResult>;

interface Pending {
  readonly resolve: (answer: JobAnswer) => void;
  readonly timer: NodeJS.Timeout;
  readonly deadline: number;
}

/** This process's pending requests, each waiting for its sign job's reply (see `settlement.ts` for the protocol). */
export class ReplyWaits {
  private readonly pending = new Map<string, Pending>();
  private readonly noisy: ThrottledLog;
  /** This process's reply channels: one on a single server, one per shard on a cluster. */
  readonly channels: readonly string[];

  constructor(
    private readonly subscriber: RedisClient,
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    instanceId: string,
    private readonly log: Logger,
    /** Redis's clock, by which deadlines are set (see `clock.ts`); unmeasured, the local one. */
    private readonly clock: Clock = new Clock(),
  ) {
    this.noisy = throttledLog(log);
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
  wait(jobId: string, deadline: number): Promise<JobAnswer> {
    return new Promise<JobAnswer>((resolve) => {
      const timer = setTimeout(() => void this.expire(jobId), Math.max(deadline - this.clock.now(), 0));
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

  private resolve(jobId: string, answer: JobAnswer): void {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(jobId);
    entry.resolve(answer);
  }

  private async expire(jobId: string): Promise<void> {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    try {
      const reply = await claim(this.redis, this.keys, jobId, entry.deadline, this.clock.now());
      this.resolve(jobId, reply === undefined ? { result: { outcome: "unavailable" }, timedOut: true } : { result: reply.result, timedOut: false });
    } catch (error) {
      this.noisy("warn", `claim:${redisErrorCode(error) ?? "other"}`, { err: error, jobId }, "could not claim an expired request");
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
 * Runs jobs through the queue of the job's shard: registers the wait, enqueues the job (newest
 * first while the shard has a backlog) in a producer span whose context the job carries, and
 * resolves with its settlement. A job's result is of its own name's kind: the reply for a job id
 * comes from that job.
 * While Redis is unreachable, or lately refused a write for want of memory (full, under
 * `noeviction`), it rejects with 503-100 at once: BullMQ's `add` would otherwise wait for a
 * connection well past any deadline, and a full Redis would take the job but not its result.
 */
export function queuedJobs(
  queues: ReadonlyArray<Queue<JobData, JobReturn, JobName>>,
  keys: Keys,
  redis: RedisClient,
  replies: ReplyWaits,
  order: BacklogOrder,
  log: Logger,
  tracing: Tracing = NO_TRACING,
) {
  const noisy = throttledLog(log);
  function run<N extends JobName>(name: N, jobId: string, data: JobDataOf[N]): Promise<JobAnswer> {
    if (!isConnected(redis) || fullLately(redis)) return Promise.reject(unavailable());
    const waiting = replies.wait(jobId, data.deadline);
    const index = keys.shardFor(jobId).index;
    const attributes = { "messaging.system": "bullmq", "messaging.operation.type": "send", "messaging.destination.name": SIGN_QUEUE, "messaging.message.id": jobId };
    tracing
      .inSpan(`send ${SIGN_QUEUE}`, { kind: "producer", attributes }, (span) => {
        const traced: JobData = span.traceparent === undefined ? data : { ...data, traceparent: span.traceparent };
        return queues[index]!.add(name, traced, { jobId, lifo: order.lifo(index) });
      })
      .catch((error: unknown) => {
        noisy("warn", `enqueue:${redisErrorCode(error) ?? "other"}`, { err: error, requestId: data.requestId }, `${name} job could not be enqueued`);
        replies.fail(jobId);
      });
    return waiting;
  }
  return {
    sign: (jobId: string, data: SignJobData) => run(SIGN_JOB, jobId, data) as Promise<SignAnswer>,
    redeem: (jobId: string, data: RedeemJobData) => run(REDEEM_JOB, jobId, data) as Promise<RedeemAnswer>,
  };
}
