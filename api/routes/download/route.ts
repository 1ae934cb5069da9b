/**
 * `GET`/`HEAD /assets/download/{grant}`: the grant is the credential. The API hashes it (the grant
 * itself goes nowhere: not into the job, the log or an event) and has a redeem job run in the
 * grant's shard; a GET is answered 302 to a short-lived presigned URL, a HEAD 200 without using it.
 */
import type { Clock } from "../../../shared/redis/clock.js";
import { grantIdOf, isGrantShaped, jobIdBeside } from "../../../shared/domain/grant.js";
import type { RedeemJobData } from "../../../shared/domain/job.js";
import type { Keys } from "../../../shared/redis/keys.js";
import { userAgent } from "../../caller-text.js";
import { ApiError } from "../../errors/catalog.js";
import { unavailable } from "../../errors/unavailable.js";
import type { RedeemAnswer } from "../../reply-waits.js";
import type { Context, Middleware } from "../../state.js";

/** The route, as metrics and log lines name it: never the grant. */
export const DOWNLOAD_ROUTE = "/assets/download/{grant}";
export const DOWNLOAD_PREFIX = "/assets/download/";

/** Runs one redeem job to its answer (through the queue). */
export type Redeem = (jobId: string, data: RedeemJobData) => Promise<RedeemAnswer>;

export interface DownloadDeps {
  readonly redeem: Redeem;
  readonly keys: Keys;
  readonly clock: Clock;
  readonly instanceId: string;
  readonly requestTimeoutMs: number;
}

/** Headers of every answer of the route, refusals included: the link must not leak onwards. */
export function downloadHeaders(): Middleware {
  return async function downloadHeadersMiddleware(ctx, next) {
    ctx.set("Referrer-Policy", "no-referrer");
    await next();
  };
}

export function download(deps: DownloadDeps): Middleware {
  return async function downloadHandler(ctx) {
    const grant = (ctx as Context & { params: Record<string, string> }).params.grant ?? "";
    // Not shaped like a grant: unknown, without a look-up (and without an event: nothing was redeemed).
    if (!isGrantShaped(grant)) throw new ApiError("404-103");
    const grantId = grantIdOf(grant);
    const jobId = jobIdBeside(deps.keys, grantId);
    ctx.state.jobId = jobId;
    const data: RedeemJobData = {
      requestId: ctx.state.requestId,
      grantId,
      consume: ctx.method === "GET",
      deadline: deps.clock.now() + deps.requestTimeoutMs,
      replyTo: deps.instanceId,
      client: { ip: ctx.ip, userAgent: userAgent(ctx) },
    };
    const { result } = await deps.redeem(jobId, data);
    switch (result.outcome) {
      case "redeemed":
        ctx.status = 302;
        ctx.set("Location", result.location);
        ctx.body = "";
        return;
      case "redeemable":
        ctx.status = 200;
        ctx.body = "";
        return;
      case "refused":
        throw new ApiError(result.code);
      case "unavailable":
        throw unavailable();
      case "error":
        throw new ApiError("500-100");
    }
  };
}
