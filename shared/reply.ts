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
import { Cluster, type ChainableCommander } from "ioredis";
import { AUDIT_FIELD, type AuditEvent } from "./audit.js";
import { writeDurably, type Durability } from "./durability.js";
import type { SignReply } from "./job.js";
import type { Keys } from "./keys.js";
import type { RedisClient } from "./redis.js";

/** How long a result outlives its request's deadline, so retried or late jobs still see it. */
export const RESULT_GRACE_MS = 10_000;

// ARGV[7], when not empty, is the retention bound: the XADD also trims entries below it. The
// caller computes it so the script reads no clock. "~" lets Redis drop only whole stream nodes,
// which keeps the trim cheap and may keep a few older entries, but never removes a younger one.
// ARGV[8] is the tombstone `claim` leaves for this job (see `tombstone`). ARGV[9] is how the reply
// goes out: PUBLISH, SPUBLISH (a cluster's shard channel, in this script's slot), or '' when the
// caller publishes it after WAIT.
const SETTLE = `
local function audit()
  if ARGV[7] == '' then
    redis.call('XADD', KEYS[2], '*', ARGV[5], ARGV[3])
  else
    redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[7], '*', ARGV[5], ARGV[3])
  end
end
-- The event goes first: a script that fails half-way keeps what it already wrote, and a result
-- without its event would let the API hand out a URL that was never recorded.
if redis.call('EXISTS', KEYS[1]) == 0 then
  audit()
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if ARGV[9] ~= '' then redis.call(ARGV[9], ARGV[4], ARGV[1]) end
  return 1
end
-- A job run after its deadline records so only on a request the API gave up on, and only once:
-- the tombstone is replaced by this job's own answer. A request a worker settled (with its result,
-- or with this same late answer on an earlier run) gets no further event.
local existing = redis.call('GET', KEYS[1])
if ARGV[6] == '1' and existing == ARGV[8] then
  audit()
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
  return 0
end
-- What settled the request, so that a retried job can send a reply its first run could not.
return existing
`;

const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
return redis.call('GET', KEYS[1])
`;

interface ReplyCommands {
  pdSettle(
    resultKey: string,
    stream: string,
    reply: string,
    ttlMs: number,
    event: string,
    channel: string,
    field: string,
    alwaysAudit: "0" | "1",
    auditMinId: string,
    tombstone: string,
    publish: PublishCommand,
  ): Promise<number | string | null>;
  pdClaim(resultKey: string, tombstone: string, ttlMs: number): Promise<string | null>;
}

type PublishCommand = "PUBLISH" | "SPUBLISH" | "";

function withReplyCommands<R extends RedisClient>(redis: R): R & ReplyCommands {
  if (!("pdSettle" in redis)) {
    redis.defineCommand("pdSettle", { numberOfKeys: 2, lua: SETTLE });
    redis.defineCommand("pdClaim", { numberOfKeys: 1, lua: CLAIM });
  }
  return redis as R & ReplyCommands;
}

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
  readonly event: AuditEvent;
  readonly replyTo: string;
  readonly deadline: number;
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
  const args = (publishInScript: PublishCommand) =>
    [
      shard.result(s.reply.jobId),
      shard.auditStream,
      reply,
      resultTtlMs(s.deadline, Date.now()),
      JSON.stringify(s.event),
      channel,
      AUDIT_FIELD,
      s.alwaysAudit === true ? "1" : "0",
      s.auditMinId ?? "",
      tombstone(s.reply.jobId),
      publishInScript,
    ] as const;
  if (durability.replicasFor(shard.auditStream) === 0) return { written: (await withReplyCommands(redis).pdSettle(...args(publish))) === 1, replicated: true };

  // The reply waits for the replicas, so it is sent after the script. A run that wrote but died
  // before sending leaves the reply to its retry, which finds the stored one and sends that.
  withReplyCommands(redis);
  const { replies, replicated } = await writeDurably(redis, durability, shard.auditStream, (pipeline) => (pipeline as ChainableCommander & ReplyCommands).pdSettle(...args("")));
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
export async function claim(redis: RedisClient, keys: Keys, jobId: string, deadline: number): Promise<SignReply | undefined> {
  const existing = await withReplyCommands(redis).pdClaim(keys.shardFor(jobId).result(jobId), tombstone(jobId), resultTtlMs(deadline, Date.now()));
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
