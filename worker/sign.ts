/**
 * One sign job: read the directory, decide, presign when allowed, and settle the request (result,
 * audit event and reply in one script). Refusals are outcomes, not failures; only Redis faults
 * throw, so that BullMQ retries them within the request's deadline.
 */
import type { Durability } from "../shared/durability.js";
import { auditEvent, auditMinId, type AuditInput } from "../shared/audit.js";
import type { Attachment } from "../shared/directory.js";
import { readDecisionInputs, type DecisionInputs } from "../shared/directory-store.js";
import type { AttachmentView, SignJobData, SignResult } from "../shared/job.js";
import type { Keys } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";
import type { RedisClient } from "../shared/redis.js";
import { decide } from "../shared/policy.js";
import { settle } from "../shared/reply.js";
import type { Presign } from "./presign.js";

export interface SignContext {
  /** Directory reads. */
  readonly redis: RedisClient;
  /** Settlements: the same connection as `redis`, unless WAIT (which holds its connection) is asked for. */
  readonly writer: RedisClient;
  readonly keys: Keys;
  readonly presign: Presign;
  readonly ttlSeconds: number;
  /** `AUDIT_RETENTION_DAYS`: each event this worker appends trims the audit stream to it. */
  readonly auditRetentionDays: number;
  /** Replicas each settlement must reach before its reply goes out. */
  readonly durability: Durability;
  readonly log: Logger;
}

export async function signJob(ctx: SignContext, jobId: string, data: SignJobData): Promise<SignResult> {
  const base = { requestId: data.requestId, actor: data.actor, client: data.client };
  const target = { app: data.app, type: data.type, altId: data.altId };

  if (Date.now() > data.deadline) {
    const result: SignResult = { outcome: "unavailable" };
    const event = auditEvent({ ...base, outcome: "unavailable", reason: "deadline_passed", attachment: target });
    await settle(ctx.writer, ctx.keys, ctx.durability, {
      reply: { jobId, result },
      event,
      replyTo: data.replyTo,
      deadline: data.deadline,
      alwaysAudit: true,
      auditMinId: auditMinId(ctx.auditRetentionDays),
    });
    return result;
  }

  const inputs = await readDecisionInputs(ctx.redis, ctx.keys, data.altId, data.actor);
  const { result, audit } = await outcome(ctx, data, inputs);
  const attachment = { ...target, id: inputs.attachment?.id, activity: inputs.activity?.id, department: inputs.activity?.department };
  const event = auditEvent({ ...base, ...audit, attachment });
  const settlement = { reply: { jobId, result }, event, replyTo: data.replyTo, deadline: data.deadline, auditMinId: auditMinId(ctx.auditRetentionDays) };
  const { written, replicated } = await settle(ctx.writer, ctx.keys, ctx.durability, settlement);
  if (!written) ctx.log.info({ jobId, requestId: data.requestId }, "request was already answered; result dropped");
  // Answering anyway keeps the service up when a replica is away; the log says what is at risk.
  else if (!replicated) ctx.log.warn({ jobId, requestId: data.requestId, outcome: result.outcome }, "decision answered before a replica acknowledged it");
  return result;
}

type AuditPart = Pick<AuditInput, "outcome" | "reason" | "expiresAt">;

async function outcome(ctx: SignContext, data: SignJobData, inputs: DecisionInputs): Promise<{ result: SignResult; audit: AuditPart }> {
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
      try {
        const now = new Date();
        const signed = await ctx.presign({
          objectKey: attachment.objectKey,
          fileName: attachment.fileName,
          contentType: attachment.contentType,
          expiresInSeconds: expirySeconds(ctx.ttlSeconds, data.requestedExpiry, now),
          now,
        });
        const signedUrlExpiry = signed.expiresAt.toISOString();
        return {
          result: { outcome: "issued", attachment: view(attachment), contentUrl: signed.url, signedUrlExpiry },
          audit: { outcome: "issued", expiresAt: signedUrlExpiry },
        };
      } catch (error) {
        ctx.log.error({ err: error, requestId: data.requestId }, "presign failed");
        return { result: { outcome: "error" }, audit: { outcome: "error", reason: "presign_failed" } };
      }
    }
  }
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

function view(attachment: Attachment): AttachmentView {
  const { objectKey: _objectKey, activity: _activity, ...rest } = attachment;
  return rest;
}
