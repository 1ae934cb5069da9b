import { randomUUID } from "node:crypto";
import { required, type Context, type Middleware } from "../../state.js";
import type { Clock } from "../../../shared/redis/clock.js";
import { ApiError } from "../../errors/catalog.js";
import type { SignJobData, SignResult } from "../../../shared/domain/job.js";
import type { Logger } from "../../../shared/runtime/log.js";
import { throttledLog } from "../../../shared/runtime/throttled-log.js";
import { callerText, userAgent } from "../../caller-text.js";
import type { SignAnswer } from "../../reply-waits.js";
import { unavailable } from "../../errors/unavailable.js";
import { negotiated, represent } from "../../middleware/negotiate.js";
import { presentAttachment, presentBlocked } from "./present.js";
import { validatePredownload } from "./schema.js";
import { newGrant } from "../../../shared/domain/grant.js";
import type { Keys } from "../../../shared/redis/keys.js";

/**
 * Validates the body into `input`. A `signedUrlExpiry` already past by more than the clock
 * tolerance (by Redis's clock) is 400-152: a URL dead on arrival helps nobody. One within the
 * tolerance goes on, and the worker clamps it to one second from the signing.
 */
export function validate(deps: Pick<PredownloadDeps, "clock" | "clockToleranceSeconds">): Middleware {
  return async function validateMiddleware(ctx, next) {
    if (typeof ctx.state.body !== "object" || ctx.state.body === null || Array.isArray(ctx.state.body)) throw new ApiError("400-103");
    const input = validatePredownload(ctx.state.body);
    ctx.state.input = input;
    if (input.signedUrlExpiry !== undefined && Date.parse(input.signedUrlExpiry) < deps.clock.now() - deps.clockToleranceSeconds * 1000) {
      throw new ApiError("400-152", [{ key: "attribute", value: "signedUrlExpiry" }]);
    }
    await next();
  };
}

/** Runs one sign job to its answer: through the queue in production, in-process in the benchmark's reference. */
export type Sign = (jobId: string, data: SignJobData) => Promise<SignAnswer>;

export interface PredownloadDeps {
  readonly sign: Sign;
  /** Redis's clock (see `clock.ts`): the deadline a worker on another host checks is set by it. */
  readonly clock: Clock;
  /** `JWT_CLOCK_TOLERANCE_SECONDS`: how far in the past a requested `signedUrlExpiry` may already be. */
  readonly clockToleranceSeconds: number;
  readonly instanceId: string;
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  readonly keys: Keys;
  /** Grant mode: `PUBLIC_BASE_URL`, where download links point; absent, `contentUrl` is the presigned URL. */
  readonly publicBaseUrl?: string;
}

/** Has the sign job run, waits for its result and answers with it. */
export function predownload(deps: PredownloadDeps): Middleware {
  const noisy = throttledLog(deps.log);
  return async function predownloadHandler(ctx) {
    const input = required(ctx, "input");
    const jobId = randomUUID();
    ctx.state.jobId = jobId;
    // Made here, so that only its hash reaches the job, Redis and the audit trail; in the job's shard, beside the result.
    const grant = deps.publicBaseUrl === undefined ? undefined : newGrant(deps.keys, deps.keys.shardFor(jobId).index);
    const deadline = deps.clock.now() + deps.requestTimeoutMs;
    const data: SignJobData = {
      requestId: ctx.state.requestId,
      actor: required(ctx, "actor"),
      app: input.app,
      type: input.type,
      // A credential pasted as altId is redacted like any caller text: the job then finds nothing.
      altId: callerText(ctx, input.altId),
      requestedExpiry: input.signedUrlExpiry === undefined ? null : Date.parse(input.signedUrlExpiry),
      deadline,
      replyTo: deps.instanceId,
      client: { ip: ctx.ip, userAgent: userAgent(ctx) },
      ...(grant === undefined ? {} : { grantId: grant.grantId }),
    };
    const { result, timedOut } = await deps.sign(jobId, data);
    if (timedOut) ctx.state.auditReason = "no_result_before_deadline";
    else ctx.state.audited = true;
    ctx.state.outcome = result.outcome;
    if (result.outcome === "unavailable" && result.reason === "directory_empty") {
      noisy("warn", "directory_empty", {}, "no directory in Redis (restarted empty, or never imported): answering 503 until one is imported (npm run directory -- import FILE)");
    }
    answer(ctx, result, grant === undefined || deps.publicBaseUrl === undefined ? undefined : `${deps.publicBaseUrl}/assets/download/${grant.grant}`);
  };
}

function answer(ctx: Context, result: SignResult, grantLink: string | undefined): void {
  switch (result.outcome) {
    case "issued":
      represent(ctx, "attachment", presentAttachment(result.attachment, { contentUrl: grantLink ?? result.contentUrl, signedUrlExpiry: result.signedUrlExpiry }));
      return;
    case "blocked":
      represent(ctx, "attachment", presentBlocked(result.attachment, negotiated(ctx).locale));
      return;
    case "denied":
      throw new ApiError(result.code, result.missingAction === undefined ? [] : [{ key: "action", value: result.missingAction }]);
    case "not_found":
      throw new ApiError("404-100");
    case "unauthenticated":
      throw new ApiError("401-101", [], { "WWW-Authenticate": 'Bearer error="invalid_token"' });
    case "unavailable":
      throw unavailable();
    case "error":
      throw new ApiError("500-100");
  }
}
