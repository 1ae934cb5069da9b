import type { Middleware } from "../../state.js";
import type { Clock } from "../../../shared/redis/clock.js";
import { auditEvent, type AuditOutcome } from "../../../shared/domain/audit.js";
import type { Durability } from "../../../shared/redis/durability.js";
import { ApiError } from "../../errors/catalog.js";
import type { Keys } from "../../../shared/redis/keys.js";
import type { Logger } from "../../../shared/runtime/log.js";
import { callerText, userAgent } from "../../caller-text.js";
import { refusedBeforeAuthentication, tooManyRefusals, type RefusalBudget } from "../../refusal-budget.js";
import type { RedisClient } from "../../../shared/redis/client.js";
import { appendLogged } from "../../audit-append.js";

/**
 * Records the requests that end before a worker decides them (`invalid`, `unauthenticated`,
 * `unavailable`, `error`), with the response's error code as the reason unless the handler set
 * the state's `auditReason`. Requests a worker settled were recorded by the worker, in the same
 * transaction as their result; the handler marks them with the state's `audited`. Trimming the
 * stream is left to the worker's writes, so this append stays a plain XADD (and WAIT, when
 * replicas must have it); a failed append is logged (see `appendLogged`). A refusal before a token was accepted
 * is charged to the caller's address: beyond its budget it becomes 429-001 and is counted into its
 * second's summary event instead of getting one of its own (see `RefusalBudget`).
 */
export function auditRefusals(redis: RedisClient, keys: Keys, durability: Durability, clock: Clock, log: Logger, budget: RefusalBudget): Middleware {
  const append = appendLogged(redis, keys, durability, log);
  return async function auditRefusalsMiddleware(ctx, next) {
    try {
      await next();
    } catch (caught) {
      let error = caught;
      if (ctx.state.audited !== true) {
        const waitMs = refusedBeforeAuthentication(ctx, error) ? await budget.charge(ctx.ip) : 0;
        if (waitMs > 0) error = tooManyRefusals(waitMs);
        const status = error instanceof ApiError ? error.status : 500;
        const code = error instanceof ApiError ? error.code : "500-100";
        const input = ctx.state.input;
        const event = auditEvent({
          outcome: outcomeFor(status),
          reason: waitMs > 0 ? code : (ctx.state.auditReason ?? code),
          requestId: ctx.state.requestId,
          actor: ctx.state.actor ?? null,
          attachment: { app: input?.app, type: input?.type, altId: input?.altId === undefined ? undefined : callerText(ctx, input.altId) },
          client: { ip: ctx.ip, userAgent: userAgent(ctx) },
          traceId: ctx.state.traceId,
        }, clock.date());
        ctx.state.outcome = event.outcome;
        if (waitMs > 0) {
          await budget.count(ctx.ip, event).catch((e: unknown) => log.error({ err: e, requestId: ctx.state.requestId, outcome: event.outcome }, "refusal could not be counted"));
          throw error;
        }
        // Beside the job's own events when there is a job; by request id when it never got that far.
        await append(event, ctx.state.jobId ?? event.requestId);
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
