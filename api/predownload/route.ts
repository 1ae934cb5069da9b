import { randomUUID } from "node:crypto";
import type { Middleware } from "koa";
import { ApiError } from "../../shared/errors.js";
import type { SignJobData, SignResult } from "../../shared/job.js";
import { userAgent } from "../caller-text.js";
import type { Settled } from "../replies.js";
import { negotiated, represent } from "../middleware/negotiate.js";
import { presentAttachment, presentBlocked } from "./present.js";
import { validatePredownload, type PredownloadRequest } from "./schema.js";

/** Seconds a caller should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** 503-100 with `Retry-After`: nobody could decide the request in time. */
export function unavailable(): ApiError {
  return new ApiError("503-100", [{ key: "retryAfter", value: String(RETRY_AFTER_SECONDS) }], { "Retry-After": String(RETRY_AFTER_SECONDS) });
}

export function allowMethods(...methods: string[]): Middleware {
  return async function allowMethodsMiddleware(ctx, next) {
    if (!methods.includes(ctx.method)) {
      throw new ApiError("405-100", [{ key: "method", value: ctx.method }, { key: "allowed", value: methods.join(", ") }], { Allow: methods.join(", ") });
    }
    await next();
  };
}

/** The endpoint takes no query parameters; a token in the query string is refused like any other. */
export function noQueryParameters(): Middleware {
  return async function noQueryParametersMiddleware(ctx, next) {
    const first = new URLSearchParams(ctx.querystring).keys().next();
    if (first.done !== true) throw new ApiError("400-101", [{ key: "parameter", value: first.value }]);
    await next();
  };
}

export function validate(): Middleware {
  return async function validateMiddleware(ctx, next) {
    if (typeof ctx.state.body !== "object" || ctx.state.body === null || Array.isArray(ctx.state.body)) throw new ApiError("400-103");
    ctx.state.input = validatePredownload(ctx.state.body);
    await next();
  };
}

/** Runs one sign job to its settlement: through the queue in production, in-process in the benchmark's reference. */
export type Sign = (jobId: string, data: SignJobData) => Promise<Settled>;

export interface PredownloadDeps {
  readonly sign: Sign;
  readonly instanceId: string;
  readonly requestTimeoutMs: number;
}

/** Has the sign job run, waits for its result and answers with it. */
export function predownload(deps: PredownloadDeps): Middleware {
  return async function predownloadHandler(ctx) {
    const input = ctx.state.input as PredownloadRequest;
    const jobId = randomUUID();
    ctx.state.jobId = jobId;
    const deadline = Date.now() + deps.requestTimeoutMs;
    const data: SignJobData = {
      requestId: ctx.state.requestId,
      actor: ctx.state.actor,
      app: input.app,
      type: input.type,
      altId: input.altId,
      requestedExpiry: input.signedUrlExpiry === undefined ? null : Date.parse(input.signedUrlExpiry),
      deadline,
      replyTo: deps.instanceId,
      client: { ip: ctx.ip, userAgent: userAgent(ctx) },
    };
    const { result, timedOut } = await deps.sign(jobId, data);
    if (timedOut) ctx.state.auditReason = "no_result_before_deadline";
    else ctx.state.audited = true;
    ctx.state.outcome = result.outcome;
    answer(ctx, result);
  };
}

function answer(ctx: Parameters<Middleware>[0], result: SignResult): void {
  switch (result.outcome) {
    case "issued":
      represent(ctx, "attachment", presentAttachment(result.attachment, { contentUrl: result.contentUrl, signedUrlExpiry: result.signedUrlExpiry }));
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
