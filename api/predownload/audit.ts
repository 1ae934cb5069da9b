import type { Middleware } from "koa";
import { appendAuditEvent, auditEvent, type AuditOutcome, type AuditReason } from "../../shared/audit.js";
import type { Durability } from "../../shared/durability.js";
import { ApiError } from "../../shared/errors.js";
import type { Keys } from "../../shared/keys.js";
import type { Logger } from "../../shared/log.js";
import { userAgent } from "../caller-text.js";
import type { RedisClient } from "../../shared/redis.js";

/**
 * Records the requests that end before a worker decides them (`invalid`, `unauthenticated`,
 * `unavailable`, `error`), with the response's error code as the reason unless the handler set
 * `ctx.state.auditReason`. Requests a worker settled were recorded by the worker, in the same
 * transaction as their result; the handler marks them with `ctx.state.audited`. Trimming the
 * stream is left to the worker's writes, so this append stays a plain XADD (and WAIT, when
 * replicas must have it).
 */
export function auditRefusals(redis: RedisClient, keys: Keys, durability: Durability, log: Logger): Middleware {
  return async function auditRefusalsMiddleware(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (ctx.state.audited !== true) {
        const status = error instanceof ApiError ? error.status : 500;
        const code = error instanceof ApiError ? error.code : "500-100";
        const input = ctx.state.input as { app?: string; type?: string; altId?: string } | undefined;
        const event = auditEvent({
          outcome: outcomeFor(status),
          reason: (ctx.state.auditReason as AuditReason | undefined) ?? code,
          requestId: ctx.state.requestId,
          actor: ctx.state.actor ?? null,
          attachment: { app: input?.app, type: input?.type, altId: input?.altId },
          client: { ip: ctx.ip, userAgent: userAgent(ctx) },
        });
        ctx.state.outcome = event.outcome;
        // Beside the job's own events when there is a job; by request id when it never got that far.
        const shardId = (ctx.state.jobId as string | undefined) ?? event.requestId;
        await appendAuditEvent(redis, keys, durability, event, shardId).then(
          (replicated) => replicated || log.warn({ requestId: ctx.state.requestId, outcome: event.outcome }, "audit event written but not yet on a replica"),
          (e: unknown) => log.error({ err: e, requestId: ctx.state.requestId, outcome: event.outcome }, "audit event could not be written"),
        );
      }
      throw error;
    }
  };
}

function outcomeFor(status: number): AuditOutcome {
  if (status === 401) return "unauthenticated";
  // Too many requests is a refusal to serve now, not a fault of the request.
  if (status === 503 || status === 429) return "unavailable";
  if (status >= 500) return "error";
  return "invalid";
}
