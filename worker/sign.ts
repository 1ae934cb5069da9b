/**
 * One sign job: read the directory, decide, presign when allowed, and settle the request (result,
 * audit event and reply in one script). Refusals are outcomes, not failures; only Redis faults
 * throw, so that BullMQ retries them within the request's deadline.
 */
import type { Clock } from "../shared/redis/clock.js";
import type { Durability } from "../shared/redis/durability.js";
import { auditEvent, auditMinId, type AuditInput } from "../shared/domain/audit.js";
import type { Attachment } from "../shared/domain/directory.js";
import { readDecisionInputs, type DirectoryRead } from "../shared/redis/directory-store.js";
import type { AttachmentView, SignJobData, SignResult } from "../shared/domain/job.js";
import type { Keys } from "../shared/redis/keys.js";
import type { Logger } from "../shared/runtime/log.js";
import type { RedisClient } from "../shared/redis/client.js";
import { decide } from "./policy.js";
import { settle } from "../shared/redis/settlement.js";
import type { Presign } from "./presign.js";
import { NO_TRACING, type Tracing } from "../shared/runtime/tracing.js";
import { readEpochs, storeGrant } from "../shared/redis/grants.js";
import type { GrantEpochs } from "../shared/domain/grant.js";

export interface SignContext {
  /** Directory reads. */
  readonly redis: RedisClient;
  /** Settlements: the same connection as `redis`, unless WAIT (which holds its connection) is asked for. */
  readonly writer: RedisClient;
  readonly keys: Keys;
  readonly presign: Presign;
  readonly ttlSeconds: number;
  /** `AUDIT_RETENTION_DAYS`: each event this worker appends trims the audit stream to it; undefined trims nothing (the sealer trims). */
  readonly auditRetentionDays: number | undefined;
  /** Replicas each settlement must reach before its reply goes out. */
  readonly durability: Durability;
  /** Redis's clock: deadlines, signing dates, expiries, event times and the retention window follow it. */
  readonly clock: Clock;
  readonly log: Logger;
  /** Spans of the directory read and the presign; absent, none. */
  readonly tracing?: Tracing;
  /** How grants are stored and redeemed (grant mode); absent, a job naming a grant fails. */
  readonly grants?: GrantSettings;
}

export interface GrantSettings {
  /** `GRANT_MAX_USES`. */
  readonly maxUses: number;
  /** `GRANT_REDIRECT_TTL_SECONDS`. */
  readonly redirectTtlSeconds: number;
}

/** `traceId`: the request's trace (see `tracing.ts`), for its audit event and log lines; null when untraced. */
export async function signJob(ctx: SignContext, jobId: string, data: SignJobData, traceId: string | null = null): Promise<SignResult> {
  const base = { requestId: data.requestId, actor: data.actor, client: data.client, traceId };
  const tracing = ctx.tracing ?? NO_TRACING;
  // Only traced lines name their trace: untraced ones stay as they were.
  const traced = traceId === null ? {} : { traceId };
  const target = { app: data.app, type: data.type, altId: data.altId };

  // A request nobody waits for any more costs one script and no directory read.
  const now = ctx.clock.now();
  if (now > data.deadline) {
    const result: SignResult = { outcome: "unavailable" };
    const event = auditEvent({ ...base, outcome: "unavailable", reason: "deadline_passed", attachment: target }, new Date(now));
    await settle(ctx.writer, ctx.keys, ctx.durability, {
      reply: { jobId, result },
      event,
      replyTo: data.replyTo,
      deadline: data.deadline,
      now,
      alwaysAudit: true,
      auditMinId: retentionBound(ctx, now),
    });
    return result;
  }

  // Grant mode: the revocation epochs the grant will be issued under, read before it is stored, beside the directory read.
  const [inputs, epochs] = await Promise.all([
    tracing.inSpan("directory read", { kind: "client", attributes: { "db.system.name": "redis" } }, () => readDecisionInputs(ctx.redis, ctx.keys, data.altId, data.actor)),
    data.grantId === undefined ? undefined : readEpochs(ctx.redis, ctx.keys, data.altId, data.actor),
  ]);
  const { result, audit } = await outcome(ctx, tracing, traced, data, inputs, epochs);
  const attachment = { ...target, id: inputs.attachment?.id, activity: inputs.activity?.id, department: inputs.activity?.department };
  const settledAt = ctx.clock.now();
  const event = auditEvent({ ...base, ...audit, attachment }, new Date(settledAt));
  const settlement = { reply: { jobId, result }, event, replyTo: data.replyTo, deadline: data.deadline, now: settledAt, auditMinId: retentionBound(ctx, settledAt) };
  const { written, replicated } = await settle(ctx.writer, ctx.keys, ctx.durability, settlement);
  if (!written) ctx.log.info({ jobId, requestId: data.requestId, ...traced }, "request was already answered; result dropped");
  // Answering anyway keeps the service up when a replica is away; the log says what is at risk.
  else if (!replicated) ctx.log.warn({ jobId, requestId: data.requestId, outcome: result.outcome, ...traced }, "decision answered before a replica acknowledged it");
  return result;
}

