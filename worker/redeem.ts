/**
 * One redeem job (`GET`/`HEAD /assets/download/{grant}`): the grant, then the permission again
 * against the current directory for the actor it was issued to, then (for a GET) one use counted
 * atomically and a short-lived URL signed. The answer and its `download` event are settled like a
 * sign job's; a HEAD consumes nothing and records nothing.
 */
import { downloadEvent, type DownloadReason } from "../shared/domain/audit.js";
import type { GrantRecord } from "../shared/domain/grant.js";
import type { RedeemJobData, RedeemRefusalCode, RedeemResult } from "../shared/domain/job.js";
import { readDecisionInputs, type DirectoryRead } from "../shared/redis/directory-store.js";
import { readGrant, revokedSinceIssue } from "../shared/redis/grants.js";
import { useGrant, type GrantUse } from "../shared/redis/scripts.js";
import { settle } from "../shared/redis/settlement.js";
import { decide } from "./policy.js";
import { retentionBound, type GrantSettings, type SignContext } from "./sign.js";

/** The field of a redeem job's hash that marks its use counted (see `grant-use-2.lua`). */
const USED_FIELD = "pdUsed";

const REFUSALS: Record<DownloadReason, RedeemRefusalCode> = {
  unknown_grant: "404-103",
  revoked: "410-100",
  used_up: "410-101",
  denied: "403-105",
  blocked: "403-107",
};

const USE_REFUSALS: Record<Exclude<GrantUse, "ok">, DownloadReason> = { unknown: "unknown_grant", revoked: "revoked", used_up: "used_up" };

type Decided = { readonly result: RedeemResult; readonly reason: DownloadReason | null };

const refused = (reason: DownloadReason): Decided => ({ result: { outcome: "refused", code: REFUSALS[reason] }, reason });

export async function redeemJob(ctx: SignContext, grants: GrantSettings, jobId: string, data: RedeemJobData, traceId: string | null = null): Promise<RedeemResult> {
  const now = ctx.clock.now();
  const base = { reply: { jobId }, replyTo: data.replyTo, deadline: data.deadline };
  if (now > data.deadline) {
    const result: RedeemResult = { outcome: "unavailable" };
    await settle(ctx.writer, ctx.keys, ctx.durability, { ...base, reply: { jobId, result }, event: null, now, alwaysAudit: true });
    return result;
  }
  const grant = await readGrant(ctx.redis, ctx.keys, data.grantId);
  // Both need only the grant: one round trip for the two.
  const [cutOff, inputs] = grant === undefined ? [false, undefined] : await Promise.all([revokedSinceIssue(ctx.redis, ctx.keys, grant), readDecisionInputs(ctx.redis, ctx.keys, grant.altId, grant.actor)]);
  const { result, reason } = await decideRedeem(ctx, grants, jobId, data, now, grant, cutOff, inputs);
  const settledAt = ctx.clock.now();
  const recorded = data.consume && (result.outcome === "redeemed" || result.outcome === "refused");
  const event = recorded
    ? downloadEvent(
        {
          outcome: result.outcome === "redeemed" ? "redeemed" : "refused",
          reason,
          grantId: data.grantId,
          issuedRequestId: grant?.issuedRequestId ?? null,
          requestId: data.requestId,
          actor: grant?.actor ?? null,
          attachment: grant === undefined ? {} : { app: grant.app, type: grant.type, altId: grant.altId, id: inputs?.attachment?.id, activity: inputs?.activity?.id, department: inputs?.activity?.department },
          client: data.client,
          traceId,
        },
        new Date(settledAt),
      )
    : null;
  const { written } = await settle(ctx.writer, ctx.keys, ctx.durability, { ...base, reply: { jobId, result }, event, now: settledAt, auditMinId: retentionBound(ctx, settledAt) });
  if (!written) ctx.log.info({ jobId, requestId: data.requestId }, "redeem was already answered; result dropped");
  return result;
}

async function decideRedeem(
  ctx: SignContext,
  grants: GrantSettings,
  jobId: string,
  data: RedeemJobData,
  now: number,
  grant: GrantRecord | undefined,
  cutOff: boolean,
  inputs: DirectoryRead | undefined,
): Promise<Decided> {
  if (grant === undefined || inputs === undefined || grant.expiresAt <= now) return refused("unknown_grant");
  if (grant.revoked || cutOff) return refused("revoked");
  if (grant.maxUses > 0 && grant.uses >= grant.maxUses) return refused("used_up");
  if (!inputs.directoryLoaded) return { result: { outcome: "unavailable", reason: "directory_empty" }, reason: null };
  const decision = decide(inputs, grant);
  // An actor gone or disabled, a permission gone, an attachment gone or moved: no longer permitted.
  if (decision.outcome === "blocked") return refused("blocked");
  if (decision.outcome !== "allowed") return refused("denied");
  if (!data.consume) return { result: { outcome: "redeemable" }, reason: null };

  const attachment = inputs.attachment!;
  let location: string;
  try {
    const date = ctx.clock.date();
    location = (await ctx.presign({ objectKey: attachment.objectKey, fileName: attachment.fileName, contentType: attachment.contentType, expiresInSeconds: grants.redirectTtlSeconds, now: date })).url;
  } catch (error) {
    ctx.log.error({ err: error, requestId: data.requestId }, "presign failed");
    return { result: { outcome: "error" }, reason: null };
  }
  // Counted last, and atomically: only a redeem that is answered with a URL uses the grant.
  // The redeem's job id was chosen in the grant's shard (`jobIdBeside`): both keys share a slot.
  const use = await useGrant(ctx.writer, { grantKey: ctx.keys.shardFor(data.grantId).grant(data.grantId), jobKey: ctx.keys.shardFor(jobId).job(jobId), usedField: USED_FIELD });
  if (use !== "ok") return refused(USE_REFUSALS[use]);
  return { result: { outcome: "redeemed", location }, reason: null };
}
