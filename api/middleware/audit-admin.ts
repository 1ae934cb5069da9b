/**
 * Every admin call (the directory API, revocations) leaves one audit event. A change that was made
 * has its own `directory` or `revocation` event, written by the handler (which marks the state's
 * `audited`); every other call, a refusal, a read or a call that changed nothing, gets an `admin`
 * event here: who, what was asked, how it ended.
 *
 * A refusal before the caller proved the admin scope (no token or a bad one, another actor, a
 * missing scope, a disabled admin client, a wrong method or media type) is charged to the
 * caller's address, in the same budget as the endpoint's refusals before a token: beyond it the
 * answer is 429-001 and the refusal is counted into its second's summary event instead of getting
 * one of its own. Holding a token of the service's users is thus no way to grow the audit
 * stream; a client that holds the scope is trusted like an authenticated caller of the endpoint.
 */
import { adminEvent, MAX_ADMIN_PATH_TEXT, type AdminRoute } from "../../shared/domain/audit.js";
import type { RedisClient } from "../../shared/redis/client.js";
import type { Clock } from "../../shared/redis/clock.js";
import type { Durability } from "../../shared/redis/durability.js";
import type { Keys } from "../../shared/redis/keys.js";
import type { Logger } from "../../shared/runtime/log.js";
import { appendLogged } from "../audit-append.js";
import { callerText, userAgent } from "../caller-text.js";
import { ApiError } from "../errors/catalog.js";
import { adminRefusals, tooManyRefusals, type RefusalBudget } from "../refusal-budget.js";
import type { Context, Middleware } from "../state.js";

export interface AdminAuditDeps {
  /** Where the API's own audit events are appended. */
  readonly auditRedis: RedisClient;
  readonly keys: Keys;
  readonly durability: Durability;
  readonly clock: Clock;
  readonly log: Logger;
  readonly refusalBudget: RefusalBudget;
}

/** Whether `error` refuses an admin call before the caller proved the scope: the refusals the budget counts. */
function refusedBeforeAuthority(ctx: Context, error: unknown): boolean {
  return ctx.state.authorized === undefined && error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
}

/** `{kind}` and `{id}` of the path as the caller sent them, cleaned and bounded; null where the route has none. */
function pathText(ctx: Context, name: "kind" | "id"): string | null {
  const value = (ctx as Context & { params?: Record<string, string | undefined> }).params?.[name];
  return value === undefined ? null : callerText(ctx, value, MAX_ADMIN_PATH_TEXT);
}

/** Wraps the whole chain of one admin route (first, so that a 405 or 406 is recorded too). */
export function auditAdmin(route: AdminRoute, deps: AdminAuditDeps): Middleware {
  const append = appendLogged(deps.auditRedis, deps.keys, deps.durability, deps.log);
  return async function auditAdminMiddleware(ctx, next) {
    let error: unknown;
    let failed = false;
    try {
      await next();
    } catch (caught) {
      error = caught;
      failed = true;
    }
    if (ctx.state.audited !== true) {
      const waitMs = failed && refusedBeforeAuthority(ctx, error) ? await deps.refusalBudget.charge(ctx.ip) : 0;
      if (waitMs > 0) error = tooManyRefusals(waitMs);
      const refusal = error instanceof ApiError ? error : undefined;
      const event = adminEvent(
        {
          status: failed ? (refusal?.status ?? 500) : ctx.status,
          code: failed ? (refusal?.code ?? "500-100") : null,
          requestId: ctx.state.requestId,
          by: ctx.state.actor ?? null,
          method: ctx.method,
          route,
          kind: pathText(ctx, "kind"),
          recordId: pathText(ctx, "id"),
          target: ctx.state.revocationTarget ?? null,
          client: { ip: ctx.ip, userAgent: userAgent(ctx) },
          traceId: ctx.state.traceId,
        },
        deps.clock.date(),
      );
      if (waitMs > 0) {
        await deps.refusalBudget.count(adminRefusals(ctx.ip), event).catch((e: unknown) => deps.log.error({ err: e, requestId: ctx.state.requestId, outcome: event.outcome }, "refusal could not be counted"));
      } else {
        await append(event, event.requestId);
      }
    }
    if (failed) throw error;
  };
}