/** The audit trim bound of a settlement; none when a sealer trims instead (whole sealed intervals only). */
export function retentionBound(ctx: SignContext, now: number): string | undefined {
  return ctx.auditRetentionDays === undefined ? undefined : auditMinId(ctx.auditRetentionDays, now);
}

type AuditPart = Pick<AuditInput, "outcome" | "reason" | "expiresAt" | "grantId">;

async function outcome(ctx: SignContext, tracing: Tracing, traced: { traceId?: string }, data: SignJobData, inputs: DirectoryRead, epochs: GrantEpochs | undefined): Promise<{ result: SignResult; audit: AuditPart }> {
  // Without a directory every actor would look unknown: a valid token is not refused for that.
  if (!inputs.directoryLoaded) return { result: { outcome: "unavailable", reason: "directory_empty" }, audit: { outcome: "unavailable", reason: "directory_empty" } };
  const decision = decide(inputs, data);
  switch (decision.outcome) {
    case "unauthenticated":
    case "not_found":
      return { result: { outcome: decision.outcome }, audit: { outcome: decision.outcome, reason: decision.reason } };
    case "denied":
      return {
        result: decision.code === "403-178" ? { outcome: "denied", code: decision.code, missingAction: decision.missingAction } : { outcome: "denied", code: decision.code },
        audit: { outcome: "denied", reason: decision.reason },
      };
    case "blocked":
      return { result: { outcome: "blocked", attachment: view(inputs.attachment!) }, audit: { outcome: "blocked", reason: "attachment_blocked" } };
    case "allowed": {
      const attachment = inputs.attachment!;
      // Signed by Redis's clock: a host whose clock is off still issues URLs dated and expiring by the real time.
      const now = ctx.clock.date();
      const expiresInSeconds = expirySeconds(ctx.ttlSeconds, data.requestedExpiry, now);
      // Outside the try: a Redis fault storing the grant throws, and the job retries.
      if (data.grantId !== undefined) return issueGrant(ctx, data.grantId, data, attachment, expiresInSeconds, now, epochs!);
      try {
        const input = { objectKey: attachment.objectKey, fileName: attachment.fileName, contentType: attachment.contentType, expiresInSeconds, now };
        const signed = await tracing.inSpan("presign", {}, () => ctx.presign(input));
        const signedUrlExpiry = signed.expiresAt.toISOString();
        return {
          result: { outcome: "issued", attachment: view(attachment), contentUrl: signed.url, signedUrlExpiry },
          audit: { outcome: "issued", expiresAt: signedUrlExpiry },
        };
      } catch (error) {
        ctx.log.error({ err: error, requestId: data.requestId, ...traced }, "presign failed");
        return { result: { outcome: "error" }, audit: { outcome: "error", reason: "presign_failed" } };
      }
    }
  }
}

/**
 * Grant mode (the API named a grant for the request): no URL is signed now. The grant is stored
 * by its id, until the expiry a URL would have had, with the revocation epochs read before; the API, the only holder of the grant itself,
 * answers with its link, so the result holds no URL (`contentUrl` is "").
 */
async function issueGrant(ctx: SignContext, grantId: string, data: SignJobData, attachment: Attachment, expiresInSeconds: number, now: Date, epochs: GrantEpochs): Promise<{ result: SignResult; audit: AuditPart }> {
  // A Redis fault throws, and the job retries.
  if (ctx.grants === undefined) throw new Error("a grant was asked for, but this worker has no grant settings");
  const expiresAt = Math.floor(now.getTime() / 1000) * 1000 + expiresInSeconds * 1000;
  await storeGrant(ctx.writer, ctx.keys, grantId, {
    actor: data.actor,
    altId: attachment.altId,
    app: data.app,
    type: data.type,
    issuedRequestId: data.requestId,
    issuedAt: now.getTime(),
    expiresAt,
    maxUses: ctx.grants.maxUses,
    epochs,
  });
  const signedUrlExpiry = new Date(expiresAt).toISOString();
  return { result: { outcome: "issued", attachment: view(attachment), contentUrl: "", signedUrlExpiry }, audit: { outcome: "issued", expiresAt: signedUrlExpiry, grantId } };
}

/**
 * Seconds the URL lives: the configured TTL, or less when the caller asked for an earlier expiry;
 * never less than one second, never past what the caller asked (SigV4 counts whole seconds from
 * the signing second).
 */
export function expirySeconds(ttlSeconds: number, requestedExpiry: number | null, now: Date): number {
  if (requestedExpiry === null) return ttlSeconds;
  const signingSecond = Math.floor(now.getTime() / 1000) * 1000;
  const wanted = Math.floor((requestedExpiry - signingSecond) / 1000);
  return Math.min(ttlSeconds, Math.max(1, wanted));
}

export function view(attachment: Attachment): AttachmentView {
  const { objectKey: _objectKey, activity: _activity, ...rest } = attachment;
  return rest;
}
