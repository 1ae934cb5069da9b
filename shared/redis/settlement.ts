/**
 * The reply protocol between worker and API, built on one short-lived result key per job.
 * Whoever sets the key first settles the request, atomically:
 * - the worker's `settle` sets the result, appends the audit event and publishes the reply in one
 *   script, so no URL exists without its event, and a retried job cannot issue a second one (when
 *   replicas must acknowledge the decision first, the script writes, WAIT waits, then the reply is
 *   published);
 * - the API's `claim`, at its deadline, sets a tombstone so that a late worker issues nothing, or
 *   finds the worker's result and answers with it.
 */
import { Cluster } from "ioredis";
import { AUDIT_FIELD, type AnyAuditEvent } from "../domain/audit.js";
import { writeDurably, type Durability } from "./durability.js";
import type { SignReply } from "../domain/job.js";
import type { Keys } from "./keys.js";
import type { RedisClient } from "./client.js";
import { claimResult, queueSettleResult, settleResult, type PublishCommand, type SettleResult } from "./scripts.js";

/** The field of a job's hash that says its request was decided (see `settle-3.lua`). */
const DECIDED_FIELD = "pdDecided";

/** How long a result outlives its request's deadline, so retried or late jobs still see it. */
export const RESULT_GRACE_MS = 10_000;

/**
 * What `claim` leaves in the result key of a job nobody answered in time: an `unavailable` reply
 * marked as the API's, so that a late job can tell it from a worker's own `unavailable`.
 */
function tombstone(jobId: string): string {
  return JSON.stringify({ jobId, result: { outcome: "unavailable" }, tombstone: true });
}

function isTombstone(stored: string): boolean {
  return (JSON.parse(stored) as { tombstone?: boolean }).tombstone === true;
}

function resultTtlMs(deadline: number, now: number): number {
  return Math.max(deadline - now, 0) + RESULT_GRACE_MS;
}

export interface Settlement {
  readonly reply: SignReply;
  /** The decision's audit event; null for a decision that records none (a HEAD of a download link). */
  readonly event: AnyAuditEvent | null;
  readonly replyTo: string;
  readonly deadline: number;
  /** Epoch ms now by Redis's clock (see `clock.ts`), from which the result's lifetime is counted; default the local clock. */
  readonly now?: number;
  /**
   * A job that ran too late: record the event also when the API has already settled the request at
   * its deadline (its tombstone), once; never when a worker settled it.
   */
  readonly alwaysAudit?: boolean;
  /** Trim the audit stream below this id (see `auditMinId`) as the event is appended; absent, nothing is trimmed. */
  readonly auditMinId?: string;
}

export interface Settled {
  /** This call settled the request; false when it was already settled. */
  readonly written: boolean;
  /** The wanted replicas acknowledged the write in time (always true when none are wanted). */
  readonly replicated: boolean;
}

/** Worker side: writes the result and its event in the request's shard, and sends the reply. */
export async function settle(redis: RedisClient, keys: Keys, durability: Durability, s: Settlement): Promise<Settled> {
  const shard = keys.shardFor(s.reply.jobId);
  const reply = JSON.stringify(s.reply);
  const channel = shard.replyChannel(s.replyTo);
  const publish: PublishCommand = keys.shardedReplies ? "SPUBLISH" : "PUBLISH";
  const input = (publishInScript: PublishCommand): SettleResult => ({
    resultKey: shard.result(s.reply.jobId),
    auditStream: shard.auditStream,
    jobKey: shard.job(s.reply.jobId),
    reply,
    resultTtlMs: resultTtlMs(s.deadline, s.now ?? Date.now()),
    event: s.event === null ? "" : JSON.stringify(s.event),
    channel,
    eventField: AUDIT_FIELD,
    alwaysAudit: s.alwaysAudit === true,
    auditMinId: s.auditMinId,
    tombstone: tombstone(s.reply.jobId),
    publish: publishInScript,
    decidedField: DECIDED_FIELD,
  });
  if (durability.replicasFor(shard.auditStream) === 0) return { written: (await settleResult(redis, input(publish))) === 1, replicated: true };

  // The reply waits for the replicas, so it is sent after the script. A run that wrote but died
  // before sending leaves the reply to its retry, which finds the stored one and sends that.
  const { replies, replicated } = await writeDurably(redis, durability, shard.auditStream, (pipeline) => queueSettleResult(redis, pipeline, input("")));
  const [outcome] = replies as [number | string | null];
  const written = outcome === 1;
  const toSend = written ? reply : typeof outcome === "string" && !isTombstone(outcome) && s.alwaysAudit !== true ? outcome : undefined;
  if (toSend !== undefined) await (keys.shardedReplies ? redis.spublish(channel, toSend) : redis.publish(channel, toSend));
  return { written, replicated };
}

/**
 * API side, when no reply arrived in time. Resolves the worker's reply if there is one; otherwise
 * marks the job as answered (so it issues nothing later) and resolves undefined.
 */
export async function claim(redis: RedisClient, keys: Keys, jobId: string, deadline: number, now = Date.now()): Promise<SignReply | undefined> {
  const existing = await claimResult(redis, { resultKey: keys.shardFor(jobId).result(jobId), tombstone: tombstone(jobId), ttlMs: resultTtlMs(deadline, now) });
  return existing === null ? undefined : (JSON.parse(existing) as SignReply);
}

/**
 * Reads the workers' results without claiming them (after a resubscribe, for replies that may have
 * been missed). A tombstone is no result: its request is being answered as unavailable already.
 */
export async function peekResults(redis: RedisClient, keys: Keys, jobIds: readonly string[]): Promise<SignReply[]> {
  if (jobIds.length === 0) return [];
  const resultKeys = jobIds.map((id) => keys.shardFor(id).result(id));
  // A cluster's MGET cannot span slots.
  const values = redis instanceof Cluster ? await Promise.all(resultKeys.map((key) => redis.get(key))) : await redis.mget(resultKeys);
  return values.filter((v): v is string => v !== null && !isTombstone(v)).map((v) => JSON.parse(v) as SignReply);
}
