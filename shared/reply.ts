/**
 * The reply protocol between worker and API, built on one short-lived result key per job.
 * Whoever sets the key first settles the request, atomically:
 * - the worker's `settle` sets the result, appends the audit event and publishes the reply in one
 *   script, so no URL exists without its event, and a retried job cannot issue a second one;
 * - the API's `claim`, at its deadline, sets a tombstone so that a late worker issues nothing, or
 *   finds the worker's result and answers with it.
 */
import type { Redis } from "ioredis";
import { AUDIT_FIELD, type AuditEvent } from "./audit.js";
import type { SignReply } from "./job.js";
import type { Keys } from "./keys.js";

/** How long a result outlives its request's deadline, so retried or late jobs still see it. */
export const RESULT_GRACE_MS = 10_000;

// ARGV[7], when not empty, is the retention bound: the XADD also trims entries below it. The
// caller computes it so the script reads no clock. "~" lets Redis drop only whole stream nodes,
// which keeps the trim cheap and may keep a few older entries, but never removes a younger one.
// ARGV[8] is the tombstone `claim` leaves for this job (see `tombstone`).
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
  redis.call('PUBLISH', ARGV[4], ARGV[1])
  return 1
end
-- A job run after its deadline records so only on a request the API gave up on, and only once:
-- the tombstone is replaced by this job's own answer. A request a worker settled (with its result,
-- or with this same late answer on an earlier run) gets no further event.
if ARGV[6] == '1' and redis.call('GET', KEYS[1]) == ARGV[8] then
  audit()
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
return 0
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
  ): Promise<number>;
  pdClaim(resultKey: string, tombstone: string, ttlMs: number): Promise<string | null>;
}

function withReplyCommands(redis: Redis): Redis & ReplyCommands {
  if (!("pdSettle" in redis)) {
    redis.defineCommand("pdSettle", { numberOfKeys: 2, lua: SETTLE });
    redis.defineCommand("pdClaim", { numberOfKeys: 1, lua: CLAIM });
  }
  return redis as Redis & ReplyCommands;
}

/**
 * What `claim` leaves in the result key of a job nobody answered in time: an `unavailable` reply
 * marked as the API's, so that a late job can tell it from a worker's own `unavailable`.
 */
function tombstone(jobId: string): string {
  return JSON.stringify({ jobId, result: { outcome: "unavailable" }, tombstone: true });
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

/** Worker side. Resolves true when this call settled the request, false when it was already settled. */
export async function settle(redis: Redis, keys: Keys, s: Settlement): Promise<boolean> {
  const written = await withReplyCommands(redis).pdSettle(
    keys.result(s.reply.jobId),
    keys.auditStream,
    JSON.stringify(s.reply),
    resultTtlMs(s.deadline, Date.now()),
    JSON.stringify(s.event),
    keys.replyChannel(s.replyTo),
    AUDIT_FIELD,
    s.alwaysAudit === true ? "1" : "0",
    s.auditMinId ?? "",
    tombstone(s.reply.jobId),
  );
  return written === 1;
}

/**
 * API side, when no reply arrived in time. Resolves the worker's reply if there is one; otherwise
 * marks the job as answered (so it issues nothing later) and resolves undefined.
 */
export async function claim(redis: Redis, keys: Keys, jobId: string, deadline: number): Promise<SignReply | undefined> {
  const existing = await withReplyCommands(redis).pdClaim(keys.result(jobId), tombstone(jobId), resultTtlMs(deadline, Date.now()));
  return existing === null ? undefined : (JSON.parse(existing) as SignReply);
}

/** Reads results without claiming them (after a resubscribe, for replies that may have been missed). */
export async function peekResults(redis: Redis, keys: Keys, jobIds: readonly string[]): Promise<SignReply[]> {
  if (jobIds.length === 0) return [];
  const values = await redis.mget(jobIds.map((id) => keys.result(id)));
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as SignReply);
}
